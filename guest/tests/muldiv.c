/* The M extension at edge values: division by zero, INT_MIN / -1 and the high-word multiplies. */
#include "common.h"

int main(void) {
  uint32_t acc = 0;
  for (unsigned i = 0; i < NEDGES; ++i) {
    for (unsigned j = 0; j < NEDGES; ++j) {
      uint32_t a = kEdges[i], b = kEdges[j];
      uint32_t r[8] = {RR("mul", a, b), RR("mulh", a, b), RR("mulhsu", a, b), RR("mulhu", a, b),
                       RR("div", a, b), RR("divu", a, b), RR("rem", a, b),    RR("remu", a, b)};
      for (int k = 0; k < 8; ++k) {
        basalt_print_hex32(r[k]);
        acc ^= r[k] + k;
      }
    }
  }
  return (int)(acc % 200);
}
