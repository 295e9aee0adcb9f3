#include "crypto/merkle.hpp"

#include <vector>

#include "core/assert.hpp"

namespace basalt::crypto {

core::Hash32 merkle_root(Domain branch, std::span<const core::Hash32> leaves) {
  if (leaves.empty()) return core::Hash32::zero();
  std::vector<core::Hash32> level(leaves.begin(), leaves.end());
  while (level.size() > 1) {
    std::size_t parents = (level.size() + 1) / 2;
    for (std::size_t i = 0; i < parents; ++i) {
      const core::Hash32& left = level[2 * i];
      core::Hash32 right = 2 * i + 1 < level.size() ? level[2 * i + 1] : core::Hash32::zero();
      level[i] = domain_hash_pair(branch, left, right);
    }
    level.resize(parents);
  }
  return level[0];
}

void StreamingMerkleBuilder::add_leaf(const core::Hash32& leaf) {
  BASALT_ASSERT(count_ != UINT32_MAX);
  core::Hash32 node = leaf;
  int level = 0;
  while (count_ >> level & 1) {
    node = domain_hash_pair(branch_, pending_[level], node);
    ++level;
  }
  pending_[level] = node;
  ++count_;
}

core::Hash32 StreamingMerkleBuilder::finalize() const {
  if (count_ == 0) return core::Hash32::zero();
  int top = 31;
  while ((count_ >> top & 1) == 0) --top;
  // Fold the pending nodes from the lowest level up. A node that is alone at its level is an odd
  // tail and gets a ZERO right sibling, except the highest one when nothing is carried into it.
  bool carrying = false;
  core::Hash32 carry;
  for (int level = 0; level <= top; ++level) {
    bool occupied = count_ >> level & 1;
    if (occupied && carrying) {
      carry = domain_hash_pair(branch_, pending_[level], carry);
    } else if (occupied) {
      if (level == top) return pending_[level];
      carry = domain_hash_pair(branch_, pending_[level], core::Hash32::zero());
      carrying = true;
    } else if (carrying) {
      carry = domain_hash_pair(branch_, carry, core::Hash32::zero());
    }
  }
  return carry;
}

}  // namespace basalt::crypto
