#include <gtest/gtest.h>

#include <array>
#include <cstdio>

#include "core/bytes.hpp"

namespace basalt::core {
namespace {

TEST(Hex, RoundTripsEveryByte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<std::uint8_t>(i);
  std::string hex = to_hex(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 6), "000102");
  EXPECT_EQ(hex.substr(506), "fdfeff");
  auto back = from_hex(hex);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, all);
}

// Sixteen bytes go through the vector path at a time, the rest byte by byte: every length across
// those seams gives each byte's two digits, at any offset.
TEST(Hex, EveryLengthAndOffsetGivesEachBytesDigits) {
  Bytes data(80);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 37 + 11);
  for (std::size_t at = 0; at < 3; ++at) {
    for (std::size_t n = 0; at + n <= data.size(); ++n) {
      const ByteSpan part(data.data() + at, n);
      std::string want;
      for (std::uint8_t b : part) {
        char two[3];
        std::snprintf(two, sizeof two, "%02x", b);
        want += two;
      }
      ASSERT_EQ(to_hex(part), want) << "length " << n << " at " << at;
      Bytes back(n);
      ASSERT_TRUE(from_hex(want, back));
      ASSERT_EQ(Bytes(part.begin(), part.end()), back);
    }
  }
}

TEST(Hex, IntoAFixedSizeNeedsExactlyItsLengthOfDigits) {
  std::array<std::uint8_t, 2> two{};
  EXPECT_TRUE(from_hex("abCD", two));
  EXPECT_EQ(two, (std::array<std::uint8_t, 2>{0xab, 0xcd}));
  EXPECT_FALSE(from_hex("abc", two));
  EXPECT_FALSE(from_hex("abcdef", two));
  EXPECT_FALSE(from_hex("ab0g", two));
  EXPECT_EQ(Hash32::from_hex(std::string(63, 'a')).error().code(), ErrorCode::kInvalid);
  EXPECT_EQ(Hash32::from_hex(std::string(63, 'a') + "x").error().code(), ErrorCode::kInvalid);
}

TEST(Hex, AcceptsUppercaseAndEmpty) {
  EXPECT_EQ(*from_hex("ABcd"), (Bytes{0xab, 0xcd}));
  EXPECT_TRUE(from_hex("")->empty());
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_EQ(from_hex("abc").error().code(), ErrorCode::kInvalid);
  EXPECT_EQ(from_hex("zz").error().code(), ErrorCode::kInvalid);
  EXPECT_EQ(from_hex("0g").error().code(), ErrorCode::kInvalid);
}

TEST(Hash32, FromU64WordPutsLittleEndianWordInTheLastEightBytes) {
  Hash32 h = Hash32::from_u64_word(0x0102030405060708ull);
  EXPECT_EQ(h.hex(), "0000000000000000000000000000000000000000000000000807060504030201");
}

TEST(Hash32, FromHexNeedsExactly32Bytes) {
  EXPECT_EQ(Hash32::from_hex(std::string(62, 'a')).error().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(Hash32::from_hex(std::string(66, 'a')).error().code(), ErrorCode::kOutOfRange);
  auto h = Hash32::from_hex(std::string(64, 'f'));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, Hash32::filled(0xff));
}

TEST(Hash32, ZeroAndOrdering) {
  EXPECT_TRUE(Hash32::zero().is_zero());
  EXPECT_FALSE(Hash32::from_byte(1).is_zero());
  // Lexicographic over bytes, the order Kaspa sorts hashes by.
  EXPECT_LT(Hash32::from_byte(1), Hash32::from_byte(2));
  EXPECT_LT(Hash32::from_u64_word(0xff), Hash32::from_byte(1));
}

struct TagA;
TEST(Strong32, WrapsWithoutChangingBytes) {
  using A = Strong32<TagA>;
  A a(Hash32::from_byte(7));
  EXPECT_EQ(a.hash(), Hash32::from_byte(7));
  EXPECT_EQ(a.hex(), Hash32::from_byte(7).hex());
  EXPECT_FALSE(A::from_hex("00").ok());
}

}  // namespace
}  // namespace basalt::core
