/* The aggregator guest (docs/abi.md §9): chains a bundle's consecutive batch journals, taken as
   assumptions on the batch processor's image id, checks the last batch's lane tip against the end
   block's SeqCommit through a lane proof, and commits the settlement journal: the seed's 320-byte
   StateTransition, whose permission_spk_hash is the P2SH hash of the exit output that pays the
   bundle's exits (src/zk/exits.hpp), or zero without exits. Any inconsistency stops the guest with
   a code below: no receipt then. */
#include "basalt/chain.h"
#include "basalt/guest.h"
#include "basalt/hash.h"
#include "basalt/tx.h"

enum {
  kExitMalformedInput = 1,
  kExitEmptyBundle = 2,
  kExitBadBatchJournal = 3,
  kExitStateChain = 10,    /* a batch's prev_state is not its predecessor's new_state */
  kExitLaneChain = 11,     /* lane tip or lane blue score do not chain */
  kExitBlockChain = 12,    /* a batch's block is not the child of its predecessor's block */
  kExitPinsDiffer = 13,    /* lane key, covenant id, tx image id or F differ between batches */
  kExitBadLaneProof = 14,  /* the lane proof does not prove the last lane tip */
  kExitSeqCommit = 15,     /* the lane proof leads to another activity root than the end block's */
  kExitExitsTooLarge = 16, /* the exits total more than Kaspa's supply */
};
enum {
  kVersion = 2,
  kBatchJournalVersion = 2,
  kBatchHeaderSize = 350,
  kExitSize = 41, /* kind u8 || key 32 || amount u64 */
  kTreeDepth = 32,
};

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

/* The exit tree (src/zk/exits.hpp), built as leaves arrive: node[l] holds a complete left subtree
   of height l waiting for its right sibling, when bit l of `pending` is set (so the tree is empty
   exactly when `pending` is 0). */
typedef struct {
  uint8_t node[kTreeDepth][32];
  uint32_t pending;
  uint64_t total;
} exit_tree;

static void branch(const uint8_t l[32], const uint8_t r[32], uint8_t out[32]) {
  uint8_t b[65];
  b[0] = 1;
  memcpy(b + 1, l, 32);
  memcpy(b + 33, r, 32);
  basalt_sha256(b, sizeof b, out);
}

/* Kaspa's script number encoding of a non-negative value: minimal little-endian, sign bit clear. */
static uint32_t script_number(uint64_t v, uint8_t out[9]) {
  uint32_t n = 0;
  for (; v > 0; v >>= 8) out[n++] = (uint8_t)v;
  if (n > 0 && (out[n - 1] & 0x80)) out[n++] = 0;
  return n;
}

/* Adds one exit (already checked by the batch processor); 0 when the total overflows. */
static int exit_tree_add(exit_tree* t, const uint8_t* e) {
  const uint64_t amount = basalt_le64(e + 33);
  if (amount > BASALT_MAX_EXIT_AMOUNT - t->total) return 0;
  t->total += amount;
  /* leaf = SHA-256(0x00 || u16 spk version (0) || script || n(amount)) */
  uint8_t pre[1 + 2 + 35 + 9];
  uint32_t o = 0;
  pre[o++] = 0;
  pre[o++] = 0;
  pre[o++] = 0;
  if (e[0] == BASALT_EXIT_P2SH) pre[o++] = 0xaa; /* OpBlake2b <32> OpEqual */
  pre[o++] = 0x20;
  memcpy(pre + o, e + 1, 32);
  o += 32;
  pre[o++] = e[0] == BASALT_EXIT_P2SH ? 0x87 : 0xac; /* or <32> OpCheckSig */
  o += script_number(amount, pre + o);
  uint8_t h[32];
  basalt_sha256(pre, o, h);
  for (uint32_t l = 0;; ++l) {
    if (!(t->pending & (1u << l))) {
      memcpy(t->node[l], h, 32);
      t->pending |= 1u << l;
      break;
    }
    branch(t->node[l], h, h);
    t->pending &= ~(1u << l);
  }
  return 1;
}

/* The root of a non-empty tree, padded with empty subtrees to depth 32. */
static void exit_tree_root(const exit_tree* t, uint8_t root[32]) {
  uint8_t empty[32];
  const uint8_t tag = 2;
  basalt_sha256(&tag, 1, empty);
  int have = 0;
  for (uint32_t l = 0; l < kTreeDepth; ++l) {
    if (t->pending & (1u << l)) {
      branch(t->node[l], have ? root : empty, root);
      have = 1;
    } else if (have) {
      branch(root, empty, root);
    }
    branch(empty, empty, empty);
  }
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
  exit_tree exits;
  memset(&exits, 0, sizeof exits);
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
    if (len < kBatchHeaderSize + 4 || (b[0] | b[1] << 8) != kBatchJournalVersion)
      return kExitBadBatchJournal;
    const uint32_t n_exits = basalt_le32(b + kBatchHeaderSize);
    if (n_exits > (len - kBatchHeaderSize - 4) / kExitSize ||
        len != kBatchHeaderSize + 4 + n_exits * kExitSize)
      return kExitBadBatchJournal;
    for (uint32_t k = 0; k < n_exits; ++k) {
      if (!exit_tree_add(&exits, b + kBatchHeaderSize + 4 + k * kExitSize))
        return kExitExitsTooLarge;
    }
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
  NEED(4);
  const uint32_t body_len = basalt_le32(p);
  p += 4;
  NEED(body_len);
  const uint8_t* exit_body = p;
  p += body_len;
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
  memset(j + 256, 0, 32);
  if (exits.pending != 0) {
    /* permission_spk_hash = BLAKE2b-256(0x20 <SHA-256(0x03 || root || n(total))> || body) */
    uint8_t* redeem = (uint8_t*)basalt_alloc(33 + body_len, 4);
    uint8_t pre[1 + 32 + 9];
    pre[0] = 3;
    exit_tree_root(&exits, pre + 1);
    const uint32_t n = script_number(exits.total, pre + 33);
    redeem[0] = 0x20;
    basalt_sha256(pre, 33 + n, redeem + 1);
    memcpy(redeem + 33, exit_body, body_len);
    basalt_blake2b256(redeem, 33 + body_len, j + 256);
  }
  memcpy(j + 288, first + kLaneKey, 32);
  basalt_commit(j, sizeof j);
  return 0;
}
