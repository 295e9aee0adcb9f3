// Lane SMT properties: the incremental tree, a tree rebuilt from scratch, the streaming builder and
// a naive recursive implementation of the kip21 §4.1 definition agree on every root; every proof
// the tree makes verifies, and any single flipped bit breaks it (or, for a non-inclusion proof,
// still only proves the absence of a lane that is really absent).
#include <gtest/gtest.h>

#include <map>

#include "kaspa/lane_smt.hpp"
#include "test_util.hpp"

namespace basalt::kaspa {
namespace {

using core::ErrorCode;
using Leaves = std::map<LaneKey, Hash32>;

// kip21 §4.1 written as literally as possible: V(S, d).
Hash32 naive_value(const std::vector<std::pair<LaneKey, Hash32>>& s, int d) {
  if (s.empty()) return smt_empty_hash(kSmtDepth - d);
  if (s.size() == 1) return smt_collapsed_hash(s[0].first, s[0].second);
  std::vector<std::pair<LaneKey, Hash32>> left, right;
  for (const auto& e : s) (smt_key_bit(e.first, d) ? right : left).push_back(e);
  return smt_node_hash(naive_value(left, d + 1), naive_value(right, d + 1));
}

Hash32 naive_root(const Leaves& leaves) {
  return naive_value(std::vector<std::pair<LaneKey, Hash32>>(leaves.begin(), leaves.end()), 0);
}

Hash32 streaming_root(const Leaves& leaves) {
  StreamingSmtBuilder b;
  for (const auto& [k, l] : leaves) EXPECT_TRUE(b.add(k, l).ok());
  return b.finalize();
}

// Keys that share long prefixes, so that deep splits and long empty chains are exercised.
LaneKey clustered_key(test::Rng& rng) {
  Hash32 h = rng.hash();
  int shared = static_cast<int>(rng.below(4));
  for (int i = 0; i < 28 && shared > 0; ++i)
    h.bytes[i] = static_cast<std::uint8_t>(shared == 1 ? 0 : 0xa5);
  return LaneKey(h);
}

TEST(LaneSmt, EmptyAndSingleShapes) {
  LaneSmt t;
  EXPECT_EQ(t.root().hex(), "613077bbf7297f3c5d488617df574debac4ac9e6adddde1df0074b376e66e13d");
  EXPECT_EQ(smt_empty_hash(1).hex(),
            "45c7d43a6eb5ce1dd5d3af42fe1eb88e3d170821947a682106b94ed0ac47e104");
  test::Rng rng(20);
  LaneKey k(rng.hash());
  Hash32 leaf = rng.hash();
  t.insert(k, leaf);
  EXPECT_EQ(t.root(), smt_collapsed_hash(k, leaf));
  SmtProof p = t.prove(k);
  EXPECT_EQ(p.to_bytes().size(), 34u);  // bitmap ff.., tag 01, depth 00, no siblings
  EXPECT_TRUE(p.verify(t.root(), k, leaf).ok());
  t.remove(k);
  EXPECT_EQ(t.root(), smt_empty_hash(kSmtDepth));
  EXPECT_EQ(t.size(), 0u);
}

TEST(LaneSmt, RandomSequencesAgreeWithRebuildStreamingAndNaive) {
  test::Rng rng(21);
  for (int round = 0; round < 30; ++round) {
    LaneSmt tree;
    Leaves model;
    std::vector<LaneKey> known;
    int ops = 1 + static_cast<int>(rng.below(120));
    for (int i = 0; i < ops; ++i) {
      std::uint64_t what = rng.below(10);
      if (what < 5 || known.empty()) {
        LaneKey k = rng.coin() ? LaneKey(rng.hash()) : clustered_key(rng);
        Hash32 leaf = rng.hash();
        tree.insert(k, leaf);
        model[k] = leaf;
        known.push_back(k);
      } else if (what < 8) {
        LaneKey k = known[rng.below(known.size())];
        Hash32 leaf = rng.hash();
        tree.insert(k, leaf);
        model[k] = leaf;
      } else {
        LaneKey k = known[rng.below(known.size())];
        tree.remove(k);  // the ZERO leaf deletes
        model.erase(k);
      }
      if (rng.below(4) == 0) {
        ASSERT_EQ(tree.root(), naive_root(model)) << "round " << round << " op " << i;
      }
    }
    LaneSmt rebuilt;
    for (const auto& [k, l] : model) rebuilt.insert(k, l);
    Hash32 root = tree.root();
    ASSERT_EQ(tree.size(), model.size());
    ASSERT_EQ(root, rebuilt.root());
    ASSERT_EQ(root, streaming_root(model));
    ASSERT_EQ(root, naive_root(model));
    for (const auto& k : known) {
      auto want = model.count(k) ? std::optional<Hash32>(model[k]) : std::nullopt;
      ASSERT_EQ(tree.get(k), want);
      SmtProof p = tree.prove(k);
      ASSERT_TRUE(p.verify(root, k, want).ok()) << "known key, round " << round;
      auto parsed = SmtProof::from_bytes(p.to_bytes());
      ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
      ASSERT_EQ(parsed->to_bytes(), p.to_bytes());
    }
    for (int i = 0; i < 10; ++i) {
      LaneKey absent = clustered_key(rng);
      if (model.count(absent)) continue;
      ASSERT_TRUE(tree.prove(absent).verify(root, absent, std::nullopt).ok());
    }
  }
}

TEST(LaneSmt, BatchEqualsOneByOne) {
  test::Rng rng(25);
  LaneSmt batched, single;
  Leaves model;
  std::vector<LaneKey> known;
  for (int block = 0; block < 40; ++block) {
    std::vector<std::pair<LaneKey, Hash32>> batch;
    for (int i = 0; i < static_cast<int>(rng.below(60)); ++i) {
      bool reuse = !known.empty() && rng.coin();
      LaneKey k = reuse ? known[rng.below(known.size())] : clustered_key(rng);
      if (!reuse) known.push_back(k);
      // Removals and repeats of a key inside one batch: later entries win.
      Hash32 leaf = rng.below(5) == 0 ? Hash32::zero() : rng.hash();
      batch.emplace_back(k, leaf);
    }
    batched.update_batch(batch);
    for (const auto& [k, l] : batch) {
      single.insert(k, l);
      if (l.is_zero()) {
        model.erase(k);
      } else {
        model[k] = l;
      }
    }
    ASSERT_EQ(batched.root(), single.root()) << "block " << block;
    ASSERT_EQ(batched.root(), naive_root(model)) << "block " << block;
    ASSERT_EQ(batched.size(), model.size());
  }
}

// Flips one bit of the encoded proof, or of the key, and checks the claim no longer verifies --
// except a non-inclusion claim about another key that is truly absent, which may still verify.
TEST(LaneSmt, EveryFlippedBitBreaksTheProof) {
  test::Rng rng(22);
  LaneSmt tree;
  Leaves model;
  for (int i = 0; i < 40; ++i) {
    LaneKey k = clustered_key(rng);
    model[k] = rng.hash();
    tree.insert(k, model[k]);
  }
  Hash32 root = tree.root();
  std::vector<std::pair<LaneKey, std::optional<Hash32>>> claims;
  for (int i = 0; i < 6; ++i) {
    auto it = std::next(model.begin(), static_cast<long>(rng.below(model.size())));
    claims.emplace_back(it->first, it->second);
  }
  for (int i = 0; i < 6; ++i) claims.emplace_back(clustered_key(rng), std::nullopt);
  for (const auto& [key, leaf] : claims) {
    core::Bytes wire = tree.prove(key).to_bytes();
    ASSERT_TRUE(SmtProof::from_bytes(wire)->verify(root, key, leaf).ok());
    for (std::size_t bit = 0; bit < wire.size() * 8; ++bit) {
      core::Bytes bad = wire;
      bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      auto p = SmtProof::from_bytes(bad);
      if (p.ok()) {
        ASSERT_FALSE(p->verify(root, key, leaf).ok()) << "proof bit " << bit;
      }
    }
    SmtProof p = *SmtProof::from_bytes(wire);
    for (int bit = 0; bit < 256; ++bit) {
      Hash32 h = key.hash();
      h.bytes[bit / 8] ^= static_cast<std::uint8_t>(0x80u >> (bit % 8));
      LaneKey flipped(h);
      bool accepted = p.verify(root, flipped, leaf).ok();
      if (leaf) {
        ASSERT_FALSE(accepted) << "inclusion accepted for a flipped key bit " << bit;
      } else if (accepted) {
        ASSERT_EQ(model.count(flipped), 0u) << "non-inclusion accepted for a present lane";
      }
    }
    if (leaf) {
      Hash32 other = *leaf;
      other.bytes[0] ^= 1;
      ASSERT_FALSE(p.verify(root, key, other).ok());
      ASSERT_FALSE(p.verify(root, key, std::nullopt).ok());
    } else {
      ASSERT_FALSE(p.verify(root, key, rng.hash()).ok());
    }
  }
}

TEST(SmtProofParser, Rejections) {
  test::Rng rng(23);
  LaneSmt tree;
  for (int i = 0; i < 20; ++i) tree.insert(LaneKey(rng.hash()), rng.hash());
  LaneKey key(rng.hash());
  tree.insert(key, rng.hash());
  core::Bytes wire = tree.prove(key).to_bytes();
  ASSERT_GT(wire.size(), 34u + 32u);

  for (std::size_t n = 0; n < wire.size(); ++n) {
    ASSERT_FALSE(SmtProof::from_bytes(core::ByteSpan(wire).first(n)).ok()) << "prefix " << n;
  }
  core::Bytes trailing = wire;
  trailing.push_back(0);
  EXPECT_EQ(SmtProof::from_bytes(trailing).error().code(), ErrorCode::kTrailingBytes);
  core::Bytes extra_sibling = wire;
  extra_sibling.insert(extra_sibling.end(), 32, 7);
  EXPECT_EQ(SmtProof::from_bytes(extra_sibling).error().code(), ErrorCode::kTrailingBytes);
  core::Bytes missing_sibling(wire.begin(), wire.end() - 32);
  EXPECT_EQ(SmtProof::from_bytes(missing_sibling).error().code(), ErrorCode::kTruncated);
  core::Bytes tag = wire;
  tag[32] = 3;
  EXPECT_EQ(SmtProof::from_bytes(tag).error().code(), ErrorCode::kUnknownTag);
  // A clear bitmap bit beyond the limit: kaspad never makes it, basalt rejects it.
  core::Bytes beyond = wire;
  beyond[31] &= 0x7f;
  EXPECT_EQ(SmtProof::from_bytes(beyond).error().code(), ErrorCode::kNonCanonical);
  EXPECT_FALSE(SmtProof::from_bytes({}).ok());
}

TEST(SmtProof, TerminalMustFitTheClaim) {
  test::Rng rng(24);
  LaneSmt tree;
  LaneKey a(rng.hash()), b(rng.hash());
  Hash32 la = rng.hash(), lb = rng.hash();
  tree.insert(a, la);
  tree.insert(b, lb);
  SmtProof inclusion = tree.prove(a);
  ASSERT_EQ(inclusion.terminal, SmtTerminal::kCollapsed);
  EXPECT_EQ(inclusion.compute_root(a, std::nullopt).error().code(), ErrorCode::kInvalid);
  EXPECT_EQ(inclusion.compute_root(a, Hash32::zero()).error().code(), ErrorCode::kInvalid);
  // A CollapsedOther that names the queried lane itself proves nothing.
  SmtProof other = inclusion;
  other.terminal = SmtTerminal::kCollapsedOther;
  other.other_key = a;
  other.other_leaf = la;
  EXPECT_EQ(other.compute_root(a, std::nullopt).error().code(), ErrorCode::kInvalid);
}

TEST(StreamingSmtBuilder, RejectsUnsortedDuplicateAndZero) {
  StreamingSmtBuilder b;
  LaneKey k1(Hash32::from_byte(1)), k2(Hash32::from_byte(2));
  ASSERT_TRUE(b.add(k2, Hash32::from_byte(9)).ok());
  EXPECT_EQ(b.add(k2, Hash32::from_byte(9)).error().context(), "DuplicateKey");
  EXPECT_EQ(b.add(k1, Hash32::from_byte(9)).error().context(), "UnsortedKey");
  EXPECT_FALSE(b.add(LaneKey(Hash32::from_byte(3)), Hash32::zero()).ok());
  EXPECT_EQ(StreamingSmtBuilder().finalize(), smt_empty_hash(kSmtDepth));
}

TEST(LaneSmt, LeafLevelPairUsesAFullProof) {
  LaneSmt t;
  LaneKey k0(Hash32::zero()), k1(Hash32::from_u64_word(0x0100000000000000ull));
  ASSERT_EQ(k1.hex().substr(62), "01");
  t.insert(k0, Hash32::from_byte(1));
  t.insert(k1, Hash32::from_byte(2));
  SmtProof p = t.prove(k0);
  EXPECT_EQ(p.terminal, SmtTerminal::kFull);
  EXPECT_EQ(p.siblings.size(), 1u);
  EXPECT_TRUE(p.verify(t.root(), k0, Hash32::from_byte(1)).ok());
}

}  // namespace
}  // namespace basalt::kaspa
