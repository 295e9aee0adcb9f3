// Fuzzes what reaches the node from outside as bytes: the body of a transaction submission (JSON,
// hex, the transaction encoding) and a configuration file (TOML). Either decodes or gives an error
// with a message; never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/assert.hpp"
#include "kaspa/transaction.hpp"
#include "node/api.hpp"
#include "node/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto tx = node::parse_submission(text);
  if (tx.ok()) {
    // What decodes re-encodes to a transaction that decodes to the same value.
    auto again = kaspa::deserialize_transaction(kaspa::serialize_transaction(*tx));
    BASALT_ASSERT(again.ok() && *again == *tx);
  } else {
    BASALT_ASSERT(!tx.error().context().empty());
  }
  auto config = node::parse_config(text);
  BASALT_ASSERT(config.ok() || !config.error().context().empty());
  return 0;
}
