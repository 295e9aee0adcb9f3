#include "da/shards.hpp"

#include <isa-l/erasure_code.h>

#include <algorithm>
#include <string>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "da/snapshot.hpp"

namespace basalt::da {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::uint64_t kMaxPayloadPart = std::uint64_t{1} << 40;

core::Status check_counts(std::uint32_t k, std::uint32_t m) {
  if (k == 0 || m == 0 || k + m > kMaxShards)
    return Error{ErrorCode::kOutOfRange, std::to_string(k) + " data and " + std::to_string(m) +
                                             " parity shards (each at least 1, " +
                                             std::to_string(kMaxShards) + " in all at most)"};
  return core::Status::Ok();
}

// ISA-L's encoding matrix: n rows of k, the first k the identity (the data shards themselves).
std::vector<std::uint8_t> generator(std::uint32_t k, std::uint32_t n) {
  std::vector<std::uint8_t> a(std::size_t{n} * k);
  gf_gen_cauchy1_matrix(a.data(), static_cast<int>(n), static_cast<int>(k));
  return a;
}

// out[r] = Σ_i rows[r][i] · in[i] over GF(2^8), every vector `len` bytes.
void multiply(const std::vector<std::uint8_t>& rows, std::uint32_t k, std::size_t len,
              std::vector<std::uint8_t*>& in, std::vector<std::uint8_t*>& out) {
  const int count = static_cast<int>(out.size());
  std::vector<std::uint8_t> tables(32 * std::size_t{k} * out.size());
  ec_init_tables(static_cast<int>(k), count, const_cast<std::uint8_t*>(rows.data()), tables.data());
  ec_encode_data(static_cast<int>(len), static_cast<int>(k), count, tables.data(), in.data(),
                 out.data());
}

}  // namespace

core::Hash32 ShardManifest::root() const {
  return tagged_sha256("basalt.da.shards.v1", encode_shard_manifest(*this));
}

core::Bytes encode_shard_manifest(const ShardManifest& m) {
  core::ByteWriter w;
  w.u8(kVersion);
  w.u64_le(m.batch);
  w.hash(m.snapshot);
  w.u32_le(m.data_shards);
  w.u32_le(m.parity_shards);
  w.u64_le(m.payload_bytes);
  for (const core::Hash32& h : m.shard_hashes) w.hash(h);
  return w.take();
}

core::Result<ShardManifest> decode_shard_manifest(core::ByteSpan bytes) {
  core::ByteReader r(bytes);
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("version"));
  if (version != kVersion)
    return Error{ErrorCode::kUnknownTag, "shard manifest version " + std::to_string(version)};
  ShardManifest m;
  BASALT_ASSIGN_OR_RETURN(m.batch, r.read_u64_le("batch"));
  BASALT_ASSIGN_OR_RETURN(m.snapshot, r.read_hash32("snapshot"));
  BASALT_ASSIGN_OR_RETURN(m.data_shards, r.read_u32_le("data_shards"));
  BASALT_ASSIGN_OR_RETURN(m.parity_shards, r.read_u32_le("parity_shards"));
  BASALT_TRY(check_counts(m.data_shards, m.parity_shards));
  BASALT_ASSIGN_OR_RETURN(m.payload_bytes, r.read_u64_le("payload_bytes"));
  const std::uint32_t n = m.data_shards + m.parity_shards;
  if (r.remaining() != std::size_t{n} * 32)
    return Error{
        r.remaining() < std::size_t{n} * 32 ? ErrorCode::kTruncated : ErrorCode::kTrailingBytes,
        "shard manifest: " + std::to_string(n) + " shard hashes expected"};
  for (std::uint32_t i = 0; i < n; ++i) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 h, r.read_hash32("shard hash"));
    m.shard_hashes.push_back(h);
  }
  return m;
}

core::Bytes snapshot_payload(core::ByteSpan manifest, const std::vector<core::Bytes>& chunks) {
  core::ByteWriter w;
  w.var_bytes(manifest);
  for (const core::Bytes& c : chunks) w.var_bytes(c);
  return w.take();
}

core::Result<std::pair<core::Bytes, std::vector<core::Bytes>>> split_snapshot_payload(
    core::ByteSpan payload) {
  core::ByteReader r(payload);
  std::pair<core::Bytes, std::vector<core::Bytes>> out;
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan manifest,
                          r.read_var_bytes(kMaxPayloadPart, "snapshot manifest"));
  out.first.assign(manifest.begin(), manifest.end());
  while (r.remaining() > 0) {
    BASALT_ASSIGN_OR_RETURN(const core::ByteSpan chunk, r.read_var_bytes(kMaxPayloadPart, "chunk"));
    out.second.emplace_back(chunk.begin(), chunk.end());
  }
  return out;
}

core::Hash32 shard_hash(core::ByteSpan bytes) {
  return tagged_sha256("basalt.da.shard.v1", bytes);
}

core::Result<Shards> make_shards(std::uint64_t batch, const core::Hash32& snapshot,
                                 core::ByteSpan payload, std::uint32_t k, std::uint32_t m) {
  BASALT_TRY(check_counts(k, m));
  const std::size_t len = std::max<std::size_t>(1, (payload.size() + k - 1) / k);
  Shards out;
  out.shards.assign(k + m, core::Bytes(len, 0));
  for (std::uint32_t i = 0; i < k; ++i) {
    const std::size_t at = std::size_t{i} * len;
    if (at < payload.size())
      std::copy_n(payload.begin() + static_cast<std::ptrdiff_t>(at),
                  std::min(len, payload.size() - at), out.shards[i].begin());
  }
  const std::vector<std::uint8_t> a = generator(k, k + m);
  const std::vector<std::uint8_t> parity_rows(a.begin() + std::size_t{k} * k, a.end());
  std::vector<std::uint8_t*> in, parity;
  for (std::uint32_t i = 0; i < k; ++i) in.push_back(out.shards[i].data());
  for (std::uint32_t i = k; i < k + m; ++i) parity.push_back(out.shards[i].data());
  multiply(parity_rows, k, len, in, parity);
  out.manifest = ShardManifest{batch, snapshot, k, m, payload.size(), {}};
  for (const core::Bytes& s : out.shards) out.manifest.shard_hashes.push_back(shard_hash(s));
  return out;
}

core::Result<Rebuilt> rebuild_payload(const ShardManifest& m,
                                      const std::map<std::size_t, core::Bytes>& shards) {
  const std::uint32_t k = m.data_shards, n = m.data_shards + m.parity_shards;
  BASALT_TRY(check_counts(k, m.parity_shards));
  const std::size_t len = std::max<std::size_t>(1, (m.payload_bytes + k - 1) / k);
  Rebuilt out;
  std::vector<std::size_t> use;  // the first k good shards, ascending
  for (const auto& [i, bytes] : shards) {
    if (i >= n)
      return Error{ErrorCode::kOutOfRange,
                   "shard " + std::to_string(i) + " of " + std::to_string(n)};
    if (bytes.size() != len || shard_hash(bytes) != m.shard_hashes[i]) {
      out.refused.push_back(i);
    } else if (use.size() < k) {
      use.push_back(i);
    }
  }
  if (use.size() < k)
    return Error{ErrorCode::kInvalid, std::to_string(use.size()) + " good shards of the " +
                                          std::to_string(k) + " needed"};
  // The rows of the shards at hand, inverted, give the data shards from them.
  const std::vector<std::uint8_t> a = generator(k, n);
  std::vector<std::uint8_t> at_hand(std::size_t{k} * k), inverse(std::size_t{k} * k);
  for (std::uint32_t r = 0; r < k; ++r)
    std::copy_n(a.begin() + static_cast<std::ptrdiff_t>(use[r] * k), k,
                at_hand.begin() + static_cast<std::ptrdiff_t>(r * k));
  if (gf_invert_matrix(at_hand.data(), inverse.data(), static_cast<int>(k)) != 0)
    return Error{ErrorCode::kInvalid, "the shards at hand do not determine the data"};
  std::vector<core::Bytes> data(k);
  std::vector<std::uint8_t> rows;
  std::vector<std::uint8_t*> in, missing;
  for (std::size_t i : use) in.push_back(const_cast<std::uint8_t*>(shards.at(i).data()));
  for (std::uint32_t d = 0; d < k; ++d) {
    if (std::find(use.begin(), use.end(), d) != use.end()) {
      data[d] = shards.at(d);
      continue;
    }
    data[d].assign(len, 0);
    missing.push_back(data[d].data());
    rows.insert(rows.end(), inverse.begin() + static_cast<std::ptrdiff_t>(d * k),
                inverse.begin() + static_cast<std::ptrdiff_t>((d + 1) * k));
  }
  if (!missing.empty()) multiply(rows, k, len, in, missing);
  out.payload.reserve(std::size_t{k} * len);
  for (const core::Bytes& d : data) out.payload.insert(out.payload.end(), d.begin(), d.end());
  out.payload.resize(m.payload_bytes);
  return out;
}

}  // namespace basalt::da
