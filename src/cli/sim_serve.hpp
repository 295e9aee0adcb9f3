// `basalt sim serve`: the simulator as a devnet L1 that answers kaspad's gRPC protocol
// (l1/sim/serve.hpp), producing a block per interval until SIGINT or SIGTERM. With the node's
// [sim] settings (seed, F, reorgs, app and seeded users) it serves the chain `basalt node` would
// embed; nodes follow it with `[l1] source = "kaspad"`.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "kaspa/network.hpp"

namespace basalt::cli {

struct SimServeOptions {
  std::string listen;  // empty: 127.0.0.1 and kaspad's gRPC port of the network
  kaspa::Network network = kaspa::Network::kDevnet;
  std::string data_dir = "basalt-sim-data";  // the journal: a restart serves the same chain
  std::string app = "counter";
  std::string guest_dir;
  std::uint64_t seed = 1;
  std::uint64_t finality_depth = 100;
  std::uint32_t reorg_every = 0;
  std::uint32_t reorg_depth = 3;
  std::uint32_t users_tx_per_block = 0;
  std::uint64_t block_interval_ms = 100;
  std::uint64_t blocks = 0;    // stop producing after this many (0: never); serving goes on
  std::string faucet_key_out;  // write the faucet's secret key (hex) here
  bool sync = true;
};

// Exit codes: 0 stopped by a signal, 1 a failure while serving, 2 bad options or a port in use.
int run_sim_serve(const SimServeOptions& options, std::ostream& log);

}  // namespace basalt::cli
