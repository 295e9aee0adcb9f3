#include "kaspa/types.hpp"

#include "core/byte_writer.hpp"

namespace basalt::kaspa {

core::Result<LaneId> LaneId::from_hex(std::string_view hex) {
  LaneId id;
  if (core::from_hex(hex, id.bytes)) return id;
  if (hex.size() == 2 * kSize || hex.size() % 2 != 0) return core::from_hex(hex).error();
  return core::Error{core::ErrorCode::kOutOfRange, "lane id must be 20 bytes"};
}

LaneId LaneId::from_byte(std::uint8_t b) {
  LaneId id;
  id.bytes[0] = b;
  return id;
}

LaneId LaneId::from_namespace(std::array<std::uint8_t, 4> ns) {
  LaneId id;
  for (std::size_t i = 0; i < 4; ++i) id.bytes[i] = ns[i];
  return id;
}

LaneKind lane_kind(const LaneId& id) {
  for (std::size_t i = 4; i < LaneId::kSize; ++i) {
    if (id.bytes[i] != 0) return LaneKind::kInvalid;
  }
  if (id.bytes[1] != 0 || id.bytes[2] != 0 || id.bytes[3] != 0) return LaneKind::kUser;
  if (id.bytes[0] == 0) return LaneKind::kNative;
  if (id.bytes[0] == 1) return LaneKind::kCoinbase;
  return LaneKind::kReserved;
}

BlueWork BlueWork::from_u64(std::uint64_t v) {
  BlueWork w;
  for (int i = 0; i < 8; ++i) w.be[23 - i] = static_cast<std::uint8_t>(v >> (8 * i));
  return w;
}

core::Result<BlueWork> BlueWork::from_be_hex(std::string_view hex) {
  // kaspad writes blue work without leading zeros, an odd number of digits included.
  auto b = core::from_hex(hex.size() % 2 == 0 ? std::string(hex) : "0" + std::string(hex));
  if (!b) return b.error();
  if (b->size() > 24) return core::Error{core::ErrorCode::kOutOfRange, "blue work over 192 bits"};
  BlueWork w;
  std::size_t off = 24 - b->size();
  for (std::size_t i = 0; i < b->size(); ++i) w.be[off + i] = (*b)[i];
  return w;
}

core::Bytes BlueWork::hashing_encoding() const {
  std::size_t first = 0;
  while (first < be.size() && be[first] == 0) ++first;
  core::ByteWriter w(8 + be.size() - first);
  w.u64_le(be.size() - first);
  w.bytes(core::ByteSpan(be).subspan(first));
  return w.take();
}

}  // namespace basalt::kaspa
