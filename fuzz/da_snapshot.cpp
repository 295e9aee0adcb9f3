// Fuzzes the settled-snapshot decoders, which read what a mirror sends: no bytes may crash them,
// what they accept is canonical (encodes back to the same bytes), and a rebuild takes an accepted
// chunk against a manifest listing it without crashing. The first byte picks the decoder.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "da/snapshot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size == 0) return 0;
  const core::ByteSpan bytes(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    auto m = da::decode_manifest(bytes);
    if (m.ok()) BASALT_ASSERT(da::encode_manifest(*m) == core::Bytes(bytes.begin(), bytes.end()));
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
