// Resource SMT and state store figures for docs/performance.md: updates per second on a tree of 10^6 keys,
// in memory and through RocksDB commits (one atomic write per batch, with and without fsync).
#include <benchmark/benchmark.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>

#include "core/helper_thread.hpp"
#include "state/smt.hpp"
#include "state/store.hpp"

namespace basalt::state {
namespace {

constexpr std::size_t kKeys = 1'000'000;
constexpr std::size_t kBatch = 1000;

core::Hash32 random_hash(std::mt19937_64& rng) {
  core::Hash32 h;
  for (int i = 0; i < 4; ++i) {
    const std::uint64_t w = rng();
    std::memcpy(h.bytes.data() + 8 * i, &w, 8);
  }
  return h;
}

std::vector<ResourceId> sorted_keys() {
  std::mt19937_64 rng(42);
  std::vector<ResourceId> keys;
  keys.reserve(kKeys);
  for (std::size_t i = 0; i < kKeys; ++i) keys.emplace_back(random_hash(rng));
  std::sort(keys.begin(), keys.end());
  return keys;
}

const std::vector<ResourceId>& keys() {
  static const std::vector<ResourceId> k = sorted_keys();
  return k;
}

// Batches of existing keys with new values: the tree keeps its size. Arg: threads (1 or 2).
void BM_SmtUpdateInMemory(benchmark::State& state) {
  std::optional<core::HelperThread> helper;
  if (state.range(0) == 2) helper.emplace();
  Smt tree;
  std::vector<SmtUpdate> init;
  init.reserve(kKeys);
  std::mt19937_64 rng(7);
  for (const auto& k : keys()) init.push_back({k, random_hash(rng)});
  if (!tree.build_sorted(init).ok()) state.SkipWithError("build failed");
  std::vector<SmtUpdate> batch(kBatch);
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& u : batch) u = {keys()[rng() % kKeys], random_hash(rng)};
    state.ResumeTiming();
    tree.apply(batch, nullptr, helper ? &*helper : nullptr);
    benchmark::DoNotOptimize(tree.root());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.counters["keys"] = static_cast<double>(tree.size());
}
BENCHMARK(BM_SmtUpdateInMemory)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Commits of kBatch writes (8-byte values) to a store of kKeys resources. Args: fsync per commit;
// whether the caller passes each resource's previous data (the executor does, having read it for
// the batch) or the store reads it back.
void BM_StoreCommit(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  const bool with_previous = state.range(1) != 0;
  const auto dir = std::filesystem::temp_directory_path() / "basalt-bench-store";
  std::filesystem::remove_all(dir);
  StoreOptions o;
  o.sync = false;
  auto store = StateStore::open(dir.string(), o);
  if (!store.ok()) {
    state.SkipWithError(store.error().to_string().c_str());
    return;
  }
  std::mt19937_64 rng(9);
  std::uint64_t id = 0;
  for (std::size_t start = 0; start < kKeys; start += 100'000) {
    std::vector<ResourceWrite> w;
    for (std::size_t i = start; i < start + 100'000 && i < kKeys; ++i) {
      w.push_back({keys()[i], core::Bytes(8, static_cast<std::uint8_t>(rng()))});
    }
    if (!(*store)->commit({++id}, w, {}).ok()) state.SkipWithError("prefill failed");
  }
  store->reset();
  o.sync = sync;
  store = StateStore::open(dir.string(), o);  // reopening rebuilds the SMT from the data
  std::vector<ResourceWrite> batch(kBatch);
  std::vector<core::Bytes> previous;
  for (auto _ : state) {
    // Distinct keys spread over the whole key space: a commit takes each resource once.
    const std::size_t base = rng() % kKeys;
    for (std::size_t i = 0; i < kBatch; ++i) {
      core::Bytes v(8);
      for (auto& b : v) b = static_cast<std::uint8_t>(rng());
      batch[i] = {keys()[(base + i * (kKeys / kBatch) + rng() % (kKeys / kBatch)) % kKeys], v};
    }
    if (with_previous) {
      state.PauseTiming();
      std::vector<ResourceId> ids;
      for (const auto& w : batch) ids.push_back(w.id);
      previous = *(*store)->get_many(ids);
      state.ResumeTiming();
    }
    auto r = (*store)->commit({++id}, batch, {}, previous);
    if (!r.ok()) state.SkipWithError(r.error().to_string().c_str());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
  state.counters["keys"] = static_cast<double>((*store)->smt().size());
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StoreCommit)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"fsync", "previous"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace basalt::state
