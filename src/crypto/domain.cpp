#include "crypto/domain.hpp"

#include <array>
#include <cstring>
#include <type_traits>

#include "core/assert.hpp"

namespace basalt::crypto {
namespace {

using enum Domain;
using enum HashScheme;

constexpr std::array<DomainInfo, 24> kDomains = {{
    {kSeqCommitMerkleBranch, "SeqCommitMerkleBranch", "SeqCommitmentMerkleBranchHash",
     kBlake3Keyed},
    {kPayloadDigest, "PayloadDigest", "PayloadDigest", kBlake3Keyed},
    {kTransactionRest, "TransactionRest", "TransactionRest", kBlake3Keyed},
    {kTransactionV1Id, "TransactionV1Id", "TransactionV1Id", kBlake3Keyed},
    {kSeqCommitLaneKey, "SeqCommitLaneKey", "SeqCommitLaneKey", kBlake3Keyed},
    {kSeqCommitLaneTip, "SeqCommitLaneTip", "SeqCommitLaneTip", kBlake3Keyed},
    {kSeqCommitActivityLeaf, "SeqCommitActivityLeaf", "SeqCommitActivityLeaf", kBlake3Keyed},
    {kSeqCommitMergesetContext, "SeqCommitMergesetContext", "SeqCommitMergesetContext",
     kBlake3Keyed},
    {kSeqCommitMinerPayloadLeaf, "SeqCommitMinerPayloadLeaf", "SeqCommitMinerPayloadLeaf",
     kBlake3Keyed},
    {kSeqCommitActivityRoot, "SeqCommitActivityRoot", "SeqCommitActivityRoot", kBlake3Keyed},
    {kSeqCommitActiveLeaf, "SeqCommitActiveLeaf", "SeqCommitActiveLeaf", kBlake3Keyed},
    {kSeqCommitActiveNode, "SeqCommitActiveNode", "SeqCommitActiveNode", kBlake3Keyed},
    {kSeqCommitActiveCollapsedNode, "SeqCommitActiveCollapsedNode", "SeqCommitActiveCollapsedNode",
     kBlake3Keyed},
    {kTransactionHash, "TransactionHash", "TransactionHash", kBlake2bKeyed},
    {kTransactionID, "TransactionID", "TransactionID", kBlake2bKeyed},
    {kTransactionSigningHash, "TransactionSigningHash", "TransactionSigningHash", kBlake2bKeyed},
    {kBlockHash, "BlockHash", "BlockHash", kBlake2bKeyed},
    {kProofOfWorkHash, "ProofOfWorkHash", "ProofOfWorkHash", kBlake2bKeyed},
    {kMerkleBranchHash, "MerkleBranchHash", "MerkleBranchHash", kBlake2bKeyed},
    {kMuHashElementHash, "MuHashElementHash", "MuHashElement", kBlake2bKeyed},
    {kMuHashFinalizeHash, "MuHashFinalizeHash", "MuHashFinalize", kBlake2bKeyed},
    {kPersonalMessageSigningHash, "PersonalMessageSigningHash", "PersonalMessageSigningHash",
     kBlake2bKeyed},
    {kCovenantID, "CovenantID", "CovenantID", kBlake2bKeyed},
    {kTransactionSigningHashECDSA, "TransactionSigningHashECDSA", "TransactionSigningHashECDSA",
     kSha256Prefixed},
}};

static_assert([] {
  for (std::size_t i = 0; i < kDomains.size(); ++i) {
    if (static_cast<std::size_t>(kDomains[i].domain) != i) return false;
    if (kDomains[i].scheme == kBlake3Keyed && kDomains[i].ascii.size() > kBlake3KeyLen)
      return false;
  }
  return true;
}());

std::array<std::uint8_t, kBlake3KeyLen> blake3_key(std::string_view ascii) {
  std::array<std::uint8_t, kBlake3KeyLen> key{};
  for (std::size_t i = 0; i < ascii.size(); ++i) key[i] = static_cast<std::uint8_t>(ascii[i]);
  return key;
}

core::ByteSpan ascii_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Per-domain key material, computed once: BLAKE3 keys as compression words, SHA-256 prefixes.
struct KeyTable {
  std::array<std::array<std::uint32_t, 8>, 24> blake3_words{};
  std::array<core::Hash32, 24> sha256_prefix{};
};

const KeyTable& key_table() {
  static const KeyTable table = [] {
    KeyTable t;
    for (const auto& d : kDomains) {
      auto i = static_cast<std::size_t>(d.domain);
      if (d.scheme == kBlake3Keyed) {
        auto key = blake3_key(d.ascii);
        for (int w = 0; w < 8; ++w) {
          t.blake3_words[i][w] = std::uint32_t{key[4 * w]} | std::uint32_t{key[4 * w + 1]} << 8 |
                                 std::uint32_t{key[4 * w + 2]} << 16 |
                                 std::uint32_t{key[4 * w + 3]} << 24;
        }
      } else if (d.scheme == kSha256Prefixed) {
        t.sha256_prefix[i] = sha256(ascii_span(d.ascii));
      }
    }
    return t;
  }();
  return table;
}

}  // namespace

std::span<const DomainInfo> all_domains() {
  return kDomains;
}

const DomainInfo& domain_info(Domain d) {
  auto i = static_cast<std::size_t>(d);
  BASALT_ASSERT(i < kDomains.size());
  return kDomains[i];
}

const DomainInfo* find_domain(std::string_view type_name) {
  for (const auto& d : kDomains) {
    if (d.type_name == type_name) return &d;
  }
  return nullptr;
}

core::Bytes domain_key_bytes(Domain d) {
  const DomainInfo& info = domain_info(d);
  switch (info.scheme) {
    case kBlake3Keyed: {
      auto k = blake3_key(info.ascii);
      return core::Bytes(k.begin(), k.end());
    }
    case kBlake2bKeyed: {
      auto s = ascii_span(info.ascii);
      return core::Bytes(s.begin(), s.end());
    }
    case kSha256Prefixed: {
      const auto& p = key_table().sha256_prefix[static_cast<std::size_t>(d)];
      return core::Bytes(p.bytes.begin(), p.bytes.end());
    }
  }
  return {};
}

DomainHasher::DomainHasher(Domain d) : domain_(d) {
  // Built in place: a BLAKE3 state is large enough that moving one in would cost as much as
  // hashing.
  const DomainInfo& info = domain_info(d);
  switch (info.scheme) {
    case kBlake3Keyed:
      return;  // starts in small_
    case kBlake2bKeyed:
      impl_.emplace<Blake2b256>(ascii_span(info.ascii));
      return;
    case kSha256Prefixed:
      impl_.emplace<Sha256>().update(key_table().sha256_prefix[static_cast<std::size_t>(d)].span());
      return;
  }
}

DomainHasher& DomainHasher::update(core::ByteSpan data) {
  if (std::holds_alternative<std::monostate>(impl_)) {
    if (small_len_ + data.size() <= small_.size()) {
      if (!data.empty()) std::memcpy(small_.data() + small_len_, data.data(), data.size());
      small_len_ += data.size();
      return *this;
    }
    Blake3& full = impl_.emplace<Blake3>(blake3_key(domain_info(domain_).ascii));
    full.update({small_.data(), small_len_});
  }
  std::visit(
      [&](auto& h) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) h.update(data);
      },
      impl_);
  return *this;
}

DomainHasher& DomainHasher::update_u16_le(std::uint16_t v) {
  std::uint8_t b[2] = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)};
  return update(b);
}

DomainHasher& DomainHasher::update_u32_le(std::uint32_t v) {
  std::uint8_t b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return update(b);
}

DomainHasher& DomainHasher::update_u64_le(std::uint64_t v) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return update(b);
}

DomainHasher& DomainHasher::update_var_bytes(core::ByteSpan data) {
  update_u64_le(data.size());
  return update(data);
}

core::Hash32 DomainHasher::finalize() const {
  return std::visit(
      [&](const auto& h) {
        if constexpr (std::is_same_v<std::decay_t<decltype(h)>, std::monostate>) {
          return blake3_keyed_single_block(
              key_table().blake3_words[static_cast<std::size_t>(domain_)],
              {small_.data(), small_len_});
        } else {
          return h.finalize();
        }
      },
      impl_);
}

core::Hash32 domain_hash(Domain d, core::ByteSpan data) {
  DomainHasher h(d);
  h.update(data);
  return h.finalize();
}

core::Hash32 domain_hash_pair(Domain d, const core::Hash32& a, const core::Hash32& b) {
  if (domain_info(d).scheme == kBlake3Keyed) {
    std::uint8_t block[64];
    std::memcpy(block, a.data(), 32);
    std::memcpy(block + 32, b.data(), 32);
    return blake3_keyed_single_block(key_table().blake3_words[static_cast<std::size_t>(d)], block);
  }
  DomainHasher h(d);
  h.update(a).update(b);
  return h.finalize();
}

void domain_hash_blocks64(Domain d, std::span<const std::uint8_t* const> blocks,
                          core::Hash32* out) {
  if (domain_info(d).scheme == kBlake3Keyed) {
    blake3_keyed_single_blocks(key_table().blake3_words[static_cast<std::size_t>(d)], blocks, out);
    return;
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) out[i] = domain_hash(d, {blocks[i], 64});
}

void domain_hash_many(Domain d, std::span<const core::ByteSpan> messages, core::Hash32* out) {
  if (domain_info(d).scheme == kBlake3Keyed) {
    blake3_keyed_many(key_table().blake3_words[static_cast<std::size_t>(d)], messages, out);
    return;
  }
  for (std::size_t i = 0; i < messages.size(); ++i) out[i] = domain_hash(d, messages[i]);
}

}  // namespace basalt::crypto
