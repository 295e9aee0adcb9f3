// Kaspa's padded Merkle root (kip21 §2), over any branch-hashing domain:
//   0 leaves -> ZERO_HASH; 1 leaf -> that leaf (no hashing); otherwise pair adjacent nodes level by
//   level, padding an odd tail with ZERO_HASH (not an empty-subtree hash), until one node remains.
// StreamingMerkleBuilder gives the identical root in O(log n) space.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "crypto/domain.hpp"

namespace basalt::crypto {

core::Hash32 merkle_root(Domain branch, std::span<const core::Hash32> leaves);

class StreamingMerkleBuilder {
 public:
  explicit StreamingMerkleBuilder(Domain branch) : branch_(branch) {}

  // Requires: fewer than 2^32 leaves (the u32 leaf count of the Kaspa builder).
  void add_leaf(const core::Hash32& leaf);
  core::Hash32 finalize() const;
  std::uint32_t leaf_count() const { return count_; }

 private:
  Domain branch_;
  std::uint32_t count_ = 0;
  // pending_[l] holds a left node at level l waiting for its right sibling; bit l of count_ says
  // whether it is occupied.
  std::array<core::Hash32, 32> pending_{};
};

}  // namespace basalt::crypto
