#include "kaspa/lane_activity.hpp"

namespace basalt::kaspa {

LaneTip compute_lane_tip(const Hash32& parent_ref, const LaneKey& key,
                         const std::vector<LaneBlockActivity>& blocks) {
  Hash32 tip = parent_ref;
  std::vector<Hash32> leaves;
  for (const auto& block : blocks) {
    leaves.clear();
    for (const auto& tx : block.txs)
      leaves.push_back(activity_leaf(tx.tx_id, tx.version, tx.merge_idx));
    tip =
        lane_tip_next(tip, key, activity_digest_lane(leaves), mergeset_context_hash(block.context))
            .hash();
  }
  return LaneTip(tip);
}

SeqCommit seq_commit_from_lanes_root(const Hash32& lanes_root, const SeqCommit& inactivity_shortcut,
                                     const Hash32& payload_and_ctx_digest,
                                     const SeqCommit& parent_seq_commit) {
  Hash32 ar = activity_root_hash(inactivity_shortcut, lanes_root);
  return seq_commit(parent_seq_commit, seq_state_root(ar, payload_and_ctx_digest));
}

core::Result<SeqCommit> compute_seq_commit_for_lane(const LaneKey& key, const LaneTip& tip,
                                                    const LaneProofWitness& witness) {
  Hash32 leaf = smt_leaf_hash(tip, witness.blue_score);
  BASALT_ASSIGN_OR_RETURN(auto lanes_root, witness.smt_proof.compute_root(key, leaf));
  return seq_commit_from_lanes_root(lanes_root, witness.inactivity_shortcut,
                                    witness.payload_and_ctx_digest, witness.parent_seq_commit);
}

core::Result<SeqCommit> compute_seq_commit_for_inactive_lane(const LaneKey& key,
                                                             const LaneProofWitness& witness) {
  BASALT_ASSIGN_OR_RETURN(auto lanes_root, witness.smt_proof.compute_root(key, std::nullopt));
  return seq_commit_from_lanes_root(lanes_root, witness.inactivity_shortcut,
                                    witness.payload_and_ctx_digest, witness.parent_seq_commit);
}

core::Status verify_lane_activity(const Hash32& parent_ref, const LaneKey& key,
                                  const std::vector<LaneBlockActivity>& blocks,
                                  const LaneProofWitness& witness, const SeqCommit& expected) {
  LaneTip tip = compute_lane_tip(parent_ref, key, blocks);
  BASALT_ASSIGN_OR_RETURN(auto got, compute_seq_commit_for_lane(key, tip, witness));
  if (got != expected) {
    return core::Error{core::ErrorCode::kVerifyFailed, "lane activity: SeqCommit mismatch"};
  }
  return core::Status::Ok();
}

}  // namespace basalt::kaspa
