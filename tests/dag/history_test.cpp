// The discard rules R2 (pruning point, Δ, Γ), sticky availability and admissibility R1/R4, on the
// worked examples of shared/spec/computation-dag-and-da.md §2.7 as corrected there, and on random
// interleavings.
#include <gtest/gtest.h>

#include "dag/history.hpp"
#include "test_util.hpp"

namespace basalt::dag {
namespace {

AccountId acc(std::uint32_t v) {
  return AccountId{v};
}
const ProgramId kP1{1}, kP2{2};

// A history with two vProgs: p1 owns accounts 1..3, p2 owns 10..12.
History make(DiscardParams params) {
  History h(params);
  EXPECT_TRUE(h.add_program(kP1, {acc(1), acc(2), acc(3)}).ok());
  EXPECT_TRUE(h.add_program(kP2, {acc(10), acc(11), acc(12)}).ok());
  return h;
}

VertexId write_at(History& h, std::uint64_t round, std::uint32_t a) {
  h.advance(round, h.pruning_point_round());
  auto tx = h.accept({acc(a)}, {acc(a)});
  EXPECT_TRUE(tx.ok());
  return h.dag().transaction(*tx).created[0];
}

TEST(History, OwnershipIsExclusive) {
  History h = make({});
  EXPECT_FALSE(h.add_program(ProgramId{3}, {acc(2)}).ok());
  EXPECT_EQ(h.owner(acc(11))->v, 2u);
  EXPECT_FALSE(h.owner(acc(99)).has_value());
}

// Example 2 as corrected: a vertex 600 rounds old is discarded only once a proof covers operations
// more than Δ rounds after it.
TEST(History, DeltaDiscardsOnlyWhenAProofCoversMoreThanDeltaLater) {
  History h = make({500, std::nullopt});
  VertexId old = write_at(h, 100, 1);
  write_at(h, 700, 2);              // now is 700: the vertex is 600 rounds old
  h.add_finalized_proof(kP1, 550);  // T' - Δ = 50: 100 < 50 is false
  h.advance(700, 0);
  EXPECT_TRUE(h.available(old));
  h.add_finalized_proof(kP1, 601);  // T' - Δ = 101: 100 < 101
  h.advance(701, 0);
  EXPECT_FALSE(h.available(old));
}

// Example 3 as corrected: 400 rounds back with a proof 10 rounds ago gives no discard under Δ =
// 500, so Γ never comes into play.
TEST(History, RecentProofOfARecentVertexDiscardsNothing) {
  History h = make({500, 50});
  VertexId v = write_at(h, 1000, 1);
  write_at(h, 1400, 2);
  h.add_finalized_proof(kP1, 1390);
  h.advance(1400, 0);
  EXPECT_TRUE(h.available(v));
}

// Γ: a vertex read recently is kept for Γ rounds; the read takes effect from the next round (A4).
TEST(History, GammaDelaysTheDiscardOfARecentlyReadVertex) {
  History h = make({10, 5});
  VertexId v = write_at(h, 1, 1);
  h.advance(30, 0);
  ASSERT_TRUE(h.accept({acc(1), acc(2)}, {acc(2)}).ok());  // reads v at round 30
  h.add_finalized_proof(kP1, 40);                          // T' - Δ = 30 > 1
  h.advance(31, 0);
  EXPECT_TRUE(h.available(v)) << "read at 30, protected while 30 >= R - 5";
  h.advance(35, 0);
  EXPECT_TRUE(h.available(v));
  h.advance(36, 0);
  EXPECT_FALSE(h.available(v));
  // Sticky: reading again cannot bring it back.
  h.advance(37, 0);
  EXPECT_FALSE(h.available(v));
}

TEST(History, PruningPointDiscardsAndMakesScopesInadmissible) {
  History h = make({500, std::nullopt});
  VertexId v = write_at(h, 5, 10);
  write_at(h, 20, 11);
  h.advance(21, 10);  // pruning point at round 10
  EXPECT_FALSE(h.available(v));
  // p1 reading account 10 (owned by p2) would need v, which is below the pruning point.
  VertexSet none, cache;
  Admission a = h.admit(kP1, {acc(10)}, none, cache);
  EXPECT_EQ(a.verdict, Verdict::kNeedsPrunedData);
  // p2 owns account 10: its current version is known data, so nothing below the pruning point is
  // needed.
  EXPECT_EQ(h.admit(kP2, {acc(10)}, none, cache).verdict, Verdict::kAdmissible);
}

// Example 4 as corrected (cold account): Δ may discard an account's latest vertex; a reader from
// another vProg must then bring a witness, which makes the transaction admissible again.
TEST(History, ColdAccountNeedsAWitness) {
  History h = make({100, std::nullopt});
  VertexId cold = write_at(h, 10, 11);  // account 11 of p2, never written again
  write_at(h, 400, 12);
  h.add_finalized_proof(kP2, 400);
  h.advance(401, 0);
  EXPECT_FALSE(h.available(cold));
  VertexSet none, cache;
  EXPECT_EQ(h.admit(kP1, {acc(1), acc(11)}, none, cache).verdict, Verdict::kNeedsDiscardedData);
  VertexSet witness;
  witness.insert(cold);
  Admission a = h.admit(kP1, {acc(1), acc(11)}, witness, cache);
  EXPECT_EQ(a.verdict, Verdict::kAdmissible);
}

// Random interleavings: availability never comes back, and two nodes with different caches decide
// every admission the same way (only what they must fetch differs).
TEST(History, AvailabilityIsMonotoneAndDecisionsIgnoreCaches) {
  test::Rng rng(71);
  for (int trial = 0; trial < 40; ++trial) {
    History h = make({static_cast<std::uint64_t>(5 + rng.below(20)),
                      rng.coin() ? std::optional<std::uint64_t>(rng.below(10)) : std::nullopt});
    std::vector<bool> was_gone;
    std::uint64_t round = 1, pp = 0;
    int differing_fetch = 0;
    for (int step = 0; step < 120; ++step) {
      round += rng.below(4);
      if (rng.below(10) == 0) pp = std::min(round - 1, pp + rng.below(10));
      h.advance(round, pp);
      std::uint32_t base = rng.coin() ? 1 : 10;
      std::vector<AccountId> reads = {acc(base + static_cast<std::uint32_t>(rng.below(3)))};
      std::uint32_t other = rng.coin() ? 1 : 10;
      AccountId extra = acc(other + static_cast<std::uint32_t>(rng.below(3)));
      if (extra != reads[0]) reads.push_back(extra);
      std::sort(reads.begin(), reads.end());
      if (rng.below(6) == 0)
        h.add_finalized_proof(rng.coin() ? kP1 : kP2,
                              round - rng.below(std::min<std::uint64_t>(round, 10)));
      // Two caches: one holds everything available, the other nothing.
      VertexSet full(h.dag().vertex_count()), empty, none;
      for (VertexId v = 0; v < h.dag().vertex_count(); ++v) {
        if (h.available(v)) full.insert(v);
      }
      ProgramId executor = base == 1 ? kP1 : kP2;
      Admission a = h.admit(executor, reads, none, full);
      Admission b = h.admit(executor, reads, none, empty);
      ASSERT_EQ(a.verdict, b.verdict);
      ASSERT_EQ(a.scope, b.scope);
      differing_fetch += a.to_fetch != b.to_fetch;
      if (a.verdict == Verdict::kAdmissible) {
        std::vector<AccountId> writes;
        for (const auto& r : reads) {
          if (h.owner(r) == executor) writes.push_back(r);
        }
        ASSERT_TRUE(h.accept(reads, writes, a.scope).ok());
      }
      was_gone.resize(h.dag().vertex_count(), false);
      for (VertexId v = 0; v < h.dag().vertex_count(); ++v) {
        if (was_gone[v]) {
          ASSERT_FALSE(h.available(v)) << "availability came back, trial " << trial;
        }
        was_gone[v] = !h.available(v);
      }
    }
    EXPECT_GT(differing_fetch, 0);
  }
}

}  // namespace
}  // namespace basalt::dag

namespace basalt::dag {
namespace {

// R3: per-step state-history commitments. Every account's state at every covered round has a
// witness that verifies; any change to it fails; History accepts a witness only against the
// finalized commitment of the account's owner covering its round.
TEST(StateHistory, WitnessesForIntermediateStatesAreCheckable) {
  test::Rng rng(81);
  for (int trial = 0; trial < 40; ++trial) {
    HistoryBuilder b;
    const std::uint32_t accounts = 1 + static_cast<std::uint32_t>(rng.below(9));
    const std::uint64_t first = 10 + rng.below(5), rounds = 1 + rng.below(12);
    for (std::uint64_t r = first; r < first + rounds; ++r) {
      std::vector<AccountState> states;
      for (std::uint32_t a = 0; a < accounts; ++a) states.push_back({AccountId{a * 3}, rng.hash()});
      ASSERT_TRUE(b.add_round(r, states).ok());
    }
    const HistoryCommitment c = b.commitment();
    EXPECT_EQ(c.first_round, first);
    EXPECT_EQ(c.last_round, first + rounds - 1);
    for (std::uint64_t r = first; r < first + rounds; ++r) {
      for (std::uint32_t a = 0; a < accounts; ++a) {
        auto w = b.witness(r, AccountId{a * 3});
        ASSERT_TRUE(w.ok());
        ASSERT_TRUE(verify_witness(c, *w).ok()) << "round " << r << " account " << a;
        StateWitness bad = *w;
        bad.state.value.bytes[0] ^= 1;
        EXPECT_FALSE(verify_witness(c, bad).ok());
        bad = *w;
        bad.round += rounds;  // another round than the one proven
        EXPECT_FALSE(verify_witness(c, bad).ok());
        if (!w->in_step.siblings.empty()) {
          bad = *w;
          bad.in_step.siblings.back().bytes[5] ^= 1;
          EXPECT_FALSE(verify_witness(c, bad).ok());
        }
        bad = *w;
        bad.state.account = AccountId{a * 3 + 1};
        EXPECT_FALSE(verify_witness(c, bad).ok());
      }
    }
    EXPECT_EQ(b.witness(first + rounds, AccountId{0}).error().code(), core::ErrorCode::kNotFound);
    EXPECT_FALSE(b.add_round(first + rounds + 1, {}).ok()) << "a skipped round";
  }
}

TEST(StateHistory, HistoryChecksWitnessesAgainstTheOwnersFinalizedProof) {
  History h(DiscardParams{});
  ASSERT_TRUE(h.add_program(ProgramId{1}, {AccountId{0}, AccountId{1}}).ok());
  ASSERT_TRUE(h.add_program(ProgramId{2}, {AccountId{5}}).ok());
  HistoryBuilder b;
  for (std::uint64_t r = 1; r <= 4; ++r) {
    ASSERT_TRUE(b.add_round(r, {{AccountId{0}, core::Hash32::from_u64_word(r)},
                                {AccountId{1}, core::Hash32::from_u64_word(100 + r)}})
                    .ok());
  }
  const auto w = *b.witness(3, AccountId{1});
  EXPECT_EQ(h.check_witness(w).error().code(), core::ErrorCode::kNotFound) << "no proof yet";
  h.add_finalized_proof(ProgramId{2}, b.commitment());  // another vProg's proof does not count
  EXPECT_EQ(h.check_witness(w).error().code(), core::ErrorCode::kNotFound);
  h.add_finalized_proof(ProgramId{1}, b.commitment());
  EXPECT_TRUE(h.check_witness(w).ok());
  StateWitness forged = w;
  forged.state.value = core::Hash32::from_u64_word(999);
  EXPECT_EQ(h.check_witness(forged).error().code(), core::ErrorCode::kVerifyFailed);
}

}  // namespace
}  // namespace basalt::dag
