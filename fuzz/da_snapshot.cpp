// Fuzzes the settled-snapshot decoders, which read what a mirror sends: no bytes may crash them,
// what they accept is canonical (encodes back to the same bytes), and a rebuild takes an accepted
// chunk against a manifest listing it without crashing; shard manifests and snapshot payloads too,
// and a shard rebuild from whatever shards the bytes make. The first byte picks the decoder.
#include <cstddef>
#include <cstdint>
#include <map>

#include "core/assert.hpp"
#include "da/shards.hpp"
#include "da/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size == 0) return 0;
  const core::ByteSpan bytes(data + 1, size - 1);
  if (data[0] % 4 == 0) {
    auto m = da::decode_manifest(bytes);
    if (m.ok()) BASALT_ASSERT(da::encode_manifest(*m) == core::Bytes(bytes.begin(), bytes.end()));
    return 0;
  }
  if (data[0] % 4 == 2) {
    auto m = da::decode_shard_manifest(bytes);
    if (!m.ok()) {
      auto split = da::split_snapshot_payload(bytes);
      if (split.ok())
        BASALT_ASSERT(da::snapshot_payload(split->first, split->second) ==
                      core::Bytes(bytes.begin(), bytes.end()));
      return 0;
    }
    BASALT_ASSERT(da::encode_shard_manifest(*m) == core::Bytes(bytes.begin(), bytes.end()));
    // Shards cut from the input itself: refused (not the manifest's) or too few, never a crash.
    std::map<std::size_t, core::Bytes> shards;
    for (std::size_t i = 0; i < m->shard_hashes.size() && i < 8; ++i)
      shards[i] = core::Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(i));
    (void)da::rebuild_payload(*m, shards);
    return 0;
  }
  auto c = da::decode_chunk(bytes);
  if (!c.ok()) return 0;
  BASALT_ASSERT(da::encode_chunk(*c) == core::Bytes(bytes.begin(), bytes.end()));
  da::SnapshotManifest m;
  m.resources = c->size();
  m.chunk_resources = static_cast<std::uint32_t>(c->size());
  m.chunk_hashes = {da::chunk_hash(bytes)};
  da::SnapshotRebuild r(m);
  BASALT_ASSERT(r.add(0, bytes).ok());
  (void)r.finish();
  return 0;
}
