/* KIP-21 hashing for guests; mirrors src/kaspa/seq_commit.cpp and SmtProof::compute_root. */
#include "basalt/chain.h"

#include "basalt/guest.h"
#include "basalt/hash.h"

static const uint8_t kActivityLeaf[32] = "SeqCommitActivityLeaf";
static const uint8_t kMergesetContext[32] = "SeqCommitMergesetContext";
static const uint8_t kLaneTip[32] = "SeqCommitLaneTip";
static const uint8_t kMerkleBranch[32] = "SeqCommitmentMerkleBranchHash";
static const uint8_t kActiveLeaf[32] = "SeqCommitActiveLeaf";
static const uint8_t kActiveNode[32] = "SeqCommitActiveNode";
static const uint8_t kActiveCollapsed[32] = "SeqCommitActiveCollapsedNode";
static const uint8_t kActivityRoot[32] = "SeqCommitActivityRoot";

static void put_le(uint8_t* p, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = (uint8_t)(v >> (8 * i));
}

static void keyed_pair(const uint8_t key[32], const uint8_t a[32], const uint8_t b[32],
                       uint8_t out[32]) {
  uint8_t buf[64];
  memcpy(buf, a, 32);
  memcpy(buf + 32, b, 32);
  basalt_blake3_keyed(key, buf, 64, out);
}

void basalt_activity_leaf(const uint8_t tx_id[32], uint16_t version, uint32_t merge_idx,
                          uint8_t out[32]) {
  uint8_t buf[38];
  memcpy(buf, tx_id, 32);
  put_le(buf + 32, version, 2);
  put_le(buf + 34, merge_idx, 4);
  basalt_blake3_keyed(kActivityLeaf, buf, sizeof buf, out);
}

void basalt_mergeset_context(uint64_t timestamp, uint64_t daa_score, uint64_t blue_score,
                             uint8_t out[32]) {
  uint8_t buf[24];
  put_le(buf, timestamp, 8);
  put_le(buf + 8, daa_score, 8);
  put_le(buf + 16, blue_score, 8);
  basalt_blake3_keyed(kMergesetContext, buf, sizeof buf, out);
}

void basalt_lane_tip_next(const uint8_t parent_ref[32], const uint8_t lane_key[32],
                          const uint8_t activity_digest[32], const uint8_t context_hash[32],
                          uint8_t out[32]) {
  uint8_t buf[128];
  memcpy(buf, parent_ref, 32);
  memcpy(buf + 32, lane_key, 32);
  memcpy(buf + 64, activity_digest, 32);
  memcpy(buf + 96, context_hash, 32);
  basalt_blake3_keyed(kLaneTip, buf, sizeof buf, out);
}

void basalt_seq_pair(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
  keyed_pair(kMerkleBranch, a, b, out);
}

void basalt_lane_smt_leaf(const uint8_t lane_tip[32], uint64_t blue_score, uint8_t out[32]) {
  uint8_t buf[40];
  memcpy(buf, lane_tip, 32);
  put_le(buf + 32, blue_score, 8);
  basalt_blake3_keyed(kActiveLeaf, buf, sizeof buf, out);
}

void basalt_activity_root(const uint8_t inactivity_shortcut[32], const uint8_t lanes_root[32],
                          uint8_t out[32]) {
  keyed_pair(kActivityRoot, inactivity_shortcut, lanes_root, out);
}

void basalt_merkle_init(basalt_merkle* m) {
  m->count = 0;
}

void basalt_merkle_add(basalt_merkle* m, const uint8_t leaf[32]) {
  uint8_t node[32];
  memcpy(node, leaf, 32);
  int level = 0;
  while (m->count >> level & 1) {
    basalt_seq_pair(m->pending[level], node, node);
    ++level;
  }
  memcpy(m->pending[level], node, 32);
  ++m->count;
}

void basalt_merkle_root(const basalt_merkle* m, uint8_t out[32]) {
  static const uint8_t kZero[32];
  memset(out, 0, 32);
  if (m->count == 0) return;
  int top = 31;
  while ((m->count >> top & 1) == 0) --top;
  /* A node alone at its level is an odd tail and gets a zero right sibling, except the highest one
     when nothing is carried into it (crypto::StreamingMerkleBuilder). */
  int carrying = 0;
  uint8_t carry[32];
  for (int level = 0; level <= top; ++level) {
    const int occupied = m->count >> level & 1;
    if (occupied && carrying) {
      basalt_seq_pair(m->pending[level], carry, carry);
    } else if (occupied) {
      if (level == top) {
        memcpy(out, m->pending[level], 32);
        return;
      }
      basalt_seq_pair(m->pending[level], kZero, carry);
      carrying = 1;
    } else if (carrying) {
      basalt_seq_pair(carry, kZero, carry);
    }
  }
  memcpy(out, carry, 32);
}

/* E[h]: E[0] = zero, E[h] = HN(E[h-1] || E[h-1]); computed up to the height a proof needs. */
static uint8_t g_empty[257][32];
static int g_empty_ready;

static const uint8_t* empty_hash(int height) {
  if (!g_empty_ready) {
    memset(g_empty[0], 0, 32);
    for (int h = 1; h <= 256; ++h)
      keyed_pair(kActiveNode, g_empty[h - 1], g_empty[h - 1], g_empty[h]);
    g_empty_ready = 1;
  }
  return g_empty[height];
}

static int lane_bit(const uint8_t* key, int depth) {
  return key[depth / 8] >> (7 - depth % 8) & 1;
}

int basalt_lane_proof_root(const uint8_t* proof, uint32_t len, const uint8_t lane_key[32],
                           const uint8_t leaf[32], uint8_t out[32]) {
  if (len < 33) return 1;
  const uint8_t* bitmap = proof;
  const uint8_t tag = proof[32];
  uint32_t at = 33;
  int limit = 256;
  if (tag == 1) {
    if (len < at + 1) return 1;
    limit = proof[at++];
  } else if (tag != 0) {
    return 2; /* CollapsedOther proves another lane, not this one's inclusion */
  }
  /* Every bit at or above the limit is set (canonical); siblings = clear bits below it. */
  uint32_t clear = 0;
  for (int d = 0; d < 256; ++d) {
    const int bit = bitmap[d / 8] >> (d % 8) & 1;
    if (d >= limit && !bit) return 1;
    if (d < limit && !bit) ++clear;
  }
  if (len != at + 32 * clear) return 1;
  int zero = 1;
  for (int i = 0; i < 32; ++i) zero &= leaf[i] == 0;
  if (zero) return 2;
  uint8_t cur[32], buf[64];
  memcpy(buf, lane_key, 32);
  memcpy(buf + 32, leaf, 32);
  basalt_blake3_keyed(kActiveCollapsed, buf, 64, cur);
  uint32_t next = clear;
  for (int d = limit - 1; d >= 0; --d) {
    const uint8_t* sib;
    if (bitmap[d / 8] >> (d % 8) & 1) {
      sib = empty_hash(255 - d);
    } else {
      sib = proof + at + 32 * --next;
    }
    if (lane_bit(lane_key, d)) {
      keyed_pair(kActiveNode, sib, cur, cur);
    } else {
      keyed_pair(kActiveNode, cur, sib, cur);
    }
  }
  memcpy(out, cur, 32);
  return 0;
}
