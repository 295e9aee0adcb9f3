// Replays the simulator's JSON export the way an independent verifier would: from the accepted
// transactions and contexts alone it recomputes every lane tip (with expiry after F blue score),
// and through each lane proof the SeqCommit of every chain block, using only the kaspa module. Any
// single changed byte in a tx id, a context field or a proof must make the replay fail.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "kaspa/lane_activity.hpp"
#include "l1/sim/export.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {
namespace {

using Json = nlohmann::json;
using core::Hash32;

Hash32 h(const Json& v) {
  return *Hash32::from_hex(v.get<std::string>());
}
std::uint64_t u(const Json& v) {
  return v.is_string() ? std::stoull(v.get<std::string>()) : v.get<std::uint64_t>();
}

struct Replay {
  std::uint64_t blocks = 0, inactive_proofs = 0, reactivations = 0, merges = 0;
};

// Returns an empty string when every block verifies, otherwise what failed first.
std::string replay(const Json& doc, Replay* stats) {
  const std::uint64_t f = u(doc["params"]["finality_depth"]);
  const Json& genesis = doc["genesis"];
  kaspa::SeqCommit prev_sc(h(genesis["seq_commit"]));
  std::uint64_t prev_ts = u(genesis["timestamp"]);
  struct Lane {
    kaspa::LaneTip tip;
    std::uint64_t last_bs;
  };
  std::map<kaspa::LaneKey, Lane> lanes;
  std::map<kaspa::LaneKey, bool> ever_expired;
  std::vector<std::pair<std::uint64_t, kaspa::SeqCommit>> commits = {{0, prev_sc}};
  for (const Json& b : doc["chain"]) {
    const std::string where = "block " + b["hash"].get<std::string>().substr(0, 12) + ": ";
    const std::uint64_t bs = u(b["blue_score"]);
    const kaspa::SeqCommit sc(h(b["seq_commit"]));
    if (kaspa::SeqCommit(h(b["parent_seq_commit"])) != prev_sc) return where + "parent_seq_commit";
    if (b["mergeset"].size() > 1) ++stats->merges;

    kaspa::MergesetContext ctx{prev_ts, u(b["daa_score"]), bs};
    Hash32 ctx_hash = kaspa::mergeset_context_hash(ctx);
    std::map<kaspa::LaneId, std::vector<Hash32>> leaves;
    std::uint32_t expect_idx = 0;
    for (const Json& a : b["accepted"]) {
      if (u(a["merge_idx"]) != expect_idx++) return where + "merge_idx";
      auto lane = *kaspa::LaneId::from_hex(a["subnetwork_id"].get<std::string>());
      leaves[lane].push_back(kaspa::activity_leaf(kaspa::TxId(h(a["tx_id"])),
                                                  static_cast<std::uint16_t>(u(a["version"])),
                                                  static_cast<std::uint32_t>(u(a["merge_idx"]))));
    }
    if (b["accepted"].empty() ||
        b["accepted"][0]["subnetwork_id"] != kaspa::kCoinbaseLaneId.hex()) {
      return where + "merge_idx 0 is not the selected parent's coinbase";
    }
    auto active = [&](const Lane& l) { return l.last_bs + f >= bs; };
    for (auto it = lanes.begin(); it != lanes.end();) {
      bool touched = false;
      for (const auto& [lane, unused] : leaves) touched |= kaspa::lane_key(lane) == it->first;
      if (!active(it->second) && !touched) {
        ever_expired[it->first] = true;
        it = lanes.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [lane, ls] : leaves) {
      auto key = kaspa::lane_key(lane);
      auto it = lanes.find(key);
      bool is_active = it != lanes.end() && active(it->second);
      if (!is_active && ever_expired.count(key)) ++stats->reactivations;
      Hash32 parent_ref = is_active ? it->second.tip.hash() : prev_sc.hash();
      lanes[key] = {
          kaspa::lane_tip_next(parent_ref, key, kaspa::activity_digest_lane(ls), ctx_hash), bs};
    }

    std::vector<Hash32> payload_leaves;
    for (const Json& m : b["mergeset"]) {
      payload_leaves.push_back(kaspa::miner_payload_leaf(
          kaspa::BlockHash(h(m["hash"])),
          *kaspa::BlueWork::from_be_hex(m["blue_work"].get<std::string>()),
          *core::from_hex(m["coinbase_payload"].get<std::string>())));
    }
    Hash32 pd =
        kaspa::payload_and_context_digest(ctx_hash, kaspa::miner_payload_root(payload_leaves));
    kaspa::SeqCommit shortcut = commits.front().second;
    if (bs >= f + 1) {
      for (const auto& [cbs, csc] : commits) {
        if (cbs <= bs - f - 1) shortcut = csc;
      }
    }
    std::size_t proofs_seen = 0;
    for (const Json& p : b["lane_proofs"]) {
      kaspa::LaneKey key(h(p["lane_key"]));
      auto proof = kaspa::SmtProof::from_bytes(*core::from_hex(p["smt_proof"].get<std::string>()));
      if (!proof.ok()) return where + "lane proof does not parse";
      if (h(p["payload_and_ctx_digest"]) != pd) return where + "payload_and_ctx_digest";
      if (kaspa::SeqCommit(h(p["inactivity_shortcut"])) != shortcut)
        return where + "inactivity_shortcut";
      auto it = lanes.find(key);
      kaspa::LaneProofWitness w{*proof, 0, shortcut, pd, prev_sc};
      core::Result<kaspa::SeqCommit> got = core::Error{core::ErrorCode::kInvalid, ""};
      if (it != lanes.end()) {
        if (p["lane_tip"].is_null() || kaspa::LaneTip(h(p["lane_tip"])) != it->second.tip)
          return where + "lane tip";
        if (u(p["lane_blue_score"]) != it->second.last_bs) return where + "lane blue score";
        w.blue_score = it->second.last_bs;
        got = kaspa::compute_seq_commit_for_lane(key, it->second.tip, w);
      } else {
        if (!p["lane_tip"].is_null()) return where + "an inactive lane has a tip";
        ++stats->inactive_proofs;
        got = kaspa::compute_seq_commit_for_inactive_lane(key, w);
      }
      if (!got.ok() || *got != sc) return where + "lane proof does not reach the SeqCommit";
      ++proofs_seen;
    }
    if (proofs_seen < lanes.size()) return where + "a lane without a proof";
    commits.emplace_back(bs, sc);
    prev_sc = sc;
    prev_ts = u(b["timestamp"]);
    ++stats->blocks;
  }
  return "";
}

SimParams params(std::uint64_t seed, std::uint64_t f, std::uint32_t skip) {
  SimParams p;
  p.seed = seed;
  p.finality_depth = f;
  p.lanes = 6;
  p.tx_per_block = 12;
  p.lane_skip_permille = skip;
  p.keep_history = true;  // these tests read the whole chain
  return p;
}

Json run(const SimParams& p, int blocks) {
  Simulator sim(p);
  for (int i = 0; i < blocks; ++i) sim.step();
  return Json::parse(export_json(sim));
}

TEST(Simulator, ExportReplaysWithMergesExpiryAndReactivation) {
  for (std::uint64_t seed : {1, 2, 3}) {
    Json doc = run(params(seed, 8, 900), 300);
    Replay stats;
    ASSERT_EQ(replay(doc, &stats), "") << "seed " << seed;
    EXPECT_EQ(stats.blocks, 300u);
    EXPECT_GT(stats.merges, 50u) << "the producer should merge parallel blocks";
    EXPECT_GT(stats.inactive_proofs, 0u) << "some lane should have expired";
    EXPECT_GT(stats.reactivations, 0u) << "some expired lane should have come back";
  }
}

TEST(Simulator, ExportReplaysAfterReorgs) {
  SimParams p = params(6, 10, 600);
  p.reorg_every = 4;
  p.reorg_depth = 7;
  Simulator sim(p);
  for (int i = 0; i < 300; ++i) sim.step();
  EXPECT_GT(sim.reorgs(), 50u);
  Replay stats;
  ASSERT_EQ(replay(Json::parse(export_json(sim)), &stats), "");
}

// Issue #4's acceptance case: an export of 10 000 chain blocks with reorgs and lane expiry verifies
// end to end.
TEST(Simulator, TenThousandBlockExportWithReorgsAndExpiryVerifies) {
  SimParams p = params(14, 40, 800);
  p.lanes = 4;
  p.tx_per_block = 4;
  p.reorg_every = 25;
  p.reorg_depth = 30;
  Simulator sim(p);
  while (sim.chain().size() < 10'000) sim.step();
  Replay stats;
  ASSERT_EQ(replay(Json::parse(export_json(sim)), &stats), "");
  EXPECT_EQ(stats.blocks, sim.chain().size());
  EXPECT_GT(sim.reorgs(), 100u);
  EXPECT_GT(stats.reactivations, 0u);
}

TEST(Simulator, AcceptsARepeatedTransactionOnce) {
  Simulator sim(params(4, 100, 0));
  std::size_t included = 0, accepted = 0;
  for (int i = 0; i < 200; ++i) accepted += sim.step().accepted.size();
  // Every non-coinbase transaction of a merged block, and the selected parent's coinbase, is a
  // candidate; some blocks repeat a sibling's transaction, so fewer are accepted than included.
  for (const auto& c : sim.chain()) {
    for (std::size_t m = 0; m < c.mergeset.size(); ++m)
      included += sim.block(c.mergeset[m]).txs.size() - (m == 0 ? 0 : 1);
  }
  EXPECT_LT(accepted, included);
  std::map<kaspa::TxId, int> seen;
  for (const auto& c : sim.chain()) {
    for (const auto& a : c.accepted) EXPECT_EQ(++seen[a.tx_id], 1);
  }
}

// Pruning lets go of everything below the pruning point and changes nothing else: the same seed
// with and without its history gives the same chain, and what was let go is answered as pruned.
TEST(Simulator, PruningForgetsBelowThePruningPointAndChangesNothingElse) {
  SimParams p = params(21, 20, 300);
  p.reorg_every = 7;
  p.reorg_depth = 3;
  SimParams lean_params = p;
  lean_params.keep_history = false;
  Simulator full(p), lean(lean_params);
  for (int i = 0; i < 600; ++i) {
    const ChainBlock& a = full.step();
    const ChainBlock& b = lean.step();
    ASSERT_EQ(a.hash, b.hash);
    ASSERT_EQ(a.seq_commit, b.seq_commit);
    ASSERT_EQ(a.lane_proofs.size(), b.lane_proofs.size());
    ASSERT_EQ(full.next_chain_changes()->removed, lean.next_chain_changes()->removed);
  }
  EXPECT_EQ(full.pruning_point(), lean.pruning_point());
  EXPECT_EQ(full.chain().size(), lean.chain().size());
  EXPECT_EQ(full.chain().first(), 0u);
  ASSERT_GT(lean.chain().first(), 0u);
  EXPECT_EQ(lean.chain().front().hash, lean.pruning_point());
  // Held: from the pruning point (50 blue score deep) up, however long the run.
  EXPECT_LE(lean.chain().size() - lean.chain().first(), 50u);
  const ChainBlock& gone = full.chain()[lean.chain().first() - 1];
  EXPECT_EQ(lean.seq_commit(gone.hash).error, kaspa::ScriptError::kBlockAlreadyPruned);
  EXPECT_FALSE(lean.header(gone.hash).ok());
  EXPECT_FALSE(lean.lane_proof(gone.hash, kaspa::coinbase_lane_key()).ok());
  EXPECT_TRUE(lean.header(lean.pruning_point()).ok());
  EXPECT_TRUE(lean.lane_proof(lean.pruning_point(), kaspa::coinbase_lane_key()).ok());
}

TEST(Simulator, IsDeterministicPerSeed) {
  EXPECT_EQ(run(params(9, 20, 500), 100).dump(), run(params(9, 20, 500), 100).dump());
  EXPECT_NE(run(params(9, 20, 500), 100).dump(), run(params(10, 20, 500), 100).dump());
}

TEST(Simulator, ReplayRejectsAnySingleChangedByte) {
  Json doc = run(params(5, 10, 600), 60);
  Replay stats;
  ASSERT_EQ(replay(doc, &stats), "");
  auto flip = [](Json& v) {
    std::string s = v.get<std::string>();
    s[s.size() / 2] = s[s.size() / 2] == '0' ? '1' : '0';
    v = s;
  };
  for (int which = 0; which < 40; ++which) {
    Json m = doc;
    Json& b = m["chain"][10 + which];
    switch (which % 4) {
      case 0:
        flip(b["accepted"][which % b["accepted"].size()]["tx_id"]);
        break;
      case 1:
        b["daa_score"] = u(b["daa_score"]) + 1;
        break;
      case 2:
        flip(b["lane_proofs"][which % b["lane_proofs"].size()]["smt_proof"]);
        break;
      default:
        flip(b["mergeset"][0]["coinbase_payload"]);
        break;
    }
    Replay s;
    EXPECT_NE(replay(m, &s), "") << "mutation " << which << " went unnoticed";
  }
  Json ts = doc;
  ts["chain"][20]["timestamp"] = u(ts["chain"][20]["timestamp"]) + 1;  // the next block's context
  Replay s;
  EXPECT_NE(replay(ts, &s), "");
}

TEST(Simulator, AnswersOpChainblockSeqCommitAsKaspaDoes) {
  SimParams p;
  p.seed = 4;
  p.finality_depth = 20;
  p.keep_history = true;
  Simulator sim(p);
  for (int i = 0; i < 120; ++i) {
    sim.step();
    ASSERT_TRUE(sim.next_chain_changes().ok());
  }
  using kaspa::ScriptError;
  const auto& chain = sim.chain();
  const ChainBlock& tip = chain.back();
  auto answer = sim.seq_commit(tip.hash);
  ASSERT_EQ(answer.error, ScriptError::kNone);
  EXPECT_EQ(answer.seq_commit, tip.seq_commit);

  // A settlement spend anchored at a recent chain block passes; the same at the tip claimed with
  // another block's commitment fails.
  const std::uint64_t tip_bs = sim.block(tip.hash).blue_score;
  const ChainBlock& recent = chain[chain.size() - 5];
  core::Bytes sig, other;
  kaspa::push_data(sig, recent.seq_commit.span());
  kaspa::push_data(sig, recent.hash.span());
  const core::Bytes spk{kaspa::op::kChainblockSeqCommit, kaspa::op::kEqual};
  kaspa::ScriptContext ctx;
  ctx.seq_commits = &sim;
  EXPECT_TRUE(kaspa::verify_spend(sig, spk, ctx).ok());
  kaspa::push_data(other, chain[chain.size() - 6].seq_commit.span());
  kaspa::push_data(other, recent.hash.span());
  EXPECT_EQ(kaspa::verify_spend(other, spk, ctx).error, ScriptError::kEvalFalse);

  // Too deep: on the chain, above the pruning point, F or more blue score below the tip.
  const std::uint64_t pruning_bs = sim.block(sim.pruning_point()).blue_score;
  bool saw_deep = false, saw_pruned = false;
  for (const ChainBlock& c : chain) {
    const std::uint64_t bs = sim.block(c.hash).blue_score;
    const ScriptError e = sim.seq_commit(c.hash).error;
    if (bs < pruning_bs) {
      EXPECT_EQ(e, ScriptError::kBlockAlreadyPruned);
      saw_pruned = true;
    } else if (bs + p.finality_depth <= tip_bs) {
      EXPECT_EQ(e, ScriptError::kBlockIsTooDeep);
      saw_deep = true;
    } else {
      EXPECT_EQ(e, ScriptError::kNone);
    }
  }
  EXPECT_TRUE(saw_deep);
  EXPECT_TRUE(saw_pruned);
  EXPECT_EQ(sim.seq_commit(kaspa::BlockHash(core::Hash32::from_byte(0xee))).error,
            ScriptError::kBlockAlreadyPruned);

  // A merged block off the chain, and a chain block a reorg replaced, are not selected.
  const Block& tip_block = sim.block(tip.hash);
  for (std::size_t i = 1; i < tip_block.mergeset.size(); ++i)
    EXPECT_EQ(sim.seq_commit(tip_block.mergeset[i]).error, ScriptError::kBlockNotSelected);
  const kaspa::BlockHash replaced = tip.hash;  // `tip` refers into the chain a reorg rewrites
  ASSERT_TRUE(sim.reorg(2).ok());
  EXPECT_EQ(sim.seq_commit(replaced).error, ScriptError::kBlockNotSelected);
}

}  // namespace
}  // namespace basalt::l1::sim
