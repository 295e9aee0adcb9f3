/* KIP-21 hashing inside a guest (docs/kip21 functions, mirrored from src/kaspa/seq_commit.hpp and
   lane_smt.hpp): everything a batch or aggregate guest needs to follow a lane's tip and tie it to
   a chain block's SeqCommit. All hashes are keyed BLAKE3 with the domain name zero-padded to 32
   bytes. */
#ifndef BASALT_CHAIN_H
#define BASALT_CHAIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* SeqCommitActivityLeaf(tx_id || le_u16 version || le_u32 merge_idx). */
void basalt_activity_leaf(const uint8_t tx_id[32], uint16_t version, uint32_t merge_idx,
                          uint8_t out[32]);
/* SeqCommitMergesetContext(le_u64 timestamp || le_u64 daa_score || le_u64 blue_score). */
void basalt_mergeset_context(uint64_t timestamp, uint64_t daa_score, uint64_t blue_score,
                             uint8_t out[32]);
/* SeqCommitLaneTip(parent_ref || lane_key || activity_digest || context_hash). */
void basalt_lane_tip_next(const uint8_t parent_ref[32], const uint8_t lane_key[32],
                          const uint8_t activity_digest[32], const uint8_t context_hash[32],
                          uint8_t out[32]);
/* H_seq(a || b) (SeqCommitmentMerkleBranchHash): Merkle branches, the state root, the SeqCommit. */
void basalt_seq_pair(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]);
/* SeqCommitActiveLeaf(lane_tip || le_u64 blue_score). */
void basalt_lane_smt_leaf(const uint8_t lane_tip[32], uint64_t blue_score, uint8_t out[32]);
/* SeqCommitActivityRoot(inactivity_shortcut || lanes_root). */
void basalt_activity_root(const uint8_t inactivity_shortcut[32], const uint8_t lanes_root[32],
                          uint8_t out[32]);

/* The Merkle root (H_seq) of leaves added in order: none gives zero, one gives the leaf, more a
   power-of-two tree with zero right children where missing (kip21 §2). */
typedef struct {
  uint8_t pending[32][32];
  uint32_t count;
} basalt_merkle;
void basalt_merkle_init(basalt_merkle* m);
void basalt_merkle_add(basalt_merkle* m, const uint8_t leaf[32]);
void basalt_merkle_root(const basalt_merkle* m, uint8_t out[32]);

/* The lanes root a lane SMT proof (kip21 §4.3 wire format) implies for `lane_key` holding `leaf`.
   0 on success; otherwise 1 malformed, 2 a terminal that cannot prove inclusion. */
int basalt_lane_proof_root(const uint8_t* proof, uint32_t len, const uint8_t lane_key[32],
                           const uint8_t leaf[32], uint8_t out[32]);

#ifdef __cplusplus
}
#endif

#endif
