#include <gtest/gtest.h>

#include "crypto/merkle.hpp"
#include "test_util.hpp"

namespace basalt::crypto {
namespace {

constexpr Domain kBranch = Domain::kSeqCommitMerkleBranch;

core::Hash32 h(const core::Hash32& a, const core::Hash32& b) {
  return domain_hash_pair(kBranch, a, b);
}

TEST(Merkle, SmallShapesOfTheSpec) {
  test::Rng rng(7);
  core::Hash32 a = rng.hash(), b = rng.hash(), c = rng.hash(), d = rng.hash(), e = rng.hash();
  core::Hash32 z = core::Hash32::zero();
  EXPECT_EQ(merkle_root(kBranch, {}), z);
  std::vector<core::Hash32> one{a};
  EXPECT_EQ(merkle_root(kBranch, one), a);  // one leaf is the root, unhashed
  std::vector<core::Hash32> three{a, b, c};
  EXPECT_EQ(merkle_root(kBranch, three), h(h(a, b), h(c, z)));
  std::vector<core::Hash32> five{a, b, c, d, e};
  EXPECT_EQ(merkle_root(kBranch, five), h(h(h(a, b), h(c, d)), h(h(e, z), z)));
}

TEST(Merkle, StreamingBuilderEqualsLevelByLevel) {
  test::Rng rng(8);
  for (Domain dom : {Domain::kSeqCommitMerkleBranch, Domain::kMerkleBranchHash}) {
    std::vector<core::Hash32> leaves;
    StreamingMerkleBuilder empty(dom);
    EXPECT_EQ(empty.finalize(), core::Hash32::zero());
    for (std::size_t n = 1; n <= 300; ++n) {
      leaves.push_back(rng.hash());
      StreamingMerkleBuilder sb(dom);
      for (const auto& l : leaves) sb.add_leaf(l);
      ASSERT_EQ(sb.leaf_count(), n);
      ASSERT_EQ(sb.finalize(), merkle_root(dom, leaves)) << "n=" << n;
    }
  }
}

}  // namespace
}  // namespace basalt::crypto
