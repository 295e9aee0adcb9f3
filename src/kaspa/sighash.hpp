// Kaspa's signature hash, as kaspad's OpCheckSig computes it for v0 and v1 transactions.
//
//   schnorr_sighash = TransactionSigningHash(
//       le_u16 version || previous_outputs || sequences || [v0: sig_op_counts]
//       || outpoint (txid || le_u32 index) || le_u16 spk_version || var_bytes(spk)
//       || le_u64 amount || le_u64 sequence || [v0: u8 sig_op_count]
//       || outputs || le_u64 lock_time || subnetwork_id || le_u64 gas || payload || u8 hash_type)
//   ecdsa_sighash   = TransactionSigningHashECDSA(schnorr_sighash)
//
// Each of previous_outputs, sequences, sig_op_counts, outputs and payload is TransactionSigningHash
// over the list it names, or 32 zero bytes where the hash type leaves it out:
//   previous_outputs  zero with ANYONECANPAY
//   sequences         zero with ANYONECANPAY, NONE or SINGLE
//   sig_op_counts     zero with ANYONECANPAY; a v1 input (compute budget) counts 0
//   outputs           zero with NONE; with SINGLE only the output at the input's index (zero when
//                     there is none); an output is le_u64 value || spk, and in v1 also
//                     u8 has_covenant || [le_u16 authorizing_input || covenant_id]
//   payload           zero for a native transaction without payload, else var_bytes(payload)
// The per-transaction hashes are computed once per SighashCache, so signing every input of a large
// transaction costs linear, not quadratic, hashing.
#pragma once

#include <cstdint>
#include <optional>

#include "core/result.hpp"
#include "kaspa/transaction.hpp"

namespace basalt::kaspa {

class SigHashType {
 public:
  static constexpr std::uint8_t kAll = 0x01, kNone = 0x02, kSingle = 0x04, kAnyoneCanPay = 0x80;

  // The six values kaspad allows. Errors: kInvalid for any other byte.
  static core::Result<SigHashType> from_byte(std::uint8_t b);
  static constexpr SigHashType all() { return SigHashType(kAll); }

  std::uint8_t byte() const { return value_; }
  bool is_none() const { return (value_ & kMask) == kNone; }
  bool is_single() const { return (value_ & kMask) == kSingle; }
  bool anyone_can_pay() const { return (value_ & kAnyoneCanPay) != 0; }
  bool operator==(const SigHashType&) const = default;

 private:
  static constexpr std::uint8_t kMask = 0x07;
  constexpr explicit SigHashType(std::uint8_t v) : value_(v) {}
  std::uint8_t value_;
};

class SighashCache {
 public:
  // `tx` must outlive the cache and stay unchanged apart from signature scripts.
  explicit SighashCache(const Transaction& tx) : tx_(tx) {}

  // Preconditions (asserted): input_index < tx.inputs.size(). `spent` is that input's UTXO entry.
  Hash32 schnorr(std::uint32_t input_index, const UtxoEntry& spent, SigHashType type);
  Hash32 ecdsa(std::uint32_t input_index, const UtxoEntry& spent, SigHashType type);

 private:
  Hash32 previous_outputs();
  Hash32 sequences();
  Hash32 sig_op_counts();
  Hash32 outputs(SigHashType type, std::uint32_t input_index);
  Hash32 payload();

  const Transaction& tx_;
  std::optional<Hash32> previous_outputs_, sequences_, sig_op_counts_, outputs_, payload_;
};

Hash32 schnorr_sighash(const Transaction& tx, std::uint32_t input_index, const UtxoEntry& spent,
                       SigHashType type);

}  // namespace basalt::kaspa
