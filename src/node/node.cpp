#include "node/node.hpp"

#include <algorithm>
#include <future>

#include "zk/receipt.hpp"

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

core::Result<std::unique_ptr<Node>> Node::open(const Config& c, Logger& log) {
  std::unique_ptr<Node> n(new Node(c, log));
  n->describe_metrics();
  state::StoreOptions so;
  so.sync = c.sync;
  so.rollback_window = c.finality_depth;
  BASALT_ASSIGN_OR_RETURN(n->store_, state::StateStore::open(c.data_dir + "/state", so));
  BASALT_ASSIGN_OR_RETURN(n->index_, NodeIndex::open(c.data_dir + "/index"));
  BASALT_ASSIGN_OR_RETURN(exec::App app, exec::load_app(c.app, c.guest_dir));
  n->program_ = app.program;
  n->limits_ = app.limits;
  n->image_id_ = app.program->image_id();
  BASALT_TRY(n->store_->bind("app image id", n->image_id_.span()));

  // Batches committed but not proven before a restart are executed again, so that the prover gets
  // their inputs (they are not stored).
  const std::uint64_t tip = n->store_->tip().value;
  BASALT_ASSIGN_OR_RETURN(std::uint64_t proven, n->index_->proven());
  proven = std::min(proven, tip);
  if (c.prover_enabled && proven < tip) {
    const std::uint64_t target = std::max(proven, n->store_->rollback_floor().value);
    if (target > proven) {
      log.error("batches " + std::to_string(proven + 1) + ".." + std::to_string(target) +
                " were committed but not proven and lie below the rollback window; they stay "
                "without transaction receipts");
      n->metrics_.set("basalt_unproven_batches", static_cast<double>(target - proven));
      BASALT_TRY(n->index_->set_proven(target));
    }
    log.info("re-executing batches " + std::to_string(target + 1) + ".." + std::to_string(tip) +
             " for the prover");
    BASALT_TRY(n->store_->rollback_to({target}));
    BASALT_TRY(n->index_->rollback(target, tip));
    proven = target;
  }
  n->proven_ = proven;

  n->executor_ = std::make_unique<exec::Executor>(*n->store_, std::move(app), c.threads);
  n->executor_->keep_inputs(c.prover_enabled);
  DriverOptions d;
  d.sim_seed = c.sim_seed;
  d.finality_depth = c.finality_depth;
  d.reorg_every = c.reorg_every;
  d.reorg_depth = c.reorg_depth;
  d.users_tx_per_block = c.users_tx_per_block;
  d.users_invalid_permille = c.users_invalid_permille;
  d.users_accounts = c.users_accounts;
  BASALT_ASSIGN_OR_RETURN(n->driver_, Driver::open(d, *n->store_, *n->executor_));

  n->status_.executed = n->status_.committed = n->store_->tip().value;
  n->status_.committed_root = n->store_->root();
  n->status_.proven = c.prover_enabled ? proven : 0;
  return n;
}

void Node::describe_metrics() {
  metrics_.describe("basalt_tx_total", "counter",
                    "Lane transactions executed, by result (re-executions after a reorg count "
                    "again).");
  metrics_.describe("basalt_tx_failed_total", "counter", "Failed lane transactions, by reason.");
  metrics_.describe("basalt_tx_per_second", "gauge",
                    "Lane transactions executed per second over the last 10 seconds.");
  metrics_.describe("basalt_batches_total", "counter", "Batches executed.");
  metrics_.describe("basalt_batch", "gauge", "The last batch of each stage.");
  metrics_.describe("basalt_stage_lag_batches", "gauge",
                    "Batches a stage is behind the followed L1 chain.");
  metrics_.describe("basalt_proof_queue_depth", "gauge", "Batches waiting for the prover.");
  metrics_.describe("basalt_receipts_total", "counter",
                    "Transaction receipts made (re-execution receipts: not succinct, not "
                    "zero-knowledge).");
  metrics_.describe("basalt_reorgs_total", "counter", "Reorgs that undid executed batches.");
  metrics_.describe("basalt_reorg_depth_max", "gauge", "The deepest such reorg, in batches.");
  metrics_.describe("basalt_rolled_back_batches_total", "counter", "Batches undone by reorgs.");
  metrics_.describe("basalt_submissions_total", "counter",
                    "Transactions submitted through the API, by result.");
  metrics_.describe("basalt_l1_blue_score", "gauge", "Blue score of the followed L1 tip.");
  metrics_.describe("basalt_l1_mempool_transactions", "gauge", "Transactions in the L1 mempool.");
  metrics_.describe("basalt_db_bytes", "gauge", "Bytes on disk, by database.");
  metrics_.describe("basalt_unproven_batches", "gauge",
                    "Batches that will never get receipts (committed unproven, then lost to a "
                    "restart beyond the rollback window).");
  metrics_.set("basalt_proof_queue_depth", 0);
  metrics_.set("basalt_reorgs_total", 0);
  metrics_.set("basalt_unproven_batches", 0);
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
  std::vector<Submission> accepted;
  std::vector<SubmitOutcome> outcomes;
  for (auto& p : pending) {
    SubmitOutcome o;
    o.id = kaspa::tx_id(p->tx);
    const core::Status st = driver_->submit(p->tx);
    if (st.ok()) {
      o.accepted = true;
      o.step = step;
      accepted.push_back({step, p->tx});
    } else {
      o.reason = st.error().to_string();
    }
    outcomes.push_back(std::move(o));
  }
  const core::Status logged = index_->log_submissions(accepted);
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

core::Result<ResourceView> Node::resource(const state::ResourceId& id,
                                          std::chrono::milliseconds timeout) {
  return ask<ResourceView>(
      [this, id]() -> core::Result<ResourceView> {
        BASALT_TRY(executor_->flush());
        ResourceView v;
        v.id = id;
        BASALT_ASSIGN_OR_RETURN(v.value, store_->get(id));
        v.batch = store_->tip().value;
        v.root = store_->root();
        BASALT_ASSIGN_OR_RETURN(v.proof, store_->smt().prove(std::span(&id, 1)));
        return v;
      },
      timeout);
}

core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Node::spendable(
    const kaspa::ScriptPublicKey& spk, std::chrono::milliseconds timeout) {
  using Outputs = std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>;
  return ask<Outputs>(
      [this, spk]() -> core::Result<Outputs> { return driver_->sim().spendable(spk); }, timeout);
}

NodeStatus Node::status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

core::Status Node::record_step(StepReport& report) {
  const auto& sim = driver_->sim();
  if (report.rolled_back != 0) {
    BASALT_TRY(index_->rollback(report.rolled_back_to, report.rolled_back_to + report.rolled_back));
    {
      std::lock_guard lock(prover_mutex_);
      ++prover_epoch_;
      while (!proof_jobs_.empty() && proof_jobs_.back().batch > report.rolled_back_to)
        proof_jobs_.pop_back();
      if (proven_ > report.rolled_back_to) {
        proven_ = report.rolled_back_to;
        BASALT_TRY(index_->set_proven(proven_));
      }
    }
    metrics_.add("basalt_reorgs_total", 1);
    metrics_.add("basalt_rolled_back_batches_total", static_cast<double>(report.rolled_back));
    if (report.rolled_back > metrics_.get("basalt_reorg_depth_max"))
      metrics_.set("basalt_reorg_depth_max", static_cast<double>(report.rolled_back));
    log_.info("reorg: rolled back " + std::to_string(report.rolled_back) + " batch(es) to batch " +
              std::to_string(report.rolled_back_to));
    std::lock_guard lock(status_mutex_);
    ++status_.reorgs;
  }
  for (const exec::BatchResult& r : report.executed) {
    BatchRow row;
    row.id = r.id.value;
    row.block = r.block;
    row.blue_score = sim.block(r.block).blue_score;
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
    BASALT_TRY(index_->put_batch(row, txs));
    metrics_.add("basalt_batches_total", 1);
  }
  // The step's batches are committed before the next step runs (the API reads committed roots).
  for (exec::BatchResult& r : report.executed) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, executor_->wait_committed(r.id));
    BASALT_TRY(index_->set_root(r.id.value, root));
    if (config_.prover_enabled) {
      // The inputs and journals are needed only by the prover from here on.
      ProofJob job;
      job.batch = r.id.value;
      for (exec::TxResult& t : r.txs) {
        if (!t.journal.empty()) job.txs.push_back({t.id, std::move(t.input), std::move(t.journal)});
      }
      std::lock_guard lock(prover_mutex_);
      proof_jobs_.push_back(std::move(job));
    }
  }
  if (config_.prover_enabled && !report.executed.empty()) prover_cv_.notify_all();

  std::lock_guard lock(status_mutex_);
  for (const exec::BatchResult& r : report.executed) {
    for (const exec::TxResult& t : r.txs) ++(t.ok ? status_.tx_ok : status_.tx_failed);
  }
  status_.l1_step = report.step;
  status_.l1_chain_length = driver_->chain_length();
  if (!sim.chain().empty()) {
    status_.l1_tip = sim.chain().back().hash;
    status_.l1_tip_blue_score = sim.block(status_.l1_tip).blue_score;
  }
  status_.mempool = sim.mempool_size();
  status_.catching_up = report.replayed;
  status_.executed = executor_->executed_tip().value;
  status_.committed = store_->tip().value;
  status_.committed_root = store_->root();
  return core::Status::Ok();
}

void Node::update_gauges() {
  const NodeStatus s = [&] {
    std::lock_guard lock(status_mutex_);
    {
      std::lock_guard plock(prover_mutex_);
      status_.proven = config_.prover_enabled ? proven_ : 0;
      status_.proof_queue = proof_jobs_.size();
    }
    return status_;
  }();
  const double chain = static_cast<double>(s.l1_chain_length);
  metrics_.set("basalt_batch", static_cast<double>(s.executed), "stage=\"executed\"");
  metrics_.set("basalt_batch", static_cast<double>(s.committed), "stage=\"committed\"");
  metrics_.set("basalt_stage_lag_batches", chain - static_cast<double>(s.executed),
               "stage=\"executed\"");
  metrics_.set("basalt_stage_lag_batches", chain - static_cast<double>(s.committed),
               "stage=\"committed\"");
  if (config_.prover_enabled) {
    metrics_.set("basalt_batch", static_cast<double>(s.proven), "stage=\"proven\"");
    metrics_.set("basalt_stage_lag_batches", chain - static_cast<double>(s.proven),
                 "stage=\"proven\"");
  }
  metrics_.set("basalt_proof_queue_depth", static_cast<double>(s.proof_queue));
  metrics_.set("basalt_l1_blue_score", static_cast<double>(s.l1_tip_blue_score));
  metrics_.set("basalt_l1_mempool_transactions", static_cast<double>(s.mempool));
}

void Node::prover_loop() {
  zk::ReexecProofSystem ps;
  ps.register_guest(program_, limits_);
  for (;;) {
    ProofJob job;
    std::uint64_t epoch = 0;
    {
      std::unique_lock lock(prover_mutex_);
      prover_cv_.wait(lock, [&] { return prover_stop_ || !proof_jobs_.empty(); });
      if (prover_stop_) return;
      job = std::move(proof_jobs_.front());
      proof_jobs_.pop_front();
      epoch = prover_epoch_;
      if (backlog_total_ == 0 && proof_jobs_.size() >= 50) backlog_total_ = proof_jobs_.size() + 1;
    }
    for (const ProofJob::Tx& t : job.txs) {
      core::Result<zk::Receipt> receipt = ps.prove(*program_, t.input, {}, limits_);
      core::Status st = receipt.ok() ? core::Status::Ok() : core::Status(receipt.error());
      if (st.ok() && receipt->journal != t.journal) {
        st = Error{ErrorCode::kInvalid, "the prover's run of transaction " + t.id.hex() +
                                            " committed another journal than execution did"};
      }
      if (st.ok()) st = index_->put_receipt(t.id, zk::encode_receipt(*receipt));
      if (!st.ok()) {
        std::lock_guard lock(prover_mutex_);
        prover_error_ = st.error();
        return;
      }
      metrics_.add("basalt_receipts_total", 1);
    }
    std::lock_guard lock(prover_mutex_);
    if (epoch != prover_epoch_) continue;  // a reorg undid the batch meanwhile
    proven_ = job.batch;
    const core::Status st = index_->set_proven(proven_);
    if (!st.ok()) {
      prover_error_ = st.error();
      return;
    }
    if (backlog_total_ != 0) {
      const std::uint64_t left = proof_jobs_.size();
      log_.progress("proving backlog", backlog_total_ - std::min(left, backlog_total_),
                    backlog_total_);
      if (left == 0) backlog_total_ = 0;
    }
  }
}

core::Status Node::run(const std::atomic<bool>& stop) {
  if (config_.prover_enabled) prover_ = std::thread([this] { prover_loop(); });
  const core::Status st = loop(stop);
  shutdown();
  return st;
}

core::Status Node::loop(const std::atomic<bool>& stop) {
  BASALT_ASSIGN_OR_RETURN(const std::vector<Submission> logged, index_->submissions());
  std::size_t next_logged = 0;
  const std::uint64_t catch_up_until =
      std::max(driver_->resume_step(), logged.empty() ? 0 : logged.back().step);
  if (catch_up_until > 0)
    log_.info("catching up: replaying the simulator to step " + std::to_string(catch_up_until));
  const auto interval = std::chrono::milliseconds(config_.block_interval_ms);
  auto deadline = std::chrono::steady_clock::now();
  std::uint64_t window_txs = 0;
  auto window_start = std::chrono::steady_clock::now();
  const std::uint64_t stop_after = config_.stop_after_blocks;

  while (!stop.load()) {
    {
      std::lock_guard lock(prover_mutex_);
      if (prover_error_) return *prover_error_;
    }
    update_gauges();
    const NodeStatus s = status();
    if (stop_after != 0 && s.executed >= stop_after) {
      // Done stepping: wait for the prover to catch up, still answering the API.
      if (s.committed == s.executed && (!config_.prover_enabled || s.proven == s.executed)) {
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

    const std::uint64_t step = driver_->next_step();
    if (step > catch_up_until) {  // live: paced, and the API's submissions go in
      // Wait for the step's time, answering the API meanwhile.
      deadline += interval;
      const auto now = std::chrono::steady_clock::now();
      if (now > deadline + 10 * interval) deadline = now;  // no burst after a stall
      while (!stop.load()) {
        serve_tasks();
        BASALT_TRY(take_submissions());
        std::unique_lock lock(task_mutex_);
        if (std::chrono::steady_clock::now() >= deadline) break;
        task_cv_.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() +
                                                         std::chrono::milliseconds(50)));
      }
      if (stop.load()) break;
    } else {
      log_.progress("catch-up", step, catch_up_until);
      serve_tasks();
    }
    // Logged submissions enter the mempool at the step they entered it before.
    while (next_logged < logged.size() && logged[next_logged].step == step) {
      const core::Status st = driver_->submit(logged[next_logged].tx);
      if (!st.ok()) {
        return Error{ErrorCode::kInvalid, "replaying logged submission " +
                                              std::to_string(next_logged) + " at step " +
                                              std::to_string(step) + ": " + st.error().to_string()};
      }
      ++next_logged;
    }
    BASALT_ASSIGN_OR_RETURN(StepReport report, driver_->step());
    for (const auto& r : report.executed) window_txs += r.txs.size();
    BASALT_TRY(record_step(report));
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - window_start).count();
    if (secs >= 10) {
      metrics_.set("basalt_tx_per_second", static_cast<double>(window_txs) / secs);
      window_txs = 0;
      window_start = now;
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
  {
    std::lock_guard lock(prover_mutex_);
    prover_stop_ = true;
  }
  prover_cv_.notify_all();
  if (prover_.joinable()) prover_.join();
  if (executor_) {
    const core::Status st = executor_->flush();
    if (!st.ok()) log_.error("flushing commits at shutdown: " + st.error().to_string());
  }
}

}  // namespace basalt::node
