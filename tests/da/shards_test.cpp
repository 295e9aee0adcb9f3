// Erasure-coded snapshots: any k of the n shards rebuild the snapshot's bytes exactly (every
// subset tried), any k - 1 do not, a shard that is not the manifest's is refused and named, and the
// rebuilt bytes are a snapshot whose chunks make its root.
#include "da/shards.hpp"

#include <gtest/gtest.h>

#include "crypto/sha256.hpp"
#include "da/snapshot.hpp"
#include "test_util.hpp"

namespace basalt::da {
namespace {

using core::Bytes;
using core::ErrorCode;

// Every subset of {0..n-1} with `size` members.
std::vector<std::vector<std::size_t>> subsets(std::size_t n, std::size_t size) {
  std::vector<std::vector<std::size_t>> out;
  for (std::uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<std::size_t>(__builtin_popcount(mask)) != size) continue;
    std::vector<std::size_t> s;
    for (std::size_t i = 0; i < n; ++i)
      if (mask & (1u << i)) s.push_back(i);
    out.push_back(s);
  }
  return out;
}

std::map<std::size_t, Bytes> pick(const Shards& all, const std::vector<std::size_t>& which) {
  std::map<std::size_t, Bytes> out;
  for (std::size_t i : which) out[i] = all.shards[i];
  return out;
}

TEST(Shards, AnyKOfNRebuildTheSnapshotAndKMinusOneDoNot) {
  // A real snapshot: 500 resources in chunks of 64.
  test::TempDir dir;
  state::StoreOptions o;
  o.sync = false;
  auto store = state::StateStore::open(dir.path() + "/state", o);
  ASSERT_TRUE(store.ok());
  std::vector<state::ResourceWrite> w;
  for (int i = 0; i < 500; ++i) {
    core::Hash32 id;
    id.bytes[0] = static_cast<std::uint8_t>(i);
    id.bytes[1] = static_cast<std::uint8_t>(i >> 8);
    w.push_back({state::ResourceId(id), Bytes(1 + i % 9, static_cast<std::uint8_t>(i))});
  }
  ASSERT_TRUE((*store)->commit({1}, w, {}).ok());
  const SnapshotStore snaps(dir.path() + "/snapshots");
  auto view = (*store)->view({1});
  ASSERT_TRUE(view.ok());
  auto manifest = snaps.write(**view, {}, {}, {}, 64);
  ASSERT_TRUE(manifest.ok());
  const Bytes manifest_bytes = *snaps.manifest_bytes(1);
  std::vector<Bytes> chunks;
  for (std::size_t i = 0; i < manifest->chunk_hashes.size(); ++i)
    chunks.push_back(*snaps.chunk_bytes(1, i));
  const Bytes payload = snapshot_payload(manifest_bytes, chunks);

  auto shards = make_shards(1, crypto::sha256(manifest_bytes), payload, 4, 3);
  ASSERT_TRUE(shards.ok()) << shards.error().to_string();
  ASSERT_EQ(shards->shards.size(), 7u);
  for (const auto& which : subsets(7, 4)) {
    auto r = rebuild_payload(shards->manifest, pick(*shards, which));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_EQ(r->payload, payload) << which[0] << which[1] << which[2] << which[3];
  }
  for (const auto& which : subsets(7, 3)) {
    auto r = rebuild_payload(shards->manifest, pick(*shards, which));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalid);
  }
  // The rebuilt bytes are the snapshot: its chunks check against its manifest and make its root.
  auto split = split_snapshot_payload(payload);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(crypto::sha256(split->first), shards->manifest.snapshot);
  SnapshotRebuild rebuild(*decode_manifest(split->first));
  for (std::size_t i = 0; i < split->second.size(); ++i)
    ASSERT_TRUE(rebuild.add(i, split->second[i]).ok());
  auto state = rebuild.finish();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->tree.root(), manifest->state_root);
}

TEST(Shards, AShardThatIsNotTheManifestsIsRefusedAndNamed) {
  Bytes payload(1000);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i * 7);
  auto shards = make_shards(3, core::Hash32::filled(1), payload, 3, 2);
  ASSERT_TRUE(shards.ok());
  std::map<std::size_t, Bytes> five = pick(*shards, {0, 1, 2, 3, 4});
  five[1][10] ^= 1;
  auto r = rebuild_payload(shards->manifest, five);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->payload, payload);
  EXPECT_EQ(r->refused, std::vector<std::size_t>{1});
  five.erase(0);  // three left (1, 2, 3), one of them bad: not enough
  five.erase(4);
  auto short_of_one = rebuild_payload(shards->manifest, five);
  ASSERT_FALSE(short_of_one.ok());
  EXPECT_NE(short_of_one.error().context().find("2 good shards of the 3 needed"),
            std::string::npos);
  std::map<std::size_t, Bytes> stranger = {{7, shards->shards[0]}};
  EXPECT_EQ(rebuild_payload(shards->manifest, stranger).error().code(), ErrorCode::kOutOfRange);
  // A payload shorter than k shards still works (padding), as does an empty one.
  for (std::size_t size : {0u, 1u, 5u}) {
    auto tiny = make_shards(0, {}, Bytes(size, 9), 4, 2);
    ASSERT_TRUE(tiny.ok());
    auto back = rebuild_payload(tiny->manifest, pick(*tiny, {2, 3, 4, 5}));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->payload, Bytes(size, 9));
  }
  EXPECT_EQ(make_shards(0, {}, payload, 0, 2).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(make_shards(0, {}, payload, 200, 56).error().code(), ErrorCode::kOutOfRange);
}

TEST(Shards, TheManifestDecoderRefusesWhatIsNotCanonical) {
  auto shards = make_shards(9, core::Hash32::filled(2), Bytes(100, 1), 2, 2);
  ASSERT_TRUE(shards.ok());
  const Bytes good = encode_shard_manifest(shards->manifest);
  auto back = decode_shard_manifest(good);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(encode_shard_manifest(*back), good);
  EXPECT_EQ(back->root(), shards->manifest.root());
  Bytes b = good;
  b.push_back(0);
  EXPECT_EQ(decode_shard_manifest(b).error().code(), ErrorCode::kTrailingBytes);
  b = good;
  b.pop_back();
  EXPECT_EQ(decode_shard_manifest(b).error().code(), ErrorCode::kTruncated);
  b = good;
  b[0] = 7;
  EXPECT_EQ(decode_shard_manifest(b).error().code(), ErrorCode::kUnknownTag);
  ShardManifest zero = shards->manifest;
  zero.parity_shards = 0;
  EXPECT_EQ(decode_shard_manifest(encode_shard_manifest(zero)).error().code(),
            ErrorCode::kOutOfRange);
  EXPECT_EQ(split_snapshot_payload(Bytes{1, 0, 0}).error().code(), ErrorCode::kTruncated);
}

}  // namespace
}  // namespace basalt::da
