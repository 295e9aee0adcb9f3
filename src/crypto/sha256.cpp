// OpenSSL 3 marks the SHA256_* functions deprecated in favour of EVP, but EVP fetches and allocates
// per digest, which costs more than hashing a 64-byte SMT node. The low-level functions remain
// supported, run the same accelerated code, and are used here on purpose.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/sha256.hpp"

#include <openssl/sha.h>

#include <bit>
#include <cstring>
#include <new>

namespace basalt::crypto {

static_assert(sizeof(SHA256_CTX) <= 128, "opaque storage too small for SHA256_CTX");

namespace {
SHA256_CTX* ctx(unsigned char* p) {
  return std::launder(reinterpret_cast<SHA256_CTX*>(p));
}
}  // namespace

Sha256::Sha256() {
  SHA256_Init(new (state_) SHA256_CTX);
}

void Sha256::update(core::ByteSpan data) {
  SHA256_Update(ctx(state_), data.data(), data.size());
}

core::Hash32 Sha256::finalize() const {
  SHA256_CTX copy;
  std::memcpy(&copy, state_, sizeof(copy));
  core::Hash32 out;
  SHA256_Final(out.data(), &copy);
  return out;
}

core::Hash32 sha256(core::ByteSpan data) {
  Sha256 h;
  h.update(data);
  return h.finalize();
}

void sha256_compress(std::array<std::uint32_t, 8>& state, const std::uint8_t block[64]) {
  // SHA256_Transform reads only the chaining words: the rest of the context needs no set-up.
  SHA256_CTX c;
  for (int i = 0; i < 8; ++i) c.h[i] = state[i];
  SHA256_Transform(&c, block);
  for (int i = 0; i < 8; ++i) state[i] = c.h[i];
}

core::Hash32 sha256_compress_from(const std::array<std::uint32_t, 8>& iv,
                                  const std::uint8_t block[64]) {
  std::array<std::uint32_t, 8> state = iv;
  sha256_compress(state, block);
  core::Hash32 out;
  for (int i = 0; i < 8; ++i) {
    std::uint32_t w = state[i];
    if constexpr (std::endian::native == std::endian::little) w = __builtin_bswap32(w);
    std::memcpy(out.bytes.data() + 4 * i, &w, 4);
  }
  return out;
}

std::array<std::uint32_t, 8> sha256_domain_iv(std::string_view name) {
  const core::Hash32 h = sha256({reinterpret_cast<const std::uint8_t*>(name.data()), name.size()});
  std::array<std::uint32_t, 8> iv{};
  for (int i = 0; i < 8; ++i) {
    iv[i] = std::uint32_t{h.bytes[4 * i]} << 24 | std::uint32_t{h.bytes[4 * i + 1]} << 16 |
            std::uint32_t{h.bytes[4 * i + 2]} << 8 | h.bytes[4 * i + 3];
  }
  return iv;
}

}  // namespace basalt::crypto
