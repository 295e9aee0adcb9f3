// Simulator throughput: chain blocks per second with L active lanes and T lane transactions per
// produced block (issue #4: target >= 2 000 chain blocks/s at 10 lanes x 100 txs).
#include <benchmark/benchmark.h>

#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {
namespace {

void BM_SimChainBlocks(benchmark::State& state) {
  SimParams p;
  p.seed = 7;
  p.lanes = static_cast<std::uint32_t>(state.range(0));
  p.tx_per_block = static_cast<std::uint32_t>(state.range(1));
  p.lane_skip_permille = 0;
  p.finality_depth = 1000;
  Simulator sim(p);
  for (auto _ : state) {
    benchmark::DoNotOptimize(sim.step().seq_commit);
    (void)sim.next_chain_changes();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["lanes"] = static_cast<double>(state.range(0));
  state.counters["txs_per_block"] = static_cast<double>(state.range(1));
}
BENCHMARK(BM_SimChainBlocks)
    ->Args({10, 100})
    ->Args({10, 1000})
    ->Args({100, 100})
    ->Args({100, 1000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace basalt::l1::sim
