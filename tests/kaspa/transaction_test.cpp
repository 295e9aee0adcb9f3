#include <gtest/gtest.h>

#include "core/byte_writer.hpp"
#include "crypto/domain.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/tx_gen.hpp"

namespace basalt::kaspa {
namespace {

using core::ErrorCode;

TEST(TransactionWire, RoundTripsBothVersions) {
  test::Rng rng(11);
  for (int i = 0; i < 500; ++i) {
    Transaction tx = testing::random_tx(rng, static_cast<std::uint16_t>(i % 2));
    core::Bytes wire = serialize_transaction(tx);
    auto back = deserialize_transaction(wire);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    ASSERT_EQ(*back, tx);
    ASSERT_EQ(serialize_transaction(*back), wire);
    // The wire format is the tx_hash preimage.
    ASSERT_EQ(tx_hash(tx).hash(), crypto::domain_hash(crypto::Domain::kTransactionHash, wire));
  }
}

TEST(TransactionWire, EveryTruncationIsAnErrorNotACrash) {
  test::Rng rng(12);
  for (std::uint16_t v : {0, 1}) {
    Transaction tx = testing::random_tx(rng, v);
    tx.inputs.resize(1);
    tx.outputs.resize(1);
    // v1 always ends with the mass; a v0 mass would make the prefix without it a valid encoding.
    tx.storage_mass = v == 1 ? 5 : 0;
    core::Bytes wire = serialize_transaction(tx);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      auto r = deserialize_transaction(core::ByteSpan(wire).first(n));
      ASSERT_FALSE(r.ok()) << "prefix " << n << " of " << wire.size() << " accepted (v" << v << ")";
    }
  }
}

TEST(TransactionWire, RejectsEachNonCanonicalForm) {
  Transaction v0;
  v0.payload = {1};
  core::Bytes wire = serialize_transaction(v0);

  core::Bytes unknown = wire;
  unknown[0] = 2;
  EXPECT_EQ(deserialize_transaction(unknown).error().code(), ErrorCode::kUnknownTag);

  core::Bytes trailing = wire;
  trailing.push_back(0);
  EXPECT_FALSE(deserialize_transaction(trailing).ok());

  // v0 omits a zero storage mass; writing it explicitly would be a second encoding.
  core::Bytes zero_mass = wire;
  zero_mass.insert(zero_mass.end(), 8, 0);
  EXPECT_EQ(deserialize_transaction(zero_mass).error().code(), ErrorCode::kNonCanonical);

  Transaction v1;
  v1.version = 1;
  v1.subnetwork_id = LaneId::from_namespace({0, 0, 1, 0});
  v1.outputs.push_back(TxOutput{1, {0, {0x51}}, std::nullopt});
  core::Bytes w1 = serialize_transaction(v1);
  // The covenant flag byte sits right after the output's script.
  std::size_t flag_at = 2 + 8 + 8 + 8 + 2 + 8 + 1;
  ASSERT_EQ(w1[flag_at], 0);
  w1[flag_at] = 2;
  EXPECT_EQ(deserialize_transaction(w1).error().code(), ErrorCode::kNonCanonical);
}

TEST(TransactionWire, CountsAndLengthsAreBoundedBeforeAllocation) {
  core::ByteWriter w;
  w.u16_le(0);
  w.u64_le(kMaxTxInputs + 1);
  EXPECT_EQ(deserialize_transaction(w.data()).error().code(), ErrorCode::kOutOfRange);

  core::ByteWriter many;
  many.u16_le(0);
  many.u64_le(900);  // within the limit but far more than the bytes that follow
  many.bytes(core::Bytes(100, 0));
  EXPECT_EQ(deserialize_transaction(many.data()).error().code(), ErrorCode::kTruncated);

  core::ByteWriter big_script;
  big_script.u16_le(0);
  big_script.u64_le(1);
  big_script.hash(core::Hash32());
  big_script.u32_le(0);
  big_script.u64_le(kMaxSignatureScriptLen + 1);
  big_script.bytes(core::Bytes(64, 0));
  EXPECT_EQ(deserialize_transaction(big_script.data()).error().code(), ErrorCode::kOutOfRange);
}

TEST(TransactionIds, V1IdIgnoresSignaturesBudgetsAndMassButNotPayload) {
  test::Rng rng(13);
  Transaction tx = testing::random_tx(rng, 1);
  tx.inputs.resize(1);
  TxId id = tx_id(tx);
  TxHash hash = tx_hash(tx);
  Transaction other = tx;
  other.inputs[0].signature_script = {9, 9};
  other.inputs[0].compute_commit.value ^= 1;
  other.storage_mass ^= 1;
  EXPECT_EQ(tx_id(other), id);
  EXPECT_NE(tx_hash(other), hash);
  other.payload.push_back(1);
  EXPECT_NE(tx_id(other), id);
  EXPECT_EQ(tx_id(tx).hash(),
            crypto::domain_hash_pair(crypto::Domain::kTransactionV1Id, payload_digest(tx.payload),
                                     v1_rest_digest(tx)));
}

TEST(TransactionIds, V0IdIgnoresSignaturesButIncludesPayload) {
  test::Rng rng(14);
  Transaction tx = testing::random_tx(rng, 0);
  tx.inputs.resize(1);
  TxId id = tx_id(tx);
  Transaction other = tx;
  other.inputs[0].signature_script = {9};
  EXPECT_EQ(tx_id(other), id);
  other.payload.push_back(1);
  EXPECT_NE(tx_id(other), id);
}

TEST(TransactionIds, ABatchGivesEachTransactionItsOwnId) {
  test::Rng rng(15);
  std::vector<Transaction> txs;
  for (int i = 0; i < 200; ++i) txs.push_back(testing::random_tx(rng, rng.below(5) == 0 ? 0 : 1));
  std::vector<const Transaction*> ptrs;
  for (const Transaction& tx : txs) ptrs.push_back(&tx);
  std::vector<TxId> ids(txs.size());
  tx_ids(ptrs, ids.data());
  for (std::size_t i = 0; i < txs.size(); ++i) ASSERT_EQ(ids[i], tx_id(txs[i])) << i;
}

TEST(TransactionRules, LaneShapesAndGas) {
  Transaction tx;
  EXPECT_TRUE(check_transaction_in_isolation(tx).ok());
  tx.subnetwork_id = LaneId::from_byte(2);  // the registry id is reserved
  EXPECT_FALSE(check_transaction_in_isolation(tx).ok());
  tx.subnetwork_id = LaneId::from_namespace({7, 0, 0, 1});
  EXPECT_EQ(check_transaction_in_isolation(tx).error().context(), "user lane requires v1");
  tx.version = 1;
  tx.gas = 10;
  EXPECT_TRUE(check_transaction_in_isolation(tx).ok());
  tx.gas = kMaxTxGas + 1;
  EXPECT_FALSE(check_transaction_in_isolation(tx).ok());
  tx.subnetwork_id = kNativeLaneId;
  tx.gas = 1;
  EXPECT_FALSE(check_transaction_in_isolation(tx).ok());
  tx.gas = 0;
  tx.inputs.push_back(TxInput{});  // a sig-op count in a v1 input
  EXPECT_EQ(check_transaction_in_isolation(tx).error().context(), "SigopCountInV1");
  LaneId bad;
  bad.bytes[10] = 1;
  EXPECT_EQ(lane_kind(bad), LaneKind::kInvalid);
  EXPECT_EQ(lane_kind(kCoinbaseLaneId), LaneKind::kCoinbase);
  EXPECT_EQ(lane_kind(kNativeLaneId), LaneKind::kNative);
  EXPECT_EQ(lane_kind(LaneId::from_namespace({0, 0, 0, 1})), LaneKind::kUser);
}

}  // namespace
}  // namespace basalt::kaspa
