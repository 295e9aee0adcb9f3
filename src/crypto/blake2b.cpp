#include "crypto/blake2b.hpp"

#include <blake2.h>

#include <cstring>
#include <new>

#include "core/assert.hpp"

namespace basalt::crypto {

static_assert(sizeof(blake2b_state) <= 384, "opaque storage too small for blake2b_state");
static_assert(alignof(blake2b_state) <= 64, "opaque storage under-aligned for blake2b_state");

Blake2b256::Blake2b256(core::ByteSpan key) {
  BASALT_ASSERT(!key.empty() && key.size() <= BLAKE2B_KEYBYTES);
  auto* s = new (state_) blake2b_state;
  int rc = blake2b_init_key(s, 32, key.data(), key.size());
  BASALT_ASSERT(rc == 0);
}

void Blake2b256::update(core::ByteSpan data) {
  auto* s = std::launder(reinterpret_cast<blake2b_state*>(state_));
  blake2b_update(s, data.data(), data.size());
}

core::Hash32 Blake2b256::finalize() const {
  // blake2b_final consumes the state, so finalize a copy.
  blake2b_state copy;
  std::memcpy(&copy, state_, sizeof(copy));
  core::Hash32 out;
  int rc = blake2b_final(&copy, out.data(), 32);
  BASALT_ASSERT(rc == 0);
  return out;
}

core::Hash32 blake2b_256(core::ByteSpan data) {
  core::Hash32 out;
  const int rc = blake2b(out.data(), data.data(), nullptr, 32, data.size(), 0);
  BASALT_ASSERT(rc == 0);
  return out;
}

}  // namespace basalt::crypto
