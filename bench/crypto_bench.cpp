// BLAKE3 figures for docs/performance.md: keyed hash of 64 bytes, bulk throughput, and b3sum on one thread
// over the same bytes in the same run for comparison.
#include <benchmark/benchmark.h>

#include <cstring>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <vector>

#include "crypto/blake3.hpp"
#include "crypto/domain.hpp"
#include "crypto/sha256.hpp"

namespace basalt::crypto {
namespace {

core::Bytes filled(std::size_t n) {
  core::Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 31 + 7);
  return b;
}

// Latency: each hash feeds the next message, so no two hashes overlap.
void BM_Blake3Keyed64(benchmark::State& state) {
  std::array<std::uint8_t, 32> key{};
  key[0] = 1;
  core::Bytes msg = filled(64);
  for (auto _ : state) {
    auto h = blake3_keyed_hash(key, msg);
    benchmark::DoNotOptimize(h);
    msg[0] = h.bytes[0];
  }
}
BENCHMARK(BM_Blake3Keyed64);

// Throughput: 64 independent 64-byte messages per iteration (like a Merkle level or a batch of
// leaves); the reported time is per hash.
void BM_Blake3Keyed64Independent(benchmark::State& state) {
  std::array<std::uint8_t, 32> key{};
  key[0] = 1;
  std::vector<core::Bytes> msgs;
  for (int i = 0; i < 64; ++i) {
    msgs.push_back(filled(64));
    msgs.back()[0] = static_cast<std::uint8_t>(i);
  }
  for (auto _ : state) {
    for (const auto& m : msgs) benchmark::DoNotOptimize(blake3_keyed_hash(key, m));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
  state.counters["ns_per_hash"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 64,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Blake3Keyed64Independent);

// Independent 64-byte messages through the batch API: eight side by side with AVX2 where available.
void BM_Blake3Keyed64Batch8(benchmark::State& state) {
  std::vector<core::Bytes> msgs;
  std::vector<const std::uint8_t*> ptrs;
  for (int i = 0; i < 64; ++i) {
    msgs.push_back(filled(64));
    msgs.back()[0] = static_cast<std::uint8_t>(i);
  }
  for (const auto& m : msgs) ptrs.push_back(m.data());
  std::vector<core::Hash32> out(64);
  for (auto _ : state) {
    domain_hash_blocks64(Domain::kSeqCommitActiveNode, ptrs, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 64);
  state.counters["ns_per_hash"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * 64,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Blake3Keyed64Batch8);

// The path Kaspa's 64-byte preimages take (SMT nodes, Merkle branches): one compression.
void BM_DomainHashPair(benchmark::State& state) {
  core::Hash32 a = core::Hash32::from_byte(1), b = core::Hash32::from_byte(2);
  for (auto _ : state) {
    a = domain_hash_pair(Domain::kSeqCommitActiveNode, a, b);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_DomainHashPair);

void BM_Blake3Bulk(benchmark::State& state) {
  core::Bytes data = filled(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(blake3_hash(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Blake3Bulk)->Arg(1 << 10)->Arg(1 << 20)->Arg(64 << 20)->Unit(benchmark::kMicrosecond);

// b3sum (the reference implementation's CLI, with its SIMD kernels) on one thread over a file in
// the page cache. The time includes process start-up, which is small next to 256 MiB of hashing.
void BM_B3sumOneThreadBulk(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("basalt-bench-b3-" + std::to_string(::getpid()));
  {
    core::Bytes data = filled(n);
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(n));
  }
  std::string cmd = "b3sum --num-threads 1 --no-names '" + file.string() + "' > /dev/null";
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    int rc = std::system(cmd.c_str());
    auto t1 = std::chrono::steady_clock::now();
    if (rc != 0) {
      state.SkipWithError("b3sum failed (scripts/setup.sh installs it)");
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  std::filesystem::remove(file);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_B3sumOneThreadBulk)->Arg(256 << 20)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_Blake3Bulk256MiB(benchmark::State& state) {
  core::Bytes data = filled(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(blake3_hash(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Blake3Bulk256MiB)->Arg(256 << 20)->Unit(benchmark::kMillisecond);

void BM_Sha256_64(benchmark::State& state) {
  core::Bytes msg = filled(64);
  for (auto _ : state) benchmark::DoNotOptimize(sha256(msg));
}
BENCHMARK(BM_Sha256_64);

// One compression from a domain IV: the cost of a resource-tree or lane-tree node.
void BM_Sha256CompressFrom(benchmark::State& state) {
  const auto iv = sha256_domain_iv("bench");
  core::Bytes block = filled(64);
  for (auto _ : state) {
    const core::Hash32 h = sha256_compress_from(iv, block.data());
    std::memcpy(block.data(), h.data(), 8);  // each compression waits for the one before
  }
}
BENCHMARK(BM_Sha256CompressFrom);

}  // namespace
}  // namespace basalt::crypto
