/* Register-register and register-immediate arithmetic, logic, comparisons and shifts at edge values. */
#include "common.h"

int main(void) {
  uint32_t acc = 0;
  for (unsigned i = 0; i < NEDGES; ++i) {
    for (unsigned j = 0; j < NEDGES; ++j) {
      uint32_t a = kEdges[i], b = kEdges[j];
      uint32_t r[10] = {RR("add", a, b), RR("sub", a, b), RR("and", a, b), RR("or", a, b), RR("xor", a, b),
                        RR("sll", a, b), RR("srl", a, b), RR("sra", a, b), RR("slt", a, b), RR("sltu", a, b)};
      for (int k = 0; k < 10; ++k) {
        basalt_print_hex32(r[k]);
        acc = acc * 31 + r[k];
      }
    }
    uint32_t a = kEdges[i];
    uint32_t imm[14] = {RI("addi", a, -1),  RI("addi", a, 2047), RI("addi", a, -2048), RI("slti", a, -1),
                        RI("slti", a, 5),   RI("sltiu", a, -1),  RI("sltiu", a, 5),    RI("xori", a, -1),
                        RI("ori", a, 0x555), RI("andi", a, -256), RI("slli", a, 31),   RI("srli", a, 31),
                        RI("srai", a, 31),  RI("srai", a, 0)};
    for (int k = 0; k < 14; ++k) basalt_print_hex32(imm[k]);
  }
  uint32_t lui, auipc_delta;
  __asm__ volatile("lui %0, 0xfffff" : "=r"(lui));
  __asm__ volatile("auipc %0, 0\n auipc t0, 1\n sub %0, t0, %0" : "=r"(auipc_delta) : : "t0");
  basalt_print_hex32(lui);
  basalt_print_hex32(auipc_delta);
  return (int)(acc & 0x7f);
}
