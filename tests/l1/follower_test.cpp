// The follower against the simulator: chain events in, lane tips out, cross-checked with the lane
// proofs the simulator serves.
#include <gtest/gtest.h>

#include "l1/follower.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::l1 {
namespace {

// The follower, fed only the chain events, holds at every block exactly the tip and last-touch blue
// score that the block's lane proofs carry, expired lanes included.
TEST(Follower, MatchesTheLaneProofsAtEveryBlock) {
  sim::SimParams p;
  p.seed = 11;
  p.finality_depth = 6;
  p.lanes = 5;
  p.lane_skip_permille = 850;
  sim::Simulator simulator(p);
  std::vector<kaspa::LaneId> lanes;
  for (std::uint8_t i = 0; i < 5; ++i) lanes.push_back(kaspa::LaneId::from_namespace({0, 0, 1, i}));
  lanes.push_back(kaspa::kCoinbaseLaneId);
  Follower follower(p.finality_depth, lanes);
  int inactive_seen = 0;
  for (int i = 0; i < 400; ++i) {
    simulator.step();
    auto change = simulator.next_chain_changes();
    ASSERT_TRUE(change.ok());
    ASSERT_TRUE(follower.apply(*change).ok());
    const auto& block = simulator.chain().back();
    ASSERT_EQ(follower.tip(), block.hash);
    for (const auto& l : lanes) {
      auto proof = simulator.lane_proof(block.hash, kaspa::lane_key(l));
      if (!proof.ok()) continue;  // not touched yet
      auto mine = follower.lane(kaspa::lane_key(l));
      ASSERT_EQ(mine.has_value(), proof->lane_tip.has_value()) << "block " << i;
      if (mine) {
        ASSERT_EQ(mine->tip, *proof->lane_tip) << "block " << i;
        ASSERT_EQ(mine->last_blue_score, *proof->lane_blue_score);
      } else {
        ++inactive_seen;
      }
    }
  }
  EXPECT_GT(inactive_seen, 0);
}

TEST(Follower, RejectsEventsThatDoNotFitAndStaysUnchanged) {
  sim::Simulator simulator(sim::SimParams{});
  Follower follower(100, {kaspa::LaneId::from_namespace({0, 0, 1, 0})});
  for (int i = 0; i < 5; ++i) simulator.step();
  ASSERT_TRUE(follower.apply(*simulator.next_chain_changes()).ok());
  auto tip = follower.tip();
  ChainChanged bad_remove;
  bad_remove.removed.push_back(kaspa::BlockHash(core::Hash32::filled(1)));
  EXPECT_FALSE(follower.apply(bad_remove).ok());
  simulator.step();
  ChainChanged gap = *simulator.next_chain_changes();
  gap.added[0].selected_parent = kaspa::BlockHash(core::Hash32::filled(2));
  EXPECT_FALSE(follower.apply(gap).ok());
  EXPECT_EQ(follower.tip(), tip);
  EXPECT_EQ(follower.height(), 5u);
}

// A lane proof attached to a block (as the kaspad source attaches them) that does not hold the
// tip the follower recomputes: refused, after a reorg too, and the follower stays as it was.
TEST(Follower, RefusesABlockWhoseLaneProofHoldsAnotherTip) {
  sim::SimParams p;
  p.lane_skip_permille = 0;
  sim::Simulator simulator(p);
  const kaspa::LaneId lane = kaspa::LaneId::from_namespace({0, 0, 1, 0});
  Follower follower(100, {lane});
  for (int i = 0; i < 5; ++i) simulator.step();
  ASSERT_TRUE(follower.apply(*simulator.next_chain_changes()).ok());
  const auto tip = follower.tip();
  const auto state = follower.lane(kaspa::lane_key(lane));
  ASSERT_TRUE(state.has_value());
  ASSERT_TRUE(simulator.reorg(2).ok());
  simulator.step();
  ChainChanged change = *simulator.next_chain_changes();
  ASSERT_EQ(change.removed.size(), 2u);
  for (auto& b : change.added) {
    auto proof = simulator.lane_proof(b.hash, kaspa::lane_key(lane));
    ASSERT_TRUE(proof.ok());
    b.lane_proofs.push_back(*proof);
  }
  ChainChanged bad = change;
  bad.added.back().lane_proofs[0].lane_tip = kaspa::LaneTip(core::Hash32::filled(7));
  auto st = follower.apply(bad);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().context().find("is not the tip L1 committed"), std::string::npos);
  EXPECT_EQ(follower.tip(), tip);
  EXPECT_EQ(follower.height(), 5u);
  EXPECT_EQ(follower.lane(kaspa::lane_key(lane))->tip, state->tip);
  EXPECT_TRUE(follower.apply(change).ok());
}

}  // namespace
}  // namespace basalt::l1

namespace basalt::l1 {
namespace {

// Reorgs of depth 1..D by seed: after every change the follower still matches the tip's lane
// proofs.
TEST(Follower, FollowsThroughReorgs) {
  for (std::uint64_t seed : {21, 22}) {
    sim::SimParams p;
    p.seed = seed;
    p.finality_depth = 12;
    p.lanes = 4;
    p.lane_skip_permille = 700;
    p.reorg_every = 5;
    p.reorg_depth = 8;
    sim::Simulator simulator(p);
    std::vector<kaspa::LaneId> lanes;
    for (std::uint8_t i = 0; i < 4; ++i)
      lanes.push_back(kaspa::LaneId::from_namespace({0, 0, 1, i}));
    Follower follower(p.finality_depth, lanes);
    std::size_t removed = 0;
    for (int i = 0; i < 300; ++i) {
      simulator.step();
      auto change = simulator.next_chain_changes();
      ASSERT_TRUE(change.ok());
      removed += change->removed.size();
      ASSERT_TRUE(follower.apply(*change).ok()) << "step " << i;
      const auto& block = simulator.chain().back();
      ASSERT_EQ(follower.tip(), block.hash);
      ASSERT_EQ(follower.height(), simulator.chain().size());
      for (const auto& l : lanes) {
        auto proof = simulator.lane_proof(block.hash, kaspa::lane_key(l));
        if (!proof.ok()) continue;
        auto mine = follower.lane(kaspa::lane_key(l));
        ASSERT_EQ(mine.has_value(), proof->lane_tip.has_value()) << "step " << i;
        if (mine) {
          ASSERT_EQ(mine->tip, *proof->lane_tip) << "step " << i;
        }
      }
    }
    EXPECT_GT(simulator.reorgs(), 40u);
    EXPECT_GT(removed, simulator.reorgs());  // some reorgs were deeper than one block
  }
}

TEST(Simulator, ReorgDepthIsBoundedAndEventsAreOrdered) {
  sim::SimParams p;
  p.finality_depth = 10;
  sim::Simulator simulator(p);
  EXPECT_EQ(simulator.reorg(1).error().code(),
            core::ErrorCode::kOutOfRange);  // nothing to replace yet
  for (int i = 0; i < 20; ++i) simulator.step();
  (void)simulator.next_chain_changes();
  EXPECT_FALSE(simulator.reorg(0).ok());
  EXPECT_FALSE(simulator.reorg(10).ok());  // not below F
  std::vector<kaspa::BlockHash> old_top;
  for (std::size_t i = 0; i < 3; ++i)
    old_top.push_back(simulator.chain()[simulator.chain().size() - 1 - i].hash);
  ASSERT_TRUE(simulator.reorg(3).ok());
  auto change = simulator.next_chain_changes();
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(change->removed, old_top);  // highest first
  ASSERT_GE(change->added.size(), 4u);  // the new branch overtakes with more blocks
  EXPECT_EQ(change->added.front().selected_parent,
            simulator.chain()[simulator.chain().size() - change->added.size() - 1].hash);
  for (std::size_t i = 1; i < change->added.size(); ++i) {
    EXPECT_EQ(change->added[i].selected_parent, change->added[i - 1].hash);  // lowest first
  }
  for (const auto& h : old_top)
    EXPECT_FALSE(simulator.lane_proof(h, kaspa::coinbase_lane_key()).ok());
}

}  // namespace
}  // namespace basalt::l1
