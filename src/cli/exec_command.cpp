#include "cli/exec_command.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "exec/executor.hpp"
#include "exec/workload.hpp"
#include "l1/follower.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::cli {

namespace {

using core::Error;
using core::ErrorCode;

// What the driver stores with each batch: the simulator step it was committed in, and the lane
// tip after the block (for the settlement path).
struct DriverRecord {
  std::uint64_t step = 0;
  kaspa::LaneTip lane_tip;
  std::uint64_t lane_blue_score = 0;
};

core::Bytes encode_record(const DriverRecord& r) {
  core::ByteWriter w(48);
  w.u64_le(r.step);
  w.hash(r.lane_tip.hash());
  w.u64_le(r.lane_blue_score);
  return w.take();
}

core::Result<DriverRecord> decode_record(core::ByteSpan b) {
  core::ByteReader r(b);
  DriverRecord d;
  BASALT_ASSIGN_OR_RETURN(d.step, r.read_u64_le("driver step"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 tip, r.read_hash32("driver lane tip"));
  d.lane_tip = kaspa::LaneTip(tip);
  BASALT_ASSIGN_OR_RETURN(d.lane_blue_score, r.read_u64_le("driver lane blue score"));
  BASALT_TRY(r.expect_end("driver record"));
  return d;
}

// Everything that decides the simulated chain and its transactions: a restart must match it.
core::Bytes run_identity(const ExecOptions& o) {
  nlohmann::json j = {{"seed", o.sim_seed},
                      {"app", o.app},
                      {"tx_per_block", o.tx_per_block},
                      {"invalid_permille", o.invalid_permille},
                      {"accounts", o.accounts},
                      {"reorg_every", o.reorg_every},
                      {"reorg_depth", o.reorg_depth},
                      {"finality_depth", o.finality_depth}};
  const std::string s = j.dump();
  return core::Bytes(s.begin(), s.end());
}

// A chain block as the driver keeps it until it is executed and final.
struct Position {
  l1::ChainBlockInfo info;
  DriverRecord record;
};

}  // namespace

kaspa::LaneId exec_lane() {
  return kaspa::LaneId::from_namespace({'b', 's', 'l', 1});
}

exec::BlockInput block_input(const l1::ChainBlockInfo& info) {
  exec::BlockInput in;
  in.hash = info.hash;
  in.blue_score = info.blue_score;
  in.daa_score = info.daa_score;
  in.prev_timestamp = info.selected_parent_timestamp;
  for (const auto& a : info.accepted) {
    if (a.lane == exec_lane()) in.txs.push_back({a.tx_id, a.merge_idx, a.tx});
  }
  return in;
}

core::Result<ExecSummary> run_exec(const ExecOptions& o, std::ostream& log) {
  if (o.data_dir.empty()) return Error{ErrorCode::kInvalid, "--data-dir is required"};
  state::StoreOptions so;
  so.sync = o.sync;
  so.rollback_window = o.finality_depth;
  BASALT_ASSIGN_OR_RETURN(std::unique_ptr<state::StateStore> store,
                          state::StateStore::open(o.data_dir, so));
  BASALT_ASSIGN_OR_RETURN(exec::App app, exec::load_app(o.app, o.guest_dir));
  BASALT_TRY(store->bind("app image id", app.program->image_id().span()));
  BASALT_TRY(store->bind("exec run", run_identity(o)));
  const unsigned threads =
      o.threads != 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  exec::Executor executor(*store, std::move(app), threads);

  l1::sim::SimParams sp;
  sp.seed = o.sim_seed;
  sp.finality_depth = o.finality_depth;
  sp.reorg_every = o.reorg_every;
  sp.reorg_depth = o.reorg_depth;
  l1::sim::Simulator sim(sp);
  exec::WorkloadParams wp;
  wp.app = o.app;
  wp.seed = o.sim_seed;
  wp.tx_per_block = o.tx_per_block;
  wp.invalid_permille = o.invalid_permille;
  wp.accounts = o.accounts;
  wp.lane = exec_lane();
  exec::Workload workload(wp);
  sim.set_load([&workload](std::uint64_t step) { return workload.next_block(step); });
  const kaspa::LaneKey lane_key = kaspa::lane_key(exec_lane());
  l1::Follower follower(o.finality_depth, {exec_lane()});

  ExecSummary sum;
  sum.resumed_from = store->tip().value;
  // The step the last committed batch was made in: until then the simulator is only replayed.
  std::uint64_t resume_step = 0;
  if (store->tip().value > 0) {
    BASALT_ASSIGN_OR_RETURN(const exec::BatchMeta meta, executor.batch_meta(store->tip()));
    BASALT_ASSIGN_OR_RETURN(const DriverRecord rec, decode_record(meta.extra));
    resume_step = rec.step;
  }
  // executed[p - 1]: the block of committed batch p, for the batches a rollback may still undo.
  std::vector<kaspa::BlockHash> executed(store->tip().value);
  for (std::uint64_t p = std::max<std::uint64_t>(store->rollback_floor().value, 1);
       p <= store->tip().value; ++p) {
    BASALT_ASSIGN_OR_RETURN(const exec::BatchMeta meta, executor.batch_meta({p}));
    executed[p - 1] = meta.block;
  }

  std::vector<Position> chain;  // the followed chain; position p is chain[p - 1]
  // Per batch this run executed: transactions by outcome ("" for success, else the reason label).
  std::map<std::uint64_t, std::map<std::string, std::uint64_t>> outcomes;
  double exec_seconds = 0;
  for (std::uint64_t step = 1;; ++step) {
    sim.step();
    BASALT_ASSIGN_OR_RETURN(l1::ChainChanged change, sim.next_chain_changes());
    BASALT_TRY(follower.apply({change.removed, {}}));
    chain.resize(chain.size() - change.removed.size());
    for (auto& info : change.added) {
      BASALT_TRY(follower.apply({{}, {info}}));
      Position pos;
      pos.record.step = step;
      if (auto lane = follower.lane(lane_key)) {
        pos.record.lane_tip = lane->tip;
        pos.record.lane_blue_score = lane->last_blue_score;
      }
      pos.info = std::move(info);
      chain.push_back(std::move(pos));
    }
    // Final positions keep only their hash: their transactions are never needed again.
    if (chain.size() > o.finality_depth)
      chain[chain.size() - o.finality_depth - 1].info.accepted.clear();
    if (step < resume_step) continue;
    if (step == resume_step) {
      const std::uint64_t tip = store->tip().value;
      if (chain.size() < tip || chain[tip - 1].info.hash != executed[tip - 1]) {
        return Error{ErrorCode::kInvalid, "the data directory's batch " + std::to_string(tip) +
                                              " is not on this simulation's chain"};
      }
    }

    // Undo executed batches that the chain no longer contains (a reorg), then execute the rest.
    // Executed batches may still be queued for commit: the executor cancels those.
    const std::uint64_t tip = executor.executed_tip().value;
    std::uint64_t keep = std::min<std::uint64_t>(tip, chain.size());
    while (keep > executor.rollback_floor().value &&
           executed[keep - 1] != chain[keep - 1].info.hash) {
      --keep;
    }
    if (keep < tip) {
      const std::uint64_t undone = tip - keep;
      BASALT_TRY(executor.rollback_to({keep}));
      executed.resize(keep);
      outcomes.erase(outcomes.upper_bound(keep), outcomes.end());
      ++sum.rollbacks;
      sum.rolled_back += undone;
      log << "reorg: rolled back " << undone << " batch(es) to batch " << keep << "\n";
    }
    for (std::uint64_t p = executor.executed_tip().value + 1; p <= chain.size(); ++p) {
      Position& pos = chain[p - 1];
      pos.record.step = step;
      exec::BlockInput in = block_input(pos.info);
      in.extra = encode_record(pos.record);
      const auto t0 = std::chrono::steady_clock::now();
      BASALT_ASSIGN_OR_RETURN(const exec::BatchResult r, executor.submit(in));
      exec_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      executed.push_back(r.block);
      ++sum.batches;
      auto& counts = outcomes[r.id.value];
      for (const auto& t : r.txs) ++counts[t.ok ? std::string() : executor.reason_label(t)];
      if (o.report_every != 0 && r.id.value % o.report_every == 0) {
        BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, executor.wait_committed(r.id));
        log << "batch " << r.id.value << " block " << r.block.hex().substr(0, 16) << " txs "
            << r.txs.size() << " root " << root.hex() << "\n";
      }
    }
    if (chain.size() >= o.blocks && executor.executed_tip().value == chain.size()) break;
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
