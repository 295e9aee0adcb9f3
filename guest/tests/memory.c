/* Loads and stores of every width and sign, aligned and misaligned. */
#include "common.h"

static uint8_t buf[64];

int main(void) {
  for (int i = 0; i < 64; ++i) buf[i] = (uint8_t)(i * 37 + 0x80);
  for (int off = 0; off < 8; ++off) {
    uint8_t* p = buf + 16 + off;
    uint32_t lb, lbu, lh, lhu, lw;
    __asm__ volatile("lb %0, 0(%1)" : "=r"(lb) : "r"(p));
    __asm__ volatile("lbu %0, 0(%1)" : "=r"(lbu) : "r"(p));
    __asm__ volatile("lh %0, 1(%1)" : "=r"(lh) : "r"(p));
    __asm__ volatile("lhu %0, -1(%1)" : "=r"(lhu) : "r"(p));
    __asm__ volatile("lw %0, 2(%1)" : "=r"(lw) : "r"(p));
    basalt_print_hex32(lb);
    basalt_print_hex32(lbu);
    basalt_print_hex32(lh);
    basalt_print_hex32(lhu);
    basalt_print_hex32(lw);
    uint32_t v = 0xa1b2c3d4u + (uint32_t)off;
    __asm__ volatile("sb %0, 0(%1)\n sh %0, 5(%1)\n sw %0, 9(%1)" : : "r"(v), "r"(p) : "memory");
  }
  for (int i = 0; i < 64; i += 4) {
    basalt_print_hex32((uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 | (uint32_t)buf[i + 2] << 16 |
                       (uint32_t)buf[i + 3] << 24);
  }
  /* The heap. */
  uint32_t* h = (uint32_t*)basalt_alloc(10000 * sizeof(uint32_t), 4);
  if (h == 0) return 99;
  uint32_t sum = 0;
  for (uint32_t i = 0; i < 10000; ++i) h[i] = i * i;
  for (uint32_t i = 0; i < 10000; i += 7) sum += h[i];
  basalt_print_hex32(sum);
  return 0;
}
