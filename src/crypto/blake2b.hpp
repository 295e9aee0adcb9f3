// Keyed BLAKE2b with a 32-byte digest, through libb2. The libb2 state lives in opaque storage here
// so that no libb2 type reaches other modules.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"

namespace basalt::crypto {

class Blake2b256 {
 public:
  // Keyed mode; key.size() must be 1..64 (asserted: keys are compile-time domain strings).
  explicit Blake2b256(core::ByteSpan key);

  void update(core::ByteSpan data);
  // Returns the digest without disturbing the running state.
  core::Hash32 finalize() const;

 private:
  static constexpr std::size_t kStateSize = 384;
  alignas(64) unsigned char state_[kStateSize];
};

// Unkeyed BLAKE2b-256 (Kaspa's OpBlake2b and P2SH script hashes).
core::Hash32 blake2b_256(core::ByteSpan data);

}  // namespace basalt::crypto
