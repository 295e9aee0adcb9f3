// Differential test against an independent implementation: rusty-kaspa compiled to WebAssembly
// (npm kaspa-wasm, pinned in tests/oracle, installed by scripts/setup.sh, run by Node.js). It
// predates Toccata, so it covers v0 transactions; v1 is covered by rusty-kaspa's own vectors in
// sighash_test.cpp and transaction_test.cpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kaspa/address.hpp"
#include "kaspa/mass.hpp"
#include "kaspa/sighash.hpp"
#include "kaspa/signing.hpp"
#include "test_util.hpp"

namespace basalt::kaspa {
namespace {

using nlohmann::json;

constexpr int kKeys = 500, kAddresses = 1500, kTxs = 2000;
constexpr AddressPrefix kPrefixes[] = {AddressPrefix::kMainnet, AddressPrefix::kTestnet,
                                       AddressPrefix::kSimnet, AddressPrefix::kDevnet};
constexpr const char* kNetworkNames[] = {"mainnet", "testnet", "simnet", "devnet"};

crypto::SecretKey random_key(test::Rng& rng) {
  for (;;) {
    std::array<std::uint8_t, 32> b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(rng.u64());
    auto k = crypto::SecretKey::from_bytes(b);
    if (k.ok()) return std::move(k).value();
  }
}

std::string hex(core::ByteSpan b) {
  return core::to_hex(b);
}

// What basalt generated and what it computed itself, side by side.
struct Cases {
  json input = {{"keys", json::array()}, {"addresses", json::array()}, {"txs", json::array()}};
  std::vector<crypto::SecretKey> keys;
  std::vector<Address> addresses;
  std::vector<Transaction> txs;
  std::vector<std::vector<UtxoEntry>> entries;
};

ScriptPublicKey random_spk(test::Rng& rng, const crypto::SchnorrPublicKey& key) {
  switch (rng.below(4)) {
    case 0:
      return p2pk_script(key);
    case 1:
      return Address::p2sh(AddressPrefix::kMainnet, rng.bytes(rng.below(60))).script();
    case 2:
      return {0, rng.bytes(rng.below(80))};
    default:
      return {static_cast<std::uint16_t>(rng.below(3)), rng.bytes(rng.below(40))};
  }
}

void add_tx(Cases& c, test::Rng& rng) {
  const crypto::SecretKey key = random_key(rng);
  // kaspa-wasm 0.13 predates payloads on native transactions and leaves them out of the sighash
  // (rusty-kaspa's vectors cover them since), so a transaction with a payload is compared by id
  // only.
  const bool with_payload = rng.below(3) == 0;
  const bool signed_by_key = !with_payload && rng.below(3) == 0;
  Transaction tx;
  std::vector<UtxoEntry> entries;
  json in = {{"inputs", json::array()}, {"outputs", json::array()}, {"entries", json::array()}};
  for (std::size_t i = 0, n = 1 + rng.below(4); i < n; ++i) {
    TxInput ti;
    ti.previous_outpoint = {TxId(rng.hash()), static_cast<std::uint32_t>(rng.below(1u << 20))};
    ti.sequence = rng.u64() >> 1;
    // kaspa-wasm 0.13 sets every sig-op count to 1 before it hashes or signs (a P2PK spend's
    // count); other counts are covered by the rusty-kaspa vectors.
    ti.compute_commit = {ComputeCommit::Kind::kSigOpCount, 1};
    in["inputs"].push_back({{"txid", ti.previous_outpoint.transaction_id.hex()},
                            {"index", ti.previous_outpoint.index},
                            {"sequence", std::to_string(ti.sequence)},
                            {"sig_op_count", ti.compute_commit.value}});
    tx.inputs.push_back(ti);
    UtxoEntry e{rng.u64() >> 2,
                signed_by_key ? p2pk_script(key.public_key()) : random_spk(rng, key.public_key()),
                false, std::nullopt};
    in["entries"].push_back({{"amount", std::to_string(e.amount)},
                             {"spk_version", e.script_public_key.version},
                             {"spk", hex(e.script_public_key.script)}});
    entries.push_back(e);
  }
  for (std::size_t i = 0, n = 1 + rng.below(4); i < n; ++i) {
    TxOutput o{rng.u64() >> 2, random_spk(rng, key.public_key()), std::nullopt};
    in["outputs"].push_back({{"value", std::to_string(o.value)},
                             {"spk_version", o.script_public_key.version},
                             {"spk", hex(o.script_public_key.script)}});
    tx.outputs.push_back(o);
  }
  tx.lock_time = rng.u64() >> 1;
  if (with_payload) tx.payload = rng.bytes(1 + rng.below(100));
  in["lock_time"] = std::to_string(tx.lock_time);
  in["payload"] = hex(tx.payload);
  in["entry_address"] = Address::p2pk(AddressPrefix::kMainnet, key.public_key()).to_string();
  in["sign_with"] = signed_by_key ? json(hex(key.export_bytes())) : json(nullptr);
  c.input["txs"].push_back(in);
  c.txs.push_back(std::move(tx));
  c.entries.push_back(std::move(entries));
}

Cases generate() {
  Cases c;
  test::Rng rng(21);
  for (int i = 0; i < kKeys; ++i) {
    c.keys.push_back(random_key(rng));
    c.input["keys"].push_back(hex(c.keys.back().export_bytes()));
  }
  const AddressVersion versions[] = {AddressVersion::kPubKey, AddressVersion::kPubKeyEcdsa,
                                     AddressVersion::kScriptHash};
  for (int i = 0; i < kAddresses; ++i) {
    const AddressVersion v = versions[rng.below(3)];
    c.addresses.push_back(
        {kPrefixes[rng.below(4)], v, rng.bytes(v == AddressVersion::kPubKeyEcdsa ? 33 : 32)});
    c.input["addresses"].push_back(c.addresses.back().to_string());
  }
  for (int i = 0; i < kTxs; ++i) add_tx(c, rng);
  return c;
}

// Runs the oracle over the cases; fails the test (not skips it) when Node.js or the package is
// missing, since scripts/setup.sh installs both.
json ask_oracle(const json& input, const test::TempDir& dir) {
  const std::string in = dir.sub("cases.json"), out = dir.sub("answers.json");
  std::ofstream(in) << input.dump();
  const std::string cmd = "node '" BASALT_ORACLE_DIR "/kaspa_wasm_oracle.js' '" + in + "' '" + out +
                          "' > '" + dir.sub("oracle.log") + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::stringstream log;
  log << std::ifstream(dir.sub("oracle.log")).rdbuf();
  EXPECT_EQ(rc, 0) << "the kaspa-wasm oracle failed (run scripts/setup.sh): " << log.str();
  std::ifstream answers(out);
  if (rc != 0 || !answers) return json();
  return json::parse(answers);
}

TEST(KaspaWasm, AgreesOnAddressesTxIdsMassesSighashesAndSignatures) {
  const Cases c = generate();
  test::TempDir dir;
  const json a = ask_oracle(c.input, dir);
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a["version"], "0.13.0");
  ASSERT_EQ(a["keys"].size(), c.keys.size());
  for (std::size_t i = 0; i < c.keys.size(); ++i) {
    const crypto::SchnorrPublicKey pub = c.keys[i].public_key();
    ASSERT_EQ(a["keys"][i]["xonly"], hex(pub.x)) << i;
    for (std::size_t n = 0; n < 4; ++n) {
      EXPECT_EQ(a["keys"][i]["addresses"][kNetworkNames[n]],
                Address::p2pk(kPrefixes[n], pub).to_string());
    }
  }
  ASSERT_EQ(a["addresses"].size(), c.addresses.size());
  const char* version_names[] = {"PubKey", "PubKeyECDSA", "", "", "", "", "", "", "ScriptHash"};
  for (std::size_t i = 0; i < c.addresses.size(); ++i) {
    const Address& mine = c.addresses[i];
    EXPECT_EQ(a["addresses"][i]["text"], mine.to_string());
    EXPECT_EQ(a["addresses"][i]["prefix"], prefix_name(mine.prefix));
    EXPECT_EQ(a["addresses"][i]["version"], version_names[static_cast<int>(mine.version)]);
  }
  ASSERT_EQ(a["txs"].size(), c.txs.size());
  std::size_t compared = 0, signatures = 0;
  for (std::size_t t = 0; t < c.txs.size(); ++t) {
    const json& theirs = a["txs"][t];
    const Transaction& tx = c.txs[t];
    ASSERT_EQ(theirs["id"], tx_id(tx).hex()) << t;
    EXPECT_EQ(theirs["mass"], non_contextual_mass(tx).compute) << t;
    if (!tx.payload.empty()) continue;
    ++compared;
    SighashCache cache(tx);
    for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) {
      EXPECT_EQ(theirs["sighashes"][i], cache.schnorr(i, c.entries[t][i], SigHashType::all()).hex())
          << "tx " << t << " input " << i;
    }
    if (!theirs.contains("signature_scripts")) continue;
    Transaction signed_tx = tx;
    for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) {
      signed_tx.inputs[i].signature_script =
          core::from_hex(theirs["signature_scripts"][i].get<std::string>()).value();
    }
    for (std::uint32_t i = 0; i < tx.inputs.size(); ++i, ++signatures) {
      EXPECT_TRUE(verify_p2pk_input(signed_tx, i, c.entries[t][i]).ok()) << t << "/" << i;
    }
    EXPECT_EQ(theirs["signed_mass"], non_contextual_mass(signed_tx).compute) << t;
  }
  // About 2/3 of 2000 transactions are compared, a third of those signed (each has an input).
  EXPECT_GT(compared, 1200u);
  EXPECT_GT(signatures, 400u);
}

}  // namespace
}  // namespace basalt::kaspa
