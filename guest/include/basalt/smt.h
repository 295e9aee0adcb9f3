/* The resource SMT's multiproof, verified inside a guest (src/state/README.md: hashing, shape and
   wire format). The same rules as the host's state::MultiProof::decode: a proof is accepted only in
   the one encoding the host's prover emits for its keys, and yields the root it proves, each
   queried key's value hash (zero: absent) and the root after new values for those keys. */
#ifndef BASALT_SMT_H
#define BASALT_SMT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct basalt_smt_node basalt_smt_node;

typedef struct {
  const uint8_t* keys; /* n x 32 bytes, strictly ascending */
  uint32_t n;
  uint8_t* values; /* n x 32 bytes: each key's value hash before any change */
  basalt_smt_node* nodes;
  uint32_t n_nodes;
  uint8_t root[32];
} basalt_multiproof;

/* 0 on success; otherwise a positive code: 1 keys not ascending, 2 truncated, 3 unknown tag,
   4 not canonical, 5 trailing bytes. The proof bytes must outlive p. */
int basalt_multiproof_decode(basalt_multiproof* p, const uint8_t* keys, uint32_t n,
                             const uint8_t* proof, uint32_t len);
/* The root once key i holds new_values[i] (n x 32 bytes; zero deletes). */
void basalt_multiproof_root_after(const basalt_multiproof* p, const uint8_t* new_values,
                                  uint8_t out[32]);
/* The index of key in p's keys, or -1. */
int32_t basalt_multiproof_find(const basalt_multiproof* p, const uint8_t key[32]);

#ifdef __cplusplus
}
#endif

#endif
