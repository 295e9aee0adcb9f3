#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

namespace {

// Every byte's two digits, and every character's value (-1: not a hex digit): a catch-up decodes
// and encodes megabytes of hex.
struct HexTables {
  char digits[256][2];
  std::int8_t value[256];
  constexpr HexTables() : digits(), value() {
    constexpr char kDigits[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      digits[i][0] = kDigits[i >> 4];
      digits[i][1] = kDigits[i & 15];
      value[i] = -1;
    }
    for (int c = '0'; c <= '9'; ++c) value[c] = static_cast<std::int8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) value[c] = static_cast<std::int8_t>(c - 'a' + 10);
    for (int c = 'A'; c <= 'F'; ++c) value[c] = static_cast<std::int8_t>(c - 'A' + 10);
  }
};
constexpr HexTables kHex;

}  // namespace

void to_hex(ByteSpan bytes, char* out) {
  std::size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time: each nibble n becomes '0' + n, plus 39 more ('a' - '0' - 10) when
  // n > 9, and the high and low nibbles are interleaved.
  const __m128i low4 = _mm_set1_epi8(0x0f);
  const __m128i nine = _mm_set1_epi8(9);
  const __m128i zero_char = _mm_set1_epi8('0');
  const __m128i letter_gap = _mm_set1_epi8('a' - '0' - 10);
  const auto digits = [&](__m128i n) {
    const __m128i letters = _mm_and_si128(_mm_cmpgt_epi8(n, nine), letter_gap);
    return _mm_add_epi8(_mm_add_epi8(n, zero_char), letters);
  };
  for (; i + 16 <= bytes.size(); i += 16) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes.data() + i));
    const __m128i hi = digits(_mm_and_si128(_mm_srli_epi16(b, 4), low4));
    const __m128i lo = digits(_mm_and_si128(b, low4));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i), _mm_unpacklo_epi8(hi, lo));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i + 16), _mm_unpackhi_epi8(hi, lo));
  }
#endif
  for (; i < bytes.size(); ++i) std::memcpy(out + 2 * i, kHex.digits[bytes[i]], 2);
}

std::string to_hex(ByteSpan bytes) {
  std::string out(bytes.size() * 2, '0');
  to_hex(bytes, out.data());
  return out;
}

bool from_hex(std::string_view hex, std::span<std::uint8_t> out) {
  if (hex.size() != 2 * out.size()) return false;
  const auto* in = reinterpret_cast<const std::uint8_t*>(hex.data());
  // Any non-digit makes its value negative, and the OR of all of them too.
  int bad = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = kHex.value[in[2 * i]];
    const int lo = kHex.value[in[2 * i + 1]];
    bad |= hi | lo;
    out[i] = static_cast<std::uint8_t>((hi & 15) << 4 | (lo & 15));
  }
  return bad >= 0;
}

Result<Bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Error{ErrorCode::kInvalid, "hex string of odd length"};
  Bytes out(hex.size() / 2);
  if (!from_hex(hex, out)) return Error{ErrorCode::kInvalid, "non-hex character"};
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
  Hash32 h;
  if (core::from_hex(hex, h.bytes)) return h;
  if (hex.size() == 2 * kSize || hex.size() % 2 != 0) return core::from_hex(hex).error();
  return Error{ErrorCode::kOutOfRange, "hash must be 32 bytes"};
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
