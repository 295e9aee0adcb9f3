#include "kaspa/script.hpp"

#include <algorithm>

#include "crypto/blake2b.hpp"
#include "crypto/sha256.hpp"

namespace basalt::kaspa {

namespace {

// Kaspa's truth: false is any run of zero bytes, optionally ending in 0x80 (negative zero).
bool truthy(const core::Bytes& v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] != 0) return !(i == v.size() - 1 && v[i] == 0x80);
  }
  return false;
}

core::Bytes hash_bytes(const core::Hash32& h) {
  return core::Bytes(h.bytes.begin(), h.bytes.end());
}

class Machine {
 public:
  Machine(std::vector<core::Bytes> stack, const ScriptContext& ctx)
      : stack_(std::move(stack)), ctx_(ctx) {}

  // Runs `script`; with push_only, any operation is an error.
  bool run(core::ByteSpan script, bool push_only) {
    if (script.size() > kMaxScriptSize)
      return fail(ScriptError::kScriptTooLarge, std::to_string(script.size()) + " bytes");
    std::size_t pc = 0;
    conditions_.clear();
    while (pc < script.size()) {
      const std::size_t at = pc;
      const std::uint8_t opcode = script[pc++];
      const bool executing = this->executing();
      if (opcode <= op::k16 && opcode != 0x50) {
        core::Bytes data;
        if (!read_push(script, opcode, pc, data)) return false;
        if (!executing) continue;
        if (!minimal(opcode, data)) return fail(ScriptError::kNonMinimalPush, where(at));
        if (!push(std::move(data))) return false;
        continue;
      }
      if (push_only) return fail(ScriptError::kNonPushSigScript, where(at));
      if (opcode >= op::kIf && opcode <= op::kEndIf) {
        if (!conditional(opcode, at, executing)) return false;
        continue;
      }
      if (executing && !step(opcode, at)) return false;
    }
    if (!conditions_.empty())
      return fail(ScriptError::kUnbalancedConditional, "an OpIf is not closed");
    return true;
  }

  ScriptOutcome finish() {
    ScriptOutcome o;
    o.error = error_;
    o.detail = std::move(detail_);
    o.stack = std::move(stack_);
    return o;
  }

  bool failed() const { return error_ != ScriptError::kNone; }
  bool fail(ScriptError e, std::string detail) {
    error_ = e;
    detail_ = std::move(detail);
    return false;
  }
  const std::vector<core::Bytes>& stack() const { return stack_; }

 private:
  static std::string where(std::size_t at) { return "at byte " + std::to_string(at); }

  // A branch runs when every enclosing condition holds.
  bool executing() const {
    return std::find(conditions_.begin(), conditions_.end(), false) == conditions_.end();
  }

  bool conditional(std::uint8_t opcode, std::size_t at, bool executing) {
    switch (opcode) {
      case op::kIf:
      case op::kNotIf: {
        bool taken = false;
        if (executing) {
          if (!need(1, at)) return false;
          const core::Bytes c = pop();
          if (c.size() > 1 || (c.size() == 1 && c[0] != 1))
            return fail(ScriptError::kMinimalIf, where(at));
          taken = (c.size() == 1) == (opcode == op::kIf);
        }
        conditions_.push_back(taken);
        return true;
      }
      case op::kElse:
        if (conditions_.empty())
          return fail(ScriptError::kUnbalancedConditional, where(at) + ": OpElse without OpIf");
        // Inside a branch not taken, both sides stay skipped.
        conditions_.back() =
            !conditions_.back() &&
            std::find(conditions_.begin(), conditions_.end() - 1, false) == conditions_.end() - 1;
        return true;
      case op::kEndIf:
        if (conditions_.empty())
          return fail(ScriptError::kUnbalancedConditional, where(at) + ": OpEndIf without OpIf");
        conditions_.pop_back();
        return true;
      default:
        return fail(ScriptError::kUnsupportedOpcode, where(at));
    }
  }

  bool read_push(core::ByteSpan s, std::uint8_t opcode, std::size_t& pc, core::Bytes& out) {
    std::size_t n = 0;
    if (opcode == op::k1Negate) {
      out = {0x81};
      return true;
    }
    if (opcode >= op::kTrue) {
      out = {static_cast<std::uint8_t>(opcode - op::kTrue + 1)};
      return true;
    }
    if (opcode < op::kPushData1) {
      n = opcode;
    } else {
      const std::size_t width = opcode == op::kPushData1 ? 1 : opcode == op::kPushData2 ? 2 : 4;
      if (s.size() - pc < width) return fail(ScriptError::kTruncatedPush, where(pc - 1));
      for (std::size_t i = 0; i < width; ++i) n |= static_cast<std::size_t>(s[pc + i]) << (8 * i);
      pc += width;
    }
    if (n > kMaxScriptElementSize) return fail(ScriptError::kElementTooLarge, where(pc - 1));
    if (s.size() - pc < n) return fail(ScriptError::kTruncatedPush, where(pc - 1));
    out.assign(s.begin() + static_cast<std::ptrdiff_t>(pc),
               s.begin() + static_cast<std::ptrdiff_t>(pc + n));
    pc += n;
    return true;
  }

  // The shortest encoding of `data` is the one used.
  static bool minimal(std::uint8_t opcode, const core::Bytes& data) {
    if (opcode == op::k1Negate || opcode >= op::kTrue) return true;
    if (data.empty()) return opcode == op::kFalse;
    if (data.size() == 1 && ((data[0] >= 1 && data[0] <= 16) || data[0] == 0x81)) return false;
    if (data.size() < op::kPushData1) return opcode == data.size();
    if (data.size() <= 0xff) return opcode == op::kPushData1;
    if (data.size() <= 0xffff) return opcode == op::kPushData2;
    return opcode == op::kPushData4;
  }

  bool push(core::Bytes v) {
    if (v.size() > kMaxScriptElementSize) return fail(ScriptError::kElementTooLarge, "");
    if (stack_.size() >= kMaxStackSize)
      return fail(ScriptError::kStackOverflow, std::to_string(kMaxStackSize) + " items");
    stack_.push_back(std::move(v));
    return true;
  }

  bool need(std::size_t n, std::size_t at) {
    if (stack_.size() >= n) return true;
    return fail(ScriptError::kStackUnderflow, where(at) + ": needs " + std::to_string(n) +
                                                  " items, has " + std::to_string(stack_.size()));
  }

  core::Bytes pop() {
    core::Bytes v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }

  // Pops a script number (minimal, at most 8 bytes).
  bool pop_number(std::size_t at, std::int64_t& out) {
    if (!need(1, at)) return false;
    const core::Bytes v = pop();
    if (v.size() > 8) return fail(ScriptError::kInvalidNumber, where(at) + ": over 8 bytes");
    if (!v.empty() && (v.back() & 0x7f) == 0 && (v.size() == 1 || (v[v.size() - 2] & 0x80) == 0))
      return fail(ScriptError::kInvalidNumber, where(at) + ": not minimal");
    std::uint64_t mag = 0;
    for (std::size_t i = 0; i < v.size(); ++i) mag |= std::uint64_t{v[i]} << (8 * i);
    bool negative = false;
    if (!v.empty() && (v.back() & 0x80)) {
      negative = true;
      mag &= ~(std::uint64_t{0x80} << (8 * (v.size() - 1)));
    }
    if (mag > static_cast<std::uint64_t>(INT64_MAX))
      return fail(ScriptError::kInvalidNumber, where(at) + ": out of range");
    out = negative ? -static_cast<std::int64_t>(mag) : static_cast<std::int64_t>(mag);
    return true;
  }

  // Pops an index below `limit`.
  bool pop_index(std::size_t at, std::size_t limit, std::size_t& out) {
    std::int64_t v = 0;
    if (!pop_number(at, v)) return false;
    if (v < 0 || static_cast<std::uint64_t>(v) >= limit) {
      return fail(ScriptError::kInvalidIndex,
                  where(at) + ": index " + std::to_string(v) + " of " + std::to_string(limit));
    }
    out = static_cast<std::size_t>(v);
    return true;
  }

  bool need_tx(std::size_t at) {
    if (ctx_.tx != nullptr && ctx_.spent.size() == ctx_.tx->inputs.size()) return true;
    return fail(ScriptError::kNoTransaction, where(at));
  }

  bool push_number(std::int64_t v) { return push(script_number(v)); }

  // Outputs bound to covenant `id`, in output order.
  std::vector<std::size_t> covenant_outputs(const core::Bytes& id) const {
    std::vector<std::size_t> r;
    for (std::size_t i = 0; i < ctx_.tx->outputs.size(); ++i) {
      const auto& c = ctx_.tx->outputs[i].covenant;
      if (c && id.size() == 32 &&
          std::equal(id.begin(), id.end(), c->covenant_id.hash().bytes.begin()))
        r.push_back(i);
    }
    return r;
  }

  bool introspect(std::uint8_t opcode, std::size_t at) {
    if (!need_tx(at)) return false;
    const Transaction& tx = *ctx_.tx;
    std::size_t i = 0;
    switch (opcode) {
      case op::kTxInputIndex:
        return push_number(ctx_.input_index);
      case op::kTxInputAmount:
        if (!pop_index(at, tx.inputs.size(), i)) return false;
        return push_number(static_cast<std::int64_t>(ctx_.spent[i].amount));
      case op::kTxInputScriptSigLen:
        if (!pop_index(at, tx.inputs.size(), i)) return false;
        return push_number(static_cast<std::int64_t>(tx.inputs[i].signature_script.size()));
      case op::kTxInputScriptSigSubstr: {
        std::int64_t start = 0, end = 0;
        if (!pop_number(at, end) || !pop_number(at, start) || !pop_index(at, tx.inputs.size(), i))
          return false;
        const core::Bytes& sig = tx.inputs[i].signature_script;
        if (start < 0 || end < start || static_cast<std::uint64_t>(end) > sig.size()) {
          return fail(ScriptError::kInvalidIndex,
                      where(at) + ": range " + std::to_string(start) + ".." + std::to_string(end));
        }
        return push(core::Bytes(sig.begin() + start, sig.begin() + end));
      }
      case op::kTxOutputAmount:
        if (!pop_index(at, tx.outputs.size(), i)) return false;
        return push_number(static_cast<std::int64_t>(tx.outputs[i].value));
      case op::kTxOutputSpk: {
        if (!pop_index(at, tx.outputs.size(), i)) return false;
        return push(spk_introspection_bytes(tx.outputs[i].script_public_key));
      }
      case op::kInputCovenantId: {
        if (!pop_index(at, tx.inputs.size(), i)) return false;
        const auto& c = ctx_.spent[i].covenant_id;
        return push(c ? hash_bytes(c->hash()) : core::Bytes(32, 0));
      }
      case op::kCovOutputCount: {
        if (!need(1, at)) return false;
        return push_number(static_cast<std::int64_t>(covenant_outputs(pop()).size()));
      }
      case op::kCovOutputIdx: {
        std::int64_t k = 0;
        if (!pop_number(at, k) || !need(1, at)) return false;
        const auto outs = covenant_outputs(pop());
        if (k < 0 || static_cast<std::uint64_t>(k) >= outs.size()) {
          return fail(ScriptError::kInvalidIndex, where(at) + ": covenant output " +
                                                      std::to_string(k) + " of " +
                                                      std::to_string(outs.size()));
        }
        return push_number(static_cast<std::int64_t>(outs[static_cast<std::size_t>(k)]));
      }
    }
    return false;
  }

  bool zk_precompile(std::size_t at) {
    if (!need(1, at)) return false;
    const core::Bytes tag = pop();
    if (tag.size() != 1 || tag[0] != kZkTagBasaltReexec) {
      return fail(ScriptError::kZkIntegrity,
                  where(at) + ": tag not supported (this engine verifies basalt's 0x42 only)");
    }
    if (!need(3, at)) return false;
    const core::Bytes image = pop(), digest = pop(), proof = pop();
    if (image.size() != 32 || digest.size() != 32) {
      return fail(ScriptError::kZkIntegrity, where(at) + ": image id and digest must be 32 bytes");
    }
    if (ctx_.zk == nullptr) return fail(ScriptError::kZkVerifyFailed, where(at) + ": no verifier");
    core::Hash32 image_id, journal_digest;
    std::copy(image.begin(), image.end(), image_id.bytes.begin());
    std::copy(digest.begin(), digest.end(), journal_digest.bytes.begin());
    const std::string why = ctx_.zk->verify(tag[0], image_id, journal_digest, proof);
    if (!why.empty()) return fail(ScriptError::kZkVerifyFailed, where(at) + ": " + why);
    return push({1});
  }

  bool step(std::uint8_t opcode, std::size_t at) {
    switch (opcode) {
      case op::kNop:
        return true;
      case op::kVerify:
        if (!need(1, at)) return false;
        if (!truthy(pop())) return fail(ScriptError::kVerifyFailed, where(at));
        return true;
      case op::kReturn:
        return fail(ScriptError::kEarlyReturn, where(at));
      case op::kDrop:
        if (!need(1, at)) return false;
        stack_.pop_back();
        return true;
      case op::kDup:
        if (!need(1, at)) return false;
        return push(stack_.back());
      case op::kSwap:
        if (!need(2, at)) return false;
        std::swap(stack_[stack_.size() - 1], stack_[stack_.size() - 2]);
        return true;
      case op::kEqual:
      case op::kEqualVerify: {
        if (!need(2, at)) return false;
        const core::Bytes a = pop(), b = pop();
        if (opcode == op::kEqualVerify) {
          if (a != b) return fail(ScriptError::kEqualVerifyFailed, where(at));
          return true;
        }
        return push(a == b ? core::Bytes{1} : core::Bytes{});
      }
      case op::kSha256:
        if (!need(1, at)) return false;
        return push(hash_bytes(crypto::sha256(pop())));
      case op::kBlake2b:
        if (!need(1, at)) return false;
        return push(hash_bytes(crypto::blake2b_256(pop())));
      case op::kToAltStack:
        if (!need(1, at)) return false;
        alt_.push_back(pop());
        return true;
      case op::kFromAltStack: {
        if (alt_.empty()) return fail(ScriptError::kStackUnderflow, where(at) + ": alt stack");
        core::Bytes v = std::move(alt_.back());
        alt_.pop_back();
        return push(std::move(v));
      }
      case op::kOver:
        if (!need(2, at)) return false;
        return push(stack_[stack_.size() - 2]);
      case op::kRot:
        if (!need(3, at)) return false;
        std::rotate(stack_.end() - 3, stack_.end() - 2, stack_.end());
        return true;
      case op::k2Dup:
        if (!need(2, at)) return false;
        if (!push(stack_[stack_.size() - 2])) return false;
        return push(stack_[stack_.size() - 2]);
      case op::kCat: {
        if (!need(2, at)) return false;
        const core::Bytes b = pop();
        core::Bytes a = pop();
        a.insert(a.end(), b.begin(), b.end());
        if (a.size() > kMaxScriptElementSize) return fail(ScriptError::kElementTooLarge, where(at));
        return push(std::move(a));
      }
      case op::kAdd:
      case op::kSub: {
        std::int64_t b = 0, a = 0;
        if (!pop_number(at, b) || !pop_number(at, a)) return false;
        std::int64_t r = 0;
        if (opcode == op::kAdd ? __builtin_add_overflow(a, b, &r)
                               : __builtin_sub_overflow(a, b, &r))
          return fail(ScriptError::kInvalidNumber, where(at) + ": overflow");
        return push_number(r);
      }
      case op::kZkPrecompile:
        return zk_precompile(at);
      case op::kTxInputIndex:
      case op::kTxInputAmount:
      case op::kTxInputScriptSigLen:
      case op::kTxInputScriptSigSubstr:
      case op::kTxOutputAmount:
      case op::kTxOutputSpk:
      case op::kInputCovenantId:
      case op::kCovOutputCount:
      case op::kCovOutputIdx:
        return introspect(opcode, at);
      case op::kChainblockSeqCommit: {
        if (!need(1, at)) return false;
        const core::Bytes block = pop();
        if (block.size() != 32) {
          return fail(ScriptError::kInvalidLengthOfBlockHash,
                      where(at) + ": " + std::to_string(block.size()) + " bytes");
        }
        core::Hash32 h;
        std::copy(block.begin(), block.end(), h.bytes.begin());
        if (ctx_.seq_commits == nullptr)
          return fail(ScriptError::kBlockAlreadyPruned, where(at) + ": no chain to ask");
        const SeqCommitAccessor::Answer a = ctx_.seq_commits->seq_commit(BlockHash(h));
        if (a.error != ScriptError::kNone) return fail(a.error, where(at) + ": block " + h.hex());
        const core::Hash32& s = a.seq_commit.hash();
        return push(core::Bytes(s.bytes.begin(), s.bytes.end()));
      }
      default: {
        static const char* kHex = "0123456789abcdef";
        return fail(ScriptError::kUnsupportedOpcode,
                    where(at) + ": opcode 0x" + kHex[opcode >> 4] + kHex[opcode & 15]);
      }
    }
  }

  std::vector<core::Bytes> stack_;
  std::vector<core::Bytes> alt_;
  std::vector<bool> conditions_;  // one per open OpIf: whether its current side runs
  const ScriptContext& ctx_;
  ScriptError error_ = ScriptError::kNone;
  std::string detail_;
};

}  // namespace

const char* script_error_name(ScriptError e) {
  switch (e) {
    case ScriptError::kNone:
      return "none";
    case ScriptError::kTruncatedPush:
      return "truncated_push";
    case ScriptError::kNonMinimalPush:
      return "non_minimal_push";
    case ScriptError::kNonPushSigScript:
      return "non_push_signature_script";
    case ScriptError::kUnsupportedOpcode:
      return "unsupported_opcode";
    case ScriptError::kStackUnderflow:
      return "stack_underflow";
    case ScriptError::kStackOverflow:
      return "stack_overflow";
    case ScriptError::kElementTooLarge:
      return "element_too_large";
    case ScriptError::kScriptTooLarge:
      return "script_too_large";
    case ScriptError::kVerifyFailed:
      return "verify_failed";
    case ScriptError::kEqualVerifyFailed:
      return "equal_verify_failed";
    case ScriptError::kEarlyReturn:
      return "early_return";
    case ScriptError::kEvalFalse:
      return "eval_false";
    case ScriptError::kCleanStack:
      return "clean_stack";
    case ScriptError::kInvalidLengthOfBlockHash:
      return "invalid_length_of_block_hash";
    case ScriptError::kBlockAlreadyPruned:
      return "block_already_pruned";
    case ScriptError::kBlockNotSelected:
      return "block_not_selected";
    case ScriptError::kBlockIsTooDeep:
      return "block_is_too_deep";
    case ScriptError::kInvalidNumber:
      return "invalid_number";
    case ScriptError::kInvalidIndex:
      return "invalid_index";
    case ScriptError::kNoTransaction:
      return "no_transaction";
    case ScriptError::kZkIntegrity:
      return "zk_integrity";
    case ScriptError::kZkVerifyFailed:
      return "zk_verify_failed";
    case ScriptError::kP2shMismatch:
      return "p2sh_mismatch";
    case ScriptError::kMinimalIf:
      return "minimal_if";
    case ScriptError::kUnbalancedConditional:
      return "unbalanced_conditional";
  }
  return "?";
}

ScriptOutcome run_script(core::ByteSpan script, std::vector<core::Bytes> stack,
                         const ScriptContext& ctx) {
  Machine m(std::move(stack), ctx);
  m.run(script, false);
  return m.finish();
}

ScriptOutcome verify_spend(core::ByteSpan signature_script, core::ByteSpan script_public_key,
                           const ScriptContext& ctx) {
  // Kaspa's end of a spend: exactly one item left, and it is true.
  const auto finish = [](Machine& m) {
    if (m.failed()) return m.finish();
    if (m.stack().size() != 1) {
      m.fail(ScriptError::kCleanStack, std::to_string(m.stack().size()) + " items left");
    } else if (!truthy(m.stack().back())) {
      m.fail(ScriptError::kEvalFalse, "the last item is false");
    }
    return m.finish();
  };
  Machine m({}, ctx);
  if (!m.run(signature_script, true)) return m.finish();
  if (!is_p2sh({0, core::Bytes(script_public_key.begin(), script_public_key.end())})) {
    m.run(script_public_key, false);
    return finish(m);
  }
  // The key only checks the redeem script's hash; the redeem script then runs on what the
  // signature script pushed below it.
  std::vector<core::Bytes> below = m.stack();
  if (below.empty()) {
    m.fail(ScriptError::kStackUnderflow, "P2SH spend without a redeem script");
    return m.finish();
  }
  const core::Bytes redeem = std::move(below.back());
  below.pop_back();
  if (!m.run(script_public_key, false)) return m.finish();
  if (m.stack().empty() || !truthy(m.stack().back())) {
    m.fail(ScriptError::kP2shMismatch, "the redeem script does not hash to the key's");
    return m.finish();
  }
  Machine r(std::move(below), ctx);
  r.run(redeem, false);
  return finish(r);
}

core::Bytes script_number(std::int64_t v) {
  core::Bytes out;
  if (v == 0) return out;
  const bool negative = v < 0;
  std::uint64_t mag = negative ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  while (mag > 0) {
    out.push_back(static_cast<std::uint8_t>(mag & 0xff));
    mag >>= 8;
  }
  if (out.back() & 0x80) {
    out.push_back(negative ? 0x80 : 0x00);
  } else if (negative) {
    out.back() |= 0x80;
  }
  return out;
}

core::Bytes spk_introspection_bytes(const ScriptPublicKey& spk) {
  core::Bytes v{static_cast<std::uint8_t>(spk.version >> 8),
                static_cast<std::uint8_t>(spk.version)};
  v.insert(v.end(), spk.script.begin(), spk.script.end());
  return v;
}

void emit_cat_own_tail(core::Bytes& s, std::int64_t length) {
  s.insert(s.end(), {op::kFalse, op::kFalse, op::kTxInputScriptSigLen, op::kDup});
  push_data(s, script_number(length));
  s.insert(s.end(), {op::kSub, op::kSwap, op::kTxInputScriptSigSubstr, op::kCat});
}

void emit_p2sh_spk_of_hash(core::Bytes& s) {
  push_data(s, core::Bytes{0x00, 0x00, op::kBlake2b, 0x20});
  s.insert(s.end(), {op::kSwap, op::kCat});
  push_data(s, core::Bytes{op::kEqual});
  s.push_back(op::kCat);
}

ScriptPublicKey p2sh_script(core::ByteSpan redeem) {
  ScriptPublicKey spk;
  spk.script.push_back(op::kBlake2b);
  push_data(spk.script, crypto::blake2b_256(redeem).bytes);
  spk.script.push_back(op::kEqual);
  return spk;
}

bool is_p2sh(const ScriptPublicKey& spk) {
  const core::Bytes& s = spk.script;
  return spk.version == 0 && s.size() == 35 && s[0] == op::kBlake2b && s[1] == 32 &&
         s[34] == op::kEqual;
}

void push_data(core::Bytes& script, core::ByteSpan data) {
  const std::size_t n = data.size();
  if (n == 0) {
    script.push_back(op::kFalse);
    return;
  }
  if (n == 1 && data[0] >= 1 && data[0] <= 16) {
    script.push_back(static_cast<std::uint8_t>(op::kTrue + data[0] - 1));
    return;
  }
  if (n == 1 && data[0] == 0x81) {
    script.push_back(op::k1Negate);
    return;
  }
  if (n < op::kPushData1) {
    script.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xff) {
    script.push_back(op::kPushData1);
    script.push_back(static_cast<std::uint8_t>(n));
  } else if (n <= 0xffff) {
    script.push_back(op::kPushData2);
    script.push_back(static_cast<std::uint8_t>(n));
    script.push_back(static_cast<std::uint8_t>(n >> 8));
  } else {
    script.push_back(op::kPushData4);
    for (int i = 0; i < 4; ++i) script.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  }
  script.insert(script.end(), data.begin(), data.end());
}

}  // namespace basalt::kaspa
