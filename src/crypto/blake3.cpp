// Portable BLAKE3. Structure follows the specification's description: chunks of 1024 bytes hashed
// block by block, chunk chaining values merged into a binary tree through a stack, the root node
// compressed with the ROOT flag.
#include "crypto/blake3.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "core/assert.hpp"
#include "crypto/detail/blake3_impl.hpp"

namespace basalt::crypto {
namespace {

using detail::kIv;
using detail::kSchedule;

inline std::uint32_t rotr(std::uint32_t x, int n) {
  return (x >> n) | (x << (32 - n));
}

inline std::uint32_t load_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 |
         std::uint32_t{p[3]} << 24;
}

[[gnu::always_inline]] inline void g(std::uint32_t& a, std::uint32_t& b, std::uint32_t& c,
                                     std::uint32_t& d, std::uint32_t x, std::uint32_t y) {
  a = a + x + b;  // a + x does not wait for b
  d = rotr(d ^ a, 16);
  c = c + d;
  b = rotr(b ^ c, 12);
  a = a + y + b;
  d = rotr(d ^ a, 8);
  c = c + d;
  b = rotr(b ^ c, 7);
}

// One round with the schedule known at compile time, so every index is a constant and the compiler
// keeps the whole state and message in registers.
template <int R>
[[gnu::always_inline]] inline void round_fn(std::uint32_t (&v)[16], const std::uint32_t (&m)[16]) {
  constexpr const std::uint8_t* s = kSchedule[R];
  g(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
  g(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
  g(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
  g(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
  g(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
  g(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
  g(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
  g(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
}

inline void compress_core(const std::uint32_t cv[8], const std::uint8_t block[64],
                          std::uint8_t block_len, std::uint64_t counter, std::uint8_t flags,
                          std::uint32_t (&v)[16]) {
  std::uint32_t m[16];
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(m, block, 64);
  } else {
    for (int i = 0; i < 16; ++i) m[i] = load_le32(block + 4 * i);
  }
  for (int i = 0; i < 8; ++i) v[i] = cv[i];
  v[8] = kIv[0];
  v[9] = kIv[1];
  v[10] = kIv[2];
  v[11] = kIv[3];
  v[12] = static_cast<std::uint32_t>(counter);
  v[13] = static_cast<std::uint32_t>(counter >> 32);
  v[14] = block_len;
  v[15] = flags;
  round_fn<0>(v, m);
  round_fn<1>(v, m);
  round_fn<2>(v, m);
  round_fn<3>(v, m);
  round_fn<4>(v, m);
  round_fn<5>(v, m);
  round_fn<6>(v, m);
}

// Compresses in place: cv becomes the first half of the output (the chaining value). Uses the
// SSE4.1 back-end when the CPU has it; it computes exactly what the portable code computes.
inline void compress_cv(std::uint32_t cv[8], const std::uint8_t block[64], std::uint8_t block_len,
                        std::uint64_t counter, std::uint8_t flags) {
  if (detail::cpu_has_sse41()) {
    detail::compress_cv_sse41(cv, block, block_len, counter, flags);
  } else {
    detail::compress_cv_portable(cv, block, block_len, counter, flags);
  }
}

// The digest is the chaining value's words in little-endian order.
core::Hash32 digest_of(const std::array<std::uint32_t, 8>& cv) {
  core::Hash32 h;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(h.data(), cv.data(), 32);
  } else {
    for (int i = 0; i < 8; ++i) {
      for (int j = 0; j < 4; ++j) h.bytes[4 * i + j] = static_cast<std::uint8_t>(cv[i] >> (8 * j));
    }
  }
  return h;
}

std::array<std::uint32_t, 8> words_of_key(const std::array<std::uint8_t, kBlake3KeyLen>& key) {
  std::array<std::uint32_t, 8> w{};
  for (int i = 0; i < 8; ++i) w[i] = load_le32(key.data() + 4 * i);
  return w;
}

std::array<std::uint32_t, 8> parent_cv(const std::array<std::uint32_t, 8>& left,
                                       const std::array<std::uint32_t, 8>& right,
                                       const std::array<std::uint32_t, 8>& key,
                                       std::uint8_t flags) {
  std::uint8_t block[64];
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) {
      block[4 * i + j] = static_cast<std::uint8_t>(left[i] >> (8 * j));
      block[32 + 4 * i + j] = static_cast<std::uint8_t>(right[i] >> (8 * j));
    }
  }
  std::array<std::uint32_t, 8> cv = key;
  compress_cv(cv.data(), block, 64, 0, flags | kParent);
  return cv;
}

}  // namespace

namespace detail {

void compress_cv_portable(std::uint32_t cv[8], const std::uint8_t block[64], std::uint8_t block_len,
                          std::uint64_t counter, std::uint8_t flags) {
  std::uint32_t v[16];
  compress_core(cv, block, block_len, counter, flags, v);
  for (int i = 0; i < 8; ++i) cv[i] = v[i] ^ v[i + 8];
}

void compress_xof_portable(const std::uint32_t cv[8], const std::uint8_t block[64],
                           std::uint8_t block_len, std::uint64_t counter, std::uint8_t flags,
                           std::uint32_t out[16]) {
  std::uint32_t v[16];
  compress_core(cv, block, block_len, counter, flags, v);
  for (int i = 0; i < 8; ++i) {
    out[i] = v[i] ^ v[i + 8];
    out[i + 8] = v[i + 8] ^ cv[i];
  }
}

}  // namespace detail

core::Hash32 blake3_keyed_single_block(const std::array<std::uint32_t, 8>& key_words,
                                       core::ByteSpan data) {
  BASALT_ASSERT(data.size() <= kBlake3BlockLen);
  // A message of at most one block is one chunk of one block: a single compression, every flag set.
  // A full block is compressed where it lies; a shorter one is zero-padded first.
  std::uint8_t padded[kBlake3BlockLen] = {};
  const std::uint8_t* block = data.data();
  if (data.size() < kBlake3BlockLen) {
    if (!data.empty())
      std::memcpy(padded, data.data(), data.size());  // an empty span may hold null
    block = padded;
  }
  std::array<std::uint32_t, 8> cv = key_words;
  compress_cv(cv.data(), block, static_cast<std::uint8_t>(data.size()), 0,
              kKeyedHash | kChunkStart | kChunkEnd | kRoot);
  return digest_of(cv);
}

void blake3_keyed_single_blocks(const std::array<std::uint32_t, 8>& key_words,
                                std::span<const std::uint8_t* const> blocks, core::Hash32* out) {
  std::size_t i = 0;
  if (detail::cpu_has_avx2()) {
    for (; i + 8 <= blocks.size(); i += 8) {
      std::uint32_t cvs[8][8];
      detail::hash8_avx2(blocks.data() + i, 1, key_words.data(), 0, detail::CounterMode::kSame,
                         kKeyedHash, kChunkStart, kChunkEnd | kRoot, cvs);
      for (int j = 0; j < 8; ++j) {
        std::array<std::uint32_t, 8> cv;
        std::copy(cvs[j], cvs[j] + 8, cv.begin());
        out[i + j] = digest_of(cv);
      }
    }
  }
  for (; i < blocks.size(); ++i)
    out[i] = blake3_keyed_single_block(key_words, {blocks[i], kBlake3BlockLen});
}

namespace {

// Eight messages of `blocks` blocks each (the last one partial or empty), side by side.
void keyed_eight(const std::array<std::uint32_t, 8>& key_words,
                 std::span<const core::ByteSpan> messages, const std::size_t* which,
                 std::size_t blocks, core::Hash32* out) {
  std::vector<std::uint8_t> padded(8 * blocks * kBlake3BlockLen, 0);
  const std::uint8_t* inputs[8];
  alignas(32) std::uint32_t last_len[8];
  for (int j = 0; j < 8; ++j) {
    const core::ByteSpan m = messages[which[j]];
    std::uint8_t* p = padded.data() + j * blocks * kBlake3BlockLen;
    if (!m.empty()) std::memcpy(p, m.data(), m.size());
    inputs[j] = p;
    last_len[j] = static_cast<std::uint32_t>(m.size() - (blocks - 1) * kBlake3BlockLen);
  }
  std::uint32_t cvs[8][8];
  detail::hash8_avx2(inputs, blocks, key_words.data(), 0, detail::CounterMode::kSame, kKeyedHash,
                     kChunkStart, kChunkEnd | kRoot, cvs, last_len);
  for (int j = 0; j < 8; ++j) {
    std::array<std::uint32_t, 8> cv;
    std::copy(cvs[j], cvs[j] + 8, cv.begin());
    out[which[j]] = digest_of(cv);
  }
}

}  // namespace

void blake3_keyed_many(const std::array<std::uint32_t, 8>& key_words,
                       std::span<const core::ByteSpan> messages, core::Hash32* out) {
  const auto one = [&](std::size_t i) {
    if (messages[i].size() <= kBlake3BlockLen) {
      out[i] = blake3_keyed_single_block(key_words, messages[i]);
      return;
    }
    Blake3 h(digest_of(key_words).bytes);  // the key's bytes are its words, little-endian
    h.update(messages[i]);
    out[i] = h.finalize();
  };
  constexpr std::size_t kMaxBlocks = kBlake3ChunkLen / kBlake3BlockLen;
  // By number of blocks: a group's messages end at the same block, so they share every flag.
  std::array<std::vector<std::size_t>, kMaxBlocks + 1> groups;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::size_t len = messages[i].size();
    if (len > kBlake3ChunkLen || !detail::cpu_has_avx2()) {
      one(i);
      continue;
    }
    groups[std::max<std::size_t>(1, (len + kBlake3BlockLen - 1) / kBlake3BlockLen)].push_back(i);
  }
  for (std::size_t blocks = 1; blocks <= kMaxBlocks; ++blocks) {
    const std::vector<std::size_t>& g = groups[blocks];
    std::size_t k = 0;
    for (; k + 8 <= g.size(); k += 8) keyed_eight(key_words, messages, g.data() + k, blocks, out);
    for (; k < g.size(); ++k) one(g[k]);
  }
}

std::array<std::uint32_t, 16> blake3_compress(const std::array<std::uint32_t, 8>& cv,
                                              const std::uint8_t block[kBlake3BlockLen],
                                              std::uint8_t block_len, std::uint64_t counter,
                                              std::uint8_t flags) {
  std::array<std::uint32_t, 16> out{};
  detail::compress_xof_portable(cv.data(), block, block_len, counter, flags, out.data());
  return out;
}

Blake3::Blake3() {
  init(std::to_array(kIv), 0);
}

Blake3::Blake3(const std::array<std::uint8_t, kBlake3KeyLen>& key) {
  init(words_of_key(key), kKeyedHash);
}

void Blake3::init(const std::array<std::uint32_t, 8>& key_words, std::uint8_t flags) {
  key_ = key_words;
  chunk_cv_ = key_words;
  flags_ = flags;
}

void Blake3::compress_buffered_block() {
  std::uint8_t f = flags_ | (blocks_compressed_ == 0 ? kChunkStart : 0);
  compress_cv(chunk_cv_.data(), buf_.data(), kBlake3BlockLen, chunk_counter_, f);
  ++blocks_compressed_;
  buf_len_ = 0;
}

void Blake3::push_chunk_cv(std::array<std::uint32_t, 8> cv, std::uint64_t total_chunks) {
  // Each trailing zero bit of the chunk count completes one more subtree.
  while ((total_chunks & 1) == 0) {
    cv = parent_cv(cv_stack_[--cv_stack_len_], cv, key_, flags_);
    total_chunks >>= 1;
  }
  cv_stack_[cv_stack_len_++] = cv;
}

void Blake3::update(core::ByteSpan data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  while (n > 0) {
    std::size_t chunk_len = std::size_t{blocks_compressed_} * kBlake3BlockLen + buf_len_;
    if (chunk_len == kBlake3ChunkLen) {
      // The chunk is complete and more input follows, so it is not the root: finish it.
      Output out = chunk_output();
      std::array<std::uint32_t, 8> cv = out.cv;
      compress_cv(cv.data(), out.block.data(), out.block_len, out.counter, out.flags);
      push_chunk_cv(cv, chunk_counter_ + 1);
      ++chunk_counter_;
      chunk_cv_ = key_;
      blocks_compressed_ = 0;
      buf_len_ = 0;
      continue;
    }
    // At a chunk boundary with more than eight chunks of input left, hash eight whole chunks side
    // by side. At least one byte stays behind, so the final chunk (which may be the root) never
    // goes this way.
    if (chunk_len == 0 && n > 8 * kBlake3ChunkLen && detail::cpu_has_avx2()) {
      std::uint32_t cvs[8][8];
      const std::uint8_t* chunks[8];
      for (int j = 0; j < 8; ++j) chunks[j] = p + j * kBlake3ChunkLen;
      detail::hash8_avx2(chunks, kBlake3ChunkLen / kBlake3BlockLen, key_.data(), chunk_counter_,
                         detail::CounterMode::kIncrement, flags_, kChunkStart, kChunkEnd, cvs);
      for (const auto& cv : cvs) {
        std::array<std::uint32_t, 8> c;
        std::copy(cv, cv + 8, c.begin());
        push_chunk_cv(c, chunk_counter_ + 1);
        ++chunk_counter_;
      }
      p += 8 * kBlake3ChunkLen;
      n -= 8 * kBlake3ChunkLen;
      continue;
    }
    // Whole blocks straight from the input while at least one more byte stays for the buffer (the
    // last block of a chunk must stay buffered: it carries CHUNK_END and maybe ROOT).
    if (buf_len_ == 0) {
      while (n > kBlake3BlockLen && blocks_compressed_ < kBlake3ChunkLen / kBlake3BlockLen - 1) {
        std::uint8_t f = flags_ | (blocks_compressed_ == 0 ? kChunkStart : 0);
        compress_cv(chunk_cv_.data(), p, kBlake3BlockLen, chunk_counter_, f);
        ++blocks_compressed_;
        p += kBlake3BlockLen;
        n -= kBlake3BlockLen;
      }
    }
    if (buf_len_ == kBlake3BlockLen) {
      compress_buffered_block();
      continue;
    }
    std::size_t take = std::min<std::size_t>(kBlake3BlockLen - buf_len_, n);
    std::memcpy(buf_.data() + buf_len_, p, take);
    buf_len_ = static_cast<std::uint8_t>(buf_len_ + take);
    p += take;
    n -= take;
  }
}

Blake3::Output Blake3::chunk_output() const {
  Output out;
  out.cv = chunk_cv_;
  out.block = {};
  std::memcpy(out.block.data(), buf_.data(), buf_len_);
  out.block_len = buf_len_;
  out.counter = chunk_counter_;
  out.flags =
      static_cast<std::uint8_t>(flags_ | kChunkEnd | (blocks_compressed_ == 0 ? kChunkStart : 0));
  return out;
}

core::Hash32 Blake3::finalize() const {
  Output out = chunk_output();
  for (int i = cv_stack_len_; i > 0; --i) {
    std::array<std::uint32_t, 8> right = out.cv;
    compress_cv(right.data(), out.block.data(), out.block_len, out.counter, out.flags);
    const auto& left = cv_stack_[i - 1];
    for (int w = 0; w < 8; ++w) {
      for (int j = 0; j < 4; ++j) {
        out.block[4 * w + j] = static_cast<std::uint8_t>(left[w] >> (8 * j));
        out.block[32 + 4 * w + j] = static_cast<std::uint8_t>(right[w] >> (8 * j));
      }
    }
    out.cv = key_;
    out.block_len = kBlake3BlockLen;
    out.counter = 0;
    out.flags = flags_ | kParent;
  }
  std::array<std::uint32_t, 8> root = out.cv;
  compress_cv(root.data(), out.block.data(), out.block_len, out.counter, out.flags | kRoot);
  return digest_of(root);
}

core::Hash32 blake3_hash(core::ByteSpan data) {
  Blake3 h;
  h.update(data);
  return h.finalize();
}

core::Hash32 blake3_keyed_hash(const std::array<std::uint8_t, kBlake3KeyLen>& key,
                               core::ByteSpan data) {
  if (data.size() <= kBlake3BlockLen) return blake3_keyed_single_block(words_of_key(key), data);
  Blake3 h(key);
  h.update(data);
  return h.finalize();
}

}  // namespace basalt::crypto
