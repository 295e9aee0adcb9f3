// Fuzzes the lane-activity archive's record decoder, which reads what a mirror sends: no bytes may
// crash it, what it accepts is canonical (encodes back to the same bytes), and the range checker
// takes any record it accepts without crashing.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "da/archive.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  auto r = da::decode_activity_record(core::ByteSpan(data, size));
  if (!r.ok()) return 0;
  BASALT_ASSERT(da::encode_activity_record(*r) == core::Bytes(data, data + size));
  const kaspa::LaneId lane = r->block.accepted.empty() ? kaspa::LaneId::from_namespace({0, 0, 1, 0})
                                                       : r->block.accepted.front().lane;
  (void)da::check_activity(lane, 6, std::span(&*r, 1));
  return 0;
}
