// kip21 §5.1 over a chain built here: several lanes, a lane that skips blocks, and the witness of
// the last block. The activity verifies; changing any transaction, context field or witness field
// breaks it.
#include <gtest/gtest.h>

#include "kaspa/lane_activity.hpp"
#include "kaspa/transaction.hpp"
#include "test_util.hpp"

namespace basalt::kaspa {
namespace {

struct Chain {
  LaneKey key;
  Hash32 parent_ref;
  std::vector<LaneBlockActivity> blocks;  // the blocks that touched the followed lane
  LaneProofWitness witness;
  SeqCommit end_commit;
  LaneSmt smt;
};

Chain build_chain(test::Rng& rng, int n_blocks) {
  Chain c;
  LaneId followed = LaneId::from_namespace({1, 0, 0, 7});
  c.key = lane_key(followed);
  SeqCommit prev(rng.hash());
  c.parent_ref =
      prev.hash();  // the followed lane is new in block 0: it anchors on the parent commit
  Hash32 tip = c.parent_ref;
  for (int b = 0; b < n_blocks; ++b) {
    MergesetContext ctx{1'700'000'000ull + 10ull * b, 100'000ull + b, 50'000ull + b};
    Hash32 ctx_hash = mergeset_context_hash(ctx);
    std::uint32_t merge_idx = 0;
    LaneBlockActivity act{{}, ctx};
    std::vector<Hash32> leaves;
    // Other lanes' transactions interleave with the followed lane's; merge_idx is global.
    for (int t = 0; t < 4; ++t) {
      Transaction tx;
      tx.version = 1;
      tx.subnetwork_id = t % 2 == 0 || b % 3 == 1
                             ? LaneId::from_namespace({2, 0, 0, static_cast<std::uint8_t>(t)})
                             : followed;
      tx.payload = rng.bytes(8);
      TxId id = tx_id(tx);
      if (tx.subnetwork_id == followed) {
        act.txs.push_back({id, tx.version, merge_idx});
        leaves.push_back(activity_leaf(id, tx.version, merge_idx));
      } else {
        LaneKey other = lane_key(tx.subnetwork_id);
        Hash32 one = activity_leaf(id, tx.version, merge_idx);
        c.smt.insert(other, smt_leaf_hash(lane_tip_next(prev.hash(), other,
                                                        activity_digest_lane({&one, 1}), ctx_hash),
                                          ctx.blue_score));
      }
      ++merge_idx;
    }
    bool touched = !act.txs.empty();
    if (touched) {
      tip = lane_tip_next(tip, c.key, activity_digest_lane(leaves), ctx_hash).hash();
      c.smt.insert(c.key, smt_leaf_hash(LaneTip(tip), ctx.blue_score));
      c.blocks.push_back(act);
      c.witness.blue_score = ctx.blue_score;
    }
    Hash32 pd = payload_and_context_digest(ctx_hash, rng.hash());
    SeqCommit shortcut(rng.hash());
    SeqCommit sc = seq_commit_from_lanes_root(c.smt.root(), shortcut, pd, prev);
    c.witness.smt_proof = c.smt.prove(c.key);
    c.witness.inactivity_shortcut = shortcut;
    c.witness.payload_and_ctx_digest = pd;
    c.witness.parent_seq_commit = prev;
    c.end_commit = sc;
    prev = sc;
  }
  return c;
}

TEST(LaneActivity, VerifiesAndEveryTamperFails) {
  test::Rng rng(31);
  Chain c = build_chain(rng, 7);
  ASSERT_GE(c.blocks.size(), 3u);
  ASSERT_TRUE(verify_lane_activity(c.parent_ref, c.key, c.blocks, c.witness, c.end_commit).ok());

  auto rejects = [&](auto mutate) {
    Chain m = c;
    mutate(m);
    return !verify_lane_activity(m.parent_ref, m.key, m.blocks, m.witness, m.end_commit).ok();
  };
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks[1].txs[0].tx_id = TxId(Hash32::filled(0xff)); }));
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks[1].txs[0].merge_idx += 1; }));
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks[1].txs[0].version = 0; }));
  EXPECT_TRUE(rejects([](Chain& m) { std::swap(m.blocks[0], m.blocks[1]); }));
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks.pop_back(); }));
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks[0].context.timestamp += 1; }));
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks[0].context.daa_score += 1; }));
  EXPECT_TRUE(rejects([](Chain& m) { m.blocks[0].context.blue_score += 1; }));
  EXPECT_TRUE(rejects([](Chain& m) { m.parent_ref.bytes[0] ^= 1; }));
  EXPECT_TRUE(rejects([](Chain& m) { m.witness.blue_score += 1; }));
  EXPECT_TRUE(
      rejects([](Chain& m) { m.witness.inactivity_shortcut = SeqCommit(Hash32::filled(1)); }));
  EXPECT_TRUE(rejects([](Chain& m) { m.witness.payload_and_ctx_digest.bytes[5] ^= 1; }));
  EXPECT_TRUE(
      rejects([](Chain& m) { m.witness.parent_seq_commit = SeqCommit(Hash32::filled(2)); }));
  EXPECT_TRUE(rejects([](Chain& m) { m.witness.smt_proof.siblings[0].bytes[0] ^= 1; }));
  EXPECT_TRUE(rejects([](Chain& m) { m.end_commit = SeqCommit(Hash32::filled(0xcc)); }));
}

TEST(LaneActivity, InactiveLaneHasANonInclusionWitness) {
  test::Rng rng(32);
  Chain c = build_chain(rng, 3);
  LaneKey absent = lane_key(LaneId::from_namespace({9, 9, 9, 9}));
  LaneProofWitness w = c.witness;
  w.smt_proof = c.smt.prove(absent);
  auto sc = compute_seq_commit_for_inactive_lane(absent, w);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(*sc, c.end_commit);
  // The same witness cannot show the followed lane absent.
  w.smt_proof = c.smt.prove(c.key);
  EXPECT_FALSE(compute_seq_commit_for_inactive_lane(c.key, w).ok());
}

}  // namespace
}  // namespace basalt::kaspa
