// The SIMD back-ends of BLAKE3 against the portable compression function, on random inputs, flags
// and counters (including counters that cross the 32-bit boundary).
#include <gtest/gtest.h>

#include "crypto/blake3.hpp"
#include "crypto/detail/blake3_impl.hpp"
#include "test_util.hpp"

namespace basalt::crypto::detail {
namespace {

std::array<std::uint32_t, 8> random_words(test::Rng& rng) {
  std::array<std::uint32_t, 8> w{};
  for (auto& x : w) x = static_cast<std::uint32_t>(rng.u64());
  return w;
}

TEST(Blake3Simd, Sse41CompressionEqualsPortable) {
  if (!cpu_has_sse41()) GTEST_SKIP() << "CPU without SSE4.1: only the portable back-end runs here";
  test::Rng rng(41);
  for (int i = 0; i < 2000; ++i) {
    auto cv = random_words(rng);
    core::Bytes block = rng.bytes(64);
    auto len = static_cast<std::uint8_t>(rng.below(65));
    std::uint64_t counter = rng.coin() ? rng.u64() : rng.below(4);
    auto flags = static_cast<std::uint8_t>(rng.below(32));
    auto a = cv, b = cv;
    compress_cv_portable(a.data(), block.data(), len, counter, flags);
    compress_cv_sse41(b.data(), block.data(), len, counter, flags);
    ASSERT_EQ(a, b) << "case " << i;
  }
}

TEST(Blake3Simd, Avx2EightWayEqualsPortable) {
  if (!cpu_has_avx2()) GTEST_SKIP() << "CPU without AVX2: only the portable back-end runs here";
  test::Rng rng(42);
  for (int trial = 0; trial < 50; ++trial) {
    std::size_t blocks = 1 + rng.below(16);
    core::Bytes data = rng.bytes(8 * 64 * blocks + 64);
    const std::uint8_t* inputs[8];
    // Inputs at arbitrary (unaligned, even overlapping) addresses.
    for (auto& in : inputs) in = data.data() + rng.below(data.size() - 64 * blocks + 1);
    auto key = random_words(rng);
    std::uint64_t counter = trial % 2 == 0 ? 0xfffffffcull : rng.below(1000);
    auto mode = trial % 3 == 0 ? CounterMode::kSame : CounterMode::kIncrement;
    std::uint8_t flags = trial % 2 == 0 ? 16 : 0;
    std::uint32_t out[8][8];
    hash8_avx2(inputs, blocks, key.data(), counter, mode, flags, 1, 2 | 8, out);
    for (int j = 0; j < 8; ++j) {
      auto cv = key;
      std::uint64_t c =
          counter + (mode == CounterMode::kIncrement ? static_cast<std::uint64_t>(j) : 0);
      for (std::size_t b = 0; b < blocks; ++b) {
        std::uint8_t f = flags | (b == 0 ? 1 : 0) | (b + 1 == blocks ? 2 | 8 : 0);
        compress_cv_portable(cv.data(), inputs[j] + 64 * b, 64, c, f);
      }
      for (int w = 0; w < 8; ++w) ASSERT_EQ(out[j][w], cv[w]) << "trial " << trial << " lane " << j;
    }
  }
}

TEST(Blake3Simd, BatchOfSingleBlocksEqualsOneByOne) {
  test::Rng rng(43);
  auto key = random_words(rng);
  for (std::size_t n : {0, 1, 7, 8, 9, 17, 64}) {
    std::vector<core::Bytes> msgs;
    std::vector<const std::uint8_t*> ptrs;
    for (std::size_t i = 0; i < n; ++i) msgs.push_back(rng.bytes(64));
    for (const auto& m : msgs) ptrs.push_back(m.data());
    std::vector<core::Hash32> out(n);
    blake3_keyed_single_blocks(key, ptrs, out.data());
    for (std::size_t i = 0; i < n; ++i) {
      // The portable reference: compress once with every single-chunk flag.
      auto cv = key;
      compress_cv_portable(cv.data(), msgs[i].data(), 64, 0,
                           kKeyedHash | kChunkStart | kChunkEnd | kRoot);
      core::Hash32 want;
      for (int w = 0; w < 8; ++w) {
        for (int k = 0; k < 4; ++k)
          want.bytes[4 * w + k] = static_cast<std::uint8_t>(cv[w] >> (8 * k));
      }
      ASSERT_EQ(out[i], want) << "n=" << n << " i=" << i;
    }
  }
}

// Messages of every length a batch groups (none, one to sixteen blocks, partial last blocks) and
// beyond a chunk, enough of each length for groups of eight and a remainder, against one-by-one
// keyed hashing.
TEST(Blake3Simd, ManyMessagesEqualOneByOne) {
  test::Rng rng(44);
  auto key_words = random_words(rng);
  std::array<std::uint8_t, kBlake3KeyLen> key;
  for (int w = 0; w < 8; ++w)
    for (int k = 0; k < 4; ++k) key[4 * w + k] = static_cast<std::uint8_t>(key_words[w] >> (8 * k));
  std::vector<core::Bytes> msgs;
  for (std::size_t len : {0, 1, 63, 64, 65, 127, 128, 200, 511, 1000, 1023, 1024, 1025, 3000})
    for (int copies = 0; copies < 11; ++copies) msgs.push_back(rng.bytes(len));
  for (int i = 0; i < 300; ++i) msgs.push_back(rng.bytes(rng.below(1100)));
  std::vector<core::ByteSpan> spans(msgs.begin(), msgs.end());
  std::vector<core::Hash32> out(msgs.size());
  blake3_keyed_many(key_words, spans, out.data());
  for (std::size_t i = 0; i < msgs.size(); ++i)
    ASSERT_EQ(out[i], blake3_keyed_hash(key, msgs[i]))
        << "message " << i << " of " << msgs[i].size() << " bytes";
}

}  // namespace
}  // namespace basalt::crypto::detail
