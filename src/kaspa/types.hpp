// Named Kaspa values. Each 32-byte meaning is its own type (kip21 §0: a Hash is 32 raw bytes, hex
// in plain byte order), so a TxId cannot be passed as a LaneKey.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace basalt::kaspa {

using core::Hash32;

using TxId = core::Strong32<struct TxIdTag>;
using TxHash = core::Strong32<struct TxHashTag>;
using BlockHash = core::Strong32<struct BlockHashTag>;
using LaneKey = core::Strong32<struct LaneKeyTag>;
using LaneTip = core::Strong32<struct LaneTipTag>;
using SeqCommit = core::Strong32<struct SeqCommitTag>;
using CovenantId = core::Strong32<struct CovenantIdTag>;

// A lane is identified by its 20-byte subnetwork id.
struct LaneId {
  std::array<std::uint8_t, 20> bytes{};

  static constexpr std::size_t kSize = 20;
  // Errors: kInvalid on bad hex, kOutOfRange unless exactly 20 bytes.
  static core::Result<LaneId> from_hex(std::string_view hex);
  // [b, 0 x 19], Kaspa's SubnetworkId::from_byte.
  static LaneId from_byte(std::uint8_t b);
  // [ns0, ns1, ns2, ns3, 0 x 16], Kaspa's SubnetworkId::from_namespace.
  static LaneId from_namespace(std::array<std::uint8_t, 4> ns);
  std::string hex() const { return core::to_hex(bytes); }
  core::ByteSpan span() const { return bytes; }
  auto operator<=>(const LaneId&) const = default;
};

inline const LaneId kNativeLaneId = LaneId::from_byte(0);
inline const LaneId kCoinbaseLaneId = LaneId::from_byte(1);

// Subnetwork shapes of kip21 §7.3.
enum class LaneKind : std::uint8_t {
  kNative,    // [0 x 20]
  kCoinbase,  // [1, 0 x 19]
  kUser,      // [ns0, ns1, ns2, ns3, 0 x 16] with (ns1, ns2, ns3) != 0; v1 transactions only
  kReserved,  // [x, 0 x 19] with x >= 2: rejected by consensus
  kInvalid,   // any other shape: rejected by consensus (SubnetworksDisabled)
};
LaneKind lane_kind(const LaneId& id);

// Blue work: an unsigned 192-bit integer, stored as 24 big-endian bytes (kip21 §0).
struct BlueWork {
  std::array<std::uint8_t, 24> be{};

  static BlueWork from_u64(std::uint64_t v);
  // Big-endian hex of at most 24 bytes, as kaspad writes it (shorter input, an odd number of
  // digits included, is left-padded with zeros).
  static core::Result<BlueWork> from_be_hex(std::string_view hex);
  // Kaspa's write_blue_work: le_u64(k) || the last k bytes, leading zero bytes stripped.
  core::Bytes hashing_encoding() const;
  auto operator<=>(const BlueWork&) const = default;
};

}  // namespace basalt::kaspa
