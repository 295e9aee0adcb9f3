// Proving one lane's activity against a SeqCommit (kip21 §5.1): recompute the lane tip over the
// chain blocks that touched the lane, then recompute the SeqCommit that tip implies through a
// lane-proof witness (lane SMT -> lanes_root -> activity_root -> state_root -> SeqCommit).
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "kaspa/lane_smt.hpp"
#include "kaspa/seq_commit.hpp"
#include "kaspa/types.hpp"

namespace basalt::kaspa {

struct LaneTxActivity {
  TxId tx_id;
  std::uint16_t version = 0;
  std::uint32_t merge_idx = 0;
};

// The lane's accepted transactions in one chain block, in merge_idx order, and that block's
// context.
struct LaneBlockActivity {
  std::vector<LaneTxActivity> txs;
  MergesetContext context;
};

// What GetSeqCommitLaneProof returns besides the tip (kip21 §9).
struct LaneProofWitness {
  SmtProof smt_proof;
  std::uint64_t blue_score = 0;  // the lane's last-touch blue score
  SeqCommit inactivity_shortcut;
  Hash32 payload_and_ctx_digest;
  SeqCommit parent_seq_commit;
};

// tip = parent_ref; for each block: tip = lane_tip_next(tip, key, activity digest, context hash).
LaneTip compute_lane_tip(const Hash32& parent_ref, const LaneKey& key,
                         const std::vector<LaneBlockActivity>& blocks);

// The SeqCommit implied by `tip` being the lane's leaf under the witness. Errors: those of
// SmtProof::compute_root.
core::Result<SeqCommit> compute_seq_commit_for_lane(const LaneKey& key, const LaneTip& tip,
                                                    const LaneProofWitness& witness);

// The SeqCommit implied by the lane being absent (non-inclusion proof in the witness).
core::Result<SeqCommit> compute_seq_commit_for_inactive_lane(const LaneKey& key,
                                                             const LaneProofWitness& witness);

// The SeqCommit implied by a lanes root and the rest of a block's commitment (kip21 §4.4
// verify_smt_metadata chain).
SeqCommit seq_commit_from_lanes_root(const Hash32& lanes_root, const SeqCommit& inactivity_shortcut,
                                     const Hash32& payload_and_ctx_digest,
                                     const SeqCommit& parent_seq_commit);

// kVerifyFailed unless the activity, chained from parent_ref, yields `expected` through the
// witness.
core::Status verify_lane_activity(const Hash32& parent_ref, const LaneKey& key,
                                  const std::vector<LaneBlockActivity>& blocks,
                                  const LaneProofWitness& witness, const SeqCommit& expected);

}  // namespace basalt::kaspa
