// State snapshots at settled checkpoints: every resource of the app after one batch, cut into
// chunks of consecutive resources, with a manifest naming the batch, the state root and each
// chunk's hash. A node that has the manifest's root from L1 (the state the covenant holds) can
// take the chunks from anyone: each is checked against the manifest as it arrives, and the whole
// against the root once the tree is rebuilt. Formats byte for byte: docs/da.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "kaspa/types.hpp"
#include "state/smt.hpp"
#include "state/store.hpp"

namespace basalt::da {

// Resources per chunk: at most this many (a chunk is then at most about 4 MiB for 256-byte
// values, far less for the token app's accounts).
inline constexpr std::uint32_t kMaxChunkResources = 65536;

// What a snapshot is of, and how it is cut.
struct SnapshotManifest {
  std::uint64_t batch = 0;
  kaspa::BlockHash block;  // the batch's chain block
  core::Hash32 state_root;
  kaspa::LaneTip lane_tip;  // the app lane's tip after the batch (zero: none yet)
  kaspa::CovenantId covenant_id;
  std::uint64_t resources = 0;
  std::uint32_t chunk_resources = 0;  // per chunk; the last one may hold fewer
  std::vector<core::Hash32> chunk_hashes;
};

// Format version 1. Canonical or refused: kTruncated, kTrailingBytes, kUnknownTag (version),
// kOutOfRange (chunk size 0 or above kMaxChunkResources), kInvalid (the chunk count does not
// follow from the resource count and chunk size).
core::Bytes encode_manifest(const SnapshotManifest& m);
core::Result<SnapshotManifest> decode_manifest(core::ByteSpan bytes);

using Resource = std::pair<state::ResourceId, core::Bytes>;

// A chunk: its resources in strictly ascending id order, none empty. Refused: kTruncated,
// kTrailingBytes, kUnknownTag, kOutOfRange (count 0 or above kMaxChunkResources, a value larger
// than exec::kMaxResourceBytes or empty), kNonCanonical (ids not strictly ascending).
core::Bytes encode_chunk(std::span<const Resource> resources);
core::Result<std::vector<Resource>> decode_chunk(core::ByteSpan bytes);
// SHA256(tag ‖ bytes): how data availability's formats are hashed, each with a tag of its own.
core::Hash32 tagged_sha256(std::string_view tag, core::ByteSpan bytes);
// SHA256("basalt.da.snapshot.chunk.v1" ‖ bytes): what the manifest lists.
core::Hash32 chunk_hash(core::ByteSpan bytes);

// A snapshot's state: its resources in id order and their tree.
struct SnapshotState {
  std::vector<Resource> resources;
  state::Smt tree;
  // The resource's data (empty: absent).
  core::Bytes value(const state::ResourceId& id) const;
};

// Rebuilds a snapshot from its chunks, taken in any order from anyone, against a manifest.
class SnapshotRebuild {
 public:
  explicit SnapshotRebuild(SnapshotManifest manifest);
  const SnapshotManifest& manifest() const { return manifest_; }
  std::size_t chunks() const { return manifest_.chunk_hashes.size(); }
  bool has(std::size_t i) const { return chunks_[i].has_value(); }
  std::size_t missing() const { return missing_; }
  // Takes chunk `i` if it is the one the manifest lists (hash), decodes and has the size its
  // place implies. Errors: kOutOfRange for an index past the end; kVerifyFailed for another
  // chunk's bytes; the decoder's errors; kInvalid for a wrong resource count. Nothing is kept then.
  core::Status add(std::size_t i, core::ByteSpan bytes);
  // With every chunk in: checks that the chunks follow each other in id order and that the tree of
  // all resources has the manifest's root, and returns the resources in id order. Errors:
  // kInvalid for a missing chunk or chunks out of order; kVerifyFailed for another root (the
  // manifest's chunks do not make the state it names).
  core::Result<SnapshotState> finish();

 private:
  SnapshotManifest manifest_;
  std::vector<std::optional<std::vector<Resource>>> chunks_;
  std::size_t missing_ = 0;
};

// The snapshots a node keeps, one directory each under `dir` (named by batch), written whole or
// not at all.
class SnapshotStore {
 public:
  explicit SnapshotStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  // Writes batch `view.batch()`'s snapshot from the view: the resources in chunks of
  // `chunk_resources`, checked against the view's root before anything is published. Errors:
  // kCorrupt when the store's data does not hash to the recorded root; kIo.
  core::Result<SnapshotManifest> write(const state::StateStore::View& view, kaspa::BlockHash block,
                                       kaspa::LaneTip lane_tip, kaspa::CovenantId covenant_id,
                                       std::uint32_t chunk_resources) const;
  // The batches kept, ascending.
  std::vector<std::uint64_t> batches() const;
  // Errors: kNotFound, kIo; kCorrupt for a manifest on disk that does not decode.
  core::Result<SnapshotManifest> manifest(std::uint64_t batch) const;
  core::Result<core::Bytes> manifest_bytes(std::uint64_t batch) const;
  core::Result<core::Bytes> chunk_bytes(std::uint64_t batch, std::size_t i) const;
  // A kept snapshot read back and checked as any reader checks one. Errors: kNotFound; kCorrupt
  // when what is on disk does not check out; kIo.
  core::Result<SnapshotState> load(std::uint64_t batch) const;
  // Removes all but the newest `keep`.
  void prune(std::size_t keep) const;
  // Bytes the snapshots take on disk.
  std::uint64_t disk_bytes() const;

 private:
  std::filesystem::path dir_;
};

}  // namespace basalt::da
