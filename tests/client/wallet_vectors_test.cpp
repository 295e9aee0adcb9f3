// docs/wallet.md's test vectors (tests/data/wallet-vectors.json): lane transactions and exit claims
// as basalt builds them, step by step (payload, signature hash, signature script, wire bytes, id),
// so that a wallet written elsewhere can check itself against each step. Each vector is rebuilt
// here from its inputs and compared; each signature is also verified as kaspad's OpCheckSig
// would (libsecp256k1). BASALT_UPDATE_WALLET_VECTORS=1 rewrites the file from the code and fails,
// so that an update is never a passing run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

#include "client/api_client.hpp"
#include "exec/abi.hpp"
#include "kaspa/mass.hpp"
#include "kaspa/script.hpp"
#include "kaspa/sighash.hpp"
#include "settle/covenant.hpp"
#include "zk/exits.hpp"

namespace basalt::client {
namespace {

using nlohmann::json;

const std::string kPath = std::string(BASALT_SOURCE_DIR) + "/tests/data/wallet-vectors.json";

core::Hash32 h(const json& j) {
  return *core::Hash32::from_hex(j.get<std::string>());
}
core::Bytes bytes(const json& j) {
  return *core::from_hex(j.get<std::string>());
}
crypto::SecretKey key(const json& j) {
  return *crypto::SecretKey::from_bytes(h(j).bytes);
}

// What the code makes of a lane transaction's inputs: the expected half of the vector.
json lane_outputs(const json& in) {
  std::vector<exec::AccessEntry> accesses;
  for (const json& a : in["accesses"]) {
    accesses.push_back({state::ResourceId(h(a["id"])),
                        a["write"].get<bool>() ? exec::Access::kWrite : exec::Access::kRead});
  }
  const core::Bytes payload = exec::encode_payload(accesses, bytes(in["app_data"]));
  const crypto::SecretKey k = key(in["secret_key"]);
  const kaspa::Outpoint funding{kaspa::TxId(h(in["funding"]["tx_id"])),
                                in["funding"]["index"].get<std::uint32_t>()};
  const kaspa::UtxoEntry spent{in["funding"]["amount"].get<std::uint64_t>(),
                               kaspa::p2pk_script(k.public_key()), false, std::nullopt};
  const kaspa::Transaction tx = build_lane_tx(
      kaspa::LaneId::from_hex(in["lane"].get<std::string>()).value(), payload, funding, spent, k);
  kaspa::SighashCache cache(tx);
  return {{"payload", core::to_hex(payload)},
          {"public_key", core::to_hex(k.public_key().x)},
          {"fee", spent.amount - tx.outputs[0].value},
          {"sighash", cache.schnorr(0, spent, kaspa::SigHashType::all()).hex()},
          {"signature_script", core::to_hex(tx.inputs[0].signature_script)},
          {"tx", core::to_hex(kaspa::serialize_transaction(tx))},
          {"tx_id", kaspa::tx_id(tx).hex()}};
}

json claim_outputs(const json& in) {
  std::vector<exec::Exit> exits;
  for (const json& e : in["exits"]) {
    exits.push_back({exec::exit_kind_from_name(e["kind"].get<std::string>()).value(),
                     h(e["key"]), e["amount"].get<std::uint64_t>()});
  }
  zk::ExitTree tree = zk::ExitTree::build(exits).value();
  for (const json& c : in["claimed_before"]) tree.claim(c.get<std::size_t>());
  const crypto::SecretKey k = key(in["fee_key"]);
  const kaspa::UtxoEntry fee_entry{in["fee_output"]["amount"].get<std::uint64_t>(),
                                   kaspa::p2pk_script(k.public_key()), false, std::nullopt};
  const kaspa::Transaction tx = settle::exit_claim_transaction(
      tree, in["exit"].get<std::size_t>(),
      {kaspa::TxId(h(in["exit_output"]["tx_id"])), in["exit_output"]["index"].get<std::uint32_t>()},
      {kaspa::TxId(h(in["fee_output"]["tx_id"])), in["fee_output"]["index"].get<std::uint32_t>()},
      fee_entry, k, in["fee"].get<std::uint64_t>());
  return {{"exit_output_redeem", core::to_hex(tree.redeem())},
          {"exit_output_spk", core::to_hex(kaspa::p2sh_script(tree.redeem()).script)},
          {"witness", core::to_hex(tx.inputs[0].signature_script)},
          {"tx", core::to_hex(kaspa::serialize_transaction(tx))},
          {"tx_id", kaspa::tx_id(tx).hex()}};
}

// The inputs of the vectors: a counter increment, a token-like two-resource write with a read, an
// empty access list; a first claim and a later one from what the first left.
json inputs() {
  const auto filled = [](std::uint8_t b) { return core::Hash32::filled(b).hex(); };
  const std::string lane = kaspa::LaneId::from_namespace({'b', 's', 'l', 1}).hex();
  json lanes = json::array();
  lanes.push_back({{"secret_key", filled(0x11)},
                   {"funding", {{"tx_id", filled(0xa0)}, {"index", 0}, {"amount", 100000000}}},
                   {"lane", lane},
                   {"accesses", {{{"id", filled(0x01)}, {"write", true}}}},
                   {"app_data", ""}});
  lanes.push_back(
      {{"secret_key", filled(0x22)},
       {"funding", {{"tx_id", filled(0xa1)}, {"index", 3}, {"amount", 2500000000}}},
       {"lane", lane},
       {"accesses",
        {{{"id", filled(0x02)}, {"write", false}}, {{"id", filled(0x03)}, {"write", true}}}},
       {"app_data", "0106636f6c6f7572626c7565"}});
  lanes.push_back({{"secret_key", filled(0x33)},
                   {"funding", {{"tx_id", filled(0xa2)}, {"index", 1}, {"amount", 5000000}}},
                   {"lane", lane},
                   {"accesses", json::array()},
                   {"app_data", "ff"}});
  const json exits = {{{"kind", "schnorr_p2pk"}, {"key", filled(0xb0)}, {"amount", 250}},
                      {{"kind", "p2sh"}, {"key", filled(0xb1)}, {"amount", 1000}},
                      {{"kind", "schnorr_p2pk"}, {"key", filled(0xb2)}, {"amount", 40}}};
  json claims = json::array();
  claims.push_back({{"exits", exits},
                    {"claimed_before", json::array()},
                    {"exit", 1},
                    {"exit_output", {{"tx_id", filled(0xc0)}, {"index", 1}}},
                    {"fee_key", filled(0x44)},
                    {"fee_output", {{"tx_id", filled(0xc1)}, {"index", 0}, {"amount", 10000000}}},
                    {"fee", 5000}});
  claims.push_back({{"exits", exits},
                    {"claimed_before", {1}},
                    {"exit", 2},
                    {"exit_output", {{"tx_id", filled(0xc2)}, {"index", 1}}},
                    {"fee_key", filled(0x44)},
                    {"fee_output", {{"tx_id", filled(0xc3)}, {"index", 2}, {"amount", 9995000}}},
                    {"fee", 5000}});
  return {{"lane_transactions", lanes}, {"claims", claims}};
}

TEST(WalletVectors, EachStepOfEachVectorIsWhatTheCodeMakes) {
  if (std::getenv("BASALT_UPDATE_WALLET_VECTORS") != nullptr) {
    json out = inputs();
    for (json& v : out["lane_transactions"]) v["expected"] = lane_outputs(v);
    for (json& v : out["claims"]) v["expected"] = claim_outputs(v);
    std::ofstream(kPath) << out.dump(2) << "\n";
    FAIL() << "rewrote " << kPath << "; run again without BASALT_UPDATE_WALLET_VECTORS";
  }
  std::ifstream f(kPath);
  ASSERT_TRUE(f) << "cannot read " << kPath;
  const json file = json::parse(f);
  ASSERT_EQ(file["lane_transactions"].size(), 3u);
  ASSERT_EQ(file["claims"].size(), 2u);
  for (const json& v : file["lane_transactions"]) {
    EXPECT_EQ(lane_outputs(v), v["expected"]) << v.dump(2);
    // The signature verifies as kaspad checks it, against the funding output.
    auto tx = kaspa::deserialize_transaction(bytes(v["expected"]["tx"]));
    ASSERT_TRUE(tx.ok());
    const kaspa::UtxoEntry spent{v["funding"]["amount"].get<std::uint64_t>(),
                                 kaspa::p2pk_script(key(v["secret_key"]).public_key()), false,
                                 std::nullopt};
    EXPECT_TRUE(kaspa::verify_p2pk_input(*tx, 0, spent).ok());
    EXPECT_EQ(v["expected"]["fee"].get<std::uint64_t>(), kaspa::minimum_fee(*tx));
  }
  for (const json& v : file["claims"]) {
    EXPECT_EQ(claim_outputs(v), v["expected"]) << v.dump(2);
    auto tx = kaspa::deserialize_transaction(bytes(v["expected"]["tx"]));
    ASSERT_TRUE(tx.ok());
    const kaspa::UtxoEntry fee_entry{v["fee_output"]["amount"].get<std::uint64_t>(),
                                     kaspa::p2pk_script(key(v["fee_key"]).public_key()), false,
                                     std::nullopt};
    EXPECT_TRUE(kaspa::verify_p2pk_input(*tx, 1, fee_entry).ok());
  }
}

}  // namespace
}  // namespace basalt::client
