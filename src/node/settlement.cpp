#include "node/settlement.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace basalt::node {

using core::Error;
using core::ErrorCode;

namespace {

// The simulator's faucet pays the covenant's value and the settler's fees.
constexpr std::uint64_t kGenesisFee = 10'000;

settle::CovenantPins pins_of(const zk::Guests& g) {
  return {kaspa::lane_key(app_lane()), g.tx.program->image_id(), g.batch.program->image_id(),
          g.aggregate.program->image_id()};
}

}  // namespace

SettlementPipeline::SettlementPipeline(Driver& driver, zk::ProofSystem& system, zk::Guests guests,
                                       const state::Smt& state,
                                       settle::CovenantScript covenant_script,
                                       const kaspa::CovenantId& covenant,
                                       const SettlementOptions& options)
    : driver_(driver), options_(options), covenant_(std::move(covenant_script)) {
  initial_ = {state.root(), kaspa::LaneTip()};
  const zk::BatchPins bp{covenant_.pins().tx_image_id, covenant, covenant_.pins().lane_key,
                         options.settler.finality_depth};
  prover_ = std::make_unique<zk::Prover>(system, std::move(guests), bp, state, 0,
                                         options.settler.finality_depth, options.prover_threads);
  settler_ = std::make_unique<settle::Settler>(driver_.sim(), covenant_, covenant,
                                               driver_.sim().faucet_key(), options_.settler);
  prover_thread_ = std::thread([this] { prover_loop(); });
}

SettlementPipeline::~SettlementPipeline() {
  {
    std::lock_guard lk(m_);
    stop_ = true;
  }
  work_cv_.notify_all();
  prover_thread_.join();
}

void SettlementPipeline::prover_loop() {
  std::unique_lock lk(m_);
  for (;;) {
    work_cv_.wait(lk, [&] { return stop_ || (!queue_.empty() && !failure_); });
    if (stop_) return;
    zk::BatchWork w = std::move(queue_.front());
    queue_.pop_front();
    proving_ = true;
    lk.unlock();
    auto receipt = prover_->prove_batch(w);
    core::Result<zk::BatchTransition> journal =
        receipt.ok() ? zk::decode_batch_transition(receipt->journal)
                     : core::Result<zk::BatchTransition>(receipt.error());
    lk.lock();
    proving_ = false;
    if (journal.ok()) {
      proven_[w.batch] = {std::move(*receipt), *journal};
    } else {
      failure_ = journal.error();
    }
    done_cv_.notify_all();
  }
}

core::Status SettlementPipeline::wait_proven() {
  std::unique_lock lk(m_);
  done_cv_.wait(lk, [&] { return failure_ || (queue_.empty() && !proving_); });
  if (failure_) return *failure_;
  return core::Status::Ok();
}

std::uint64_t SettlementPipeline::proven_batch_locked() const {
  return proven_.empty() ? 0 : proven_.rbegin()->first;
}

std::uint64_t SettlementPipeline::proven_batch() const {
  std::lock_guard lk(m_);
  return proven_batch_locked();
}

core::Result<std::unique_ptr<SettlementPipeline>> SettlementPipeline::create(
    Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
    const SettlementOptions& options) {
  if (driver.chain_length() != 0)
    return Error{ErrorCode::kInvalid, "settlement starts with a fresh simulation"};
  l1::sim::Simulator& sim = driver.sim();
  const crypto::SecretKey& key = sim.faucet_key();
  auto outs = sim.spendable(kaspa::p2pk_script(key.public_key()));
  if (outs.empty()) return Error{ErrorCode::kUnavailable, "the faucet has no spendable output"};
  const auto& [op, entry] = outs.front();
  if (entry.amount < options.covenant_value + kGenesisFee)
    return Error{ErrorCode::kInvalid, "the faucet output cannot fund the covenant"};
  settle::CovenantScript covenant(pins_of(guests));
  const settle::Genesis g =
      settle::genesis_transaction(covenant, {state.root(), kaspa::LaneTip()},
                                  options.covenant_value, op, entry, key, kGenesisFee);
  BASALT_TRY(sim.submit_transaction(g.tx));
  return std::unique_ptr<SettlementPipeline>(new SettlementPipeline(
      driver, system, std::move(guests), state, std::move(covenant), g.covenant_id, options));
}

void SettlementPipeline::restart_settler() {
  settler_ = std::make_unique<settle::Settler>(driver_.sim(), covenant_, settler_->covenant_id(),
                                               driver_.sim().faucet_key(), options_.settler);
}

zk::BatchWork SettlementPipeline::work(const exec::BatchResult& r) const {
  const std::uint64_t p = r.id.value;
  const l1::ChainBlockInfo& info = driver_.block(p);
  zk::BatchWork w;
  w.batch = p;
  w.block = {info.blue_score,
             info.daa_score,
             info.selected_parent_timestamp,
             info.selected_parent_seq_commit,
             info.activity_root,
             info.miner_payload_root};
  if (p > 1) {
    w.prev_lane_tip = driver_.record(p - 1).lane_tip;
    w.prev_lane_blue_score = driver_.record(p - 1).lane_blue_score;
  }
  const exec::BlockInput in = block_input(info);
  for (const exec::TxResult& t : r.txs) {
    auto it = std::find_if(in.txs.begin(), in.txs.end(),
                           [&](const exec::LaneTx& l) { return l.merge_idx == t.merge_idx; });
    BASALT_ASSERT(it != in.txs.end());  // the executor ran exactly the block's lane transactions
    w.txs.push_back({it->tx, t});
  }
  return w;
}

std::optional<std::uint64_t> SettlementPipeline::settled_batch() const {
  auto cov = settler_->covenant();
  if (!cov) return std::nullopt;
  const kaspa::ScriptPublicKey& spk = cov->second.script_public_key;
  if (spk == covenant_.spk(initial_)) return 0;
  std::lock_guard lk(m_);
  // Batches that leave state and lane tip unchanged (no lane activity) share a covenant state;
  // the lowest one is as good a start as any.
  for (const auto& [batch, pr] : proven_) {
    const settle::CovenantState s{pr.journal.new_state, pr.journal.new_lane_tip};
    if (covenant_.spk(s) == spk) return batch;
  }
  return std::nullopt;
}

const zk::Receipt* SettlementPipeline::batch_receipt(std::uint64_t batch) const {
  std::lock_guard lk(m_);
  auto it = proven_.find(batch);
  return it == proven_.end() ? nullptr : &it->second.receipt;
}

core::Result<std::optional<settle::Bundle>> SettlementPipeline::next_bundle() {
  const auto at = settled_batch();
  if (!at)
    return std::optional<settle::Bundle>();  // the covenant is not (yet) where our batches are
  const std::uint64_t first = *at + 1;
  const std::uint64_t last_proven = proven_batch();
  if (last_proven + 1 < first + options_.bundle_size) return std::optional<settle::Bundle>();
  // The bundle ends at the latest batch (within the size bounds) whose block holds the lane in its
  // lane SMT (the aggregator proves the last tip's inclusion there).
  std::uint64_t last = std::min<std::uint64_t>(
      last_proven, first + std::max(options_.bundle_size, options_.max_bundle_size) - 1);
  std::optional<l1::LaneProof> proof;
  for (; last + 1 >= first + options_.bundle_size; --last) {
    auto lp = driver_.sim().lane_proof(driver_.block(last).hash, covenant_.pins().lane_key);
    if (lp.ok() && lp->lane_tip) {
      proof = std::move(*lp);
      break;
    }
  }
  if (!proof) return std::optional<settle::Bundle>();
  std::vector<zk::Receipt> batches;
  {
    std::lock_guard lk(m_);
    for (std::uint64_t b = first; b <= last; ++b) batches.push_back(proven_.at(b).receipt);
  }
  BASALT_ASSIGN_OR_RETURN(zk::Receipt agg,
                          prover_->aggregate(std::move(batches), proof->smt_proof.to_bytes(),
                                             proof->inactivity_shortcut));
  BASALT_ASSIGN_OR_RETURN(const zk::StateTransition journal,
                          zk::decode_state_transition(agg.journal));
  return std::optional<settle::Bundle>(settle::Bundle{first, last, driver_.block(last).hash,
                                                      driver_.block(last).blue_score,
                                                      std::move(agg), journal});
}

core::Status SettlementPipeline::settle_next(SettlementReport& report) {
  BASALT_ASSIGN_OR_RETURN(std::optional<settle::Bundle> next, next_bundle());
  if (!next) return core::Status::Ok();
  const settle::CovenantState from{next->journal.prev_state,
                                   kaspa::LaneTip(next->journal.prev_lane_tip)};
  auto ev = settler_->settle(*next, from);
  if (!ev.ok()) {
    if (ev.error().code() == ErrorCode::kUnavailable) return core::Status::Ok();
    return ev.error();
  }
  report.submitted.push_back(std::move(*next));
  report.events.push_back(std::move(*ev));
  return core::Status::Ok();
}

core::Result<SettlementReport> SettlementPipeline::after_step(const StepReport& step,
                                                              bool settle_more) {
  SettlementReport report;
  {
    std::unique_lock lk(m_);
    if (failure_) return *failure_;
    if (step.rolled_back > 0) {
      const std::uint64_t keep = step.rolled_back_to;
      std::erase_if(queue_, [&](const zk::BatchWork& w) { return w.batch > keep; });
      done_cv_.wait(lk, [&] { return !proving_; });
      BASALT_TRY(prover_->rollback_to(keep));
      proven_.erase(proven_.upper_bound(keep), proven_.end());
    }
    for (const exec::BatchResult& r : step.executed) queue_.push_back(work(r));
    work_cv_.notify_all();
    done_cv_.wait(lk, [&] { return failure_ || queue_.size() <= options_.max_queued_batches; });
    if (failure_) return *failure_;
    // Receipts older than the access window can never be settled; keep the map bounded.
    while (!proven_.empty() &&
           proven_.begin()->first + 2 * options_.settler.finality_depth < proven_batch_locked())
      proven_.erase(proven_.begin());
  }
  for (auto& e : settler_->on_chain(step.change)) report.events.push_back(std::move(e));
  if (settle_more && !settler_->busy()) BASALT_TRY(settle_next(report));
  return report;
}

}  // namespace basalt::node
