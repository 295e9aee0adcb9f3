/* Helpers for the differential test programs: results are printed as hex lines on stdout, which must
   be identical in basalt's VM and under qemu-riscv32. Each operation goes through inline assembly so
   that the compiler cannot fold it away and the exact instruction is exercised. */
#ifndef BASALT_GUEST_TEST_COMMON_H
#define BASALT_GUEST_TEST_COMMON_H

#include "basalt/guest.h"

#define RR(insn, a, b)                                                        \
  ({                                                                          \
    uint32_t r_;                                                              \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"(a), "r"(b));         \
    r_;                                                                       \
  })
#define RI(insn, a, imm)                                                      \
  ({                                                                          \
    uint32_t r_;                                                              \
    __asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"(a), "i"(imm));       \
    r_;                                                                       \
  })

static const uint32_t kEdges[] = {0u,          1u,          2u,          3u,          0x7fffffffu,
                                  0x80000000u, 0x80000001u, 0xffffffffu, 0xfffffffeu, 0x12345678u,
                                  0x0000ffffu, 0xffff0000u, 31u,         32u,         33u};
#define NEDGES (sizeof(kEdges) / sizeof(kEdges[0]))

#endif
