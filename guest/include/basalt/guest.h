/* The basalt guest SDK: freestanding C (usable from C++), no libc needed.
   System calls follow guest/README.md; numbers are in a7, arguments in a0..a6, result in a0. */
#ifndef BASALT_GUEST_H
#define BASALT_GUEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  BASALT_SYS_WRITE = 64,
  BASALT_SYS_EXIT = 93,
  BASALT_SYS_BRK = 214,
  BASALT_SYS_READ_INPUT = 0x0700,
  BASALT_SYS_INPUT_LEN = 0x0701,
  BASALT_SYS_COMMIT = 0x0702,
  BASALT_SYS_SHA256_COMPRESS = 0x0703,
  BASALT_SYS_BLAKE3_COMPRESS = 0x0704,
  BASALT_SYS_VERIFY = 0x0705,
  BASALT_SYS_SCHNORR_VERIFY = 0x0706,
};

static inline long basalt_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5,
                                  long a6) {
  register long r_a0 __asm__("a0") = a0;
  register long r_a1 __asm__("a1") = a1;
  register long r_a2 __asm__("a2") = a2;
  register long r_a3 __asm__("a3") = a3;
  register long r_a4 __asm__("a4") = a4;
  register long r_a5 __asm__("a5") = a5;
  register long r_a6 __asm__("a6") = a6;
  register long r_a7 __asm__("a7") = n;
  __asm__ volatile("ecall"
                   : "+r"(r_a0)
                   : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a6), "r"(r_a7)
                   : "memory");
  return r_a0;
}

__attribute__((noreturn)) static inline void basalt_exit(int code) {
  basalt_syscall(BASALT_SYS_EXIT, code, 0, 0, 0, 0, 0, 0);
  __builtin_unreachable();
}

static inline long basalt_write(int fd, const void* buf, size_t len) {
  return basalt_syscall(BASALT_SYS_WRITE, fd, (long)buf, (long)len, 0, 0, 0, 0);
}

/* Input stream (the VM's input; empty under qemu). */
static inline size_t basalt_input_len(void) {
  return (size_t)basalt_syscall(BASALT_SYS_INPUT_LEN, 0, 0, 0, 0, 0, 0, 0);
}
static inline size_t basalt_read_input(void* buf, size_t len) {
  return (size_t)basalt_syscall(BASALT_SYS_READ_INPUT, (long)buf, (long)len, 0, 0, 0, 0, 0);
}
/* Reads exactly len bytes; returns 0, or -1 when the input ends first. */
static inline int basalt_read_exact(void* buf, size_t len) {
  return basalt_read_input(buf, len) == len ? 0 : -1;
}
static inline int basalt_read_u32(uint32_t* out) {
  uint8_t b[4];
  if (basalt_read_exact(b, 4) != 0) return -1;
  *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  return 0;
}

/* Journal stream: the public output a receipt commits to. */
static inline void basalt_commit(const void* buf, size_t len) {
  basalt_syscall(BASALT_SYS_COMMIT, (long)buf, (long)len, 0, 0, 0, 0, 0);
}
static inline void basalt_commit_u32(uint32_t v) {
  uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
  basalt_commit(b, 4);
}

/* Accelerators, run natively by the VM. */
static inline void basalt_sha256_compress(uint32_t state[8], const uint8_t block[64]) {
  basalt_syscall(BASALT_SYS_SHA256_COMPRESS, (long)state, (long)block, 0, 0, 0, 0, 0);
}
static inline void basalt_blake3_compress(const uint32_t cv[8], const uint8_t block[64],
                                          uint64_t counter, uint32_t block_len, uint32_t flags,
                                          uint32_t out[16]) {
  basalt_syscall(BASALT_SYS_BLAKE3_COMPRESS, (long)cv, (long)block, (long)(uint32_t)counter,
                 (long)(uint32_t)(counter >> 32), (long)block_len, (long)flags, (long)out);
}
/* Records the assumption that a receipt for image_id with this journal digest exists. */
static inline void basalt_verify(const uint8_t image_id[32], const uint8_t journal_digest[32]) {
  basalt_syscall(BASALT_SYS_VERIFY, (long)image_id, (long)journal_digest, 0, 0, 0, 0, 0);
}

/* 1 if sig is a valid BIP-340 signature of the 32-byte msg under the x-only key, else 0. */
static inline int basalt_schnorr_verify(const uint8_t key[32], const uint8_t msg[32],
                                        const uint8_t sig[64]) {
  return (int)basalt_syscall(BASALT_SYS_SCHNORR_VERIFY, (long)key, (long)msg, (long)sig, 0, 0, 0,
                             0);
}

/* Bump allocator over brk; never frees. Returns NULL when the VM's memory limit is reached (the VM
   stops the guest with OutOfMemory first; under qemu, NULL). */
void* basalt_alloc(size_t size, size_t align);

/* Output helpers for test programs (stdout). */
void basalt_print(const char* s);
void basalt_print_hex32(uint32_t v);

void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);

/* Provided by the guest program. The start-up code calls main and exits with its result. */
int main(void);

#ifdef __cplusplus
}
#endif

#endif
