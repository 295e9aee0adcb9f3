// Kaspa's transaction mass and minimum relay fee, with the parameters every Kaspa network uses.
//
//   size           = 2 + 8 + Σ inputs (32 + 4 + 8 + |signature script| + 8 + [v1: 2])
//                    + 8 + Σ outputs (8 + 2 + 8 + |spk| + [covenant: 2 + 32])
//                    + 8 + 20 + 8 + 32 + 8 + |payload|
//   compute mass   = size + 10 · Σ outputs (2 + |spk|)
//                    + v0: 1000 · Σ sig-op counts;  v1: 100 · Σ compute budgets
//   transient mass = 4 · size
//   storage mass   = KIP-9, generalised: C = 10^12; each UTXO counts as p = ceil((63 + |spk| +
//                    [covenant: 32]) / 100) cells of amount/p; relaxed harmonic formula when
//                    |O| = 1, |I| = 1 or |O| = |I| = 2, else the arithmetic mean of the inputs
//   fee mass       = max(compute, ceil(transient · 500 000 / 1 000 000))   (transient normalised
//                    to the compute limit; storage mass carries no relay fee)
//   minimum fee    = fee mass · 100 000 / 1000 sompi (100 sompi per gram), at least 100 000
// A coinbase transaction has no mass.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "kaspa/transaction.hpp"

namespace basalt::kaspa {

inline constexpr std::uint64_t kMassPerTxByte = 1;
inline constexpr std::uint64_t kMassPerScriptPubKeyByte = 10;
inline constexpr std::uint64_t kGramsPerSigOp = 1000;
inline constexpr std::uint64_t kGramsPerComputeBudgetUnit = 100;
inline constexpr std::uint64_t kTransientByteToMassFactor = 4;
inline constexpr std::uint64_t kStorageMassParameter = 100'000'000ull * 10'000;
// Per-block limits of each dimension; a transaction's mass counts against them too.
inline constexpr std::uint64_t kBlockComputeMassLimit = 500'000;
inline constexpr std::uint64_t kBlockStorageMassLimit = 500'000;
inline constexpr std::uint64_t kBlockTransientMassLimit = 1'000'000;
// kaspad's default minimum relay fee, in sompi per 1000 grams.
inline constexpr std::uint64_t kMinimumRelayFeePerKilogram = 100'000;

struct TransactionMass {
  std::uint64_t compute = 0;
  std::uint64_t transient = 0;
  // Needs the spent outputs; nullopt when not computed or incomputable (too high).
  std::optional<std::uint64_t> storage;
};

std::uint64_t estimated_serialized_size(const Transaction& tx);
// How many 100-byte storage cells an output with this script occupies.
std::uint64_t utxo_plurality(const ScriptPublicKey& spk, bool has_covenant);

// Compute and transient mass (no storage).
TransactionMass non_contextual_mass(const Transaction& tx);
// All three. `spent[i]` is the output input i spends. Preconditions (asserted): one entry per
// input; every amount and output value is non-zero (Kaspa checks that before mass).
TransactionMass transaction_mass(const Transaction& tx, std::span<const UtxoEntry> spent);
std::optional<std::uint64_t> storage_mass(const Transaction& tx, std::span<const UtxoEntry> spent);

// The mass the minimum relay fee is charged on.
std::uint64_t fee_mass(const TransactionMass& m);
// The least fee kaspad relays a transaction of this fee mass for.
std::uint64_t minimum_relay_fee(std::uint64_t fee_mass);
// minimum_relay_fee(fee_mass(non_contextual_mass(tx))). Output values do not change the mass, so
// a transaction built with any fee (0, say) prices the same transaction with its real fee.
std::uint64_t minimum_fee(const Transaction& tx);

}  // namespace basalt::kaspa
