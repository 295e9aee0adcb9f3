#include "da/archive.hpp"
#include "da/archive_source.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "kaspa/seq_commit.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::da {
namespace {

const kaspa::LaneId kLane = kaspa::LaneId::from_namespace({0, 0, 1, 0});

// The archive a node following `kLane` would keep of a simulated chain: one record per chain block,
// batch i for the i-th block. A short activity window makes the lane lapse and start again.
struct Archived {
  std::uint64_t finality_depth = 6;
  std::vector<ActivityRecord> records;
  std::vector<core::Bytes> encoded;
};

Archived archive_of_simulated_chain(std::size_t steps) {
  l1::sim::SimParams p;
  p.seed = 11;
  p.lanes = 2;
  p.lane_skip_permille = 700;
  Archived out;
  p.finality_depth = out.finality_depth;
  p.pruning_depth = 1'000'000;
  l1::sim::Simulator sim(p);
  const kaspa::LaneKey key = kaspa::lane_key(kLane);
  for (std::size_t i = 0; i < steps; ++i) {
    sim.step();
    auto change = sim.next_chain_changes();
    if (!change) continue;
    EXPECT_TRUE(change->removed.empty());
    for (const l1::ChainBlockInfo& b : change->added) {
      auto proof = sim.lane_proof(b.hash, key);
      EXPECT_TRUE(proof.ok());
      ActivityRecord r = activity_record(out.records.size() + 1, b, kLane, *proof);
      out.encoded.push_back(encode_activity_record(r));
      out.records.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<ActivityRecord> decoded(const std::vector<core::Bytes>& encoded) {
  std::vector<ActivityRecord> out;
  for (const core::Bytes& e : encoded) {
    auto r = decode_activity_record(e);
    EXPECT_TRUE(r.ok()) << r.error().to_string();
    out.push_back(std::move(*r));
  }
  return out;
}

TEST(Archive, RecordsDecodeToWhatWasEncodedAndARangeChecksOut) {
  const Archived a = archive_of_simulated_chain(60);
  ASSERT_GE(a.records.size(), 40u);
  std::vector<ActivityRecord> back = decoded(a.encoded);
  std::uint64_t lane_txs = 0, lapsed = 0;
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(encode_activity_record(back[i]), a.encoded[i]);
    ASSERT_EQ(back[i].block.accepted.size(), a.records[i].block.accepted.size());
    for (std::size_t k = 0; k < back[i].block.accepted.size(); ++k)
      EXPECT_EQ(back[i].block.accepted[k].tx_id, a.records[i].block.accepted[k].tx_id);
    if (i > 0) lane_txs += back[i].block.accepted.size();
    lapsed += !back[i].block.lane_proofs.front().lane_tip;
  }
  ASSERT_GT(lane_txs, 0u);
  ASSERT_GT(lapsed, 0u);  // the range crosses the lane lapsing and starting again

  auto checked = check_activity(kLane, a.finality_depth, back);
  ASSERT_TRUE(checked.ok()) << checked.error().to_string();
  EXPECT_EQ(checked->lane_txs, lane_txs);
  EXPECT_EQ(checked->first.batch, 1u);
  EXPECT_EQ(checked->last.batch, back.size());
  EXPECT_EQ(checked->last.seq_commit, back.back().block.seq_commit);
  const l1::LaneProof& last = back.back().block.lane_proofs.front();
  EXPECT_EQ(checked->last.lane.has_value(), last.lane_tip.has_value());
  if (last.lane_tip) {
    EXPECT_EQ(checked->last.lane->tip, *last.lane_tip);
  }
  // Any inner range checks out on its own too.
  EXPECT_TRUE(check_activity(kLane, a.finality_depth, std::span(back).subspan(17, 9)).ok());
}

// Every way of lying about the activity is named, with the batch where it shows.
TEST(Archive, ATamperedRangeIsRefusedNamingTheBatch) {
  const Archived a = archive_of_simulated_chain(40);
  const std::vector<ActivityRecord> good = decoded(a.encoded);
  std::size_t busy = 0;  // an inner record with lane transactions
  for (std::size_t i = 1; i + 1 < good.size() && busy == 0; ++i)
    if (good[i].block.accepted.size() >= 2) busy = i;
  ASSERT_NE(busy, 0u);
  const std::string at = "archived batch " + std::to_string(good[busy].batch) + ": ";
  const auto refused = [&](const std::function<void(std::vector<ActivityRecord>&)>& tamper,
                           const std::string& why) {
    std::vector<ActivityRecord> r = good;
    tamper(r);
    auto c = check_activity(kLane, a.finality_depth, r);
    ASSERT_FALSE(c.ok()) << why;
    EXPECT_NE(c.error().context().find(at), std::string::npos) << c.error().context();
  };
  refused([&](auto& r) { r[busy].block.accepted.pop_back(); }, "a transaction withheld");
  refused([&](auto& r) { r[busy].block.accepted.erase(r[busy].block.accepted.begin()); },
          "the first transaction withheld");
  refused([&](auto& r) { std::swap(r[busy].block.accepted[0], r[busy].block.accepted[1]); },
          "two transactions swapped");
  refused(
      [&](auto& r) {
        // A forged body under the real id: the record's ids come from the bodies when decoded.
        l1::AcceptedTx& t = r[busy].block.accepted[0];
        t.tx.payload.push_back(1);
        auto again = decode_activity_record(encode_activity_record(r[busy]));
        ASSERT_TRUE(again.ok());
        r[busy] = *again;
      },
      "a payload changed");
  refused([&](auto& r) { r[busy].block.accepted[0].merge_idx += 1000; }, "merge_idx moved");
  refused([&](auto& r) { r.erase(r.begin() + static_cast<std::ptrdiff_t>(busy) - 1); },
          "the batch before left out");
  refused([&](auto& r) { r[busy].block.seq_commit = kaspa::SeqCommit(core::Hash32::filled(3)); },
          "SeqCommit replaced");
  refused(
      [&](auto& r) {
        r[busy].block.lane_proofs[0].lane_tip = kaspa::LaneTip(core::Hash32::filled(4));
      },
      "lane tip in the proof replaced");
  refused(
      [&](auto& r) {
        r[busy].block.lane_proofs[0].payload_and_ctx_digest = core::Hash32::filled(5);
      },
      "commitment part replaced");
  refused([&](auto& r) { r[busy].block.lane_proofs[0].lane_key = kaspa::LaneKey(); },
          "another lane's proof");
  EXPECT_TRUE(check_activity(kLane, a.finality_depth, good).ok());
  EXPECT_FALSE(check_activity(kLane, a.finality_depth, {}).ok());
}

TEST(Archive, TheDecoderRefusesWhatIsNotOneCanonicalRecord) {
  const Archived a = archive_of_simulated_chain(20);
  std::size_t busy = 0;
  for (std::size_t i = 0; i < a.records.size() && busy == 0; ++i)
    if (a.records[i].block.accepted.size() >= 2) busy = i;
  const core::Bytes& e = a.encoded[busy];
  for (std::size_t n = 0; n < e.size(); ++n) {
    EXPECT_FALSE(decode_activity_record(core::ByteSpan(e.data(), n)).ok()) << n;
  }
  core::Bytes longer = e;
  longer.push_back(0);
  EXPECT_EQ(decode_activity_record(longer).error().code(), core::ErrorCode::kTrailingBytes);
  core::Bytes version = e;
  version[0] = 2;
  EXPECT_EQ(decode_activity_record(version).error().code(), core::ErrorCode::kUnknownTag);
  // The tip flag: 1 + 8 + 4 * 32 + 3 * 8 + 32 bytes in.
  core::Bytes flag = e;
  flag[1 + 8 + 4 * 32 + 3 * 8 + 32] = 2;
  EXPECT_EQ(decode_activity_record(flag).error().code(), core::ErrorCode::kNonCanonical);
  ActivityRecord swapped = a.records[busy];
  std::swap(swapped.block.accepted[0], swapped.block.accepted[1]);
  EXPECT_EQ(decode_activity_record(encode_activity_record(swapped)).error().code(),
            core::ErrorCode::kNonCanonical);
  ActivityRecord foreign = a.records[busy];
  foreign.block.accepted[0].tx.subnetwork_id = kaspa::LaneId::from_namespace({0, 0, 1, 1});
  EXPECT_EQ(decode_activity_record(encode_activity_record(foreign)).error().code(),
            core::ErrorCode::kInvalid);
}

// A node syncing past L1's pruning follows the archive, then L1: from an archived block the source
// gives the archived blocks after it (with their proofs), from the last one on L1's, and a
// follower restored at the first record takes the whole way without noticing the seam.
TEST(Archive, ASourceGivesTheArchivedBlocksThenL1s) {
  l1::sim::SimParams p;
  p.seed = 11;
  p.lanes = 2;
  p.lane_skip_permille = 700;
  p.finality_depth = 6;
  p.pruning_depth = 1'000'000;
  l1::sim::Simulator sim(p);
  const kaspa::LaneKey key = kaspa::lane_key(kLane);
  std::vector<ActivityRecord> records;
  while (sim.chain().size() < 60) {
    sim.step();
    auto change = sim.next_chain_changes();
    if (!change) continue;
    for (const l1::ChainBlockInfo& b : change->added)
      records.push_back(
          activity_record(records.size() + 1, b, kLane, *sim.lane_proof(b.hash, key)));
  }
  const std::vector<ActivityRecord> range(records.begin() + 10, records.begin() + 30);
  ASSERT_TRUE(check_activity(kLane, p.finality_depth, range).ok());
  auto source = ArchiveSource::open(range, sim);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  const l1::LaneProof& start_proof = range.front().block.lane_proofs.front();
  std::map<kaspa::LaneKey, l1::LaneState> lanes;
  if (start_proof.lane_tip) lanes[key] = {*start_proof.lane_tip, *start_proof.lane_blue_score};
  l1::Follower follower(p.finality_depth, {kLane});
  follower.restore(11, range.front().block.hash, range.front().block.blue_score, lanes);
  std::vector<kaspa::BlockHash> followed;
  while (followed.size() < 45) {
    auto c = (*source)->chain_from(follower.tip(), 7);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    ASSERT_FALSE(c->added.empty());
    ASSERT_TRUE(follower.apply(*c).ok());
    for (const auto& b : c->added) followed.push_back(b.hash);
  }
  for (std::size_t i = 0; i < followed.size(); ++i)
    EXPECT_EQ(followed[i], records[11 + i].block.hash) << i;
  // Archived blocks' proofs come from the archive (L1 here still has them too: they agree).
  const kaspa::BlockHash& archived = range[5].block.hash;
  auto proof = (*source)->lane_proof(archived, key);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(proof->smt_proof.to_bytes(), sim.lane_proof(archived, key)->smt_proof.to_bytes());
  EXPECT_EQ(ArchiveSource::open({}, sim).error().code(), core::ErrorCode::kInvalid);
}

}  // namespace
}  // namespace basalt::da
