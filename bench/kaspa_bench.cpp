// Lane SMT and SeqCommit figures for docs/performance.md.
#include <benchmark/benchmark.h>

#include <random>

#include "kaspa/lane_smt.hpp"
#include "kaspa/seq_commit.hpp"
#include "kaspa/transaction.hpp"

namespace basalt::kaspa {
namespace {

core::Hash32 random_hash(std::mt19937_64& rng) {
  core::Hash32 h;
  for (auto& b : h.bytes) b = static_cast<std::uint8_t>(rng());
  return h;
}

struct Populated {
  LaneSmt tree;
  std::vector<LaneKey> keys;
};

Populated populate(std::size_t n) {
  std::mt19937_64 rng(42);
  Populated p;
  p.keys.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    p.keys.emplace_back(random_hash(rng));
    p.tree.insert(p.keys.back(), random_hash(rng));
  }
  benchmark::DoNotOptimize(p.tree.root());
  return p;
}

// One lane update and the new root, per iteration: the worst case (no sharing between updates).
void BM_LaneSmtUpdateAndRoot(benchmark::State& state) {
  Populated p = populate(static_cast<std::size_t>(state.range(0)));
  std::mt19937_64 rng(7);
  for (auto _ : state) {
    p.tree.insert(p.keys[rng() % p.keys.size()], random_hash(rng));
    benchmark::DoNotOptimize(p.tree.root());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["lanes"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_LaneSmtUpdateAndRoot)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);

// 50 lane updates (kip21 §6: lanes_per_block) applied as one batch, then one root, as a chain
// block does.
void BM_LaneSmtBlockOf50Updates(benchmark::State& state) {
  Populated p = populate(static_cast<std::size_t>(state.range(0)));
  std::mt19937_64 rng(8);
  std::vector<std::pair<LaneKey, Hash32>> batch(50);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& u : batch) u = {p.keys[rng() % p.keys.size()], random_hash(rng)};
    state.ResumeTiming();
    p.tree.update_batch(batch);
    benchmark::DoNotOptimize(p.tree.root());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 50);
  state.counters["lanes"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_LaneSmtBlockOf50Updates)->Arg(10'000)->Arg(100'000)->Arg(1'000'000);

void BM_LaneSmtProve(benchmark::State& state) {
  Populated p = populate(static_cast<std::size_t>(state.range(0)));
  std::mt19937_64 rng(9);
  for (auto _ : state) benchmark::DoNotOptimize(p.tree.prove(p.keys[rng() % p.keys.size()]));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LaneSmtProve)->Arg(100'000);

void BM_LaneSmtVerify(benchmark::State& state) {
  Populated p = populate(static_cast<std::size_t>(state.range(0)));
  Hash32 root = p.tree.root();
  std::vector<std::pair<std::size_t, core::Bytes>> proofs;
  for (std::size_t i = 0; i < 1024; ++i) proofs.emplace_back(i, p.tree.prove(p.keys[i]).to_bytes());
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [k, wire] = proofs[i++ % proofs.size()];
    auto proof = SmtProof::from_bytes(wire);
    auto st = proof->verify(root, p.keys[k], p.tree.get(p.keys[k]));
    if (!st.ok()) state.SkipWithError("proof did not verify");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LaneSmtVerify)->Arg(100'000);

// The whole KIP-21 commitment of one chain block touching 100 lanes (3 transactions each) over a
// tree of 10 000 active lanes, with a mergeset of 5 blocks: activity leaves and digests, lane tips,
// SMT updates, miner payload root, context and the final SeqCommit.
void BM_SeqCommitBlock100Lanes(benchmark::State& state) {
  Populated p = populate(10'000);
  std::mt19937_64 rng(10);
  std::vector<TxId> txs;
  for (int i = 0; i < 300; ++i) txs.emplace_back(random_hash(rng));
  SeqCommit parent(random_hash(rng));
  std::uint64_t bs = 1'000'000;
  core::Bytes payload(60, 0x42);
  for (auto _ : state) {
    MergesetContext ctx{1'700'000'000 + bs, bs + 7, bs};
    Hash32 ctx_hash = mergeset_context_hash(ctx);
    for (int lane = 0; lane < 100; ++lane) {
      std::array<Hash32, 3> leaves;
      for (int t = 0; t < 3; ++t) {
        leaves[t] =
            activity_leaf(txs[lane * 3 + t], 1, static_cast<std::uint32_t>(1 + lane * 3 + t));
      }
      const LaneKey& key = p.keys[(bs * 100 + lane) % p.keys.size()];
      LaneTip tip = lane_tip_next(p.tree.get(key).value_or(parent.hash()), key,
                                  activity_digest_lane(leaves), ctx_hash);
      p.tree.insert(key, smt_leaf_hash(tip, ctx.blue_score));
    }
    std::array<Hash32, 5> payload_leaves;
    for (int b = 0; b < 5; ++b) {
      payload_leaves[b] =
          miner_payload_leaf(BlockHash(txs[b].hash()), BlueWork::from_u64(bs * 10 + b), payload);
    }
    Hash32 pd = payload_and_context_digest(ctx_hash, miner_payload_root(payload_leaves));
    Hash32 ar = activity_root_hash(parent, p.tree.root());
    parent = seq_commit(parent, seq_state_root(ar, pd));
    ++bs;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SeqCommitBlock100Lanes)->Unit(benchmark::kMicrosecond);

void BM_TxIdV1(benchmark::State& state) {
  Transaction tx;
  tx.version = 1;
  tx.subnetwork_id = LaneId::from_namespace({0, 0, 1, 0});
  tx.inputs.resize(1);
  tx.inputs[0].compute_commit.kind = ComputeCommit::Kind::kComputeBudget;
  tx.outputs.resize(2);
  tx.payload.assign(static_cast<std::size_t>(state.range(0)), 7);
  for (auto _ : state) benchmark::DoNotOptimize(tx_id(tx));
}
BENCHMARK(BM_TxIdV1)->Arg(100)->Arg(10'000);

}  // namespace
}  // namespace basalt::kaspa
