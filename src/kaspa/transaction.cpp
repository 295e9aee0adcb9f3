#include "kaspa/transaction.hpp"

#include <string>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "crypto/domain.hpp"
#include "kaspa/limits.hpp"

namespace basalt::kaspa {

using core::Error;
using core::ErrorCode;
using crypto::Domain;

namespace {

void encode_into(const Transaction& tx, TxEncoding enc, core::ByteWriter& w) {
  const bool v1 = tx.version >= kTxVersionToccata;
  const bool with_sigs = enc.sig_scripts == TxEncoding::SigScripts::kInclude;
  const bool with_mass = enc.mass == TxEncoding::Mass::kInclude;
  w.u16_le(tx.version);
  w.u64_le(tx.inputs.size());
  for (const auto& in : tx.inputs) {
    w.hash(in.previous_outpoint.transaction_id.hash());
    w.u32_le(in.previous_outpoint.index);
    if (with_sigs) {
      w.var_bytes(in.signature_script);
      if (!v1) {
        bool is_sigops = in.compute_commit.kind == ComputeCommit::Kind::kSigOpCount;
        w.u8(is_sigops ? static_cast<std::uint8_t>(in.compute_commit.value) : 0);
      }
    } else {
      w.u64_le(0);
    }
    w.u64_le(in.sequence);
    if (v1 && with_mass) {
      bool is_budget = in.compute_commit.kind == ComputeCommit::Kind::kComputeBudget;
      w.u16_le(is_budget ? in.compute_commit.value : 0);
    }
  }
  w.u64_le(tx.outputs.size());
  for (const auto& out : tx.outputs) {
    w.u64_le(out.value);
    w.u16_le(out.script_public_key.version);
    w.var_bytes(out.script_public_key.script);
    if (v1) {
      w.boolean(out.covenant.has_value());
      if (out.covenant) {
        w.u16_le(out.covenant->authorizing_input);
        w.hash(out.covenant->covenant_id.hash());
      }
    }
  }
  w.u64_le(tx.lock_time);
  w.bytes(tx.subnetwork_id.span());
  w.u64_le(tx.gas);
  if (enc.payload == TxEncoding::Payload::kInclude) {
    w.var_bytes(tx.payload);
  } else {
    w.u64_le(0);
  }
  if (with_mass && (v1 || tx.storage_mass > 0)) w.u64_le(tx.storage_mass);
}

constexpr TxEncoding kV1Rest{TxEncoding::SigScripts::kExclude, TxEncoding::Payload::kExclude,
                             TxEncoding::Mass::kExclude};

}  // namespace

core::Bytes encode_transaction(const Transaction& tx, TxEncoding enc) {
  core::ByteWriter w(128 + tx.payload.size());
  encode_into(tx, enc, w);
  return w.take();
}

TxHash tx_hash(const Transaction& tx) {
  return TxHash(crypto::domain_hash(Domain::kTransactionHash, encode_transaction(tx, {})));
}

Hash32 payload_digest(core::ByteSpan payload) {
  return crypto::domain_hash(Domain::kPayloadDigest, payload);
}

core::Bytes v1_rest_preimage(const Transaction& tx) {
  return encode_transaction(tx, kV1Rest);
}

Hash32 v1_rest_digest(const Transaction& tx) {
  return crypto::domain_hash(Domain::kTransactionRest, v1_rest_preimage(tx));
}

core::Bytes v0_id_preimage(const Transaction& tx) {
  return encode_transaction(tx, {TxEncoding::SigScripts::kExclude, TxEncoding::Payload::kInclude,
                                 TxEncoding::Mass::kExclude});
}

TxId tx_id(const Transaction& tx) {
  if (tx.version >= kTxVersionToccata) {
    return TxId(crypto::domain_hash_pair(Domain::kTransactionV1Id, payload_digest(tx.payload),
                                         v1_rest_digest(tx)));
  }
  return TxId(crypto::domain_hash(Domain::kTransactionID, v0_id_preimage(tx)));
}

void tx_ids(std::span<const Transaction* const> txs, TxId* out) {
  std::vector<std::size_t> v1;
  // Every rest preimage in one buffer: ends[k] is where the k-th one ends.
  core::ByteWriter rest(128 * txs.size());
  std::vector<std::size_t> ends;
  std::vector<core::ByteSpan> payloads, rests;
  for (std::size_t i = 0; i < txs.size(); ++i) {
    if (txs[i]->version < kTxVersionToccata) {
      out[i] = tx_id(*txs[i]);
      continue;
    }
    v1.push_back(i);
    encode_into(*txs[i], kV1Rest, rest);
    ends.push_back(rest.data().size());
    payloads.push_back(txs[i]->payload);
  }
  for (std::size_t k = 0; k < ends.size(); ++k) {
    const std::size_t begin = k == 0 ? 0 : ends[k - 1];
    rests.emplace_back(rest.data().data() + begin, ends[k] - begin);
  }
  // Each id hashes its payload digest beside its rest digest: one 64-byte block per transaction.
  static_assert(sizeof(Hash32) == 32);
  std::vector<Hash32> halves(2 * v1.size());
  std::vector<Hash32> digests(v1.size());
  crypto::domain_hash_many(Domain::kPayloadDigest, payloads, digests.data());
  for (std::size_t k = 0; k < v1.size(); ++k) halves[2 * k] = digests[k];
  crypto::domain_hash_many(Domain::kTransactionRest, rests, digests.data());
  for (std::size_t k = 0; k < v1.size(); ++k) halves[2 * k + 1] = digests[k];
  std::vector<const std::uint8_t*> blocks(v1.size());
  for (std::size_t k = 0; k < v1.size(); ++k) blocks[k] = halves[2 * k].data();
  crypto::domain_hash_blocks64(Domain::kTransactionV1Id, blocks, digests.data());
  for (std::size_t k = 0; k < v1.size(); ++k) out[v1[k]] = TxId(digests[k]);
}

core::Bytes serialize_transaction(const Transaction& tx) {
  return encode_transaction(tx, {});
}

namespace {

// Smallest encoded sizes, used to bound counts before anything is reserved.
constexpr std::size_t kMinInputSizeV0 = 32 + 4 + 8 + 1 + 8;
constexpr std::size_t kMinInputSizeV1 = 32 + 4 + 8 + 8 + 2;
constexpr std::size_t kMinOutputSizeV0 = 8 + 2 + 8;
constexpr std::size_t kMinOutputSizeV1 = kMinOutputSizeV0 + 1;

core::Result<TxInput> read_input(core::ByteReader& r, bool v1, std::uint64_t max_sig_script) {
  TxInput in;
  BASALT_ASSIGN_OR_RETURN(auto txid, r.read_hash32("input.previous_outpoint.transaction_id"));
  BASALT_ASSIGN_OR_RETURN(auto index, r.read_u32_le("input.previous_outpoint.index"));
  BASALT_ASSIGN_OR_RETURN(auto sig, r.read_var_bytes(max_sig_script, "input.signature_script"));
  in.previous_outpoint = {TxId(txid), index};
  in.signature_script.assign(sig.begin(), sig.end());
  if (!v1) {
    BASALT_ASSIGN_OR_RETURN(auto sigops, r.read_u8("input.sig_op_count"));
    in.compute_commit = {ComputeCommit::Kind::kSigOpCount, sigops};
  }
  BASALT_ASSIGN_OR_RETURN(auto sequence, r.read_u64_le("input.sequence"));
  in.sequence = sequence;
  if (v1) {
    BASALT_ASSIGN_OR_RETURN(auto budget, r.read_u16_le("input.compute_budget"));
    in.compute_commit = {ComputeCommit::Kind::kComputeBudget, budget};
  }
  return in;
}

core::Result<TxOutput> read_output(core::ByteReader& r, bool v1) {
  TxOutput out;
  BASALT_ASSIGN_OR_RETURN(auto value, r.read_u64_le("output.value"));
  BASALT_ASSIGN_OR_RETURN(auto spk_version, r.read_u16_le("output.script_public_key.version"));
  BASALT_ASSIGN_OR_RETURN(
      auto spk, r.read_var_bytes(kMaxScriptPublicKeyLen, "output.script_public_key.script"));
  out.value = value;
  out.script_public_key.version = spk_version;
  out.script_public_key.script.assign(spk.begin(), spk.end());
  if (v1) {
    BASALT_ASSIGN_OR_RETURN(auto has_covenant, r.read_bool("output.has_covenant"));
    if (has_covenant) {
      BASALT_ASSIGN_OR_RETURN(auto auth, r.read_u16_le("output.covenant.authorizing_input"));
      BASALT_ASSIGN_OR_RETURN(auto id, r.read_hash32("output.covenant.covenant_id"));
      out.covenant = CovenantBinding{auth, CovenantId(id)};
    }
  }
  return out;
}

}  // namespace

core::Result<Transaction> deserialize_transaction(core::ByteSpan bytes,
                                                  std::uint64_t max_signature_script) {
  core::ByteReader r(bytes);
  Transaction tx;
  BASALT_ASSIGN_OR_RETURN(auto version, r.read_u16_le("version"));
  if (version > kTxVersionToccata) return Error{ErrorCode::kUnknownTag, "version"};
  tx.version = version;
  const bool v1 = version == kTxVersionToccata;

  BASALT_ASSIGN_OR_RETURN(
      auto n_in,
      r.read_count(kMaxTxInputs, v1 ? kMinInputSizeV1 : kMinInputSizeV0, "inputs.count"));
  tx.inputs.reserve(n_in);
  for (std::uint64_t i = 0; i < n_in; ++i) {
    BASALT_ASSIGN_OR_RETURN(auto in, read_input(r, v1, max_signature_script));
    tx.inputs.push_back(std::move(in));
  }
  BASALT_ASSIGN_OR_RETURN(
      auto n_out,
      r.read_count(kMaxTxOutputs, v1 ? kMinOutputSizeV1 : kMinOutputSizeV0, "outputs.count"));
  tx.outputs.reserve(n_out);
  for (std::uint64_t i = 0; i < n_out; ++i) {
    BASALT_ASSIGN_OR_RETURN(auto out, read_output(r, v1));
    tx.outputs.push_back(std::move(out));
  }
  BASALT_ASSIGN_OR_RETURN(auto lock_time, r.read_u64_le("lock_time"));
  BASALT_ASSIGN_OR_RETURN(auto subnet, r.read_bytes(LaneId::kSize, "subnetwork_id"));
  BASALT_ASSIGN_OR_RETURN(auto gas, r.read_u64_le("gas"));
  BASALT_ASSIGN_OR_RETURN(auto payload, r.read_var_bytes(kMaxPayloadLen, "payload"));
  tx.lock_time = lock_time;
  for (std::size_t i = 0; i < LaneId::kSize; ++i) tx.subnetwork_id.bytes[i] = subnet[i];
  tx.gas = gas;
  tx.payload.assign(payload.begin(), payload.end());
  // v1 always carries the storage mass; v0 carries it only when it is non-zero, so a v0 encoding
  // with an explicit zero mass is a second encoding of the same transaction and is rejected.
  if (v1 || r.remaining() > 0) {
    BASALT_ASSIGN_OR_RETURN(auto mass, r.read_u64_le("storage_mass"));
    if (!v1 && mass == 0)
      return Error{ErrorCode::kNonCanonical, "storage_mass: v0 zero mass is omitted"};
    tx.storage_mass = mass;
  }
  BASALT_TRY(r.expect_end("transaction"));
  return tx;
}

core::Status check_transaction_in_isolation(const Transaction& tx) {
  if (tx.version > kTxVersionToccata) return Error{ErrorCode::kInvalid, "UnknownTxVersion"};
  const bool v1 = tx.version == kTxVersionToccata;
  for (const auto& in : tx.inputs) {
    if (v1 && in.compute_commit.kind == ComputeCommit::Kind::kSigOpCount) {
      return Error{ErrorCode::kInvalid, "SigopCountInV1"};
    }
    if (!v1 && in.compute_commit.kind == ComputeCommit::Kind::kComputeBudget) {
      return Error{ErrorCode::kInvalid, "ComputeBudgetInV0"};
    }
    if (!v1 && in.compute_commit.value > 0xff)
      return Error{ErrorCode::kInvalid, "sig_op_count over u8"};
  }
  for (const auto& out : tx.outputs) {
    if (!v1 && out.covenant) return Error{ErrorCode::kInvalid, "covenant in v0 transaction"};
  }
  LaneKind kind = lane_kind(tx.subnetwork_id);
  if (kind == LaneKind::kReserved || kind == LaneKind::kInvalid) {
    return Error{ErrorCode::kInvalid, "SubnetworksDisabled"};
  }
  if (kind == LaneKind::kUser && !v1) return Error{ErrorCode::kInvalid, "user lane requires v1"};
  if (tx.gas > 0 && !(v1 && kind == LaneKind::kUser)) {
    return Error{ErrorCode::kInvalid, "gas only allowed on v1 user lanes"};
  }
  if (tx.gas > kMaxTxGas) return Error{ErrorCode::kInvalid, "gas over limit"};
  return core::Status::Ok();
}

}  // namespace basalt::kaspa
