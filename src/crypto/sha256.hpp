// SHA-256 through OpenSSL's SHA-256 implementation (hardware-accelerated where the CPU has it).
// The OpenSSL context lives in opaque storage here so that no OpenSSL type reaches other modules.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

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

// One compression of `block` from the chaining value `iv`, serialised big-endian: a fixed-input-
// length hash of 64 bytes whose domain is the IV (no padding block). For Merkle nodes that hash
// exactly 64 bytes, at half the cost of SHA-256 over them.
core::Hash32 sha256_compress_from(const std::array<std::uint32_t, 8>& iv,
                                  const std::uint8_t block[64]);

// The IV for a domain name: the first 8 big-endian words of SHA-256(name).
std::array<std::uint32_t, 8> sha256_domain_iv(std::string_view name);

}  // namespace basalt::crypto
