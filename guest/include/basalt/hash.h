/* SHA-256 and keyed BLAKE3 for guests, on the VM's compression accelerators; unkeyed BLAKE2b-256
   (Kaspa's P2SH hash) in software, for the few script hashes a guest needs. */
#ifndef BASALT_HASH_H
#define BASALT_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  uint32_t h[8];
  uint8_t buf[64];
  uint32_t buf_len;
  uint64_t total;
} basalt_sha256_ctx;

void basalt_sha256_init(basalt_sha256_ctx* c);
void basalt_sha256_update(basalt_sha256_ctx* c, const void* data, size_t len);
void basalt_sha256_final(basalt_sha256_ctx* c, uint8_t out[32]);
void basalt_sha256(const void* data, size_t len, uint8_t out[32]);

/* BLAKE3 in keyed mode (the 32-byte key as the IV), 32-byte output, any input length. */
void basalt_blake3_keyed(const uint8_t key[32], const void* data, size_t len, uint8_t out[32]);

/* BLAKE2b (RFC 7693), unkeyed, 32-byte output. */
void basalt_blake2b256(const void* data, size_t len, uint8_t out[32]);

#ifdef __cplusplus
}
#endif

#endif
