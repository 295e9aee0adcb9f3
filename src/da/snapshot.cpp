#include "da/snapshot.hpp"

#include <algorithm>
#include <system_error>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/files.hpp"
#include "crypto/sha256.hpp"
#include "exec/abi.hpp"

namespace basalt::da {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint64_t kMaxChunks = 1u << 24;
// What one resource of a chunk takes at least: id, length, one byte.
constexpr std::size_t kMinResourceEntry = 32 + 4 + 1;
constexpr std::uint64_t kMaxManifestBytes = 64 + 4 * 32 + kMaxChunks * 32;
constexpr std::uint64_t kMaxChunkBytes =
    9 + std::uint64_t{kMaxChunkResources} * (32 + 4 + exec::kMaxResourceBytes);

std::uint64_t chunk_count(std::uint64_t resources, std::uint32_t per_chunk) {
  return per_chunk == 0 ? 0 : (resources + per_chunk - 1) / per_chunk;
}

std::string chunk_name(std::size_t i) {
  return "chunk-" + std::to_string(i);
}

}  // namespace

core::Bytes encode_manifest(const SnapshotManifest& m) {
  core::ByteWriter w;
  w.u8(kVersion);
  w.u64_le(m.batch);
  w.hash(m.block.hash());
  w.hash(m.state_root);
  w.hash(m.lane_tip.hash());
  w.hash(m.covenant_id.hash());
  w.u64_le(m.resources);
  w.u32_le(m.chunk_resources);
  w.u64_le(m.chunk_hashes.size());
  for (const core::Hash32& h : m.chunk_hashes) w.hash(h);
  return w.take();
}

core::Result<SnapshotManifest> decode_manifest(core::ByteSpan bytes) {
  core::ByteReader r(bytes);
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("version"));
  if (version != kVersion)
    return Error{ErrorCode::kUnknownTag, "snapshot manifest version " + std::to_string(version)};
  SnapshotManifest m;
  BASALT_ASSIGN_OR_RETURN(m.batch, r.read_u64_le("batch"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 block, r.read_hash32("block"));
  m.block = kaspa::BlockHash(block);
  BASALT_ASSIGN_OR_RETURN(m.state_root, r.read_hash32("state_root"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 tip, r.read_hash32("lane_tip"));
  m.lane_tip = kaspa::LaneTip(tip);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 covenant, r.read_hash32("covenant_id"));
  m.covenant_id = kaspa::CovenantId(covenant);
  BASALT_ASSIGN_OR_RETURN(m.resources, r.read_u64_le("resources"));
  BASALT_ASSIGN_OR_RETURN(m.chunk_resources, r.read_u32_le("chunk_resources"));
  if (m.chunk_resources == 0 || m.chunk_resources > kMaxChunkResources)
    return Error{ErrorCode::kOutOfRange, "chunk_resources " + std::to_string(m.chunk_resources)};
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t chunks, r.read_count(kMaxChunks, 32, "chunks"));
  if (chunks != chunk_count(m.resources, m.chunk_resources))
    return Error{ErrorCode::kInvalid, std::to_string(chunks) + " chunks for " +
                                          std::to_string(m.resources) + " resources"};
  m.chunk_hashes.reserve(chunks);
  for (std::uint64_t i = 0; i < chunks; ++i) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 h, r.read_hash32("chunk hash"));
    m.chunk_hashes.push_back(h);
  }
  BASALT_TRY(r.expect_end("snapshot manifest"));
  return m;
}

core::Bytes encode_chunk(std::span<const Resource> resources) {
  core::ByteWriter w;
  w.u8(kVersion);
  w.u64_le(resources.size());
  for (const auto& [id, data] : resources) {
    w.hash(id.hash());
    w.u32_le(static_cast<std::uint32_t>(data.size()));
    w.bytes(data);
  }
  return w.take();
}

core::Result<std::vector<Resource>> decode_chunk(core::ByteSpan bytes) {
  core::ByteReader r(bytes);
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("version"));
  if (version != kVersion)
    return Error{ErrorCode::kUnknownTag, "snapshot chunk version " + std::to_string(version)};
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t n,
                          r.read_count(kMaxChunkResources, kMinResourceEntry, "resources"));
  if (n == 0) return Error{ErrorCode::kOutOfRange, "an empty chunk"};
  std::vector<Resource> out;
  out.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("resource id"));
    BASALT_ASSIGN_OR_RETURN(const std::uint32_t len, r.read_u32_le("resource length"));
    if (len == 0 || len > exec::kMaxResourceBytes)
      return Error{ErrorCode::kOutOfRange, "a resource of " + std::to_string(len) + " bytes"};
    BASALT_ASSIGN_OR_RETURN(const core::ByteSpan data, r.read_bytes(len, "resource data"));
    const state::ResourceId rid(id);
    if (!out.empty() && !(out.back().first < rid))
      return Error{ErrorCode::kNonCanonical, "resource ids not strictly ascending"};
    out.emplace_back(rid, core::Bytes(data.begin(), data.end()));
  }
  BASALT_TRY(r.expect_end("snapshot chunk"));
  return out;
}

core::Hash32 tagged_sha256(std::string_view tag, core::ByteSpan bytes) {
  crypto::Sha256 h;
  h.update(core::ByteSpan(reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()));
  h.update(bytes);
  return h.finalize();
}

core::Hash32 chunk_hash(core::ByteSpan bytes) {
  return tagged_sha256("basalt.da.snapshot.chunk.v1", bytes);
}

// --- rebuilding ---

SnapshotRebuild::SnapshotRebuild(SnapshotManifest manifest)
    : manifest_(std::move(manifest)),
      chunks_(manifest_.chunk_hashes.size()),
      missing_(manifest_.chunk_hashes.size()) {}

core::Status SnapshotRebuild::add(std::size_t i, core::ByteSpan bytes) {
  if (i >= chunks_.size())
    return Error{ErrorCode::kOutOfRange,
                 "chunk " + std::to_string(i) + " of " + std::to_string(chunks_.size())};
  if (chunk_hash(bytes) != manifest_.chunk_hashes[i])
    return Error{ErrorCode::kVerifyFailed,
                 "chunk " + std::to_string(i) + " is not the one the manifest lists"};
  BASALT_ASSIGN_OR_RETURN(std::vector<Resource> resources, decode_chunk(bytes));
  const std::uint64_t before = std::uint64_t{manifest_.chunk_resources} * i;
  const std::uint64_t expected =
      std::min<std::uint64_t>(manifest_.chunk_resources, manifest_.resources - before);
  if (resources.size() != expected)
    return Error{ErrorCode::kInvalid, "chunk " + std::to_string(i) + " holds " +
                                          std::to_string(resources.size()) + " resources, not " +
                                          std::to_string(expected)};
  if (!chunks_[i]) --missing_;
  chunks_[i] = std::move(resources);
  return core::Status::Ok();
}

core::Bytes SnapshotState::value(const state::ResourceId& id) const {
  const auto it =
      std::lower_bound(resources.begin(), resources.end(), id,
                       [](const Resource& r, const state::ResourceId& k) { return r.first < k; });
  return it != resources.end() && it->first == id ? it->second : core::Bytes();
}

core::Result<SnapshotState> SnapshotRebuild::finish() {
  if (missing_ > 0) return Error{ErrorCode::kInvalid, std::to_string(missing_) + " chunks missing"};
  std::vector<Resource> all;
  all.reserve(manifest_.resources);
  for (std::size_t i = 0; i < chunks_.size(); ++i) {
    if (!all.empty() && !(all.back().first < chunks_[i]->front().first))
      return Error{ErrorCode::kInvalid,
                   "chunk " + std::to_string(i) + " does not follow the one before in id order"};
    std::move(chunks_[i]->begin(), chunks_[i]->end(), std::back_inserter(all));
    chunks_[i].reset();
  }
  std::vector<state::SmtUpdate> leaves;
  leaves.reserve(all.size());
  for (const auto& [id, data] : all) leaves.push_back({id, state::value_hash(data)});
  SnapshotState out;
  BASALT_TRY(out.tree.build_sorted(leaves));
  if (out.tree.root() != manifest_.state_root)
    return Error{ErrorCode::kVerifyFailed, "the chunks make state root " + out.tree.root().hex() +
                                               ", not the manifest's " +
                                               manifest_.state_root.hex()};
  out.resources = std::move(all);
  return out;
}

// --- on disk ---

core::Result<SnapshotManifest> SnapshotStore::write(const state::StateStore::View& view,
                                                    kaspa::BlockHash block, kaspa::LaneTip lane_tip,
                                                    kaspa::CovenantId covenant_id,
                                                    std::uint32_t chunk_resources) const {
  const std::string name = std::to_string(view.batch().value);
  const std::filesystem::path tmp = dir_ / (name + ".partial");
  std::error_code ec;
  std::filesystem::remove_all(tmp, ec);
  std::filesystem::create_directories(tmp, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + tmp.string() + ": " + ec.message()};
  SnapshotManifest m{view.batch().value, block, view.root(),     lane_tip,
                     covenant_id,        0,     chunk_resources, {}};
  std::vector<Resource> chunk;
  std::vector<state::SmtUpdate> leaves;
  const auto flush = [&]() -> core::Status {
    const core::Bytes bytes = encode_chunk(chunk);
    BASALT_TRY(core::write_file(tmp / chunk_name(m.chunk_hashes.size()), bytes));
    m.chunk_hashes.push_back(chunk_hash(bytes));
    chunk.clear();
    return core::Status::Ok();
  };
  BASALT_TRY(view.scan([&](const state::ResourceId& id, core::ByteSpan data) -> core::Status {
    leaves.push_back({id, state::value_hash(data)});
    chunk.emplace_back(id, core::Bytes(data.begin(), data.end()));
    ++m.resources;
    return chunk.size() == chunk_resources ? flush() : core::Status::Ok();
  }));
  if (!chunk.empty()) BASALT_TRY(flush());
  state::Smt tree;
  BASALT_TRY(tree.build_sorted(leaves));
  if (tree.root() != view.root())
    return Error{ErrorCode::kCorrupt,
                 "state store: batch " + name + "'s resources do not hash to its recorded root"};
  BASALT_TRY(core::write_file(tmp / "manifest", encode_manifest(m)));
  const std::filesystem::path final_dir = dir_ / name;
  std::filesystem::remove_all(final_dir, ec);
  std::filesystem::rename(tmp, final_dir, ec);
  if (ec)
    return Error{ErrorCode::kIo, "cannot publish " + final_dir.string() + ": " + ec.message()};
  return m;
}

std::vector<std::uint64_t> SnapshotStore::batches() const {
  std::vector<std::uint64_t> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.size() > 19 ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;  // a snapshot being written, or not ours
    out.push_back(std::stoull(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// A file of a kept snapshot (one pruned meanwhile is not found, like one never written).
core::Result<core::Bytes> read_kept(const std::filesystem::path& p, std::uint64_t max_bytes,
                                    const std::string& missing) {
  auto bytes = core::read_file(p.string(), max_bytes);
  if (!bytes.ok() && bytes.error().code() == ErrorCode::kNotFound)
    return Error{ErrorCode::kNotFound, missing};
  return bytes;
}

}  // namespace

core::Result<core::Bytes> SnapshotStore::manifest_bytes(std::uint64_t batch) const {
  return read_kept(dir_ / std::to_string(batch) / "manifest", kMaxManifestBytes,
                   "no snapshot of batch " + std::to_string(batch));
}

core::Result<SnapshotManifest> SnapshotStore::manifest(std::uint64_t batch) const {
  BASALT_ASSIGN_OR_RETURN(const core::Bytes bytes, manifest_bytes(batch));
  auto m = decode_manifest(bytes);
  if (!m.ok())
    return Error{ErrorCode::kCorrupt,
                 "snapshot " + std::to_string(batch) + "'s manifest: " + m.error().to_string()};
  return m;
}

core::Result<core::Bytes> SnapshotStore::chunk_bytes(std::uint64_t batch, std::size_t i) const {
  return read_kept(dir_ / std::to_string(batch) / chunk_name(i), kMaxChunkBytes,
                   "snapshot " + std::to_string(batch) + " has no chunk " + std::to_string(i));
}

core::Result<SnapshotState> SnapshotStore::load(std::uint64_t batch) const {
  BASALT_ASSIGN_OR_RETURN(const SnapshotManifest m, manifest(batch));
  SnapshotRebuild rebuild(m);
  const auto damaged = [&](const Error& e) {
    return Error{ErrorCode::kCorrupt, "snapshot " + std::to_string(batch) + ": " + e.to_string()};
  };
  for (std::size_t i = 0; i < rebuild.chunks(); ++i) {
    auto bytes = chunk_bytes(batch, i);
    if (!bytes.ok())
      return bytes.error().code() == ErrorCode::kIo ? bytes.error() : damaged(bytes.error());
    if (auto st = rebuild.add(i, *bytes); !st.ok()) return damaged(st.error());
  }
  auto state = rebuild.finish();
  if (!state.ok()) return damaged(state.error());
  return state;
}

void SnapshotStore::prune(std::size_t keep) const {
  std::vector<std::uint64_t> all = batches();
  std::error_code ec;
  for (std::size_t i = 0; i + keep < all.size(); ++i)
    std::filesystem::remove_all(dir_ / std::to_string(all[i]), ec);
}

std::uint64_t SnapshotStore::disk_bytes() const {
  std::uint64_t n = 0;
  for (std::uint64_t b : batches()) n += core::directory_bytes((dir_ / std::to_string(b)).string());
  return n;
}

}  // namespace basalt::da
