/* basalt_tx_main: the guest side of docs/abi.md. */
#include "basalt/tx.h"

#include "basalt/guest.h"
#include "basalt/hash.h"

enum { kAbiVersion = 2, kPayloadVersion = 1, kExitBadInput = 1, kExitTxIdMismatch = 3 };

/* Keys of Kaspa's keyed BLAKE3 domains: the ASCII name, zero-padded to 32 bytes. */
static const uint8_t kPayloadDigestKey[32] = "PayloadDigest";
static const uint8_t kTransactionRestKey[32] = "TransactionRest";
static const uint8_t kTransactionV1IdKey[32] = "TransactionV1Id";

/* The journal is assembled in memory and committed with one call. */
typedef struct {
  uint8_t* p;
  uint32_t len;
} buffer;

static void put(buffer* b, const void* data, uint32_t n) {
  memcpy(b->p + b->len, data, n);
  b->len += n;
}
static void put_u16(buffer* b, uint32_t v) {
  b->p[b->len++] = (uint8_t)v;
  b->p[b->len++] = (uint8_t)(v >> 8);
}
static void put_u32(buffer* b, uint32_t v) {
  put_u16(b, v & 0xffff);
  put_u16(b, v >> 16);
}

typedef struct {
  const uint8_t* p;
  const uint8_t* end;
  int bad;
} reader;

static const uint8_t* take(reader* r, size_t n) {
  if (r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = 1;
    return 0;
  }
  const uint8_t* at = r->p;
  r->p += n;
  return at;
}
static uint32_t take_u32(reader* r) {
  const uint8_t* b = take(r, 4);
  return b ? basalt_le32(b) : 0;
}
static uint32_t take_u16(reader* r) {
  const uint8_t* b = take(r, 2);
  return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 : 0;
}

uint32_t basalt_resource_set(basalt_resource* r, const void* data, uint32_t len) {
  if (len > BASALT_MAX_RESOURCE_BYTES) return BASALT_ERR_OVERSIZED;
  uint8_t* copy = 0;
  if (len > 0) {
    copy = (uint8_t*)basalt_alloc(len, 1);
    memcpy(copy, data, len);
  }
  r->data = copy;
  r->len = len;
  r->dirty = 1;
  return 0;
}

uint32_t basalt_tx_exit(basalt_tx* tx, uint8_t kind, const uint8_t key[32], uint64_t amount) {
  if (kind > BASALT_EXIT_P2SH || amount == 0 || amount > BASALT_MAX_EXIT_AMOUNT ||
      tx->n_exits >= BASALT_MAX_EXITS)
    return BASALT_ERR_BAD_EXIT;
  basalt_exit_entry* e = &tx->exits[tx->n_exits++];
  e->kind = kind;
  memcpy(e->key, key, 32);
  e->amount = amount;
  return 0;
}

basalt_resource* basalt_tx_find(basalt_tx* tx, const uint8_t id[32]) {
  for (uint32_t i = 0; i < tx->n; ++i) {
    if (memcmp(tx->resources[i].id, id, 32) == 0) return &tx->resources[i];
  }
  return 0;
}

void basalt_v1_tx_id(const uint8_t* payload, uint32_t payload_len, const uint8_t* rest,
                     uint32_t rest_len, uint8_t out[32]) {
  uint8_t digests[64];
  basalt_blake3_keyed(kPayloadDigestKey, payload, payload_len, digests);
  basalt_blake3_keyed(kTransactionRestKey, rest, rest_len, digests + 32);
  basalt_blake3_keyed(kTransactionV1IdKey, digests, 64, out);
}

int basalt_tx_main(basalt_tx_handler handler) {
  const size_t in_len = basalt_input_len();
  uint8_t* in = (uint8_t*)basalt_alloc(in_len + 1, 4);
  if (basalt_read_exact(in, in_len) != 0) return kExitBadInput;
  reader r = {in, in + in_len, 0};
  basalt_tx tx;
  if (take_u16(&r) != kAbiVersion) return kExitBadInput;
  const uint8_t* tx_id = take(&r, 32);
  tx.merge_idx = take_u32(&r);
  const uint8_t* ctx = take(&r, 32);
  const uint32_t payload_len = take_u32(&r);
  const uint8_t* payload = take(&r, payload_len);
  const uint32_t rest_len = take_u32(&r);
  const uint8_t* rest = take(&r, rest_len);
  if (r.bad) return kExitBadInput;
  memcpy(tx.tx_id, tx_id, 32);
  memcpy(tx.context_hash, ctx, 32);
  tx.n_exits = 0;

  /* The payload's access list (the host has validated it; checked again, since it is cheap). */
  reader pr = {payload, payload + payload_len, 0};
  const uint8_t* pv = take(&pr, 1);
  if (pv == 0 || *pv != kPayloadVersion) return kExitBadInput;
  tx.n = take_u16(&pr);
  tx.resources = (basalt_resource*)basalt_alloc(sizeof(basalt_resource) * (tx.n + 1), 4);
  for (uint32_t i = 0; i < tx.n; ++i) {
    basalt_resource* res = &tx.resources[i];
    const uint8_t* id = take(&pr, 32);
    const uint8_t* access = take(&pr, 1);
    if (pr.bad) return kExitBadInput;
    if (*access != BASALT_ACCESS_READ && *access != BASALT_ACCESS_WRITE) return kExitBadInput;
    if (i > 0 && memcmp(tx.resources[i - 1].id, id, 32) >= 0) return kExitBadInput;
    memcpy(res->id, id, 32);
    res->access = *access;
    res->len = take_u32(&r);
    res->data = take(&r, res->len);
    res->dirty = 0;
    if (r.bad || res->len > BASALT_MAX_RESOURCE_BYTES) return kExitBadInput;
  }
  if (r.p != r.end) return kExitBadInput;
  tx.app_data = pr.p;
  tx.app_data_len = (uint32_t)(pr.end - pr.p);

  /* The transaction id binds the payload (and so the access list and app data) to the lane. */
  uint8_t computed[32];
  basalt_v1_tx_id(payload, payload_len, rest, rest_len, computed);
  if (memcmp(computed, tx.tx_id, 32) != 0) return kExitTxIdMismatch;

  /* Input commitment. */
  buffer j = {
      (uint8_t*)basalt_alloc(
          2 + 32 + 4 + 32 + 2 + tx.n * 65 + 1 + 4 + 1 + BASALT_MAX_EXITS * 41 + tx.n * 33, 4),
      0};
  put_u16(&j, kAbiVersion);
  put(&j, tx.tx_id, 32);
  put_u32(&j, tx.merge_idx);
  put(&j, tx.context_hash, 32);
  put_u16(&j, tx.n);
  for (uint32_t i = 0; i < tx.n; ++i) {
    const basalt_resource* res = &tx.resources[i];
    put(&j, res->id, 32);
    put(&j, &res->access, 1);
    if (res->len > 0) {
      basalt_sha256(res->data, res->len, j.p + j.len);
    } else {
      memset(j.p + j.len, 0, 32);
    }
    j.len += 32;
  }

  uint32_t code = handler(&tx);
  for (uint32_t i = 0; code == 0 && i < tx.n; ++i) {
    if (tx.resources[i].dirty && tx.resources[i].access != BASALT_ACCESS_WRITE) {
      code = BASALT_ERR_WRITE_READ_ONLY;
    }
  }
  if (code != 0) {
    j.p[j.len++] = 1;
    put_u32(&j, code);
    basalt_commit(j.p, j.len);
    return 0;
  }
  /* The new data itself goes to the output stream (stdout), which the journal binds by hash. */
  uint32_t out_len = 0;
  for (uint32_t i = 0; i < tx.n; ++i)
    out_len += tx.resources[i].dirty ? 4 + tx.resources[i].len : 0;
  buffer out = {(uint8_t*)basalt_alloc(out_len + 1, 4), 0};
  j.p[j.len++] = 0;
  j.p[j.len++] = (uint8_t)tx.n_exits;
  for (uint32_t i = 0; i < tx.n_exits; ++i) {
    const basalt_exit_entry* e = &tx.exits[i];
    j.p[j.len++] = e->kind;
    put(&j, e->key, 32);
    basalt_put_le64(j.p + j.len, e->amount);
    j.len += 8;
  }
  for (uint32_t i = 0; i < tx.n; ++i) {
    const basalt_resource* res = &tx.resources[i];
    j.p[j.len++] = res->dirty ? 1 : 0;
    if (!res->dirty) continue;
    if (res->len > 0) {
      basalt_sha256(res->data, res->len, j.p + j.len);
    } else {
      memset(j.p + j.len, 0, 32);
    }
    j.len += 32;
    put_u32(&out, res->len);
    put(&out, res->data, res->len);
  }
  basalt_commit(j.p, j.len);
  if (out.len > 0) basalt_write(1, out.p, out.len);
  return 0;
}
