#include <gtest/gtest.h>

#include <set>
#include <string>

#include "crypto/domain.hpp"
#include "test_util.hpp"

namespace basalt::crypto {
namespace {

core::ByteSpan ascii(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Domains, TwentyFourDistinctHashersInThreeSchemes) {
  auto all = all_domains();
  ASSERT_EQ(all.size(), 24u);
  std::set<std::string_view> names, domains;
  int blake3 = 0, blake2b = 0, sha = 0;
  for (const auto& d : all) {
    names.insert(d.type_name);
    domains.insert(d.ascii);
    EXPECT_EQ(find_domain(d.type_name), &d);
    blake3 += d.scheme == HashScheme::kBlake3Keyed;
    blake2b += d.scheme == HashScheme::kBlake2bKeyed;
    sha += d.scheme == HashScheme::kSha256Prefixed;
  }
  EXPECT_EQ(names.size(), 24u);
  EXPECT_EQ(domains.size(), 24u);
  EXPECT_EQ(blake3, 13);
  EXPECT_EQ(blake2b, 10);
  EXPECT_EQ(sha, 1);
  EXPECT_EQ(find_domain("NoSuchHasher"), nullptr);
  // kip21 §1: the branch hasher's domain says "Commitment", unlike its type name.
  EXPECT_EQ(domain_info(Domain::kSeqCommitMerkleBranch).ascii, "SeqCommitmentMerkleBranchHash");
}

TEST(Domains, SanityValuesOfTheSpec) {
  // kip21 §1 quick sanity values (empty message).
  EXPECT_EQ(domain_hash(Domain::kPayloadDigest, {}).hex(),
            "9c0ca2acb45e92ffe6ceb4ae29188b35c82d9676cdd3ce067fd6ccc30a9c4a38");
  auto lane = domain_hash(Domain::kSeqCommitLaneKey, {}).hex();
  EXPECT_EQ(lane.substr(0, 8), "ffb48ccf");
  EXPECT_EQ(lane.substr(60), "aa24");
  auto tx = domain_hash(Domain::kTransactionHash, {}).hex();
  EXPECT_EQ(tx.substr(0, 8), "50272a9e");
  EXPECT_EQ(tx.substr(58), "3cb3bf");
}

TEST(Domains, KeyMaterialPerScheme) {
  auto b3 = domain_key_bytes(Domain::kSeqCommitLaneKey);
  ASSERT_EQ(b3.size(), 32u);  // padded with zeros
  EXPECT_EQ(std::string(b3.begin(), b3.begin() + 16), "SeqCommitLaneKey");
  EXPECT_EQ(b3[16], 0);
  auto b2 = domain_key_bytes(Domain::kTransactionHash);
  EXPECT_EQ(std::string(b2.begin(), b2.end()), "TransactionHash");  // not padded
  auto pre = domain_key_bytes(Domain::kTransactionSigningHashECDSA);
  EXPECT_EQ(core::to_hex(pre), sha256(ascii("TransactionSigningHashECDSA")).hex());
}

TEST(Domains, Sha256PrefixedIsNotHmac) {
  core::Bytes msg = {1, 2, 3};
  Sha256 manual;
  manual.update(sha256(ascii("TransactionSigningHashECDSA")).span());
  manual.update(msg);
  EXPECT_EQ(domain_hash(Domain::kTransactionSigningHashECDSA, msg), manual.finalize());
}

TEST(Domains, PairAndIncrementalEqualOneShotForEveryDomain) {
  test::Rng rng(5);
  for (const auto& d : all_domains()) {
    core::Hash32 a = rng.hash(), b = rng.hash();
    core::Bytes cat(a.bytes.begin(), a.bytes.end());
    cat.insert(cat.end(), b.bytes.begin(), b.bytes.end());
    EXPECT_EQ(domain_hash_pair(d.domain, a, b), domain_hash(d.domain, cat)) << d.type_name;
    core::Bytes long_msg = rng.bytes(3000);
    DomainHasher h(d.domain);
    h.update(core::ByteSpan(long_msg).first(1000)).update(core::ByteSpan(long_msg).subspan(1000));
    EXPECT_EQ(h.finalize(), domain_hash(d.domain, long_msg)) << d.type_name;
  }
}

// BLAKE3 domains keep messages of up to one block in a small buffer and move to a full state past
// it; every length and every split across that boundary must equal the plain Blake3 class.
TEST(Domains, ShortAndLongMessagesAcrossTheBlockBoundary) {
  test::Rng rng(6);
  core::Bytes msg = rng.bytes(200);
  for (Domain d : {Domain::kSeqCommitActiveNode, Domain::kPayloadDigest}) {
    core::Bytes key = domain_key_bytes(d);
    std::array<std::uint8_t, 32> k{};
    std::copy(key.begin(), key.end(), k.begin());
    for (std::size_t n = 0; n <= msg.size(); ++n) {
      Blake3 ref(k);
      ref.update(core::ByteSpan(msg).first(n));
      const core::Hash32 want = ref.finalize();
      for (std::size_t piece : {1, 7, 32, 63, 64, 65}) {
        DomainHasher h(d);
        for (std::size_t pos = 0; pos < n; pos += piece)
          h.update(core::ByteSpan(msg).subspan(pos, std::min(piece, n - pos)));
        ASSERT_EQ(h.finalize(), want) << "n=" << n << " piece=" << piece;
      }
    }
  }
}

TEST(Domains, IntegerHelpersAreLittleEndian) {
  DomainHasher a(Domain::kBlockHash);
  a.update_u16_le(0x0102).update_u32_le(0x03040506).update_u64_le(0x0708090a0b0c0d0eull);
  a.update_var_bytes(core::Bytes{0xaa});
  core::Bytes raw = {0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09,
                     0x08, 0x07, 1,    0,    0,    0,    0,    0,    0,    0,    0xaa};
  EXPECT_EQ(a.finalize(), domain_hash(Domain::kBlockHash, raw));
}

}  // namespace
}  // namespace basalt::crypto
