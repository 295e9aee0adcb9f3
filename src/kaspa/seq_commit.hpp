// The KIP-21 sequencing commitment, function by function (kip21 §3). Every preimage is fixed width
// (no separators); H_x is the BLAKE3 hasher of domain x.
//
//   SeqCommit(B)           = H_seq(SeqCommit(SP(B)) || state_root)
//   state_root             = H_seq(activity_root || payload_and_ctx_digest)
//   activity_root          = H_activity_root(inactivity_shortcut || lanes_root)
//   payload_and_ctx_digest = H_seq(context_hash || miner_payload_root)
#pragma once

#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "kaspa/types.hpp"

namespace basalt::kaspa {

struct MergesetContext {
  std::uint64_t timestamp = 0;   // the selected parent's timestamp
  std::uint64_t daa_score = 0;   // the accepting block's DAA score
  std::uint64_t blue_score = 0;  // the accepting block's blue score
};

// SeqCommitLaneKey(lane_id[20]).
LaneKey lane_key(const LaneId& lane);
// lane_key([1, 0 x 19]).
const LaneKey& coinbase_lane_key();
// SeqCommitActivityLeaf(tx_id || le_u16 version || le_u32 merge_idx).
Hash32 activity_leaf(const TxId& tx_id, std::uint16_t version, std::uint32_t merge_idx);
// Merkle root (H_seq) of one lane's activity leaves in ascending merge_idx order.
Hash32 activity_digest_lane(std::span<const Hash32> leaves);
// SeqCommitMergesetContext(le_u64 timestamp || le_u64 daa_score || le_u64 blue_score).
Hash32 mergeset_context_hash(const MergesetContext& ctx);
// SeqCommitLaneTip(parent_ref || lane_key || activity_digest || context_hash). parent_ref is the
// lane's tip if it is active, otherwise the selected parent's SeqCommit (kip21 §3.1 step 5).
LaneTip lane_tip_next(const Hash32& parent_ref, const LaneKey& key, const Hash32& activity_digest,
                      const Hash32& context_hash);
// SeqCommitActiveLeaf(lane_tip || le_u64 blue_score), blue_score being the last-touch blue score.
Hash32 smt_leaf_hash(const LaneTip& tip, std::uint64_t blue_score);
// SeqCommitActivityRoot(inactivity_shortcut || lanes_root).
Hash32 activity_root_hash(const SeqCommit& inactivity_shortcut, const Hash32& lanes_root);
// PayloadDigest(coinbase payload).
Hash32 miner_payload_hash(core::ByteSpan payload);
// SeqCommitMinerPayloadLeaf(block_hash || write_blue_work(blue_work) || miner_payload_hash).
Hash32 miner_payload_leaf(const BlockHash& block, const BlueWork& blue_work,
                          core::ByteSpan payload);
// Merkle root (H_seq) of the miner payload leaves in mergeset order.
Hash32 miner_payload_root(std::span<const Hash32> leaves);
// H_seq(context_hash || payload_root).
Hash32 payload_and_context_digest(const Hash32& context_hash, const Hash32& payload_root);
// H_seq(activity_root || payload_and_ctx_digest).
Hash32 seq_state_root(const Hash32& activity_root, const Hash32& payload_and_ctx_digest);
// H_seq(parent_seq_commit || state_root).
SeqCommit seq_commit(const SeqCommit& parent, const Hash32& state_root);

}  // namespace basalt::kaspa
