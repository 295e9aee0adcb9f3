// Fuzzes the `basalt dag scope|cut` query file: a malformed file, unknown vertex names, bad costs,
// out-of-range transaction indices or a cut that does not exist must give an exit status (2 or 1)
// and a message, never a crash, for scope, the minimum cut, a weighted cut and the frontier.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "cli/dag_commands.hpp"
#include "core/assert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  const std::string json(reinterpret_cast<const char*>(data), size);
  std::ostringstream out;
  const int scope = cli::dag_scope_json(json, out);
  BASALT_ASSERT(scope == 0 || scope == 2);
  cli::DagCutOptions o;
  for (int mode = 0; mode < 3; ++mode) {
    o.mu = mode == 1 ? std::optional<dag::Ratio>(dag::Ratio{1, 3}) : std::nullopt;
    o.frontier = mode == 2;
    const int cut = cli::dag_cut_json(json, o, out);
    BASALT_ASSERT(cut >= 0 && cut <= 2);
  }
  return 0;
}
