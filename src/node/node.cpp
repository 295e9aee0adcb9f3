#include "node/node.hpp"

#include <algorithm>
#include <filesystem>
#include <future>

#include "core/files.hpp"
#include "crypto/domain.hpp"
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
  core::limit_allocator_retention();  // a node runs for days: see core/files.hpp
  state::StoreOptions so;
  so.sync = c.sync;
  so.rollback_window = c.finality_depth;
  BASALT_ASSIGN_OR_RETURN(n->store_, state::StateStore::open(c.data_dir + "/state", so));
  const std::string index_dir = c.data_dir + "/index";
  if (n->store_->tip().value > 0 && !std::filesystem::exists(index_dir + "/CURRENT")) {
    return Error{ErrorCode::kCorrupt,
                 "node index " + index_dir + " is missing while the state store holds batches 1.." +
                     std::to_string(n->store_->tip().value) +
                     "; it cannot be rebuilt yet: restore it from a backup, or start a new data "
                     "directory"};
  }
  BASALT_ASSIGN_OR_RETURN(n->index_, NodeIndex::open(index_dir));
  BASALT_ASSIGN_OR_RETURN(exec::App app, exec::load_app(c.app, c.guest_dir));
  n->image_id_ = app.program->image_id();
  BASALT_TRY(n->store_->bind("app image id", n->image_id_.span()));

  // Batches committed but not proven before a restart are executed again, so that the prover gets
  // their inputs (they are not stored); so is the rollback window, which the prover's own undo
  // log must cover.
  const std::uint64_t tip = n->store_->tip().value;
  BASALT_ASSIGN_OR_RETURN(std::uint64_t proven, n->index_->proven());
  proven = std::min(proven, tip);
  std::uint64_t after = tip;
  if (c.prover_enabled && tip > 0) {
    const std::uint64_t floor = n->store_->rollback_floor().value;
    if (proven < floor) {
      log.error("batches " + std::to_string(proven + 1) + ".." + std::to_string(floor) +
                " were committed but not proven and lie below the rollback window; they stay "
                "without receipts and settlement cannot pass them");
      n->metrics_.set("basalt_unproven_batches", static_cast<double>(floor - proven));
    }
    after = std::max(floor, std::min(proven, tip > c.finality_depth ? tip - c.finality_depth : 0));
    if (after < tip) {
      log.info("re-executing batches " + std::to_string(after + 1) + ".." + std::to_string(tip) +
               " for the prover");
      BASALT_TRY(n->store_->rollback_to({after}));
      BASALT_TRY(n->index_->rollback(after, tip));
    }
    BASALT_TRY(n->index_->set_proven(std::min(proven, after)));
  }

  std::optional<zk::Guests> guests;
  if (c.prover_enabled) {
    BASALT_ASSIGN_OR_RETURN(guests, zk::load_guests(app, c.guest_dir));
  }
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
  d.users_exit_permille = c.users_exit_permille;
  BASALT_ASSIGN_OR_RETURN(n->driver_, Driver::open(d, *n->store_, *n->executor_));
  // Read before the pipeline logs a new covenant's setup (already in the mempool).
  BASALT_ASSIGN_OR_RETURN(n->replay_, n->index_->submissions());
  if (guests) BASALT_TRY(n->open_pipeline(std::move(*guests), after));

  n->status_.executed = n->status_.committed = n->store_->tip().value;
  n->status_.committed_root = n->store_->root();
  n->status_.proven = n->stored_proven_ = c.prover_enabled ? std::min(proven, after) : 0;
  return n;
}

namespace {

settle::FeeLevel fee_level(FeePolicy p) {
  switch (p) {
    case FeePolicy::kLow:
      return settle::FeeLevel::kLow;
    case FeePolicy::kNormal:
      return settle::FeeLevel::kNormal;
    case FeePolicy::kPriority:
      return settle::FeeLevel::kPriority;
  }
  return settle::FeeLevel::kNormal;
}

// The settlement fee key: the configured one, or a development key derived from the simulator's
// seed (the faucet funds it, so it never races API clients for the faucet's outputs).
core::Result<crypto::SecretKey> settlement_key(const Config& c) {
  std::array<std::uint8_t, 32> b{};
  if (!c.settlement_key.empty()) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 h, core::Hash32::from_hex(c.settlement_key));
    b = h.bytes;
  } else {
    crypto::DomainHasher h(crypto::Domain::kBlockHash);
    const std::string_view tag = "basalt node settlement key (simulator)";
    h.update({reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()})
        .update_u64_le(c.sim_seed);
    b = h.finalize().bytes;
  }
  auto key = crypto::SecretKey::from_bytes(b);
  if (!key.ok()) return Error{ErrorCode::kInvalid, "settle.key: not a valid secret key"};
  return std::move(key).value();
}

}  // namespace

core::Status Node::open_pipeline(zk::Guests guests, std::uint64_t after) {
  const Config& c = config_;
  system_ = std::make_unique<zk::ReexecProofSystem>();
  zk::register_guests(*system_, guests);
  verifier_ = std::make_unique<settle::ReceiptVerifier>(*system_);
  driver_->sim().set_zk_verifier(verifier_.get());
  BASALT_ASSIGN_OR_RETURN(const crypto::SecretKey key, settlement_key(c));

  SettlementOptions so;
  so.bundle_size = c.bundle_size;
  so.max_bundle_size = std::max<std::uint32_t>(16, c.bundle_size);
  so.prover_threads = c.threads == 0 ? std::thread::hardware_concurrency() : c.threads;
  so.settler.bump_after_blocks = static_cast<std::uint32_t>(c.fee_bump_after_blocks);
  so.settler.confirmations = c.confirmations;
  so.settler.fee_level = fee_level(c.fee_policy);
  so.settler.finality_depth = c.finality_depth;
  // A settlement's anchor must stay within F of L1's tip: the prover may not fall further behind
  // than a fraction of F (execution waits), and an anchor is given up a little before F.
  so.settler.anchor_margin = std::min<std::uint64_t>(10, c.finality_depth / 4);
  so.max_queued_batches = std::clamp<std::size_t>(c.finality_depth / 4, 1, 64);
  so.on_proven = [this](const zk::BatchWork& w, const zk::Receipt& r) {
    return store_receipts(w, r);
  };

  BASALT_ASSIGN_OR_RETURN(const std::optional<settle::CovenantOrigin> origin, index_->covenant());
  if (origin) {
    // Receipts of batches that a bundle may still start from: the pipeline keeps 2F of them.
    std::map<std::uint64_t, zk::Receipt> kept;
    const std::uint64_t window = 2 * c.finality_depth;
    for (std::uint64_t b = after > window ? after - window : 1; b <= after && b > 0; ++b) {
      BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> bytes, index_->batch_receipt(b));
      if (!bytes) continue;
      BASALT_ASSIGN_OR_RETURN(zk::Receipt r, zk::decode_receipt(*bytes));
      kept.emplace(b, std::move(r));
    }
    BASALT_ASSIGN_OR_RETURN(
        pipeline_, SettlementPipeline::resume(*driver_, *system_, std::move(guests), store_->smt(),
                                              after, *origin, key, std::move(kept), so));
    BASALT_ASSIGN_OR_RETURN(const std::vector<SettlementRecord> newest,
                            index_->settlements(~std::uint64_t{0}, 1));
    last_settlement_ = newest.empty() ? 0 : newest.front().seq;
    covenant_ = origin->id;
    return core::Status::Ok();
  }
  if (after != 0) {
    return Error{ErrorCode::kInvalid,
                 "this data directory was run with the prover off and has no covenant; "
                 "settlement starts with a fresh data directory"};
  }
  BASALT_ASSIGN_OR_RETURN(
      pipeline_,
      SettlementPipeline::create(*driver_, *system_, std::move(guests), store_->smt(), key, so));
  std::vector<Submission> setup;
  for (const kaspa::Transaction& tx : pipeline_->setup_transactions())
    setup.push_back({driver_->next_step(), SubmissionKind::kSetup, tx});
  BASALT_TRY(index_->log_setup(setup, pipeline_->origin()));
  log_.info("covenant " + pipeline_->covenant_id().hex() + " created");
  covenant_ = pipeline_->covenant_id();
  return core::Status::Ok();
}

core::Status Node::store_receipts(const zk::BatchWork& w, const zk::Receipt& receipt) {
  // The batch receipt's assumptions are the receipts of its journaled transactions, in order.
  std::vector<std::pair<kaspa::TxId, core::Bytes>> txs;
  std::size_t next = 0;
  for (const zk::ExecutedTx& e : w.txs) {
    if (next < receipt.assumptions.size() && !e.result.journal.empty() &&
        receipt.assumptions[next].journal == e.result.journal) {
      txs.emplace_back(e.result.id, zk::encode_receipt(receipt.assumptions[next++]));
    }
  }
  BASALT_TRY(index_->put_batch_receipt(w.batch, zk::encode_receipt(receipt), txs));
  metrics_.add("basalt_receipts_total", static_cast<double>(txs.size()), "kind=\"transaction\"");
  metrics_.add("basalt_receipts_total", 1, "kind=\"batch\"");
  return core::Status::Ok();
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
                    "Receipts made, by kind (re-execution receipts: not succinct, not "
                    "zero-knowledge).");
  metrics_.describe("basalt_settlements_total", "counter",
                    "Settlements, by what became of them (submitted, bumped, accepted, "
                    "unaccepted, confirmed, refused, superseded).");
  metrics_.describe("basalt_settlement_confirmation_depth", "gauge",
                    "Chain blocks on the block that accepted the newest accepted settlement.");
  metrics_.describe("basalt_settlement_latency_seconds", "gauge",
                    "From the execution of a settlement's last batch to its confirmation, for "
                    "the newest confirmed settlement.");
  metrics_.describe("basalt_reorgs_total", "counter", "Reorgs that undid executed batches.");
  metrics_.describe("basalt_reorg_depth_max", "gauge", "The deepest such reorg, in batches.");
  metrics_.describe("basalt_rolled_back_batches_total", "counter", "Batches undone by reorgs.");
  metrics_.describe("basalt_submissions_total", "counter",
                    "Transactions submitted through the API, by result.");
  metrics_.describe("basalt_submissions_refused_by_l1_total", "counter",
                    "Submissions the node accepted that L1 then refused (the reason is served "
                    "at GET /v1/txs/{id}).");
  metrics_.describe("basalt_l1_blue_score", "gauge", "Blue score of the followed L1 tip.");
  metrics_.describe("basalt_l1_mempool_transactions", "gauge", "Transactions in the L1 mempool.");
  metrics_.describe("basalt_db_bytes", "gauge", "Bytes on disk, by database.");
  metrics_.describe("basalt_unproven_batches", "gauge",
                    "Batches that will never get receipts (committed unproven, then lost to a "
                    "restart beyond the rollback window).");
  metrics_.set("basalt_proof_queue_depth", 0);
  metrics_.set("basalt_settlement_confirmation_depth", 0);
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
      accepted.push_back({step, SubmissionKind::kUser, p->tx});
      in_flight_.insert(o.id);
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

core::Status Node::follow_submissions() {
  for (auto it = in_flight_.begin(); it != in_flight_.end();) {
    const std::string why = driver_->sim().refusal(*it);
    if (!why.empty()) {
      BASALT_TRY(index_->put_refusal(*it, why));
      metrics_.add("basalt_submissions_refused_by_l1_total", 1);
      it = in_flight_.erase(it);
      continue;
    }
    BASALT_ASSIGN_OR_RETURN(const std::optional<TxRecord> executed, index_->tx(*it));
    it = executed ? in_flight_.erase(it) : std::next(it);
  }
  return core::Status::Ok();
}

core::Result<ResourceView> Node::resource(const state::ResourceId& id,
                                          std::optional<std::uint64_t> at,
                                          std::chrono::milliseconds timeout) {
  return ask<ResourceView>(
      [this, id, at]() -> core::Result<ResourceView> {
        BASALT_TRY(executor_->flush());
        ResourceView v;
        v.id = id;
        BASALT_ASSIGN_OR_RETURN(v.value, store_->get(id));
        if (!at || *at == store_->tip().value) {
          v.batch = store_->tip().value;
          v.root = store_->root();
          BASALT_ASSIGN_OR_RETURN(v.proof, store_->smt().prove(std::span(&id, 1)));
          return v;
        }
        BASALT_ASSIGN_OR_RETURN(const state::StateStore::Snapshot snap,
                                store_->snapshot(state::BatchId{*at}));
        if (auto it = snap.changed.find(id); it != snap.changed.end()) v.value = it->second;
        v.batch = *at;
        v.root = snap.smt.root();
        BASALT_ASSIGN_OR_RETURN(v.proof, snap.smt.prove(std::span(&id, 1)));
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

core::Status Node::record_step(const StepReport& report, bool live) {
  const auto& sim = driver_->sim();
  if (report.rolled_back != 0) {
    BASALT_TRY(index_->rollback(report.rolled_back_to, report.rolled_back_to + report.rolled_back));
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
  const auto now = std::chrono::steady_clock::now();
  for (const exec::BatchResult& r : report.executed) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, executor_->wait_committed(r.id));
    BASALT_TRY(index_->set_root(r.id.value, root));
    if (live && pipeline_) executed_at_[r.id.value] = now;
  }

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

core::Status Node::settle_step(const StepReport& report, bool live) {
  // Open settlements follow this step's chain changes before the step's new settlement opens: it
  // goes into the mempool for the next step.
  BASALT_TRY(follow_settlements(report, live));
  BASALT_ASSIGN_OR_RETURN(const SettlementReport r,
                          pipeline_->after_step(report, live && config_.settle_enabled));
  if (stored_proven_ != pipeline_->proven_batch()) {
    stored_proven_ = pipeline_->proven_batch();
    BASALT_TRY(index_->set_proven(stored_proven_));
  }
  std::size_t next_bundle = 0;
  for (const settle::SettlerEvent& e : r.events) {
    using K = settle::SettlerEvent::Kind;
    const std::string range = std::to_string(e.first_batch) + ".." + std::to_string(e.last_batch);
    if (e.kind == K::kSubmitted) {
      const settle::Bundle& b = r.submitted.at(next_bundle++);
      SettlementRecord rec;
      rec.seq = last_settlement_ + 1;
      rec.first_batch = b.first_batch;
      rec.last_batch = b.last_batch;
      rec.anchor = b.anchor;
      rec.tx_id = e.tx_id;
      rec.fee = e.fee;
      rec.submitted_step = driver_->next_step();
      rec.journal = zk::encode_state_transition(b.journal);
      BASALT_TRY(index_->log_settlement({rec.submitted_step, SubmissionKind::kSettlement, e.tx},
                                        rec, zk::encode_receipt(b.receipt)));
      last_settlement_ = rec.seq;
      open_settlements_.push_back({rec, {e.tx_id}, {}, e.tx.inputs.at(0).previous_outpoint});
      metrics_.add("basalt_settlements_total", 1, "event=\"submitted\"");
      log_.info("settlement " + std::to_string(rec.seq) + " of batches " + range + ": tx " +
                e.tx_id.hex());
    } else if (e.kind == K::kBumped) {
      OpenSettlement* it = open_settlement(last_settlement_);
      if (it == nullptr) continue;  // final already: L1 decided before the bump
      it->bumped(e.tx_id);
      it->record.fee = e.fee;
      BASALT_TRY(index_->log_settlement({driver_->next_step(), SubmissionKind::kReplacement, e.tx},
                                        it->record, {}));
      metrics_.add("basalt_settlements_total", 1, "event=\"bumped\"");
      log_.info("settlement of batches " + range + ": fee bumped (" + e.detail + "), tx " +
                e.tx_id.hex());
    } else if (e.kind == K::kAbandoned) {
      log_.warn("settlement of batches " + range + " given up by the settler: " + e.detail);
    }
  }
  const std::optional<std::uint64_t> settled = pipeline_->settled_batch();
  std::lock_guard lock(status_mutex_);
  if (settled) status_.settled = *settled;
  status_.settlements = last_settlement_;
  return core::Status::Ok();
}

core::Status Node::replay_settlement(const Submission& sub) {
  const kaspa::TxId id = kaspa::tx_id(sub.tx);
  if (sub.kind == SubmissionKind::kSettlement) {
    BASALT_ASSIGN_OR_RETURN(std::optional<SettlementRecord> rec,
                            index_->settlement(last_settlement_replayed_ + 1));
    if (!rec) {
      return Error{ErrorCode::kInvalid, "the log's settlement " +
                                            std::to_string(last_settlement_replayed_ + 1) +
                                            " has no record"};
    }
    ++last_settlement_replayed_;
    // Followed again from its submission, as the first time.
    rec->tx_id = id;
    rec->bumps = 0;
    rec->status = SettlementStatus::kSubmitted;
    rec->accepted_in.reset();
    rec->accepted_step = rec->final_step = 0;
    rec->detail.clear();
    open_settlements_.push_back({*rec, {id}, {}, sub.tx.inputs.at(0).previous_outpoint});
    return driver_->submit(sub.tx);
  }
  BASALT_TRY(driver_->sim().submit_transaction_replacement(sub.tx));
  if (OpenSettlement* o = open_settlement(last_settlement_replayed_)) o->bumped(id);
  return core::Status::Ok();
}

Node::OpenSettlement* Node::open_settlement(std::uint64_t seq) {
  for (OpenSettlement& o : open_settlements_)
    if (o.record.seq == seq) return &o;
  return nullptr;
}

core::Status Node::follow_settlements(const StepReport& report, bool live) {
  const l1::sim::Simulator& sim = driver_->sim();
  const auto covenant = pipeline_->covenant_id();
  const auto cov = sim.covenant_utxo(covenant);
  std::uint64_t confirmed_depth = 0;
  for (OpenSettlement& o : open_settlements_) {
    SettlementRecord& r = o.record;
    const SettlementStatus before = r.status;
    for (const settle::Acceptance::Step& st : o.acceptance.follow(report.change, o.versions)) {
      if (st.change == settle::Acceptance::Change::kAccepted) {
        r.status = SettlementStatus::kAccepted;
        r.tx_id = st.tx;
        r.accepted_in = st.block;
        r.accepted_step = report.step;
        metrics_.add("basalt_settlements_total", 1, "event=\"accepted\"");
      } else {
        r.status = SettlementStatus::kSubmitted;
        r.accepted_in.reset();
        metrics_.add("basalt_settlements_total", 1, "event=\"unaccepted\"");
      }
    }
    if (o.acceptance.accepted_in) {
      confirmed_depth = o.acceptance.depth;
      if (o.acceptance.depth >= config_.confirmations) {
        r.status = SettlementStatus::kConfirmed;
        auto at = executed_at_.find(r.last_batch);
        if (live && at != executed_at_.end()) {
          r.latency_ms =
              static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::steady_clock::now() - at->second)
                                             .count());
          metrics_.set("basalt_settlement_latency_seconds",
                       static_cast<double>(r.latency_ms) / 1000.0);
        }
      }
    } else if (!cov || cov->first != o.covenant) {
      // First: L1 also refuses a settlement whose covenant input another one spent before it.
      r.status = SettlementStatus::kSuperseded;
      r.detail = "the covenant moved on without it";
    } else if (std::string why = sim.refusal(r.tx_id); !why.empty()) {
      r.status = SettlementStatus::kRefused;
      r.detail = why;
    }
    if (r.status == before) continue;
    const bool final =
        r.status != SettlementStatus::kSubmitted && r.status != SettlementStatus::kAccepted;
    if (final) {
      r.final_step = report.step;
      metrics_.add("basalt_settlements_total", 1,
                   std::string("event=\"") + settlement_status_name(r.status) + "\"");
      if (live) {
        log_.info("settlement " + std::to_string(r.seq) + " of batches " +
                  std::to_string(r.first_batch) + ".." + std::to_string(r.last_batch) + " " +
                  settlement_status_name(r.status) + (r.detail.empty() ? "" : ": " + r.detail));
      }
    }
    BASALT_TRY(index_->put_settlement(r));
  }
  metrics_.set("basalt_settlement_confirmation_depth", static_cast<double>(confirmed_depth));
  std::uint64_t confirmed = 0;
  std::uint64_t settled_confirmed = 0;
  for (const OpenSettlement& o : open_settlements_) {
    if (o.record.status != SettlementStatus::kConfirmed) continue;
    ++confirmed;
    settled_confirmed = std::max(settled_confirmed, o.record.last_batch);
  }
  std::erase_if(open_settlements_, [](const OpenSettlement& o) {
    return o.record.status != SettlementStatus::kSubmitted &&
           o.record.status != SettlementStatus::kAccepted;
  });
  if (settled_confirmed != 0) {
    executed_at_.erase(executed_at_.begin(), executed_at_.upper_bound(settled_confirmed));
  }
  std::lock_guard lock(status_mutex_);
  status_.settlements_confirmed += confirmed;
  status_.settled_confirmed = std::max(status_.settled_confirmed, settled_confirmed);
  return core::Status::Ok();
}

core::Status Node::run(const std::atomic<bool>& stop) {
  const core::Status st = loop(stop);
  shutdown();
  return st;
}

core::Status Node::loop(const std::atomic<bool>& stop) {
  const std::vector<Submission>& logged = replay_;
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
      const Submission& sub = logged[next_logged];
      const bool settlement =
          sub.kind == SubmissionKind::kSettlement || sub.kind == SubmissionKind::kReplacement;
      const core::Status st =
          settlement && pipeline_ ? replay_settlement(sub) : driver_->submit(sub.tx);
      if (sub.kind == SubmissionKind::kUser) in_flight_.insert(kaspa::tx_id(sub.tx));
      if (!st.ok()) {
        return Error{ErrorCode::kInvalid, "replaying logged submission " +
                                              std::to_string(next_logged) + " at step " +
                                              std::to_string(step) + ": " + st.error().to_string()};
      }
      ++next_logged;
    }
    BASALT_ASSIGN_OR_RETURN(StepReport report, driver_->step());
    for (const auto& r : report.executed) window_txs += r.txs.size();
    const bool live = step > catch_up_until;
    BASALT_TRY(record_step(report, live));
    BASALT_TRY(follow_submissions());
    if (pipeline_) {
      BASALT_TRY(settle_step(report, live));
      report_backlog();
    }
    // A bundle starts at the covenant's next batch: its chain blocks stay until it is settled.
    const std::optional<std::uint64_t> settled =
        pipeline_ ? pipeline_->settled_batch() : std::nullopt;
    driver_->forget_before(pipeline_ ? settled.value_or(0) + 1 : ~std::uint64_t{0});
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

void Node::report_backlog() {
  const std::uint64_t left = pipeline_->queued();
  if (backlog_total_ == 0 && left >= 50) backlog_total_ = left;
  if (backlog_total_ == 0) return;
  backlog_total_ = std::max(backlog_total_, left);
  log_.progress("proving backlog", backlog_total_ - left, backlog_total_);
  if (left == 0) backlog_total_ = 0;
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
