#include "kaspa/lane_smt.hpp"

#include <bit>

#include "core/assert.hpp"
#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "crypto/domain.hpp"

namespace basalt::kaspa {

using core::Error;
using core::ErrorCode;
using crypto::Domain;

namespace {

// Index of the first bit (MSB-first) where a and b differ; 256 when equal.
int first_diff_bit(const LaneKey& a, const LaneKey& b) {
  for (int i = 0; i < 32; ++i) {
    std::uint8_t x = a.hash().bytes[i] ^ b.hash().bytes[i];
    if (x != 0) return i * 8 + std::countl_zero(x);
  }
  return kSmtDepth;
}

void set_bit(std::array<std::uint8_t, 32>& bitmap, int d, bool v) {
  auto mask = static_cast<std::uint8_t>(1u << (d % 8));
  if (v) {
    bitmap[d / 8] |= mask;
  } else {
    bitmap[d / 8] &= static_cast<std::uint8_t>(~mask);
  }
}

// One step up: the parent at `depth` of `cur` (on the key's side) and `sib` (the other side).
Hash32 climb(const LaneKey& key, int depth, const Hash32& cur, const Hash32& sib) {
  return smt_key_bit(key, depth) ? smt_node_hash(sib, cur) : smt_node_hash(cur, sib);
}

}  // namespace

const Hash32& smt_empty_hash(int height) {
  static const std::array<Hash32, kSmtDepth + 1> table = [] {
    std::array<Hash32, kSmtDepth + 1> t{};
    for (int h = 1; h <= kSmtDepth; ++h) t[h] = smt_node_hash(t[h - 1], t[h - 1]);
    return t;
  }();
  BASALT_ASSERT(height >= 0 && height <= kSmtDepth);
  return table[height];
}

bool smt_key_bit(const LaneKey& key, int depth) {
  return key.hash().bytes[depth / 8] >> (7 - depth % 8) & 1;
}

LaneKey smt_branch_node_key(const LaneKey& key, int depth) {
  Hash32 h = key.hash();
  for (int d = depth; d < kSmtDepth; ++d) {
    h.bytes[d / 8] &= static_cast<std::uint8_t>(~(0x80u >> (d % 8)));
  }
  return LaneKey(h);
}

Hash32 smt_collapsed_hash(const LaneKey& key, const Hash32& leaf) {
  return crypto::domain_hash_pair(Domain::kSeqCommitActiveCollapsedNode, key.hash(), leaf);
}

Hash32 smt_node_hash(const Hash32& left, const Hash32& right) {
  return crypto::domain_hash_pair(Domain::kSeqCommitActiveNode, left, right);
}

// ---------------------------------------------------------------------------------------------
// Proofs

int SmtProof::limit() const { return terminal == SmtTerminal::kFull ? kSmtDepth : depth; }

core::Bytes SmtProof::to_bytes() const {
  core::ByteWriter w(32 + 1 + 65 + 32 * siblings.size());
  w.bytes(bitmap);
  w.u8(static_cast<std::uint8_t>(terminal));
  if (terminal != SmtTerminal::kFull) w.u8(depth);
  if (terminal == SmtTerminal::kCollapsedOther) {
    w.hash(other_key.hash());
    w.hash(other_leaf);
  }
  for (const auto& s : siblings) w.hash(s);
  return w.take();
}

core::Result<SmtProof> SmtProof::from_bytes(core::ByteSpan bytes) {
  core::ByteReader r(bytes);
  SmtProof p;
  BASALT_ASSIGN_OR_RETURN(auto bitmap, r.read_bytes(32, "smt_proof.bitmap"));
  for (int i = 0; i < 32; ++i) p.bitmap[i] = bitmap[i];
  BASALT_ASSIGN_OR_RETURN(auto tag, r.read_u8("smt_proof.tag"));
  if (tag > 2) return Error{ErrorCode::kUnknownTag, "smt_proof.tag"};
  p.terminal = static_cast<SmtTerminal>(tag);
  if (p.terminal != SmtTerminal::kFull) {
    BASALT_ASSIGN_OR_RETURN(p.depth, r.read_u8("smt_proof.depth"));
  }
  if (p.terminal == SmtTerminal::kCollapsedOther) {
    BASALT_ASSIGN_OR_RETURN(auto key, r.read_hash32("smt_proof.lane_key"));
    BASALT_ASSIGN_OR_RETURN(p.other_leaf, r.read_hash32("smt_proof.leaf_hash"));
    p.other_key = LaneKey(key);
  }
  const int limit = p.limit();
  int clear = 0;
  for (int d = 0; d < kSmtDepth; ++d) {
    if (d < limit) {
      clear += p.bitmap_bit(d) ? 0 : 1;
    } else if (!p.bitmap_bit(d)) {
      return Error{ErrorCode::kNonCanonical, "smt_proof.bitmap: bit at or beyond the limit is clear"};
    }
  }
  if (r.remaining() % 32 != 0 || r.remaining() / 32 < static_cast<std::size_t>(clear)) {
    if (r.remaining() / 32 < static_cast<std::size_t>(clear)) {
      return Error{ErrorCode::kTruncated, "smt_proof.siblings: fewer siblings than clear bitmap bits"};
    }
    return Error{ErrorCode::kTrailingBytes, "smt_proof.siblings: partial sibling"};
  }
  if (r.remaining() / 32 > static_cast<std::size_t>(clear)) {
    return Error{ErrorCode::kTrailingBytes, "smt_proof.siblings: more siblings than clear bitmap bits"};
  }
  p.siblings.reserve(clear);
  for (int i = 0; i < clear; ++i) {
    BASALT_ASSIGN_OR_RETURN(auto s, r.read_hash32("smt_proof.sibling"));
    p.siblings.push_back(s);
  }
  BASALT_TRY(r.expect_end("smt_proof"));
  return p;
}

core::Result<Hash32> SmtProof::compute_root(const LaneKey& key,
                                            const std::optional<Hash32>& leaf) const {
  const int lim = limit();
  Hash32 cur;
  if (leaf) {
    if (leaf->is_zero()) return Error{ErrorCode::kInvalid, "smt proof: ZERO leaf is not a lane"};
    if (terminal == SmtTerminal::kCollapsedOther) {
      return Error{ErrorCode::kInvalid, "smt proof: inclusion claim with a CollapsedOther terminal"};
    }
    cur = smt_collapsed_hash(key, *leaf);
  } else if (terminal == SmtTerminal::kCollapsedOther) {
    if (other_key == key) {
      return Error{ErrorCode::kInvalid, "smt proof: CollapsedOther names the queried lane"};
    }
    if (first_diff_bit(other_key, key) < lim) {
      return Error{ErrorCode::kInvalid, "smt proof: CollapsedOther lane off the key's path"};
    }
    if (other_leaf.is_zero()) return Error{ErrorCode::kInvalid, "smt proof: ZERO leaf is not a lane"};
    cur = smt_collapsed_hash(other_key, other_leaf);
  } else if (terminal == SmtTerminal::kCollapsed) {
    return Error{ErrorCode::kInvalid, "smt proof: non-inclusion claim with a Collapsed terminal"};
  }
  // Siblings are stored root first and consumed from the end while climbing from the limit.
  std::size_t next = siblings.size();
  for (int d = lim - 1; d >= 0; --d) {
    Hash32 sib;
    if (bitmap_bit(d)) {
      sib = smt_empty_hash(kSmtDepth - 1 - d);
    } else {
      if (next == 0) return Error{ErrorCode::kInvalid, "smt proof: too few siblings"};
      sib = siblings[--next];
    }
    cur = climb(key, d, cur, sib);
  }
  if (next != 0) return Error{ErrorCode::kInvalid, "smt proof: too many siblings"};
  return cur;
}

core::Status SmtProof::verify(const Hash32& root, const LaneKey& key,
                              const std::optional<Hash32>& leaf) const {
  BASALT_ASSIGN_OR_RETURN(auto computed, compute_root(key, leaf));
  if (computed != root) return Error{ErrorCode::kVerifyFailed, "smt proof: root mismatch"};
  return core::Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// In-memory tree

std::uint32_t LaneSmt::new_node() {
  if (!free_.empty()) {
    std::uint32_t idx = free_.back();
    free_.pop_back();
    nodes_[idx] = Node{};
    return idx;
  }
  BASALT_ASSERT(nodes_.size() < kNone);
  nodes_.emplace_back();
  return static_cast<std::uint32_t>(nodes_.size() - 1);
}

void LaneSmt::free_node(std::uint32_t idx) { free_.push_back(idx); }

std::uint32_t LaneSmt::new_leaf(const LaneKey& key, const Hash32& leaf) {
  std::uint32_t idx = new_node();
  Node& n = nodes_[idx];
  n.key = key;
  n.leaf = leaf;
  n.value = smt_collapsed_hash(key, leaf);
  ++leaves_;
  return idx;
}

std::uint32_t LaneSmt::new_internal(std::uint16_t split, std::uint32_t a, std::uint32_t b) {
  std::uint32_t idx = new_node();
  Node& n = nodes_[idx];
  n.split = split;
  n.key = nodes_[a].key;
  bool a_right = smt_key_bit(nodes_[a].key, split);
  n.child[a_right ? 1 : 0] = a;
  n.child[a_right ? 0 : 1] = b;
  n.dirty = true;
  return idx;
}

void LaneSmt::insert(const LaneKey& key, const Hash32& leaf) {
  if (leaf.is_zero()) {
    erase(key);
    return;
  }
  if (root_ == kNone) {
    root_ = new_leaf(key, leaf);
    return;
  }
  // `parent`/`side` locate the link to replace; indices, not pointers, since nodes_ may grow.
  std::uint32_t parent = kNone;
  int side = 0;
  std::uint32_t idx = root_;
  for (;;) {
    Node& n = nodes_[idx];
    int diff = first_diff_bit(n.key, key);
    if (n.is_leaf() && diff == kSmtDepth) {
      n.leaf = leaf;
      n.value = smt_collapsed_hash(key, leaf);
      return;
    }
    if (diff < n.split) {
      // The key leaves this subtree's common prefix at `diff`: a new split above it.
      std::uint32_t fresh = new_leaf(key, leaf);
      std::uint32_t joined = new_internal(static_cast<std::uint16_t>(diff), fresh, idx);
      if (parent == kNone) {
        root_ = joined;
      } else {
        nodes_[parent].child[side] = joined;
      }
      return;
    }
    n.dirty = true;
    parent = idx;
    side = smt_key_bit(key, n.split) ? 1 : 0;
    idx = n.child[side];
  }
}

void LaneSmt::erase(const LaneKey& key) {
  std::uint32_t grand = kNone;
  int grand_side = 0;
  std::uint32_t parent = kNone;
  int side = 0;
  std::uint32_t idx = root_;
  while (idx != kNone) {
    const Node& n = nodes_[idx];
    if (n.is_leaf()) break;
    if (first_diff_bit(n.key, key) < n.split) return;  // not in the tree
    grand = parent;
    grand_side = side;
    parent = idx;
    side = smt_key_bit(key, n.split) ? 1 : 0;
    idx = n.child[side];
  }
  if (idx == kNone || nodes_[idx].key != key) return;
  free_node(idx);
  --leaves_;
  if (parent == kNone) {
    root_ = kNone;
    return;
  }
  // The parent loses a child: its other child takes its place.
  std::uint32_t sibling = nodes_[parent].child[1 - side];
  free_node(parent);
  if (grand == kNone) {
    root_ = sibling;
  } else {
    nodes_[grand].child[grand_side] = sibling;
  }
  // Mark the path down to the replaced link dirty.
  for (std::uint32_t i = root_; i != kNone && !nodes_[i].is_leaf();) {
    if (i == sibling) break;
    nodes_[i].dirty = true;
    i = nodes_[i].child[smt_key_bit(key, nodes_[i].split) ? 1 : 0];
  }
}

std::optional<Hash32> LaneSmt::get(const LaneKey& key) const {
  std::uint32_t idx = root_;
  while (idx != kNone && !nodes_[idx].is_leaf()) {
    idx = nodes_[idx].child[smt_key_bit(key, nodes_[idx].split) ? 1 : 0];
  }
  if (idx == kNone || nodes_[idx].key != key) return std::nullopt;
  return nodes_[idx].leaf;
}

void LaneSmt::refresh(std::uint32_t idx) const {
  Node& n = nodes_[idx];
  if (!n.dirty) return;
  refresh(n.child[0]);
  refresh(n.child[1]);
  n.value = smt_node_hash(value_at(n.child[0], n.split + 1), value_at(n.child[1], n.split + 1));
  n.dirty = false;
}

Hash32 LaneSmt::value_at(std::uint32_t idx, int depth) const {
  const Node& n = nodes_[idx];
  if (n.is_leaf()) return n.value;  // a collapsed leaf has the same value at every depth
  Hash32 v = n.value;
  for (int d = n.split - 1; d >= depth; --d) v = climb(n.key, d, v, smt_empty_hash(kSmtDepth - 1 - d));
  return v;
}

Hash32 LaneSmt::root() const {
  if (root_ == kNone) return smt_empty_hash(kSmtDepth);
  refresh(root_);
  return value_at(root_, 0);
}

SmtProof LaneSmt::prove(const LaneKey& key) const {
  SmtProof p;
  p.bitmap.fill(0xff);
  if (root_ == kNone) return p;
  refresh(root_);
  std::uint32_t idx = root_;
  int entry = 0;
  for (;;) {
    const Node& n = nodes_[idx];
    int diff = first_diff_bit(n.key, key);
    if (n.is_leaf()) {
      if (entry == kSmtDepth) {
        p.terminal = SmtTerminal::kFull;  // a leaf at the bottom level: nothing left to collapse
      } else {
        p.terminal = diff == kSmtDepth ? SmtTerminal::kCollapsed : SmtTerminal::kCollapsedOther;
        p.depth = static_cast<std::uint8_t>(entry);
        if (p.terminal == SmtTerminal::kCollapsedOther) {
          p.other_key = n.key;
          p.other_leaf = n.leaf;
        }
      }
      return p;
    }
    if (diff < n.split) {
      // The key's side is empty from depth diff + 1: a Full proof whose only non-empty sibling on
      // this stretch is this whole subtree.
      set_bit(p.bitmap, diff, false);
      p.siblings.push_back(value_at(idx, diff + 1));
      return p;
    }
    int side = smt_key_bit(key, n.split) ? 1 : 0;
    set_bit(p.bitmap, n.split, false);
    p.siblings.push_back(value_at(n.child[1 - side], n.split + 1));
    idx = n.child[side];
    entry = n.split + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming builder

Hash32 StreamingSmtBuilder::lift(const Entry& e, int depth) {
  if (e.split == kSmtDepth) return e.value;
  Hash32 v = e.value;
  for (int d = e.split - 1; d >= depth; --d) v = climb(e.key, d, v, smt_empty_hash(kSmtDepth - 1 - d));
  return v;
}

StreamingSmtBuilder::Entry StreamingSmtBuilder::join(std::uint16_t depth, const Entry& left,
                                                     const Entry& right) {
  return Entry{left.key, smt_node_hash(lift(left, depth + 1), lift(right, depth + 1)), depth};
}

core::Status StreamingSmtBuilder::add(const LaneKey& key, const Hash32& leaf) {
  if (leaf.is_zero()) return Error{ErrorCode::kInvalid, "ZERO leaf is the deletion marker"};
  Entry fresh{key, smt_collapsed_hash(key, leaf), static_cast<std::uint16_t>(kSmtDepth)};
  if (!current_) {
    current_ = fresh;
    last_key_ = key;
    return core::Status::Ok();
  }
  if (key == last_key_) return Error{ErrorCode::kInvalid, "DuplicateKey"};
  if (key < last_key_) return Error{ErrorCode::kInvalid, "UnsortedKey"};
  // Keys arrive sorted, so the newest leaf splits from the previous key at their first differing
  // bit; every pending split deeper than that is complete and folds into one subtree.
  auto dv = static_cast<std::uint16_t>(first_diff_bit(last_key_, key));
  while (!stack_.empty() && stack_.back().join_depth > dv) {
    current_ = join(stack_.back().join_depth, stack_.back().left, *current_);
    stack_.pop_back();
  }
  stack_.push_back({dv, *current_});
  current_ = fresh;
  last_key_ = key;
  return core::Status::Ok();
}

Hash32 StreamingSmtBuilder::finalize() const {
  if (!current_) return smt_empty_hash(kSmtDepth);
  Entry acc = *current_;
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) acc = join(it->join_depth, it->left, acc);
  return lift(acc, 0);
}

}  // namespace basalt::kaspa
