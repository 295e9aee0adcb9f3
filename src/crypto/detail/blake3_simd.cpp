// SIMD back-ends of BLAKE3, compiled with per-function target attributes so that nothing here runs
// on a CPU without the instructions (callers check cpu_has_*() first).
//
// SSE4.1: the 4x4 state is four row vectors; a round applies G to the columns, rotates rows 1..3 by
// 1..3 lanes so the diagonals line up as columns, applies G again and rotates back.
// AVX2: eight chunks side by side, one chunk per 32-bit lane; the message is transposed so that
// vector w holds word w of the current block of all eight chunks.
#include "crypto/detail/blake3_impl.hpp"

#include <cstring>

#include "core/assert.hpp"

#if defined(__x86_64__)
#include <immintrin.h>

namespace basalt::crypto::detail {
namespace {

// ---- SSE4.1 -----------------------------------------------------------------------------------

#define BASALT_SSE41 __attribute__((target("sse4.1,ssse3"), always_inline)) inline

BASALT_SSE41 __m128i rot16_128(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_set_epi8(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2));
}
BASALT_SSE41 __m128i rot8_128(__m128i x) {
  return _mm_shuffle_epi8(x, _mm_set_epi8(12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3, 2, 1));
}
BASALT_SSE41 __m128i rot12_128(__m128i x) {
  return _mm_or_si128(_mm_srli_epi32(x, 12), _mm_slli_epi32(x, 20));
}
BASALT_SSE41 __m128i rot7_128(__m128i x) {
  return _mm_or_si128(_mm_srli_epi32(x, 7), _mm_slli_epi32(x, 25));
}

BASALT_SSE41 void g_128(__m128i& a, __m128i& b, __m128i& c, __m128i& d, __m128i x, __m128i y) {
  // (a + x) + b rather than (a + b) + x: a + x does not wait for b, which ends the longest chain.
  a = _mm_add_epi32(_mm_add_epi32(a, x), b);
  d = rot16_128(_mm_xor_si128(d, a));
  c = _mm_add_epi32(c, d);
  b = rot12_128(_mm_xor_si128(b, c));
  a = _mm_add_epi32(_mm_add_epi32(a, y), b);
  d = rot8_128(_mm_xor_si128(d, a));
  c = _mm_add_epi32(c, d);
  b = rot7_128(_mm_xor_si128(b, c));
}

template <int R>
BASALT_SSE41 void round_128(__m128i& r0, __m128i& r1, __m128i& r2, __m128i& r3,
                            const std::uint32_t* m) {
  constexpr const std::uint8_t* s = kSchedule[R];
  g_128(r0, r1, r2, r3,
        _mm_set_epi32(static_cast<int>(m[s[6]]), static_cast<int>(m[s[4]]),
                      static_cast<int>(m[s[2]]), static_cast<int>(m[s[0]])),
        _mm_set_epi32(static_cast<int>(m[s[7]]), static_cast<int>(m[s[5]]),
                      static_cast<int>(m[s[3]]), static_cast<int>(m[s[1]])));
  // Line the diagonals up as columns. Row b stays put because it finishes last in G; rotating a, c
  // and d instead keeps every shuffle off the longest dependency chain. Lane j then holds the
  // diagonal through v[4 + j], which is diagonal (j + 3) % 4, hence the message order below.
  r0 = _mm_shuffle_epi32(r0, _MM_SHUFFLE(2, 1, 0, 3));
  r2 = _mm_shuffle_epi32(r2, _MM_SHUFFLE(0, 3, 2, 1));
  r3 = _mm_shuffle_epi32(r3, _MM_SHUFFLE(1, 0, 3, 2));
  g_128(r0, r1, r2, r3,
        _mm_set_epi32(static_cast<int>(m[s[12]]), static_cast<int>(m[s[10]]),
                      static_cast<int>(m[s[8]]), static_cast<int>(m[s[14]])),
        _mm_set_epi32(static_cast<int>(m[s[13]]), static_cast<int>(m[s[11]]),
                      static_cast<int>(m[s[9]]), static_cast<int>(m[s[15]])));
  r0 = _mm_shuffle_epi32(r0, _MM_SHUFFLE(0, 3, 2, 1));
  r2 = _mm_shuffle_epi32(r2, _MM_SHUFFLE(2, 1, 0, 3));
  r3 = _mm_shuffle_epi32(r3, _MM_SHUFFLE(1, 0, 3, 2));
}

// ---- AVX2 -------------------------------------------------------------------------------------

#define BASALT_AVX2 __attribute__((target("avx2"), always_inline)) inline

BASALT_AVX2 __m256i rot16_256(__m256i x) {
  return _mm256_shuffle_epi8(
      x, _mm256_set_epi8(13, 12, 15, 14, 9, 8, 11, 10, 5, 4, 7, 6, 1, 0, 3, 2, 13, 12, 15, 14, 9, 8,
                         11, 10, 5, 4, 7, 6, 1, 0, 3, 2));
}
BASALT_AVX2 __m256i rot8_256(__m256i x) {
  return _mm256_shuffle_epi8(
      x, _mm256_set_epi8(12, 15, 14, 13, 8, 11, 10, 9, 4, 7, 6, 5, 0, 3, 2, 1, 12, 15, 14, 13, 8,
                         11, 10, 9, 4, 7, 6, 5, 0, 3, 2, 1));
}
BASALT_AVX2 __m256i rot12_256(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 12), _mm256_slli_epi32(x, 20));
}
BASALT_AVX2 __m256i rot7_256(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
}

BASALT_AVX2 void g_256(__m256i* v, int a, int b, int c, int d, __m256i x, __m256i y) {
  v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], x), v[b]);
  v[d] = rot16_256(_mm256_xor_si256(v[d], v[a]));
  v[c] = _mm256_add_epi32(v[c], v[d]);
  v[b] = rot12_256(_mm256_xor_si256(v[b], v[c]));
  v[a] = _mm256_add_epi32(_mm256_add_epi32(v[a], y), v[b]);
  v[d] = rot8_256(_mm256_xor_si256(v[d], v[a]));
  v[c] = _mm256_add_epi32(v[c], v[d]);
  v[b] = rot7_256(_mm256_xor_si256(v[b], v[c]));
}

template <int R>
BASALT_AVX2 void round_256(__m256i* v, const __m256i* m) {
  constexpr const std::uint8_t* s = kSchedule[R];
  g_256(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
  g_256(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
  g_256(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
  g_256(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
  g_256(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
  g_256(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
  g_256(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
  g_256(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

// In-place transpose of an 8x8 matrix of 32-bit words held as eight rows.
BASALT_AVX2 void transpose8(__m256i* r) {
  __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
  __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
  __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
  __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
  __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
  __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
  r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

#undef BASALT_SSE41
#undef BASALT_AVX2

}  // namespace

__attribute__((target("sse4.1,ssse3"))) void compress_cv_sse41(std::uint32_t cv[8],
                                                               const std::uint8_t block[64],
                                                               std::uint8_t block_len,
                                                               std::uint64_t counter,
                                                               std::uint8_t flags) {
  // The message words are little-endian, as x86 is: a plain copy reads them.
  std::uint32_t m[16];
  std::memcpy(m, block, 64);
  __m128i r0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cv));
  __m128i r1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cv + 4));
  __m128i r2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIv));
  __m128i r3 =
      _mm_set_epi32(flags, block_len, static_cast<int>(counter >> 32), static_cast<int>(counter));
  round_128<0>(r0, r1, r2, r3, m);
  round_128<1>(r0, r1, r2, r3, m);
  round_128<2>(r0, r1, r2, r3, m);
  round_128<3>(r0, r1, r2, r3, m);
  round_128<4>(r0, r1, r2, r3, m);
  round_128<5>(r0, r1, r2, r3, m);
  round_128<6>(r0, r1, r2, r3, m);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(cv), _mm_xor_si128(r0, r2));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(cv + 4), _mm_xor_si128(r1, r3));
}

__attribute__((target("avx2"))) void hash8_avx2(const std::uint8_t* const inputs[8],
                                                std::size_t blocks, const std::uint32_t key[8],
                                                std::uint64_t counter, CounterMode mode,
                                                std::uint8_t flags, std::uint8_t flags_start,
                                                std::uint8_t flags_end, std::uint32_t out[8][8],
                                                const std::uint32_t* last_len) {
  __m256i h[8];
  for (int i = 0; i < 8; ++i) h[i] = _mm256_set1_epi32(static_cast<int>(key[i]));
  __m256i ctr_lo, ctr_hi;
  {
    alignas(32) std::uint32_t lo[8], hi[8];
    for (int j = 0; j < 8; ++j) {
      std::uint64_t c =
          counter + (mode == CounterMode::kIncrement ? static_cast<std::uint64_t>(j) : 0);
      lo[j] = static_cast<std::uint32_t>(c);
      hi[j] = static_cast<std::uint32_t>(c >> 32);
    }
    ctr_lo = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
    ctr_hi = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
  }
  for (std::size_t b = 0; b < blocks; ++b) {
    __m256i m[16];
    for (int j = 0; j < 8; ++j) {
      const std::uint8_t* p = inputs[j] + 64 * b;
      m[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
      m[8 + j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
    }
    transpose8(m);
    transpose8(m + 8);
    std::uint8_t f = flags | (b == 0 ? flags_start : 0) | (b + 1 == blocks ? flags_end : 0);
    const __m256i len = b + 1 == blocks && last_len != nullptr
                            ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(last_len))
                            : _mm256_set1_epi32(64);
    __m256i v[16] = {h[0],
                     h[1],
                     h[2],
                     h[3],
                     h[4],
                     h[5],
                     h[6],
                     h[7],
                     _mm256_set1_epi32(static_cast<int>(kIv[0])),
                     _mm256_set1_epi32(static_cast<int>(kIv[1])),
                     _mm256_set1_epi32(static_cast<int>(kIv[2])),
                     _mm256_set1_epi32(static_cast<int>(kIv[3])),
                     ctr_lo,
                     ctr_hi,
                     len,
                     _mm256_set1_epi32(f)};
    round_256<0>(v, m);
    round_256<1>(v, m);
    round_256<2>(v, m);
    round_256<3>(v, m);
    round_256<4>(v, m);
    round_256<5>(v, m);
    round_256<6>(v, m);
    for (int i = 0; i < 8; ++i) h[i] = _mm256_xor_si256(v[i], v[i + 8]);
  }
  transpose8(h);
  for (int j = 0; j < 8; ++j) _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[j]), h[j]);
}

bool cpu_has_sse41() {
  static const bool has = __builtin_cpu_supports("sse4.1") && __builtin_cpu_supports("ssse3");
  return has;
}

bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

}  // namespace basalt::crypto::detail

#else  // not x86-64: no SIMD back-end; the portable code runs everywhere.

namespace basalt::crypto::detail {
void compress_cv_sse41(std::uint32_t*, const std::uint8_t*, std::uint8_t, std::uint64_t,
                       std::uint8_t) {
  BASALT_ASSERT(false);
}
void hash8_avx2(const std::uint8_t* const*, std::size_t, const std::uint32_t*, std::uint64_t,
                CounterMode, std::uint8_t, std::uint8_t, std::uint8_t, std::uint32_t (*)[8],
                const std::uint32_t*) {
  BASALT_ASSERT(false);
}
bool cpu_has_sse41() {
  return false;
}
bool cpu_has_avx2() {
  return false;
}
}  // namespace basalt::crypto::detail

#endif
