// The resource SMT: a sparse Merkle tree over 256-bit resource ids with shortcut leaves, hashed
// with the SHA-256 compression function (one 64-byte block per node, the domain in the IV). The
// hashing, the canonical shape and the multiproof format are specified in docs/state.md.
//
// Smt is the in-memory tree: an arena of internal nodes and leaves, updated in place by sorted
// batches, so that a batch of k updates rehashes each touched node once.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/huge_pages.hpp"
#include "core/result.hpp"

namespace basalt::core {
class HelperThread;
}  // namespace basalt::core

namespace basalt::state {

struct ResourceIdTag;
using ResourceId = core::Strong32<ResourceIdTag>;

// SHA-256 of a resource's data; zero for empty data, which is the same state as absent.
using ValueHash = core::Hash32;
ValueHash value_hash(core::ByteSpan data);

enum class NodeKind : std::uint8_t { kEmpty = 0, kLeaf = 1, kInternal = 2 };

// What a parent needs of a child: its kind (committed, so that a verifier can promote a lone leaf)
// and its hash.
struct NodeSummary {
  NodeKind kind = NodeKind::kEmpty;
  core::Hash32 hash;
  bool operator==(const NodeSummary&) const = default;
};

NodeSummary leaf_summary(const ResourceId& key, const ValueHash& value);
// Two empty children are empty; a leaf beside an empty sibling moves up (shortcut); otherwise an
// internal node.
NodeSummary combine(const NodeSummary& left, const NodeSummary& right);
// Bit `depth` of the key, most significant bit of byte 0 first; 0 goes left.
inline int key_bit(const ResourceId& key, unsigned depth) {
  return (key.hash().bytes[depth >> 3] >> (7 - (depth & 7))) & 1;
}

struct SmtUpdate {
  ResourceId key;
  ValueHash value;  // zero: delete
};

class Smt {
 public:
  // The empty tree's root is zero.
  core::Hash32 root() const { return root_.hash; }
  ValueHash get(const ResourceId& key) const;
  std::size_t size() const { return leaves_.size() - free_leaves_.size(); }

  // Applies a batch in any order; for a key given twice the last entry wins. `replaced`, when
  // given, receives for each update the value its key held before the batch (zero: absent).
  // With a `helper`, a batch that only changes the values of present resources (no insert, no
  // delete: the tree keeps its shape) has one of the root's subtrees walked and rehashed on the
  // helper thread; the result is the same either way.
  void apply(std::span<const SmtUpdate> updates, std::vector<ValueHash>* replaced = nullptr,
             core::HelperThread* helper = nullptr);
  // Builds the tree of an empty Smt from entries in strictly ascending key order with non-zero
  // values. Errors: kInvalid when the order or a value is wrong; the tree stays empty then.
  core::Status build_sorted(std::span<const SmtUpdate> entries);

  // A multiproof for strictly ascending keys (membership and non-membership alike). Errors:
  // kInvalid when the keys are not strictly ascending.
  core::Result<core::Bytes> prove(std::span<const ResourceId> keys) const;

 private:
  // A child reference: 0 = empty, kLeafBit | i = leaves_[i], otherwise inodes_[ref - 1].
  using Ref = std::uint32_t;
  static constexpr Ref kLeafBit = 0x8000'0000u;
  // A node keeps its children's hashes, so that rehashing it after one child changed does not
  // touch the other child's memory.
  struct Internal {
    core::Hash32 hash[2];
    Ref child[2];
  };
  struct Leaf {
    ResourceId key;
    ValueHash value;
  };
  // A subtree: its root reference and hash.
  struct Sub {
    Ref ref = 0;
    core::Hash32 hash;
  };
  static NodeKind kind(Ref r) {
    return r == 0 ? NodeKind::kEmpty : (r & kLeafBit) ? NodeKind::kLeaf : NodeKind::kInternal;
  }

  // The nodes the paths of a batch's ascending keys cross below `start` (at depth `depth`), by
  // level: w[0] = {start}. A visit covers the keys [first, last); its children on the paths are
  // visits one level down.
  static constexpr std::uint32_t kNoVisit = 0xffff'ffffu;
  struct Visit {
    Ref ref;
    std::uint32_t first, last;
    std::uint32_t child[2] = {kNoVisit, kNoVisit};
    core::Hash32 hash{};  // set by rehash()
  };
  using Walk = std::vector<std::vector<Visit>>;
  Walk walk(std::span<const ResourceId> sorted, const Visit& start, unsigned depth) const;
  // Each key's value before the batch, from the leaves the walk reached.
  void read_before(const Walk& w, std::span<const ResourceId> sorted,
                   std::vector<ValueHash>& before) const;
  // For a walk whose every path ends in the leaf of its own key, with no update deleting one (the
  // tree keeps its shape): writes the new values and rehashes the visited nodes, the deepest level
  // first. Allocates and frees nothing, so walks of disjoint subtrees may be rehashed at once.
  void rehash(Walk& w, std::span<const SmtUpdate> ups);
  // Stores an internal node's new child hashes (nullptr: that child did not change) and returns
  // the node's new hash.
  core::Hash32 rehash_node(Ref r, const core::Hash32* left, const core::Hash32* right);
  Sub update(const Sub& node, unsigned depth, std::span<const SmtUpdate> ups);
  Sub build(unsigned depth, std::span<const SmtUpdate> ups);
  Sub join(Ref node, const Sub& left, const Sub& right);
  Sub new_leaf(const ResourceId& key, const ValueHash& value);
  void free_ref(Ref r);
  void emit(const Sub& node, unsigned depth, std::span<const ResourceId> keys,
            core::Bytes& out) const;

  std::vector<Internal, core::HugePageAllocator<Internal>> inodes_;
  std::vector<std::uint32_t> free_inodes_;
  std::vector<Leaf, core::HugePageAllocator<Leaf>> leaves_;
  std::vector<std::uint32_t> free_leaves_;
  Sub root_;
};

// A decoded multiproof for a set of keys: the part of the tree those keys' paths cross, with every
// subtree off the paths as a summary. It gives the root it proves, each key's value, and the root
// after changing those keys' values (what a batch verifier needs).
class MultiProof {
 public:
  // Keys must be strictly ascending. The encoding is canonical: anything but the one encoding
  // Smt::prove gives for these keys and some tree is rejected. Errors: kTruncated, kUnknownTag,
  // kNonCanonical, kTrailingBytes, kInvalid (keys not ascending).
  static core::Result<MultiProof> decode(std::span<const ResourceId> keys, core::ByteSpan bytes);

  core::Hash32 root() const;
  // Per key, in the order given: its value hash, zero when absent.
  const std::vector<ValueHash>& values() const { return values_; }
  // The root once key i holds new_values[i] (zero deletes). Requires: new_values.size() == keys.
  core::Hash32 root_after(std::span<const ValueHash> new_values) const;

 private:
  enum class Tag : std::uint8_t {
    kEmpty = 0,     // an empty subtree
    kLeaf = 1,      // a leaf on a queried path: key, value
    kNode = 2,      // an internal node off every path: its hash
    kBranch = 3,    // an internal node on a path: its two children follow, left first
    kLeafHash = 4,  // a leaf off every path: its hash
  };
  struct PNode {
    Tag tag;
    std::uint16_t depth;
    std::uint32_t first, last;  // the queried keys below: [first, last)
    std::uint32_t child[2];     // kBranch
    ResourceId leaf_key;        // kLeaf
    core::Hash32 hash;          // kNode, kLeafHash: the hash; kLeaf: the value
  };
  NodeSummary summary_of(std::uint32_t n, std::span<const ValueHash> values) const;

  std::vector<ResourceId> keys_;
  std::vector<PNode> nodes_;  // nodes_[0] is the root
  std::vector<ValueHash> values_;
  NodeSummary root_;
};

}  // namespace basalt::state
