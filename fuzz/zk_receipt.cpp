// Fuzzes the receipt decoder: no input may crash it, and every accepted receipt re-encodes to
// exactly its bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "zk/receipt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  auto r = zk::decode_receipt({data, size});
  if (!r.ok()) return 0;
  const core::Bytes again = zk::encode_receipt(*r);
  BASALT_ASSERT(again.size() == size && std::equal(again.begin(), again.end(), data));
  return 0;
}
