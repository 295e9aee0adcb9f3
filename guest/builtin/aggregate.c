/* The aggregator guest (docs/abi.md §9): chains a bundle's consecutive batch journals, taken as
   assumptions on the batch processor's image id, checks the last batch's lane tip against the end
   block's SeqCommit through a lane proof, and commits the settlement journal: the seed's 320-byte
   StateTransition. Any inconsistency stops the guest with a code below: no receipt then. */
#include "basalt/chain.h"
#include "basalt/guest.h"
#include "basalt/hash.h"
#include "basalt/tx.h"

enum {
  kExitMalformedInput = 1,
  kExitEmptyBundle = 2,
  kExitBadBatchJournal = 3,
  kExitStateChain = 10,   /* a batch's prev_state is not its predecessor's new_state */
  kExitLaneChain = 11,    /* lane tip or lane blue score do not chain */
  kExitBlockChain = 12,   /* a batch's block is not the child of its predecessor's block */
  kExitPinsDiffer = 13,   /* lane key, covenant id, tx image id or F differ between batches */
  kExitBadLaneProof = 14, /* the lane proof does not prove the last lane tip */
  kExitSeqCommit = 15,    /* the lane proof leads to another activity root than the end block's */
};
enum { kVersion = 1, kBatchJournalSize = 350 };

/* Offsets in a BatchTransition journal (docs/abi.md §8). */
enum {
  kPrevState = 2,
  kNewState = 34,
  kPrevLaneTip = 66,
  kPrevLaneBlueScore = 98,
  kNewLaneTip = 106,
  kNewLaneBlueScore = 138,
  kParentSeqCommit = 146,
  kSeqCommit = 178,
  kActivityRoot = 210,
  kLaneKey = 242,
  kCovenantId = 274,
  kTxImageId = 306,
  kFinalityDepth = 338,
};

static int same(const uint8_t* a, const uint8_t* b, uint32_t n) {
  return memcmp(a, b, n) == 0;
}

int main(void) {
  const uint32_t in_len = (uint32_t)basalt_input_len();
  uint8_t* in = (uint8_t*)basalt_alloc(in_len + 1, 4);
  if (basalt_read_exact(in, in_len) != 0) return kExitMalformedInput;
  const uint8_t* p = in;
  const uint8_t* end = in + in_len;
#define NEED(n) \
  if ((uint32_t)(end - p) < (uint32_t)(n)) return kExitMalformedInput
  NEED(2 + 32 + 4);
  if ((p[0] | p[1] << 8) != kVersion) return kExitMalformedInput;
  const uint8_t* batch_image_id = p + 2;
  const uint32_t n = basalt_le32(p + 34);
  p += 38;
  if (n == 0) return kExitEmptyBundle;
  const uint8_t* first = 0;
  const uint8_t* prev = 0;
  for (uint32_t i = 0; i < n; ++i) {
    NEED(4);
    const uint32_t len = basalt_le32(p);
    p += 4;
    NEED(len);
    const uint8_t* b = p;
    p += len;
    uint8_t digest[32];
    basalt_sha256(b, len, digest);
    basalt_verify(batch_image_id, digest);
    if (len != kBatchJournalSize || (b[0] | b[1] << 8) != 1) return kExitBadBatchJournal;
    if (prev) {
      if (!same(b + kPrevState, prev + kNewState, 32)) return kExitStateChain;
      if (!same(b + kPrevLaneTip, prev + kNewLaneTip, 32) ||
          !same(b + kPrevLaneBlueScore, prev + kNewLaneBlueScore, 8))
        return kExitLaneChain;
      if (!same(b + kParentSeqCommit, prev + kSeqCommit, 32)) return kExitBlockChain;
      if (!same(b + kLaneKey, prev + kLaneKey, 32 * 3) ||
          !same(b + kFinalityDepth, prev + kFinalityDepth, 8))
        return kExitPinsDiffer;
    } else {
      first = b;
    }
    prev = b;
  }
  NEED(4);
  const uint32_t proof_len = basalt_le32(p);
  p += 4;
  NEED(proof_len + 32);
  const uint8_t* lane_proof = p;
  const uint8_t* inactivity_shortcut = p + proof_len;
  p += proof_len + 32;
  if (p != end) return kExitMalformedInput;
#undef NEED

  /* The last lane tip, as the end block's lane SMT leaf, must lead to that block's activity root;
     the batch processor already tied the activity root to the block's SeqCommit. */
  uint8_t leaf[32], lanes_root[32], activity_root[32];
  basalt_lane_smt_leaf(prev + kNewLaneTip, basalt_le64(prev + kNewLaneBlueScore), leaf);
  if (basalt_lane_proof_root(lane_proof, proof_len, prev + kLaneKey, leaf, lanes_root) != 0)
    return kExitBadLaneProof;
  basalt_activity_root(inactivity_shortcut, lanes_root, activity_root);
  if (!same(activity_root, prev + kActivityRoot, 32)) return kExitSeqCommit;

  uint8_t j[320];
  memcpy(j, first + kPrevState, 32);
  memcpy(j + 32, first + kPrevLaneTip, 32);
  memcpy(j + 64, prev + kNewState, 32);
  memcpy(j + 96, prev + kNewLaneTip, 32);
  memcpy(j + 128, prev + kSeqCommit, 32);
  memcpy(j + 160, first + kCovenantId, 32);
  memcpy(j + 192, first + kTxImageId, 32);
  memcpy(j + 224, batch_image_id, 32);
  memset(j + 256, 0, 32); /* permission_spk_hash: the transaction ABI has no exits yet */
  memcpy(j + 288, first + kLaneKey, 32);
  basalt_commit(j, sizeof j);
  return 0;
}
