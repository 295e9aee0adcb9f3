#include <gtest/gtest.h>

#include "kaspa/mass.hpp"
#include "test_util.hpp"

namespace basalt::kaspa {
namespace {

constexpr std::uint64_t kSompiPerKaspa = 100'000'000;

struct Populated {
  Transaction tx;
  std::vector<UtxoEntry> spent;
};

// rusty-kaspa's storage-mass test transactions (consensus/core/src/mass/mod.rs): empty scripts,
// one input per amount, one output per amount.
Populated from_amounts(std::initializer_list<std::uint64_t> ins,
                       std::initializer_list<std::uint64_t> outs) {
  Populated p;
  for (std::uint64_t a : ins) {
    TxInput in;
    in.previous_outpoint.index = static_cast<std::uint32_t>(p.tx.inputs.size());
    p.tx.inputs.push_back(in);
    p.spent.push_back({a, {}, false, std::nullopt});
  }
  for (std::uint64_t a : outs) p.tx.outputs.push_back({a, {}, std::nullopt});
  return p;
}

std::optional<std::uint64_t> storage(const Populated& p) {
  return storage_mass(p.tx, p.spent);
}

TEST(Mass, RustyKaspaStorageMassVectors) {
  constexpr std::uint64_t c = kStorageMassParameter;
  ASSERT_EQ(c, 1'000'000'000'000u);
  Populated p = from_amounts({100, 200, 300}, {300, 300});
  EXPECT_EQ(storage(p), 0u);  // 3 into 2, symmetric, no fee
  p.tx.outputs[0].value = 50;
  p.tx.outputs[1].value = 550;
  EXPECT_EQ(storage(p), c / 50 + c / 550 - 3 * (c / 200));

  const std::uint64_t base = 10'000 * kSompiPerKaspa;
  p = from_amounts({base, base, 2 * base}, {base, base, base, base});
  EXPECT_EQ(storage(p), 4u);  // each output exactly C charges 1; inputs above C credit nothing
  Populated q = p;
  q.tx.outputs[0].value = 10 * kSompiPerKaspa;
  EXPECT_EQ(storage(q), 1003u);
  for (auto& o : p.tx.outputs) o.value += 1;
  p.spent[0].amount += p.tx.outputs.size();
  EXPECT_EQ(storage(p), 0u);

  p = from_amounts({100, 200}, {50, 250});  // 2:2, the relaxed formula
  EXPECT_EQ(storage(p), 9'000'000'000u);
  p.tx.outputs[0].value = 100;
  p.tx.outputs[1].value = 200;
  EXPECT_EQ(storage(p), 0u);
  p.tx.outputs.pop_back();
  p.tx.outputs[0].value = 50;
  EXPECT_EQ(storage(p), 5'000'000'000u);
}

TEST(Mass, PluralityCountsHundredByteCells) {
  EXPECT_EQ(utxo_plurality({0, {}}, false), 1u);
  EXPECT_EQ(utxo_plurality({0, core::Bytes(37, 1)}, false), 1u);  // 63 + 37 = 100
  EXPECT_EQ(utxo_plurality({0, core::Bytes(38, 1)}, false), 2u);
  EXPECT_EQ(utxo_plurality({0, core::Bytes(37, 1)}, true), 2u);  // a covenant id adds 32
  EXPECT_EQ(utxo_plurality({0, core::Bytes(105, 1)}, true), 2u);
  EXPECT_EQ(utxo_plurality({0, core::Bytes(106, 1)}, true), 3u);
}

// rusty-kaspa's plurality test: a UTXO of plurality p weighs like p UTXOs of amount / p each.
TEST(Mass, APluralUtxoWeighsLikeItsCells) {
  Populated one = from_amounts({350, 400}, {300, 200, 200});
  Populated split = from_amounts({350, 400}, {300, 400});
  split.tx.outputs[1].script_public_key.script.assign(38, 1);  // plurality 2: two cells of 200
  EXPECT_EQ(storage(one), storage(split));
  Populated in_one = from_amounts({300, 200, 200}, {200, 200, 200, 100});
  Populated in_split = from_amounts({300, 400}, {200, 200, 200, 100});
  in_split.spent[1].script_public_key.script.assign(38, 1);
  EXPECT_EQ(storage(in_one), storage(in_split));
}

TEST(Mass, ComputeAndTransientMassFollowTheSize) {
  Populated p = from_amounts({1000}, {500});
  p.tx.inputs[0].signature_script.assign(66, 0);
  p.tx.inputs[0].compute_commit = {ComputeCommit::Kind::kSigOpCount, 1};
  p.tx.outputs[0].script_public_key.script.assign(34, 0);
  // 2 + 8 + (32 + 4 + 8 + 66 + 8) + 8 + (8 + 2 + 8 + 34) + 8 + 20 + 8 + 32 + 8 + 0
  EXPECT_EQ(estimated_serialized_size(p.tx), 264u);
  TransactionMass m = non_contextual_mass(p.tx);
  EXPECT_EQ(m.compute, 264 + 10 * 36 + 1000);
  EXPECT_EQ(m.transient, 4 * 264u);
  EXPECT_EQ(fee_mass(m), m.compute);
  // v1: a compute budget instead of a sig-op count, two more bytes per input.
  p.tx.version = 1;
  p.tx.inputs[0].compute_commit = {ComputeCommit::Kind::kComputeBudget, 7};
  m = non_contextual_mass(p.tx);
  EXPECT_EQ(m.compute, 266 + 10 * 36 + 700);
  // A large payload makes the transient dimension the one charged.
  p.tx.payload.assign(10'000, 0);
  m = non_contextual_mass(p.tx);
  EXPECT_EQ(fee_mass(m), m.transient / 2);
  EXPECT_GT(fee_mass(m), m.compute);
  p.tx.subnetwork_id = kCoinbaseLaneId;
  EXPECT_EQ(non_contextual_mass(p.tx).compute, 0u);
}

TEST(Mass, MinimumRelayFeeIsAHundredSompiPerGram) {
  EXPECT_EQ(minimum_relay_fee(1500), 150'000u);
  EXPECT_EQ(minimum_relay_fee(1), 100u);
  EXPECT_EQ(minimum_relay_fee(0), 100'000u);
  EXPECT_EQ(minimum_relay_fee(~std::uint64_t{0}), 29'000'000'000ull * kSompiPerKaspa);
}

}  // namespace
}  // namespace basalt::kaspa
