#include <cstdio>
#include <cstdlib>

#include "core/assert.hpp"
#include "core/byte_reader.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"

namespace basalt::core {

namespace detail {
void assert_fail(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "basalt: assertion failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}
}  // namespace detail

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kTrailingBytes:
      return "trailing bytes";
    case ErrorCode::kUnknownTag:
      return "unknown tag";
    case ErrorCode::kNonCanonical:
      return "non-canonical";
    case ErrorCode::kOutOfRange:
      return "out of range";
    case ErrorCode::kInvalid:
      return "invalid";
    case ErrorCode::kVerifyFailed:
      return "verification failed";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kCorrupt:
      return "corrupt";
  }
  return "unknown error";
}

std::string Error::to_string() const {
  return std::string(error_code_name(code_)) + ": " + context_;
}

std::string to_hex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Error{ErrorCode::kInvalid, "hex string of odd length"};
  Bytes out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Error{ErrorCode::kInvalid, "non-hex character"};
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

Hash32 Hash32::from_u64_word(std::uint64_t w) {
  Hash32 h;
  for (int i = 0; i < 8; ++i) h.bytes[24 + i] = static_cast<std::uint8_t>(w >> (8 * i));
  return h;
}

Hash32 Hash32::from_byte(std::uint8_t b) {
  Hash32 h;
  h.bytes[0] = b;
  return h;
}

Hash32 Hash32::filled(std::uint8_t b) {
  Hash32 h;
  h.bytes.fill(b);
  return h;
}

Result<Hash32> Hash32::from_hex(std::string_view hex) {
  auto b = core::from_hex(hex);
  if (!b) return b.error();
  if (b->size() != kSize) return Error{ErrorCode::kOutOfRange, "hash must be 32 bytes"};
  return from_span_unchecked(*b);
}

Hash32 Hash32::from_span_unchecked(ByteSpan s) {
  BASALT_ASSERT(s.size() == kSize);
  Hash32 h;
  for (std::size_t i = 0; i < kSize; ++i) h.bytes[i] = s[i];
  return h;
}

bool Hash32::is_zero() const {
  std::uint8_t acc = 0;
  for (auto b : bytes) acc |= b;
  return acc == 0;
}

Status ByteReader::need(std::size_t n, std::string_view field) const {
  if (remaining() < n) return Error{ErrorCode::kTruncated, std::string(field)};
  return Status::Ok();
}

Result<std::uint8_t> ByteReader::read_u8(std::string_view field) {
  BASALT_TRY(need(1, field));
  return data_[pos_++];
}

Result<std::uint16_t> ByteReader::read_u16_le(std::string_view field) {
  BASALT_TRY(need(2, field));
  std::uint16_t v = static_cast<std::uint16_t>(data_[pos_] | data_[pos_ + 1] << 8);
  pos_ += 2;
  return v;
}

Result<std::uint32_t> ByteReader::read_u32_le(std::string_view field) {
  BASALT_TRY(need(4, field));
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{data_[pos_ + i]} << (8 * i);
  pos_ += 4;
  return v;
}

Result<std::uint64_t> ByteReader::read_u64_le(std::string_view field) {
  BASALT_TRY(need(8, field));
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{data_[pos_ + i]} << (8 * i);
  pos_ += 8;
  return v;
}

Result<bool> ByteReader::read_bool(std::string_view field) {
  auto b = read_u8(field);
  if (!b) return b.error();
  if (*b > 1)
    return Error{ErrorCode::kNonCanonical, std::string(field) + ": boolean must be 0 or 1"};
  return *b == 1;
}

Result<Hash32> ByteReader::read_hash32(std::string_view field) {
  BASALT_TRY(need(32, field));
  Hash32 h = Hash32::from_span_unchecked(data_.subspan(pos_, 32));
  pos_ += 32;
  return h;
}

Result<ByteSpan> ByteReader::read_bytes(std::size_t n, std::string_view field) {
  BASALT_TRY(need(n, field));
  ByteSpan s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

Result<ByteSpan> ByteReader::read_var_bytes(std::uint64_t max_len, std::string_view field) {
  auto len = read_u64_le(field);
  if (!len) return len.error();
  if (*len > max_len)
    return Error{ErrorCode::kOutOfRange, std::string(field) + ": length over limit"};
  if (*len > remaining()) return Error{ErrorCode::kTruncated, std::string(field)};
  return read_bytes(static_cast<std::size_t>(*len), field);
}

Result<std::uint64_t> ByteReader::read_count(std::uint64_t max_count, std::size_t min_element_size,
                                             std::string_view field) {
  auto n = read_u64_le(field);
  if (!n) return n.error();
  if (*n > max_count)
    return Error{ErrorCode::kOutOfRange, std::string(field) + ": count over limit"};
  if (min_element_size > 0 && *n > remaining() / min_element_size) {
    return Error{ErrorCode::kTruncated, std::string(field) + ": count exceeds remaining bytes"};
  }
  return *n;
}

Status ByteReader::expect_end(std::string_view what) const {
  if (remaining() != 0) return Error{ErrorCode::kTrailingBytes, std::string(what)};
  return Status::Ok();
}

}  // namespace basalt::core
