#include <gtest/gtest.h>

#include "crypto/schnorr.hpp"
#include "test_util.hpp"

namespace basalt::crypto {
namespace {

// BIP-340 test vector 0 (secret key 3, aux and message zero).
TEST(Schnorr, Bip340VectorZero) {
  std::array<std::uint8_t, 32> sk{};
  sk[31] = 3;
  auto key = SecretKey::from_bytes(sk);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(core::to_hex(key->public_key().x),
            "f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9");
  SchnorrSignature sig = key->sign(core::Hash32::zero(), core::Hash32::zero());
  EXPECT_EQ(core::to_hex(sig.bytes),
            "e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a7"
            "4f382d2ce5ebeee8fdb2172f477df4900d310536c0");
  EXPECT_TRUE(schnorr_verify(key->public_key(), core::Hash32::zero(), sig).ok());
}

TEST(Schnorr, TamperedSignatureMessageOrKeyFails) {
  test::Rng rng(51);
  std::array<std::uint8_t, 32> sk{};
  for (auto& b : sk) b = static_cast<std::uint8_t>(rng.u64());
  sk[0] &= 0x7f;  // below the group order
  auto key = SecretKey::from_bytes(sk);
  ASSERT_TRUE(key.ok());
  core::Hash32 msg = rng.hash();
  SchnorrSignature sig = key->sign(msg, rng.hash());
  ASSERT_TRUE(schnorr_verify(key->public_key(), msg, sig).ok());
  for (int bit = 0; bit < 512; bit += 7) {
    SchnorrSignature bad = sig;
    bad.bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(schnorr_verify(key->public_key(), msg, bad).ok()) << bit;
  }
  core::Hash32 other = msg;
  other.bytes[3] ^= 1;
  EXPECT_FALSE(schnorr_verify(key->public_key(), other, sig).ok());
  SchnorrPublicKey off_curve{};
  off_curve.x.fill(0xff);
  EXPECT_EQ(schnorr_verify(off_curve, msg, sig).error().code(), core::ErrorCode::kVerifyFailed);
  EXPECT_FALSE(SecretKey::from_bytes({}).ok());
}

}  // namespace
}  // namespace basalt::crypto
