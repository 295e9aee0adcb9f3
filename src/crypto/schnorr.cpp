#include "crypto/schnorr.hpp"

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>

#include "core/assert.hpp"

namespace basalt::crypto {

namespace {

// One context for the process, created once and then only read: libsecp256k1 allows concurrent
// use of a context by sign and verify calls.
const secp256k1_context* ctx() {
  static const secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  return c;
}

// volatile writes: the wipe must not be optimised away.
void wipe(std::array<std::uint8_t, 32>& secret) {
  volatile std::uint8_t* p = secret.data();
  for (std::size_t i = 0; i < secret.size(); ++i) p[i] = 0;
}

}  // namespace

core::Result<SecretKey> SecretKey::from_bytes(const std::array<std::uint8_t, 32>& bytes) {
  if (secp256k1_ec_seckey_verify(ctx(), bytes.data()) != 1) {
    return core::Error{core::ErrorCode::kInvalid, "not a secp256k1 secret key"};
  }
  return SecretKey(bytes);
}

core::Result<SecretKey> SecretKey::generate() {
  std::array<std::uint8_t, 32> bytes;
  // Drawn again in the (2^-128) case of a value that is not a secret key.
  for (;;) {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
      return core::Error{core::ErrorCode::kIo, "OpenSSL's random generator failed"};
    if (secp256k1_ec_seckey_verify(ctx(), bytes.data()) == 1) break;
  }
  SecretKey key(bytes);
  wipe(bytes);
  return key;
}

SecretKey::~SecretKey() {
  wipe(bytes_);
}

SchnorrPublicKey SecretKey::public_key() const {
  secp256k1_keypair kp;
  BASALT_ASSERT(secp256k1_keypair_create(ctx(), &kp, bytes_.data()) == 1);
  secp256k1_xonly_pubkey xonly;
  BASALT_ASSERT(secp256k1_keypair_xonly_pub(ctx(), &xonly, nullptr, &kp) == 1);
  SchnorrPublicKey out;
  BASALT_ASSERT(secp256k1_xonly_pubkey_serialize(ctx(), out.x.data(), &xonly) == 1);
  return out;
}

SchnorrSignature SecretKey::sign(const core::Hash32& msg, const core::Hash32& aux) const {
  secp256k1_keypair kp;
  BASALT_ASSERT(secp256k1_keypair_create(ctx(), &kp, bytes_.data()) == 1);
  SchnorrSignature sig;
  BASALT_ASSERT(secp256k1_schnorrsig_sign32(ctx(), sig.bytes.data(), msg.data(), &kp, aux.data()) ==
                1);
  return sig;
}

core::Status schnorr_verify(const SchnorrPublicKey& pubkey, const core::Hash32& msg,
                            const SchnorrSignature& sig) {
  secp256k1_xonly_pubkey xonly;
  if (secp256k1_xonly_pubkey_parse(ctx(), &xonly, pubkey.x.data()) != 1) {
    return core::Error{core::ErrorCode::kVerifyFailed, "public key is not on the curve"};
  }
  if (secp256k1_schnorrsig_verify(ctx(), sig.bytes.data(), msg.data(), 32, &xonly) != 1) {
    return core::Error{core::ErrorCode::kVerifyFailed, "bad Schnorr signature"};
  }
  return core::Status::Ok();
}

}  // namespace basalt::crypto
