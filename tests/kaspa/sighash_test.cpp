#include <gtest/gtest.h>

#include "kaspa/sighash.hpp"
#include "kaspa/signing.hpp"
#include "test_util.hpp"
#include "tx_gen.hpp"

namespace basalt::kaspa {
namespace {

// The transactions and expectations of rusty-kaspa's sighash test (consensus/core/src/hashing/
// sighash.rs, test_signature_hash): three inputs spending one previous transaction, two outputs.
enum class Base { kNative, kNativeV1, kSubnetwork };
enum class Action {
  kNoAction,
  kOutput,
  kInput,
  kComputeBudget,
  kSigOpCount,
  kAmountSpent,
  kPrevScriptPublicKey,
  kSequence,
  kPayload,
  kGas,
  kSubnetworkId,
};

struct Vector {
  const char* name;
  Base base;
  std::uint8_t type;
  std::uint32_t input;
  Action action;
  std::size_t arg;
  const char* expected;
};

const Vector kVectors[] = {
    {"native-all-0", Base::kNative, 0x01, 0, Action::kNoAction, 0,
     "03b7ac6927b2b67100734c3cc313ff8c2e8b3ce3e746d46dd660b706a916b1f5"},
    {"native-all-0-modify-input-1", Base::kNative, 0x01, 0, Action::kInput, 1,
     "a9f563d86c0ef19ec2e4f483901d202e90150580b6123c3d492e26e7965f488c"},
    {"native-all-0-modify-compute-mass-1", Base::kNative, 0x01, 0, Action::kComputeBudget, 1,
     "03b7ac6927b2b67100734c3cc313ff8c2e8b3ce3e746d46dd660b706a916b1f5"},
    {"native-v1-all-0-modify-sigopcount-0", Base::kNativeV1, 0x01, 0, Action::kSigOpCount, 0,
     "5b2657524be672e019897646b56da3d192b453d78ae5e6e5c07f029a69f5f075"},
    {"native-v1-all-0-modify-sigopcount-1", Base::kNativeV1, 0x01, 0, Action::kSigOpCount, 1,
     "5b2657524be672e019897646b56da3d192b453d78ae5e6e5c07f029a69f5f075"},
    {"native-v1-all-0-modify-compute-budget-0", Base::kNativeV1, 0x01, 0, Action::kComputeBudget, 0,
     "5b2657524be672e019897646b56da3d192b453d78ae5e6e5c07f029a69f5f075"},
    {"native-v1-all-0-modify-compute-budget-1", Base::kNativeV1, 0x01, 0, Action::kComputeBudget, 1,
     "5b2657524be672e019897646b56da3d192b453d78ae5e6e5c07f029a69f5f075"},
    {"native-all-0-modify-output-1", Base::kNative, 0x01, 0, Action::kOutput, 1,
     "aad2b61bd2405dfcf7294fc2be85f325694f02dda22d0af30381cb50d8295e0a"},
    {"native-all-0-modify-sequence-1", Base::kNative, 0x01, 0, Action::kSequence, 1,
     "0818bd0a3703638d4f01014c92cf866a8903cab36df2fa2506dc0d06b94295e8"},
    {"native-all-anyonecanpay-0", Base::kNative, 0x81, 0, Action::kNoAction, 0,
     "24821e466e53ff8e5fa93257cb17bb06131a48be4ef282e87f59d2bdc9afebc2"},
    {"native-all-anyonecanpay-0-modify-input-0", Base::kNative, 0x81, 0, Action::kInput, 0,
     "d09cb639f335ee69ac71f2ad43fd9e59052d38a7d0638de4cf989346588a7c38"},
    {"native-all-anyonecanpay-0-modify-input-1", Base::kNative, 0x81, 0, Action::kInput, 1,
     "24821e466e53ff8e5fa93257cb17bb06131a48be4ef282e87f59d2bdc9afebc2"},
    {"native-all-anyonecanpay-0-modify-sequence", Base::kNative, 0x81, 0, Action::kSequence, 1,
     "24821e466e53ff8e5fa93257cb17bb06131a48be4ef282e87f59d2bdc9afebc2"},
    {"native-none-0", Base::kNative, 0x02, 0, Action::kNoAction, 0,
     "38ce4bc93cf9116d2e377b33ff8449c665b7b5e2f2e65303c543b9afdaa4bbba"},
    {"native-none-0-modify-output-1", Base::kNative, 0x02, 0, Action::kOutput, 1,
     "38ce4bc93cf9116d2e377b33ff8449c665b7b5e2f2e65303c543b9afdaa4bbba"},
    {"native-none-0-modify-sequence-0", Base::kNative, 0x02, 0, Action::kSequence, 0,
     "d9efdd5edaa0d3fd0133ee3ab731d8c20e0a1b9f3c0581601ae2075db1109268"},
    {"native-none-0-modify-sequence-1", Base::kNative, 0x02, 0, Action::kSequence, 1,
     "38ce4bc93cf9116d2e377b33ff8449c665b7b5e2f2e65303c543b9afdaa4bbba"},
    {"native-none-anyonecanpay-0", Base::kNative, 0x82, 0, Action::kNoAction, 0,
     "06aa9f4239491e07bb2b6bda6b0657b921aeae51e193d2c5bf9e81439cfeafa0"},
    {"native-none-anyonecanpay-0-modify-amount-spent", Base::kNative, 0x82, 0, Action::kAmountSpent,
     0, "f07f45f3634d3ea8c0f2cb676f56e20993edf9be07a83bf0dfdb3debcf1441bf"},
    {"native-none-anyonecanpay-0-modify-script-public-key", Base::kNative, 0x82, 0,
     Action::kPrevScriptPublicKey, 0,
     "20a525c54dc33b2a61201f05233c086dbe8e06e9515775181ed96550b4f2d714"},
    {"native-single-0", Base::kNative, 0x04, 0, Action::kNoAction, 0,
     "44a0b407ff7b239d447743dd503f7ad23db5b2ee4d25279bd3dffaf6b474e005"},
    {"native-single-0-modify-output-1", Base::kNative, 0x04, 0, Action::kOutput, 1,
     "44a0b407ff7b239d447743dd503f7ad23db5b2ee4d25279bd3dffaf6b474e005"},
    {"native-single-0-modify-sequence-0", Base::kNative, 0x04, 0, Action::kSequence, 0,
     "83796d22879718eee1165d4aace667bb6778075dab579c32c57be945f466a451"},
    {"native-single-0-modify-sequence-1", Base::kNative, 0x04, 0, Action::kSequence, 1,
     "44a0b407ff7b239d447743dd503f7ad23db5b2ee4d25279bd3dffaf6b474e005"},
    {"native-single-2-no-corresponding-output", Base::kNative, 0x04, 2, Action::kNoAction, 0,
     "022ad967192f39d8d5895d243e025ec14cc7a79708c5e364894d4eff3cecb1b0"},
    {"native-single-2-no-corresponding-output-modify-output-1", Base::kNative, 0x04, 2,
     Action::kOutput, 1, "022ad967192f39d8d5895d243e025ec14cc7a79708c5e364894d4eff3cecb1b0"},
    {"native-single-anyonecanpay-0", Base::kNative, 0x84, 0, Action::kNoAction, 0,
     "43b20aba775050cf9ba8d5e48fc7ed2dc6c071d23f30382aea58b7c59cfb8ed7"},
    {"native-single-anyonecanpay-2-no-corresponding-output", Base::kNative, 0x84, 2,
     Action::kNoAction, 0, "846689131fb08b77f83af1d3901076732ef09d3f8fdff945be89aa4300562e5f"},
    {"native-all-0-modify-payload", Base::kNative, 0x01, 0, Action::kPayload, 0,
     "72ea6c2871e0f44499f1c2b556f265d9424bfea67cca9cb343b4b040ead65525"},
    {"subnetwork-all-0", Base::kSubnetwork, 0x01, 0, Action::kNoAction, 0,
     "b2f421c933eb7e1a91f1d9e1efa3f120fe419326c0dbac487752189522550e0c"},
    {"subnetwork-all-modify-payload", Base::kSubnetwork, 0x01, 0, Action::kPayload, 0,
     "12ab63b9aea3d58db339245a9b6e9cb6075b2253615ce0fb18104d28de4435a1"},
    {"subnetwork-all-modify-gas", Base::kSubnetwork, 0x01, 0, Action::kGas, 0,
     "2501edfc0068d591160c4bd98646c6e6892cdc051182a8be3ccd6d67f104fd17"},
    {"subnetwork-all-subnetwork-id", Base::kSubnetwork, 0x01, 0, Action::kSubnetworkId, 0,
     "a5d1230ede0dfcfd522e04123a7bcd721462fed1d3a87352031a4f6e3c4389b6"},
};

ScriptPublicKey spk(const char* hex) {
  return {0, core::from_hex(hex).value()};
}

struct Populated {
  Transaction tx;
  std::vector<UtxoEntry> entries;
};

Populated base(Base b) {
  const TxId prev(
      Hash32::from_hex("880eb9819a31821d9d2399e2f35e2433b72637e393d71ecc9b8d0250f49153c3").value());
  const ScriptPublicKey spk1 =
      spk("208325613d2eeaf7176ac6c670b13c0043156c427438ed72d74b7800862ad884e8ac");
  const ScriptPublicKey spk2 =
      spk("20fcef4c106cf11135bbd70f02a726a92162d2fb8b22f0469126f800862ad884e8ac");
  Populated p;
  p.tx.version = b == Base::kNativeV1 ? 1 : 0;
  const std::uint16_t budgets[] = {11, 22, 33};
  for (std::uint32_t i = 0; i < 3; ++i) {
    TxInput in;
    in.previous_outpoint = {prev, i};
    in.sequence = i;
    in.compute_commit = b == Base::kNativeV1
                            ? ComputeCommit{ComputeCommit::Kind::kComputeBudget, budgets[i]}
                            : ComputeCommit{ComputeCommit::Kind::kSigOpCount, 0};
    p.tx.inputs.push_back(in);
  }
  p.tx.outputs = {{300, spk2, std::nullopt}, {300, spk1, std::nullopt}};
  p.tx.lock_time = 1615462089000;
  p.entries = {{100, spk1, false, std::nullopt},
               {200, spk2, false, std::nullopt},
               {300, spk2, false, std::nullopt}};
  if (b == Base::kSubnetwork) {
    for (std::uint8_t i = 0; i < 10; ++i) p.tx.subnetwork_id.bytes[i] = i + 1;
    p.tx.gas = 250;
    p.tx.payload = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
  }
  return p;
}

void apply(Populated& p, Action a, std::size_t i) {
  switch (a) {
    case Action::kNoAction:
      break;
    case Action::kOutput:
      p.tx.outputs[i].value = 100;
      break;
    case Action::kInput:
      p.tx.inputs[i].previous_outpoint.index = 2;
      break;
    case Action::kComputeBudget:
      p.tx.inputs[i].compute_commit = {ComputeCommit::Kind::kComputeBudget, 1234};
      break;
    case Action::kSigOpCount:
      p.tx.inputs[i].compute_commit = {ComputeCommit::Kind::kSigOpCount, 123};
      break;
    case Action::kAmountSpent:
      p.entries[i].amount = 666;
      break;
    case Action::kPrevScriptPublicKey:
      for (std::uint8_t b : {1, 2, 3}) p.entries[i].script_public_key.script.push_back(b);
      break;
    case Action::kSequence:
      p.tx.inputs[i].sequence = 12345;
      break;
    case Action::kPayload:
      p.tx.payload = {6, 6, 6, 4, 2, 0, 1, 3, 3, 7};
      break;
    case Action::kGas:
      p.tx.gas = 1234;
      break;
    case Action::kSubnetworkId:
      p.tx.subnetwork_id = {};
      for (std::size_t k = 0; std::uint8_t b : {6, 6, 6, 4, 2, 0, 1, 3, 3, 7}) {
        p.tx.subnetwork_id.bytes[k++] = b;
      }
      break;
  }
}

TEST(Sighash, RustyKaspaVectors) {
  for (const Vector& v : kVectors) {
    Populated p = base(v.base);
    apply(p, v.action, v.arg);
    auto type = SigHashType::from_byte(v.type);
    ASSERT_TRUE(type.ok()) << v.name;
    EXPECT_EQ(schnorr_sighash(p.tx, v.input, p.entries[v.input], *type).hex(), v.expected)
        << v.name;
  }
}

TEST(Sighash, OnlyTheSixTypesKaspadAllowsParse) {
  int allowed = 0;
  for (int b = 0; b < 256; ++b) {
    if (SigHashType::from_byte(static_cast<std::uint8_t>(b)).ok()) ++allowed;
  }
  EXPECT_EQ(allowed, 6);
  EXPECT_FALSE(SigHashType::from_byte(0x00).ok());
  EXPECT_FALSE(SigHashType::from_byte(0x03).ok());
  EXPECT_FALSE(SigHashType::from_byte(0x41).ok());
  EXPECT_TRUE(SigHashType::from_byte(0x84).ok());
}

// The cache must give what a fresh computation gives, whatever order inputs and types come in.
TEST(Sighash, TheCacheAgreesWithAFreshComputation) {
  test::Rng rng(7);
  for (int round = 0; round < 200; ++round) {
    Transaction tx = testing::random_tx(rng, static_cast<std::uint16_t>(rng.below(2)));
    if (tx.inputs.empty()) continue;
    SighashCache cache(tx);
    for (int k = 0; k < 8; ++k) {
      const auto i = static_cast<std::uint32_t>(rng.below(tx.inputs.size()));
      const std::uint8_t types[] = {0x01, 0x02, 0x04, 0x81, 0x82, 0x84};
      const SigHashType t = SigHashType::from_byte(types[rng.below(6)]).value();
      UtxoEntry e{rng.u64(), {0, rng.bytes(rng.below(40))}, false, std::nullopt};
      EXPECT_EQ(cache.schnorr(i, e, t), schnorr_sighash(tx, i, e, t));
      EXPECT_NE(cache.ecdsa(i, e, t), cache.schnorr(i, e, t));
    }
  }
}

}  // namespace
}  // namespace basalt::kaspa
