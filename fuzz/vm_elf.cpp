// Fuzzes the ELF32 loader and, for every ELF it accepts, a short metered run: no input may crash
// the host, and loading the same bytes twice gives the same image id.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "vm/machine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  core::ByteSpan in(data, size);
  auto p = vm::Program::load(in, 1u << 20);
  if (!p.ok()) return 0;
  auto again = vm::Program::load(in, 1u << 20);
  BASALT_ASSERT(again.ok() && again->image_id() == p->image_id());
  vm::RunLimits limits;
  limits.max_cycles = 10'000;
  limits.memory_limit = 1u << 20;
  auto r = vm::run(*p, {}, limits);
  BASALT_ASSERT(r.cycles <= limits.max_cycles + 1'000'000);
  return 0;
}
