#include "node/node.hpp"

#include "l1/kaspad/source.hpp"

#include <algorithm>
#include <future>

#include "core/files.hpp"
#include "da/archive.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

Error unavailable(const std::string& why) {
  return Error{ErrorCode::kUnavailable, why};
}

}  // namespace

struct Node::Task {
  std::function<void()> fn;
  std::promise<void> done;
};

struct Node::PendingSubmission {
  kaspa::Transaction tx;
  std::promise<core::Result<SubmitOutcome>> outcome;
};

Node::Node(const Config& config, Logger& log) : config_(config), log_(log) {}

Node::~Node() {
  shutdown();
}

template <typename T>
core::Result<T> Node::ask(std::function<core::Result<T>()> fn, std::chrono::milliseconds timeout) {
  auto out = std::make_shared<std::optional<core::Result<T>>>();
  auto task = std::make_shared<Task>();
  task->fn = [fn = std::move(fn), out] { out->emplace(fn()); };
  std::future<void> done = task->done.get_future();
  {
    std::lock_guard lock(task_mutex_);
    if (stopping_) return unavailable("the node is stopping");
    tasks_.push_back(task);
  }
  task_cv_.notify_all();
  if (done.wait_for(timeout) != std::future_status::ready)
    return unavailable("the node did not answer in time");
  if (!out->has_value()) return unavailable("the node is stopping");
  return std::move(**out);
}

void Node::serve_tasks() {
  std::deque<std::shared_ptr<Task>> tasks;
  {
    std::lock_guard lock(task_mutex_);
    tasks.swap(tasks_);
  }
  for (auto& t : tasks) {
    t->fn();
    t->done.set_value();
  }
}

core::Result<SubmitOutcome> Node::submit(const kaspa::Transaction& tx,
                                         std::chrono::milliseconds timeout) {
  auto p = std::make_shared<PendingSubmission>();
  p->tx = tx;
  auto fut = p->outcome.get_future();
  {
    std::lock_guard lock(task_mutex_);
    if (stopping_) return unavailable("the node is stopping");
    submissions_.push_back(p);
  }
  task_cv_.notify_all();
  if (fut.wait_for(timeout) != std::future_status::ready) {
    // Withdrawn unless the driver thread took it meanwhile: a client told "unavailable" can be
    // sure its transaction did not go in.
    std::unique_lock lock(task_mutex_);
    auto it = std::find(submissions_.begin(), submissions_.end(), p);
    if (it != submissions_.end()) {
      submissions_.erase(it);
      return unavailable("the node did not take the transaction in time (catching up?)");
    }
    lock.unlock();
  }
  return fut.get();
}

core::Status Node::take_submissions() {
  std::deque<std::shared_ptr<PendingSubmission>> pending;
  {
    std::lock_guard lock(task_mutex_);
    pending.swap(submissions_);
  }
  if (pending.empty()) return core::Status::Ok();
  const std::uint64_t step = driver_->next_step();
  std::vector<kaspa::TxId> accepted;
  std::vector<SubmitOutcome> outcomes;
  for (auto& p : pending) {
    SubmitOutcome o;
    o.id = kaspa::tx_id(p->tx);
    const core::Status st = driver_->submit(p->tx);
    if (st.ok()) {
      o.accepted = true;
      o.step = step;
      accepted.push_back(o.id);
      in_flight_.insert(o.id);
    } else {
      o.reason = st.error().to_string();
    }
    outcomes.push_back(std::move(o));
  }
  const core::Status logged = index_->put_in_flight(accepted);
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (!logged.ok() && outcomes[i].accepted) {
      pending[i]->outcome.set_value(logged.error());
      continue;
    }
    metrics_.add("basalt_submissions_total", 1,
                 outcomes[i].accepted ? "result=\"accepted\"" : "result=\"rejected\"");
    pending[i]->outcome.set_value(std::move(outcomes[i]));
  }
  if (!logged.ok()) return logged;
  std::lock_guard lock(status_mutex_);
  status_.submissions += accepted.size();
  return core::Status::Ok();
}

core::Status Node::follow_submissions() {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    const std::string why = driver_->source().refusal(*it);
    if (!why.empty()) {
      BASALT_TRY(index_->put_refusal(*it, why));
      metrics_.add("basalt_submissions_refused_by_l1_total", 1);
      it = in_flight_.erase(it);
      continue;
    }
    BASALT_ASSIGN_OR_RETURN(const std::optional<TxRecord> executed, index_->tx(*it));
    if (!executed) {
      ++it;
      continue;
    }
    BASALT_TRY(index_->resolve_in_flight(*it));
    it = in_flight_.erase(it);
  }
  return core::Status::Ok();
}

core::Result<ResourceView> Node::resources(std::vector<state::ResourceId> ids,
                                           std::optional<std::uint64_t> at,
                                           std::chrono::milliseconds timeout) {
  return ask<ResourceView>(
      [this, ids = std::move(ids), at]() -> core::Result<ResourceView> {
        BASALT_TRY(executor_->flush());
        ResourceView v;
        v.ids = ids;
        BASALT_ASSIGN_OR_RETURN(v.values, store_->get_many(ids));
        if (!at || *at == store_->tip().value) {
          v.batch = store_->tip().value;
          v.root = store_->root();
          BASALT_ASSIGN_OR_RETURN(v.proof, store_->smt().prove(ids));
          return v;
        }
        BASALT_ASSIGN_OR_RETURN(const state::StateStore::Snapshot snap,
                                store_->snapshot(state::BatchId{*at}));
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (auto it = snap.changed.find(ids[i]); it != snap.changed.end())
            v.values[i] = it->second;
        }
        v.batch = *at;
        v.root = snap.smt.root();
        BASALT_ASSIGN_OR_RETURN(v.proof, snap.smt.prove(ids));
        return v;
      },
      timeout);
}

core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Node::spendable(
    const kaspa::ScriptPublicKey& spk, std::chrono::milliseconds timeout) {
  using Outputs = std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>;
  return ask<Outputs>(
      [this, spk]() -> core::Result<Outputs> { return driver_->source().spendable(spk); }, timeout);
}

NodeStatus Node::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

core::Result<core::Bytes> Node::activity_record(const exec::BatchResult& r,
                                                const l1::ChainChanged& change) const {
  const auto block = std::find_if(change.added.begin(), change.added.end(),
                                  [&](const l1::ChainBlockInfo& b) { return b.hash == r.block; });
  BASALT_ASSERT(block != change.added.end());
  const kaspa::LaneId lane = app_lane();
  auto proof = l1::lane_proof_at(driver_->source(), *block, kaspa::lane_key(lane));
  if (!proof.ok()) {
    return Error{proof.error().code(), "the lane proof of batch " + std::to_string(r.id.value) +
                                           " for the archive: " + proof.error().context()};
  }
  const da::ActivityRecord rec = da::activity_record(r.id.value, *block, lane, std::move(*proof));
  return da::encode_activity_record(rec);
}

core::Status Node::record_step(const StepReport& report, bool live) {
  if (report.rolled_back != 0) {
    BASALT_TRY(index_->rollback(report.rolled_back_to, report.rolled_back_to + report.rolled_back));
    metrics_.add("basalt_reorgs_total", 1);
    metrics_.add("basalt_rolled_back_batches_total", static_cast<double>(report.rolled_back));
    if (report.rolled_back > metrics_.get("basalt_reorg_depth_max"))
      metrics_.set("basalt_reorg_depth_max", static_cast<double>(report.rolled_back));
    log_.info("reorg: rolled back " + std::to_string(report.rolled_back) + " batch(es) to batch " +
              std::to_string(report.rolled_back_to));
    if (snapshots_) snapshots_->rolled_back_to(report.rolled_back_to);
    std::lock_guard lock(status_mutex_);
    ++status_.reorgs;
  }
  for (const exec::BatchResult& r : report.executed) {
    BatchRow row;
    row.id = r.id.value;
    row.block = r.block;
    row.blue_score = driver_->record(r.id.value).blue_score;
    row.step = report.step;
    row.txs = static_cast<std::uint32_t>(r.txs.size());
    std::vector<TxRecord> txs;
    for (const exec::TxResult& t : r.txs) {
      row.tx_ids.push_back(t.id);
      TxRecord rec;
      rec.id = t.id;
      rec.batch = row.id;
      rec.block = r.block;
      rec.merge_idx = t.merge_idx;
      rec.ok = t.ok;
      rec.reason = t.ok ? std::string() : executor_->reason_label(t);
      rec.detail = t.detail;
      rec.cycles = t.cycles;
      rec.journal = t.journal;
      if (!t.ok) {
        ++row.failed;
        metrics_.add("basalt_tx_failed_total", 1, "reason=\"" + label_value(rec.reason) + "\"");
      }
      metrics_.add("basalt_tx_total", 1, t.ok ? "result=\"ok\"" : "result=\"failed\"");
      txs.push_back(std::move(rec));
    }
    core::Bytes activity;
    if (config_.da_archive) {
      BASALT_ASSIGN_OR_RETURN(activity, activity_record(r, report.change));
    }
    BASALT_TRY(index_->put_batch(row, txs, activity));
    metrics_.add("basalt_batches_total", 1);
  }
  // The step's batches are committed before the next step runs (the API reads committed roots).
  const auto now = std::chrono::steady_clock::now();
  for (const exec::BatchResult& r : report.executed) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, executor_->wait_committed(r.id));
    BASALT_TRY(index_->set_root(r.id.value, root));
    if (snapshots_)
      snapshots_->committed(r.id.value, root, driver_->record(r.id.value).lane_tip, r.block);
    if (live && history_) history_->executed(r.id.value, now);
  }

  std::lock_guard lock(status_mutex_);
  for (const exec::BatchResult& r : report.executed) {
    for (const exec::TxResult& t : r.txs) ++(t.ok ? status_.tx_ok : status_.tx_failed);
  }
  status_.l1_step = report.step;
  status_.l1_chain_length = driver_->chain_length();
  if (driver_->chain_length() > 0) {
    status_.l1_tip = driver_->block(driver_->chain_length()).hash;
    status_.l1_tip_blue_score = driver_->block(driver_->chain_length()).blue_score;
  }
  // A source that cannot be asked now keeps the last figure.
  if (auto mempool = driver_->source().mempool_size(); mempool.ok()) status_.mempool = *mempool;
  status_.catching_up = report.behind;
  status_.executed = executor_->executed_tip().value;
  status_.committed = store_->tip().value;
  status_.committed_root = store_->root();
  return core::Status::Ok();
}

void Node::update_gauges() {
  const NodeStatus s = [&] {
    std::lock_guard lock(status_mutex_);
    if (pipeline_) {
      status_.proven = pipeline_->proven_batch();
      status_.proof_queue = pipeline_->queued();
    }
    return status_;
  }();
  const double chain = static_cast<double>(s.l1_chain_length);
  const auto stage = [&](const char* name, std::uint64_t batch) {
    const std::string label = std::string("stage=\"") + name + "\"";
    metrics_.set("basalt_batch", static_cast<double>(batch), label);
    metrics_.set("basalt_stage_lag_batches", chain - static_cast<double>(batch), label);
  };
  stage("executed", s.executed);
  stage("committed", s.committed);
  if (pipeline_) {
    stage("proven", s.proven);
    stage("settled", s.settled);
    stage("settled_confirmed", s.settled_confirmed);
  }
  metrics_.set("basalt_proof_queue_depth", static_cast<double>(s.proof_queue));
  metrics_.set("basalt_l1_blue_score", static_cast<double>(s.l1_tip_blue_score));
  metrics_.set("basalt_l1_mempool_transactions", static_cast<double>(s.mempool));
}

void Node::log_catch_up() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_progress_) return;
  next_progress_ = now + std::chrono::seconds(5);
  const std::uint64_t at = driver_->block(driver_->chain_length()).blue_score;
  auto sink = driver_->source().sink_blue_score();
  if (!sink.ok() || *sink == 0) return;
  const std::uint64_t lag = *sink > at ? *sink - at : 0;
  metrics_.set("basalt_l1_lag_blue_score", static_cast<double>(lag));
  const double share = std::min(1.0, static_cast<double>(at) / static_cast<double>(*sink));
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(share * kWidth);
  const std::string line =
      "catching up [" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
      std::to_string(static_cast<int>(share * 100)) + "%: blue score " + std::to_string(at) +
      " of " + std::to_string(*sink) + ", chain block " + std::to_string(driver_->chain_length());
  // A settlement's anchor must be within F of L1's tip: a node further behind (a prover slower
  // than L1, say) settles nothing until it has caught up, and must say so.
  if (settles() && lag >= config_.finality_depth) {
    log_.warn(line + "; settlement waits: L1's tip is more than F = " +
              std::to_string(config_.finality_depth) +
              " blue score ahead, where no settlement anchor can be");
    return;
  }
  log_.info(line);
}

core::Status Node::run(const std::atomic<bool>& stop) {
  const core::Status st = loop(stop);
  shutdown();
  return st;
}

core::Status Node::loop(const std::atomic<bool>& stop) {
  const auto interval = std::chrono::milliseconds(config_.block_interval_ms);
  auto deadline = std::chrono::steady_clock::now();
  std::uint64_t window_txs = 0;
  auto window_start = std::chrono::steady_clock::now();
  const std::uint64_t stop_after = config_.stop_after_blocks;
  bool behind = false;

  while (!stop.load()) {
    update_gauges();
    const NodeStatus s = status();
    if (config_.stop_after_settlements != 0 &&
        s.settlements_confirmed >= config_.stop_after_settlements) {
      log_.info("stopping: " + std::to_string(s.settlements_confirmed) + " settlements confirmed");
      return core::Status::Ok();
    }
    if (stop_after != 0 && s.executed >= stop_after) {
      // Done stepping: wait for the prover to catch up, still answering the API.
      if (pipeline_) BASALT_TRY(pipeline_->failure());
      if (s.committed == s.executed && (!pipeline_ || s.proven == s.executed)) {
        log_.info("stopping: " + std::to_string(stop_after) + " chain blocks executed" +
                  (config_.prover_enabled ? ", committed and proven" : " and committed"));
        return core::Status::Ok();
      }
      std::unique_lock lock(task_mutex_);
      task_cv_.wait_for(lock, std::chrono::milliseconds(20));
      lock.unlock();
      serve_tasks();
      continue;
    }

    if (!behind) {  // paced, and the API's submissions go in
      // Wait for the step's time, answering the API meanwhile.
      deadline += interval;
      const auto now = std::chrono::steady_clock::now();
      if (now > deadline + 10 * interval) deadline = now;  // no burst after a stall
      l1::kaspad::Source* kaspad = runtime_->kaspad();
      while (!stop.load()) {
        serve_tasks();
        BASALT_TRY(take_submissions());
        // kaspad makes blocks on its own: its notification ends the wait early.
        if (kaspad != nullptr && kaspad->wait_for_change(std::chrono::milliseconds(0))) break;
        std::unique_lock lock(task_mutex_);
        if (std::chrono::steady_clock::now() >= deadline) break;
        task_cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                         std::chrono::milliseconds(50)));
      }
      if (stop.load()) break;
    } else {
      serve_tasks();
    }
    auto stepped = driver_->step();
    if (!stepped.ok() && stepped.error().code() == core::ErrorCode::kUnavailable) {
      // L1 could not be followed this time (unreachable, moved on mid-read, or answered what its
      // own proofs contradict): nothing was taken; say so once per kind and ask again later.
      if (stepped.error().context() != l1_trouble_) {
        l1_trouble_ = stepped.error().context();
        log_.warn(l1_trouble_ + "; asking again");
      }
      metrics_.add("basalt_l1_errors_total", 1);
      behind = false;
      continue;
    }
    if (!stepped.ok()) return stepped.error();
    if (!l1_trouble_.empty()) {
      log_.info("L1: following again");
      l1_trouble_.clear();
    }
    StepReport report = std::move(*stepped);
    if (report.behind && !behind) {
      log_.info("catching up with L1 from chain block " +
                std::to_string(driver_->chain_length() - report.change.added.size()));
    }
    if (report.behind) log_catch_up();
    if (behind && !report.behind) metrics_.set("basalt_l1_lag_blue_score", 0);
    behind = report.behind;
    for (const auto& r : report.executed) window_txs += r.txs.size();
    BASALT_TRY(record_step(report, !behind));
    BASALT_TRY(follow_submissions());
    if (snapshots_) {
      // L1 not saying where the covenant is delays a snapshot; the next step asks again.
      const core::Status watched = snapshots_->step(driver_->source(), *store_);
      if (!watched.ok()) log_.debug("snapshots: " + watched.error().to_string());
    }
    if (pipeline_) {
      BASALT_TRY(settle_step(report, !behind));
      report_backlog();
    }
    // A bundle starts at the covenant's next batch: its chain blocks stay until it is settled.
    const std::optional<std::uint64_t> settled =
        pipeline_ ? pipeline_->settled_batch() : std::nullopt;
    driver_->forget_before(settles() ? settled.value_or(0) + 1 : ~std::uint64_t{0});
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - window_start).count();
    if (secs >= 10) {
      metrics_.set("basalt_tx_per_second", static_cast<double>(window_txs) / secs);
      window_txs = 0;
      window_start = now;
      core::release_free_memory();  // a long run's RSS follows what the node holds
    }
    if (!report.executed.empty() && log_.enabled(LogLevel::kDebug)) {
      const auto& last = report.executed.back();
      log_.debug("step " + std::to_string(report.step) + ": batch " +
                 std::to_string(last.id.value) + " block " + last.block.hex().substr(0, 16));
    }
  }
  return core::Status::Ok();
}

void Node::shutdown() {
  std::deque<std::shared_ptr<Task>> tasks;
  std::deque<std::shared_ptr<PendingSubmission>> subs;
  {
    std::lock_guard lock(task_mutex_);
    stopping_ = true;
    tasks.swap(tasks_);
    subs.swap(submissions_);
  }
  for (auto& t : tasks) t->done.set_value();
  for (auto& p : subs) p->outcome.set_value(unavailable("the node is stopping"));
  if (pipeline_) pipeline_->stop();
  if (executor_) {
    const core::Status st = executor_->flush();
    if (!st.ok()) log_.error("flushing commits at shutdown: " + st.error().to_string());
  }
}

}  // namespace basalt::node
