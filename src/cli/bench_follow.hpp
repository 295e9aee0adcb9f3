// `basalt bench follow`: following L1 in process against over kaspad's gRPC, same run. The
// simulator makes a chain of `blocks` chain blocks whose one followed lane carries `tx_per_block`
// transactions each; then a follower takes all of it from genesis, once straight from the
// simulator (the embedded source) and once from the same simulator served on loopback through
// `l1::kaspad::Source` (V2 chunks at FULL verbosity, one lane proof per block, every SeqCommit
// checked). Prints chain blocks/s and lane transactions/s for both and their ratio.
#pragma once

#include <cstdint>
#include <ostream>

namespace basalt::cli {

struct BenchFollowOptions {
  std::uint64_t blocks = 10'000;
  std::uint32_t tx_per_block = 100;
  std::size_t max_per_step = 64;  // chain blocks a step takes, as the node's driver
};

// Exit codes: 0, or 1 when a follow fails (its error printed).
int bench_follow(const BenchFollowOptions& options, std::ostream& out);

}  // namespace basalt::cli
