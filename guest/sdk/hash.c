/* SHA-256 (FIPS 180-4 padding around the sha256_compress call) and keyed BLAKE3 (chunks of 16
   blocks, a stack of chaining values merged as chunks complete, the root flag on the last
   compression), both driving the VM's accelerators. */
#include "basalt/hash.h"

#include "basalt/guest.h"

static const uint32_t kSha256Iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

void basalt_sha256_init(basalt_sha256_ctx* c) {
  memcpy(c->h, kSha256Iv, sizeof(kSha256Iv));
  c->buf_len = 0;
  c->total = 0;
}

void basalt_sha256_update(basalt_sha256_ctx* c, const void* data, size_t len) {
  const uint8_t* p = (const uint8_t*)data;
  c->total += len;
  while (len > 0) {
    size_t take = 64 - c->buf_len;
    if (take > len) take = len;
    if (c->buf_len == 0 && len >= 64) {
      basalt_sha256_compress(c->h, p);
      p += 64;
      len -= 64;
      continue;
    }
    memcpy(c->buf + c->buf_len, p, take);
    c->buf_len += (uint32_t)take;
    p += take;
    len -= take;
    if (c->buf_len == 64) {
      basalt_sha256_compress(c->h, c->buf);
      c->buf_len = 0;
    }
  }
}

void basalt_sha256_final(basalt_sha256_ctx* c, uint8_t out[32]) {
  const uint64_t bits = c->total * 8;
  c->buf[c->buf_len++] = 0x80;
  if (c->buf_len > 56) {
    memset(c->buf + c->buf_len, 0, 64 - c->buf_len);
    basalt_sha256_compress(c->h, c->buf);
    c->buf_len = 0;
  }
  memset(c->buf + c->buf_len, 0, 56 - c->buf_len);
  for (int i = 0; i < 8; ++i) c->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
  basalt_sha256_compress(c->h, c->buf);
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = (uint8_t)(c->h[i] >> 24);
    out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
    out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
    out[4 * i + 3] = (uint8_t)c->h[i];
  }
}

void basalt_sha256(const void* data, size_t len, uint8_t out[32]) {
  basalt_sha256_ctx c;
  basalt_sha256_init(&c);
  basalt_sha256_update(&c, data, len);
  basalt_sha256_final(&c, out);
}

enum { kChunkStart = 1, kChunkEnd = 2, kParent = 4, kRoot = 8, kKeyed = 16 };

/* A compression not yet performed: the last one decides whether it gets the root flag. */
typedef struct {
  uint32_t cv[8];
  uint8_t block[64];
  uint64_t counter;
  uint32_t len;
  uint32_t flags;
} output_node;

static void chaining_value(const output_node* o, uint32_t flags, uint32_t out8[8]) {
  uint32_t full[16];
  basalt_blake3_compress(o->cv, o->block, o->counter, o->len, o->flags | flags, full);
  memcpy(out8, full, 32);
}

/* Compresses a chunk's blocks but the last, which is returned unperformed. */
static void chunk_output(const uint32_t key[8], const uint8_t* p, size_t len, uint64_t chunk,
                         output_node* o) {
  uint32_t cv[8];
  memcpy(cv, key, 32);
  size_t blocks = len == 0 ? 1 : (len + 63) / 64;
  for (size_t b = 0; b < blocks; ++b) {
    size_t bl = len - b * 64 < 64 ? len - b * 64 : 64;
    memcpy(o->cv, cv, 32);
    if (bl < 64) memset(o->block + bl, 0, 64 - bl);
    if (bl > 0) memcpy(o->block, p + b * 64, bl);
    o->counter = chunk;
    o->len = (uint32_t)bl;
    o->flags = kKeyed | (b == 0 ? kChunkStart : 0) | (b + 1 == blocks ? kChunkEnd : 0);
    if (b + 1 < blocks) chaining_value(o, 0, cv);
  }
}

static void parent_node(const uint32_t key[8], const uint32_t left[8], const uint32_t right[8],
                        output_node* o) {
  memcpy(o->cv, key, 32);
  memcpy(o->block, left, 32);
  memcpy(o->block + 32, right, 32);
  o->counter = 0;
  o->len = 64;
  o->flags = kKeyed | kParent;
}

void basalt_blake3_keyed(const uint8_t key_bytes[32], const void* data, size_t len,
                         uint8_t out[32]) {
  const uint8_t* p = (const uint8_t*)data;
  uint32_t key[8];
  for (int i = 0; i < 8; ++i) {
    key[i] = (uint32_t)key_bytes[4 * i] | (uint32_t)key_bytes[4 * i + 1] << 8 |
             (uint32_t)key_bytes[4 * i + 2] << 16 | (uint32_t)key_bytes[4 * i + 3] << 24;
  }
  uint32_t stack[54][8];
  int depth = 0;
  uint64_t chunk = 0;
  output_node o;
  /* Every chunk but the last completes and merges into the stack. */
  while (len > 1024) {
    uint32_t cv[8];
    chunk_output(key, p, 1024, chunk, &o);
    chaining_value(&o, 0, cv);
    p += 1024;
    len -= 1024;
    ++chunk;
    for (uint64_t total = chunk; (total & 1) == 0; total >>= 1) {
      output_node parent;
      parent_node(key, stack[--depth], cv, &parent);
      chaining_value(&parent, 0, cv);
    }
    memcpy(stack[depth++], cv, 32);
  }
  chunk_output(key, p, len, chunk, &o);
  while (depth > 0) {
    uint32_t cv[8];
    chaining_value(&o, 0, cv);
    parent_node(key, stack[--depth], cv, &o);
  }
  uint32_t full[16];
  basalt_blake3_compress(o.cv, o.block, o.counter, o.len, o.flags | kRoot, full);
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = (uint8_t)full[i];
    out[4 * i + 1] = (uint8_t)(full[i] >> 8);
    out[4 * i + 2] = (uint8_t)(full[i] >> 16);
    out[4 * i + 3] = (uint8_t)(full[i] >> 24);
  }
}
