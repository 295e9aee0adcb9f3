/* The batch processor guest (docs/abi.md §8): proves one chain block's batch. It takes the app's
   transaction journals as assumptions on the app's image id, checks every input they commit
   against a multiproof of the state before the block, applies their outputs to get the new root,
   recomputes the lane's tip for the block (a lane idle for more than F blue score starts again
   from the parent SeqCommit) and checks it against the block's lane SMT when the block touched the
   lane, recomputes the block's SeqCommit from its commitment parts, and
   commits a BatchTransition journal with the exits of the block's successful transactions. Any
   inconsistency stops the guest with a code below: no receipt then. */
#include "basalt/chain.h"
#include "basalt/guest.h"
#include "basalt/hash.h"
#include "basalt/smt.h"
#include "basalt/tx.h"

enum {
  kExitMalformedInput = 1,
  kExitBadProof = 2,
  kExitMergeOrder = 3,
  kExitPayloadAccepted = 4,  /* a transaction said to have a refused payload has a valid one */
  kExitVersionIsV1 = 5,      /* a transaction said not to be v1 is v1 */
  kExitUnprovenKey = 6,      /* a journal names a resource the multiproof does not cover */
  kExitLaneNotCommitted = 7, /* the recomputed lane tip is not the one the block's SMT holds */
};
enum {
  kInputVersion = 2,
  kJournalVersion = 2,
  kTxAbiVersion = 2,
  kMaxAccesses = 256,
  kMaxPayloadBytes = 65536,
  kExitSize = 41, /* kind u8 || key 32 || amount u64 */
  kHeaderSize = 350,
};
enum { kKindJournal = 0, kKindPayloadRefused = 1, kKindNotV1 = 2, kKindRunFailed = 3 };

typedef struct {
  const uint8_t* p;
  const uint8_t* end;
} reader;

static const uint8_t* take(reader* r, uint32_t n) {
  if ((uint32_t)(r->end - r->p) < n) basalt_exit(kExitMalformedInput);
  const uint8_t* at = r->p;
  r->p += n;
  return at;
}
static uint32_t take_u32(reader* r) {
  return basalt_le32(take(r, 4));
}
static uint64_t take_u64(reader* r) {
  return basalt_le64(take(r, 8));
}
static uint32_t take_u16(reader* r) {
  const uint8_t* b = take(r, 2);
  return (uint32_t)b[0] | (uint32_t)b[1] << 8;
}

/* The host's payload decoder (src/exec/abi.cpp decode_payload), answering only "refused?". */
static int payload_refused(const uint8_t* p, uint32_t len) {
  if (len > kMaxPayloadBytes || len < 3 || p[0] != 1) return 1;
  const uint32_t n = (uint32_t)p[1] | (uint32_t)p[2] << 8;
  if (n > kMaxAccesses || len < 3 + 33 * n) return 1;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* e = p + 3 + 33 * i;
    if (e[32] != BASALT_ACCESS_READ && e[32] != BASALT_ACCESS_WRITE) return 1;
    if (i > 0 && memcmp(e - 33, e, 32) >= 0) return 1;
  }
  return 0;
}

typedef struct {
  uint32_t n;
  const uint8_t* entries; /* n x (id 32 || flags 1 || hash 32) */
  /* success: 0x00 || u8 n_exits || exits || per entry 0x00 | 0x01 hash; failure: 0x01 || code */
  const uint8_t* outcome;
  uint32_t outcome_len;
} journal_view;

/* Splits a transaction journal (docs/abi.md §3) and checks it commits this transaction's place and
   context; 0 when it does not (the host judges it input_mismatch). */
static int view_journal(const uint8_t* j, uint32_t len, const uint8_t tx_id[32], uint32_t merge_idx,
                        const uint8_t ctx[32], journal_view* v) {
  if (len < 72 || (j[0] | j[1] << 8) != kTxAbiVersion) return 0;
  if (memcmp(j + 2, tx_id, 32) != 0 || basalt_le32(j + 34) != merge_idx) return 0;
  if (memcmp(j + 38, ctx, 32) != 0) return 0;
  v->n = (uint32_t)j[70] | (uint32_t)j[71] << 8;
  if (len < 72 + 65 * v->n) return 0;
  v->entries = j + 72;
  v->outcome = j + 72 + 65 * v->n;
  v->outcome_len = len - 72 - 65 * v->n;
  return 1;
}

/* The outcome's exits and changed-hash per entry (null: unchanged), as exec::judge_run reads a
   journal; 0 when the transaction failed (journaled failure, malformed outcome or exit, write to a
   read-only resource). */
static int successful_outputs(const journal_view* v, const uint8_t** changed, const uint8_t** exits,
                              uint32_t* n_exits) {
  const uint8_t* o = v->outcome;
  const uint8_t* end = o + v->outcome_len;
  if (end - o < 2 || *o != 0) return 0;
  *n_exits = o[1];
  o += 2;
  if (*n_exits > BASALT_MAX_EXITS || (uint32_t)(end - o) < *n_exits * kExitSize) return 0;
  *exits = o;
  for (uint32_t i = 0; i < *n_exits; ++i, o += kExitSize) {
    const uint64_t amount = basalt_le64(o + 33);
    if (o[0] > BASALT_EXIT_P2SH || amount == 0 || amount > BASALT_MAX_EXIT_AMOUNT) return 0;
  }
  for (uint32_t i = 0; i < v->n; ++i) {
    if (o == end) return 0;
    const uint8_t flag = *o++;
    if (flag == 0) {
      changed[i] = 0;
    } else if (flag == 1 && end - o >= 32) {
      if (v->entries[65 * i + 32] != BASALT_ACCESS_WRITE) return 0;
      changed[i] = o;
      o += 32;
    } else {
      return 0;
    }
  }
  return o == end;
}

int main(void) {
  const uint32_t in_len = (uint32_t)basalt_input_len();
  uint8_t* in = (uint8_t*)basalt_alloc(in_len + 1, 4);
  if (basalt_read_exact(in, in_len) != 0) return kExitMalformedInput;
  reader r = {in, in + in_len};
  if (take_u16(&r) != kInputVersion) return kExitMalformedInput;
  const uint8_t* tx_image_id = take(&r, 32);
  const uint8_t* covenant_id = take(&r, 32);
  const uint8_t* lane_key = take(&r, 32);
  const uint64_t finality_depth = take_u64(&r);
  const uint64_t blue_score = take_u64(&r);
  const uint64_t daa_score = take_u64(&r);
  const uint64_t prev_timestamp = take_u64(&r);
  const uint8_t* parent_seq_commit = take(&r, 32);
  const uint8_t* activity_root = take(&r, 32);
  const uint8_t* payload_and_ctx = take(&r, 32);
  const uint8_t* inactivity_shortcut = take(&r, 32);
  const uint32_t lane_proof_len = take_u32(&r);
  const uint8_t* lane_proof = take(&r, lane_proof_len);
  const uint8_t* prev_lane_tip = take(&r, 32);
  const uint64_t prev_lane_blue_score = take_u64(&r);
  const uint32_t n_keys = take_u32(&r);
  if (n_keys > in_len / 32) return kExitMalformedInput;
  const uint8_t* keys = take(&r, 32 * n_keys);
  const uint32_t proof_len = take_u32(&r);
  const uint8_t* proof_bytes = take(&r, proof_len);
  basalt_multiproof proof;
  if (basalt_multiproof_decode(&proof, keys, n_keys, proof_bytes, proof_len) != 0)
    return kExitBadProof;
  uint8_t* latest = (uint8_t*)basalt_alloc(32 * n_keys + 1, 4);
  memcpy(latest, proof.values, 32 * n_keys);

  uint8_t ctx[32];
  basalt_mergeset_context(prev_timestamp, daa_score, blue_score, ctx);
  basalt_merkle activity;
  basalt_merkle_init(&activity);
  /* The exits are copied out of journals inside the input, so they fit in its size. */
  uint8_t* exits = (uint8_t*)basalt_alloc(in_len + 1, 4);
  uint32_t n_exits = 0;
  const uint32_t n_txs = take_u32(&r);
  int64_t last_merge_idx = -1;
  for (uint32_t t = 0; t < n_txs; ++t) {
    const uint8_t kind = *take(&r, 1);
    uint8_t tx_id[32];
    uint32_t version = 1, merge_idx;
    if (kind == kKindJournal) {
      memcpy(tx_id, take(&r, 32), 32);
      merge_idx = take_u32(&r);
      const uint32_t len = take_u32(&r);
      const uint8_t* journal = take(&r, len);
      uint8_t digest[32];
      basalt_sha256(journal, len, digest);
      basalt_verify(tx_image_id, digest);
      journal_view v;
      const uint8_t** changed = 0;
      int ok = view_journal(journal, len, tx_id, merge_idx, ctx, &v);
      int32_t* at = 0;
      if (ok) {
        at = (int32_t*)basalt_alloc(sizeof(int32_t) * (v.n + 1), 4);
        for (uint32_t i = 0; i < v.n; ++i) {
          at[i] = basalt_multiproof_find(&proof, v.entries + 65 * i);
          if (at[i] < 0) return kExitUnprovenKey;
          if (memcmp(latest + 32 * at[i], v.entries + 65 * i + 33, 32) != 0) ok = 0;
        }
        changed = (const uint8_t**)basalt_alloc(sizeof(uint8_t*) * (v.n + 1), 4);
      }
      const uint8_t* tx_exits = 0;
      uint32_t tx_n_exits = 0;
      ok = ok && successful_outputs(&v, changed, &tx_exits, &tx_n_exits);
      for (uint32_t i = 0; ok && i < v.n; ++i)
        if (changed[i]) memcpy(latest + 32 * at[i], changed[i], 32);
      if (ok) {
        memcpy(exits + kExitSize * n_exits, tx_exits, kExitSize * tx_n_exits);
        n_exits += tx_n_exits;
      }
    } else if (kind == kKindPayloadRefused) {
      merge_idx = take_u32(&r);
      const uint32_t payload_len = take_u32(&r);
      const uint8_t* payload = take(&r, payload_len);
      const uint32_t rest_len = take_u32(&r);
      const uint8_t* rest = take(&r, rest_len);
      if (!payload_refused(payload, payload_len)) return kExitPayloadAccepted;
      basalt_v1_tx_id(payload, payload_len, rest, rest_len, tx_id);
    } else if (kind == kKindNotV1) {
      memcpy(tx_id, take(&r, 32), 32);
      version = take_u16(&r);
      merge_idx = take_u32(&r);
      if (version == 1) return kExitVersionIsV1;
    } else if (kind == kKindRunFailed) {
      memcpy(tx_id, take(&r, 32), 32);
      merge_idx = take_u32(&r);
    } else {
      return kExitMalformedInput;
    }
    if ((int64_t)merge_idx <= last_merge_idx) return kExitMergeOrder;
    last_merge_idx = merge_idx;
    uint8_t leaf[32];
    basalt_activity_leaf(tx_id, (uint16_t)version, merge_idx, leaf);
    basalt_merkle_add(&activity, leaf);
  }
  if (r.p != r.end) return kExitMalformedInput;

  /* The lane: unchanged without activity; otherwise the next tip, from the previous one while the
     lane is active (touched within F blue score), else from the parent SeqCommit. */
  uint8_t new_lane_tip[32];
  uint64_t new_lane_blue_score = prev_lane_blue_score;
  memcpy(new_lane_tip, prev_lane_tip, 32);
  if (n_txs > 0) {
    int tip_zero = 1;
    for (int i = 0; i < 32; ++i) tip_zero &= prev_lane_tip[i] == 0;
    const int active = !tip_zero && prev_lane_blue_score + finality_depth >= blue_score;
    uint8_t digest[32];
    basalt_merkle_root(&activity, digest);
    basalt_lane_tip_next(active ? prev_lane_tip : parent_seq_commit, lane_key, digest, ctx,
                         new_lane_tip);
    new_lane_blue_score = blue_score;
    /* The context enters the SeqCommit only inside payload_and_ctx, which kaspad gives as one
       digest: the tip it went into must be the one the block's lane SMT holds. */
    uint8_t leaf[32], lanes_root[32], proven_root[32];
    basalt_lane_smt_leaf(new_lane_tip, new_lane_blue_score, leaf);
    if (basalt_lane_proof_root(lane_proof, lane_proof_len, lane_key, leaf, lanes_root) != 0)
      return kExitLaneNotCommitted;
    basalt_activity_root(inactivity_shortcut, lanes_root, proven_root);
    if (memcmp(proven_root, activity_root, 32) != 0) return kExitLaneNotCommitted;
  } else if (lane_proof_len != 0) {
    return kExitMalformedInput;
  }

  /* The block's SeqCommit from its parts. */
  uint8_t state_root[32], seq_commit[32];
  basalt_seq_pair(activity_root, payload_and_ctx, state_root);
  basalt_seq_pair(parent_seq_commit, state_root, seq_commit);

  uint8_t new_state[32];
  basalt_multiproof_root_after(&proof, latest, new_state);

  uint8_t* j = (uint8_t*)basalt_alloc(kHeaderSize + 4 + kExitSize * n_exits, 4);
  uint32_t o = 0;
  j[o++] = kJournalVersion;
  j[o++] = 0;
#define PUT(src, n)        \
  do {                     \
    memcpy(j + o, src, n); \
    o += n;                \
  } while (0)
  PUT(proof.root, 32);
  PUT(new_state, 32);
  PUT(prev_lane_tip, 32);
  basalt_put_le64(j + o, prev_lane_blue_score);
  o += 8;
  PUT(new_lane_tip, 32);
  basalt_put_le64(j + o, new_lane_blue_score);
  o += 8;
  PUT(parent_seq_commit, 32);
  PUT(seq_commit, 32);
  PUT(activity_root, 32);
  PUT(lane_key, 32);
  PUT(covenant_id, 32);
  PUT(tx_image_id, 32);
  basalt_put_le64(j + o, finality_depth);
  o += 8;
  j[o++] = (uint8_t)n_txs;
  j[o++] = (uint8_t)(n_txs >> 8);
  j[o++] = (uint8_t)(n_txs >> 16);
  j[o++] = (uint8_t)(n_txs >> 24);
  memcpy(j + o, &n_exits, 4); /* RV32 is little-endian */
  o += 4;
  PUT(exits, kExitSize * n_exits);
#undef PUT
  basalt_commit(j, o);
  return 0;
}
