#include "l1/seq_check.hpp"

#include <optional>

namespace basalt::l1 {

using core::Error;
using core::ErrorCode;

core::Result<core::Hash32> check_seq_commit(const kaspa::SeqCommit& seq_commit,
                                            const kaspa::SeqCommit& parent_seq_commit,
                                            std::span<const LaneProof> proofs) {
  const auto bad = [](const std::string& why) { return Error{ErrorCode::kInvalid, why}; };
  if (proofs.empty()) return bad("no lane proof to check it with");
  std::optional<core::Hash32> activity_root;
  for (const LaneProof& p : proofs) {
    if (p.parent_seq_commit != parent_seq_commit) {
      return bad("its lane proof names parent SeqCommit " + p.parent_seq_commit.hex() +
                 ", the selected parent has " + parent_seq_commit.hex() +
                 " (the chain does not link up)");
    }
    if (p.payload_and_ctx_digest != proofs.front().payload_and_ctx_digest ||
        p.inactivity_shortcut != proofs.front().inactivity_shortcut)
      return bad("its lane proofs disagree on the block's commitment parts");
    std::optional<core::Hash32> leaf;
    if (p.lane_tip) leaf = kaspa::smt_leaf_hash(*p.lane_tip, p.lane_blue_score.value_or(0));
    auto lanes_root = p.smt_proof.compute_root(p.lane_key, leaf);
    if (!lanes_root.ok())
      return bad("lane proof of " + p.lane_key.hex() + ": " + lanes_root.error().context());
    const core::Hash32 root = kaspa::activity_root_hash(p.inactivity_shortcut, *lanes_root);
    if (activity_root && *activity_root != root)
      return bad("its lane proofs imply different activity roots");
    activity_root = root;
  }
  const kaspa::SeqCommit expected = kaspa::seq_commit(
      parent_seq_commit,
      kaspa::seq_state_root(*activity_root, proofs.front().payload_and_ctx_digest));
  if (expected != seq_commit) {
    return bad("its header's SeqCommit " + seq_commit.hex() + " is not the " + expected.hex() +
               " its lane proof gives");
  }
  return *activity_root;
}

}  // namespace basalt::l1
