#include "kaspa/script.hpp"

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

class Machine {
 public:
  Machine(std::vector<core::Bytes> stack, const ScriptContext& ctx)
      : stack_(std::move(stack)), ctx_(ctx) {}

  // Runs `script`; with push_only, any operation is an error.
  bool run(core::ByteSpan script, bool push_only) {
    if (script.size() > kMaxScriptSize)
      return fail(ScriptError::kScriptTooLarge, std::to_string(script.size()) + " bytes");
    std::size_t pc = 0;
    while (pc < script.size()) {
      const std::size_t at = pc;
      const std::uint8_t opcode = script[pc++];
      if (opcode <= op::k16 && opcode != 0x50) {
        core::Bytes data;
        if (!read_push(script, opcode, pc, data)) return false;
        if (!minimal(opcode, data)) return fail(ScriptError::kNonMinimalPush, where(at));
        if (!push(std::move(data))) return false;
        continue;
      }
      if (push_only) return fail(ScriptError::kNonPushSigScript, where(at));
      if (!step(opcode, at)) return false;
    }
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
      case op::kSha256: {
        if (!need(1, at)) return false;
        const core::Hash32 h = crypto::sha256(pop());
        return push(core::Bytes(h.bytes.begin(), h.bytes.end()));
      }
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
  Machine m({}, ctx);
  if (m.run(signature_script, true) && m.run(script_public_key, false)) {
    if (m.stack().size() != 1) {
      m.fail(ScriptError::kCleanStack, std::to_string(m.stack().size()) + " items left");
    } else if (!truthy(m.stack().back())) {
      m.fail(ScriptError::kEvalFalse, "the last item is false");
    }
  }
  return m.finish();
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
