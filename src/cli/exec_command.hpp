// `basalt exec`: node::Driver (the follower and the executor on the embedded simulator) with seeded
// users and nothing else. A restart with the same options resumes from the last committed batch.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

#include "core/result.hpp"
#include "state/store.hpp"

namespace basalt::cli {

struct ExecOptions {
  std::uint64_t sim_seed = 1;
  std::uint64_t blocks = 100;  // stop once the followed chain is this long and executed
  std::string app = "counter";
  std::string guest_dir;
  unsigned threads = 0;  // 0: the core count
  std::string data_dir;
  std::uint32_t tx_per_block = 10;
  std::uint32_t invalid_permille = 50;
  std::uint32_t accounts = 1000;
  std::uint32_t reorg_every = 0;  // simulator steps between reorgs (0: none)
  std::uint32_t reorg_depth = 3;
  std::uint64_t finality_depth = 100;
  std::uint64_t report_every = 0;  // print the root every this many batches (0: never)
  bool sync = true;
};

struct ExecSummary {
  state::BatchId tip;
  core::Hash32 root;
  std::uint64_t resumed_from = 0;  // the committed batch a restart continued after
  std::uint64_t batches = 0;       // executed by this run
  std::uint64_t rollbacks = 0;     // reorgs that undid executed batches
  std::uint64_t rolled_back = 0;   // batches undone
  // Transactions of the batches this run executed that are on the final chain (a batch undone by a
  // reorg no longer counts; a resumed run counts from where it resumed).
  std::uint64_t tx_ok = 0;
  std::uint64_t tx_failed = 0;
  std::map<std::string, std::uint64_t> failed_by_reason;
  double exec_seconds = 0;  // executing and committing, without the simulator
};

core::Result<ExecSummary> run_exec(const ExecOptions& options, std::ostream& log);
void print_exec_summary(const ExecSummary& s, bool json, std::ostream& out);

}  // namespace basalt::cli
