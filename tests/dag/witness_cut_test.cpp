// The computation DAG, scopes and minimum witness cuts: the §2.10 test vectors, brute force over
// every candidate cut on small random DAGs, and the scope properties S1 (monotone in witnesses) and
// S2 (a cut's scope stays inside the original scope plus the cut).
#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include <algorithm>

#include "builders.hpp"
#include "dag/witness_cut.hpp"
#include "test_util.hpp"

namespace basalt::dag {
namespace {

using testing::acc;
using testing::write;

VertexSet genesis_vertices(const ComputationDag& g) {
  VertexSet k(g.vertex_count());
  for (VertexId v = 0; v < g.vertex_count(); ++v) {
    if (g.vertex(v).writer == kGenesisWriter) k.insert(v);
  }
  return k;
}

TEST(Dag, TransactionRules) {
  ComputationDag g;
  EXPECT_FALSE(g.add(0, {acc(1)}, {acc(2)}).ok());    // T1: a write must be read
  EXPECT_FALSE(g.add(0, {acc(2), acc(1)}, {}).ok());  // not ascending
  EXPECT_FALSE(g.add(0, {acc(1), acc(1)}, {}).ok());  // duplicate
  ASSERT_TRUE(g.add(5, {acc(1)}, {acc(1)}).ok());
  EXPECT_FALSE(g.add(4, {acc(1)}, {acc(1)}).ok());  // round goes backwards
  // Arcs go from the created vertex to the latest version of each read account.
  VertexId v1 = g.transaction(0).created[0];
  auto tx = g.add(6, {acc(1), acc(2)}, {acc(2)});
  VertexId v2 = g.transaction(*tx).created[0];
  auto deps = g.depends_on(v2);
  EXPECT_NE(std::find(deps.begin(), deps.end(), v1), deps.end());
  EXPECT_EQ(g.vertex(v2).round, 6u);
  EXPECT_EQ(g.vertex(v2).writer, *tx);
}

// §2.10: chain w -> a -> b -> f, Y = {a, b, f}, F_x = {f}: the min cut is {a}, with an empty scope.
TEST(WitnessCut, ChainVector) {
  ComputationDag g;
  VertexId f = write(g, 3, {});
  VertexId b = write(g, 2, {3});
  VertexId a = write(g, 1, {2});
  VertexId w = write(g, 0, {1});
  VertexSet known = genesis_vertices(g), witnesses(g.vertex_count()), proven(g.vertex_count());
  witnesses.insert(f);
  for (VertexId v : {a, b, f}) proven.insert(v);
  std::vector<VertexId> created = {w};
  auto cut = min_witness_cut(g, {created, witnesses, known, proven});
  ASSERT_TRUE(cut.ok()) << cut.error().to_string();
  EXPECT_EQ(cut->cut, std::vector<VertexId>{a});
  EXPECT_TRUE(cut->scope.empty());
  // With the original witness f, the scope is {a, b}.
  VertexSet stop = known;
  stop.insert(f);
  std::vector<VertexId> ab = {a, b};
  std::sort(ab.begin(), ab.end());
  EXPECT_EQ(scope(g, created, stop), ab);
}

// §2.10: fan-out w -> {a1..a5} -> f: the min width is 1 ({f}) and the scope is {a1..a5}.
TEST(WitnessCut, FanOutVector) {
  ComputationDag g;
  VertexId f = write(g, 6, {});
  std::vector<VertexId> as;
  for (std::uint32_t i = 1; i <= 5; ++i) as.push_back(write(g, i, {6}));
  VertexId w = write(g, 0, {1, 2, 3, 4, 5});
  VertexSet known = genesis_vertices(g), witnesses(g.vertex_count()), proven(g.vertex_count());
  witnesses.insert(f);
  proven.insert(f);
  for (VertexId v : as) proven.insert(v);
  std::vector<VertexId> created = {w};
  auto cut = min_witness_cut(g, {created, witnesses, known, proven});
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->cut, std::vector<VertexId>{f});
  std::vector<VertexId> sorted_as = as;
  std::sort(sorted_as.begin(), sorted_as.end());
  EXPECT_EQ(cut->scope, sorted_as);
  EXPECT_EQ(execution_set(g, cut->scope).size(), 5u);
}

// §2.10: when nothing on the path can be witnessed, the transaction is inadmissible.
TEST(WitnessCut, NoCutInsideTheProvenSetIsInadmissible) {
  ComputationDag g;
  VertexId f = write(g, 2, {});
  write(g, 1, {2});
  VertexId w = write(g, 0, {1});
  VertexSet known = genesis_vertices(g), witnesses(g.vertex_count()), proven(g.vertex_count());
  witnesses.insert(f);
  std::vector<VertexId> created = {w};
  auto cut = min_witness_cut(g, {created, witnesses, known, proven});
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().context().find("inadmissible"), std::string::npos);
}

struct RandomCase {
  ComputationDag g;
  std::vector<VertexId> created;
  VertexSet witnesses, known, proven;
};

RandomCase random_case(test::Rng& rng) {
  RandomCase c;
  const std::uint32_t accounts = 4 + static_cast<std::uint32_t>(rng.below(3));
  const int txs = 5 + static_cast<int>(rng.below(5));
  for (int i = 0; i < txs; ++i) {
    std::vector<AccountId> reads, writes;
    for (std::uint32_t a = 0; a < accounts; ++a) {
      if (rng.below(3) == 0) reads.push_back(acc(a));
    }
    if (reads.empty()) reads.push_back(acc(static_cast<std::uint32_t>(rng.below(accounts))));
    for (const auto& r : reads) {
      if (rng.coin()) writes.push_back(r);
    }
    if (writes.empty()) writes.push_back(reads.front());
    auto tx = c.g.add(static_cast<std::uint64_t>(i), reads, writes);
    EXPECT_TRUE(tx.ok());
    if (i == txs - 1) c.created = c.g.transaction(*tx).created;
  }
  const std::size_t n = c.g.vertex_count();
  c.witnesses = VertexSet(n);
  c.known = genesis_vertices(c.g);
  c.proven = VertexSet(n);
  for (VertexId v = 0; v < n; ++v) {
    if (std::find(c.created.begin(), c.created.end(), v) != c.created.end()) continue;
    if (rng.below(4) == 0) c.witnesses.insert(v);
    if (rng.below(3) != 0) c.proven.insert(v);
    if (rng.below(8) == 0) c.known.insert(v);
  }
  return c;
}

TEST(WitnessCut, MatchesBruteForceOnSmallDags) {
  test::Rng rng(61);
  int feasible = 0, infeasible = 0;
  for (int trial = 0; trial < 400; ++trial) {
    RandomCase c = random_case(rng);
    CutQuery q{c.created, c.witnesses, c.known, c.proven};
    std::vector<VertexId> candidates;
    for (VertexId v = 0; v < c.g.vertex_count(); ++v) {
      if (c.proven.contains(v) &&
          std::find(c.created.begin(), c.created.end(), v) == c.created.end()) {
        candidates.push_back(v);
      }
    }
    ASSERT_LE(candidates.size(), 16u);
    int best = -1;
    std::size_t best_scope = SIZE_MAX;
    for (std::uint32_t mask = 0; mask < (1u << candidates.size()); ++mask) {
      VertexSet set(c.g.vertex_count());
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (mask >> i & 1) set.insert(candidates[i]);
      }
      if (!covers(c.g, q, set)) continue;
      const int size = std::popcount(mask);
      VertexSet stop = set;
      for (VertexId v = 0; v < c.g.vertex_count(); ++v) {
        if (c.known.contains(v)) stop.insert(v);
      }
      const std::size_t sc = scope(c.g, c.created, stop).size();
      if (best < 0 || size < best || (size == best && sc < best_scope)) {
        best = size;
        best_scope = sc;
      }
    }
    auto cut = min_witness_cut(c.g, q);
    if (best < 0) {
      ASSERT_FALSE(cut.ok()) << "trial " << trial
                             << ": no covering cut exists, yet one was returned";
      ++infeasible;
      continue;
    }
    ASSERT_TRUE(cut.ok()) << "trial " << trial;
    ++feasible;
    VertexSet chosen(c.g.vertex_count());
    for (VertexId v : cut->cut) chosen.insert(v);
    EXPECT_TRUE(covers(c.g, q, chosen)) << "trial " << trial;
    EXPECT_EQ(static_cast<int>(cut->cut.size()), best) << "trial " << trial;
    EXPECT_EQ(cut->scope.size(), best_scope)
        << "trial " << trial << ": not the scope-minimal minimum cut";
  }
  EXPECT_GT(feasible, 100);
  EXPECT_GT(infeasible, 10);
}

TEST(Scope, MonotoneInWitnessesAndCutsStayInside) {
  test::Rng rng(62);
  for (int trial = 0; trial < 2000; ++trial) {
    RandomCase c = random_case(rng);
    const std::size_t n = c.g.vertex_count();
    VertexSet stop_f = c.known, stop_more = c.known;
    for (VertexId v = 0; v < n; ++v) {
      if (c.witnesses.contains(v)) {
        stop_f.insert(v);
        stop_more.insert(v);
      } else if (rng.below(5) == 0) {
        stop_more.insert(v);
      }
    }
    auto base = scope(c.g, c.created, stop_f);
    auto smaller = scope(c.g, c.created, stop_more);
    // S1: more witnesses, smaller (or equal) scope.
    for (VertexId v : smaller)
      ASSERT_TRUE(std::binary_search(base.begin(), base.end(), v)) << "S1, trial " << trial;
    // S2: a covering cut C ⊆ Y has scope(C) ⊆ scope(F) ∪ C and C ∩ scope(C) = ∅.
    auto cut = min_witness_cut(c.g, {c.created, c.witnesses, c.known, c.proven});
    if (!cut.ok()) continue;
    for (VertexId v : cut->scope) {
      const bool in_base = std::binary_search(base.begin(), base.end(), v);
      const bool in_cut = std::binary_search(cut->cut.begin(), cut->cut.end(), v);
      ASSERT_TRUE(in_base || in_cut) << "S2, trial " << trial;
      ASSERT_FALSE(in_cut) << "S2 (C and its scope are disjoint), trial " << trial;
    }
  }
}

// R5, substitution soundness: a toy deterministic execution (each vertex's value mixes its
// writer, its account and the values it read) run from the witnesses C and the known data K alone,
// re-executing only the writers in scope(C ∪ K), reproduces the created vertices' values of a full
// execution; every vertex it recomputes lies in that scope; and scope(C ∪ K) ⊆ scope(K).
TEST(Scope, SubstitutingWitnessesKeepsOutputsAndShrinksTheScope) {
  test::Rng rng(63);
  auto mix = [](std::uint64_t h, std::uint64_t x) {
    h ^= x + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return h * 0xBF58476D1CE4E5B9ull;
  };
  int checked = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    RandomCase c = random_case(rng);
    const std::size_t n = c.g.vertex_count();
    std::vector<std::uint64_t> truth(n);
    for (VertexId v = 0; v < n; ++v) {  // ids are in creation order: inputs come first
      const Vertex& x = c.g.vertex(v);
      std::uint64_t h = mix(x.account.v, x.writer);
      for (VertexId u : c.g.depends_on(v)) h = mix(h, truth[u]);
      truth[v] = h;
    }
    auto cut = min_witness_cut(c.g, {c.created, c.witnesses, c.known, c.proven});
    const std::vector<VertexId> witnesses = cut.ok() ? cut->cut : c.witnesses.members();
    VertexSet stop = c.known;
    for (VertexId v : witnesses) stop.insert(v);
    const auto sc = scope(c.g, c.created, stop);
    const auto exec = execution_set(c.g, sc);
    // Re-execution from the given data only.
    std::vector<std::optional<std::uint64_t>> memo(n);
    std::function<std::uint64_t(VertexId)> eval = [&](VertexId v) -> std::uint64_t {
      if (stop.contains(v)) return truth[v];  // supplied: a witness or known data
      if (memo[v]) return *memo[v];
      const bool created = std::find(c.created.begin(), c.created.end(), v) != c.created.end();
      if (!created) {
        EXPECT_TRUE(std::binary_search(sc.begin(), sc.end(), v))
            << "R5: outside the scope, trial " << trial;
        EXPECT_TRUE(std::binary_search(exec.begin(), exec.end(), c.g.vertex(v).writer))
            << "R5: writer not in the execution set, trial " << trial;
      }
      const Vertex& x = c.g.vertex(v);
      std::uint64_t h = mix(x.account.v, x.writer);
      for (VertexId u : c.g.depends_on(v)) h = mix(h, eval(u));
      memo[v] = h;
      return h;
    };
    for (VertexId w : c.created)
      ASSERT_EQ(eval(w), truth[w]) << "R5: outputs differ, trial " << trial;
    const auto without = scope(c.g, c.created, c.known);
    for (VertexId v : sc) {
      ASSERT_TRUE(std::binary_search(without.begin(), without.end(), v))
          << "R5: scope grew, trial " << trial;
    }
    checked += !witnesses.empty();
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace
}  // namespace basalt::dag
