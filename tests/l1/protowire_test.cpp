#include <gtest/gtest.h>

#include "kaspa/tx_gen.hpp"
#include "l1/protowire/convert.hpp"
#include "test_util.hpp"

namespace basalt::l1::protowire {
namespace {

// Every transaction basalt can express survives the trip through kaspad's message and its bytes.
TEST(Protowire, TransactionsRoundTripThroughTheWire) {
  test::Rng rng(31);
  for (int i = 0; i < 500; ++i) {
    const kaspa::Transaction tx =
        kaspa::testing::random_tx(rng, static_cast<std::uint16_t>(rng.below(2)));
    ::protowire::RpcTransaction parsed;
    ASSERT_TRUE(parsed.ParseFromString(to_rpc(tx).SerializeAsString()));
    auto back = from_rpc(parsed);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(*back, tx);
  }
  kaspa::UtxoEntry e{7, {0, {0x51}}, true, kaspa::CovenantId(core::Hash32::from_byte(3))};
  auto entry = from_rpc(to_rpc(e));
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->amount, 7u);
  EXPECT_EQ(entry->script_public_key, e.script_public_key);
  EXPECT_TRUE(entry->is_coinbase);
  EXPECT_EQ(entry->covenant_id, e.covenant_id);
}

// The field numbers are kaspad's: bytes worked out by hand from its .proto (a tag is
// field << 3 | wire type, as a varint).
TEST(Protowire, FieldNumbersAreKaspads) {
  ::protowire::KaspadRequest r;
  r.set_id(5);
  r.mutable_getserverinforequest();
  // 101:varint 5 = a8 06 05; 1092:bytes (empty) = a2 44 00.
  const std::string q = r.SerializeAsString();
  EXPECT_EQ(core::to_hex(core::Bytes(q.begin(), q.end())), "a80605a24400");
  ::protowire::KaspadResponse n;
  n.mutable_virtualchainchangednotification()->add_addedchainblockhashes("ab");
  // 1024:bytes { 3:"ab" } = 82 40 04 1a 02 61 62.
  const std::string s = n.SerializeAsString();
  EXPECT_EQ(core::to_hex(core::Bytes(s.begin(), s.end())), "8240041a026162");
  ::protowire::RpcTransactionInput in;
  in.set_computebudget(1);
  in.set_sigopcount(2);
  const std::string t = in.SerializeAsString();
  EXPECT_EQ(core::to_hex(core::Bytes(t.begin(), t.end())), "28023001");  // 5:2, 6:1
}

TEST(Protowire, MalformedFieldsAreNamed) {
  test::Rng rng(32);
  kaspa::Transaction tx = kaspa::testing::random_tx(rng, 1);
  while (tx.inputs.empty() || tx.outputs.empty()) tx = kaspa::testing::random_tx(rng, 1);
  const ::protowire::RpcTransaction good = to_rpc(tx);
  const auto error_of = [](const ::protowire::RpcTransaction& m) {
    auto r = from_rpc(m);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.error().context();
  };
  ::protowire::RpcTransaction m = good;
  m.set_version(70000);
  EXPECT_EQ(error_of(m), "version: 70000 is above 65535");
  m = good;
  m.mutable_inputs(0)->mutable_previousoutpoint()->set_transactionid("00");
  EXPECT_EQ(error_of(m), "outpoint.transactionId: not a 32-byte hash");
  m = good;
  m.mutable_inputs(0)->set_signaturescript("zz");
  EXPECT_EQ(error_of(m), "inputs[0].signatureScript: not hex");
  m = good;
  m.mutable_inputs(0)->set_sigopcount(1);
  EXPECT_EQ(error_of(m), "inputs[0].sigOpCount: set on a v1 transaction");
  m = good;
  m.mutable_inputs(0)->set_computebudget(65536);
  EXPECT_EQ(error_of(m), "inputs[0].computeBudget: 65536 is above 65535");
  m = good;
  m.mutable_outputs(0)->mutable_scriptpublickey()->set_scriptpublickey(
      std::string(2 * kaspa::kMaxScriptPublicKeyLen + 2, 'a'));
  EXPECT_EQ(error_of(m), "outputs[0].scriptPublicKey.scriptPublicKey: longer than 10000 bytes");
  m = good;
  m.mutable_outputs(0)->mutable_covenant()->set_covenant_id("xyz");
  EXPECT_EQ(error_of(m), "outputs[0].covenant.covenant_id: not a 32-byte hash");
  m = good;
  m.set_subnetworkid("0000");
  EXPECT_EQ(error_of(m), "subnetworkId: not a 20-byte subnetwork id");
  m = good;
  for (std::uint64_t i = 0; i <= kaspa::kMaxTxInputs; ++i) m.add_inputs();
  EXPECT_EQ(error_of(m), "inputs: more than 1000");
}

}  // namespace
}  // namespace basalt::l1::protowire
