#include "node/runtime.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

#include "kaspa/seq_commit.hpp"
#include "l1/kaspad/source.hpp"
#include "l1/sim/embedded.hpp"

namespace basalt::node {

namespace {

core::Bytes as_bytes(const std::string& s) {
  return core::Bytes(s.begin(), s.end());
}

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

// What a bound setting was and is, in words: the differing keys of a JSON object (the simulator's
// settings), else the two values as text (the L1 source) or hex (an image id).
std::string difference(core::ByteSpan was, core::ByteSpan now) {
  const auto a = nlohmann::json::parse(was.begin(), was.end(), nullptr, false);
  const auto b = nlohmann::json::parse(now.begin(), now.end(), nullptr, false);
  if (a.is_object() && b.is_object()) {
    std::string out;
    for (const auto& [key, value] : a.items()) {
      const std::string here = b.contains(key) ? b[key].dump() : "unset";
      if (here == value.dump()) continue;
      out += (out.empty() ? "" : ", ") + key + " " + value.dump() + " (here " + here + ")";
    }
    if (!out.empty()) return out;
  }
  const auto printable = [](core::ByteSpan v) {
    return std::all_of(v.begin(), v.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7f; });
  };
  if (printable(was) && printable(now)) {
    return std::string(was.begin(), was.end()) + " (here " + std::string(now.begin(), now.end()) +
           ")";
  }
  return core::to_hex(was) + " (here " + core::to_hex(now) + ")";
}

// Binds the data directory to `value` under `name`; a directory bound to something else is refused
// with what differs (`what`: the setting in words).
core::Status bind_setting(state::StateStore& store, std::string_view name, const std::string& what,
                          core::ByteSpan value) {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> was, store.bound(name));
  if (!was || std::equal(was->begin(), was->end(), value.begin(), value.end())) {
    return store.bind(name, value);
  }
  return Error{ErrorCode::kInvalid, "this data directory was made with another " + what + ": " +
                                        difference(*was, value) +
                                        "; start it as it was made, or use another data directory"};
}

}  // namespace

Runtime::~Runtime() {
  // The driver and the executor use the store and the source; the source reads the users.
  driver_.reset();
  executor_.reset();
  l1_.reset();
  kaspad_.reset();
}

const crypto::SecretKey* Runtime::dev_key() const {
  return l1_ ? &l1_->faucet_key() : nullptr;
}

core::Result<std::unique_ptr<Runtime>> Runtime::open(const RuntimeOptions& o,
                                                     const BeforeDriver& before_driver) {
  if (o.data_dir.empty()) return Error{ErrorCode::kInvalid, "a data directory is required"};
  std::unique_ptr<Runtime> rt(new Runtime());
  state::StoreOptions so;
  so.sync = o.sync;
  so.rollback_window = o.finality_depth;
  // The app first: a name or path that is wrong creates nothing on disk.
  BASALT_ASSIGN_OR_RETURN(exec::App app, exec::load_app(o.app, o.guest_dir));
  BASALT_ASSIGN_OR_RETURN(rt->store_, state::StateStore::open(o.data_dir + "/state", so));
  rt->image_id_ = app.program->image_id();
  BASALT_TRY(bind_setting(*rt->store_, "app image id", "app (image id)", rt->image_id_.span()));
  // A data directory that settled before needs the verifier even with the prover off: the
  // embedded L1 replays its settlements, whose scripts verify receipts.
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> covenant, rt->store_->bound("covenant"));
  if (o.prove || o.guests || (covenant && o.source == nullptr)) {
    BASALT_ASSIGN_OR_RETURN(Verifier v, load_verifier(app, o.guest_dir));
    rt->guests_ = std::move(v.guests);
    rt->system_ = std::move(v.system);
    rt->verifier_ = std::move(v.verifier);
  }
  l1::BlockProducer* producer = o.producer;
  if (o.source != nullptr) {
    rt->source_ = o.source;
  } else if (!o.kaspad_url.empty()) {
    BASALT_TRY(rt->open_kaspad(o));
    rt->source_ = rt->kaspad_.get();
  } else {
    BASALT_TRY(rt->open_source(o, app.name));
    rt->source_ = rt->l1_.get();
    producer = rt->l1_.get();
  }
  if (before_driver) {
    BASALT_ASSIGN_OR_RETURN(rt->source_, before_driver(*rt->store_, *rt->source_));
  }
  rt->executor_ = std::make_unique<exec::Executor>(*rt->store_, std::move(app), o.threads);
  rt->executor_->keep_inputs(o.prove);
  DriverOptions d;
  d.finality_depth = o.finality_depth;
  d.max_blocks_per_step = o.max_blocks_per_step;
  BASALT_ASSIGN_OR_RETURN(rt->driver_,
                          Driver::open(d, *rt->store_, *rt->executor_, *rt->source_, producer));
  return rt;
}

core::Result<Verifier> load_verifier(const exec::App& app, const std::string& guest_dir) {
  Verifier v;
  BASALT_ASSIGN_OR_RETURN(v.guests, zk::load_guests(app, guest_dir));
  auto system = std::make_unique<zk::ReexecProofSystem>();
  zk::register_guests(*system, v.guests);
  v.system = std::move(system);
  v.verifier = std::make_unique<settle::ReceiptVerifier>(*v.system);
  return v;
}

core::Result<SimSetup> sim_setup(const RuntimeOptions& o, const std::string& app) {
  if (o.users_tx_per_block != 0 && app != "counter" && app != "token") {
    return Error{ErrorCode::kInvalid,
                 "seeded users exist only for the built-in apps (counter, token), not " + app};
  }
  SimSetup s;
  s.options.params.seed = o.sim_seed;
  s.options.params.finality_depth = o.finality_depth;
  s.options.params.reorg_every = o.reorg_every;
  s.options.params.reorg_depth = o.reorg_depth;
  s.options.sync = o.sync;
  if (o.users_tx_per_block != 0) {
    users::WorkloadParams wp;
    wp.app = app;
    wp.seed = o.sim_seed;
    wp.tx_per_block = o.users_tx_per_block;
    wp.invalid_permille = o.users_invalid_permille;
    wp.accounts = o.users_accounts;
    wp.exit_permille = o.users_exit_permille;
    wp.lane = app_lane();
    s.users = std::make_unique<users::Workload>(wp);
    s.options.load = [users = s.users.get()](std::uint64_t step) {
      return users->next_block(step);
    };
  } else {
    s.options.load = [](std::uint64_t) { return std::vector<kaspa::Transaction>{}; };
  }
  return s;
}

core::Status Runtime::open_source(const RuntimeOptions& o, const std::string& app) {
  BASALT_ASSIGN_OR_RETURN(SimSetup setup, sim_setup(o, app));
  BASALT_TRY(bind_setting(*store_, "l1 source", "L1", as_bytes("sim")));
  BASALT_TRY(bind_setting(*store_, "sim run", "simulator setting", sim_identity(o, app)));
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir + "/l1", ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + o.data_dir + "/l1: " + ec.message()};
  setup.options.journal_path = o.data_dir + "/l1/journal";
  setup.options.zk = verifier_.get();
  users_ = std::move(setup.users);
  BASALT_ASSIGN_OR_RETURN(l1_, l1::sim::Embedded::open(std::move(setup.options)));
  return core::Status::Ok();
}

core::Status Runtime::open_kaspad(const RuntimeOptions& o) {
  // A data directory follows one L1: its batches are that chain's blocks.
  BASALT_TRY(bind_setting(*store_, "l1 source", "L1",
                          as_bytes("kaspad " + std::string(kaspa::network_name(o.network)))));
  l1::kaspad::SourceOptions so;
  so.target = o.kaspad_url;
  so.network = o.network;
  so.lanes = {kaspa::lane_key(app_lane())};
  auto source = l1::kaspad::Source::open(std::move(so));
  if (!source.ok()) {
    return Error{source.error().code(), "L1 at " + o.kaspad_url + ": " + source.error().context()};
  }
  kaspad_ = std::move(*source);
  return core::Status::Ok();
}

}  // namespace basalt::node
