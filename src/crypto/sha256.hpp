// SHA-256 through OpenSSL's SHA-256 implementation (hardware-accelerated where the CPU has it).
// The OpenSSL context lives in opaque storage here so that no OpenSSL type reaches other modules.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.hpp"

namespace basalt::crypto {

class Sha256 {
 public:
  Sha256();
  void update(core::ByteSpan data);
  // Returns the digest without disturbing the running state.
  core::Hash32 finalize() const;

 private:
  static constexpr std::size_t kStateSize = 128;
  alignas(16) unsigned char state_[kStateSize];
};

core::Hash32 sha256(core::ByteSpan data);

// The SHA-256 compression function on one 64-byte block: state is the 8-word chaining value (big-
// endian words as in FIPS 180-4), updated in place. For the VM's SHA-256 accelerator.
void sha256_compress(std::array<std::uint32_t, 8>& state, const std::uint8_t block[64]);

}  // namespace basalt::crypto
