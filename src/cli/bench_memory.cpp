#include "cli/bench_memory.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "node/node.hpp"

namespace basalt::cli {

std::uint64_t resident_bytes() {
  std::ifstream f("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(f >> size >> resident)) return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

namespace {

// RSS moves with transient work (a compaction, a settlement in flight): the median of nine
// samples 100 ms apart.
std::uint64_t median_resident_bytes() {
  std::vector<std::uint64_t> v;
  for (int i = 0; i < 9; ++i) {
    v.push_back(resident_bytes());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::nth_element(v.begin(), v.begin() + 4, v.end());
  return v[4];
}

}  // namespace

node::Config bench_node_config(const std::string& name, const std::string& guest_dir) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("basalt-bench-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  node::Config c;
  c.data_dir = dir.string();
  c.app = "counter";
  c.guest_dir = guest_dir;
  c.sync = false;
  c.api_port = 0;
  return c;
}

int bench_memory(const BenchMemoryOptions& o, std::ostream& out) {
  node::Config c = bench_node_config("memory", o.guest_dir);
  c.block_interval_ms = 0;
  c.users_tx_per_block = o.tx_per_block;
  c.reorg_every = 150;
  c.reorg_depth = 3;
  std::ostringstream quiet;
  node::Logger log(quiet, node::LogLevel::kWarn, false);
  auto n = node::Node::open(c, log);
  if (!n.ok()) {
    out << "basalt bench memory: " << n.error().to_string() << "\n";
    return 1;
  }
  std::unique_ptr<node::Node> node = std::move(*n);
  out << "basalt bench memory: a counter node on the simulator, " << o.tx_per_block
      << " seeded transactions per block, reorgs, prover and settlement on, unpaced\n"
      << "(RSS: the median of nine samples 100 ms apart)\n\n"
      << "  chain block     RSS MiB   heap in use MiB   blocks/s\n"
      << std::flush;
  std::atomic<bool> stop{false}, finished{false};
  core::Status result = core::Status::Ok();
  std::thread runner([&] {
    result = node->run(stop);
    finished.store(true);
  });
  std::uint64_t next = o.every, first_rss = 0, last_rss = 0, first_at = 0, last_at = 0;
  auto t = std::chrono::steady_clock::now();
  std::uint64_t t_blocks = 0;
  while (next <= o.blocks && !finished.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const node::NodeStatus st = node->status();
    if (st.executed < next) continue;
    const std::uint64_t rss = median_resident_bytes();
    const auto now = std::chrono::steady_clock::now();
    const double rate = static_cast<double>(st.executed - t_blocks) /
                        std::chrono::duration<double>(now - t).count();
    t = now;
    t_blocks = st.executed;
    // The allocator's bytes in use beside RSS: what the node holds, apart from what the
    // allocator keeps mapped for reuse.
    const double heap = static_cast<double>(mallinfo2().uordblks) / (1 << 20);
    char line[96];
    std::snprintf(line, sizeof line, "  %11llu %11.1f %17.1f %10.0f\n",
                  static_cast<unsigned long long>(st.executed),
                  static_cast<double>(rss) / (1 << 20), heap, rate);
    out << line << std::flush;
    if (first_rss == 0 && st.executed >= o.from) first_rss = rss, first_at = st.executed;
    last_rss = rss;
    last_at = st.executed;
    next += o.every;
  }
  stop.store(true);
  runner.join();
  node.reset();
  std::filesystem::remove_all(c.data_dir);
  if (!result.ok()) {
    out << "basalt bench memory: the node failed: " << result.error().to_string() << "\n";
    return 1;
  }
  if (first_rss == 0) return 0;
  const double growth = 100.0 * (static_cast<double>(last_rss) - static_cast<double>(first_rss)) /
                        static_cast<double>(first_rss);
  char line[160];
  std::snprintf(line, sizeof line,
                "\nRSS from chain block %llu to %llu: %+.1f %% (the node must stay within 10 %%: "
                "%s)\n",
                static_cast<unsigned long long>(first_at), static_cast<unsigned long long>(last_at),
                growth, growth <= 10.0 ? "met" : "not met");
  out << line;
  return 0;
}

}  // namespace basalt::cli
