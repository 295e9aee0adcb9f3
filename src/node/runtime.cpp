#include "node/runtime.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

#include "l1/sim/embedded.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

// Everything that decides the simulated chain and its generated transactions: a data directory
// is never continued by another simulation.
core::Bytes sim_identity(const RuntimeOptions& o, const std::string& app) {
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

Runtime::~Runtime() {
  // The driver and the executor use the store and the source; the source reads the users.
  driver_.reset();
  executor_.reset();
  l1_.reset();
}

const crypto::SecretKey* Runtime::dev_key() const {
  return l1_ ? &l1_->faucet_key() : nullptr;
}

core::Result<std::unique_ptr<Runtime>> Runtime::open(
    const RuntimeOptions& o, const std::function<core::Status(state::StateStore&)>& before_driver) {
  if (o.data_dir.empty()) return Error{ErrorCode::kInvalid, "a data directory is required"};
  std::unique_ptr<Runtime> rt(new Runtime());
  state::StoreOptions so;
  so.sync = o.sync;
  so.rollback_window = o.finality_depth;
  BASALT_ASSIGN_OR_RETURN(rt->store_, state::StateStore::open(o.data_dir + "/state", so));
  BASALT_ASSIGN_OR_RETURN(exec::App app, exec::load_app(o.app, o.guest_dir));
  rt->image_id_ = app.program->image_id();
  BASALT_TRY(rt->store_->bind("app image id", rt->image_id_.span()));
  // A data directory that settled before needs the verifier even with the prover off: the
  // embedded L1 replays its settlements, whose scripts verify receipts.
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> covenant, rt->store_->bound("covenant"));
  if (o.prove || (covenant && o.source == nullptr)) {
    BASALT_ASSIGN_OR_RETURN(rt->guests_, zk::load_guests(app, o.guest_dir));
    auto system = std::make_unique<zk::ReexecProofSystem>();
    zk::register_guests(*system, *rt->guests_);
    rt->system_ = std::move(system);
    rt->verifier_ = std::make_unique<settle::ReceiptVerifier>(*rt->system_);
  }
  l1::BlockProducer* producer = o.producer;
  if (o.source != nullptr) {
    rt->source_ = o.source;
  } else {
    BASALT_TRY(rt->open_source(o, app.name));
    rt->source_ = rt->l1_.get();
    producer = rt->l1_.get();
  }
  if (before_driver) BASALT_TRY(before_driver(*rt->store_));
  rt->executor_ = std::make_unique<exec::Executor>(*rt->store_, std::move(app), o.threads);
  rt->executor_->keep_inputs(o.prove);
  DriverOptions d;
  d.finality_depth = o.finality_depth;
  d.max_blocks_per_step = o.max_blocks_per_step;
  BASALT_ASSIGN_OR_RETURN(rt->driver_,
                          Driver::open(d, *rt->store_, *rt->executor_, *rt->source_, producer));
  return rt;
}

core::Status Runtime::open_source(const RuntimeOptions& o, const std::string& app) {
  if (o.users_tx_per_block != 0 && app != "counter" && app != "token") {
    return Error{ErrorCode::kInvalid,
                 "seeded users exist only for the built-in apps (counter, token), not " + app};
  }
  BASALT_TRY(store_->bind("sim run", sim_identity(o, app)));
  l1::sim::EmbeddedOptions eo;
  eo.params.seed = o.sim_seed;
  eo.params.finality_depth = o.finality_depth;
  eo.params.reorg_every = o.reorg_every;
  eo.params.reorg_depth = o.reorg_depth;
  eo.sync = o.sync;
  eo.zk = verifier_.get();
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir + "/l1", ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + o.data_dir + "/l1: " + ec.message()};
  eo.journal_path = o.data_dir + "/l1/journal";
  if (o.users_tx_per_block != 0) {
    users::WorkloadParams wp;
    wp.app = app;
    wp.seed = o.sim_seed;
    wp.tx_per_block = o.users_tx_per_block;
    wp.invalid_permille = o.users_invalid_permille;
    wp.accounts = o.users_accounts;
    wp.exit_permille = o.users_exit_permille;
    wp.lane = app_lane();
    users_.emplace(wp);
    eo.load = [users = &*users_](std::uint64_t step) { return users->next_block(step); };
  } else {
    eo.load = [](std::uint64_t) { return std::vector<kaspa::Transaction>{}; };
  }
  BASALT_ASSIGN_OR_RETURN(l1_, l1::sim::Embedded::open(std::move(eo)));
  return core::Status::Ok();
}

}  // namespace basalt::node
