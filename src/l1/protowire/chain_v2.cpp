#include "l1/protowire/chain_v2.hpp"

#include <future>
#include <iterator>
#include <optional>
#include <utility>

#include "core/assert.hpp"
#include "kaspa/limits.hpp"
#include "l1/protowire/convert.hpp"
#include "l1/protowire/wire.hpp"

namespace basalt::l1::protowire {

namespace {

using core::Error;
using core::ErrorCode;
using core::Status;

Error bad(std::string_view field, std::string_view why) {
  return Error{ErrorCode::kInvalid, std::string(field) + ": " + std::string(why)};
}

Error within(const std::string& where, const Error& e) {
  return Error{ErrorCode::kInvalid, where + e.context()};
}

Error malformed(const std::string& what) {
  return Error{ErrorCode::kInvalid, "kaspad's answer: " + what};
}

// The singular fields (numbers below 64) a message has had: a second one is refused.
class Seen {
 public:
  Status once(const WireField& f, WireType type, std::string_view name) {
    BASALT_ASSERT(f.number < 64);
    if (f.type != type) return bad(name, "not of its wire type");
    const std::uint64_t bit = std::uint64_t{1} << f.number;
    if (bits_ & bit) return bad(name, "given twice");
    bits_ |= bit;
    return Status::Ok();
  }
  bool has(std::uint32_t number) const { return bits_ >> number & 1; }

 private:
  std::uint64_t bits_ = 0;
};

// Calls on(field) for each field of `message`.
template <typename OnField>
Status each_field(std::string_view message, OnField&& on) {
  WireReader r(message);
  while (!r.done()) {
    BASALT_ASSIGN_OR_RETURN(const WireField f, r.next());
    BASALT_TRY(on(f));
  }
  return Status::Ok();
}

Status repeated(const WireField& f, std::string_view name) {
  return f.type == WireType::kLen ? Status::Ok() : bad(name, "not of its wire type");
}

core::Result<kaspa::Outpoint> read_outpoint(std::string_view m) {
  Seen seen;
  kaspa::Outpoint o;
  const auto on_field = [&](const WireField& f) -> Status {
    switch (f.number) {
      case 2: {
        BASALT_TRY(seen.once(f, WireType::kLen, "transactionId"));
        BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, hash_field({"transactionId"}, "", f.bytes));
        o.transaction_id = kaspa::TxId(id);
        return Status::Ok();
      }
      case 3: {
        BASALT_TRY(seen.once(f, WireType::kVarint, "index"));
        BASALT_ASSIGN_OR_RETURN(o.index, narrow<std::uint32_t>({"index"}, "", f.varint));
        return Status::Ok();
      }
      default:
        return Status::Ok();
    }
  };
  BASALT_TRY(each_field(m, on_field));
  if (!seen.has(2) || !seen.has(3)) return bad("outpoint", "transactionId or index missing");
  return o;
}

core::Result<kaspa::TxInput> read_input(std::string_view m, std::uint16_t version,
                                        std::uint64_t max_signature_script) {
  Seen seen;
  kaspa::TxInput in;
  std::uint64_t sig_op_count = 0, compute_budget = 0;
  const auto on_field = [&](const WireField& f) -> Status {
    switch (f.number) {
      case 2: {
        BASALT_TRY(seen.once(f, WireType::kLen, ".previousOutpoint"));
        auto o = read_outpoint(f.bytes);
        if (!o.ok()) return within(".previousOutpoint.", o.error());
        in.previous_outpoint = *o;
        return Status::Ok();
      }
      case 3: {
        BASALT_TRY(seen.once(f, WireType::kLen, ".signatureScript"));
        BASALT_ASSIGN_OR_RETURN(in.signature_script,
                                hex_field({".signatureScript"}, "", f.bytes, max_signature_script));
        return Status::Ok();
      }
      case 4:
        BASALT_TRY(seen.once(f, WireType::kVarint, ".sequence"));
        in.sequence = f.varint;
        return Status::Ok();
      case 5:
        BASALT_TRY(seen.once(f, WireType::kVarint, ".sigOpCount"));
        sig_op_count = f.varint;
        return Status::Ok();
      case 7:
        BASALT_TRY(seen.once(f, WireType::kVarint, ".computeBudget"));
        compute_budget = f.varint;
        return Status::Ok();
      default:
        return Status::Ok();
    }
  };
  BASALT_TRY(each_field(m, on_field));
  if (!seen.has(2) || !seen.has(3) || !seen.has(4))
    return bad("", "previousOutpoint, signatureScript or sequence missing");
  auto commit = compute_commit(version, sig_op_count, compute_budget);
  if (!commit.ok()) return within(".", commit.error());
  in.compute_commit = *commit;
  return in;
}

core::Result<kaspa::ScriptPublicKey> read_spk(std::string_view m) {
  Seen seen;
  kaspa::ScriptPublicKey spk;
  const auto on_field = [&](const WireField& f) -> Status {
    if (f.number == 1) {
      BASALT_TRY(seen.once(f, WireType::kVarint, "version"));
      BASALT_ASSIGN_OR_RETURN(spk.version, narrow<std::uint16_t>({"version"}, "", f.varint));
    } else if (f.number == 2) {
      BASALT_TRY(seen.once(f, WireType::kLen, "scriptPublicKey"));
      BASALT_ASSIGN_OR_RETURN(
          spk.script, hex_field({"scriptPublicKey"}, "", f.bytes, kaspa::kMaxScriptPublicKeyLen));
    }
    return Status::Ok();
  };
  BASALT_TRY(each_field(m, on_field));
  return spk;
}

// RpcNullableCovenantBinding: absent or empty, no covenant.
core::Result<std::optional<kaspa::CovenantBinding>> read_nullable_binding(std::string_view m) {
  std::optional<kaspa::CovenantBinding> out;
  Seen outer;
  const auto on_field = [&](const WireField& f) -> Status {
    if (f.number != 1) return Status::Ok();
    BASALT_TRY(outer.once(f, WireType::kLen, "covenant"));
    Seen seen;
    kaspa::CovenantBinding c;
    const auto on_binding_field = [&](const WireField& g) -> Status {
      if (g.number == 1) {
        BASALT_TRY(seen.once(g, WireType::kVarint, "authorizing_input"));
        BASALT_ASSIGN_OR_RETURN(c.authorizing_input,
                                narrow<std::uint16_t>({"authorizing_input"}, "", g.varint));
      } else if (g.number == 2) {
        BASALT_TRY(seen.once(g, WireType::kLen, "covenant_id"));
        BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, hash_field({"covenant_id"}, "", g.bytes));
        c.covenant_id = kaspa::CovenantId(id);
      }
      return Status::Ok();
    };
    BASALT_TRY(each_field(f.bytes, on_binding_field));
    if (!seen.has(2)) return bad("covenant_id", "not a 32-byte hash");
    out = c;
    return Status::Ok();
  };
  BASALT_TRY(each_field(m, on_field));
  return out;
}

core::Result<kaspa::TxOutput> read_output(std::string_view m) {
  Seen seen;
  kaspa::TxOutput out;
  const auto on_field = [&](const WireField& f) -> Status {
    switch (f.number) {
      case 2:
        BASALT_TRY(seen.once(f, WireType::kVarint, ".value"));
        out.value = f.varint;
        return Status::Ok();
      case 3: {
        BASALT_TRY(seen.once(f, WireType::kLen, ".scriptPublicKey"));
        auto spk = read_spk(f.bytes);
        if (!spk.ok()) return within(".scriptPublicKey.", spk.error());
        out.script_public_key = std::move(*spk);
        return Status::Ok();
      }
      case 5: {
        BASALT_TRY(seen.once(f, WireType::kLen, ".covenant"));
        auto c = read_nullable_binding(f.bytes);
        if (!c.ok()) return within(".covenant.", c.error());
        out.covenant = *c;
        return Status::Ok();
      }
      default:
        return Status::Ok();
    }
  };
  BASALT_TRY(each_field(m, on_field));
  if (!seen.has(2) || !seen.has(3)) return bad("", "value or scriptPublicKey missing");
  return out;
}

// One accepted transaction and the id kaspad reports for it (empty when it reports none).
struct TxRead {
  kaspa::Transaction tx;
  std::string_view reported_id;
};

// The scalar fields; inputs and outputs are read afterwards, once the version is known.
Status read_tx_fields(std::string_view m, TxRead& out, std::size_t& inputs, std::size_t& outputs) {
  Seen seen;
  kaspa::Transaction& tx = out.tx;
  const auto on_field = [&](const WireField& f) -> Status {
    switch (f.number) {
      case 2: {
        BASALT_TRY(seen.once(f, WireType::kVarint, "version"));
        BASALT_ASSIGN_OR_RETURN(tx.version, narrow<std::uint16_t>({"version"}, "", f.varint));
        return Status::Ok();
      }
      case 3:
        ++inputs;
        return repeated(f, "inputs");
      case 4:
        ++outputs;
        return repeated(f, "outputs");
      case 5:
        BASALT_TRY(seen.once(f, WireType::kVarint, "lockTime"));
        tx.lock_time = f.varint;
        return Status::Ok();
      case 6: {
        BASALT_TRY(seen.once(f, WireType::kLen, "subnetworkId"));
        auto lane = kaspa::LaneId::from_hex(f.bytes);
        if (!lane.ok()) return bad("subnetworkId", "not a 20-byte subnetwork id");
        tx.subnetwork_id = *lane;
        return Status::Ok();
      }
      case 7:
        BASALT_TRY(seen.once(f, WireType::kVarint, "gas"));
        tx.gas = f.varint;
        return Status::Ok();
      case 8: {
        BASALT_TRY(seen.once(f, WireType::kLen, "payload"));
        BASALT_ASSIGN_OR_RETURN(tx.payload,
                                hex_field({"payload"}, "", f.bytes, kaspa::kMaxPayloadLen));
        return Status::Ok();
      }
      case 9:
        BASALT_TRY(seen.once(f, WireType::kVarint, "mass"));
        tx.storage_mass = f.varint;
        return Status::Ok();
      case 10:
        BASALT_TRY(seen.once(f, WireType::kLen, "verboseData"));
        return each_field(f.bytes, [&](const WireField& g) -> Status {
          if (g.number == 2) {
            if (g.type != WireType::kLen) return bad("verboseData.transactionId", "not a string");
            out.reported_id = g.bytes;
          }
          return Status::Ok();
        });
      default:
        return Status::Ok();
    }
  };
  BASALT_TRY(each_field(m, on_field));
  if (!seen.has(2) || !seen.has(5) || !seen.has(6) || !seen.has(7) || !seen.has(8))
    return bad("transaction", "version, lockTime, subnetworkId, gas or payload missing (not FULL)");
  if (inputs > kaspa::kMaxTxInputs)
    return bad("inputs", "more than " + std::to_string(kaspa::kMaxTxInputs));
  if (outputs > kaspa::kMaxTxOutputs)
    return bad("outputs", "more than " + std::to_string(kaspa::kMaxTxOutputs));
  return Status::Ok();
}

core::Result<TxRead> read_tx(std::string_view m, std::uint64_t max_signature_script) {
  TxRead out;
  std::size_t inputs = 0, outputs = 0;
  BASALT_TRY(read_tx_fields(m, out, inputs, outputs));
  if (inputs == 0 && outputs == 0) return out;
  kaspa::Transaction& tx = out.tx;
  tx.inputs.reserve(inputs);
  tx.outputs.reserve(outputs);
  const auto on_field = [&](const WireField& f) -> Status {
    if (f.number == 3) {
      auto in = read_input(f.bytes, tx.version, max_signature_script);
      if (!in.ok()) return within("inputs[" + std::to_string(tx.inputs.size()) + "]", in.error());
      tx.inputs.push_back(std::move(*in));
    } else if (f.number == 4) {
      auto o = read_output(f.bytes);
      if (!o.ok()) return within("outputs[" + std::to_string(tx.outputs.size()) + "]", o.error());
      tx.outputs.push_back(std::move(*o));
    }
    return Status::Ok();
  };
  BASALT_TRY(each_field(m, on_field));
  return out;
}

Status read_header(std::string_view m, ChainBlockRead& b, std::string_view& hash) {
  Seen seen;
  const auto on_field = [&](const WireField& f) -> Status {
    switch (f.number) {
      case 2:
        BASALT_TRY(seen.once(f, WireType::kLen, "hash"));
        hash = f.bytes;
        return Status::Ok();
      case 6: {
        BASALT_TRY(seen.once(f, WireType::kLen, "acceptedIdMerkleRoot"));
        BASALT_ASSIGN_OR_RETURN(const core::Hash32 root,
                                hash_field({"acceptedIdMerkleRoot"}, "", f.bytes));
        b.seq_commit = kaspa::SeqCommit(root);
        return Status::Ok();
      }
      case 8:
        BASALT_TRY(seen.once(f, WireType::kVarint, "timestamp"));
        // int64 on the wire: a negative one has bit 63 set.
        if (f.varint >> 63) return bad("timestamp", "negative");
        b.timestamp = f.varint;
        return Status::Ok();
      case 11:
        BASALT_TRY(seen.once(f, WireType::kVarint, "daaScore"));
        b.daa_score = f.varint;
        return Status::Ok();
      case 13:
        BASALT_TRY(seen.once(f, WireType::kVarint, "blueScore"));
        b.blue_score = f.varint;
        return Status::Ok();
      default:
        return Status::Ok();
    }
  };
  BASALT_TRY(each_field(m, on_field));
  if (!seen.has(2) || !seen.has(6) || !seen.has(8) || !seen.has(11) || !seen.has(13)) {
    return bad("chain block header",
               "without hash, timestamp, scores or acceptedIdMerkleRoot (not FULL verbosity)");
  }
  return Status::Ok();
}

core::Result<ChainBlockRead> read_block(std::string_view added_hash, std::string_view m,
                                        std::uint64_t max_signature_script,
                                        std::vector<std::string_view>& reported_ids) {
  ChainBlockRead b;
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 hash,
                          hash_field({"addedChainBlockHashes"}, "", added_hash));
  b.hash = kaspa::BlockHash(hash);
  std::size_t txs = 0;
  BASALT_TRY(each_field(m, [&](const WireField& f) {
    txs += f.number == 3;
    return Status::Ok();
  }));
  b.accepted.reserve(txs);
  Seen seen;
  std::string_view header_hash;
  const auto on_field = [&](const WireField& f) -> Status {
    if (f.number == 2) {
      BASALT_TRY(seen.once(f, WireType::kLen, "chainBlockHeader"));
      return read_header(f.bytes, b, header_hash);
    }
    if (f.number != 3) return Status::Ok();
    BASALT_TRY(repeated(f, "acceptedTransactions"));
    auto tx = read_tx(f.bytes, max_signature_script);
    if (!tx.ok())
      return within("transaction " + std::to_string(b.accepted.size()) + ": ", tx.error());
    AcceptedTx a;
    a.version = tx->tx.version;
    a.lane = tx->tx.subnetwork_id;
    a.merge_idx = static_cast<std::uint32_t>(b.accepted.size());
    a.tx = std::move(tx->tx);
    b.accepted.push_back(std::move(a));
    reported_ids.push_back(tx->reported_id);
    return Status::Ok();
  };
  BASALT_TRY(each_field(m, on_field));
  if (!seen.has(2)) {
    return bad("chain block header",
               "without hash, timestamp, scores or acceptedIdMerkleRoot (not FULL verbosity)");
  }
  if (header_hash != added_hash)
    return Error{ErrorCode::kInvalid, "came with the header of " + std::string(header_hash)};
  return b;
}

// Computes every transaction's id (all of a chunk together: they hash side by side); one kaspad
// reports must be the transaction's own.
Status identify(std::vector<ChainBlockRead>& added, const std::vector<std::string_view>& reported) {
  std::vector<const kaspa::Transaction*> txs;
  txs.reserve(reported.size());
  for (const ChainBlockRead& b : added)
    for (const AcceptedTx& a : b.accepted) txs.push_back(&a.tx);
  std::vector<kaspa::TxId> ids(txs.size());
  kaspa::tx_ids(txs, ids.data());
  std::size_t k = 0;
  for (ChainBlockRead& b : added) {
    for (std::size_t i = 0; i < b.accepted.size(); ++i, ++k) {
      const std::string_view r = reported[k];
      auto said = core::Hash32::from_hex(r);
      if (!r.empty() && (r.size() != 64 || !said.ok() || *said != ids[k].hash())) {
        return malformed("transaction " + std::to_string(i) + " of chain block " + b.hash.hex() +
                         " is reported as " + std::string(r) + " but is " + ids[k].hex());
      }
      b.accepted[i].tx_id = ids[k];
    }
  }
  return Status::Ok();
}

// The fields of the answer itself, as views.
struct Parts {
  std::vector<std::string_view> removed, added, blocks;
  std::string_view error;
  bool error_given = false;
};

Status split(std::string_view message, Parts& p) {
  Seen seen;
  return each_field(message, [&](const WireField& f) -> Status {
    switch (f.number) {
      case 1:
        p.removed.push_back(f.bytes);
        return repeated(f, "removedChainBlockHashes");
      case 2:
        p.added.push_back(f.bytes);
        return repeated(f, "addedChainBlockHashes");
      case 3:
        p.blocks.push_back(f.bytes);
        return repeated(f, "chainBlockAcceptedTransactions");
      case 1000:
        if (f.type != WireType::kLen || p.error_given)
          return bad("error", "not of its wire type, or given twice");
        p.error_given = true;
        return each_field(f.bytes, [&](const WireField& g) -> Status {
          if (g.number == 1) {
            BASALT_TRY(seen.once(g, WireType::kLen, "error.message"));
            p.error = g.bytes;
          }
          return Status::Ok();
        });
      default:
        return Status::Ok();
    }
  });
}

void write_header(WireWriter& w, const BlockHeader& h, const kaspa::BlockHash& pruning_point) {
  w.begin(2);
  w.hex(2, h.hash.span());
  w.varint(3, 1);  // version
  w.begin(4);      // parentsByLevel: one run of level 0
  for (const kaspa::BlockHash& p : h.parents) w.hex(1, p.span());
  w.varint(2, 1);  // cumulativeLevel
  w.end();
  w.hex(6, h.accepted_id_merkle_root.span());
  w.varint(8, h.timestamp);
  w.varint(11, h.daa_score);
  w.bytes(12, blue_work_hex(h.blue_work));
  w.varint(13, h.blue_score);
  w.hex(14, pruning_point.span());
  w.end();
}

void write_input(WireWriter& w, const kaspa::TxInput& in) {
  w.begin(3);
  w.begin(2);
  w.hex(2, in.previous_outpoint.transaction_id.span());
  w.varint(3, in.previous_outpoint.index);
  w.end();
  w.hex(3, in.signature_script);
  w.varint(4, in.sequence);
  const bool budget = in.compute_commit.kind == kaspa::ComputeCommit::Kind::kComputeBudget;
  w.varint(budget ? 7 : 5, in.compute_commit.value);
  w.end();
}

// proto3 leaves a plain (not `optional`) field out when it holds its default.
void write_output(WireWriter& w, const kaspa::TxOutput& out) {
  w.begin(4);
  w.varint(2, out.value);
  w.begin(3);
  if (out.script_public_key.version != 0) w.varint(1, out.script_public_key.version);
  if (!out.script_public_key.script.empty()) w.hex(2, out.script_public_key.script);
  w.end();
  w.begin(5);
  if (out.covenant) {
    w.begin(1);
    if (out.covenant->authorizing_input != 0) w.varint(1, out.covenant->authorizing_input);
    w.hex(2, out.covenant->covenant_id.span());
    w.end();
  }
  w.end();
  w.end();
}

void write_tx(WireWriter& w, const AcceptedTx& a) {
  const kaspa::Transaction& tx = a.tx;
  w.begin(3);
  w.varint(2, tx.version);
  for (const kaspa::TxInput& in : tx.inputs) write_input(w, in);
  for (const kaspa::TxOutput& out : tx.outputs) write_output(w, out);
  w.varint(5, tx.lock_time);
  w.hex(6, tx.subnetwork_id.span());
  w.varint(7, tx.gas);
  w.hex(8, tx.payload);
  w.varint(9, tx.storage_mass);
  w.begin(10);
  w.hex(2, a.tx_id.span());
  w.end();
  w.end();
}

// Hex doubles every byte; the rest of a transaction's fields take under 256 bytes, an input's or
// an output's under 128 besides its script, a block's header under 256 besides its parents.
std::size_t estimated_size(std::size_t removed, std::span<const ChainBlockOut> added) {
  std::size_t n = 70 * removed;
  for (const ChainBlockOut& b : added) {
    n += 70 + 256 + 70 * b.header.parents.size();
    for (const AcceptedTx& a : b.accepted) {
      n += 256 + 2 * a.tx.payload.size();
      for (const kaspa::TxInput& in : a.tx.inputs) n += 128 + 2 * in.signature_script.size();
      for (const kaspa::TxOutput& out : a.tx.outputs)
        n += 128 + 2 * out.script_public_key.script.size();
    }
  }
  return n;
}

// Below this, a second thread costs more than it saves.
constexpr std::size_t kBlocksWorthAThread = 16;

core::Result<std::vector<ChainBlockRead>> read_blocks(const Parts& p, std::size_t from,
                                                      std::size_t to,
                                                      std::uint64_t max_signature_script) {
  std::vector<ChainBlockRead> out;
  out.reserve(to - from);
  std::vector<std::string_view> reported;
  for (std::size_t i = from; i < to; ++i) {
    auto b = read_block(p.added[i], p.blocks[i], max_signature_script, reported);
    if (!b.ok()) {
      return malformed("chain block " + std::string(p.added[i]) + ": " + b.error().context());
    }
    out.push_back(std::move(*b));
  }
  BASALT_TRY(identify(out, reported));
  return out;
}

}  // namespace

std::vector<kaspa::BlockHash> peek_added(std::string_view message) {
  std::vector<kaspa::BlockHash> out;
  WireReader r(message);
  while (!r.done()) {
    auto f = r.next();
    if (!f.ok()) break;
    if (f->number != 2 || f->type != WireType::kLen) continue;
    auto h = core::Hash32::from_hex(f->bytes);
    if (f->bytes.size() != 64 || !h.ok()) break;
    out.emplace_back(*h);
  }
  return out;
}

std::string write_chain_v2(std::span<const kaspa::BlockHash> removed,
                           std::span<const ChainBlockOut> added,
                           const kaspa::BlockHash& pruning_point) {
  WireWriter w;
  w.reserve(estimated_size(removed.size(), added));
  for (const kaspa::BlockHash& h : removed) w.hex(1, h.span());
  for (const ChainBlockOut& b : added) w.hex(2, b.header.hash.span());
  for (const ChainBlockOut& b : added) {
    w.begin(3);
    write_header(w, b.header, pruning_point);
    for (const AcceptedTx& a : b.accepted) write_tx(w, a);
    w.end();
  }
  return w.take();
}

core::Result<ChainRead> read_chain_v2(std::string_view message,
                                      std::uint64_t max_signature_script) {
  Parts p;
  if (Status s = split(message, p); !s.ok()) return malformed(s.error().context());
  if (!p.error.empty()) return Error{ErrorCode::kInvalid, "kaspad: " + std::string(p.error)};
  if (p.added.size() != p.blocks.size()) {
    return malformed(std::to_string(p.added.size()) + " added chain blocks but " +
                     std::to_string(p.blocks.size()) + " with their transactions");
  }
  ChainRead c;
  for (std::string_view h : p.removed) {
    auto hash = hash_field({"removedChainBlockHashes"}, "", h);
    if (!hash.ok()) return malformed(hash.error().context());
    c.removed.emplace_back(*hash);
  }
  // The blocks are read in two halves side by side: reading is most of a follower's work.
  const std::size_t half = p.added.size() >= kBlocksWorthAThread ? p.added.size() / 2 : 0;
  auto first =
      std::async(std::launch::async, [&] { return read_blocks(p, 0, half, max_signature_script); });
  auto second = read_blocks(p, half, p.added.size(), max_signature_script);
  auto front = first.get();
  if (!front.ok()) return front.error();
  if (!second.ok()) return second.error();
  c.added = std::move(*front);
  c.added.insert(c.added.end(), std::make_move_iterator(second->begin()),
                 std::make_move_iterator(second->end()));
  return c;
}

}  // namespace basalt::l1::protowire
