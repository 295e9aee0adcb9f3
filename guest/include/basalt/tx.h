/* The transaction-processor ABI for app guests (docs/abi.md, byte by byte). An app supplies one
   handler; basalt_tx_main decodes the input, checks the transaction id, commits the input
   commitment to the journal, runs the handler, enforces the declared access (a write to a resource
   declared read-only fails the transaction), and commits the outcome. */
#ifndef BASALT_TX_H
#define BASALT_TX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  BASALT_ACCESS_READ = 1,
  BASALT_ACCESS_WRITE = 3, /* read and write: writes are a subset of reads */
  BASALT_MAX_RESOURCE_BYTES = 16384,
};

/* Failure codes the SDK itself commits; app codes start at 100. */
enum {
  BASALT_ERR_WRITE_READ_ONLY = 2,
  BASALT_ERR_OVERSIZED = 4,
  BASALT_ERR_BAD_EXIT = 5,
  BASALT_APP_ERR_BASE = 100,
};

/* Exits (docs/abi.md §3.1): value leaving the app for an L1 address when the bundle settles. */
enum {
  BASALT_EXIT_SCHNORR_P2PK = 0, /* key: an x-only public key */
  BASALT_EXIT_P2SH = 1,         /* key: the BLAKE2b-256 hash of a redeem script */
  BASALT_MAX_EXITS = 16,
};
#define BASALT_MAX_EXIT_AMOUNT 2900000000000000000ull /* Kaspa's total supply in sompi */

typedef struct {
  uint8_t kind;
  uint8_t key[32];
  uint64_t amount;
} basalt_exit_entry;

typedef struct {
  uint8_t id[32];
  uint8_t access;
  const uint8_t* data; /* the current data; len 0: absent */
  uint32_t len;
  int dirty; /* set by basalt_resource_set */
} basalt_resource;

typedef struct {
  uint8_t tx_id[32];
  uint32_t merge_idx;
  uint8_t context_hash[32];
  const uint8_t* app_data; /* the payload after the access list */
  uint32_t app_data_len;
  basalt_resource* resources; /* in the payload's order: ascending id */
  uint32_t n;
  basalt_exit_entry exits[BASALT_MAX_EXITS]; /* added by basalt_tx_exit */
  uint32_t n_exits;
} basalt_tx;

/* Returns 0 to commit the resources' new data, or an app failure code (>= 100): then nothing the
   handler set is kept. */
typedef uint32_t (*basalt_tx_handler)(basalt_tx* tx);

/* Runs one transaction; main returns its result. Exits non-zero only on input that basalt never
   sends (a malformed input or a transaction id that does not match the transaction). */
int basalt_tx_main(basalt_tx_handler handler);

/* Replaces a resource's data with a copy of len bytes (0 deletes it). Returns 0, or
   BASALT_ERR_OVERSIZED above BASALT_MAX_RESOURCE_BYTES. */
uint32_t basalt_resource_set(basalt_resource* r, const void* data, uint32_t len);
/* Sends `amount` sompi out of the app to an L1 address when the transaction's bundle settles; kept
   only if the handler returns 0. Returns 0, or BASALT_ERR_BAD_EXIT for an unknown kind, an amount
   of 0 or above BASALT_MAX_EXIT_AMOUNT, or more than BASALT_MAX_EXITS exits. The app must be able
   to pay what it sends: exits are paid from the covenant's value (docs/settlement.md). */
uint32_t basalt_tx_exit(basalt_tx* tx, uint8_t kind, const uint8_t key[32], uint64_t amount);
/* The declared resource with this id, or NULL. */
basalt_resource* basalt_tx_find(basalt_tx* tx, const uint8_t id[32]);
/* The v1 transaction id: TransactionV1Id(PayloadDigest(payload) || TransactionRest(rest)). */
void basalt_v1_tx_id(const uint8_t* payload, uint32_t payload_len, const uint8_t* rest,
                     uint32_t rest_len, uint8_t out[32]);

static inline uint64_t basalt_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
static inline void basalt_put_le64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t basalt_le32(const uint8_t* p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#ifdef __cplusplus
}
#endif

#endif
