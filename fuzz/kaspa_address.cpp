// Fuzzes the address parser: no input may crash it; every accepted address prints back to exactly
// the input text and survives the trip through its script public key.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/assert.hpp"
#include "kaspa/address.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = kaspa::Address::parse(text);
  if (!a.ok()) return 0;
  BASALT_ASSERT(a->to_string() == text);
  auto back = kaspa::Address::from_script(a->prefix, a->script());
  BASALT_ASSERT(back.ok() && *back == *a);
  return 0;
}
