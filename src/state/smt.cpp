#include "state/smt.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/helper_thread.hpp"
#include "crypto/sha256.hpp"

namespace basalt::state {

namespace {

using core::Error;
using core::ErrorCode;
using core::Hash32;

// One IV per node shape. A leaf hashes key ‖ value; an internal node hashes left ‖ right, under the
// IV of its children's kinds, so the kinds are committed without spending bytes of the block.
struct Ivs {
  std::array<std::uint32_t, 8> leaf;
  std::array<std::uint32_t, 8> node[3][3];  // [left kind][right kind]; only the internal shapes
};

const Ivs& ivs() {
  static const Ivs v = [] {
    Ivs r{};
    r.leaf = crypto::sha256_domain_iv("basalt.state.smt.v1.leaf");
    const char* names[3] = {"E", "L", "I"};
    for (int l = 0; l < 3; ++l) {
      for (int k = 0; k < 3; ++k) {
        r.node[l][k] = crypto::sha256_domain_iv(std::string("basalt.state.smt.v1.node.") +
                                                names[l] + names[k]);
      }
    }
    return r;
  }();
  return v;
}

Hash32 hash_pair(const std::array<std::uint32_t, 8>& iv, const Hash32& a, const Hash32& b) {
  std::uint8_t block[64];
  std::memcpy(block, a.data(), 32);
  std::memcpy(block + 32, b.data(), 32);
  return crypto::sha256_compress_from(iv, block);
}

// Key order (bytewise) by big-endian 64-bit words: cheaper than memcmp on the sort's hot path.
bool key_less(const ResourceId& a, const ResourceId& b) {
  for (int i = 0; i < 4; ++i) {
    std::uint64_t x, y;
    std::memcpy(&x, a.hash().data() + 8 * i, 8);
    std::memcpy(&y, b.hash().data() + 8 * i, 8);
    if constexpr (std::endian::native == std::endian::little) {
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
    }
    if (x != y) return x < y;
  }
  return false;
}

bool same_prefix(const ResourceId& a, const ResourceId& b, unsigned bits) {
  const auto& x = a.hash().bytes;
  const auto& y = b.hash().bytes;
  const unsigned whole = bits / 8;
  if (std::memcmp(x.data(), y.data(), whole) != 0) return false;
  if (bits % 8 == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff00 >> (bits % 8));
  return ((x[whole] ^ y[whole]) & mask) == 0;
}

// The first index in a key-sorted span whose bit `depth` is 1 (all entries share the bits above).
template <typename T, typename KeyOf>
std::size_t split_point(std::span<const T> s, unsigned depth, KeyOf key_of) {
  return static_cast<std::size_t>(
      std::partition_point(s.begin(), s.end(),
                           [&](const T& e) { return key_bit(key_of(e), depth) == 0; }) -
      s.begin());
}

// How many entries are live (non-zero), counted up to 2, and the live one when it is alone.
struct Live {
  std::size_t count = 0;
  const SmtUpdate* only = nullptr;
};
Live count_live(std::span<const SmtUpdate> entries) {
  Live l;
  for (const auto& e : entries) {
    if (e.value.is_zero()) continue;
    l.only = &e;
    if (++l.count > 1) break;
  }
  return l;
}

// The summary of the subtree at `depth` holding exactly the live entries (key-sorted, unique).
NodeSummary build_summary(std::span<const SmtUpdate> entries, unsigned depth) {
  const Live live = count_live(entries);
  if (live.count == 0) return {};
  if (live.count == 1) return leaf_summary(live.only->key, live.only->value);
  const std::size_t mid = split_point(entries, depth, [](const SmtUpdate& u) { return u.key; });
  return combine(build_summary(entries.first(mid), depth + 1),
                 build_summary(entries.subspan(mid), depth + 1));
}

// A handoff to the helper thread costs tens of microseconds; batches too small for that to be a
// minor share stay on the calling thread.
constexpr std::size_t kMinParallel = 256;

}  // namespace

ValueHash value_hash(core::ByteSpan data) {
  return data.empty() ? ValueHash{} : crypto::sha256(data);
}

NodeSummary leaf_summary(const ResourceId& key, const ValueHash& value) {
  return {NodeKind::kLeaf, hash_pair(ivs().leaf, key.hash(), value)};
}

NodeSummary combine(const NodeSummary& left, const NodeSummary& right) {
  if (left.kind == NodeKind::kEmpty && right.kind != NodeKind::kInternal) return right;
  if (right.kind == NodeKind::kEmpty && left.kind == NodeKind::kLeaf) return left;
  const auto l = static_cast<int>(left.kind);
  const auto r = static_cast<int>(right.kind);
  return {NodeKind::kInternal, hash_pair(ivs().node[l][r], left.hash, right.hash)};
}

// ---- Smt ------------------------------------------------------------------------------------

ValueHash Smt::get(const ResourceId& key) const {
  Ref r = root_.ref;
  for (unsigned depth = 0; r != 0; ++depth) {
    if (r & kLeafBit) {
      const Leaf& l = leaves_[r & ~kLeafBit];
      return l.key == key ? l.value : ValueHash{};
    }
    r = inodes_[r - 1].child[key_bit(key, depth)];
  }
  return {};
}

Smt::Sub Smt::new_leaf(const ResourceId& key, const ValueHash& value) {
  const Leaf l{key, value};
  Ref r;
  if (!free_leaves_.empty()) {
    const std::uint32_t i = free_leaves_.back();
    free_leaves_.pop_back();
    leaves_[i] = l;
    r = kLeafBit | i;
  } else {
    leaves_.push_back(l);
    r = kLeafBit | static_cast<std::uint32_t>(leaves_.size() - 1);
  }
  return {r, leaf_summary(key, value).hash};
}

void Smt::free_ref(Ref r) {
  if (r == 0) return;
  if (r & kLeafBit) {
    free_leaves_.push_back(r & ~kLeafBit);
  } else {
    free_inodes_.push_back(r - 1);
  }
}

// Gives `node` (an internal node to reuse, or 0) the two children, or returns what replaces it when
// the children collapse.
Smt::Sub Smt::join(Ref node, const Sub& left, const Sub& right) {
  const NodeSummary s = combine({kind(left.ref), left.hash}, {kind(right.ref), right.hash});
  if (s.kind != NodeKind::kInternal) {
    free_ref(node);
    return left.ref != 0 ? left : right;
  }
  if (node == 0) {
    if (!free_inodes_.empty()) {
      node = free_inodes_.back() + 1;
      free_inodes_.pop_back();
    } else {
      inodes_.push_back({});
      node = static_cast<Ref>(inodes_.size());
    }
  }
  Internal& n = inodes_[node - 1];
  n.hash[0] = left.hash;
  n.hash[1] = right.hash;
  n.child[0] = left.ref;
  n.child[1] = right.ref;
  return {node, s.hash};
}

Smt::Sub Smt::build(unsigned depth, std::span<const SmtUpdate> ups) {
  const Live live = count_live(ups);
  if (live.count == 0) return {};
  if (live.count == 1) return new_leaf(live.only->key, live.only->value);
  const std::size_t mid = split_point(ups, depth, [](const SmtUpdate& u) { return u.key; });
  const Sub l = build(depth + 1, ups.first(mid));
  const Sub r = build(depth + 1, ups.subspan(mid));
  return join(0, l, r);
}

Smt::Sub Smt::update(const Sub& node, unsigned depth, std::span<const SmtUpdate> ups) {
  if (ups.empty()) return node;
  const Ref r = node.ref;
  if (r == 0) return build(depth, ups);
  if (r & kLeafBit) {
    Leaf& l = leaves_[r & ~kLeafBit];
    if (ups.size() == 1 && ups[0].key == l.key) {
      if (ups[0].value.is_zero()) {
        free_ref(r);
        return {};
      }
      l.value = ups[0].value;
      return {r, leaf_summary(l.key, l.value).hash};
    }
    // The existing leaf joins the updates unless one of them replaces it.
    const SmtUpdate existing{l.key, l.value};
    free_ref(r);
    auto pos = std::lower_bound(ups.begin(), ups.end(), existing.key,
                                [](const SmtUpdate& u, const ResourceId& k) { return u.key < k; });
    if (pos != ups.end() && pos->key == existing.key) return build(depth, ups);
    std::vector<SmtUpdate> merged;
    merged.reserve(ups.size() + 1);
    merged.insert(merged.end(), ups.begin(), pos);
    merged.push_back(existing);
    merged.insert(merged.end(), pos, ups.end());
    return build(depth, merged);
  }
  const std::size_t mid = split_point(ups, depth, [](const SmtUpdate& u) { return u.key; });
  const Internal n = inodes_[r - 1];
  const Sub left = update({n.child[0], n.hash[0]}, depth + 1, ups.first(mid));
  const Sub right = update({n.child[1], n.hash[1]}, depth + 1, ups.subspan(mid));
  return join(r, left, right);
}

// At 10^6 keys the tree is far larger than the caches, and a path is a chain of loads that each
// wait for the one before (prefetch instructions did not help on the machine measured). Walking
// many paths level by level, with each level's loads in a tight loop of their own, lets the memory
// system serve a whole level at once.
Smt::Walk Smt::walk(std::span<const ResourceId> sorted, const Visit& start, unsigned depth) const {
  Walk w{{start}};
  std::vector<std::array<Ref, 2>> children;
  for (; !w.back().empty(); ++depth) {
    std::vector<Visit>& level = w.back();
    children.resize(level.size());
    std::uint32_t touched = 0;
    for (std::size_t i = 0; i < level.size(); ++i) {
      const Ref r = level[i].ref;
      if (r == 0 || (r & kLeafBit)) continue;
      const Internal& n = inodes_[r - 1];
      children[i] = {n.child[0], n.child[1]};
      // The node's other cache line, for the update, which reads the hashes too.
      touched += n.hash[0].bytes[0];
    }
    // Only the effect of that load on the caches is wanted; it must not be optimised away.
    asm volatile("" : : "r"(touched));
    std::vector<Visit> next;
    for (std::size_t i = 0; i < level.size(); ++i) {
      Visit& v = level[i];
      if (v.ref == 0 || (v.ref & kLeafBit)) continue;
      const auto mid = v.first + static_cast<std::uint32_t>(
                                     split_point(sorted.subspan(v.first, v.last - v.first), depth,
                                                 [](const ResourceId& k) { return k; }));
      if (v.first < mid) {
        v.child[0] = static_cast<std::uint32_t>(next.size());
        next.push_back({children[i][0], v.first, mid});
      }
      if (mid < v.last) {
        v.child[1] = static_cast<std::uint32_t>(next.size());
        next.push_back({children[i][1], mid, v.last});
      }
    }
    w.push_back(std::move(next));
  }
  w.pop_back();
  return w;
}

void Smt::read_before(const Walk& w, std::span<const ResourceId> sorted,
                      std::vector<ValueHash>& before) const {
  for (const auto& level : w) {
    for (const Visit& v : level) {
      if ((v.ref & kLeafBit) == 0) continue;
      const Leaf& l = leaves_[v.ref & ~kLeafBit];
      for (std::uint32_t k = v.first; k < v.last; ++k) {
        if (l.key == sorted[k]) before[k] = l.value;
      }
    }
  }
}

core::Hash32 Smt::rehash_node(Ref r, const core::Hash32* left, const core::Hash32* right) {
  Internal& n = inodes_[r - 1];
  if (left != nullptr) n.hash[0] = *left;
  if (right != nullptr) n.hash[1] = *right;
  return combine({kind(n.child[0]), n.hash[0]}, {kind(n.child[1]), n.hash[1]}).hash;
}

void Smt::rehash(Walk& w, std::span<const SmtUpdate> ups) {
  // Bottom-up by level: the nodes of one level do not depend on each other, so their loads (still
  // in cache from the walk) and hashes do not wait on one another as a path's do.
  for (std::size_t d = w.size(); d-- > 0;) {
    for (Visit& v : w[d]) {
      if (v.ref & kLeafBit) {
        Leaf& l = leaves_[v.ref & ~kLeafBit];
        l.value = ups[v.first].value;
        v.hash = leaf_summary(l.key, l.value).hash;
        continue;
      }
      const auto child_hash = [&](int side) {
        return v.child[side] == kNoVisit ? nullptr : &w[d + 1][v.child[side]].hash;
      };
      v.hash = rehash_node(v.ref, child_hash(0), child_hash(1));
    }
  }
}

void Smt::apply(std::span<const SmtUpdate> updates, std::vector<ValueHash>* replaced,
                core::HelperThread* helper) {
  if (replaced != nullptr) replaced->assign(updates.size(), ValueHash{});
  if (updates.empty()) return;
  std::vector<std::uint32_t> order(updates.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return key_less(updates[a].key, updates[b].key);
  });
  // Last write wins: of each run of equal keys the last one stays. slot[i]: update i's key in ups.
  std::vector<SmtUpdate> ups;
  ups.reserve(updates.size());
  std::vector<std::uint32_t> slot(updates.size());
  for (const std::uint32_t i : order) {
    if (ups.empty() || ups.back().key != updates[i].key) ups.push_back({});
    ups.back() = updates[i];
    slot[i] = static_cast<std::uint32_t>(ups.size() - 1);
  }
  std::vector<ResourceId> keys;
  keys.reserve(ups.size());
  for (const auto& u : ups) keys.push_back(u.key);
  // Walking the paths first loads them, so the update finds its nodes in cache, and the leaves
  // the paths end in tell what each key held. With two threads, each walks (and later rehashes)
  // one of the root's subtrees, so each finds its half of the nodes in its own core's cache.
  const auto n = static_cast<std::uint32_t>(ups.size());
  const bool two = helper != nullptr && n >= kMinParallel && kind(root_.ref) == NodeKind::kInternal;
  std::vector<ValueHash> before(n);
  Walk whole, halves[2];
  if (two) {
    const Internal top = inodes_[root_.ref - 1];
    const auto mid = static_cast<std::uint32_t>(
        split_point(std::span<const ResourceId>(keys), 0, [](const ResourceId& k) { return k; }));
    const std::uint32_t bounds[3] = {0, mid, n};
    const auto walk_half = [&](int side) {
      if (bounds[side] == bounds[side + 1]) return;
      halves[side] = walk(keys, {top.child[side], bounds[side], bounds[side + 1]}, 1);
      read_before(halves[side], keys, before);
    };
    auto right = helper->start([&] { walk_half(1); });
    walk_half(0);
    right.wait();
  } else {
    whole = walk(keys, {root_.ref, 0, n}, 0);
    read_before(whole, keys, before);
  }
  // The leaf loads are wanted for their effect on the caches even when `before` is not returned.
  asm volatile("" : : "r"(before.data()) : "memory");
  // The tree keeps its shape when every key is present before and after: each path then ends in
  // its own key's leaf.
  bool same_shape = true;
  for (std::size_t k = 0; k < n && same_shape; ++k) {
    same_shape = !before[k].is_zero() && !ups[k].value.is_zero();
  }
  if (!same_shape) {
    root_ = update(root_, 0, ups);
  } else if (two) {
    // The root's two subtrees share nothing the rehash writes.
    auto right = helper->start([&] { rehash(halves[1], ups); });
    rehash(halves[0], ups);
    right.wait();
    const auto half_hash = [&](int side) {
      return halves[side].empty() ? nullptr : &halves[side][0][0].hash;
    };
    root_.hash = rehash_node(root_.ref, half_hash(0), half_hash(1));
  } else {
    rehash(whole, ups);
    root_.hash = whole[0][0].hash;
  }
  if (replaced != nullptr) {
    for (std::size_t i = 0; i < updates.size(); ++i) (*replaced)[i] = before[slot[i]];
  }
}

core::Status Smt::build_sorted(std::span<const SmtUpdate> entries) {
  if (root_.ref != 0 || !inodes_.empty() || !leaves_.empty()) {
    return Error{ErrorCode::kInvalid, "build_sorted needs an empty tree"};
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].value.is_zero()) return Error{ErrorCode::kInvalid, "zero value in build"};
    if (i > 0 && !(entries[i - 1].key < entries[i].key)) {
      return Error{ErrorCode::kInvalid, "build keys not strictly ascending"};
    }
  }
  leaves_.reserve(entries.size());
  inodes_.reserve(entries.size());
  root_ = build(0, entries);
  return core::Status::Ok();
}

void Smt::emit(const Sub& node, unsigned depth, std::span<const ResourceId> keys,
               core::Bytes& out) const {
  auto put_hash = [&](const Hash32& h) { out.insert(out.end(), h.bytes.begin(), h.bytes.end()); };
  const Ref r = node.ref;
  if (keys.empty()) {
    if (r == 0) {
      out.push_back(0);
    } else {
      out.push_back((r & kLeafBit) ? 4 : 2);
      put_hash(node.hash);
    }
    return;
  }
  if (r == 0) {
    out.push_back(0);
  } else if (r & kLeafBit) {
    const Leaf& l = leaves_[r & ~kLeafBit];
    out.push_back(1);
    put_hash(l.key.hash());
    put_hash(l.value);
  } else {
    out.push_back(3);
    const std::size_t mid = split_point(keys, depth, [](const ResourceId& k) { return k; });
    const Internal& n = inodes_[r - 1];
    emit({n.child[0], n.hash[0]}, depth + 1, keys.first(mid), out);
    emit({n.child[1], n.hash[1]}, depth + 1, keys.subspan(mid), out);
  }
}

core::Result<core::Bytes> Smt::prove(std::span<const ResourceId> keys) const {
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (!(keys[i - 1] < keys[i])) return Error{ErrorCode::kInvalid, "proof keys not ascending"};
  }
  core::Bytes out;
  emit(root_, 0, keys, out);
  return out;
}

// ---- MultiProof ---------------------------------------------------------------------------------

core::Result<MultiProof> MultiProof::decode(std::span<const ResourceId> keys,
                                            core::ByteSpan bytes) {
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (!(keys[i - 1] < keys[i])) return Error{ErrorCode::kInvalid, "proof keys not ascending"};
  }
  MultiProof p;
  p.keys_.assign(keys.begin(), keys.end());
  p.values_.assign(keys.size(), ValueHash{});
  core::ByteReader r(bytes);

  // Recursive descent; the depth is bounded by 256 because a branch needs depth < 256.
  struct Parser {
    MultiProof& p;
    core::ByteReader& r;
    core::Result<std::pair<std::uint32_t, NodeSummary>> node(unsigned depth, std::uint32_t first,
                                                             std::uint32_t last) {
      BASALT_ASSIGN_OR_RETURN(const std::uint8_t tag, r.read_u8("multiproof tag"));
      PNode n{};
      n.depth = static_cast<std::uint16_t>(depth);
      n.first = first;
      n.last = last;
      NodeSummary s;
      const bool on_path = first < last;
      switch (static_cast<Tag>(tag)) {
        case Tag::kEmpty:
          n.tag = Tag::kEmpty;
          break;
        case Tag::kNode:
        case Tag::kLeafHash: {
          if (on_path) return Error{ErrorCode::kNonCanonical, "multiproof: summary on a key path"};
          n.tag = static_cast<Tag>(tag);
          BASALT_ASSIGN_OR_RETURN(n.hash, r.read_hash32("multiproof hash"));
          if (n.hash.is_zero()) return Error{ErrorCode::kNonCanonical, "multiproof: zero hash"};
          s = {n.tag == Tag::kNode ? NodeKind::kInternal : NodeKind::kLeaf, n.hash};
          break;
        }
        case Tag::kLeaf: {
          if (!on_path) return Error{ErrorCode::kNonCanonical, "multiproof: leaf off the paths"};
          n.tag = Tag::kLeaf;
          BASALT_ASSIGN_OR_RETURN(const Hash32 key, r.read_hash32("multiproof leaf key"));
          BASALT_ASSIGN_OR_RETURN(n.hash, r.read_hash32("multiproof leaf value"));
          n.leaf_key = ResourceId(key);
          if (n.hash.is_zero()) return Error{ErrorCode::kNonCanonical, "multiproof: empty leaf"};
          if (!same_prefix(n.leaf_key, p.keys_[first], depth)) {
            return Error{ErrorCode::kNonCanonical, "multiproof: leaf off its position"};
          }
          for (std::uint32_t i = first; i < last; ++i) {
            if (p.keys_[i] == n.leaf_key) p.values_[i] = n.hash;
          }
          s = leaf_summary(n.leaf_key, n.hash);
          break;
        }
        case Tag::kBranch: {
          if (!on_path) return Error{ErrorCode::kNonCanonical, "multiproof: branch off the paths"};
          if (depth >= 256) return Error{ErrorCode::kNonCanonical, "multiproof: too deep"};
          n.tag = Tag::kBranch;
          const auto ks = std::span<const ResourceId>(p.keys_).subspan(first, last - first);
          const auto mid = first + static_cast<std::uint32_t>(split_point(
                                       ks, depth, [](const ResourceId& k) { return k; }));
          BASALT_ASSIGN_OR_RETURN(auto left, node(depth + 1, first, mid));
          BASALT_ASSIGN_OR_RETURN(auto right, node(depth + 1, mid, last));
          s = combine(left.second, right.second);
          if (s.kind != NodeKind::kInternal) {
            return Error{ErrorCode::kNonCanonical, "multiproof: branch that collapses"};
          }
          n.child[0] = left.first;
          n.child[1] = right.first;
          break;
        }
        default:
          return Error{ErrorCode::kUnknownTag, "multiproof tag " + std::to_string(tag)};
      }
      p.nodes_.push_back(n);
      return std::pair{static_cast<std::uint32_t>(p.nodes_.size() - 1), s};
    }
  };
  Parser parser{p, r};
  BASALT_ASSIGN_OR_RETURN(auto top, parser.node(0, 0, static_cast<std::uint32_t>(keys.size())));
  BASALT_TRY(r.expect_end("multiproof"));
  p.root_ = top.second;  // nodes_ are in post-order: the root is the last one
  return p;
}

core::Hash32 MultiProof::root() const {
  return root_.hash;
}

NodeSummary MultiProof::summary_of(std::uint32_t i, std::span<const ValueHash> values) const {
  const PNode& n = nodes_[i];
  switch (n.tag) {
    case Tag::kNode:
      return {NodeKind::kInternal, n.hash};
    case Tag::kLeafHash:
      return {NodeKind::kLeaf, n.hash};
    case Tag::kBranch:
      return combine(summary_of(n.child[0], values), summary_of(n.child[1], values));
    case Tag::kEmpty:
    case Tag::kLeaf: {
      std::vector<SmtUpdate> entries;
      entries.reserve(n.last - n.first + 1);
      bool leaf_placed = n.tag != Tag::kLeaf;
      for (std::uint32_t k = n.first; k < n.last; ++k) {
        if (!leaf_placed && n.leaf_key <= keys_[k]) {
          if (n.leaf_key != keys_[k]) entries.push_back({n.leaf_key, n.hash});
          leaf_placed = true;
        }
        entries.push_back({keys_[k], values[k]});
      }
      if (!leaf_placed) entries.push_back({n.leaf_key, n.hash});
      return build_summary(entries, n.depth);
    }
  }
  return {};
}

core::Hash32 MultiProof::root_after(std::span<const ValueHash> new_values) const {
  BASALT_ASSERT(new_values.size() == keys_.size());
  return summary_of(static_cast<std::uint32_t>(nodes_.size() - 1), new_values).hash;
}

}  // namespace basalt::state
