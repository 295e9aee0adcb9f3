// Helpers shared by basalt's tests: a seeded PRNG whose seed is printed and can be replayed with
// BASALT_TEST_SEED, and random byte strings and hashes.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include <stdlib.h>

#include "core/bytes.hpp"

namespace basalt::test {

inline std::uint64_t test_seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("BASALT_TEST_SEED");
    std::uint64_t s = env != nullptr ? std::strtoull(env, nullptr, 10) : 20261121;
    std::cerr << "[basalt] BASALT_TEST_SEED=" << s << "\n";
    return s;
  }();
  return seed;
}

class Rng {
 public:
  explicit Rng(std::uint64_t salt = 0) : gen_(test_seed() ^ (salt * 0x9E3779B97F4A7C15ull)) {}
  std::uint64_t u64() { return gen_(); }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : gen_() % n; }
  bool coin() { return gen_() & 1; }
  core::Bytes bytes(std::size_t n) {
    core::Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(gen_());
    return b;
  }
  core::Hash32 hash() {
    core::Hash32 h;
    for (auto& x : h.bytes) x = static_cast<std::uint8_t>(gen_());
    return h;
  }

 private:
  std::mt19937_64 gen_;
};

// A fresh directory under the system temp dir, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "basalt-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
    EXPECT_FALSE(path_.empty()) << "mkdtemp failed";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace basalt::test
