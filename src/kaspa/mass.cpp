#include "kaspa/mass.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace basalt::kaspa {

namespace {

using U128 = unsigned __int128;
constexpr std::uint64_t kHashSize = 32;
constexpr U128 kU64Max = ~std::uint64_t{0};
constexpr std::uint64_t kMaxSompi = 29'000'000'000ull * 100'000'000ull;

bool is_coinbase(const Transaction& tx) {
  return tx.subnetwork_id == kCoinbaseLaneId;
}

std::uint64_t input_size(const TxInput& in, std::uint16_t version) {
  return kHashSize + 4 + 8 + in.signature_script.size() + 8 + (version >= 1 ? 2 : 0);
}

std::uint64_t output_size(const TxOutput& out) {
  return 8 + 2 + 8 + out.script_public_key.script.size() + (out.covenant ? 2 + kHashSize : 0);
}

struct Cell {
  std::uint64_t plurality;
  std::uint64_t amount;
};

}  // namespace

std::uint64_t estimated_serialized_size(const Transaction& tx) {
  std::uint64_t size = 2 + 8 + 8 + 8 + LaneId::kSize + 8 + kHashSize + 8 + tx.payload.size();
  for (const TxInput& in : tx.inputs) size += input_size(in, tx.version);
  for (const TxOutput& out : tx.outputs) size += output_size(out);
  return size;
}

std::uint64_t utxo_plurality(const ScriptPublicKey& spk, bool has_covenant) {
  // outpoint (32 + 4), amount 8, DAA score 8, coinbase flag 1, spk version 2, spk length 8.
  constexpr std::uint64_t kConstantBytes = 63, kCellBytes = 100;
  const std::uint64_t bytes = kConstantBytes + spk.script.size() + (has_covenant ? kHashSize : 0);
  return (bytes + kCellBytes - 1) / kCellBytes;
}

TransactionMass non_contextual_mass(const Transaction& tx) {
  if (is_coinbase(tx)) return {0, 0, std::nullopt};
  const std::uint64_t size = estimated_serialized_size(tx);
  std::uint64_t spk_bytes = 0;
  for (const TxOutput& out : tx.outputs) spk_bytes += 2 + out.script_public_key.script.size();
  std::uint64_t script = 0;
  for (const TxInput& in : tx.inputs) {
    // The kind always fits the version in a transaction that passed check_transaction_in_isolation.
    script += in.compute_commit.kind == ComputeCommit::Kind::kComputeBudget
                  ? kGramsPerComputeBudgetUnit * in.compute_commit.value
                  : kGramsPerSigOp * in.compute_commit.value;
  }
  return {size * kMassPerTxByte + spk_bytes * kMassPerScriptPubKeyByte + script,
          size * kTransientByteToMassFactor, std::nullopt};
}

std::optional<std::uint64_t> storage_mass(const Transaction& tx, std::span<const UtxoEntry> spent) {
  if (is_coinbase(tx)) return 0;
  BASALT_ASSERT(spent.size() == tx.inputs.size() && !spent.empty());
  std::vector<Cell> ins;
  for (const UtxoEntry& e : spent) {
    BASALT_ASSERT(e.amount > 0);
    ins.push_back({utxo_plurality(e.script_public_key, e.covenant_id.has_value()), e.amount});
  }
  // Each UTXO counts as p cells of amount / p: it adds C · p² / amount to its side's harmonic sum.
  // As kaspad, an overflow of C · p² makes the mass incomputable; it cannot happen for scripts
  // within kMaxScriptPublicKeyLen.
  const auto harmonic_term = [](std::uint64_t p, std::uint64_t amount) -> std::optional<U128> {
    const U128 cpp = U128{kStorageMassParameter} * p * p;
    if (cpp > kU64Max) return std::nullopt;
    return cpp / amount;
  };
  std::uint64_t outs_plurality = 0;
  U128 harmonic_outs = 0;
  for (const TxOutput& out : tx.outputs) {
    BASALT_ASSERT(out.value > 0);
    const std::uint64_t p = utxo_plurality(out.script_public_key, out.covenant.has_value());
    outs_plurality += p;
    const auto term = harmonic_term(p, out.value);
    if (!term) return std::nullopt;
    harmonic_outs += *term;
    if (harmonic_outs > kU64Max) return std::nullopt;
  }
  std::uint64_t ins_plurality = 0;
  U128 ins_sum = 0, harmonic_ins = 0;
  for (const Cell& in : ins) {
    ins_plurality += in.plurality;
    ins_sum += in.amount;
    const auto term = harmonic_term(in.plurality, in.amount);
    harmonic_ins = term ? std::min(harmonic_ins + *term, kU64Max) : kU64Max;
  }
  // KIP-9's relaxed formula (harmonic means on both sides) where it is safe.
  const bool relaxed =
      outs_plurality == 1 || ins_plurality == 1 || (outs_plurality == 2 && ins_plurality == 2);
  const U128 credit =
      relaxed ? harmonic_ins
              : std::min<U128>(U128{ins_plurality} * (kStorageMassParameter /
                                                      std::max<U128>(ins_sum / ins_plurality, 1)),
                               kU64Max);
  return static_cast<std::uint64_t>(harmonic_outs > credit ? harmonic_outs - credit : 0);
}

TransactionMass transaction_mass(const Transaction& tx, std::span<const UtxoEntry> spent) {
  TransactionMass m = non_contextual_mass(tx);
  m.storage = storage_mass(tx, spent);
  return m;
}

std::uint64_t fee_mass(const TransactionMass& m) {
  const std::uint64_t transient =
      (m.transient * kBlockComputeMassLimit + kBlockTransientMassLimit - 1) /
      kBlockTransientMassLimit;
  return std::max(m.compute, transient);
}

std::uint64_t minimum_relay_fee(std::uint64_t fee_mass) {
  const U128 fee = U128{fee_mass} * kMinimumRelayFeePerKilogram / 1000;
  if (fee == 0) return kMinimumRelayFeePerKilogram;
  return static_cast<std::uint64_t>(std::min<U128>(fee, kMaxSompi));
}

std::uint64_t minimum_fee(const Transaction& tx) {
  return minimum_relay_fee(fee_mass(non_contextual_mass(tx)));
}

}  // namespace basalt::kaspa
