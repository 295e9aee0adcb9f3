// Internal to crypto: the BLAKE3 compression back-ends and their runtime selection. The portable
// functions define the result; the SIMD ones must match them bit for bit (tests/crypto compare
// them).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace basalt::crypto::detail {

inline constexpr std::uint32_t kIv[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                                         0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

// Message word order for each of the 7 rounds: the spec's permutation applied round after round,
// precomputed so that no copy of the message is permuted at run time.
inline constexpr std::uint8_t kSchedule[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

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
// the first also flags_start, the last also flags_end. Input j's last block holds
// last_len[j] bytes (zero-padded to 64), or 64 when last_len is null. out[j] receives input j's
// final chaining value. Requires: cpu_has_avx2(), blocks >= 1.
enum class CounterMode : std::uint8_t { kSame, kIncrement };
void hash8_avx2(const std::uint8_t* const inputs[8], std::size_t blocks, const std::uint32_t key[8],
                std::uint64_t counter, CounterMode mode, std::uint8_t flags,
                std::uint8_t flags_start, std::uint8_t flags_end, std::uint32_t out[8][8],
                const std::uint32_t* last_len = nullptr);

bool cpu_has_sse41();
bool cpu_has_avx2();

}  // namespace basalt::crypto::detail
