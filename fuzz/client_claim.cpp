// Fuzzes the planning of an exit claim from a node's answer (client::plan_from_exits): arbitrary
// bytes, parsed as JSON when they are, never crash it or throw, and a plan it accepts names an
// unclaimed exit of the tree it rebuilt.
#include <cstddef>
#include <cstdint>

#include "client/claim.hpp"
#include "core/assert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto body = nlohmann::json::parse(data, data + size, nullptr, false);
  if (body.is_discarded()) return 0;
  using basalt::client::ExitChoice;
  for (const ExitChoice& choice : {ExitChoice{0, "", std::nullopt}, ExitChoice{1, "", std::nullopt},
                                   ExitChoice{std::nullopt, "kaspasim:qq", std::nullopt}}) {
    auto plan = basalt::client::plan_from_exits(body, 1, choice);
    if (plan.ok()) {
      BASALT_ASSERT(plan->exit < plan->tree.exits().size() && !plan->tree.claimed(plan->exit));
    }
  }
  return 0;
}
