#include "node/driver.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

core::Bytes encode_batch_extra(const BatchRecordExtra& r) {
  core::ByteWriter w(48);
  w.u64_le(r.step);
  w.hash(r.lane_tip.hash());
  w.u64_le(r.lane_blue_score);
  return w.take();
}

l1::sim::SimParams sim_params(const DriverOptions& o) {
  l1::sim::SimParams sp;
  sp.seed = o.sim_seed;
  sp.finality_depth = o.finality_depth;
  sp.reorg_every = o.reorg_every;
  sp.reorg_depth = o.reorg_depth;
  return sp;
}

// Everything that decides the simulated chain and its generated transactions.
core::Bytes identity(const DriverOptions& o, const std::string& app) {
  const nlohmann::json j = {{"seed", o.sim_seed},
                            {"app", app},
                            {"users_tx_per_block", o.users_tx_per_block},
                            {"users_invalid_permille", o.users_invalid_permille},
                            {"users_accounts", o.users_accounts},
                            {"users_exit_permille", o.users_exit_permille},
                            {"reorg_every", o.reorg_every},
                            {"reorg_depth", o.reorg_depth},
                            {"finality_depth", o.finality_depth}};
  const std::string s = j.dump();
  return core::Bytes(s.begin(), s.end());
}

}  // namespace

kaspa::LaneId app_lane() {
  return kaspa::LaneId::from_namespace({'b', 's', 'l', 1});
}

exec::BlockInput block_input(const l1::ChainBlockInfo& info) {
  exec::BlockInput in;
  in.hash = info.hash;
  in.blue_score = info.blue_score;
  in.daa_score = info.daa_score;
  in.prev_timestamp = info.selected_parent_timestamp;
  for (const auto& a : info.accepted) {
    if (a.lane == app_lane()) in.txs.push_back({a.tx_id, a.merge_idx, a.tx});
  }
  return in;
}

core::Result<BatchRecordExtra> decode_batch_extra(core::ByteSpan b) {
  core::ByteReader r(b);
  BatchRecordExtra d;
  BASALT_ASSIGN_OR_RETURN(d.step, r.read_u64_le("driver step"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 tip, r.read_hash32("driver lane tip"));
  d.lane_tip = kaspa::LaneTip(tip);
  BASALT_ASSIGN_OR_RETURN(d.lane_blue_score, r.read_u64_le("driver lane blue score"));
  BASALT_TRY(r.expect_end("driver record"));
  return d;
}

Driver::Driver(const DriverOptions& options, state::StateStore& store, exec::Executor& executor)
    : options_(options),
      store_(store),
      executor_(executor),
      sim_(sim_params(options)),
      follower_(options.finality_depth, {app_lane()}),
      lane_key_(kaspa::lane_key(app_lane())) {}

core::Result<std::unique_ptr<Driver>> Driver::open(const DriverOptions& o, state::StateStore& store,
                                                   exec::Executor& executor) {
  const std::string& app = executor.app().name;
  if (o.users_tx_per_block != 0 && app != "counter" && app != "token") {
    return Error{ErrorCode::kInvalid,
                 "seeded users exist only for the built-in apps (counter, token), not " + app};
  }
  BASALT_TRY(store.bind("sim run", identity(o, app)));
  std::unique_ptr<Driver> d(new Driver(o, store, executor));
  if (o.users_tx_per_block != 0) {
    exec::WorkloadParams wp;
    wp.app = app;
    wp.seed = o.sim_seed;
    wp.tx_per_block = o.users_tx_per_block;
    wp.invalid_permille = o.users_invalid_permille;
    wp.accounts = o.users_accounts;
    wp.exit_permille = o.users_exit_permille;
    wp.lane = app_lane();
    d->users_.emplace(wp);
    d->sim_.set_load([users = &*d->users_](std::uint64_t step) { return users->next_block(step); });
  } else {
    d->sim_.set_load([](std::uint64_t) { return std::vector<kaspa::Transaction>{}; });
  }
  const std::uint64_t tip = store.tip().value;
  if (tip > 0) {
    BASALT_ASSIGN_OR_RETURN(const exec::BatchMeta meta, executor.batch_meta(store.tip()));
    BASALT_ASSIGN_OR_RETURN(const BatchRecordExtra rec, decode_batch_extra(meta.extra));
    d->resume_step_ = rec.step;
  }
  const std::uint64_t floor = std::max<std::uint64_t>(store.rollback_floor().value, 1);
  d->executed_.resize(tip);
  d->executed_.forget_before(floor - 1);
  for (std::uint64_t p = floor; p <= tip; ++p) {
    BASALT_ASSIGN_OR_RETURN(const exec::BatchMeta meta, executor.batch_meta({p}));
    d->executed_[p - 1] = meta.block;
  }
  return d;
}

void Driver::forget_before(std::uint64_t p) {
  const std::uint64_t f = options_.finality_depth;
  p = std::min({p, executor_.rollback_floor().value, chain_.size() > f ? chain_.size() - f : 0});
  if (p <= 1) return;
  chain_.forget_before(p - 1);
  executed_.forget_before(std::min<std::uint64_t>(p - 1, executed_.size()));
}

core::Result<StepReport> Driver::step() {
  StepReport report;
  report.step = ++step_;
  sim_.step();
  BASALT_ASSIGN_OR_RETURN(report.change, sim_.next_chain_changes());
  const l1::ChainChanged& change = report.change;
  BASALT_TRY(follower_.apply({change.removed, {}}));
  chain_.resize(chain_.size() - change.removed.size());
  for (const auto& info : change.added) {
    BASALT_TRY(follower_.apply({{}, {info}}));
    Position pos;
    if (auto lane = follower_.last(lane_key_)) {
      pos.record.lane_tip = lane->tip;
      pos.record.lane_blue_score = lane->last_blue_score;
    }
    pos.info = info;
    chain_.push_back(std::move(pos));
  }
  // Final positions keep only their hash: their transactions are never needed again.
  if (chain_.size() > options_.finality_depth)
    chain_[chain_.size() - options_.finality_depth - 1].info.accepted.clear();
  if (step_ < resume_step_) {
    report.replayed = true;
    return report;
  }
  if (step_ == resume_step_) {
    const std::uint64_t tip = store_.tip().value;
    if (chain_.size() < tip || chain_[tip - 1].info.hash != executed_[tip - 1]) {
      return Error{ErrorCode::kInvalid, "the data directory's batch " + std::to_string(tip) +
                                            " is not on this simulation's chain"};
    }
  }

  // Undo executed batches that the chain no longer contains (a reorg), then execute the rest.
  // Executed batches may still be queued for commit: the executor cancels those.
  const std::uint64_t tip = executor_.executed_tip().value;
  std::uint64_t keep = std::min<std::uint64_t>(tip, chain_.size());
  while (keep > executor_.rollback_floor().value &&
         executed_[keep - 1] != chain_[keep - 1].info.hash) {
    --keep;
  }
  if (keep < tip) {
    BASALT_TRY(executor_.rollback_to({keep}));
    executed_.resize(keep);
    report.rolled_back = tip - keep;
    report.rolled_back_to = keep;
  }
  for (std::uint64_t p = executor_.executed_tip().value + 1; p <= chain_.size(); ++p) {
    Position& pos = chain_[p - 1];
    pos.record.step = step_;
    exec::BlockInput in = block_input(pos.info);
    in.extra = encode_batch_extra(pos.record);
    const auto t0 = std::chrono::steady_clock::now();
    BASALT_ASSIGN_OR_RETURN(exec::BatchResult r, executor_.submit(in));
    report.exec_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    executed_.push_back(r.block);
    report.executed.push_back(std::move(r));
  }
  return report;
}

}  // namespace basalt::node
