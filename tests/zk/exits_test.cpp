// The exit tree against its definition (docs/settlement.md, "Exits"), computed here the slow way:
// every level padded with the empty subtree of its height up to depth 32.
#include "zk/exits.hpp"

#include <gtest/gtest.h>

#include "crypto/blake2b.hpp"
#include "crypto/sha256.hpp"
#include "kaspa/script.hpp"

namespace basalt::zk {
namespace {

core::Hash32 tagged(std::uint8_t tag, std::initializer_list<core::ByteSpan> parts) {
  core::Bytes b{tag};
  for (auto p : parts) b.insert(b.end(), p.begin(), p.end());
  return crypto::sha256(b);
}

// The root of `leaves` (left-packed) in a tree of height `h`, by recursion on subtrees.
core::Hash32 subtree(const std::vector<core::Hash32>& leaves, std::size_t first, unsigned h) {
  if (first >= leaves.size()) return exit_empty(h);
  if (h == 0) return leaves[first];
  const core::Hash32 l = subtree(leaves, first, h - 1);
  const core::Hash32 r = subtree(leaves, first + (std::size_t{1} << (h - 1)), h - 1);
  return tagged(1, {l.bytes, r.bytes});
}

exec::Exit exit_n(std::uint8_t i) {
  return {i % 2 ? exec::ExitKind::kP2sh : exec::ExitKind::kSchnorrP2pk,
          core::Hash32::filled(static_cast<std::uint8_t>(i + 1)), 1000u * i + 1};
}

TEST(ExitTree, RootsMatchTheDefinitionForEveryShape) {
  EXPECT_EQ(exit_empty(0), crypto::sha256(core::Bytes{2}));
  for (std::uint8_t n = 0; n <= 9; ++n) {
    std::vector<exec::Exit> exits;
    std::vector<core::Hash32> leaves;
    for (std::uint8_t i = 0; i < n; ++i) {
      exits.push_back(exit_n(i));
      const core::Bytes spk = exit_spk_bytes(exits.back());
      leaves.push_back(tagged(0, {spk, kaspa::script_number(exits.back().amount)}));
      EXPECT_EQ(exit_leaf(exits.back()), leaves.back());
    }
    auto tree = ExitTree::build(exits);
    ASSERT_TRUE(tree.ok());
    EXPECT_EQ(tree->root(), subtree(leaves, 0, kExitTreeDepth)) << int(n);
    if (n == 0) {
      EXPECT_EQ(tree->permission_spk_hash(), core::Hash32::zero());
      continue;
    }
    EXPECT_EQ(tree->permission_spk_hash(), crypto::blake2b_256(tree->redeem()));
    // Claiming empties exactly that leaf and takes its amount off the total.
    const std::uint64_t total = tree->total();
    tree->claim(n / 2);
    leaves[n / 2] = exit_empty(0);
    EXPECT_EQ(tree->root(), subtree(leaves, 0, kExitTreeDepth));
    EXPECT_EQ(tree->total(), total - exits[n / 2].amount);
    tree->claim(n / 2);
    EXPECT_EQ(tree->total(), total - exits[n / 2].amount) << "claimed once only";
  }
}

TEST(ExitTree, TheCommitmentAndRedeemScriptFollowTheirLayout) {
  const core::Hash32 root = core::Hash32::filled(7);
  const core::Bytes n = kaspa::script_number(300);
  EXPECT_EQ(exit_commitment(root, 300), tagged(3, {root.bytes, n}));
  const core::Bytes r = exit_redeem(root, 300);
  ASSERT_EQ(r.size(), 33 + exit_script_body().size());
  EXPECT_EQ(r[0], 0x20);
  EXPECT_TRUE(std::equal(r.begin() + 1, r.begin() + 33, exit_commitment(root, 300).bytes.begin()));
}

TEST(ExitTree, ATotalBeyondKaspasSupplyIsRefused) {
  const exec::Exit big{exec::ExitKind::kSchnorrP2pk, core::Hash32::filled(1), exec::kMaxExitAmount};
  EXPECT_TRUE(ExitTree::build({big}).ok());
  auto two = ExitTree::build({big, exit_n(1)});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().code(), core::ErrorCode::kOutOfRange);
}

}  // namespace
}  // namespace basalt::zk
