/* Every branch at edge values, taken and not taken, forwards and backwards. */
#include "common.h"

#define BR(insn, a, b)                                                         \
  ({                                                                           \
    uint32_t t_ = 0;                                                           \
    __asm__ volatile(insn " %1, %2, 1f\n li %0, 0\n j 2f\n1: li %0, 1\n2:"     \
                     : "=&r"(t_)                                               \
                     : "r"(a), "r"(b));                                        \
    t_;                                                                        \
  })

int main(void) {
  uint32_t taken = 0;
  for (unsigned i = 0; i < NEDGES; ++i) {
    for (unsigned j = 0; j < NEDGES; ++j) {
      uint32_t a = kEdges[i], b = kEdges[j];
      uint32_t bits = BR("beq", a, b) | BR("bne", a, b) << 1 | BR("blt", a, b) << 2 | BR("bge", a, b) << 3 |
                      BR("bltu", a, b) << 4 | BR("bgeu", a, b) << 5;
      basalt_print_hex32(bits);
      taken += bits;
    }
  }
  /* A backward loop. */
  uint32_t n = 0;
  __asm__ volatile("li t0, 100\n1: addi %0, %0, 3\n addi t0, t0, -1\n bnez t0, 1b" : "+r"(n) : : "t0");
  basalt_print_hex32(n);
  return (int)(taken & 0xff);
}
