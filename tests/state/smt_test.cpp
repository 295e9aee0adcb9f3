// The resource SMT against a naive model: a std::map whose root is computed straight from the
// definition (split by key bit, a lone leaf moves up), for random batches that include deletes and
// keys sharing long prefixes, with the values each batch replaced, on one thread and on two;
// multiproofs verify, give the right values and post-update roots, and every tampered proof is
// rejected.
#include "state/smt.hpp"

#include <gtest/gtest.h>

#include <map>

#include "core/helper_thread.hpp"
#include "crypto/sha256.hpp"
#include "test_util.hpp"

namespace basalt::state {
namespace {

using core::Hash32;
using Model = std::map<ResourceId, ValueHash>;

NodeSummary naive(const std::vector<std::pair<ResourceId, ValueHash>>& e, unsigned depth) {
  if (e.empty()) return {};
  if (e.size() == 1) return leaf_summary(e[0].first, e[0].second);
  std::vector<std::pair<ResourceId, ValueHash>> l, r;
  for (const auto& x : e) (key_bit(x.first, depth) ? r : l).push_back(x);
  return combine(naive(l, depth + 1), naive(r, depth + 1));
}
Hash32 naive_root(const Model& m) {
  return naive({m.begin(), m.end()}, 0).hash;
}

// Keys from a small pool of prefixes so that paths share long prefixes and trees get deep.
ResourceId random_key(test::Rng& rng) {
  Hash32 h = rng.hash();
  const int shared = static_cast<int>(rng.below(4)) * 8 + static_cast<int>(rng.below(8));
  for (int i = 0; i < shared && i < 31; ++i) h.bytes[static_cast<std::size_t>(i)] = 0xA5;
  return ResourceId(h);
}

TEST(StateSmt, CompressionHelperIsSha256OnOnePaddedBlock) {
  // SHA-256("abc") is one compression of the padded block from the standard IV.
  std::uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;
  const std::array<std::uint32_t, 8> iv = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                           0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  EXPECT_EQ(crypto::sha256_compress_from(iv, block).hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(StateSmt, SmallShapes) {
  Smt t;
  EXPECT_TRUE(t.root().is_zero());
  const ResourceId a(Hash32::filled(0x11)), b(Hash32::filled(0x91));
  const ValueHash va = value_hash(std::vector<std::uint8_t>{1}),
                  vb = value_hash(std::vector<std::uint8_t>{2});
  EXPECT_TRUE(value_hash({}).is_zero());
  t.apply(std::vector<SmtUpdate>{{a, va}});
  EXPECT_EQ(t.root(), leaf_summary(a, va).hash);  // a one-leaf tree's root is the leaf
  t.apply(std::vector<SmtUpdate>{{b, vb}});
  EXPECT_EQ(t.root(), combine(leaf_summary(a, va), leaf_summary(b, vb)).hash);
  t.apply(std::vector<SmtUpdate>{{a, {}}});
  EXPECT_EQ(t.root(), leaf_summary(b, vb).hash);  // the survivor moves up
  t.apply(std::vector<SmtUpdate>{{b, {}}});
  EXPECT_TRUE(t.root().is_zero());
  EXPECT_EQ(t.size(), 0u);
  // Last write wins inside one batch.
  t.apply(std::vector<SmtUpdate>{{a, va}, {a, vb}});
  EXPECT_EQ(t.get(a), vb);
}

TEST(StateSmt, RandomBatchesMatchTheNaiveModel) {
  test::Rng rng(1);
  Smt t;
  Model m;
  std::vector<ResourceId> known;
  for (int round = 0; round < 60; ++round) {
    std::vector<SmtUpdate> batch;
    const int n = 1 + static_cast<int>(rng.below(40));
    for (int i = 0; i < n; ++i) {
      ResourceId k =
          (!known.empty() && rng.coin()) ? known[rng.below(known.size())] : random_key(rng);
      known.push_back(k);
      ValueHash v = rng.below(4) == 0 ? ValueHash{} : rng.hash();
      batch.push_back({k, v});
    }
    std::vector<ValueHash> replaced;
    t.apply(batch, &replaced);
    ASSERT_EQ(replaced.size(), batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto it = m.find(batch[i].key);
      ASSERT_EQ(replaced[i], it == m.end() ? ValueHash{} : it->second) << "round " << round;
    }
    for (const auto& u : batch) {
      if (u.value.is_zero()) {
        m.erase(u.key);
      } else {
        m[u.key] = u.value;
      }
    }
    ASSERT_EQ(t.root(), naive_root(m)) << "round " << round;
    ASSERT_EQ(t.size(), m.size());
    for (int i = 0; i < 10; ++i) {
      const ResourceId& k = known[rng.below(known.size())];
      auto it = m.find(k);
      EXPECT_EQ(t.get(k), it == m.end() ? ValueHash{} : it->second);
    }
  }
  // The same leaves built in one sorted pass give the same root.
  std::vector<SmtUpdate> sorted;
  for (const auto& [k, v] : m) sorted.push_back({k, v});
  Smt fresh;
  ASSERT_TRUE(fresh.build_sorted(sorted).ok());
  EXPECT_EQ(fresh.root(), t.root());
  Smt bad;
  std::swap(sorted.front(), sorted.back());
  EXPECT_FALSE(bad.build_sorted(sorted).ok());
}

// Batches that only change the values of present keys take the level-by-level rehash, and with a
// helper thread each of the root's subtrees on its own thread; batches that insert or delete take
// the general update. Two trees, one updated with a helper and one without, must agree with each
// other and with the model after every batch, whichever way it went.
TEST(StateSmt, ValueOnlyBatchesAgreeOnOneAndTwoThreads) {
  test::Rng rng(8);
  core::HelperThread helper;
  // The second tree's keys all start with bit 1 (0xA5...): the root's left subtree is empty.
  for (const bool one_sided : {false, true}) {
    Smt one, two;
    Model m;
    std::vector<SmtUpdate> init;
    for (int i = 0; i < 1500; ++i) {
      core::Hash32 k = random_key(rng).hash();
      if (one_sided) k.bytes[0] = 0xA5;
      init.push_back({ResourceId(k), rng.hash()});
    }
    one.apply(init);
    two.apply(init, nullptr, &helper);
    for (const auto& u : init) m[u.key] = u.value;
    ASSERT_EQ(one.root(), naive_root(m));
    std::vector<ResourceId> present;
    for (const auto& [k, v] : m) present.push_back(k);
    for (int round = 0; round < 24; ++round) {
      // Sizes below and above the helper's threshold, up to every key at once.
      const std::size_t sizes[] = {1, 7, 255, 256, 700, present.size()};
      const std::size_t n = sizes[rng.below(std::size(sizes))];
      std::vector<SmtUpdate> batch;
      for (std::size_t i = 0; i < n; ++i) {
        const ResourceId& k = n == present.size() ? present[i] : present[rng.below(present.size())];
        batch.push_back({k, rng.hash()});
      }
      // One round in four breaks the shape with an insert or a delete. (A sampled batch may name
      // a key twice; its last value wins either way.)
      const std::uint64_t twist = round % 4 == 3 ? 1 + rng.below(2) : 0;
      if (twist == 1) batch.push_back({random_key(rng), rng.hash()});
      if (twist == 2) batch.push_back({present[rng.below(present.size())], ValueHash{}});
      std::vector<ValueHash> r1, r2;
      one.apply(batch, &r1);
      two.apply(batch, &r2, &helper);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        auto it = m.find(batch[i].key);
        ASSERT_EQ(r1[i], it == m.end() ? ValueHash{} : it->second) << "round " << round;
      }
      ASSERT_EQ(r1, r2) << "round " << round;
      for (const auto& u : batch) {
        if (u.value.is_zero()) {
          m.erase(u.key);
        } else {
          m[u.key] = u.value;
        }
      }
      ASSERT_EQ(one.root(), naive_root(m)) << "round " << round << " size " << batch.size();
      ASSERT_EQ(two.root(), one.root()) << "round " << round << " size " << batch.size();
      ASSERT_EQ(two.size(), m.size());
      present.clear();
      for (const auto& [k, v] : m) present.push_back(k);
      for (int i = 0; i < 20; ++i) {
        const ResourceId& k = present[rng.below(present.size())];
        ASSERT_EQ(two.get(k), m[k]);
      }
    }
  }
}

struct Fixture {
  Smt t;
  Model m;
  explicit Fixture(test::Rng& rng, int n) {
    std::vector<SmtUpdate> batch;
    for (int i = 0; i < n; ++i) batch.push_back({random_key(rng), rng.hash()});
    t.apply(batch);
    for (const auto& u : batch) m[u.key] = u.value;
  }
};

std::vector<ResourceId> query(test::Rng& rng, const Model& m, int n) {
  std::vector<ResourceId> keys;
  for (int i = 0; i < n; ++i) {
    if (rng.coin() && !m.empty()) {
      auto it = m.begin();
      std::advance(it, static_cast<long>(rng.below(m.size())));
      keys.push_back(it->first);
    } else {
      keys.push_back(random_key(rng));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

TEST(StateSmt, MultiproofsProveValuesAndPostUpdateRoots) {
  test::Rng rng(2);
  for (int round = 0; round < 40; ++round) {
    Fixture f(rng, static_cast<int>(rng.below(200)));
    const auto keys = query(rng, f.m, 1 + static_cast<int>(rng.below(12)));
    auto bytes = f.t.prove(keys);
    ASSERT_TRUE(bytes.ok());
    auto p = MultiProof::decode(keys, *bytes);
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    EXPECT_EQ(p->root(), f.t.root());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      auto it = f.m.find(keys[i]);
      EXPECT_EQ(p->values()[i], it == f.m.end() ? ValueHash{} : it->second);
    }
    // New values for the queried keys (some deleted): the proof's post root is the tree's.
    std::vector<ValueHash> next;
    Model m2 = f.m;
    for (const auto& k : keys) {
      next.push_back(rng.below(3) == 0 ? ValueHash{} : rng.hash());
      if (next.back().is_zero()) {
        m2.erase(k);
      } else {
        m2[k] = next.back();
      }
    }
    EXPECT_EQ(p->root_after(next), naive_root(m2));
  }
}

TEST(StateSmt, EveryTamperedProofIsRejected) {
  test::Rng rng(3);
  for (int round = 0; round < 12; ++round) {
    Fixture f(rng, 20 + static_cast<int>(rng.below(100)));
    const auto keys = query(rng, f.m, 1 + static_cast<int>(rng.below(6)));
    const core::Bytes good = *f.t.prove(keys);
    for (std::size_t i = 0; i < good.size(); ++i) {
      core::Bytes bad = good;
      bad[i] ^= static_cast<std::uint8_t>(1 + rng.below(255));
      auto p = MultiProof::decode(keys, bad);
      EXPECT_FALSE(p.ok() && p->root() == f.t.root()) << "byte " << i;
    }
    for (std::size_t n = 0; n < good.size(); ++n) {
      auto p = MultiProof::decode(keys, core::ByteSpan(good).first(n));
      EXPECT_FALSE(p.ok());
    }
    core::Bytes longer = good;
    longer.push_back(0);
    EXPECT_EQ(MultiProof::decode(keys, longer).error().code(), core::ErrorCode::kTrailingBytes);
  }
}

TEST(StateSmt, NonCanonicalProofShapesAreRejected) {
  const ResourceId a(Hash32::filled(0x11)), b(Hash32::filled(0x91));
  const std::vector<ResourceId> keys = {a, b};
  // A branch over a leaf and an empty subtree collapses: the tree would hold the leaf one level up.
  core::Bytes collapsing = {3, 1};
  collapsing.insert(collapsing.end(), a.hash().bytes.begin(), a.hash().bytes.end());
  const Hash32 v = Hash32::filled(7);
  collapsing.insert(collapsing.end(), v.bytes.begin(), v.bytes.end());
  collapsing.push_back(0);
  EXPECT_EQ(MultiProof::decode(keys, collapsing).error().code(), core::ErrorCode::kNonCanonical);
  // A leaf whose key is not under its position.
  core::Bytes misplaced = {3, 0, 1};
  misplaced.insert(misplaced.end(), a.hash().bytes.begin(), a.hash().bytes.end());
  misplaced.insert(misplaced.end(), v.bytes.begin(), v.bytes.end());
  EXPECT_EQ(MultiProof::decode(keys, misplaced).error().code(), core::ErrorCode::kNonCanonical);
  EXPECT_EQ(MultiProof::decode(keys, core::Bytes{9}).error().code(), core::ErrorCode::kUnknownTag);
  const std::vector<ResourceId> unsorted = {b, a};
  EXPECT_EQ(MultiProof::decode(unsorted, core::Bytes{0}).error().code(), core::ErrorCode::kInvalid);
}

}  // namespace
}  // namespace basalt::state
