// BIP-340 Schnorr signatures over secp256k1, through libsecp256k1 (no curve arithmetic of our own).
// Keys are x-only public keys (32 bytes); signatures are 64 bytes. The secret key is wiped when it
// goes out of scope.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.hpp"

namespace basalt::crypto {

struct SchnorrPublicKey {
  std::array<std::uint8_t, 32> x{};
  auto operator<=>(const SchnorrPublicKey&) const = default;
};

struct SchnorrSignature {
  std::array<std::uint8_t, 64> bytes{};
  bool operator==(const SchnorrSignature&) const = default;
};

class SecretKey {
 public:
  // Errors: kInvalid unless the 32 bytes are a valid secp256k1 secret key (non-zero, below n).
  static core::Result<SecretKey> from_bytes(const std::array<std::uint8_t, 32>& bytes);
  // A fresh key from OpenSSL's CSPRNG. Errors: kIo when it cannot give random bytes.
  static core::Result<SecretKey> generate();
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey();

  SchnorrPublicKey public_key() const;
  // The secret itself, for writing a key file.
  const std::array<std::uint8_t, 32>& export_bytes() const { return bytes_; }
  // BIP-340 signature of a 32-byte message with 32 bytes of auxiliary randomness.
  SchnorrSignature sign(const core::Hash32& msg, const core::Hash32& aux) const;

 private:
  explicit SecretKey(const std::array<std::uint8_t, 32>& b) : bytes_(b) {}
  std::array<std::uint8_t, 32> bytes_;
};

// kVerifyFailed unless sig is a valid BIP-340 signature of msg under pubkey (an x coordinate not on
// the curve fails too).
core::Status schnorr_verify(const SchnorrPublicKey& pubkey, const core::Hash32& msg,
                            const SchnorrSignature& sig);

}  // namespace basalt::crypto
