// Opening a node: its runtime (state store, L1 source, executor, driver), its index and where it
// resumes — after its last committed batch, or lower when the prover must see batches again, or
// from a rebuilt index (--rebuild-index).
#include <ctime>
#include <filesystem>

#include "core/files.hpp"
#include "l1/kaspad/source.hpp"
#include "node/node.hpp"
#include "node/records.hpp"

namespace basalt::node {

using core::Error;
using core::ErrorCode;

namespace {

RuntimeOptions runtime_options(const Config& c) {
  RuntimeOptions o;
  o.data_dir = c.data_dir;
  o.app = c.app;
  o.guest_dir = c.guest_dir;
  o.threads = c.threads;
  o.sync = c.sync;
  o.prove = c.prover_enabled;
  o.guests = c.da_snapshots > 0;
  o.finality_depth = c.finality_depth;
  o.sim_seed = c.sim_seed;
  o.reorg_every = c.reorg_every;
  o.reorg_depth = c.reorg_depth;
  o.users_tx_per_block = c.users_tx_per_block;
  o.users_invalid_permille = c.users_invalid_permille;
  o.users_accounts = c.users_accounts;
  o.users_exit_permille = c.users_exit_permille;
  if (c.l1_source == "kaspad") o.kaspad_url = c.l1_url;
  o.network = c.l1_network;
  return o;
}

}  // namespace

core::Result<std::unique_ptr<Node>> Node::open(const Config& c, Logger& log,
                                               l1::ChainSource* source, l1::BlockProducer* producer,
                                               const Start& start) {
  std::unique_ptr<Node> n(new Node(c, log));
  describe_node_metrics(n->metrics_);
  core::limit_allocator_retention();  // a node runs for days: see core/files.hpp
  RuntimeOptions ro = runtime_options(c);
  ro.source = source;
  ro.producer = producer;
  std::uint64_t after = 0;
  const auto before_driver = [&](state::StateStore& store,
                                 l1::ChainSource& l1) -> core::Result<l1::ChainSource*> {
    if (start) {
      BASALT_ASSIGN_OR_RETURN(n->start_source_, start(store, l1));
    }
    if (start && store.tip().value > 0 && !std::filesystem::exists(c.data_dir + "/index/CURRENT")) {
      // Filled from elsewhere (also when stopped right after): the index starts with that batch.
      BASALT_ASSIGN_OR_RETURN(n->index_, NodeIndex::open(c.data_dir + "/index"));
      BASALT_TRY(n->index_row_from_store(store, store.tip().value));
      n->index_.reset();  // resume_point opens it as on any start
    }
    BASALT_ASSIGN_OR_RETURN(after, n->resume_point(store));
    return n->start_source_ ? n->start_source_.get() : &l1;
  };
  BASALT_ASSIGN_OR_RETURN(n->runtime_, Runtime::open(ro, before_driver));
  n->store_ = &n->runtime_->store();
  n->executor_ = &n->runtime_->executor();
  n->driver_ = &n->runtime_->driver();
  BASALT_ASSIGN_OR_RETURN(const std::vector<kaspa::TxId> in_flight, n->index_->in_flight());
  n->in_flight_.insert(in_flight.begin(), in_flight.end());
  l1::kaspad::Source* kaspad = n->runtime_->kaspad();
  n->observer_ =
      kaspad != nullptr && kaspad->server().server_version != l1::kaspad::kBasaltSimVersion;
  n->covenant_ = c.da_covenant;
  if (c.prover_enabled) BASALT_TRY(n->open_pipeline(after));
  BASALT_TRY(n->open_snapshots());
  n->status_.executed = n->status_.committed = n->store_->tip().value;
  n->status_.committed_root = n->store_->root();
  n->status_.proven = n->stored_proven_;
  n->status_.l1_step = n->driver_->next_step() - 1;
  return n;
}

std::string Node::l1_description() const {
  const std::string network(kaspa::network_name(config_.l1_network));
  auto* kaspad = runtime_->kaspad();
  if (kaspad == nullptr) return "the embedded simulator (" + network + ")";
  return "kaspad at " + config_.l1_url + " (" + network + ", " + kaspad->server().server_version +
         ")";
}

core::Result<std::uint64_t> Node::resume_point(state::StateStore& store) {
  const Config& c = config_;
  const std::string index_dir = c.data_dir + "/index";
  if (c.rebuild_index) return rebuild_index(store);
  if (store.tip().value > 0 && !std::filesystem::exists(index_dir + "/CURRENT")) {
    return Error{
        ErrorCode::kCorrupt,
        "node index " + index_dir + " is missing while the state store holds batches 1.." +
            std::to_string(store.tip().value) +
            "; `basalt node --rebuild-index` builds a new one from the state store and L1"};
  }
  BASALT_ASSIGN_OR_RETURN(index_, NodeIndex::open(index_dir));
  BASALT_TRY(align_index(store));
  // Batches committed but not proven before a restart are executed again, so that the prover gets
  // their inputs (they are not stored); so is the rollback window, which the prover's own undo
  // log must cover.
  const std::uint64_t tip = store.tip().value;
  BASALT_ASSIGN_OR_RETURN(std::uint64_t proven, index_->proven());
  proven = std::min(proven, tip);
  if (!c.prover_enabled || tip == 0) return tip;
  const std::uint64_t floor = store.rollback_floor().value;
  if (proven < floor) {
    log_.error("batches " + std::to_string(proven + 1) + ".." + std::to_string(floor) +
               " were committed but not proven and lie below the rollback window; they stay "
               "without receipts and settlement cannot pass them");
    metrics_.set("basalt_unproven_batches", static_cast<double>(floor - proven));
  }
  const std::uint64_t after =
      std::max(floor, std::min(proven, tip > c.finality_depth ? tip - c.finality_depth : 0));
  if (after < tip) {
    log_.info("re-executing batches " + std::to_string(after + 1) + ".." + std::to_string(tip) +
              " for the prover");
    BASALT_TRY(store.rollback_to({after}));
    BASALT_TRY(index_->rollback(after, tip));
  }
  stored_proven_ = std::min(proven, after);
  BASALT_TRY(index_->set_proven(stored_proven_));
  return after;
}

core::Status Node::align_index(state::StateStore& store) {
  const std::uint64_t tip = store.tip().value, floor = store.rollback_floor().value;
  std::uint64_t top = tip;
  for (;;) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<BatchRow> row, index_->batch(top + 1));
    if (!row) break;
    ++top;
  }
  std::uint64_t recorded = tip;
  for (; recorded > floor; --recorded) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<BatchRow> row, index_->batch(recorded));
    if (row) break;
  }
  if (recorded < tip) {
    log_.info("executing batches " + std::to_string(recorded + 1) + ".." + std::to_string(tip) +
              " again: the node stopped before their records reached the index");
    BASALT_TRY(store.rollback_to({recorded}));
  }
  return recorded < top ? index_->rollback(recorded, top) : core::Status::Ok();
}

core::Status Node::index_row_from_store(const state::StateStore& store, std::uint64_t p) {
  BASALT_ASSIGN_OR_RETURN(const state::BatchRecord rec, store.batch({p}));
  auto meta = exec::decode_batch_meta(rec.meta);
  auto extra =
      meta.ok() ? decode_batch_extra(meta->extra) : core::Result<BatchRecordExtra>(meta.error());
  if (!extra.ok()) {
    return Error{ErrorCode::kCorrupt, "the state store's record of batch " + std::to_string(p) +
                                          ": " + extra.error().to_string()};
  }
  const BatchRow row{p,         meta->block,  extra->blue_score, extra->step,
                     meta->txs, meta->failed, rec.root,          {}};
  return index_->put_batch(row, {});
}

core::Result<std::uint64_t> Node::rebuild_index(state::StateStore& store) {
  const std::string dir = config_.data_dir + "/index";
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    const std::string aside = dir + ".damaged-" + std::to_string(std::time(nullptr));
    std::filesystem::rename(dir, aside, ec);
    if (ec) return Error{ErrorCode::kIo, "cannot move " + dir + " aside: " + ec.message()};
    log_.warn("node index moved aside to " + aside);
  }
  BASALT_ASSIGN_OR_RETURN(index_, NodeIndex::open(dir));
  // The batches the state store can still roll back are executed again from L1, so that their
  // transactions' records (and, proving, their receipts) come back; below them, their rows.
  const std::uint64_t floor = store.rollback_floor().value;
  if (store.tip().value > floor) BASALT_TRY(store.rollback_to({floor}));
  for (std::uint64_t p = 1; p <= floor; ++p) BASALT_TRY(index_row_from_store(store, p));
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> covenant, store.bound("covenant"));
  if (covenant) {
    BASALT_ASSIGN_OR_RETURN(const settle::CovenantOrigin origin, decode_covenant_origin(*covenant));
    BASALT_TRY(index_->log_covenant(origin));
  }
  if (config_.prover_enabled) {
    // They were proven before; their receipts are not kept any more (settlement goes on above).
    BASALT_TRY(index_->set_proven(floor));
    stored_proven_ = floor;
  }
  log_.warn("node index rebuilt: batches 1.." + std::to_string(floor) +
            " from the state store (without their transactions' records and receipts), the rest "
            "executed again from L1; the settlement history and the submissions followed before "
            "are not in it");
  return floor;
}

core::Status Node::open_snapshots() {
  if (config_.da_snapshots == 0) return core::Status::Ok();
  if (!covenant_) {
    log_.info(
        "no snapshots at settled checkpoints: the app's covenant is not known ([da] covenant)");
    return core::Status::Ok();
  }
  SnapshotOptions o;
  o.dir = std::filesystem::path(config_.data_dir) / "snapshots";
  o.covenant_id = *covenant_;
  o.keep = config_.da_snapshots;
  o.chunk_resources = config_.da_snapshot_chunk;
  snapshots_ = std::make_unique<SnapshotKeeper>(o, covenant_pins(*runtime_->guests()), log_);
  return core::Status::Ok();
}

}  // namespace basalt::node
