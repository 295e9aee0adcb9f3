#include "cli/node_command.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "client/node_sync.hpp"
#include "core/files.hpp"
#include "exec/executor.hpp"
#include "kaspa/address.hpp"
#include "node/api.hpp"
#include "node/config.hpp"
#include "node/log.hpp"
#include "node/node.hpp"
#include "node/settlement.hpp"
#include "zk/prover.hpp"

namespace basalt::cli {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_signal(int) {
  g_stop.store(true);
}

// `--sync-from`: what fills an empty data directory from the mirrors before the driver starts
// (client/node_sync.hpp). Errors: kInvalid for a configuration that cannot sync; loading the
// guests.
core::Result<node::Node::Start> sync_start(const node::Config& c, const std::string& mirrors,
                                           node::Logger& log) {
  if (c.l1_source != "kaspad")
    return core::Error{core::ErrorCode::kInvalid,
                       "--sync-from needs [l1] source = \"kaspad\": an embedded simulator's "
                       "history is the node's own"};
  if (c.da_role != node::DaRole::kMirror || !c.da_covenant)
    return core::Error{core::ErrorCode::kInvalid,
                       "--sync-from needs [da] role = \"mirror\" and [da] covenant (the app's "
                       "covenant on L1, which says which snapshot to trust)"};
  if (c.prover_enabled)
    return core::Error{core::ErrorCode::kInvalid,
                       "--sync-from needs [prover] enabled = false: the batches before the "
                       "snapshot cannot be proven"};
  client::NodeSyncOptions o;
  std::stringstream list(mirrors);
  for (std::string url; std::getline(list, url, ',');) {
    if (url.empty())
      return core::Error{core::ErrorCode::kInvalid, "--sync-from: an empty URL in the list"};
    o.mirrors.push_back(url);
  }
  BASALT_ASSIGN_OR_RETURN(const exec::App app, exec::load_app(c.app, c.guest_dir));
  BASALT_ASSIGN_OR_RETURN(const zk::Guests guests, zk::load_guests(app, c.guest_dir));
  o.dir = std::filesystem::path(c.data_dir) / "sync";
  o.covenant = *c.da_covenant;
  o.pins = node::covenant_pins(guests);
  o.lane = node::app_lane();
  o.finality_depth = c.finality_depth;
  return node::Node::Start([o, &log](state::StateStore& store, l1::ChainSource& l1) {
    return client::sync_node(o, store, l1, log);
  });
}

}  // namespace

int run_node(const std::string& config_path, const std::string& default_guest_dir,
             bool rebuild_index, const std::string& sync_from, std::ostream& out) {
  auto config = node::load_config(config_path);
  if (!config.ok()) {
    out << "basalt: " << config_path << ": " << config.error().context() << "\n";
    return 2;
  }
  if (config->guest_dir.empty()) config->guest_dir = default_guest_dir;
  config->rebuild_index = rebuild_index;
  node::Logger log(out, config->log_level, &out == &std::cerr && isatty(STDERR_FILENO));

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  node::Node::Start start;
  if (!sync_from.empty()) {
    auto hook = sync_start(*config, sync_from, log);
    if (!hook.ok()) {
      out << "basalt: " << hook.error().context() << "\n";
      return 2;
    }
    start = std::move(*hook);
  }
  auto n = node::Node::open(*config, log, nullptr, nullptr, start);
  if (!n.ok()) {
    log.error("cannot start: " + n.error().to_string());
    return 1;
  }
  node::Node& node = **n;
  std::string l1_line = "app " + config->app + " image id " + node.app_image_id().hex() +
                        "; L1: " + node.l1_description();
  if (node.faucet_key() != nullptr) {
    // The simulator's faucet key, for clients that fund lane transactions (a development key
    // derived from the public seed: it guards nothing).
    const std::string key_path = config->data_dir + "/sim-faucet.key";
    std::ofstream key(key_path);
    key << core::to_hex(node.faucet_key()->export_bytes()) << "\n";
    if (!key) {
      log.error("cannot write " + key_path);
      return 1;
    }
    const kaspa::Address faucet = kaspa::Address::p2pk(kaspa::address_prefix(config->l1_network),
                                                       node.faucet_key()->public_key());
    l1_line += ", seed " + std::to_string(config->sim_seed) + "; faucet " + faucet.to_string() +
               ", its key in " + key_path;
  }
  log.info(l1_line);
  if (node.observer()) {
    log.warn(
        "keyless observer: this L1 cannot verify basalt's re-execution receipts, so the node "
        "follows and executes the lane, proves locally and serves its API, but settles nothing");
  }
  if (!config->prover_enabled) {
    log.info("prover: off");
  } else {
    log.info(std::string("prover: transaction, batch") + (node.settles() ? " and aggregate" : "") +
             " receipts by re-execution (not succinct, not zero-knowledge)");
  }
  if (node.settles()) {
    log.info("settlement: covenant " + node.covenant_id()->hex() + ", bundles of " +
             std::to_string(config->bundle_size) + " batches");
  } else {
    log.info("settlement: off");
  }
  core::raise_open_file_limit();
  auto api = node::Api::start(node, log);
  if (!api.ok()) {
    log.error(api.error().to_string());
    return 1;
  }
  const core::Status st = node.run(g_stop);
  api->reset();
  const node::NodeStatus s = node.status();
  log.info("stopped at batch " + std::to_string(s.committed) + " (root " + s.committed_root.hex() +
           ")" + (config->prover_enabled ? ", proven " + std::to_string(s.proven) : "") +
           (node.settles() ? ", settled " + std::to_string(s.settled_confirmed) + " (" +
                                 std::to_string(s.settlements_confirmed) + " settlements confirmed)"
                           : ""));
  if (!st.ok()) {
    log.error(st.error().to_string());
    return 1;
  }
  return 0;
}

}  // namespace basalt::cli
