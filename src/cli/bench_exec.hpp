// `basalt bench exec`: transactions per second through execution and commit for the built-in apps
// on a populated state, on each requested thread count, with the speed-up and the bytes on disk
// per account. The simulator and the users' signing run first and are timed apart.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace basalt::cli {

struct BenchExecOptions {
  std::vector<std::string> apps = {"counter", "token"};
  std::uint32_t accounts = 100'000;
  std::uint64_t blocks = 20;
  std::uint32_t tx_per_block = 2000;
  std::vector<unsigned> threads = {1, 2};
  bool no_sync = false;
  std::string guest_dir;
};

int bench_exec(const BenchExecOptions& options, std::ostream& out);

}  // namespace basalt::cli
