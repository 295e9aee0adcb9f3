// Byte containers, the untyped 32-byte hash, hex, and strong 32-byte value types.
// Hex is plain byte order (no reversal), as in Kaspa's Display/FromStr and the KIP-21 vectors.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace basalt::core {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

std::string to_hex(ByteSpan bytes);
// Writes 2 * bytes.size() characters at `out`.
void to_hex(ByteSpan bytes, char* out);
// Decodes lowercase or uppercase hex of even length. Errors: kInvalid on a non-hex character or odd
// length.
Result<Bytes> from_hex(std::string_view hex);
// Decodes hex of exactly 2 * out.size() characters into `out`, allocating nothing; false (and
// `out` unspecified) for any other length or a non-hex character.
bool from_hex(std::string_view hex, std::span<std::uint8_t> out);

// 32 raw bytes; the untyped hash used inside hashing code. Meaningful values get a Strong32 type.
struct Hash32 {
  std::array<std::uint8_t, 32> bytes{};

  static constexpr std::size_t kSize = 32;
  static Hash32 zero() { return Hash32{}; }
  // Kaspa's Hash::from_u64_word: le_u64(w) in bytes 24..31, zeros before.
  static Hash32 from_u64_word(std::uint64_t w);
  // Byte b followed by 31 zero bytes (the vectors' h(b)).
  static Hash32 from_byte(std::uint8_t b);
  static Hash32 filled(std::uint8_t b);
  // Errors: kInvalid on bad hex, kOutOfRange when not exactly 32 bytes.
  static Result<Hash32> from_hex(std::string_view hex);
  static Hash32 from_span_unchecked(ByteSpan s);  // Requires: s.size() == 32.

  bool is_zero() const;
  std::string hex() const { return to_hex(bytes); }
  ByteSpan span() const { return bytes; }
  const std::uint8_t* data() const { return bytes.data(); }
  std::uint8_t* data() { return bytes.data(); }

  auto operator<=>(const Hash32&) const = default;
};

// A 32-byte value with a meaning (TxId, LaneKey, SeqCommit, ...). Tag makes each a distinct type,
// so a TxId cannot be passed where a LaneKey is expected; conversion is explicit both ways.
template <typename Tag>
struct Strong32 {
  Hash32 h;

  Strong32() = default;
  explicit Strong32(const Hash32& v) : h(v) {}
  static Result<Strong32> from_hex(std::string_view hex) {
    auto r = Hash32::from_hex(hex);
    if (!r) return r.error();
    return Strong32(*r);
  }
  const Hash32& hash() const { return h; }
  std::string hex() const { return h.hex(); }
  ByteSpan span() const { return h.span(); }
  bool is_zero() const { return h.is_zero(); }
  auto operator<=>(const Strong32&) const = default;
};

}  // namespace basalt::core
