#include "cli/bench_follow.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

#include "kaspa/seq_commit.hpp"
#include "l1/follower.hpp"
#include "l1/kaspad/source.hpp"
#include "l1/sim/rpc_answers.hpp"

namespace basalt::cli {

namespace {

struct Followed {
  std::uint64_t blocks = 0;
  std::uint64_t lane_txs = 0;
  double seconds = 0;
};

const kaspa::LaneId kLane = kaspa::LaneId::from_namespace({0, 0, 1, 0});

// Takes the whole chain from `source` as the node's driver does, step by step.
core::Result<Followed> follow(const l1::ChainSource& source, std::uint64_t f, std::size_t max) {
  l1::Follower follower(f, {kLane});
  Followed out;
  const auto t0 = std::chrono::steady_clock::now();
  for (;;) {
    BASALT_ASSIGN_OR_RETURN(const l1::ChainChanged c, source.chain_from(follower.tip(), max));
    BASALT_TRY(follower.apply(c));
    if (c.added.empty()) break;
    out.blocks += c.added.size();
    for (const auto& b : c.added)
      for (const auto& a : b.accepted) out.lane_txs += a.lane == kLane;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

void row(std::ostream& out, const char* name, const Followed& r) {
  char line[160];
  std::snprintf(line, sizeof line, "%-26s %10llu %14.0f %16.0f\n", name,
                static_cast<unsigned long long>(r.blocks), r.blocks / r.seconds,
                r.lane_txs / r.seconds);
  out << line;
}

}  // namespace

int bench_follow(const BenchFollowOptions& o, std::ostream& out) {
  l1::sim::SimParams p;
  p.seed = 3;
  p.lanes = 1;
  p.tx_per_block = o.tx_per_block;
  p.lane_skip_permille = 0;
  p.finality_depth = 1000;
  p.pruning_depth = 1'000'000'000;  // the whole chain stays servable
  l1::sim::Simulator sim(p);
  while (sim.chain().size() < o.blocks) {
    sim.step();
    (void)sim.next_chain_changes();
  }
  out << "basalt bench follow: a catch-up of " << sim.chain().size() << " chain blocks, "
      << o.tx_per_block
      << " lane transactions per block produced (one thread following; loopback "
         "gRPC)\n";
  auto embedded = follow(sim, p.finality_depth, o.max_per_step);
  if (!embedded.ok()) {
    out << "basalt: in process: " << embedded.error().to_string() << "\n";
    return 1;
  }
  std::mutex mu;
  auto server = l1::protowire::RpcServer::start("127.0.0.1:0", [&](const auto& r, auto& answer) {
    std::lock_guard lk(mu);
    l1::sim::answer(sim, sim, l1::sim::ServeOptions{kaspa::Network::kDevnet}, r, answer);
  });
  if (!server.ok()) {
    out << "basalt: " << server.error().to_string() << "\n";
    return 1;
  }
  l1::kaspad::SourceOptions so;
  so.target = "127.0.0.1:" + std::to_string((*server)->port());
  so.network = kaspa::Network::kDevnet;
  so.lanes = {kaspa::lane_key(kLane)};
  auto source = l1::kaspad::Source::open(so);
  if (!source.ok()) {
    out << "basalt: " << source.error().to_string() << "\n";
    return 1;
  }
  auto grpc = follow(**source, p.finality_depth, o.max_per_step);
  if (!grpc.ok()) {
    out << "basalt: over gRPC: " << grpc.error().to_string() << "\n";
    return 1;
  }
  char head[160];
  std::snprintf(head, sizeof head, "%-26s %10s %14s %16s\n", "source", "blocks", "chain blocks/s",
                "lane txs/s");
  out << head;
  row(out, "in process (embedded)", *embedded);
  row(out, "kaspad gRPC (sim serve)", *grpc);
  char ratio[96];
  std::snprintf(ratio, sizeof ratio, "gRPC / in process: %.2fx (target >= 0.5x)\n",
                embedded->seconds / grpc->seconds);
  out << ratio;
  return 0;
}

}  // namespace basalt::cli
