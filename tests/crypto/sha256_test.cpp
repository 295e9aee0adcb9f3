// The SHA-256 compression functions against the whole SHA-256: a message padded and compressed
// block by block from the standard IV must give sha256()'s digest (multi-block messages start later
// blocks from arbitrary states), and sha256_compress_from must serialise one compression
// big-endian.
#include <gtest/gtest.h>

#include <cstring>

#include "crypto/sha256.hpp"
#include "test_util.hpp"

namespace basalt::crypto {
namespace {

constexpr std::array<std::uint32_t, 8> kSha256Iv = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// FIPS 180-4 padding: 0x80, zeros, the bit length as a big-endian u64, to a multiple of 64 bytes.
core::Hash32 hash_by_blocks(core::ByteSpan msg) {
  core::Bytes padded(msg.begin(), msg.end());
  padded.push_back(0x80);
  while (padded.size() % 64 != 56) padded.push_back(0);
  const std::uint64_t bits = std::uint64_t{msg.size()} * 8;
  for (int i = 7; i >= 0; --i) padded.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
  auto state = kSha256Iv;
  for (std::size_t off = 0; off < padded.size(); off += 64)
    sha256_compress(state, padded.data() + off);
  core::Hash32 out;
  for (int i = 0; i < 8; ++i) {
    for (int b = 0; b < 4; ++b)
      out.bytes[4 * i + b] = static_cast<std::uint8_t>(state[i] >> (24 - 8 * b));
  }
  return out;
}

TEST(Sha256, CompressionGivesTheDigest) {
  test::Rng rng(256);
  for (std::size_t len = 0; len < 300; ++len) {
    const core::Bytes msg = rng.bytes(len);
    ASSERT_EQ(hash_by_blocks(msg), sha256(msg)) << "length " << len;
  }
}

TEST(Sha256, CompressFromIsOneCompressionSerialisedBigEndian) {
  test::Rng rng(7);
  for (int i = 0; i < 100; ++i) {
    std::array<std::uint32_t, 8> iv{};
    for (auto& w : iv) w = static_cast<std::uint32_t>(rng.u64());
    const core::Bytes block = rng.bytes(64);
    auto state = iv;
    sha256_compress(state, block.data());
    const core::Hash32 h = sha256_compress_from(iv, block.data());
    for (int w = 0; w < 8; ++w) {
      const std::uint32_t got = std::uint32_t{h.bytes[4 * w]} << 24 |
                                std::uint32_t{h.bytes[4 * w + 1]} << 16 |
                                std::uint32_t{h.bytes[4 * w + 2]} << 8 | h.bytes[4 * w + 3];
      ASSERT_EQ(got, state[w]);
    }
  }
}

}  // namespace
}  // namespace basalt::crypto
