/* The few libc functions a freestanding clang build may call, the bump allocator and print helpers.
 */
#include "basalt/guest.h"

/* Word at a time: every guest instruction is a metered cycle, and the SDK copies whole blocks for
   every hash it computes. The destination is aligned first; the source may stay misaligned, which
   basalt's VM (and qemu-user) load like aligned words. */
void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  while (n > 0 && ((uintptr_t)d & 3) != 0) *d++ = *s++, --n;
  uint32_t* dw = (uint32_t*)d;
  typedef uint32_t __attribute__((may_alias)) unaligned_u32;
  const unaligned_u32* sw = (const unaligned_u32*)s;
  for (; n >= 16; n -= 16, dw += 4, sw += 4) {
    dw[0] = sw[0];
    dw[1] = sw[1];
    dw[2] = sw[2];
    dw[3] = sw[3];
  }
  for (; n >= 4; n -= 4) *dw++ = *sw++;
  d = (uint8_t*)dw;
  s = (const uint8_t*)sw;
  while (n--) *d++ = *s++;
  return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

void* memset(void* dst, int c, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t b = (uint8_t)c;
  while (n > 0 && ((uintptr_t)d & 3) != 0) *d++ = b, --n;
  const uint32_t w = 0x01010101u * b;
  uint32_t* dw = (uint32_t*)d;
  for (; n >= 16; n -= 16, dw += 4) {
    dw[0] = w;
    dw[1] = w;
    dw[2] = w;
    dw[3] = w;
  }
  for (; n >= 4; n -= 4) *dw++ = w;
  d = (uint8_t*)dw;
  while (n--) *d++ = b;
  return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t* x = (const uint8_t*)a;
  const uint8_t* y = (const uint8_t*)b;
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

static uintptr_t heap_next;
static uintptr_t heap_end;

void* basalt_alloc(size_t size, size_t align) {
  if (heap_end == 0)
    heap_next = heap_end = (uintptr_t)basalt_syscall(BASALT_SYS_BRK, 0, 0, 0, 0, 0, 0, 0);
  if (align == 0) align = 1;
  uintptr_t p = (heap_next + align - 1) & ~(uintptr_t)(align - 1);
  if (p < heap_next || p + size < p) return 0;
  if (p + size > heap_end) {
    uintptr_t want = (p + size + 0xfff) & ~(uintptr_t)0xfff;
    uintptr_t got = (uintptr_t)basalt_syscall(BASALT_SYS_BRK, (long)want, 0, 0, 0, 0, 0, 0);
    if (got < want) return 0;
    heap_end = got;
  }
  heap_next = p + size;
  return (void*)p;
}

void basalt_print(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  basalt_write(1, s, n);
}

void basalt_print_hex32(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  char buf[9];
  for (int i = 0; i < 8; ++i) buf[i] = digits[(v >> (28 - 4 * i)) & 15];
  buf[8] = '\n';
  basalt_write(1, buf, 9);
}
