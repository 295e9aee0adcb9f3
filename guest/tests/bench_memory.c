/* Memory-bound benchmark guest: pseudo-random reads and writes over a 4 MiB heap array. The round
   count comes from the input (4 bytes) when there is one, otherwise 20 000 000. */
#include "basalt/guest.h"

int main(void) {
  uint32_t rounds = 20000000;
  if (basalt_input_len() >= 4) basalt_read_u32(&rounds);
  const uint32_t n = 1u << 20;
  uint32_t* t = (uint32_t*)basalt_alloc(n * 4, 4);
  if (t == 0) return 99;
  for (uint32_t i = 0; i < n; ++i) t[i] = i;
  uint32_t x = 1, sum = 0;
  for (uint32_t i = 0; i < rounds; ++i) {
    x = x * 1664525u + 1013904223u;
    uint32_t k = x >> 12;
    sum += t[k];
    t[(k + 1) & (n - 1)] = sum;
  }
  basalt_print_hex32(sum);
  return 0;
}
