#include <gtest/gtest.h>

#include "kaspa/signing.hpp"
#include "test_util.hpp"

namespace basalt::kaspa {
namespace {

crypto::SecretKey key(std::uint8_t b) {
  std::array<std::uint8_t, 32> k{};
  k.fill(b);
  return std::move(crypto::SecretKey::from_bytes(k)).value();
}

Transaction two_inputs() {
  Transaction tx;
  tx.version = 1;
  tx.subnetwork_id = LaneId::from_namespace({0, 0, 1, 1});
  for (std::uint32_t i = 0; i < 2; ++i) {
    TxInput in;
    in.previous_outpoint = {TxId(Hash32::from_byte(static_cast<std::uint8_t>(i + 1))), i};
    in.compute_commit.kind = ComputeCommit::Kind::kComputeBudget;
    tx.inputs.push_back(in);
  }
  tx.outputs.push_back({5, p2pk_script(key(9).public_key()), std::nullopt});
  return tx;
}

TEST(Signing, SignedInputsVerifyIndependently) {
  auto alice = key(1);
  UtxoEntry spent{1000, p2pk_script(alice.public_key()), false, std::nullopt};
  Transaction tx = two_inputs();
  sign_p2pk_input(tx, 0, spent, alice, Hash32::from_byte(1));
  sign_p2pk_input(tx, 1, spent, alice, Hash32::from_byte(2));
  EXPECT_TRUE(verify_p2pk_input(tx, 0, spent).ok());
  EXPECT_TRUE(verify_p2pk_input(tx, 1, spent).ok());
  // Each signature is bound to its input, the spent amount and script, and the outputs.
  Transaction swapped = tx;
  std::swap(swapped.inputs[0].signature_script, swapped.inputs[1].signature_script);
  EXPECT_FALSE(verify_p2pk_input(swapped, 0, spent).ok());
  UtxoEntry more = spent;
  more.amount += 1;
  EXPECT_FALSE(verify_p2pk_input(tx, 0, more).ok());
  Transaction changed = tx;
  changed.outputs[0].value += 1;
  EXPECT_EQ(verify_p2pk_input(changed, 0, spent).error().code(), core::ErrorCode::kVerifyFailed);
}

// SIGHASH_SINGLE|ANYONECANPAY commits to its own input and output only: others may be added.
TEST(Signing, AnyoneCanPaySingleLeavesTheRestOpen) {
  auto alice = key(1);
  UtxoEntry spent{1000, p2pk_script(alice.public_key()), false, std::nullopt};
  Transaction tx = two_inputs();
  const SigHashType single_acp =
      SigHashType::from_byte(SigHashType::kSingle | SigHashType::kAnyoneCanPay).value();
  sign_p2pk_input(tx, 0, spent, alice, Hash32::from_byte(1), single_acp);
  EXPECT_EQ(tx.inputs[0].signature_script[65], 0x84);
  ASSERT_TRUE(verify_p2pk_input(tx, 0, spent).ok());
  Transaction grown = tx;
  grown.inputs[1].sequence = 99;
  grown.outputs.push_back({7, p2pk_script(key(3).public_key()), std::nullopt});
  EXPECT_TRUE(verify_p2pk_input(grown, 0, spent).ok());
  grown.outputs[0].value += 1;
  EXPECT_EQ(verify_p2pk_input(grown, 0, spent).error().code(), core::ErrorCode::kVerifyFailed);
}

TEST(Signing, MalformedScriptsAreInvalidNotCrashes) {
  auto alice = key(1);
  UtxoEntry spent{1000, p2pk_script(alice.public_key()), false, std::nullopt};
  Transaction tx = two_inputs();
  sign_p2pk_input(tx, 0, spent, alice, Hash32::from_byte(1));
  core::Bytes good = tx.inputs[0].signature_script;
  for (std::size_t n = 0; n < good.size(); ++n) {
    tx.inputs[0].signature_script.assign(good.begin(), good.begin() + static_cast<long>(n));
    EXPECT_EQ(verify_p2pk_input(tx, 0, spent).error().code(), core::ErrorCode::kInvalid) << n;
  }
  tx.inputs[0].signature_script = good;
  tx.inputs[0].signature_script[65] = 0x03;  // no sighash type kaspad allows
  EXPECT_EQ(verify_p2pk_input(tx, 0, spent).error().code(), core::ErrorCode::kInvalid);
  tx.inputs[0].signature_script[65] = 0x02;  // an allowed type the signature was not made with
  EXPECT_EQ(verify_p2pk_input(tx, 0, spent).error().code(), core::ErrorCode::kVerifyFailed);
  EXPECT_FALSE(verify_p2pk_input(tx, 7, spent).ok());  // no such input
  UtxoEntry other{1000, {0, {0x51}}, false, std::nullopt};
  EXPECT_EQ(verify_p2pk_input(tx, 0, other).error().code(), core::ErrorCode::kInvalid);
  EXPECT_FALSE(p2pk_key({1, spent.script_public_key.script}).has_value());  // script version 1
  EXPECT_EQ(p2pk_key(spent.script_public_key)->x, alice.public_key().x);
}

}  // namespace
}  // namespace basalt::kaspa
