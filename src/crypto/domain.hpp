// The 24 domain-separated hashers of Kaspa (kip21 §1), by name. Three keying schemes:
//  - BLAKE3 keyed: key = ASCII domain padded with zero bytes to 32;
//  - BLAKE2b-256 keyed: key = ASCII domain, unpadded;
//  - SHA-256 prefixed: SHA256(SHA256(domain) || msg) (not HMAC).
// Only the concatenation of the updates matters.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "core/bytes.hpp"
#include "crypto/blake2b.hpp"
#include "crypto/blake3.hpp"
#include "crypto/sha256.hpp"

namespace basalt::crypto {

enum class HashScheme : std::uint8_t { kBlake3Keyed, kBlake2bKeyed, kSha256Prefixed };

// Named after the Rust hasher types of kaspa_hashes.
enum class Domain : std::uint8_t {
  kSeqCommitMerkleBranch,
  kPayloadDigest,
  kTransactionRest,
  kTransactionV1Id,
  kSeqCommitLaneKey,
  kSeqCommitLaneTip,
  kSeqCommitActivityLeaf,
  kSeqCommitMergesetContext,
  kSeqCommitMinerPayloadLeaf,
  kSeqCommitActivityRoot,
  kSeqCommitActiveLeaf,
  kSeqCommitActiveNode,
  kSeqCommitActiveCollapsedNode,
  kTransactionHash,
  kTransactionID,
  kTransactionSigningHash,
  kBlockHash,
  kProofOfWorkHash,
  kMerkleBranchHash,
  kMuHashElementHash,
  kMuHashFinalizeHash,
  kPersonalMessageSigningHash,
  kCovenantID,
  kTransactionSigningHashECDSA,
};

struct DomainInfo {
  Domain domain;
  std::string_view type_name;  // the Rust type name, e.g. "SeqCommitMerkleBranch"
  std::string_view ascii;      // the exact domain string, e.g. "SeqCommitmentMerkleBranchHash"
  HashScheme scheme;
};

std::span<const DomainInfo> all_domains();
const DomainInfo& domain_info(Domain d);
// nullptr when no hasher has that type name.
const DomainInfo* find_domain(std::string_view type_name);
// What the scheme keys or prefixes with: the padded BLAKE3 key, the BLAKE2b key, or SHA256(domain).
core::Bytes domain_key_bytes(Domain d);

class DomainHasher {
 public:
  explicit DomainHasher(Domain d);

  DomainHasher& update(core::ByteSpan data);
  DomainHasher& update(const core::Hash32& h) { return update(h.span()); }
  DomainHasher& update_u16_le(std::uint16_t v);
  DomainHasher& update_u32_le(std::uint32_t v);
  DomainHasher& update_u64_le(std::uint64_t v);
  // Kaspa's write_len and write_var_bytes: le_u64 length, then the bytes.
  DomainHasher& update_var_bytes(core::ByteSpan data);
  core::Hash32 finalize() const;

 private:
  Domain domain_;
  // BLAKE3 domains start in `small_` (monostate): most Kaspa preimages fit one 64-byte block and
  // then hash with a single compression. A longer message moves into a full Blake3 state.
  std::variant<std::monostate, Blake3, Blake2b256, Sha256> impl_;
  std::array<std::uint8_t, kBlake3BlockLen> small_;
  std::size_t small_len_ = 0;
};

core::Hash32 domain_hash(Domain d, core::ByteSpan data);
// domain_hash(d, a || b). For BLAKE3 domains this is exactly one compression.
core::Hash32 domain_hash_pair(Domain d, const core::Hash32& a, const core::Hash32& b);

// out[i] = domain_hash(d, the 64 bytes at blocks[i]) for independent messages; for BLAKE3 domains,
// eight at a time side by side where the CPU allows.
void domain_hash_blocks64(Domain d, std::span<const std::uint8_t* const> blocks, core::Hash32* out);
// out[i] = domain_hash(d, messages[i]) for independent messages; for BLAKE3 domains, messages of
// alike length eight at a time side by side where the CPU allows.
void domain_hash_many(Domain d, std::span<const core::ByteSpan> messages, core::Hash32* out);

}  // namespace basalt::crypto
