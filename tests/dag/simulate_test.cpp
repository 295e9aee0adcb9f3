#include <gtest/gtest.h>

#include "dag/simulate.hpp"

namespace basalt::dag {
namespace {

SimulationParams small() {
  SimulationParams p;
  p.rounds = 1200;
  p.window = 200;
  p.pruning_depth = 600;
  p.delta = 100;
  p.proof_interval = 20;
  p.tx_per_round = 10;
  return p;
}

TEST(DagSimulation, IsDeterministic) {
  auto a = simulate(small());
  auto b = simulate(small());
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].stored, b[i].stored);
    EXPECT_EQ(a[i].accepted, b[i].accepted);
    EXPECT_EQ(a[i].scope_sum, b[i].scope_sum);
  }
}

// Storage stays bounded under Δ (it stops growing once proofs cover rounds Δ back), and is below
// what the pruning point alone keeps.
TEST(DagSimulation, DeltaBoundsStorage) {
  SimulationParams with = small();
  SimulationParams without = small();
  without.delta.reset();
  without.gamma.reset();
  auto a = simulate(with);
  auto b = simulate(without);
  ASSERT_EQ(a.size(), 6u);
  EXPECT_LT(a.back().stored, b.back().stored);
  // Bounded: the last three windows store about the same number of vertices.
  for (std::size_t i = a.size() - 3; i < a.size(); ++i) {
    EXPECT_LT(a[i].stored, a[a.size() - 3].stored * 6 / 5) << "window " << i;
    EXPECT_GT(a[i].stored, a[a.size() - 3].stored * 4 / 5) << "window " << i;
  }
  EXPECT_GT(a.back().discarded, 0u);
  std::uint64_t accepted = 0;
  for (const auto& w : a) {
    accepted += w.accepted;
    // Proofs every 20 rounds, Δ = 100: the newest proven ancestor a builder witnesses is never
    // discarded, so discarding never makes a transaction inadmissible.
    EXPECT_EQ(w.rejected_discarded, 0u);
  }
  EXPECT_GT(accepted, 10'000u);
}

}  // namespace
}  // namespace basalt::dag
