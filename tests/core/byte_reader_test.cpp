#include <gtest/gtest.h>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace basalt::core {
namespace {

TEST(ByteWriterReader, IntegersRoundTripAtBoundaries) {
  ByteWriter w;
  w.u8(0xff);
  w.u16_le(0xfffe);
  w.u32_le(0x80000001u);
  w.u64_le(0xffffffffffffffffull);
  w.u64_le(0);
  w.boolean(true);
  ByteReader r(w.data());
  EXPECT_EQ(*r.read_u8("a"), 0xff);
  EXPECT_EQ(*r.read_u16_le("b"), 0xfffe);
  EXPECT_EQ(*r.read_u32_le("c"), 0x80000001u);
  EXPECT_EQ(*r.read_u64_le("d"), 0xffffffffffffffffull);
  EXPECT_EQ(*r.read_u64_le("e"), 0u);
  EXPECT_TRUE(*r.read_bool("f"));
  EXPECT_TRUE(r.expect_end("all").ok());
}

TEST(ByteWriter, LittleEndianLayout) {
  ByteWriter w;
  w.u32_le(0x01020304);
  EXPECT_EQ(to_hex(w.data()), "04030201");
}

TEST(ByteReader, TruncationNamesTheField) {
  Bytes b{1, 2, 3};
  ByteReader r(b);
  auto v = r.read_u32_le("header.count");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), ErrorCode::kTruncated);
  EXPECT_EQ(v.error().context(), "header.count");
  // A failed read consumes nothing.
  EXPECT_EQ(r.remaining(), 3u);
}

TEST(ByteReader, BooleanMustBeZeroOrOne) {
  Bytes b{2};
  ByteReader r(b);
  EXPECT_EQ(r.read_bool("flag").error().code(), ErrorCode::kNonCanonical);
}

TEST(ByteReader, VarBytesChecksLimitAndRemaining) {
  ByteWriter w;
  w.var_bytes(Bytes{1, 2, 3});
  {
    ByteReader r(w.data());
    auto s = r.read_var_bytes(3, "x");
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->size(), 3u);
  }
  {
    ByteReader r(w.data());
    EXPECT_EQ(r.read_var_bytes(2, "x").error().code(), ErrorCode::kOutOfRange);
  }
  ByteWriter lying;
  lying.u64_le(1000);
  lying.u8(0);
  ByteReader r(lying.data());
  EXPECT_EQ(r.read_var_bytes(1u << 20, "x").error().code(), ErrorCode::kTruncated);
}

TEST(ByteReader, CountIsBoundedByRemainingBytes) {
  ByteWriter w;
  w.u64_le(5);
  w.bytes(Bytes(9, 0));
  ByteReader r(w.data());
  // Five elements of at least two bytes cannot fit in nine bytes.
  EXPECT_EQ(r.read_count(100, 2, "n").error().code(), ErrorCode::kTruncated);
  ByteReader r2(w.data());
  EXPECT_EQ(r2.read_count(4, 1, "n").error().code(), ErrorCode::kOutOfRange);
  ByteReader r3(w.data());
  EXPECT_EQ(*r3.read_count(5, 1, "n"), 5u);
}

TEST(ByteReader, ExpectEndReportsTrailingBytes) {
  Bytes b{0};
  ByteReader r(b);
  EXPECT_EQ(r.expect_end("record").error().code(), ErrorCode::kTrailingBytes);
}

}  // namespace
}  // namespace basalt::core
