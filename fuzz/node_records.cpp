// Fuzzes the decoders of the node index's records: no input may crash them, and each re-encodes
// what it accepts to the same bytes.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "node/driver.hpp"
#include "node/records.hpp"

namespace {

template <typename Decode, typename Encode>
void round_trip(const std::uint8_t* data, std::size_t size, Decode decode, Encode encode) {
  auto r = decode(basalt::core::ByteSpan(data, size));
  if (!r.ok()) return;
  const basalt::core::Bytes again = encode(*r);
  BASALT_ASSERT(again.size() == size && std::equal(again.begin(), again.end(), data));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt::node;
  round_trip(data, size, decode_tx_record, encode_tx_record);
  round_trip(data, size, decode_batch_row, encode_batch_row);
  round_trip(data, size, decode_settlement_record, encode_settlement_record);
  round_trip(data, size, decode_covenant_origin, encode_covenant_origin);
  round_trip(data, size, decode_exit_event, encode_exit_event);
  round_trip(data, size, decode_batch_extra, encode_batch_extra);
  return 0;
}
