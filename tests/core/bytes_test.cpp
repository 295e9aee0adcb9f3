#include <gtest/gtest.h>

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
