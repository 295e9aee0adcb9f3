#include <gtest/gtest.h>

#include "kaspa/lane_smt.hpp"
#include "kaspa/seq_commit.hpp"
#include "kaspa/transaction.hpp"

namespace basalt::kaspa {
namespace {

TEST(SeqCommit, CoinbaseLaneKeyConstant) {
  EXPECT_EQ(coinbase_lane_key().hex(),
            "8aa78027db66a16cb69692ee0af5cb76738ef80ad14c9d13920d7fa3cc40b9e4");
  EXPECT_EQ(lane_key(kCoinbaseLaneId), coinbase_lane_key());
}

TEST(BlueWork, StrippedBigEndianWithLengthPrefix) {
  EXPECT_EQ(core::to_hex(BlueWork::from_u64(0).hashing_encoding()), "0000000000000000");
  EXPECT_EQ(core::to_hex(BlueWork::from_u64(123456).hashing_encoding()), "030000000000000001e240");
  EXPECT_EQ(core::to_hex(BlueWork::from_u64(UINT64_MAX).hashing_encoding()),
            "0800000000000000ffffffffffffffff");
  auto full = BlueWork::from_be_hex("01" + std::string(46, '0'));
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->hashing_encoding().size(), 8u + 24u);
  EXPECT_FALSE(BlueWork::from_be_hex(std::string(50, '1')).ok());
  EXPECT_EQ(*BlueWork::from_be_hex("0123"), BlueWork::from_u64(0x123));
  EXPECT_EQ(*BlueWork::from_be_hex("123"), BlueWork::from_u64(0x123));  // as kaspad writes it
}

// The worked example of kip21 §5.2, rebuilt from its description.
TEST(SeqCommit, WorkedExampleBlock) {
  SeqCommit parent(Hash32::filled(0xAA));
  LaneId a = LaneId::from_byte(10), b = LaneId::from_byte(20);
  MergesetContext ctx{1'700'000'000, 100'000, 50'000};
  Hash32 ctx_hash = mergeset_context_hash(ctx);
  EXPECT_EQ(ctx_hash.hex().substr(0, 8), "09fd1bf6");

  auto tx = [](const LaneId& lane, core::Bytes payload) {
    Transaction t;
    t.subnetwork_id = lane;
    t.payload = std::move(payload);
    return tx_id(t);
  };
  std::vector<Hash32> leaves_a = {activity_leaf(tx(a, {}), 0, 0),
                                  activity_leaf(tx(a, {1, 2, 3}), 0, 1),
                                  activity_leaf(tx(a, {4}), 0, 2)};
  std::vector<Hash32> leaves_b = {activity_leaf(tx(b, {5, 6}), 0, 3)};
  LaneTip tip_a =
      lane_tip_next(Hash32::filled(0xDD), lane_key(a), activity_digest_lane(leaves_a), ctx_hash);
  LaneTip tip_b =
      lane_tip_next(parent.hash(), lane_key(b), activity_digest_lane(leaves_b), ctx_hash);
  EXPECT_EQ(activity_digest_lane(leaves_b), leaves_b[0]);

  LaneSmt smt;
  smt.insert(lane_key(a), smt_leaf_hash(tip_a, ctx.blue_score));
  smt.insert(lane_key(b), smt_leaf_hash(tip_b, ctx.blue_score));
  EXPECT_EQ(smt.root().hex().substr(0, 8), "38af3f91");

  std::vector<Hash32> payload_leaves = {
      miner_payload_leaf(BlockHash(Hash32::filled(0x11)), BlueWork::from_u64(40'000),
                         core::Bytes{'p', 'o', 'o', 'l', '-', 'a', 'l', 'p', 'h', 'a'}),
      miner_payload_leaf(BlockHash(Hash32::filled(0x22)), BlueWork::from_u64(41'000),
                         core::Bytes{'p', 'o', 'o', 'l', '-', 'b', 'e', 't', 'a'})};
  Hash32 pd = payload_and_context_digest(ctx_hash, miner_payload_root(payload_leaves));
  Hash32 ar = activity_root_hash(SeqCommit(), smt.root());
  SeqCommit sc = seq_commit(parent, seq_state_root(ar, pd));
  EXPECT_EQ(sc.hex(), "470cd87d3f3549c17aeaf2752bac041595f1ad0f8b7a367ff7911f0318f6a16f");
}

}  // namespace
}  // namespace basalt::kaspa
