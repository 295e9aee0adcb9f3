#include "node/settlement.hpp"

#include <algorithm>

#include "core/assert.hpp"
#include "crypto/sha256.hpp"
#include "kaspa/mass.hpp"

namespace basalt::node {

using core::Error;
using core::ErrorCode;

namespace {

// The funding key pays the covenant's value, the settler's fees, and the two setup transactions'
// fees (their minimum relay fees, a few 10^5 sompi; this bounds them).
constexpr std::uint64_t kSetupFeeAllowance = 10'000'000;

// Pays `each` sompi to `to` in `n` outputs from one of `key`'s outputs, the change back to `key`.
kaspa::Transaction split_payment(const kaspa::Outpoint& from, const kaspa::UtxoEntry& entry,
                                 const crypto::SecretKey& key, const kaspa::ScriptPublicKey& to,
                                 std::uint32_t n, std::uint64_t each, std::uint64_t fee) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::kNativeLaneId;
  kaspa::TxInput in;
  in.previous_outpoint = from;
  in.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
  tx.inputs.push_back(in);
  for (std::uint32_t i = 0; i < n; ++i) tx.outputs.push_back({each, to, std::nullopt});
  tx.outputs.push_back(
      {entry.amount - n * each - fee, kaspa::p2pk_script(key.public_key()), std::nullopt});
  kaspa::sign_p2pk_input(tx, 0, entry, key, crypto::sha256(kaspa::serialize_transaction(tx)));
  return tx;
}

}  // namespace

SettlementPipeline::SettlementPipeline(Driver& driver, zk::ProofSystem& system, zk::Guests guests,
                                       settle::CovenantScript covenant, const state::Smt& state,
                                       std::uint64_t after, const settle::CovenantOrigin& origin,
                                       const std::optional<crypto::SecretKey>& fee_key,
                                       const SettlementOptions& options)
    : driver_(driver),
      options_(options),
      covenant_(std::move(covenant)),
      covenant_id_(origin.id),
      initial_{origin.initial_root, kaspa::LaneTip()},
      fee_key_(fee_key) {
  const zk::BatchPins bp{covenant_.pins().tx_image_id, origin.id, covenant_.pins().lane_key,
                         options.settler.finality_depth};
  prover_ = std::make_unique<zk::Prover>(system, std::move(guests), bp, state, after,
                                         options.settler.finality_depth, options.prover_threads);
  if (fee_key_) {
    settler_ = std::make_unique<settle::Settler>(driver_.source(), covenant_, origin.id, *fee_key_,
                                                 options_.settler);
  }
  prover_thread_ = std::thread([this] { prover_loop(); });
}

SettlementPipeline::~SettlementPipeline() {
  stop();
}

void SettlementPipeline::stop() {
  {
    std::lock_guard lk(m_);
    stop_ = true;
  }
  work_cv_.notify_all();
  if (prover_thread_.joinable()) prover_thread_.join();
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
    if (journal.ok() && options_.on_proven) {
      if (core::Status st = options_.on_proven(w, *receipt); !st.ok()) journal = st.error();
    }
    lk.lock();
    proving_ = false;
    if (journal.ok()) {
      const std::size_t bytes = zk::encoded_receipt_size(*receipt);
      proven_[w.batch] = {std::move(*receipt), *journal, bytes};
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

core::Status SettlementPipeline::failure() const {
  std::lock_guard lk(m_);
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

std::size_t SettlementPipeline::queued() const {
  std::lock_guard lk(m_);
  return queue_.size() + (proving_ ? 1 : 0);
}

core::Result<std::unique_ptr<SettlementPipeline>> SettlementPipeline::create(
    Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
    const crypto::SecretKey& key, const crypto::SecretKey& fee_key,
    const SettlementOptions& options) {
  if (driver.chain_length() != 0)
    return Error{ErrorCode::kInvalid, "settlement starts with a fresh data directory"};
  l1::ChainSource& l1 = driver.source();
  const bool fund = fee_key.public_key() != key.public_key();
  BASALT_ASSIGN_OR_RETURN(const auto outs, l1.spendable(kaspa::p2pk_script(key.public_key())));
  if (outs.size() < (fund ? 2u : 1u))
    return Error{ErrorCode::kUnavailable, "the funding key has too few spendable outputs"};
  const std::uint64_t funding = options.fee_funding * options.fee_outputs;
  if (outs[0].second.amount < options.covenant_value + kSetupFeeAllowance ||
      (fund && outs[1].second.amount < funding + kSetupFeeAllowance))
    return Error{ErrorCode::kInvalid,
                 "the funding key's outputs cannot fund the covenant and fees"};
  settle::CovenantScript covenant(covenant_pins(guests));
  // Each setup transaction pays kaspad's minimum relay fee for its mass (the fee does not change
  // the mass, so a draft without one prices it).
  const auto genesis = [&](std::uint64_t fee) {
    return settle::genesis_transaction(covenant, {state.root(), kaspa::LaneTip()},
                                       options.covenant_value, outs[0].first, outs[0].second, key,
                                       fee);
  };
  const settle::Genesis g = genesis(kaspa::minimum_fee(genesis(0).tx));
  std::vector<kaspa::Transaction> setup{g.tx};
  if (fund) {
    const auto split = [&](std::uint64_t fee) {
      return split_payment(outs[1].first, outs[1].second, key,
                           kaspa::p2pk_script(fee_key.public_key()), options.fee_outputs,
                           options.fee_funding, fee);
    };
    setup.push_back(split(kaspa::minimum_fee(split(0))));
  }
  for (const kaspa::Transaction& tx : setup) BASALT_TRY(l1.submit_transaction(tx));
  std::unique_ptr<SettlementPipeline> p(
      new SettlementPipeline(driver, system, std::move(guests), std::move(covenant), state, 0,
                             {g.covenant_id, state.root()}, fee_key, options));
  p->setup_ = std::move(setup);
  return p;
}

core::Result<std::unique_ptr<SettlementPipeline>> SettlementPipeline::resume(
    Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
    std::uint64_t after, const settle::CovenantOrigin& origin, const crypto::SecretKey& fee_key,
    std::map<std::uint64_t, zk::Receipt> proven, const SettlementOptions& options) {
  settle::CovenantScript covenant(covenant_pins(guests));
  std::unique_ptr<SettlementPipeline> p(new SettlementPipeline(driver, system, std::move(guests),
                                                               std::move(covenant), state, after,
                                                               origin, fee_key, options));
  BASALT_TRY(p->keep(std::move(proven), after));
  return p;
}

core::Result<std::unique_ptr<SettlementPipeline>> SettlementPipeline::prove_only(
    Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
    std::uint64_t after, const kaspa::CovenantId& covenant,
    std::map<std::uint64_t, zk::Receipt> proven, const SettlementOptions& options) {
  settle::CovenantScript script(covenant_pins(guests));
  std::unique_ptr<SettlementPipeline> p(
      new SettlementPipeline(driver, system, std::move(guests), std::move(script), state, after,
                             {covenant, state.root()}, std::nullopt, options));
  BASALT_TRY(p->keep(std::move(proven), after));
  return p;
}

core::Status SettlementPipeline::keep(std::map<std::uint64_t, zk::Receipt> proven,
                                      std::uint64_t after) {
  std::lock_guard lk(m_);
  for (auto& [batch, receipt] : proven) {
    if (batch > after) break;
    auto journal = zk::decode_batch_transition(receipt.journal);
    if (!journal.ok()) {
      return Error{ErrorCode::kInvalid, "the kept receipt of batch " + std::to_string(batch) +
                                            ": " + journal.error().to_string()};
    }
    const std::size_t bytes = zk::encoded_receipt_size(receipt);
    proven_[batch] = {std::move(receipt), *journal, bytes};
  }
  return core::Status::Ok();
}

void SettlementPipeline::restart_settler() {
  settler_ = std::make_unique<settle::Settler>(driver_.source(), covenant_, covenant_id_, *fee_key_,
                                               options_.settler);
}

core::Result<zk::BatchWork> SettlementPipeline::work(const exec::BatchResult& r) const {
  const std::uint64_t p = r.id.value;
  const l1::ChainBlockInfo& info = driver_.block(p);
  zk::BatchWork w;
  w.batch = p;
  w.block = {info.blue_score,
             info.daa_score,
             info.selected_parent_timestamp,
             info.selected_parent_seq_commit,
             info.activity_root,
             info.payload_and_ctx_digest,
             {},
             {}};
  if (!r.txs.empty()) {
    // The block touched the lane: the batch guest checks the tip it computes against the lane SMT.
    const kaspa::LaneKey& key = covenant_.pins().lane_key;
    auto proof = l1::lane_proof_at(driver_.source(), info, key);
    if (!proof.ok()) {
      return Error{proof.error().code(),
                   "the lane proof of batch " + std::to_string(p) + ": " + proof.error().context()};
    }
    w.block.inactivity_shortcut = proof->inactivity_shortcut;
    w.block.lane_proof = proof->smt_proof.to_bytes();
  }
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

core::Result<std::optional<std::pair<std::uint64_t, kaspa::Outpoint>>>
SettlementPipeline::covenant_at() const {
  // Batches that leave state and lane tip unchanged (no lane activity) share a covenant state;
  // the lowest one is as good a start as any.
  std::vector<std::uint64_t> batches = {0};
  std::vector<settle::CovenantState> states = {initial_};
  {
    std::lock_guard lk(m_);
    for (const auto& [batch, pr] : proven_) {
      batches.push_back(batch);
      states.push_back({pr.journal.new_state, pr.journal.new_lane_tip});
    }
  }
  using At = std::pair<std::uint64_t, kaspa::Outpoint>;
  BASALT_ASSIGN_OR_RETURN(const auto cov, settler_->covenant(states));
  if (!cov) return std::optional<At>();
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (covenant_.spk(states[i]) == cov->second.script_public_key)
      return std::optional<At>(At{batches[i], cov->first});
  }
  return std::optional<At>();
}

std::optional<std::uint64_t> SettlementPipeline::settled_batch() const {
  if (!settles()) return std::nullopt;
  auto at = covenant_at();
  if (!at.ok() || !*at) return std::nullopt;
  return (*at)->first;
}

core::Result<std::optional<kaspa::Outpoint>> SettlementPipeline::covenant_output() const {
  if (!settles()) return std::optional<kaspa::Outpoint>();
  BASALT_ASSIGN_OR_RETURN(const auto at, covenant_at());
  if (!at) return std::optional<kaspa::Outpoint>();
  return std::optional<kaspa::Outpoint>(at->second);
}

const zk::Receipt* SettlementPipeline::batch_receipt(std::uint64_t batch) const {
  std::lock_guard lk(m_);
  auto it = proven_.find(batch);
  return it == proven_.end() ? nullptr : &it->second.receipt;
}

core::Result<std::optional<settle::Bundle>> SettlementPipeline::next_bundle(
    std::uint64_t proven_up_to) {
  const auto at = settled_batch();
  if (!at)
    return std::optional<settle::Bundle>();  // the covenant is not (yet) where our batches are
  const std::uint64_t first = *at + 1;
  // The proven batches from `first` on, as far as their receipts fit into one settlement (at
  // least one batch: if that alone does not fit, L1 refuses it with its reason).
  std::uint64_t last_proven = 0;
  std::uint64_t min_size = options_.bundle_size;
  {
    std::lock_guard lk(m_);
    std::size_t bytes = 0;
    for (auto it = proven_.find(first); it != proven_.end() && it->first <= proven_up_to; ++it) {
      bytes += it->second.bytes;
      if (last_proven != 0 && bytes > options_.max_bundle_receipt_bytes) {
        min_size = std::min<std::uint64_t>(min_size, last_proven + 1 - first);
        break;
      }
      last_proven = it->first;
    }
  }
  if (last_proven == 0 || last_proven + 1 < first + min_size)
    return std::optional<settle::Bundle>();
  // The bundle ends at the latest batch (within the size bounds) whose block holds the lane in its
  // lane SMT (the aggregator proves the last tip's inclusion there). Its block is the anchor,
  // which must stay within the access window until L1 accepts the settlement: when no batch
  // within the size bounds is that recent (settlement stalled, or a restart after a long stop),
  // the bundle grows to the latest proven batch instead.
  const std::uint64_t tip_blue_score = driver_.block(driver_.chain_length()).blue_score;
  const auto fresh = [&](std::uint64_t b) {
    return driver_.held(b) && driver_.block(b).blue_score + options_.settler.finality_depth >
                                  tip_blue_score + options_.settler.anchor_margin;
  };
  std::uint64_t last = std::min<std::uint64_t>(
      last_proven, first + std::max(options_.bundle_size, options_.max_bundle_size) - 1);
  if (!fresh(last)) last = last_proven;
  std::optional<l1::LaneProof> proof;
  for (; last + 1 >= first + min_size && fresh(last); --last) {
    auto lp = driver_.source().lane_proof(driver_.block(last).hash, covenant_.pins().lane_key);
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
  BASALT_ASSIGN_OR_RETURN(std::vector<exec::Exit> exits, zk::bundle_exits(agg.assumptions));
  BASALT_ASSIGN_OR_RETURN(const zk::StateTransition journal,
                          zk::decode_state_transition(agg.journal));
  return std::optional<settle::Bundle>(settle::Bundle{first, last, driver_.block(last).hash,
                                                      driver_.block(last).blue_score,
                                                      std::move(agg), journal, std::move(exits)});
}

core::Status SettlementPipeline::settle_next(SettlementReport& report, std::uint64_t proven_up_to) {
  BASALT_ASSIGN_OR_RETURN(std::optional<settle::Bundle> next, next_bundle(proven_up_to));
  if (!next) return core::Status::Ok();
  const settle::CovenantState from{next->journal.prev_state,
                                   kaspa::LaneTip(next->journal.prev_lane_tip)};
  auto ev = settler_->settle(*next, from);
  if (!ev.ok()) {
    if (ev.error().code() == ErrorCode::kUnavailable) return core::Status::Ok();
    return ev.error();
  }
  if (ev->kind == settle::SettlerEvent::Kind::kSubmitted)
    report.submitted.push_back(std::move(*next));
  report.events.push_back(std::move(*ev));
  return core::Status::Ok();
}

core::Result<SettlementReport> SettlementPipeline::after_step(const StepReport& step,
                                                              bool settle_more) {
  SettlementReport report;
  std::vector<zk::BatchWork> works;
  for (const exec::BatchResult& r : step.executed) {
    BASALT_ASSIGN_OR_RETURN(zk::BatchWork w, work(r));
    works.push_back(std::move(w));
  }
  std::uint64_t proven_before = 0;
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
    // What the prover finishes while this step is settled waits for the next step: the step's
    // decisions depend on the steps before it, not on the prover thread's timing.
    proven_before = proven_batch_locked();
    for (zk::BatchWork& w : works) queue_.push_back(std::move(w));
    work_cv_.notify_all();
    done_cv_.wait(lk, [&] { return failure_ || queue_.size() <= options_.max_queued_batches; });
    if (failure_) return *failure_;
    // Receipts older than the access window can never be settled; keep the map bounded.
    while (!proven_.empty() &&
           proven_.begin()->first + 2 * options_.settler.finality_depth < proven_batch_locked())
      proven_.erase(proven_.begin());
  }
  if (!settles()) return report;
  for (auto& e : settler_->on_chain(step.change)) report.events.push_back(std::move(e));
  if (settle_more && !settler_->busy()) BASALT_TRY(settle_next(report, proven_before));
  return report;
}

settle::CovenantPins covenant_pins(const zk::Guests& g) {
  return {kaspa::lane_key(app_lane()), g.tx.program->image_id(), g.batch.program->image_id(),
          g.aggregate.program->image_id()};
}

}  // namespace basalt::node
