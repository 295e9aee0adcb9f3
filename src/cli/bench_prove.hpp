// `basalt bench prove`: the proving pipeline's figures on the simulator, with re-execution
// receipts (not succinct, not zero-knowledge): receipts per second per stage (transaction, batch,
// aggregate), what verifying one receipt of each stage costs (a re-execution receipt is verified
// by re-running it and everything it rests on), and settlement latency in chain blocks.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

namespace basalt::cli {

struct BenchProveOptions {
  std::string app = "counter";
  std::uint64_t blocks = 60;
  std::uint32_t tx_per_block = 50;
  std::uint32_t bundle_size = 4;
  unsigned threads = 2;
  std::string guest_dir;
};

int bench_prove(const BenchProveOptions& options, std::ostream& out);

}  // namespace basalt::cli
