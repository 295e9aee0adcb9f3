/* Compute-bound benchmark guest: integer hashing in registers. The round count comes from the input
   (4 bytes, little-endian) when there is one, otherwise 50 000 000. */
#include "basalt/guest.h"

int main(void) {
  uint32_t rounds = 50000000;
  if (basalt_input_len() >= 4) basalt_read_u32(&rounds);
  uint32_t a = 0x9e3779b9u, b = 0x7f4a7c15u, c = 1;
  for (uint32_t i = 0; i < rounds; ++i) {
    a += b ^ (c << 3);
    b = (b >> 5 | b << 27) + a * 3;
    c ^= a - i;
  }
  basalt_print_hex32(a ^ b ^ c);
  return 0;
}
