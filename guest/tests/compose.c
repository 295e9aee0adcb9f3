/* A guest that relies on other receipts: input = image_id[32] || le_u32 n || n x (le_u32 len ||
   journal). For each journal it records the assumption verify(image_id, SHA-256(journal)) and
   commits the digest. */
#include "basalt/guest.h"
#include "basalt/hash.h"

int main(void) {
  uint8_t image_id[32];
  uint32_t n;
  if (basalt_read_exact(image_id, 32) != 0 || basalt_read_u32(&n) != 0) return 2;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t len;
    if (basalt_read_u32(&len) != 0 || len > basalt_input_len()) return 2;
    uint8_t* journal = (uint8_t*)basalt_alloc(len + 1, 4);
    if (basalt_read_exact(journal, len) != 0) return 2;
    uint8_t digest[32];
    basalt_sha256(journal, len, digest);
    basalt_verify(image_id, digest);
    basalt_commit(digest, 32);
  }
  return basalt_input_len() == 0 ? 0 : 2;
}
