// Fuzzes the lane payload decoder (docs/abi.md): no input may crash it, and every accepted payload
// re-encodes to exactly its bytes (one encoding per access list and app data).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "exec/abi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  const core::ByteSpan in(data, size);
  auto p = exec::decode_payload(in);
  if (!p.ok()) return 0;
  const core::Bytes again = exec::encode_payload(p->accesses, p->app_data);
  BASALT_ASSERT(again.size() == size && std::equal(again.begin(), again.end(), data));
  for (std::size_t i = 1; i < p->accesses.size(); ++i) {
    BASALT_ASSERT(p->accesses[i - 1].id < p->accesses[i].id);
  }
  return 0;
}
