// Fuzzes the embedded L1's journal scanner: no input may crash it; what it takes is a prefix of
// whole records that re-encode to the same bytes, and whatever follows is at most one record's
// header or a torn last record.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "kaspa/transaction.hpp"
#include "l1/sim/embedded.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  auto scan = l1::sim::scan_journal({data, size});
  if (!scan.ok()) return 0;
  BASALT_ASSERT(scan->valid_bytes <= size);
  core::Bytes again;
  for (const auto& e : scan->entries) {
    const core::Bytes body = e.kind == l1::sim::JournalRecord::kBlock
                                 ? core::Bytes()
                                 : kaspa::serialize_transaction(e.tx);
    const core::Bytes rec = l1::sim::encode_journal_record(e.kind, body);
    again.insert(again.end(), rec.begin(), rec.end());
  }
  BASALT_ASSERT(again.size() == scan->valid_bytes);
  BASALT_ASSERT(std::equal(again.begin(), again.end(), data));
  return 0;
}
