#include "cli/bench_exec.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/exec_command.hpp"
#include "exec/executor.hpp"
#include "l1/sim/simulator.hpp"
#include "node/driver.hpp"
#include "state/store.hpp"
#include "users/workload.hpp"

namespace basalt::cli {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Prepared {
  std::vector<state::ResourceWrite> genesis;
  std::vector<exec::BlockInput> blocks;
  std::uint64_t txs = 0;
  double sim_seconds = 0;
};

// The chain of blocks the simulator produces for the app's users, from a populated state.
Prepared prepare(const std::string& app, const BenchExecOptions& o) {
  Prepared p;
  users::WorkloadParams wp;
  wp.app = app;
  wp.seed = 1;
  wp.tx_per_block = o.tx_per_block;
  wp.invalid_permille = 0;
  wp.accounts = o.accounts;
  wp.lane = node::app_lane();
  users::Workload w(wp);
  p.genesis = w.genesis(1'000'000'000);
  l1::sim::SimParams sp;
  sp.seed = 1;
  l1::sim::Simulator sim(sp);
  sim.set_load([&w](std::uint64_t step) { return w.next_block(step); });
  const auto t0 = std::chrono::steady_clock::now();
  while (p.blocks.size() < o.blocks) {
    sim.step();
    auto change = sim.next_chain_changes();
    for (const auto& info : change->added) {
      exec::BlockInput in = node::block_input(info);
      p.txs += in.txs.size();
      p.blocks.push_back(std::move(in));
    }
  }
  p.sim_seconds = seconds_since(t0);
  return p;
}

}  // namespace

int bench_exec(const BenchExecOptions& o, std::ostream& out) {
  char line[256];
  out << "basalt bench exec: " << o.accounts << " accounts, " << o.blocks << " blocks of up to "
      << o.tx_per_block
      << " transactions per produced block, fsync per commit: " << (o.no_sync ? "no" : "yes")
      << "\n";
  out << "app       txs      threads  exec+commit s   tx/s     speed-up  failed  cycles/tx\n";
  for (const std::string& app_name : o.apps) {
    auto app = exec::load_app(app_name, o.guest_dir);
    if (!app.ok()) {
      out << "basalt: " << app.error().to_string() << "\n";
      return 1;
    }
    const Prepared p = prepare(app_name, o);
    double base_rate = 0;
    std::optional<core::Hash32> first_root;
    bool roots_equal = true;
    for (unsigned t : o.threads) {
      const auto dir = std::filesystem::temp_directory_path() /
                       ("basalt-bench-exec-" + app_name + "-" + std::to_string(t));
      std::filesystem::remove_all(dir);
      state::StoreOptions so;
      so.sync = !o.no_sync;
      auto store = state::StateStore::open(dir.string(), so);
      if (!store.ok()) {
        out << "basalt: " << store.error().to_string() << "\n";
        return 1;
      }
      if (auto g = (*store)->commit({1}, p.genesis, {}); !g.ok()) {
        out << "basalt: " << g.error().to_string() << "\n";
        return 1;
      }
      exec::Executor ex(**store, *app, t);
      std::uint64_t failed = 0, cycles = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (const auto& b : p.blocks) {
        auto r = ex.submit(b);
        if (!r.ok()) {
          out << "basalt: " << r.error().to_string() << "\n";
          return 1;
        }
        for (const auto& tx : r->txs) failed += tx.ok ? 0 : 1, cycles += tx.cycles;
      }
      if (auto st = ex.flush(); !st.ok()) {
        out << "basalt: " << st.error().to_string() << "\n";
        return 1;
      }
      const double secs = seconds_since(t0);
      const double rate = static_cast<double>(p.txs) / secs;
      if (base_rate == 0) base_rate = rate;
      if (!first_root) first_root = (*store)->root();
      roots_equal &= *first_root == (*store)->root();
      std::snprintf(line, sizeof line, "%-9s %-8llu %-8u %-15.3f %-8.0f %-9.2f %-7llu %llu\n",
                    app_name.c_str(), static_cast<unsigned long long>(p.txs), t, secs, rate,
                    rate / base_rate, static_cast<unsigned long long>(failed),
                    static_cast<unsigned long long>(cycles / std::max<std::uint64_t>(p.txs, 1)));
      out << line;
      if (t == o.threads.back()) {
        if (auto st = (*store)->flush_and_compact(); !st.ok()) {
          out << "basalt: " << st.error().to_string() << "\n";
          return 1;
        }
        const double per = static_cast<double>((*store)->disk_bytes()) /
                           static_cast<double>((*store)->smt().size());
        std::snprintf(
            line, sizeof line,
            "%-9s state on disk after compaction: %.1f bytes per account (%zu accounts)\n",
            app_name.c_str(), per, (*store)->smt().size());
        out << line;
      }
      store->reset();
      std::filesystem::remove_all(dir);
    }
    std::snprintf(line, sizeof line,
                  "%-9s simulator and users (signing included) took %.2f s; roots equal across "
                  "thread counts: %s\n",
                  app_name.c_str(), p.sim_seconds, roots_equal ? "yes" : "NO");
    out << line;
    if (!roots_equal) return 1;
  }
  return 0;
}

}  // namespace basalt::cli
