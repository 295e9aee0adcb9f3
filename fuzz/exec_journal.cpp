// Fuzzes the judgement of a guest run (docs/abi.md): a journal outcome and an output stream from
// the fuzzer, for 0-7 declared resources with fuzzer-chosen access flags. Nothing may crash; an
// accepted run writes only resources declared writable, with data matching the journal's hashes
// and within the size limit.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "exec/abi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size < 3) return 0;
  const std::size_t n = data[0] % 8;
  std::vector<exec::AccessEntry> accesses;
  std::vector<core::ByteSpan> inputs(n);
  for (std::size_t i = 0; i < n; ++i) {
    core::Hash32 id;
    id.bytes[0] = static_cast<std::uint8_t>(i);
    accesses.push_back(
        {exec::ResourceId(id), (data[1] >> i) & 1 ? exec::Access::kWrite : exec::Access::kRead});
  }
  const exec::TxContext ctx;
  const core::Bytes commitment = exec::expected_input_commitment(ctx, accesses, inputs);
  const std::size_t split = std::min<std::size_t>(data[2], size - 3);
  vm::RunResult run;
  run.status = vm::RunResult::Status::kExited;
  run.journal = commitment;
  run.journal.insert(run.journal.end(), data + 3, data + 3 + split);
  run.stdout_bytes.assign(data + 3 + split, data + size);
  const exec::TxOutcome o = exec::judge_run(run, commitment, accesses);
  if (!o.ok) return 0;
  BASALT_ASSERT(o.writes.size() == n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!o.writes[i]) continue;
    BASALT_ASSERT(accesses[i].access == exec::Access::kWrite);
    BASALT_ASSERT(o.writes[i]->size() <= exec::kMaxResourceBytes);
  }
  return 0;
}
