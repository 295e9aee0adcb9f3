// ByteReader: bounds-checked little-endian reading of outside bytes. Every read checks what is
// left, returns a Result and names its field, so a decoding error says which field failed. Integers
// are little-endian unless a method name says otherwise.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"

namespace basalt::core {

class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }

  Result<std::uint8_t> read_u8(std::string_view field);
  Result<std::uint16_t> read_u16_le(std::string_view field);
  Result<std::uint32_t> read_u32_le(std::string_view field);
  Result<std::uint64_t> read_u64_le(std::string_view field);
  // A byte that must be 0 or 1 (kNonCanonical otherwise).
  Result<bool> read_bool(std::string_view field);
  Result<Hash32> read_hash32(std::string_view field);
  // A view of the next n bytes, valid as long as the underlying buffer.
  Result<ByteSpan> read_bytes(std::size_t n, std::string_view field);
  // le_u64 length, then that many bytes; the length must not exceed max_len nor what is left.
  Result<ByteSpan> read_var_bytes(std::uint64_t max_len, std::string_view field);
  // le_u64 element count that must not exceed max_count nor remaining() / min_element_size.
  Result<std::uint64_t> read_count(std::uint64_t max_count, std::size_t min_element_size,
                                   std::string_view field);
  // kTrailingBytes unless every byte was consumed.
  Status expect_end(std::string_view what) const;

 private:
  Status need(std::size_t n, std::string_view field) const;

  ByteSpan data_;
  std::size_t pos_ = 0;
};

}  // namespace basalt::core
