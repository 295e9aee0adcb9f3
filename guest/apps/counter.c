/* The seed's counter app: every resource a transaction declares holds a little-endian u32, which
   the transaction increments (wrapping at 2^32); a resource that does not exist yet becomes 4 bytes
   holding 1. Declaring a resource read-only makes the increment a write to a read-only resource,
   and the transaction fails. App data is ignored.
   Failure codes: 100 a resource whose data is neither empty nor 4 bytes. */
#include "basalt/guest.h"
#include "basalt/tx.h"

enum { kNotACounter = 100 };

static uint32_t increment_all(basalt_tx* tx) {
  for (uint32_t i = 0; i < tx->n; ++i) {
    basalt_resource* r = &tx->resources[i];
    uint32_t value = 0;
    if (r->len == 4) {
      value = basalt_le32(r->data);
    } else if (r->len != 0) {
      return kNotACounter;
    }
    value += 1;
    const uint8_t out[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                            (uint8_t)(value >> 24)};
    basalt_resource_set(r, out, 4);
  }
  return 0;
}

int main(void) {
  return basalt_tx_main(increment_all);
}
