// The KIP-21 lane sparse Merkle tree (kip21 §4): 256-bit lane keys, MSB-first key bits (1 = right),
// empty subtrees E[h], single-leaf subtrees collapsed to HC(key || leaf) at any depth, internal
// nodes HN(left || right). A ZERO leaf hash deletes; the tree never holds a ZERO leaf.
//
// Proof wire format (kip21 §4.3):  bitmap[32] || tag[1] || terminal payload || siblings[N x 32]
//   tag 0 Full                          limit 256
//   tag 1 Collapsed{depth}        depth[1]                          limit depth   (inclusion)
//   tag 2 CollapsedOther{depth}   depth[1] || lane_key[32] || leaf[32]   limit depth (another lane)
//   bitmap bit d = bitmap[d/8] >> (d%8) & 1 (LSB-first): set = sibling at depth d is E[255-d] and
//   omitted; siblings are the non-empty ones for d < limit, root first.
// basalt's parser is canonical: besides the upstream rejections (sibling count != clear bits below
// the limit, trailing bytes, unknown tag, truncation) it also requires every bit >= limit to be
// set, as every proof kaspad generates has them; so each accepted proof has exactly one encoding.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "kaspa/types.hpp"

namespace basalt::kaspa {

inline constexpr int kSmtDepth = 256;

// E[h] for h in 0..256: E[0] = ZERO, E[h] = HN(E[h-1] || E[h-1]); E[256] is the empty-tree root.
const Hash32& smt_empty_hash(int height);
// Bit d of a key, MSB-first.
bool smt_key_bit(const LaneKey& key, int depth);
// The key with every bit at index >= depth cleared (Kaspa's BranchKey node key).
LaneKey smt_branch_node_key(const LaneKey& key, int depth);
// HC(key || leaf).
Hash32 smt_collapsed_hash(const LaneKey& key, const Hash32& leaf);
// HN(left || right).
Hash32 smt_node_hash(const Hash32& left, const Hash32& right);

enum class SmtTerminal : std::uint8_t { kFull = 0, kCollapsed = 1, kCollapsedOther = 2 };

struct SmtProof {
  std::array<std::uint8_t, 32> bitmap{};
  SmtTerminal terminal = SmtTerminal::kFull;
  std::uint8_t depth = 0;        // kCollapsed, kCollapsedOther
  LaneKey other_key;             // kCollapsedOther
  Hash32 other_leaf;             // kCollapsedOther
  std::vector<Hash32> siblings;  // non-empty siblings, root first

  // Levels the proof covers: 256 for kFull, depth otherwise.
  int limit() const;
  bool bitmap_bit(int d) const { return bitmap[d / 8] >> (d % 8) & 1; }

  core::Bytes to_bytes() const;
  // Errors: kTruncated, kUnknownTag (tag), kNonCanonical (a bit >= limit clear), kInvalid (sibling
  // count differs from the clear bits below the limit), kTrailingBytes.
  static core::Result<SmtProof> from_bytes(core::ByteSpan bytes);

  // The lanes root this proof implies for `key` holding `leaf` (inclusion) or holding nothing
  // (non-inclusion, leaf = nullopt). Errors: kInvalid when the terminal does not fit the claim
  // (inclusion needs Full or Collapsed; non-inclusion needs Full or CollapsedOther naming a
  // different lane that shares the key's first `depth` bits), or the leaf is ZERO.
  core::Result<Hash32> compute_root(const LaneKey& key, const std::optional<Hash32>& leaf) const;
  // kVerifyFailed unless compute_root(key, leaf) == root.
  core::Status verify(const Hash32& root, const LaneKey& key,
                      const std::optional<Hash32>& leaf) const;
};

// In-memory lane SMT: a path-compressed binary trie. Each internal node keeps the values of both
// children as seen from just below its split, so rehashing after an update reads only the nodes on
// the updated path (a sibling's value is already in its parent). Updates mark their path stale and
// root() rehashes only stale entries, so a batch of updates shares the upper levels. Not
// thread-safe; root() and prove() update caches.
class LaneSmt {
 public:
  LaneSmt() = default;

  // Sets the lane's leaf; a ZERO leaf removes the lane (absent lanes are ignored).
  void insert(const LaneKey& key, const Hash32& leaf);
  void remove(const LaneKey& key) { insert(key, Hash32::zero()); }
  // Applies updates in order (a ZERO leaf removes), as insert() one by one would. Faster for a
  // block's worth of updates: the paths are walked together first, so their cache misses overlap.
  void update_batch(std::span<const std::pair<LaneKey, Hash32>> updates);
  std::optional<Hash32> get(const LaneKey& key) const;
  std::size_t size() const { return leaf_count_; }

  Hash32 root() const;
  // Inclusion proof when the lane is present, otherwise a non-inclusion proof.
  SmtProof prove(const LaneKey& key) const;

 private:
  // A child reference: an index into leaves_ when kLeafBit is set, else into internals_.
  using Ref = std::uint32_t;
  static constexpr Ref kNone = 0xffffffff;
  static constexpr Ref kLeafBit = 0x80000000;

  struct Leaf {
    LaneKey key;
    Hash32 leaf;
  };
  // What a descent reads (links, split, key) fills the first cache line; the child values, needed
  // only when rehashing, the second.
  struct alignas(64) Internal {
    std::array<Ref, 2> child{kNone, kNone};
    std::uint16_t split = 0;            // the depth whose bit separates the children
    std::uint8_t stale = 0;             // bit s: child_value[s] must be recomputed
    LaneKey key;                        // any lane below; all of them share the bits before `split`
    std::array<Hash32, 2> child_value;  // children's values seen from depth split + 1
  };

  static bool is_leaf(Ref r) { return (r & kLeafBit) != 0; }
  const LaneKey& key_of(Ref r) const;
  Ref new_leaf(const LaneKey& key, const Hash32& leaf);
  Ref new_internal(std::uint16_t split, Ref a, Ref b);
  void set_link(Ref parent, int side, Ref target);
  void erase(const LaneKey& key);
  // Recomputes every stale child value, deepest first, hashing independent nodes together.
  void rehash_stale() const;
  // Appends r's stale links to stale_ in post-order; returns r's height in the stale forest.
  std::uint16_t collect_stale(Ref r) const;
  // The value of r's subtree seen from `depth`. Requires: no stale entry below r.
  Hash32 value_at(Ref r, int depth) const;

  // A child value to recompute: internals_[parent].child_value[side], from `child`.
  struct StaleLink {
    Ref parent;
    Ref child;
    std::uint16_t height;  // 0 for a leaf child; an internal child after all its own stale links
    std::uint8_t side;
  };

  std::vector<Leaf> leaves_;
  mutable std::vector<Internal> internals_;
  // Scratch of rehash_stale(), kept to avoid reallocating per block.
  mutable std::vector<StaleLink> stale_;
  mutable std::vector<Hash32> values_;
  mutable std::vector<std::array<std::uint8_t, 64>> blocks_;
  mutable std::vector<const std::uint8_t*> block_ptrs_;
  mutable std::vector<std::size_t> active_;
  mutable std::vector<Hash32> lifted_;
  std::vector<Ref> cursors_;
  std::vector<Ref> free_leaves_;
  std::vector<Ref> free_internals_;
  Ref root_ = kNone;
  std::size_t leaf_count_ = 0;
};

// Builds the root from leaves given in strictly ascending key order, in O(256) memory (kip21 §4.4).
class StreamingSmtBuilder {
 public:
  // Errors: kInvalid "UnsortedKey" / "DuplicateKey" for a key not above the previous one, kInvalid
  // for a ZERO leaf (the deletion marker is never a stored leaf).
  core::Status add(const LaneKey& key, const Hash32& leaf);
  Hash32 finalize() const;

 private:
  struct Entry {
    LaneKey key;
    Hash32 value;
    std::uint16_t split;  // 256 for a leaf
  };
  struct Pending {
    std::uint16_t join_depth;  // where this left part meets the subtree that follows it
    Entry left;
  };
  static Hash32 lift(const Entry& e, int depth);
  static Entry join(std::uint16_t depth, const Entry& left, const Entry& right);

  std::vector<Pending> stack_;
  std::optional<Entry> current_;  // the rightmost complete subtree; empty before the first leaf
  LaneKey last_key_;
};

}  // namespace basalt::kaspa
