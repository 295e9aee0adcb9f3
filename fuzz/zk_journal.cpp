// Fuzzes the journal decoders (the settlement StateTransition and the batch processor's
// BatchTransition): no input may crash them; the settlement journal accepts exactly its size, the
// batch journal only its version with as many valid exits as it announces, and each re-encodes
// what it accepts to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "zk/batch.hpp"
#include "zk/journal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  auto t = zk::decode_state_transition({data, size});
  BASALT_ASSERT(t.ok() == (size == zk::StateTransition::kSize));
  if (t.ok()) {
    const core::Bytes again = zk::encode_state_transition(*t);
    BASALT_ASSERT(std::equal(again.begin(), again.end(), data));
  }
  auto b = zk::decode_batch_transition({data, size});
  if (b.ok()) {
    BASALT_ASSERT(size ==
                      zk::BatchTransition::kHeaderSize + 4 + b->exits.size() * exec::Exit::kSize &&
                  data[0] == 2 && data[1] == 0);
    const core::Bytes again = zk::encode_batch_transition(*b);
    BASALT_ASSERT(std::equal(again.begin(), again.end(), data));
  }
  return 0;
}
