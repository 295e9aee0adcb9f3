// basalt's kaspad RPC calls against the simulator answering kaspad's protocol, over real loopback
// gRPC.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include <mutex>

#include "kaspa/mass.hpp"
#include "kaspa/signing.hpp"
#include "l1/kaspad/rpc_calls.hpp"
#include "l1/sim/rpc_answers.hpp"

namespace basalt::l1 {
namespace {

using namespace std::chrono_literals;

sim::SimParams quiet() {
  sim::SimParams p;
  p.seed = 5;
  p.lanes = 2;
  p.tx_per_block = 2;
  p.finality_depth = 50;
  return p;
}

// The simulator served on a loopback port, one request at a time.
struct Served {
  explicit Served(kaspa::Network network = kaspa::Network::kSimnet) : sim(quiet()) {
    for (int i = 0; i < 5; ++i) sim.step();
    auto s = protowire::RpcServer::start("127.0.0.1:0", [this, network](const auto& r, auto& out) {
      std::lock_guard lock(mu);
      sim::answer(sim, sim, sim::ServeOptions{network}, r, out);
    });
    EXPECT_TRUE(s.ok());
    server = std::move(*s);
    auto c = protowire::RpcClient::connect(
        {"127.0.0.1:" + std::to_string(server->port()), 5000ms, 5000ms, {}});
    EXPECT_TRUE(c.ok());
    client = std::move(*c);
  }
  std::mutex mu;
  sim::Simulator sim;
  std::unique_ptr<protowire::RpcServer> server;
  std::unique_ptr<protowire::RpcClient> client;
};

// Pays the faucet back to itself, `fee` less (none: the minimum relay fee).
kaspa::Transaction self_payment(const kaspad::Utxo& from, const crypto::SecretKey& key,
                                std::optional<std::uint64_t> fee = std::nullopt) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  kaspa::TxInput in;
  in.previous_outpoint = from.first;
  in.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
  tx.inputs.push_back(in);
  tx.outputs.push_back({from.second.amount, kaspa::p2pk_script(key.public_key()), std::nullopt});
  kaspa::sign_p2pk_input(tx, 0, from.second, key, core::Hash32::from_byte(1));
  tx.outputs[0].value -= fee ? *fee : kaspa::minimum_fee(tx);
  kaspa::sign_p2pk_input(tx, 0, from.second, key, core::Hash32::from_byte(1));
  return tx;
}

TEST(KaspadRpc, TheSimulatorAnswersAsKaspad) {
  Served s;
  kaspad::RpcCalls rpc(*s.client);
  auto info = rpc.server_info();
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->network_id, "simnet");
  EXPECT_TRUE(rpc.check_server(kaspa::Network::kSimnet).ok());
  auto wrong = rpc.check_server(kaspa::Network::kMainnet);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().context(),
            "kaspad is on network \"simnet\", the configuration says \"mainnet\"");
  auto dag = rpc.dag_info();
  ASSERT_TRUE(dag.ok()) << dag.error().to_string();
  EXPECT_EQ(dag->network_name, "kaspa-simnet");
  EXPECT_EQ(dag->sink, s.sim.chain().back().hash);
  EXPECT_EQ(dag->pruning_point, s.sim.pruning_point());
  auto fees = rpc.fee_estimate();
  ASSERT_TRUE(fees.ok());
  EXPECT_EQ(fees->low, s.sim.fee_estimate()->low);
  EXPECT_EQ(fees->normal, s.sim.fee_estimate()->normal);

  const crypto::SecretKey& faucet = s.sim.faucet_key();
  const kaspa::Address address =
      kaspa::Address::p2pk(kaspa::AddressPrefix::kSimnet, faucet.public_key());
  auto utxos = rpc.utxos({address});
  ASSERT_TRUE(utxos.ok()) << utxos.error().to_string();
  ASSERT_EQ(utxos->size(), s.sim.unspent(address.script()).size());
  ASSERT_FALSE(utxos->empty());
  const auto other_network =
      rpc.utxos({kaspa::Address::p2pk(kaspa::AddressPrefix::kMainnet, faucet.public_key())});
  ASSERT_FALSE(other_network.ok());
  EXPECT_NE(other_network.error().context().find("invalid address"), std::string::npos);

  // A submission too cheap is refused in kaspad's words; the right fee is taken; a dearer
  // replacement replaces it.
  const kaspad::Utxo& from = utxos->front();
  const kaspa::Transaction cheap = self_payment(from, faucet, 1);
  auto refused = rpc.submit(cheap);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(
      refused.error().context().rfind("kaspad: Rejected transaction " + kaspa::tx_id(cheap).hex() +
                                          ": transaction has 1 fees which is under",
                                      0),
      0u)
      << refused.error().context();
  const kaspa::Transaction fair = self_payment(from, faucet);
  auto taken = rpc.submit(fair);
  ASSERT_TRUE(taken.ok()) << taken.error().to_string();
  EXPECT_EQ(*taken, kaspa::tx_id(fair));
  const kaspa::Transaction dear = self_payment(from, faucet, 10 * kaspa::minimum_fee(fair));
  auto replaced = rpc.submit_replacement(dear);
  ASSERT_TRUE(replaced.ok()) << replaced.error().to_string();
  {
    std::lock_guard lock(s.mu);
    EXPECT_EQ(*s.sim.mempool_size(), 1u);
    EXPECT_NE(s.sim.refusal(kaspa::tx_id(fair)), "");
  }
  // As kaspad's UTXO index: the output the mempool's transaction spends is still listed.
  auto after = rpc.utxos({address});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), utxos->size());
}

// GetBlock read back as the simulator's header (the selected parent first, wherever kaspad lists
// it), and each malformed field refused, naming it.
TEST(KaspadRpc, ABlockHeaderIsReadAndEachMalformedFieldRefused) {
  Served s;
  // A block that merges others: its selected parent is one of several.
  kaspa::BlockHash block;
  for (std::size_t i = s.sim.chain().first(); i < s.sim.chain().size(); ++i) {
    if (s.sim.header(s.sim.chain()[i].hash)->parents.size() > 1) block = s.sim.chain()[i].hash;
  }
  ASSERT_FALSE(block.is_zero());
  protowire::Request r;
  r.mutable_getblockrequest()->set_hash(block.hex());
  protowire::Response good;
  sim::answer(s.sim, s.sim, sim::ServeOptions{kaspa::Network::kSimnet}, r, good);
  const BlockHeader want = *s.sim.header(block);
  auto mine = kaspad::read_block_header(good.getblockresponse());
  ASSERT_TRUE(mine.ok()) << mine.error().to_string();
  EXPECT_EQ(mine->hash, want.hash);
  EXPECT_EQ(mine->parents, want.parents);
  EXPECT_EQ(mine->blue_score, want.blue_score);
  EXPECT_EQ(mine->daa_score, want.daa_score);
  EXPECT_EQ(mine->blue_work, want.blue_work);
  EXPECT_EQ(mine->timestamp, want.timestamp);
  EXPECT_EQ(mine->accepted_id_merkle_root, want.accepted_id_merkle_root);
  EXPECT_EQ(mine->is_chain_block, want.is_chain_block);
  // kaspad lists parents by hash, not selected parent first.
  ::protowire::GetBlockResponseMessage reversed = good.getblockresponse();
  auto* level0 = reversed.mutable_block()->mutable_header()->mutable_parents(0);
  std::reverse(level0->mutable_parenthashes()->begin(), level0->mutable_parenthashes()->end());
  auto again = kaspad::read_block_header(reversed);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->parents.front(), want.parents.front());
  EXPECT_EQ(again->parents.size(), want.parents.size());

  const auto refused = [&](const std::function<void(::protowire::GetBlockResponseMessage&)>& bad) {
    ::protowire::GetBlockResponseMessage m = good.getblockresponse();
    bad(m);
    auto h = kaspad::read_block_header(m);
    return h.ok() ? std::string("accepted") : h.error().context();
  };
  const auto has = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  EXPECT_TRUE(has(refused([](auto& m) { m.mutable_block()->mutable_header()->set_hash("ab"); }),
                  "hash is not a block hash"));
  EXPECT_TRUE(has(refused([](auto& m) {
                    m.mutable_block()->mutable_verbosedata()->set_hash(std::string(64, 'c'));
                  }),
                  "verboseData names another block"));
  EXPECT_TRUE(has(refused([](auto& m) {
                    m.mutable_block()->mutable_verbosedata()->set_selectedparenthash(
                        std::string(64, 'd'));
                  }),
                  "the selected parent is not a parent"));
  EXPECT_TRUE(
      has(refused([](auto& m) { m.mutable_block()->mutable_header()->set_bluework("xyz"); }),
          "blueWork is not a blue work"));
  EXPECT_TRUE(has(refused([](auto& m) { m.mutable_block()->mutable_header()->set_timestamp(-1); }),
                  "a negative timestamp"));
  EXPECT_TRUE(has(
      refused([](auto& m) { m.mutable_block()->mutable_header()->set_acceptedidmerkleroot("00"); }),
      "acceptedIdMerkleRoot is not a block hash"));
  EXPECT_TRUE(has(refused([](auto& m) { m.mutable_error()->set_message("block not found"); }),
                  "kaspad: block not found"));
}

// A server that answers with the wrong message, a malformed hash or an id that is not the
// transaction's own gets a clear error, never a basalt value.
TEST(KaspadRpc, AHostileAnswerIsAClearError) {
  auto server = protowire::RpcServer::start(
      "127.0.0.1:0", [](const protowire::Request& r, protowire::Response& a) {
        if (r.has_getserverinforequest()) a.mutable_getfeeestimateresponse();
        if (r.has_getblockdaginforequest()) a.mutable_getblockdaginforesponse()->set_sink("xyz");
        if (r.has_submittransactionrequest())
          a.mutable_submittransactionresponse()->set_transactionid(std::string(64, '0'));
        if (r.has_getfeeestimaterequest()) {
          auto* e = a.mutable_getfeeestimateresponse()->mutable_estimate();
          e->add_normalbuckets()->set_feerate(-1);
          e->add_lowbuckets()->set_feerate(1);
        }
      });
  ASSERT_TRUE(server.ok());
  auto client = protowire::RpcClient::connect(
      {"127.0.0.1:" + std::to_string((*server)->port()), 5000ms, 5000ms, {}});
  ASSERT_TRUE(client.ok());
  kaspad::RpcCalls rpc(**client);
  auto info = rpc.server_info();
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.error().context().find("instead of"), std::string::npos);
  auto dag = rpc.dag_info();
  ASSERT_FALSE(dag.ok());
  EXPECT_EQ(dag.error().context(), "kaspad's answer: sink is not a block hash");
  auto fees = rpc.fee_estimate();
  ASSERT_FALSE(fees.ok());
  EXPECT_EQ(fees.error().context(), "kaspad's answer: a fee rate out of range");
  kaspa::Transaction tx;
  auto id = rpc.submit(tx);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.error().context().find("transaction id 0000"), std::string::npos);
}

}  // namespace
}  // namespace basalt::l1
