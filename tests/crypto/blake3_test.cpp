// BLAKE3 against b3sum, the reference implementation's command-line tool (Debian package b3sum):
// every length 0..2048 and selected lengths up to 1 MiB, plain and keyed; incremental updates split
// at awkward boundaries must equal the one-shot hash.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "crypto/blake3.hpp"
#include "test_util.hpp"

namespace basalt::crypto {
namespace {

namespace fs = std::filesystem;

// The BLAKE3 test-vector input pattern: byte i is i mod 251.
core::Bytes pattern(std::size_t n) {
  core::Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i % 251);
  return b;
}

std::vector<std::size_t> lengths() {
  std::vector<std::size_t> v;
  for (std::size_t n = 0; n <= 2048; ++n) v.push_back(n);
  for (std::size_t n :
       {3071,  3072,  3073,  4095,  4096,  4097,  5120,   6143,   7169,   8192,    8193,   16383,
        16384, 16385, 31744, 65535, 65536, 65537, 102400, 262143, 524289, 1048575, 1048576}) {
    v.push_back(n);
  }
  return v;
}

// Runs b3sum once over one file per length and returns length -> hex digest.
std::map<std::size_t, std::string> b3sum_all(const std::vector<std::size_t>& lens,
                                             const std::string& key_hex) {
  fs::path dir = fs::temp_directory_path() / ("basalt-b3-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string cmd = "cd '" + dir.string() + "' && ";
  if (!key_hex.empty()) {
    core::Bytes key = *core::from_hex(key_hex);
    std::ofstream(dir / "key", std::ios::binary)
        .write(reinterpret_cast<const char*>(key.data()), 32);
    cmd += "b3sum --keyed < key";
  } else {
    cmd += "b3sum";
  }
  for (std::size_t n : lens) {
    core::Bytes b = pattern(n);
    std::ofstream(dir / std::to_string(n), std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    cmd += " " + std::to_string(n);
  }
  std::map<std::size_t, std::string> out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char line[256];
  while (std::fgets(line, sizeof line, p) != nullptr) {
    std::istringstream ls(line);
    std::string hex, name;
    ls >> hex >> name;
    out[std::stoull(name)] = hex;
  }
  ::pclose(p);
  fs::remove_all(dir);
  return out;
}

std::array<std::uint8_t, 32> test_key() {
  std::array<std::uint8_t, 32> k{};
  const char* s = "whats the Elvish word for friend";  // the BLAKE3 test-vector key
  for (int i = 0; i < 32; ++i) k[i] = static_cast<std::uint8_t>(s[i]);
  return k;
}

TEST(Blake3, MatchesB3sumForEveryLengthUpTo2KiBAndLargeOnes) {
  auto lens = lengths();
  auto want = b3sum_all(lens, "");
  ASSERT_EQ(want.size(), lens.size()) << "b3sum missing or failed (scripts/setup.sh installs it)";
  for (std::size_t n : lens) {
    ASSERT_EQ(blake3_hash(pattern(n)).hex(), want[n]) << "length " << n;
  }
}

TEST(Blake3, KeyedMatchesB3sumKeyed) {
  auto lens = lengths();
  auto key = test_key();
  auto want = b3sum_all(lens, core::to_hex(key));
  ASSERT_EQ(want.size(), lens.size()) << "b3sum missing or failed (scripts/setup.sh installs it)";
  for (std::size_t n : lens) {
    ASSERT_EQ(blake3_keyed_hash(key, pattern(n)).hex(), want[n]) << "length " << n;
  }
}

TEST(Blake3, KnownEmptyDigest) {
  EXPECT_EQ(blake3_hash({}).hex(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
}

TEST(Blake3, IncrementalSplitsEqualOneShot) {
  test::Rng rng(3);
  const std::size_t cuts[] = {0,    1,    31,   63,   64,   65,   127, 128,
                              1023, 1024, 1025, 2047, 2048, 2049, 3000};
  for (std::size_t n : {0, 1, 64, 65, 1024, 1025, 2048, 2049, 4096, 5000, 70000}) {
    core::Bytes data = pattern(n);
    core::Hash32 want = blake3_hash(data);
    for (std::size_t cut : cuts) {
      if (cut > n) continue;
      Blake3 h;
      h.update(core::ByteSpan(data).first(cut));
      h.update(core::ByteSpan(data).subspan(cut));
      ASSERT_EQ(h.finalize(), want) << "n=" << n << " cut=" << cut;
    }
    // Random pieces, including empty ones.
    for (int trial = 0; trial < 20; ++trial) {
      Blake3 h;
      std::size_t pos = 0;
      while (pos < n) {
        std::size_t take = std::min<std::size_t>(n - pos, rng.below(1200));
        h.update(core::ByteSpan(data).subspan(pos, take));
        pos += take;
      }
      ASSERT_EQ(h.finalize(), want) << "n=" << n;
    }
    // Byte by byte.
    Blake3 h;
    if (n <= 5000) {
      for (std::size_t i = 0; i < n; ++i) h.update(core::ByteSpan(data).subspan(i, 1));
      ASSERT_EQ(h.finalize(), want) << "n=" << n;
    }
  }
}

TEST(Blake3, FinalizeDoesNotDisturbTheState) {
  core::Bytes data = pattern(3000);
  Blake3 h;
  h.update(core::ByteSpan(data).first(1500));
  EXPECT_EQ(h.finalize(), blake3_hash(core::ByteSpan(data).first(1500)));
  h.update(core::ByteSpan(data).subspan(1500));
  EXPECT_EQ(h.finalize(), blake3_hash(data));
}

TEST(Blake3, CompressionMatchesSingleBlockKeyedHash) {
  // A 64-byte keyed message is one compression with CHUNK_START | CHUNK_END | ROOT | KEYED_HASH.
  auto key = test_key();
  core::Bytes msg = pattern(64);
  std::array<std::uint32_t, 8> cv{};
  for (int i = 0; i < 8; ++i) {
    cv[i] = std::uint32_t{key[4 * i]} | std::uint32_t{key[4 * i + 1]} << 8 |
            std::uint32_t{key[4 * i + 2]} << 16 | std::uint32_t{key[4 * i + 3]} << 24;
  }
  auto out = blake3_compress(cv, msg.data(), 64, 0, kKeyedHash | kChunkStart | kChunkEnd | kRoot);
  core::Hash32 h;
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) h.bytes[4 * i + j] = static_cast<std::uint8_t>(out[i] >> (8 * j));
  }
  EXPECT_EQ(h, blake3_keyed_hash(key, msg));
}

}  // namespace
}  // namespace basalt::crypto
