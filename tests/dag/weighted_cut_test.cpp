// The weighted witness choice against the §2.10 vector and against brute force over every witness
// set on small random DAGs; the frontier is a convex staircase from "execute everything" to "least
// gas".
#include <gtest/gtest.h>

#include <algorithm>

#include "builders.hpp"
#include "dag/weighted_cut.hpp"
#include "test_util.hpp"

namespace basalt::dag {
namespace {

using testing::acc;
using testing::write;

struct FanOut {
  ComputationDag g;
  std::vector<VertexId> created;
  VertexSet known, proven;
  std::vector<std::int64_t> omega, gas;
  std::vector<VertexId> as;
  VertexId f = 0;
};

// w -> {a1..a5} -> f, every witness costs 1, every transaction 10 gas.
FanOut fan_out() {
  FanOut c;
  c.f = write(c.g, 6, {});
  for (std::uint32_t i = 1; i <= 5; ++i) c.as.push_back(write(c.g, i, {6}));
  c.created = {write(c.g, 0, {1, 2, 3, 4, 5})};
  c.proven = VertexSet(c.g.vertex_count());
  c.proven.insert(c.f);
  for (VertexId a : c.as) c.proven.insert(a);
  c.omega.assign(c.g.vertex_count(), 1);
  c.gas.assign(c.g.transaction_count(), 10);
  return c;
}

TEST(WeightedCut, FanOutSwitchesToTheWideCutWhenGasIsDear) {
  FanOut c = fan_out();
  WeightedQuery q{c.created, c.known, c.proven, c.omega, c.gas, {}};
  auto cheap = min_weighted_cut(c.g, q, {1, 100});
  ASSERT_TRUE(cheap.ok());
  EXPECT_TRUE(cheap->witnesses.empty());  // 0.6 to execute all six beats any witness
  EXPECT_EQ(cheap->gas, 60);
  auto dear = min_weighted_cut(c.g, q, {1, 1});
  ASSERT_TRUE(dear.ok());
  std::vector<VertexId> as = c.as;
  std::sort(as.begin(), as.end());
  EXPECT_EQ(dear->witnesses, as);  // 5 < 1 + 50: five witnesses beat {f}
  EXPECT_EQ(dear->gas, 0);
  auto frontier = tradeoff_frontier(c.g, q);
  ASSERT_TRUE(frontier.ok());
  ASSERT_EQ(frontier->size(), 2u);  // (1, 50) for {f} lies above the hull
  EXPECT_EQ(frontier->front().witness_cost, 0);
  EXPECT_EQ(frontier->back().witness_cost, 5);
}

TEST(WeightedCut, UnexecutableDataForcesAWitnessOrRejects) {
  ComputationDag g;
  write(g, 2, {});
  VertexId a = write(g, 1, {2});
  std::vector<VertexId> created = {write(g, 0, {1})};
  VertexSet known, proven(g.vertex_count());
  std::vector<std::int64_t> omega(g.vertex_count(), 7), gas(g.transaction_count(), 1);
  std::vector<TxIndex> below_pruning = {0};  // the writer of account 2's version: payload gone
  proven.insert(a);
  WeightedQuery q{created, known, proven, omega, gas, below_pruning};
  auto cut = min_weighted_cut(g, q, {0, 1});  // even with free gas, a must be witnessed
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->witnesses, std::vector<VertexId>{a});
  VertexSet nothing_proven;
  WeightedQuery stuck{created, known, nothing_proven, omega, gas, below_pruning};
  auto none = min_weighted_cut(g, stuck, {1, 1});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().context().find("inadmissible"), std::string::npos);
}

TEST(WeightedCut, MatchesBruteForceOnSmallDags) {
  test::Rng rng(81);
  for (int trial = 0; trial < 300; ++trial) {
    ComputationDag g;
    const std::uint32_t accounts = 4 + static_cast<std::uint32_t>(rng.below(2));
    const int txs = 4 + static_cast<int>(rng.below(4));
    std::vector<VertexId> created;
    for (int i = 0; i < txs; ++i) {
      std::vector<AccountId> reads, writes;
      for (std::uint32_t a = 0; a < accounts; ++a) {
        if (rng.below(3) == 0) reads.push_back(acc(a));
      }
      if (reads.empty()) reads.push_back(acc(0));
      for (const auto& r : reads) {
        if (rng.coin()) writes.push_back(r);
      }
      if (writes.empty()) writes.push_back(reads.back());
      auto tx = g.add(static_cast<std::uint64_t>(i), reads, writes);
      ASSERT_TRUE(tx.ok());
      if (i == txs - 1) created = g.transaction(*tx).created;
    }
    const std::size_t n = g.vertex_count();
    VertexSet known(n), proven(n);
    std::vector<std::int64_t> omega(n), gas(g.transaction_count());
    for (auto& o : omega) o = 1 + static_cast<std::int64_t>(rng.below(9));
    for (auto& x : gas) x = 1 + static_cast<std::int64_t>(rng.below(9));
    std::vector<VertexId> candidates;
    for (VertexId v = 0; v < n; ++v) {
      bool is_created = std::find(created.begin(), created.end(), v) != created.end();
      if (g.vertex(v).writer == kGenesisWriter || is_created) continue;
      if (rng.below(6) == 0) known.insert(v);
      if (rng.below(3) != 0) {
        proven.insert(v);
        candidates.push_back(v);
      }
    }
    std::vector<TxIndex> unexec;
    for (TxIndex t = 0; t + 1 < g.transaction_count(); ++t) {
      if (rng.below(5) == 0) unexec.push_back(t);
    }
    const Ratio mu{1 + static_cast<std::int64_t>(rng.below(5)),
                   1 + static_cast<std::int64_t>(rng.below(3))};
    ASSERT_LE(candidates.size(), 14u);
    std::int64_t best = -1;
    for (std::uint32_t mask = 0; mask < (1u << candidates.size()); ++mask) {
      VertexSet stop(n);
      std::int64_t w = 0;
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (mask >> i & 1) {
          stop.insert(candidates[i]);
          w += omega[candidates[i]];
        }
      }
      for (VertexId v = 0; v < n; ++v) {
        if (known.contains(v) || g.vertex(v).writer == kGenesisWriter) stop.insert(v);
      }
      auto sc = scope(g, created, stop);
      auto exec = execution_set(g, sc);
      bool feasible = true;
      std::int64_t e = 0;
      for (TxIndex t : exec) {
        feasible &= !std::binary_search(unexec.begin(), unexec.end(), t);
        e += gas[t];
      }
      if (!feasible) continue;
      std::int64_t j = w * mu.den + mu.num * e;
      if (best < 0 || j < best) best = j;
    }
    WeightedQuery q{created, known, proven, omega, gas, unexec};
    auto cut = min_weighted_cut(g, q, mu);
    if (best < 0) {
      ASSERT_FALSE(cut.ok()) << "trial " << trial;
      continue;
    }
    ASSERT_TRUE(cut.ok()) << "trial " << trial;
    EXPECT_EQ(cut->witness_cost * mu.den + mu.num * cut->gas, best) << "trial " << trial;
    auto frontier = tradeoff_frontier(g, q);
    ASSERT_TRUE(frontier.ok());
    for (std::size_t i = 1; i < frontier->size(); ++i) {
      EXPECT_LT((*frontier)[i - 1].witness_cost, (*frontier)[i].witness_cost);
      EXPECT_GT((*frontier)[i - 1].gas, (*frontier)[i].gas);
    }
  }
}

}  // namespace
}  // namespace basalt::dag
