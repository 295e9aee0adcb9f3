// ByteWriter: appends little-endian integers and byte strings to a growing buffer. The layout
// helpers (var_bytes, bool) follow Kaspa's hashing conventions (kip21 §0): lengths are le_u64.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"

namespace basalt::core {

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { buf_.reserve(reserve); }

  void u8(std::uint8_t v) { buf_.push_back(v); }
  void u16_le(std::uint16_t v) { put_le(v, 2); }
  void u32_le(std::uint32_t v) { put_le(v, 4); }
  void u64_le(std::uint64_t v) { put_le(v, 8); }
  void boolean(bool v) { buf_.push_back(v ? 1 : 0); }
  void bytes(ByteSpan b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void hash(const Hash32& h) { bytes(h.bytes); }
  void var_bytes(ByteSpan b) {
    u64_le(b.size());
    bytes(b);
  }

  const Bytes& data() const { return buf_; }
  Bytes take() { return std::move(buf_); }

 private:
  void put_le(std::uint64_t v, int n) {
    std::uint8_t le[8];
    for (int i = 0; i < 8; ++i) le[i] = static_cast<std::uint8_t>(v >> (8 * i));
    buf_.insert(buf_.end(), le, le + n);
  }
  Bytes buf_;
};

}  // namespace basalt::core
