#include "kaspa/sighash.hpp"

#include "core/assert.hpp"
#include "crypto/domain.hpp"

namespace basalt::kaspa {

namespace {

using crypto::Domain;
using crypto::DomainHasher;

std::uint8_t sig_op_count(const TxInput& in) {
  return in.compute_commit.kind == ComputeCommit::Kind::kSigOpCount
             ? static_cast<std::uint8_t>(in.compute_commit.value)
             : 0;
}

void hash_spk(DomainHasher& h, const ScriptPublicKey& spk) {
  h.update_u16_le(spk.version).update_var_bytes(spk.script);
}

void hash_output(DomainHasher& h, const TxOutput& out, std::uint16_t version) {
  h.update_u64_le(out.value);
  hash_spk(h, out.script_public_key);
  if (version < 1) return;
  const std::uint8_t has_covenant = out.covenant ? 1 : 0;
  h.update(core::ByteSpan(&has_covenant, 1));
  if (out.covenant) {
    h.update_u16_le(out.covenant->authorizing_input).update(out.covenant->covenant_id.hash());
  }
}

template <typename F>
Hash32 cached(std::optional<Hash32>& slot, F compute) {
  if (!slot) slot = compute();
  return *slot;
}

}  // namespace

core::Result<SigHashType> SigHashType::from_byte(std::uint8_t b) {
  const std::uint8_t base = b & static_cast<std::uint8_t>(~kAnyoneCanPay);
  if (base != kAll && base != kNone && base != kSingle) {
    return core::Error{core::ErrorCode::kInvalid, "invalid sighash type " + std::to_string(b)};
  }
  return SigHashType(b);
}

Hash32 SighashCache::previous_outputs() {
  return cached(previous_outputs_, [&] {
    DomainHasher h(Domain::kTransactionSigningHash);
    for (const TxInput& in : tx_.inputs) {
      h.update(in.previous_outpoint.transaction_id.hash())
          .update_u32_le(in.previous_outpoint.index);
    }
    return h.finalize();
  });
}

Hash32 SighashCache::sequences() {
  return cached(sequences_, [&] {
    DomainHasher h(Domain::kTransactionSigningHash);
    for (const TxInput& in : tx_.inputs) h.update_u64_le(in.sequence);
    return h.finalize();
  });
}

Hash32 SighashCache::sig_op_counts() {
  return cached(sig_op_counts_, [&] {
    DomainHasher h(Domain::kTransactionSigningHash);
    for (const TxInput& in : tx_.inputs) {
      const std::uint8_t n = sig_op_count(in);
      h.update(core::ByteSpan(&n, 1));
    }
    return h.finalize();
  });
}

Hash32 SighashCache::outputs(SigHashType type, std::uint32_t input_index) {
  if (type.is_none()) return Hash32::zero();
  if (type.is_single()) {
    if (input_index >= tx_.outputs.size()) return Hash32::zero();
    DomainHasher h(Domain::kTransactionSigningHash);
    hash_output(h, tx_.outputs[input_index], tx_.version);
    return h.finalize();
  }
  return cached(outputs_, [&] {
    DomainHasher h(Domain::kTransactionSigningHash);
    for (const TxOutput& out : tx_.outputs) hash_output(h, out, tx_.version);
    return h.finalize();
  });
}

Hash32 SighashCache::payload() {
  if (tx_.subnetwork_id == kNativeLaneId && tx_.payload.empty()) return Hash32::zero();
  return cached(payload_, [&] {
    return DomainHasher(Domain::kTransactionSigningHash).update_var_bytes(tx_.payload).finalize();
  });
}

Hash32 SighashCache::schnorr(std::uint32_t input_index, const UtxoEntry& spent, SigHashType type) {
  BASALT_ASSERT(input_index < tx_.inputs.size());
  const TxInput& in = tx_.inputs[input_index];
  const bool v0 = tx_.version < 1;
  const bool acp = type.anyone_can_pay();
  DomainHasher h(Domain::kTransactionSigningHash);
  h.update_u16_le(tx_.version);
  h.update(acp ? Hash32::zero() : previous_outputs());
  h.update(acp || type.is_single() || type.is_none() ? Hash32::zero() : sequences());
  if (v0) h.update(acp ? Hash32::zero() : sig_op_counts());
  h.update(in.previous_outpoint.transaction_id.hash()).update_u32_le(in.previous_outpoint.index);
  hash_spk(h, spent.script_public_key);
  h.update_u64_le(spent.amount).update_u64_le(in.sequence);
  if (v0) {
    const std::uint8_t n = sig_op_count(in);
    h.update(core::ByteSpan(&n, 1));
  }
  h.update(outputs(type, input_index));
  h.update_u64_le(tx_.lock_time).update(tx_.subnetwork_id.span()).update_u64_le(tx_.gas);
  h.update(payload());
  const std::uint8_t t = type.byte();
  h.update(core::ByteSpan(&t, 1));
  return h.finalize();
}

Hash32 SighashCache::ecdsa(std::uint32_t input_index, const UtxoEntry& spent, SigHashType type) {
  return crypto::domain_hash(Domain::kTransactionSigningHashECDSA,
                             schnorr(input_index, spent, type).span());
}

Hash32 schnorr_sighash(const Transaction& tx, std::uint32_t input_index, const UtxoEntry& spent,
                       SigHashType type) {
  return SighashCache(tx).schnorr(input_index, spent, type);
}

}  // namespace basalt::kaspa
