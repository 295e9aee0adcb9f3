// `basalt settle`: execution, proving and settlement of one app on the simulator, from a fresh
// simulation: the covenant is created at the start, bundles of batches are proven (re-execution
// receipts: not succinct, not zero-knowledge) and settled as the chain grows, through the
// simulator's reorgs.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "core/result.hpp"
#include "node/runtime.hpp"
#include "node/settlement.hpp"

namespace basalt::cli {

struct SettleOptions {
  std::uint64_t sim_seed = 1;
  std::uint64_t blocks = 100;  // run until the chain is this long and no settlement is in flight
  std::string app = "counter";
  std::string guest_dir;
  std::uint32_t bundle_size = 4;
  unsigned threads = 2;
  std::uint32_t tx_per_block = 10;
  std::uint32_t reorg_every = 0;
  std::uint32_t reorg_depth = 3;
  std::uint64_t finality_depth = 100;
  bool json = false;  // one JSON object per settlement and a JSON summary
};

struct SettleSummary {
  std::uint64_t chain_length = 0;
  std::uint64_t proven = 0;  // batch the prover is at
  std::uint64_t settled_batch = 0;
  std::uint64_t confirmed = 0;  // settlements confirmed
  std::uint64_t submitted = 0;
  std::uint64_t bumped = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t unaccepted = 0;  // acceptances undone by reorgs
  std::uint64_t rollbacks = 0;
  std::uint64_t latency_blocks_total = 0;  // over confirmed settlements: submission to acceptance
  std::uint64_t latency_blocks_max = 0;
  double prove_seconds = 0;
};

// Everything a settlement run wires together, on a scratch data directory removed with it.
struct SettleRig {
  ~SettleRig();
  std::string dir;
  std::unique_ptr<node::Runtime> runtime;
  node::Driver* driver = nullptr;  // the runtime's
  std::unique_ptr<node::SettlementPipeline> pipeline;
};
core::Result<std::unique_ptr<SettleRig>> make_settle_rig(const SettleOptions& options);

core::Result<SettleSummary> run_settle(const SettleOptions& options, std::ostream& out,
                                       std::ostream& log);
void print_settle_summary(const SettleSummary& s, bool json, std::ostream& out);

}  // namespace basalt::cli
