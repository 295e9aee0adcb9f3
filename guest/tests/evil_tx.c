/* A transaction processor that breaks the ABI on purpose, chosen by the first app-data byte, so
   that tests can check the host turns each breach into a failed transaction:
     1  writes a resource declared read-only, bypassing the SDK's check
     2  writes bytes to the output stream beyond what the journal announces
     3  loops forever
     4  exits with code 5
     5  writes more data than a resource may hold
   anything else: increments like the counter. */
#include "basalt/guest.h"
#include "basalt/tx.h"

static uint32_t handle(basalt_tx* tx) {
  const uint8_t mode = tx->app_data_len > 0 ? tx->app_data[0] : 0;
  if (mode == 3) {
    for (volatile int i = 0;; ++i) {
    }
  }
  if (mode == 4) basalt_exit(5);
  for (uint32_t i = 0; i < tx->n; ++i) {
    basalt_resource* r = &tx->resources[i];
    if (mode == 1) r->access = BASALT_ACCESS_WRITE; /* the input commitment already says read */
    if (mode == 5) {
      static uint8_t big[BASALT_MAX_RESOURCE_BYTES + 1];
      r->data = big;
      r->len = sizeof(big);
      r->dirty = 1;
      continue;
    }
    uint8_t v[4] = {0, 0, 0, 0};
    if (r->len == 4) memcpy(v, r->data, 4);
    v[0] += 1;
    basalt_resource_set(r, v, 4);
  }
  if (mode == 2) basalt_write(1, "junk", 4);
  return 0;
}

int main(void) {
  return basalt_tx_main(handle);
}
