// Erasure-coded snapshots: a snapshot's bytes cut into k data shards and m parity shards with
// Reed–Solomon over GF(2^8) (Intel ISA-L, a Cauchy generator matrix), so that any k of the n = k +
// m shards rebuild it. A shard manifest names the snapshot (its manifest's hash) and lists every
// shard's hash; mirrors may each keep some of the shards, and a reader checks each shard it gets
// against the shard manifest before using it. Formats: docs/da.md.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace basalt::da {

// Cauchy Reed–Solomon over GF(2^8) has at most 256 rows; ISA-L's tables need k and m within it.
inline constexpr std::uint32_t kMaxShards = 255;

struct ShardManifest {
  std::uint64_t batch = 0;
  core::Hash32 snapshot;  // SHA-256 of the snapshot manifest's bytes
  std::uint32_t data_shards = 0;
  std::uint32_t parity_shards = 0;
  std::uint64_t payload_bytes = 0;  // the snapshot's bytes (snapshot_payload)
  std::vector<core::Hash32> shard_hashes;
  // What a shard set is known by: SHA256("basalt.da.shards.v1" ‖ encode_shard_manifest(*this)).
  core::Hash32 root() const;
};

// Format version 1. Canonical or refused: kTruncated and kTrailingBytes (also for other than k + m
// hashes), kUnknownTag, kOutOfRange (k or m of 0, or n above kMaxShards).
core::Bytes encode_shard_manifest(const ShardManifest& m);
core::Result<ShardManifest> decode_shard_manifest(core::ByteSpan bytes);

// A snapshot as one piece of bytes: its manifest, then each chunk, each with a u64 length before
// it. The inverse is refused (kTruncated, kTrailingBytes) unless it splits exactly.
core::Bytes snapshot_payload(core::ByteSpan manifest, const std::vector<core::Bytes>& chunks);
core::Result<std::pair<core::Bytes, std::vector<core::Bytes>>> split_snapshot_payload(
    core::ByteSpan payload);

// SHA256("basalt.da.shard.v1" ‖ bytes): what the shard manifest lists.
core::Hash32 shard_hash(core::ByteSpan bytes);

struct Shards {
  ShardManifest manifest;
  std::vector<core::Bytes> shards;  // n of them, all of one length; data first, then parity
};
// Errors: kOutOfRange for k or m of 0 or k + m above kMaxShards.
core::Result<Shards> make_shards(std::uint64_t batch, const core::Hash32& snapshot,
                                 core::ByteSpan payload, std::uint32_t data_shards,
                                 std::uint32_t parity_shards);

struct Rebuilt {
  core::Bytes payload;
  std::vector<std::size_t> refused;  // shards given that are not the manifest's
};
// The payload from any k of the shards the manifest lists (`shards` by index; a shard that does
// not hash to its entry is refused and named, not used). Errors: kInvalid with fewer than k good
// shards (naming how many), kOutOfRange for an index past n.
core::Result<Rebuilt> rebuild_payload(const ShardManifest& m,
                                      const std::map<std::size_t, core::Bytes>& shards);

}  // namespace basalt::da
