#include "kaspa/lane_smt.hpp"

#include <algorithm>
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

// The value at `depth` of a subtree whose value at `split` is `v`: every level in between has an
// empty sibling. Requires: depth <= split.
Hash32 lift_through_empty(const LaneKey& key, Hash32 v, int split, int depth) {
  for (int d = split - 1; d >= depth; --d) v = climb(key, d, v, smt_empty_hash(kSmtDepth - 1 - d));
  return v;
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

int SmtProof::limit() const {
  return terminal == SmtTerminal::kFull ? kSmtDepth : depth;
}

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
      return Error{ErrorCode::kNonCanonical,
                   "smt_proof.bitmap: bit at or beyond the limit is clear"};
    }
  }
  if (r.remaining() % 32 != 0 || r.remaining() / 32 < static_cast<std::size_t>(clear)) {
    if (r.remaining() / 32 < static_cast<std::size_t>(clear)) {
      return Error{ErrorCode::kTruncated,
                   "smt_proof.siblings: fewer siblings than clear bitmap bits"};
    }
    return Error{ErrorCode::kTrailingBytes, "smt_proof.siblings: partial sibling"};
  }
  if (r.remaining() / 32 > static_cast<std::size_t>(clear)) {
    return Error{ErrorCode::kTrailingBytes,
                 "smt_proof.siblings: more siblings than clear bitmap bits"};
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
      return Error{ErrorCode::kInvalid,
                   "smt proof: inclusion claim with a CollapsedOther terminal"};
    }
    cur = smt_collapsed_hash(key, *leaf);
  } else if (terminal == SmtTerminal::kCollapsedOther) {
    if (other_key == key) {
      return Error{ErrorCode::kInvalid, "smt proof: CollapsedOther names the queried lane"};
    }
    if (first_diff_bit(other_key, key) < lim) {
      return Error{ErrorCode::kInvalid, "smt proof: CollapsedOther lane off the key's path"};
    }
    if (other_leaf.is_zero())
      return Error{ErrorCode::kInvalid, "smt proof: ZERO leaf is not a lane"};
    cur = smt_collapsed_hash(other_key, other_leaf);
  } else if (terminal == SmtTerminal::kCollapsed) {
    return Error{ErrorCode::kInvalid, "smt proof: non-inclusion claim with a Collapsed terminal"};
  }
  // Siblings are stored root first and consumed from the end while climbing from the limit. While
  // both sides are empty subtrees the parent is the next empty hash, known without hashing.
  bool cur_empty = cur.is_zero() && lim == kSmtDepth;
  std::size_t next = siblings.size();
  for (int d = lim - 1; d >= 0; --d) {
    if (bitmap_bit(d)) {
      if (cur_empty) {
        cur = smt_empty_hash(kSmtDepth - d);
        continue;
      }
      cur = climb(key, d, cur, smt_empty_hash(kSmtDepth - 1 - d));
    } else {
      if (next == 0) return Error{ErrorCode::kInvalid, "smt proof: too few siblings"};
      cur = climb(key, d, cur, siblings[--next]);
      cur_empty = false;
    }
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

const LaneKey& LaneSmt::key_of(Ref r) const {
  return is_leaf(r) ? leaves_[r & ~kLeafBit].key : internals_[r].key;
}

LaneSmt::Ref LaneSmt::new_leaf(const LaneKey& key, const Hash32& leaf) {
  Ref idx;
  if (!free_leaves_.empty()) {
    idx = free_leaves_.back();
    free_leaves_.pop_back();
    leaves_[idx] = Leaf{key, leaf};
  } else {
    BASALT_ASSERT(leaves_.size() < kLeafBit);
    idx = static_cast<Ref>(leaves_.size());
    leaves_.push_back(Leaf{key, leaf});
  }
  ++leaf_count_;
  return idx | kLeafBit;
}

LaneSmt::Ref LaneSmt::new_internal(std::uint16_t split, Ref a, Ref b) {
  Ref idx;
  if (!free_internals_.empty()) {
    idx = free_internals_.back();
    free_internals_.pop_back();
    internals_[idx] = Internal{};
  } else {
    BASALT_ASSERT(internals_.size() < kLeafBit);
    idx = static_cast<Ref>(internals_.size());
    internals_.emplace_back();
  }
  Internal& n = internals_[idx];
  n.split = split;
  n.key = key_of(a);
  int a_side = smt_key_bit(n.key, split) ? 1 : 0;
  n.child[a_side] = a;
  n.child[1 - a_side] = b;
  n.stale = 3;
  return idx;
}

void LaneSmt::set_link(Ref parent, int side, Ref target) {
  if (parent == kNone) {
    root_ = target;
  } else {
    internals_[parent].child[side] = target;
    internals_[parent].stale |= static_cast<std::uint8_t>(1u << side);
  }
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
  // Walk down marking the path stale; `parent`/`side` locate the link to the current node (indices,
  // not pointers: the pools may grow).
  Ref parent = kNone;
  int side = 0;
  Ref cur = root_;
  for (;;) {
    if (is_leaf(cur)) {
      Leaf& l = leaves_[cur & ~kLeafBit];
      int diff = first_diff_bit(l.key, key);
      if (diff == kSmtDepth) {
        l.leaf = leaf;
        if (parent != kNone) internals_[parent].stale |= static_cast<std::uint8_t>(1u << side);
        return;
      }
      Ref fresh = new_leaf(key, leaf);
      set_link(parent, side, new_internal(static_cast<std::uint16_t>(diff), fresh, cur));
      return;
    }
    Internal& n = internals_[cur];
    int diff = first_diff_bit(n.key, key);
    if (diff < n.split) {
      // The key leaves this subtree's common prefix at `diff`: a new split above it.
      Ref fresh = new_leaf(key, leaf);
      set_link(parent, side, new_internal(static_cast<std::uint16_t>(diff), fresh, cur));
      return;
    }
    if (parent != kNone) internals_[parent].stale |= static_cast<std::uint8_t>(1u << side);
    parent = cur;
    side = smt_key_bit(key, n.split) ? 1 : 0;
    cur = n.child[side];
  }
}

void LaneSmt::update_batch(std::span<const std::pair<LaneKey, Hash32>> updates) {
  // Warm-up pass: descend every path one level at a time, prefetching the next node of each, so
  // that the misses of different paths are in flight together instead of one after another.
  cursors_.assign(updates.size(), root_);
  for (bool moved = root_ != kNone; moved;) {
    moved = false;
    for (std::size_t i = 0; i < updates.size(); ++i) {
      Ref& c = cursors_[i];
      if (c == kNone || is_leaf(c)) continue;
      const Internal& n = internals_[c];
      c = n.child[smt_key_bit(updates[i].first, n.split) ? 1 : 0];
      if (c == kNone) continue;
      if (is_leaf(c)) {
        __builtin_prefetch(&leaves_[c & ~kLeafBit]);
      } else {
        __builtin_prefetch(&internals_[c]);
        moved = true;
      }
    }
  }
  for (const auto& [key, leaf] : updates) insert(key, leaf);
}

void LaneSmt::erase(const LaneKey& key) {
  Ref grand = kNone, parent = kNone;
  int grand_side = 0, side = 0;
  Ref cur = root_;
  while (cur != kNone && !is_leaf(cur)) {
    const Internal& n = internals_[cur];
    if (first_diff_bit(n.key, key) < n.split) return;  // not in the tree
    grand = parent;
    grand_side = side;
    parent = cur;
    side = smt_key_bit(key, n.split) ? 1 : 0;
    cur = n.child[side];
  }
  if (cur == kNone || leaves_[cur & ~kLeafBit].key != key) return;
  free_leaves_.push_back(cur & ~kLeafBit);
  --leaf_count_;
  if (parent == kNone) {
    root_ = kNone;
    return;
  }
  // The lane was there: everything above its parent changes (a second walk, on now-cached nodes).
  for (Ref r = root_; r != parent;) {
    Internal& n = internals_[r];
    int s = smt_key_bit(key, n.split) ? 1 : 0;
    n.stale |= static_cast<std::uint8_t>(1u << s);
    r = n.child[s];
  }
  // The parent is left with one child, which takes its place (and is now seen from a new depth).
  Ref sibling = internals_[parent].child[1 - side];
  free_internals_.push_back(parent);
  set_link(grand, grand_side, sibling);
}

std::optional<Hash32> LaneSmt::get(const LaneKey& key) const {
  Ref cur = root_;
  while (cur != kNone && !is_leaf(cur)) {
    cur = internals_[cur].child[smt_key_bit(key, internals_[cur].split) ? 1 : 0];
  }
  if (cur == kNone || leaves_[cur & ~kLeafBit].key != key) return std::nullopt;
  return leaves_[cur & ~kLeafBit].leaf;
}

std::uint16_t LaneSmt::collect_stale(Ref r) const {
  const Internal& n = internals_[r];
  std::uint16_t height = 0;
  for (std::uint8_t s = 0; s < 2; ++s) {
    if ((n.stale >> s & 1) == 0) continue;
    Ref c = n.child[s];
    std::uint16_t h = is_leaf(c) ? 0 : static_cast<std::uint16_t>(collect_stale(c) + 1);
    stale_.push_back({r, c, h, s});
    height = std::max(height, h);
  }
  return height;
}

void LaneSmt::rehash_stale() const {
  if (root_ == kNone || is_leaf(root_)) return;
  stale_.clear();
  collect_stale(root_);
  if (stale_.empty()) return;
  // Links of equal height never depend on each other: hash each height level as one batch, deepest
  // first (leaf values at height 0).
  std::stable_sort(stale_.begin(), stale_.end(),
                   [](const StaleLink& a, const StaleLink& b) { return a.height < b.height; });
  auto hash_blocks = [&](crypto::Domain d, std::size_t n) {
    block_ptrs_.resize(n);
    for (std::size_t i = 0; i < n; ++i) block_ptrs_[i] = blocks_[i].data();
    values_.resize(n);
    crypto::domain_hash_blocks64(d, block_ptrs_, values_.data());
  };
  for (std::size_t begin = 0; begin < stale_.size();) {
    std::size_t end = begin;
    while (end < stale_.size() && stale_[end].height == stale_[begin].height) ++end;
    const std::size_t n = end - begin;
    blocks_.resize(n);
    const bool leaves = stale_[begin].height == 0;
    for (std::size_t i = 0; i < n; ++i) {
      const StaleLink& l = stale_[begin + i];
      auto& blk = blocks_[i];
      if (leaves) {
        const Leaf& leaf = leaves_[l.child & ~kLeafBit];
        std::copy(leaf.key.hash().bytes.begin(), leaf.key.hash().bytes.end(), blk.begin());
        std::copy(leaf.leaf.bytes.begin(), leaf.leaf.bytes.end(), blk.begin() + 32);
      } else {
        const Internal& c = internals_[l.child];
        std::copy(c.child_value[0].bytes.begin(), c.child_value[0].bytes.end(), blk.begin());
        std::copy(c.child_value[1].bytes.begin(), c.child_value[1].bytes.end(), blk.begin() + 32);
      }
    }
    hash_blocks(leaves ? crypto::Domain::kSeqCommitActiveCollapsedNode
                       : crypto::Domain::kSeqCommitActiveNode,
                n);
    std::vector<Hash32>& cur = lifted_;
    cur.assign(values_.begin(), values_.end());
    // Lift internal children through the empty siblings between their split and the parent's, one
    // level at a time for all of them together.
    if (!leaves) {
      for (int step = 1;; ++step) {
        std::size_t m = 0;
        std::vector<std::size_t>& active = active_;
        active.clear();
        for (std::size_t i = 0; i < n; ++i) {
          const StaleLink& l = stale_[begin + i];
          const Internal& c = internals_[l.child];
          int d = c.split - step;
          if (d < internals_[l.parent].split + 1) continue;
          const Hash32& empty = smt_empty_hash(kSmtDepth - 1 - d);
          bool right = smt_key_bit(c.key, d);
          auto& blk = blocks_[m++];
          const Hash32& lo = right ? empty : cur[i];
          const Hash32& hi = right ? cur[i] : empty;
          std::copy(lo.bytes.begin(), lo.bytes.end(), blk.begin());
          std::copy(hi.bytes.begin(), hi.bytes.end(), blk.begin() + 32);
          active.push_back(i);
        }
        if (m == 0) break;
        hash_blocks(crypto::Domain::kSeqCommitActiveNode, m);
        for (std::size_t k = 0; k < m; ++k) cur[active[k]] = values_[k];
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const StaleLink& l = stale_[begin + i];
      Internal& p = internals_[l.parent];
      p.child_value[l.side] = cur[i];
      p.stale &= static_cast<std::uint8_t>(~(1u << l.side));
    }
    begin = end;
  }
}

Hash32 LaneSmt::value_at(Ref r, int depth) const {
  if (is_leaf(r)) {
    // A collapsed leaf has the same value at every depth.
    const Leaf& l = leaves_[r & ~kLeafBit];
    return smt_collapsed_hash(l.key, l.leaf);
  }
  const Internal& n = internals_[r];
  BASALT_ASSERT(n.stale == 0);
  return lift_through_empty(n.key, smt_node_hash(n.child_value[0], n.child_value[1]), n.split,
                            depth);
}

Hash32 LaneSmt::root() const {
  if (root_ == kNone) return smt_empty_hash(kSmtDepth);
  rehash_stale();
  return value_at(root_, 0);
}

SmtProof LaneSmt::prove(const LaneKey& key) const {
  SmtProof p;
  p.bitmap.fill(0xff);
  if (root_ == kNone) return p;
  rehash_stale();
  Ref cur = root_;
  int entry = 0;
  for (;;) {
    if (is_leaf(cur)) {
      const Leaf& l = leaves_[cur & ~kLeafBit];
      if (entry == kSmtDepth) {
        p.terminal = SmtTerminal::kFull;  // a leaf at the bottom level: nothing left to collapse
      } else if (l.key == key) {
        p.terminal = SmtTerminal::kCollapsed;
        p.depth = static_cast<std::uint8_t>(entry);
      } else {
        p.terminal = SmtTerminal::kCollapsedOther;
        p.depth = static_cast<std::uint8_t>(entry);
        p.other_key = l.key;
        p.other_leaf = l.leaf;
      }
      return p;
    }
    const Internal& n = internals_[cur];
    int diff = first_diff_bit(n.key, key);
    if (diff < n.split) {
      // The key's side is empty from depth diff + 1: a Full proof whose only non-empty sibling on
      // this stretch is this whole subtree.
      set_bit(p.bitmap, diff, false);
      p.siblings.push_back(value_at(cur, diff + 1));
      return p;
    }
    int side = smt_key_bit(key, n.split) ? 1 : 0;
    set_bit(p.bitmap, n.split, false);
    p.siblings.push_back(n.child_value[1 - side]);
    cur = n.child[side];
    entry = n.split + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Streaming builder

Hash32 StreamingSmtBuilder::lift(const Entry& e, int depth) {
  if (e.split == kSmtDepth) return e.value;
  return lift_through_empty(e.key, e.value, e.split, depth);
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
  for (auto it = stack_.rbegin(); it != stack_.rend(); ++it)
    acc = join(it->join_depth, it->left, acc);
  return lift(acc, 0);
}

}  // namespace basalt::kaspa
