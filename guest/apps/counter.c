/* The seed's counter app: every resource a transaction touches holds a little-endian u32, which the
   transaction increments; a resource that does not exist yet (empty data) becomes 4 bytes holding 1.

   Minimal input format (the full transaction ABI comes with the execution issue):
     le_u32 count, then count times: resource_id[32] || le_u32 len || data[len]
   Journal: count times: resource_id[32] || le_u32 4 || the new value (le_u32).
   Exit codes: 0 ok; 2 malformed input; 3 a resource whose data is neither empty nor 4 bytes. */
#include "basalt/guest.h"

int main(void) {
  uint32_t count;
  if (basalt_read_u32(&count) != 0) return 2;
  for (uint32_t i = 0; i < count; ++i) {
    uint8_t id[32];
    uint32_t len;
    if (basalt_read_exact(id, 32) != 0 || basalt_read_u32(&len) != 0) return 2;
    uint32_t value = 0;
    if (len == 4) {
      if (basalt_read_u32(&value) != 0) return 2;
    } else if (len != 0) {
      return 3;
    }
    basalt_commit(id, 32);
    basalt_commit_u32(4);
    basalt_commit_u32(value + 1);
  }
  if (basalt_input_len() != 0) return 2;
  return 0;
}
