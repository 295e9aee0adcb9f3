// Settled snapshots: the manifest and chunk formats are canonical or refused; a snapshot written
// from a state store's view rebuilds to its root from chunks taken in any order; a chunk that is
// not the manifest's, a manifest whose chunks make another root, and chunks out of order are
// refused.
#include "da/snapshot.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "test_util.hpp"

namespace basalt::da {
namespace {

using core::Bytes;
using core::ErrorCode;

state::ResourceId rid(std::uint8_t a, std::uint8_t b) {
  core::Hash32 h;
  h.bytes[0] = a;
  h.bytes[1] = b;
  return state::ResourceId(h);
}

// 1000 resources in a fresh store, committed in two batches (the second changes and deletes some).
struct Fixture {
  test::TempDir dir;
  std::unique_ptr<state::StateStore> store;
  Fixture() {
    state::StoreOptions o;
    o.sync = false;
    auto opened = state::StateStore::open(dir.path() + "/state", o);
    EXPECT_TRUE(opened.ok());
    store = std::move(*opened);
    std::vector<state::ResourceWrite> w;
    for (int i = 0; i < 1000; ++i)
      w.push_back({rid(static_cast<std::uint8_t>(i % 251), static_cast<std::uint8_t>(i / 251)),
                   Bytes(1 + i % 7, static_cast<std::uint8_t>(i))});
    EXPECT_TRUE(store->commit({1}, w, {}).ok());
    EXPECT_TRUE(
        store->commit({2}, std::vector<state::ResourceWrite>{{rid(3, 0), {}}, {rid(4, 0), {1}}}, {})
            .ok());
  }
  SnapshotManifest write(std::uint32_t chunk) const {
    const SnapshotStore snaps(dir.path() + "/snapshots");
    auto view = store->view({2});
    EXPECT_TRUE(view.ok());
    auto m = snaps.write(**view, kaspa::BlockHash(core::Hash32::filled(7)),
                         kaspa::LaneTip(core::Hash32::filled(8)),
                         kaspa::CovenantId(core::Hash32::filled(9)), chunk);
    EXPECT_TRUE(m.ok()) << m.error().to_string();
    return *m;
  }
};

TEST(Snapshot, WrittenFromAViewRebuildsItsRootFromChunksInAnyOrder) {
  Fixture f;
  const SnapshotManifest m = f.write(64);
  EXPECT_EQ(m.batch, 2u);
  EXPECT_EQ(m.resources, 999u);
  EXPECT_EQ(m.chunk_hashes.size(), 16u);  // 15 of 64 and one of 39
  EXPECT_EQ(m.state_root, f.store->root());
  const SnapshotStore snaps(f.dir.path() + "/snapshots");
  EXPECT_EQ(snaps.batches(), std::vector<std::uint64_t>{2});
  auto manifest = decode_manifest(*snaps.manifest_bytes(2));
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(encode_manifest(*manifest), encode_manifest(m));
  SnapshotRebuild r(*manifest);
  for (std::size_t i = m.chunk_hashes.size(); i-- > 0;) {
    ASSERT_TRUE(r.add(i, *snaps.chunk_bytes(2, i)).ok());
    EXPECT_EQ(r.missing(), i);
  }
  auto all = r.finish();
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  ASSERT_EQ(all->resources.size(), 999u);
  EXPECT_EQ(all->tree.root(), m.state_root);
  EXPECT_EQ(*f.store->get(all->resources.front().first), all->resources.front().second);
  EXPECT_EQ(all->value(rid(4, 0)), Bytes{1});
  EXPECT_TRUE(all->value(rid(3, 0)).empty());  // deleted by batch 2
  // Read back from disk, checked; a damaged chunk on disk is the store's corruption.
  auto loaded = snaps.load(2);
  ASSERT_TRUE(loaded.ok()) << loaded.error().to_string();
  EXPECT_EQ(loaded->tree.root(), m.state_root);
  {
    std::ofstream damage(f.dir.path() + "/snapshots/2/chunk-3", std::ios::binary | std::ios::app);
    damage << 'x';
  }
  EXPECT_EQ(snaps.load(2).error().code(), ErrorCode::kCorrupt);
  EXPECT_EQ(snaps.chunk_bytes(2, 16).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(snaps.manifest(3).error().code(), ErrorCode::kNotFound);
}

TEST(Snapshot, AChunkThatIsNotTheManifestsIsRefusedAndNothingIsKept) {
  Fixture f;
  const SnapshotManifest m = f.write(100);
  const SnapshotStore snaps(f.dir.path() + "/snapshots");
  SnapshotRebuild r(m);
  const Bytes chunk0 = *snaps.chunk_bytes(2, 0);
  Bytes flipped = chunk0;
  flipped[40] ^= 1;
  EXPECT_EQ(r.add(0, flipped).error().code(), ErrorCode::kVerifyFailed);
  EXPECT_EQ(r.add(1, chunk0).error().code(), ErrorCode::kVerifyFailed);  // another place's
  EXPECT_EQ(r.add(10, chunk0).error().code(), ErrorCode::kOutOfRange);
  EXPECT_FALSE(r.has(0));
  EXPECT_EQ(r.finish().error().code(), ErrorCode::kInvalid);  // chunks missing
}

// A lying source can make a manifest for chunks it chose: the chunks then check against it, and
// only the rebuilt root (or the order) gives the lie away.
TEST(Snapshot, AManifestWhoseChunksMakeAnotherStateIsRefused) {
  Fixture f;
  const SnapshotManifest m = f.write(500);
  const SnapshotStore snaps(f.dir.path() + "/snapshots");
  std::vector<Bytes> chunks = {*snaps.chunk_bytes(2, 0), *snaps.chunk_bytes(2, 1)};
  // One value changed, the chunk re-hashed into the manifest.
  auto resources = *decode_chunk(chunks[1]);
  resources[3].second.push_back(1);
  SnapshotManifest forged = m;
  const Bytes changed = encode_chunk(resources);
  forged.chunk_hashes[1] = chunk_hash(changed);
  SnapshotRebuild r(forged);
  ASSERT_TRUE(r.add(0, chunks[0]).ok());
  ASSERT_TRUE(r.add(1, changed).ok());
  EXPECT_EQ(r.finish().error().code(), ErrorCode::kVerifyFailed);
  // Chunks each fine, listed so that the second starts below where the first ends.
  std::vector<Resource> high, low;
  for (std::uint8_t i = 0; i < 5; ++i) {
    high.emplace_back(rid(10 + i, 0), Bytes{i});
    low.emplace_back(rid(i, 0), Bytes{i});
  }
  SnapshotManifest unordered = m;
  unordered.resources = 10;
  unordered.chunk_resources = 5;
  unordered.chunk_hashes = {chunk_hash(encode_chunk(high)), chunk_hash(encode_chunk(low))};
  SnapshotRebuild s(unordered);
  ASSERT_TRUE(s.add(0, encode_chunk(high)).ok());
  ASSERT_TRUE(s.add(1, encode_chunk(low)).ok());
  EXPECT_EQ(s.finish().error().code(), ErrorCode::kInvalid);
  // A chunk of the wrong size for its place.
  SnapshotManifest short_first = unordered;
  short_first.chunk_resources = 6;
  SnapshotRebuild t(short_first);
  EXPECT_EQ(t.add(0, encode_chunk(high)).error().code(), ErrorCode::kInvalid);
}

TEST(Snapshot, DecodersRefuseWhatIsNotCanonical) {
  SnapshotManifest m;
  m.batch = 5;
  m.resources = 3;
  m.chunk_resources = 2;
  m.chunk_hashes = {core::Hash32::filled(1), core::Hash32::filled(2)};
  const Bytes good = encode_manifest(m);
  ASSERT_TRUE(decode_manifest(good).ok());
  Bytes b = good;
  b.push_back(0);
  EXPECT_EQ(decode_manifest(b).error().code(), ErrorCode::kTrailingBytes);
  b = good;
  b.pop_back();
  EXPECT_EQ(decode_manifest(b).error().code(), ErrorCode::kTruncated);
  b = good;
  b[0] = 2;
  EXPECT_EQ(decode_manifest(b).error().code(), ErrorCode::kUnknownTag);
  m.resources = 5;  // needs three chunks
  EXPECT_EQ(decode_manifest(encode_manifest(m)).error().code(), ErrorCode::kInvalid);
  m.chunk_resources = 0;
  EXPECT_EQ(decode_manifest(encode_manifest(m)).error().code(), ErrorCode::kOutOfRange);

  const std::vector<Resource> two = {{rid(1, 0), {1}}, {rid(2, 0), {2, 2}}};
  const Bytes chunk = encode_chunk(two);
  auto back = decode_chunk(chunk);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, two);
  const std::vector<Resource> descending = {two[1], two[0]};
  EXPECT_EQ(decode_chunk(encode_chunk(descending)).error().code(), ErrorCode::kNonCanonical);
  const std::vector<Resource> twice = {two[0], two[0]};
  EXPECT_EQ(decode_chunk(encode_chunk(twice)).error().code(), ErrorCode::kNonCanonical);
  const std::vector<Resource> empty_value = {{rid(1, 0), {}}, {rid(2, 0), {1, 2, 3}}};
  EXPECT_EQ(decode_chunk(encode_chunk(empty_value)).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(decode_chunk(encode_chunk({})).error().code(), ErrorCode::kOutOfRange);
  b = chunk;
  b.push_back(0);
  EXPECT_EQ(decode_chunk(b).error().code(), ErrorCode::kTrailingBytes);
}

TEST(Snapshot, PruneKeepsTheNewest) {
  Fixture f;
  f.write(1000);
  const SnapshotStore snaps(f.dir.path() + "/snapshots");
  auto view1 = f.store->view({1});
  ASSERT_TRUE(view1.ok());
  ASSERT_TRUE(snaps.write(**view1, {}, {}, {}, 1000).ok());
  EXPECT_EQ(snaps.batches(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_GT(snaps.disk_bytes(), 1000u);
  snaps.prune(1);
  EXPECT_EQ(snaps.batches(), std::vector<std::uint64_t>{2});
}

}  // namespace
}  // namespace basalt::da
