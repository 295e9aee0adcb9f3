/* Guest-side resource multiproofs: a port of state::MultiProof (src/state/smt.cpp) to freestanding
   C on the SHA-256 compression accelerator. */
#include "basalt/smt.h"

#include "basalt/guest.h"
#include "basalt/hash.h"

enum { kEmpty = 0, kLeaf = 1, kInternal = 2 };
enum { kTagEmpty = 0, kTagLeaf = 1, kTagNode = 2, kTagBranch = 3, kTagLeafHash = 4 };

struct basalt_smt_node {
  uint8_t tag;
  uint16_t depth;
  uint32_t first, last; /* the queried keys below: [first, last) */
  uint32_t child[2];
  const uint8_t* leaf_key; /* kTagLeaf */
  const uint8_t* hash;     /* kTagNode, kTagLeafHash: the hash; kTagLeaf: the value */
};

typedef struct {
  uint8_t kind;
  uint8_t hash[32];
} summary;

/* IV(name): the first eight big-endian words of SHA256(name). */
static uint32_t g_leaf_iv[8];
static uint32_t g_node_iv[3][3][8];
static int g_ivs_ready;

static void domain_iv(const char* name, uint32_t iv[8]) {
  uint32_t n = 0;
  while (name[n]) ++n;
  uint8_t h[32];
  basalt_sha256(name, n, h);
  for (int i = 0; i < 8; ++i) {
    iv[i] = (uint32_t)h[4 * i] << 24 | (uint32_t)h[4 * i + 1] << 16 | (uint32_t)h[4 * i + 2] << 8 |
            h[4 * i + 3];
  }
}

static void init_ivs(void) {
  if (g_ivs_ready) return;
  static const char kKinds[3] = {'E', 'L', 'I'};
  char name[] = "basalt.state.smt.v1.node.XX";
  const uint32_t at = sizeof(name) - 3;
  domain_iv("basalt.state.smt.v1.leaf", g_leaf_iv);
  for (int l = 0; l < 3; ++l) {
    for (int r = 0; r < 3; ++r) {
      name[at] = kKinds[l];
      name[at + 1] = kKinds[r];
      domain_iv(name, g_node_iv[l][r]);
    }
  }
  g_ivs_ready = 1;
}

static void hash_pair(const uint32_t iv[8], const uint8_t a[32], const uint8_t b[32],
                      uint8_t out[32]) {
  uint32_t st[8];
  uint8_t block[64];
  memcpy(st, iv, 32);
  memcpy(block, a, 32);
  memcpy(block + 32, b, 32);
  basalt_sha256_compress(st, block);
  for (int i = 0; i < 8; ++i) {
    out[4 * i] = (uint8_t)(st[i] >> 24);
    out[4 * i + 1] = (uint8_t)(st[i] >> 16);
    out[4 * i + 2] = (uint8_t)(st[i] >> 8);
    out[4 * i + 3] = (uint8_t)st[i];
  }
}

static int is_zero(const uint8_t* h) {
  for (int i = 0; i < 32; ++i)
    if (h[i]) return 0;
  return 1;
}

static summary leaf_summary(const uint8_t* key, const uint8_t* value) {
  summary s;
  s.kind = kLeaf;
  hash_pair(g_leaf_iv, key, value, s.hash);
  return s;
}

static summary combine(const summary* l, const summary* r) {
  if (l->kind == kEmpty && r->kind != kInternal) return *r;
  if (r->kind == kEmpty && l->kind == kLeaf) return *l;
  summary s;
  s.kind = kInternal;
  hash_pair(g_node_iv[l->kind][r->kind], l->hash, r->hash, s.hash);
  return s;
}

static int key_bit(const uint8_t* key, uint32_t depth) {
  return (key[depth >> 3] >> (7 - (depth & 7))) & 1;
}

static int same_prefix(const uint8_t* a, const uint8_t* b, uint32_t bits) {
  for (uint32_t i = 0; i < bits; ++i)
    if (key_bit(a, i) != key_bit(b, i)) return 0;
  return 1;
}

/* The first key in [first, last) whose bit `depth` is 1. */
static uint32_t split(const uint8_t* keys, uint32_t first, uint32_t last, uint32_t depth) {
  while (first < last && key_bit(keys + 32 * first, depth) == 0) ++first;
  return first;
}

typedef struct {
  basalt_multiproof* p;
  const uint8_t* at;
  const uint8_t* end;
  uint32_t cap;
} parser;

static const uint8_t* take(parser* ps, uint32_t n) {
  if ((uint32_t)(ps->end - ps->at) < n) return 0;
  const uint8_t* r = ps->at;
  ps->at += n;
  return r;
}

/* Parses one node (post-order into p->nodes); returns 0 or an error code. */
static int parse(parser* ps, uint32_t depth, uint32_t first, uint32_t last, uint32_t* index,
                 summary* s) {
  basalt_multiproof* p = ps->p;
  const uint8_t* tag = take(ps, 1);
  if (!tag) return 2;
  basalt_smt_node n;
  memset(&n, 0, sizeof n);
  n.tag = *tag;
  n.depth = (uint16_t)depth;
  n.first = first;
  n.last = last;
  const int on_path = first < last;
  s->kind = kEmpty;
  memset(s->hash, 0, 32);
  switch (n.tag) {
    case kTagEmpty:
      break;
    case kTagNode:
    case kTagLeafHash:
      if (on_path) return 4;
      if (!(n.hash = take(ps, 32))) return 2;
      if (is_zero(n.hash)) return 4;
      s->kind = n.tag == kTagNode ? kInternal : kLeaf;
      memcpy(s->hash, n.hash, 32);
      break;
    case kTagLeaf:
      if (!on_path) return 4;
      if (!(n.leaf_key = take(ps, 32)) || !(n.hash = take(ps, 32))) return 2;
      if (is_zero(n.hash) || !same_prefix(n.leaf_key, p->keys + 32 * first, depth)) return 4;
      for (uint32_t i = first; i < last; ++i) {
        if (memcmp(p->keys + 32 * i, n.leaf_key, 32) == 0) memcpy(p->values + 32 * i, n.hash, 32);
      }
      *s = leaf_summary(n.leaf_key, n.hash);
      break;
    case kTagBranch: {
      if (!on_path || depth >= 256) return 4;
      const uint32_t mid = split(p->keys, first, last, depth);
      summary l, r;
      int e = parse(ps, depth + 1, first, mid, &n.child[0], &l);
      if (e) return e;
      if ((e = parse(ps, depth + 1, mid, last, &n.child[1], &r))) return e;
      *s = combine(&l, &r);
      if (s->kind != kInternal) return 4;
      break;
    }
    default:
      return 3;
  }
  if (p->n_nodes == ps->cap) {
    basalt_smt_node* grown =
        (basalt_smt_node*)basalt_alloc(sizeof(basalt_smt_node) * ps->cap * 2, 4);
    memcpy(grown, p->nodes, sizeof(basalt_smt_node) * ps->cap);
    p->nodes = grown;
    ps->cap *= 2;
  }
  p->nodes[p->n_nodes] = n;
  *index = p->n_nodes++;
  return 0;
}

int basalt_multiproof_decode(basalt_multiproof* p, const uint8_t* keys, uint32_t n,
                             const uint8_t* proof, uint32_t len) {
  init_ivs();
  for (uint32_t i = 1; i < n; ++i)
    if (memcmp(keys + 32 * (i - 1), keys + 32 * i, 32) >= 0) return 1;
  p->keys = keys;
  p->n = n;
  p->values = (uint8_t*)basalt_alloc(32 * n + 1, 4);
  memset(p->values, 0, 32 * n);
  p->n_nodes = 0;
  parser ps = {p, proof, proof + len, 16};
  p->nodes = (basalt_smt_node*)basalt_alloc(sizeof(basalt_smt_node) * ps.cap, 4);
  uint32_t top;
  summary s;
  int e = parse(&ps, 0, 0, n, &top, &s);
  if (e) return e;
  if (ps.at != ps.end) return 5;
  memcpy(p->root, s.hash, 32);
  return 0;
}

/* The summary of the subtree at `depth` holding the live (non-zero) entries; entries are sorted
   by key, each a (key, value) pointer pair. */
static summary build_summary(const uint8_t** keys, const uint8_t** values, uint32_t count,
                             uint32_t depth) {
  summary s;
  s.kind = kEmpty;
  memset(s.hash, 0, 32);
  uint32_t live = 0, only = 0;
  for (uint32_t i = 0; i < count && live < 2; ++i) {
    if (!is_zero(values[i])) {
      only = i;
      ++live;
    }
  }
  if (live == 0) return s;
  if (live == 1) return leaf_summary(keys[only], values[only]);
  uint32_t mid = 0;
  while (mid < count && key_bit(keys[mid], depth) == 0) ++mid;
  summary l = build_summary(keys, values, mid, depth + 1);
  summary r = build_summary(keys + mid, values + mid, count - mid, depth + 1);
  return combine(&l, &r);
}

static summary summary_of(const basalt_multiproof* p, uint32_t i, const uint8_t* values) {
  const basalt_smt_node* n = &p->nodes[i];
  summary s;
  switch (n->tag) {
    case kTagNode:
    case kTagLeafHash:
      s.kind = n->tag == kTagNode ? kInternal : kLeaf;
      memcpy(s.hash, n->hash, 32);
      return s;
    case kTagBranch: {
      summary l = summary_of(p, n->child[0], values);
      summary r = summary_of(p, n->child[1], values);
      return combine(&l, &r);
    }
    default: {
      /* Empty or leaf on the paths: the queried keys with their values, plus the leaf found here
         when it belongs to a key not queried. */
      const uint32_t cap = n->last - n->first + 1;
      const uint8_t** ks = (const uint8_t**)basalt_alloc(sizeof(uint8_t*) * cap, 4);
      const uint8_t** vs = (const uint8_t**)basalt_alloc(sizeof(uint8_t*) * cap, 4);
      uint32_t count = 0;
      int placed = n->tag != kTagLeaf;
      for (uint32_t k = n->first; k < n->last; ++k) {
        const uint8_t* key = p->keys + 32 * k;
        if (!placed && memcmp(n->leaf_key, key, 32) <= 0) {
          if (memcmp(n->leaf_key, key, 32) != 0) {
            ks[count] = n->leaf_key;
            vs[count++] = n->hash;
          }
          placed = 1;
        }
        ks[count] = key;
        vs[count++] = values + 32 * k;
      }
      if (!placed) {
        ks[count] = n->leaf_key;
        vs[count++] = n->hash;
      }
      return build_summary(ks, vs, count, n->depth);
    }
  }
}

void basalt_multiproof_root_after(const basalt_multiproof* p, const uint8_t* new_values,
                                  uint8_t out[32]) {
  summary s = summary_of(p, p->n_nodes - 1, new_values);
  memcpy(out, s.hash, 32);
}

int32_t basalt_multiproof_find(const basalt_multiproof* p, const uint8_t key[32]) {
  uint32_t lo = 0, hi = p->n;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    const int c = memcmp(p->keys + 32 * mid, key, 32);
    if (c == 0) return (int32_t)mid;
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return -1;
}
