// Internal to crypto: the BLAKE3 compression back-ends and their runtime selection. The portable
// functions define the result; the SIMD ones must match them bit for bit (tests/crypto compare
// them).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace basalt::crypto::detail {

// Compresses one block; cv becomes the new chaining value (the first half of the output).
void compress_cv_portable(std::uint32_t cv[8], const std::uint8_t block[64], std::uint8_t block_len,
                          std::uint64_t counter, std::uint8_t flags);
// Full 16-word output.
void compress_xof_portable(const std::uint32_t cv[8], const std::uint8_t block[64],
                           std::uint8_t block_len, std::uint64_t counter, std::uint8_t flags,
                           std::uint32_t out[16]);

// SSE4.1 single-block compression. Requires: cpu_has_sse41().
void compress_cv_sse41(std::uint32_t cv[8], const std::uint8_t block[64], std::uint8_t block_len,
                       std::uint64_t counter, std::uint8_t flags);

// Eight independent inputs of `blocks` 64-byte blocks each, compressed side by side: input j starts
// at inputs[j] and uses counter + j if increment_counter, else counter. Every block gets `flags`,
// the first also flags_start, the last also flags_end. out[j] receives input j's final chaining
// value. Requires: cpu_has_avx2(), blocks >= 1.
enum class CounterMode : std::uint8_t { kSame, kIncrement };
void hash8_avx2(const std::uint8_t* const inputs[8], std::size_t blocks, const std::uint32_t key[8],
                std::uint64_t counter, CounterMode mode, std::uint8_t flags,
                std::uint8_t flags_start, std::uint8_t flags_end, std::uint32_t out[8][8]);

bool cpu_has_sse41();
bool cpu_has_avx2();

}  // namespace basalt::crypto::detail
