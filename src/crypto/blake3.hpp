// BLAKE3 (hash, keyed hash, incremental update), written from the BLAKE3 specification.
// The portable compression function is the reference for any faster variant; the raw compression is
// exposed for the VM's BLAKE3 accelerator. Output is the default 32 bytes (extendable output is not
// needed by Kaspa and is not offered).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/bytes.hpp"

namespace basalt::crypto {

inline constexpr std::size_t kBlake3BlockLen = 64;
inline constexpr std::size_t kBlake3ChunkLen = 1024;
inline constexpr std::size_t kBlake3KeyLen = 32;

// Domain flags of the BLAKE3 compression function (spec §2.1).
enum Blake3Flag : std::uint8_t {
  kChunkStart = 1,
  kChunkEnd = 2,
  kParent = 4,
  kRoot = 8,
  kKeyedHash = 16,
};

// The BLAKE3 compression function: returns the 16-word state after 7 rounds, with the feed-forward
// (first 8 words are the new chaining value).
std::array<std::uint32_t, 16> blake3_compress(const std::array<std::uint32_t, 8>& cv,
                                              const std::uint8_t block[kBlake3BlockLen],
                                              std::uint8_t block_len, std::uint64_t counter,
                                              std::uint8_t flags);

// Keyed BLAKE3 of a message of at most 64 bytes, given the key as eight little-endian words: one
// compression. Requires: data.size() <= 64.
core::Hash32 blake3_keyed_single_block(const std::array<std::uint32_t, 8>& key_words,
                                       core::ByteSpan data);

// Keyed BLAKE3 of many independent 64-byte messages: out[i] is the hash of the 64 bytes at
// blocks[i]. Eight at a time side by side where the CPU allows.
void blake3_keyed_single_blocks(const std::array<std::uint32_t, 8>& key_words,
                                std::span<const std::uint8_t* const> blocks, core::Hash32* out);

// Keyed BLAKE3 of many independent messages: out[i] is the hash of messages[i]. Messages of one
// chunk (1024 bytes) at most with the same number of blocks go eight at a time side by side where
// the CPU allows.
void blake3_keyed_many(const std::array<std::uint32_t, 8>& key_words,
                       std::span<const core::ByteSpan> messages, core::Hash32* out);

class Blake3 {
 public:
  // Plain BLAKE3.
  Blake3();
  // Keyed BLAKE3 with a 32-byte key.
  explicit Blake3(const std::array<std::uint8_t, kBlake3KeyLen>& key);

  void update(core::ByteSpan data);
  // Returns the 32-byte digest. The hasher may keep absorbing afterwards (finalize does not change
  // its state).
  core::Hash32 finalize() const;

 private:
  struct Output {
    std::array<std::uint32_t, 8> cv;
    std::array<std::uint8_t, kBlake3BlockLen> block;
    std::uint64_t counter;
    std::uint8_t block_len;
    std::uint8_t flags;
  };
  void init(const std::array<std::uint32_t, 8>& key_words, std::uint8_t flags);
  Output chunk_output() const;
  void push_chunk_cv(std::array<std::uint32_t, 8> cv, std::uint64_t total_chunks);
  void compress_buffered_block();

  std::array<std::uint32_t, 8> key_{};
  // Current chunk.
  std::array<std::uint32_t, 8> chunk_cv_{};
  std::uint64_t chunk_counter_ = 0;
  std::array<std::uint8_t, kBlake3BlockLen> buf_{};
  std::uint8_t buf_len_ = 0;
  std::uint8_t blocks_compressed_ = 0;
  std::uint8_t flags_ = 0;
  // Chaining values of completed subtrees; 54 levels cover 2^64 bytes. Only the first
  // cv_stack_len_ entries are ever read, so the array is left uninitialised: zeroing 1.7 KiB would
  // dominate hashing a short message.
  std::array<std::array<std::uint32_t, 8>, 54> cv_stack_;
  std::uint8_t cv_stack_len_ = 0;
};

core::Hash32 blake3_hash(core::ByteSpan data);
core::Hash32 blake3_keyed_hash(const std::array<std::uint8_t, kBlake3KeyLen>& key,
                               core::ByteSpan data);

}  // namespace basalt::crypto
