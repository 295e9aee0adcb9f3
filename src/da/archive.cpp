#include "da/archive.hpp"

#include <map>
#include <string>
#include <vector>

#include "core/assert.hpp"
#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "kaspa/seq_commit.hpp"
#include "l1/seq_check.hpp"

namespace basalt::da {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::uint8_t kVersion = 1;
// A settlement on the lane may carry a re-execution receipt in its signature script (the
// simulator's bound), and a record holds at most one block's transactions.
constexpr std::uint64_t kMaxSignatureScript = 32u << 20;
constexpr std::uint64_t kMaxTxBytes = 64u << 20;
constexpr std::uint64_t kMaxLaneTxs = 1'000'000;
constexpr std::uint64_t kMaxSmtProofBytes = 64 * 1024;
// merge_idx and the length of the smallest transaction encoding.
constexpr std::size_t kMinTxEntry = 4 + 8 + 40;

Error invalid(std::uint64_t batch, const std::string& why) {
  return Error{ErrorCode::kInvalid, "archived batch " + std::to_string(batch) + ": " + why};
}

core::Status read_proof(core::ByteReader& r, l1::LaneProof& p) {
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 key, r.read_hash32("lane_key"));
  p.lane_key = kaspa::LaneKey(key);
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t has_tip, r.read_u8("lane_tip flag"));
  if (has_tip > 1) return Error{ErrorCode::kNonCanonical, "lane_tip flag is not 0 or 1"};
  if (has_tip == 1) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 tip, r.read_hash32("lane_tip"));
    BASALT_ASSIGN_OR_RETURN(const std::uint64_t bs, r.read_u64_le("lane_blue_score"));
    p.lane_tip = kaspa::LaneTip(tip);
    p.lane_blue_score = bs;
  }
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan smt, r.read_var_bytes(kMaxSmtProofBytes, "smt"));
  BASALT_ASSIGN_OR_RETURN(p.smt_proof, kaspa::SmtProof::from_bytes(smt));
  BASALT_ASSIGN_OR_RETURN(p.payload_and_ctx_digest, r.read_hash32("payload_and_ctx_digest"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 shortcut, r.read_hash32("inactivity_shortcut"));
  p.inactivity_shortcut = kaspa::SeqCommit(shortcut);
  return core::Status::Ok();
}

core::Status read_txs(core::ByteReader& r, l1::ChainBlockInfo& b) {
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t n, r.read_count(kMaxLaneTxs, kMinTxEntry, "txs"));
  b.accepted.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    l1::AcceptedTx a;
    BASALT_ASSIGN_OR_RETURN(a.merge_idx, r.read_u32_le("merge_idx"));
    if (i > 0 && a.merge_idx <= b.accepted.back().merge_idx)
      return Error{ErrorCode::kNonCanonical, "merge_idx not increasing"};
    BASALT_ASSIGN_OR_RETURN(const core::ByteSpan tx, r.read_var_bytes(kMaxTxBytes, "tx"));
    BASALT_ASSIGN_OR_RETURN(a.tx, kaspa::deserialize_transaction(tx, kMaxSignatureScript));
    a.version = a.tx.version;
    a.lane = a.tx.subnetwork_id;
    b.accepted.push_back(std::move(a));
  }
  return core::Status::Ok();
}

// The ids of the lane's transactions, from the transactions themselves.
void identify(l1::ChainBlockInfo& b) {
  std::vector<const kaspa::Transaction*> txs;
  for (const l1::AcceptedTx& a : b.accepted) txs.push_back(&a.tx);
  std::vector<kaspa::TxId> ids(txs.size());
  kaspa::tx_ids(txs, ids.data());
  for (std::size_t i = 0; i < ids.size(); ++i) b.accepted[i].tx_id = ids[i];
}

}  // namespace

ActivityRecord activity_record(std::uint64_t batch, const l1::ChainBlockInfo& block,
                               const kaspa::LaneId& lane, l1::LaneProof proof) {
  ActivityRecord r;
  r.batch = batch;
  l1::ChainBlockInfo& b = r.block;
  b.hash = block.hash;
  b.selected_parent = block.selected_parent;
  b.selected_parent_seq_commit = block.selected_parent_seq_commit;
  b.selected_parent_timestamp = block.selected_parent_timestamp;
  b.blue_score = block.blue_score;
  b.daa_score = block.daa_score;
  b.seq_commit = block.seq_commit;
  b.payload_and_ctx_digest = block.payload_and_ctx_digest;
  for (const l1::AcceptedTx& a : block.accepted)
    if (a.lane == lane) b.accepted.push_back(a);
  b.lane_proofs.push_back(std::move(proof));
  return r;
}

core::Bytes encode_activity_record(const ActivityRecord& r) {
  const l1::ChainBlockInfo& b = r.block;
  core::ByteWriter w(512);
  w.u8(kVersion);
  w.u64_le(r.batch);
  w.hash(b.hash.hash());
  w.hash(b.selected_parent.hash());
  w.hash(b.seq_commit.hash());
  w.hash(b.selected_parent_seq_commit.hash());
  w.u64_le(b.selected_parent_timestamp);
  w.u64_le(b.blue_score);
  w.u64_le(b.daa_score);
  BASALT_ASSERT(b.lane_proofs.size() == 1);
  const l1::LaneProof& p = b.lane_proofs.front();
  w.hash(p.lane_key.hash());
  w.u8(p.lane_tip ? 1 : 0);
  if (p.lane_tip) {
    w.hash(p.lane_tip->hash());
    w.u64_le(p.lane_blue_score.value_or(0));
  }
  w.var_bytes(p.smt_proof.to_bytes());
  w.hash(p.payload_and_ctx_digest);
  w.hash(p.inactivity_shortcut.hash());
  w.u64_le(b.accepted.size());
  for (const l1::AcceptedTx& a : b.accepted) {
    w.u32_le(a.merge_idx);
    w.var_bytes(kaspa::serialize_transaction(a.tx));
  }
  return w.take();
}

core::Result<ActivityRecord> decode_activity_record(core::ByteSpan bytes) {
  core::ByteReader r(bytes);
  ActivityRecord out;
  l1::ChainBlockInfo& b = out.block;
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("version"));
  if (version != kVersion)
    return Error{ErrorCode::kUnknownTag, "activity record version " + std::to_string(version)};
  BASALT_ASSIGN_OR_RETURN(out.batch, r.read_u64_le("batch"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 hash, r.read_hash32("block"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 parent, r.read_hash32("selected_parent"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 seq, r.read_hash32("seq_commit"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 parent_seq, r.read_hash32("parent_seq_commit"));
  b.hash = kaspa::BlockHash(hash);
  b.selected_parent = kaspa::BlockHash(parent);
  b.seq_commit = kaspa::SeqCommit(seq);
  b.selected_parent_seq_commit = kaspa::SeqCommit(parent_seq);
  BASALT_ASSIGN_OR_RETURN(b.selected_parent_timestamp, r.read_u64_le("parent_timestamp"));
  BASALT_ASSIGN_OR_RETURN(b.blue_score, r.read_u64_le("blue_score"));
  BASALT_ASSIGN_OR_RETURN(b.daa_score, r.read_u64_le("daa_score"));
  l1::LaneProof p;
  p.parent_seq_commit = b.selected_parent_seq_commit;
  BASALT_TRY(read_proof(r, p));
  b.payload_and_ctx_digest = p.payload_and_ctx_digest;
  b.lane_proofs.push_back(std::move(p));
  BASALT_TRY(read_txs(r, b));
  BASALT_TRY(r.expect_end("activity record"));
  for (const l1::AcceptedTx& a : b.accepted) {
    if (kaspa::lane_key(a.lane) != b.lane_proofs.front().lane_key)
      return invalid(out.batch, "holds a transaction of another lane");
  }
  identify(b);
  return out;
}

namespace {

std::optional<l1::LaneState> proven_state(const l1::LaneProof& p) {
  if (!p.lane_tip) return std::nullopt;
  return l1::LaneState{*p.lane_tip, p.lane_blue_score.value_or(0)};
}

}  // namespace

ActivityPoint activity_point(const ActivityRecord& r) {
  return {r.batch, r.block.hash, r.block.seq_commit, proven_state(r.block.lane_proofs.front())};
}

core::Result<CheckedActivity> check_activity(const kaspa::LaneId& lane,
                                             std::uint64_t finality_depth,
                                             std::span<const ActivityRecord> records) {
  if (records.empty()) return Error{ErrorCode::kInvalid, "no archived activity to check"};
  const kaspa::LaneKey key = kaspa::lane_key(lane);
  for (const ActivityRecord& r : records) {
    const auto& proofs = r.block.lane_proofs;
    if (proofs.size() != 1 || proofs.front().lane_key != key)
      return invalid(r.batch, "its lane proof is not of lane " + key.hex());
    for (const l1::AcceptedTx& a : r.block.accepted)
      if (a.lane != lane) return invalid(r.batch, "holds a transaction of another lane");
  }
  const ActivityRecord& head = records.front();
  if (auto root = l1::check_seq_commit(head.block.seq_commit, head.block.selected_parent_seq_commit,
                                       head.block.lane_proofs);
      !root.ok())
    return invalid(head.batch, root.error().context());
  l1::Follower follower(finality_depth, {lane});
  std::map<kaspa::LaneKey, l1::LaneState> lanes;
  if (auto s = proven_state(head.block.lane_proofs.front())) lanes[key] = *s;
  follower.restore(1, head.block.hash, head.block.blue_score, std::move(lanes));

  CheckedActivity out;
  out.first = activity_point(head);
  for (std::size_t i = 1; i < records.size(); ++i) {
    const ActivityRecord& prev = records[i - 1];
    const ActivityRecord& r = records[i];
    if (r.batch != prev.batch + 1)
      return invalid(r.batch, "follows batch " + std::to_string(prev.batch));
    if (r.block.selected_parent_seq_commit != prev.block.seq_commit)
      return invalid(r.batch, "its parent SeqCommit is not the previous block's SeqCommit");
    auto root = l1::check_seq_commit(r.block.seq_commit, r.block.selected_parent_seq_commit,
                                     r.block.lane_proofs);
    if (!root.ok()) return invalid(r.batch, root.error().context());
    l1::ChainChanged step;
    step.added.push_back(r.block);
    step.added.back().activity_root = *root;
    if (auto st = follower.apply(step); !st.ok()) return invalid(r.batch, st.error().context());
    out.lane_txs += r.block.accepted.size();
  }
  // The follower has checked that the last proof shows the state it computed.
  out.last = activity_point(records.back());
  return out;
}

}  // namespace basalt::da
