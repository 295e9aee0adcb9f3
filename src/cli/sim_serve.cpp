#include "cli/sim_serve.hpp"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/bytes.hpp"
#include "l1/sim/serve.hpp"
#include "node/runtime.hpp"

namespace basalt::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_serve_signal(int) {
  g_stop.store(true);
}

bool write_key(const std::string& path, const crypto::SecretKey& key) {
  std::ofstream out(path);
  out << core::to_hex(key.export_bytes()) << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int run_sim_serve(const SimServeOptions& o, std::ostream& log) {
  if (o.network != kaspa::Network::kDevnet && o.network != kaspa::Network::kSimnet) {
    log << "basalt: --network: the simulator is a devnet or simnet, not "
        << kaspa::network_name(o.network) << "\n";
    return 2;
  }
  auto app = exec::load_app(o.app, o.guest_dir);
  if (!app.ok()) {
    log << "basalt: --app: " << app.error().context() << "\n";
    return 2;
  }
  node::RuntimeOptions ro;
  ro.sim_seed = o.seed;
  ro.finality_depth = o.finality_depth;
  ro.reorg_every = o.reorg_every;
  ro.reorg_depth = o.reorg_depth;
  ro.users_tx_per_block = o.users_tx_per_block;
  ro.sync = o.sync;
  auto setup = node::sim_setup(ro, app->name);
  auto verifier = node::load_verifier(*app, o.guest_dir);
  if (!setup.ok() || !verifier.ok()) {
    log << "basalt: " << (setup.ok() ? verifier.error() : setup.error()).context() << "\n";
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  l1::sim::ServeConfig config;
  config.embedded = std::move(setup->options);
  config.embedded.journal_path = o.data_dir + "/journal";
  config.embedded.zk = verifier->verifier.get();
  config.rpc.network = o.network;
  config.listen = o.listen.empty()
                      ? "127.0.0.1:" + std::to_string(kaspa::default_grpc_port(o.network))
                      : o.listen;
  auto served = l1::sim::Served::start(std::move(config));
  if (!served.ok()) {
    log << "basalt: " << served.error().to_string() << "\n";
    return served.error().code() == core::ErrorCode::kUnavailable ? 2 : 1;
  }
  l1::sim::Served& s = **served;
  if (!o.faucet_key_out.empty() && !write_key(o.faucet_key_out, s.faucet_key())) {
    log << "basalt: cannot write " << o.faucet_key_out << "\n";
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_serve_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  log << "basalt: serving the simulator (" << kaspa::network_name(o.network) << ", seed " << o.seed
      << ", app " << app->name << ") as kaspad's gRPC on port " << s.port() << "; " << s.describe()
      << std::endl;
  const auto interval = std::chrono::milliseconds(o.block_interval_ms);
  auto next = std::chrono::steady_clock::now();
  while (!g_stop.load()) {
    if (o.blocks == 0 || s.steps() < o.blocks) {
      if (auto st = s.step(); !st.ok()) {
        log << "basalt: " << st.error().to_string() << "\n";
        return 1;
      }
    }
    next += interval;
    while (!g_stop.load() && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::min(interval, std::chrono::milliseconds(20)));
    if (std::chrono::steady_clock::now() > next + 10 * interval)
      next = std::chrono::steady_clock::now();
  }
  s.stop();
  log << "basalt: stopped serving; " << s.describe() << std::endl;
  return 0;
}

}  // namespace basalt::cli
