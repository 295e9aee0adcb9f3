#include "cli/exec_command.hpp"

#include <nlohmann/json.hpp>

#include "node/runtime.hpp"

namespace basalt::cli {

namespace {

using core::Error;
using core::ErrorCode;

}  // namespace

core::Result<ExecSummary> run_exec(const ExecOptions& o, std::ostream& log) {
  if (o.data_dir.empty()) return Error{ErrorCode::kInvalid, "--data-dir is required"};
  node::RuntimeOptions ro;
  ro.data_dir = o.data_dir;
  ro.app = o.app;
  ro.guest_dir = o.guest_dir;
  ro.threads = o.threads;
  ro.sync = o.sync;
  ro.finality_depth = o.finality_depth;
  ro.sim_seed = o.sim_seed;
  ro.reorg_every = o.reorg_every;
  ro.reorg_depth = o.reorg_depth;
  ro.users_tx_per_block = o.tx_per_block;
  ro.users_invalid_permille = o.invalid_permille;
  ro.users_accounts = o.accounts;
  BASALT_ASSIGN_OR_RETURN(std::unique_ptr<node::Runtime> rt, node::Runtime::open(ro));
  node::Driver* driver = &rt->driver();
  exec::Executor& executor = rt->executor();
  state::StateStore* store = &rt->store();

  ExecSummary sum;
  sum.resumed_from = store->tip().value;
  // Per batch this run executed: transactions by outcome ("" for success, else the reason label).
  std::map<std::uint64_t, std::map<std::string, std::uint64_t>> outcomes;
  double exec_seconds = 0;
  // Steps until the chain is long enough, all of it executed, and L1 has nothing more to tell.
  bool behind = false;
  while (behind || driver->chain_length() < o.blocks ||
         executor.executed_tip().value != driver->chain_length()) {
    BASALT_ASSIGN_OR_RETURN(const node::StepReport step, driver->step());
    behind = step.behind;
    if (step.rolled_back != 0) {
      outcomes.erase(outcomes.upper_bound(step.rolled_back_to), outcomes.end());
      ++sum.rollbacks;
      sum.rolled_back += step.rolled_back;
      log << "reorg: rolled back " << step.rolled_back << " batch(es) to batch "
          << step.rolled_back_to << "\n";
    }
    exec_seconds += step.exec_seconds;
    for (const exec::BatchResult& r : step.executed) {
      ++sum.batches;
      auto& counts = outcomes[r.id.value];
      for (const auto& t : r.txs) ++counts[t.ok ? std::string() : executor.reason_label(t)];
      if (o.report_every != 0 && r.id.value % o.report_every == 0) {
        BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, executor.wait_committed(r.id));
        log << "batch " << r.id.value << " block " << r.block.hex().substr(0, 16) << " txs "
            << r.txs.size() << " root " << root.hex() << "\n";
      }
    }
  }
  BASALT_TRY(executor.flush());
  for (const auto& [id, counts] : outcomes) {
    for (const auto& [label, n] : counts) {
      if (label.empty()) {
        sum.tx_ok += n;
      } else {
        sum.tx_failed += n;
        sum.failed_by_reason[label] += n;
      }
    }
  }
  sum.tip = store->tip();
  sum.root = store->root();
  sum.exec_seconds = exec_seconds;
  return sum;
}

void print_exec_summary(const ExecSummary& s, bool json, std::ostream& out) {
  if (json) {
    nlohmann::json j = {{"tip", s.tip.value},
                        {"root", s.root.hex()},
                        {"resumed_from", s.resumed_from},
                        {"batches", s.batches},
                        {"rollbacks", s.rollbacks},
                        {"rolled_back", s.rolled_back},
                        {"tx_ok", s.tx_ok},
                        {"tx_failed", s.tx_failed},
                        {"failed_by_reason", s.failed_by_reason}};
    out << j.dump() << "\n";
    return;
  }
  out << "final batch   " << s.tip.value << "\n";
  out << "final root    " << s.root.hex() << "\n";
  if (s.resumed_from != 0) out << "resumed after " << s.resumed_from << "\n";
  out << "batches run   " << s.batches << " (rollbacks " << s.rollbacks << ", batches undone "
      << s.rolled_back << ")\n";
  out << "tx succeeded  " << s.tx_ok << "\n";
  out << "tx failed     " << s.tx_failed << "\n";
  for (const auto& [reason, n] : s.failed_by_reason) out << "  " << reason << ": " << n << "\n";
}

}  // namespace basalt::cli
