// `basalt bench memory`: a node's resident memory over a long run. A node on the simulator (the
// demo's shape: seeded users, reorgs, prover and settlement on) runs unpaced; its RSS is sampled
// (the median of nine samples) every `every` chain blocks beside the allocator's bytes in use, and
// the growth from the first sample at or after `from` to the last is printed against the bound
// the node must hold (flat within 10 %).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "node/config.hpp"

namespace basalt::cli {

struct BenchMemoryOptions {
  std::uint64_t blocks = 50'000;
  std::uint64_t from = 10'000;  // the growth is measured from here
  std::uint64_t every = 5'000;
  std::uint32_t tx_per_block = 20;
  std::string guest_dir;
};

int bench_memory(const BenchMemoryOptions& options, std::ostream& out);

// This process's resident set size in bytes (0 when /proc cannot tell).
std::uint64_t resident_bytes();

// A node for a benchmark: the counter app in a fresh directory named after `name` and this
// process (removed first), no fsync, its API on any free loopback port.
node::Config bench_node_config(const std::string& name, const std::string& guest_dir);

}  // namespace basalt::cli
