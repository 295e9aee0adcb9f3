// Fuzzes the StateTransition journal decoder: no input may crash it; it accepts exactly the
// 320-byte inputs, and re-encodes them to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "zk/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  auto t = zk::decode_state_transition({data, size});
  BASALT_ASSERT(t.ok() == (size == zk::StateTransition::kSize));
  if (!t.ok()) return 0;
  const core::Bytes again = zk::encode_state_transition(*t);
  BASALT_ASSERT(std::equal(again.begin(), again.end(), data));
  return 0;
}
