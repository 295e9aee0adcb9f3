// The node's side of settlement: creating the app's covenant or resuming the pipeline after a
// restart, storing receipts as the prover makes them, and each step's settlement.
#include <algorithm>
#include <map>
#include <thread>

#include "crypto/domain.hpp"
#include "node/node.hpp"
#include "node/records.hpp"
#include "zk/receipt.hpp"

namespace basalt::node {

using core::Error;
using core::ErrorCode;

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

SettlementOptions Node::settlement_options() {
  const Config& c = config_;
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
  return so;
}

core::Result<std::map<std::uint64_t, zk::Receipt>> Node::kept_receipts(std::uint64_t after) const {
  // Receipts of batches that a bundle may still start from: the pipeline keeps 2F of them.
  std::map<std::uint64_t, zk::Receipt> kept;
  const std::uint64_t window = 2 * config_.finality_depth;
  for (std::uint64_t b = after > window ? after - window : 1; b <= after && b > 0; ++b) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> bytes, index_->batch_receipt(b));
    if (!bytes) continue;
    BASALT_ASSIGN_OR_RETURN(zk::Receipt r, zk::decode_receipt(*bytes));
    kept.emplace(b, std::move(r));
  }
  return kept;
}

core::Status Node::open_pipeline(std::uint64_t after) {
  const Config& c = config_;
  zk::ProofSystem& system = *runtime_->proof_system();
  zk::Guests guests = *runtime_->guests();
  const SettlementOptions so = settlement_options();
  BASALT_ASSIGN_OR_RETURN(const std::optional<settle::CovenantOrigin> origin, index_->covenant());
  if (origin) covenant_ = origin->id;
  if (observer_ || !c.settle_enabled) {
    // Receipts pin the app's covenant when it has one, so that settling later can use them.
    BASALT_ASSIGN_OR_RETURN(auto kept, kept_receipts(after));
    BASALT_ASSIGN_OR_RETURN(
        pipeline_,
        SettlementPipeline::prove_only(
            *driver_, system, std::move(guests), store_->smt(), after,
            origin ? origin->id : covenant_.value_or(kaspa::CovenantId()), std::move(kept), so));
    return core::Status::Ok();
  }
  if (runtime_->dev_key() == nullptr && c.settlement_key.empty()) {
    return Error{ErrorCode::kInvalid,
                 "settle.key: settling on an L1 other than the embedded simulator needs a key with "
                 "funds there (`basalt sim serve --faucet-key-out FILE` writes the served "
                 "simulator's)"};
  }
  BASALT_ASSIGN_OR_RETURN(const crypto::SecretKey key, settlement_key(c));
  if (origin) {
    BASALT_ASSIGN_OR_RETURN(auto kept, kept_receipts(after));
    BASALT_ASSIGN_OR_RETURN(
        pipeline_, SettlementPipeline::resume(*driver_, system, std::move(guests), store_->smt(),
                                              after, *origin, key, std::move(kept), so));
    history_ = std::make_unique<SettlementHistory>(*index_, metrics_, log_, c.confirmations);
    BASALT_TRY(history_->reopen(*driver_));
    exits_ = std::make_unique<ExitFollower>(*index_, c.finality_depth);
    BASALT_TRY(exits_->load(after));
    status_.settlements = history_->submitted();
    status_.settlements_confirmed = history_->confirmed();
    status_.settled_confirmed = history_->settled_confirmed();
    return core::Status::Ok();
  }
  if (after != 0) {
    return Error{ErrorCode::kInvalid,
                 "this data directory was run without settlement and has no covenant; "
                 "settlement starts with a fresh data directory"};
  }
  // The embedded L1's faucet funds the covenant and the settlement key; with another L1 the
  // settlement key pays for both.
  const crypto::SecretKey& funding = runtime_->dev_key() ? *runtime_->dev_key() : key;
  BASALT_ASSIGN_OR_RETURN(pipeline_, SettlementPipeline::create(*driver_, system, std::move(guests),
                                                                store_->smt(), funding, key, so));
  BASALT_TRY(index_->log_covenant(pipeline_->origin()));
  // Kept in the state store too: an index rebuilt from it (--rebuild-index) settles on.
  BASALT_TRY(store_->bind("covenant", encode_covenant_origin(pipeline_->origin())));
  history_ = std::make_unique<SettlementHistory>(*index_, metrics_, log_, c.confirmations);
  exits_ = std::make_unique<ExitFollower>(*index_, c.finality_depth);
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

core::Status Node::settle_step(const StepReport& report, bool live) {
  // Open settlements follow this step's chain changes before the step's new settlement opens: it
  // goes into the mempool for the next step.
  if (history_) {
    BASALT_TRY(exits_->apply(report.change, driver_->chain_length()));
    BASALT_TRY(history_->follow(report, driver_->source(), pipeline_->covenant_output(), live));
  }
  BASALT_ASSIGN_OR_RETURN(const SettlementReport r, pipeline_->after_step(report, live));
  if (stored_proven_ != pipeline_->proven_batch()) {
    stored_proven_ = pipeline_->proven_batch();
    BASALT_TRY(index_->set_proven(stored_proven_));
  }
  if (!history_) return core::Status::Ok();
  const std::uint64_t before = history_->submitted();
  BASALT_TRY(history_->record(r, driver_->next_step()));
  for (std::uint64_t seq = before + 1; seq <= history_->submitted(); ++seq) {
    BASALT_TRY(exits_->follow(seq));
  }
  const std::optional<std::uint64_t> settled = pipeline_->settled_batch();
  std::lock_guard lock(status_mutex_);
  if (settled) status_.settled = *settled;
  status_.settlements = history_->submitted();
  status_.settlements_confirmed = history_->confirmed();
  status_.settled_confirmed = history_->settled_confirmed();
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

}  // namespace basalt::node
