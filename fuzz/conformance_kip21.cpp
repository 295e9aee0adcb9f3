// Fuzzes the KIP-21 conformance runner with arbitrary input as the vector file: it must report,
// never crash, and account for every vector it read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "conformance/conformance.hpp"
#include "core/assert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto report = basalt::conformance::run_kip21_conformance(text);
  BASALT_ASSERT(report.passed + report.failed + report.skipped ==
                static_cast<int>(report.results.size()));
  return 0;
}
