#include "kaspa/seq_commit.hpp"

#include "crypto/domain.hpp"
#include "crypto/merkle.hpp"

namespace basalt::kaspa {

using crypto::Domain;
using crypto::DomainHasher;

LaneKey lane_key(const LaneId& lane) {
  return LaneKey(crypto::domain_hash(Domain::kSeqCommitLaneKey, lane.span()));
}

const LaneKey& coinbase_lane_key() {
  static const LaneKey key = lane_key(kCoinbaseLaneId);
  return key;
}

Hash32 activity_leaf(const TxId& tx_id, std::uint16_t version, std::uint32_t merge_idx) {
  DomainHasher h(Domain::kSeqCommitActivityLeaf);
  h.update(tx_id.hash()).update_u16_le(version).update_u32_le(merge_idx);
  return h.finalize();
}

Hash32 activity_digest_lane(std::span<const Hash32> leaves) {
  return crypto::merkle_root(Domain::kSeqCommitMerkleBranch, leaves);
}

Hash32 mergeset_context_hash(const MergesetContext& ctx) {
  DomainHasher h(Domain::kSeqCommitMergesetContext);
  h.update_u64_le(ctx.timestamp).update_u64_le(ctx.daa_score).update_u64_le(ctx.blue_score);
  return h.finalize();
}

LaneTip lane_tip_next(const Hash32& parent_ref, const LaneKey& key, const Hash32& activity_digest,
                      const Hash32& context_hash) {
  DomainHasher h(Domain::kSeqCommitLaneTip);
  h.update(parent_ref).update(key.hash()).update(activity_digest).update(context_hash);
  return LaneTip(h.finalize());
}

Hash32 smt_leaf_hash(const LaneTip& tip, std::uint64_t blue_score) {
  DomainHasher h(Domain::kSeqCommitActiveLeaf);
  h.update(tip.hash()).update_u64_le(blue_score);
  return h.finalize();
}

Hash32 activity_root_hash(const SeqCommit& inactivity_shortcut, const Hash32& lanes_root) {
  return crypto::domain_hash_pair(Domain::kSeqCommitActivityRoot, inactivity_shortcut.hash(),
                                  lanes_root);
}

Hash32 miner_payload_hash(core::ByteSpan payload) {
  return crypto::domain_hash(Domain::kPayloadDigest, payload);
}

Hash32 miner_payload_leaf(const BlockHash& block, const BlueWork& blue_work,
                          core::ByteSpan payload) {
  DomainHasher h(Domain::kSeqCommitMinerPayloadLeaf);
  h.update(block.hash()).update(blue_work.hashing_encoding()).update(miner_payload_hash(payload));
  return h.finalize();
}

Hash32 miner_payload_root(std::span<const Hash32> leaves) {
  return crypto::merkle_root(Domain::kSeqCommitMerkleBranch, leaves);
}

Hash32 payload_and_context_digest(const Hash32& context_hash, const Hash32& payload_root) {
  return crypto::domain_hash_pair(Domain::kSeqCommitMerkleBranch, context_hash, payload_root);
}

Hash32 seq_state_root(const Hash32& activity_root, const Hash32& payload_and_ctx_digest) {
  return crypto::domain_hash_pair(Domain::kSeqCommitMerkleBranch, activity_root,
                                  payload_and_ctx_digest);
}

SeqCommit seq_commit(const SeqCommit& parent, const Hash32& state_root) {
  return SeqCommit(
      crypto::domain_hash_pair(Domain::kSeqCommitMerkleBranch, parent.hash(), state_root));
}

}  // namespace basalt::kaspa
