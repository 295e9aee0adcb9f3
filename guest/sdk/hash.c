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

/* A compression not yet performed: the last one decides whether it gets the root flag. `block`
   points at 64 readable bytes (the input itself for a whole block, `pad` for a partial one). `cv`
   has room for the accelerator's 16-word output, which may overwrite its own input (the VM reads
   every argument before writing), so the next chaining value lands in place. */
typedef struct {
  uint32_t cv[16];
  const uint8_t* block;
  uint8_t pad[64];
  uint64_t counter;
  uint32_t len;
  uint32_t flags;
} output_node;

static void compress_in_place(output_node* o, uint32_t flags) {
  basalt_blake3_compress(o->cv, o->block, o->counter, o->len, o->flags | flags, o->cv);
}

/* Compresses a chunk's blocks but the last, which is left unperformed in `o`. */
static void chunk_output(const uint32_t key[8], const uint8_t* p, size_t len, uint64_t chunk,
                         output_node* o) {
  memcpy(o->cv, key, 32);
  const size_t blocks = len == 0 ? 1 : (len + 63) / 64;
  o->counter = chunk;
  for (size_t b = 0; b < blocks; ++b) {
    const size_t bl = len - b * 64 < 64 ? len - b * 64 : 64;
    if (bl == 64) {
      o->block = p + b * 64;
    } else {
      memset(o->pad, 0, 64);
      memcpy(o->pad, p + b * 64, bl);
      o->block = o->pad;
    }
    o->len = (uint32_t)bl;
    o->flags = kKeyed | (b == 0 ? kChunkStart : 0) | (b + 1 == blocks ? kChunkEnd : 0);
    if (b + 1 < blocks) compress_in_place(o, 0);
  }
}

/* Makes `o` the (unperformed) parent node of two chaining values; `right` may be `o->cv`. */
static void set_parent(const uint32_t key[8], const uint32_t left[8], const uint32_t right[8],
                       output_node* o) {
  memcpy(o->pad + 32, right, 32);
  memcpy(o->pad, left, 32);
  memcpy(o->cv, key, 32);
  o->block = o->pad;
  o->counter = 0;
  o->len = 64;
  o->flags = kKeyed | kParent;
}

void basalt_blake3_keyed(const uint8_t key_bytes[32], const void* data, size_t len,
                         uint8_t out[32]) {
  /* Words are little-endian, as RISC-V is: the key's bytes are its words. */
  const uint8_t* p = (const uint8_t*)data;
  uint32_t key[8];
  memcpy(key, key_bytes, 32);
  uint32_t stack[54][8];
  int depth = 0;
  uint64_t chunk = 0;
  output_node o;
  /* Every chunk but the last completes and merges into the stack. */
  while (len > 1024) {
    chunk_output(key, p, 1024, chunk, &o);
    compress_in_place(&o, 0);
    p += 1024;
    len -= 1024;
    ++chunk;
    for (uint64_t total = chunk; (total & 1) == 0; total >>= 1) {
      set_parent(key, stack[--depth], o.cv, &o);
      compress_in_place(&o, 0);
    }
    memcpy(stack[depth++], o.cv, 32);
  }
  chunk_output(key, p, len, chunk, &o);
  while (depth > 0) {
    compress_in_place(&o, 0);
    set_parent(key, stack[--depth], o.cv, &o);
  }
  compress_in_place(&o, kRoot);
  memcpy(out, o.cv, 32);
}
