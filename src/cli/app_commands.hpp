// `basalt app try`: one operation through an app as a batch would run it — the lane payload from
// flags, the resources' data before it, the guest run and the executor's judgement — without a
// chain or a node. An app developer's test loop; --input-out writes the guest input for
// `basalt vm run`.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace basalt::cli {

struct AppTryOptions {
  std::string app;                    // counter, token, or a path to a guest ELF
  std::string guest_dir;              // where the built-in apps are
  std::vector<std::string> accesses;  // "<64 hex>[:r|:w]"
  std::string data_hex;               // the app data
  std::vector<std::string> state;     // "<64 hex>=<hex>": a resource's data before the operation
  std::string input_out;              // where to write the guest input, if anywhere
  bool json = false;
};
// Prints the outcome: ok with the resources written and the exits, or the failure's reason.
// Returns 0 when the operation succeeds, 1 when it fails, 2 for bad flags or files.
int app_try(const AppTryOptions& o, std::ostream& out, std::ostream& log);

}  // namespace basalt::cli
