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

/* BLAKE2b-256 (RFC 7693 §3), in software: 64-bit words on a 32-bit machine, used once per
   settlement bundle at most. */
static const uint64_t kBlake2bIv[8] = {
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};
static const uint8_t kBlake2bSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

static uint64_t rotr64(uint64_t x, unsigned n) {
  return x >> n | x << (64 - n);
}

static void blake2b_mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y) {
  v[a] = v[a] + v[b] + x;
  v[d] = rotr64(v[d] ^ v[a], 32);
  v[c] = v[c] + v[d];
  v[b] = rotr64(v[b] ^ v[c], 24);
  v[a] = v[a] + v[b] + y;
  v[d] = rotr64(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr64(v[b] ^ v[c], 63);
}

static void blake2b_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last) {
  uint64_t v[16], m[16];
  for (int i = 0; i < 8; ++i) {
    v[i] = h[i];
    v[i + 8] = kBlake2bIv[i];
  }
  v[12] ^= t; /* the byte counter's high word stays zero: inputs are far below 2^64 bytes */
  if (last) v[14] = ~v[14];
  for (int i = 0; i < 16; ++i) {
    uint64_t w = 0;
    for (int k = 7; k >= 0; --k) w = w << 8 | block[8 * i + k];
    m[i] = w;
  }
  for (int r = 0; r < 12; ++r) {
    const uint8_t* s = kBlake2bSigma[r];
    blake2b_mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    blake2b_mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    blake2b_mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    blake2b_mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    blake2b_mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    blake2b_mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    blake2b_mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    blake2b_mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; ++i) h[i] ^= v[i] ^ v[i + 8];
}

void basalt_blake2b256(const void* data, size_t len, uint8_t out[32]) {
  uint64_t h[8];
  for (int i = 0; i < 8; ++i) h[i] = kBlake2bIv[i];
  h[0] ^= 0x01010000ull ^ 32; /* parameter block: digest length 32, no key, fanout and depth 1 */
  const uint8_t* p = (const uint8_t*)data;
  uint64_t done = 0;
  /* Every block but the last is compressed as it fills; the last (possibly empty) is padded. */
  while (len > 128) {
    done += 128;
    blake2b_compress(h, p, done, 0);
    p += 128;
    len -= 128;
  }
  uint8_t last[128];
  memset(last, 0, sizeof last);
  memcpy(last, p, len);
  blake2b_compress(h, last, done + len, 1);
  for (int i = 0; i < 32; ++i) out[i] = (uint8_t)(h[i / 8] >> (8 * (i % 8)));
}
