// Transactions against the simulator's UTXO set: valid P2PK spends are accepted and their outputs
// become spendable; invalid submissions are rejected with a reason and change nothing; a reorg
// undoes spends.
#include <gtest/gtest.h>

#include "kaspa/mass.hpp"
#include "kaspa/signing.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {
namespace {

using core::ErrorCode;
using kaspa::Transaction;

SimParams quiet(std::uint64_t seed) {
  SimParams p;
  p.seed = seed;
  p.lanes = 2;
  p.tx_per_block = 2;
  p.finality_depth = 50;
  return p;
}

crypto::SecretKey key_from(std::uint8_t b) {
  std::array<std::uint8_t, 32> k{};
  k.fill(b);
  return std::move(crypto::SecretKey::from_bytes(k)).value();
}

// Above kaspad's minimum relay fee for transfer()'s mass (about 1050 grams: 105 000 sompi).
constexpr std::uint64_t kTransferFee = 200'000;

// A v1 transfer on a user lane: spends `from` and pays `amount` to `to` and the rest back as
// change, `fee` less.
Transaction transfer(const Simulator& sim, const crypto::SecretKey& owner,
                     const kaspa::Outpoint& from, const kaspa::UtxoEntry& entry,
                     const crypto::SecretKey& to, std::uint64_t amount,
                     std::uint64_t fee = kTransferFee) {
  Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::LaneId::from_namespace({0, 0, 1, 9});
  tx.payload = {1, 2, 3};
  kaspa::TxInput in;
  in.previous_outpoint = from;
  in.compute_commit.kind = kaspa::ComputeCommit::Kind::kComputeBudget;
  tx.inputs.push_back(in);
  tx.outputs.push_back({amount, kaspa::p2pk_script(to.public_key()), std::nullopt});
  tx.outputs.push_back(
      {entry.amount - amount - fee, kaspa::p2pk_script(owner.public_key()), std::nullopt});
  kaspa::sign_p2pk_input(tx, 0, entry, owner, core::Hash32::from_byte(7));
  (void)sim;
  return tx;
}

bool accepted_on_chain(const Simulator& sim, const kaspa::TxId& id) {
  for (const auto& c : sim.chain()) {
    for (const auto& a : c.accepted) {
      if (a.tx_id == id) return true;
    }
  }
  return false;
}

TEST(Utxo, ValidSpendIsAcceptedAndItsOutputsAreSpendable) {
  Simulator sim(quiet(1));
  const auto& faucet = sim.faucet_key();
  auto funds = *sim.spendable(kaspa::p2pk_script(faucet.public_key()));
  ASSERT_EQ(funds.size(), 64u);
  auto alice = key_from(0x11);
  Transaction tx = transfer(sim, faucet, funds[0].first, funds[0].second, alice, 1'000'000);
  ASSERT_TRUE(sim.submit_transaction(tx).ok());
  EXPECT_EQ(*sim.mempool_size(), 1u);
  for (int i = 0; i < 3; ++i) sim.step();
  const kaspa::TxId id = kaspa::tx_id(tx);
  EXPECT_TRUE(accepted_on_chain(sim, id));
  EXPECT_FALSE(sim.utxo(funds[0].first).has_value());
  auto paid = sim.utxo({id, 0});
  ASSERT_TRUE(paid.has_value());
  EXPECT_EQ(paid->amount, 1'000'000u);
  // Alice spends what she received.
  auto bob = key_from(0x22);
  Transaction next = transfer(sim, alice, {id, 0}, *paid, bob, 500'000);
  ASSERT_TRUE(sim.submit_transaction(next).ok());
  for (int i = 0; i < 3; ++i) sim.step();
  EXPECT_TRUE(accepted_on_chain(sim, kaspa::tx_id(next)));
  EXPECT_EQ(sim.utxo({kaspa::tx_id(next), 0})->amount, 500'000u);
}

TEST(Utxo, InvalidSubmissionsAreRejectedWithReasonsAndChangeNothing) {
  Simulator sim(quiet(2));
  const auto& faucet = sim.faucet_key();
  auto funds = *sim.spendable(kaspa::p2pk_script(faucet.public_key()));
  auto alice = key_from(0x33);
  Transaction good = transfer(sim, faucet, funds[0].first, funds[0].second, alice, 100);
  ASSERT_TRUE(sim.submit_transaction(good).ok());

  auto expect_rejected = [&](const Transaction& tx, ErrorCode code,
                             const std::string& reason_part) {
    const std::size_t before = *sim.mempool_size();
    auto st = sim.submit_transaction(tx);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code(), code) << st.error().to_string();
    EXPECT_NE(st.error().context().find(reason_part), std::string::npos) << st.error().to_string();
    EXPECT_EQ(*sim.mempool_size(), before);
  };
  // Double spend of the same outpoint, with different outputs.
  expect_rejected(transfer(sim, faucet, funds[0].first, funds[0].second, alice, 200),
                  ErrorCode::kInvalid, "double spend");
  // Bad signature.
  Transaction bad_sig = transfer(sim, faucet, funds[1].first, funds[1].second, alice, 100);
  bad_sig.inputs[0].signature_script[10] ^= 1;
  expect_rejected(bad_sig, ErrorCode::kVerifyFailed, "signature");
  // Signed by the wrong key.
  expect_rejected(transfer(sim, alice, funds[1].first, funds[1].second, alice, 100),
                  ErrorCode::kVerifyFailed, "signature");
  // Missing outpoint.
  kaspa::UtxoEntry fake = funds[2].second;
  expect_rejected(
      transfer(sim, faucet, {kaspa::TxId(core::Hash32::filled(9)), 0}, fake, alice, 100),
      ErrorCode::kNotFound, "missing");
  // Malformed: a v0 transaction on a user lane; outputs above inputs; no inputs.
  Transaction v0 = transfer(sim, faucet, funds[3].first, funds[3].second, alice, 100);
  v0.version = 0;
  expect_rejected(v0, ErrorCode::kInvalid, "");
  Transaction greedy = transfer(sim, faucet, funds[4].first, funds[4].second, alice, 100);
  greedy.outputs[0].value = funds[4].second.amount;
  kaspa::sign_p2pk_input(greedy, 0, funds[4].second, faucet, core::Hash32::from_byte(1));
  expect_rejected(greedy, ErrorCode::kInvalid, "outputs exceed inputs");
  Transaction empty;
  empty.version = 1;
  empty.subnetwork_id = kaspa::LaneId::from_namespace({0, 0, 1, 9});
  expect_rejected(empty, ErrorCode::kInvalid, "input");
  // The same transaction twice.
  expect_rejected(good, ErrorCode::kInvalid, "already");
  // The accepted one still goes through.
  for (int i = 0; i < 3; ++i) sim.step();
  EXPECT_TRUE(accepted_on_chain(sim, kaspa::tx_id(good)));
}

// Once a transaction is mined in a block the next chain block has not merged yet, its inputs are
// spent: a second spend of them is refused at submission with its reason (it could never be
// accepted, and would otherwise be answered "accepted" and then vanish), and the same transaction
// again is refused as already mined.
TEST(Utxo, ASpendOfWhatABlockAwaitingAcceptanceSpendsIsRefused) {
  Simulator sim(quiet(3));
  const auto& faucet = sim.faucet_key();
  auto funds = *sim.spendable(kaspa::p2pk_script(faucet.public_key()));
  auto alice = key_from(0x44);
  Transaction a = transfer(sim, faucet, funds[0].first, funds[0].second, alice, 10);
  Transaction b = transfer(sim, faucet, funds[0].first, funds[0].second, alice, 20);
  ASSERT_TRUE(sim.submit_transaction(a).ok());
  sim.step();  // a is mined in a block but not yet accepted (the next chain block merges it)
  ASSERT_TRUE(sim.utxo(funds[0].first).has_value());  // still unspent in the UTXO set
  const core::Status again = sim.submit_transaction(b);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().context().find("a block awaiting acceptance spends"), std::string::npos)
      << again.error().context();
  const core::Status same = sim.submit_transaction(a);
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().context(), "transaction already in a block awaiting acceptance");
  for (int i = 0; i < 3; ++i) sim.step();
  EXPECT_TRUE(accepted_on_chain(sim, kaspa::tx_id(a)));
  EXPECT_FALSE(accepted_on_chain(sim, kaspa::tx_id(b)));
}

// Below kaspad's minimum relay fee (100 sompi per gram of fee mass) L1 refuses, worded as kaspad
// words it; at the minimum it accepts.
TEST(Utxo, ATransactionBelowTheMinimumRelayFeeIsRefused) {
  Simulator sim(quiet(8));
  const auto& faucet = sim.faucet_key();
  auto funds = *sim.spendable(kaspa::p2pk_script(faucet.public_key()));
  const auto alice = key_from(0x46);
  const Transaction draft = transfer(sim, faucet, funds[0].first, funds[0].second, alice, 10, 0);
  const std::uint64_t minimum = kaspa::minimum_fee(draft);
  EXPECT_EQ(minimum, 100 * kaspa::fee_mass(kaspa::non_contextual_mass(draft)));
  const Transaction cheap =
      transfer(sim, faucet, funds[0].first, funds[0].second, alice, 10, minimum - 1);
  auto st = sim.submit_transaction(cheap);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().context(), "transaction has " + std::to_string(minimum - 1) +
                                      " fees which is under the required amount of " +
                                      std::to_string(minimum) + " for compute mass " +
                                      std::to_string(minimum / 100));
  EXPECT_EQ(*sim.mempool_size(), 0u);
  EXPECT_TRUE(sim.submit_transaction(
                     transfer(sim, faucet, funds[0].first, funds[0].second, alice, 10, minimum))
                  .ok());
}

// A transaction the mempool took and a replacement then pushed out is refused, with the reason;
// the replacement is not.
TEST(Utxo, AReplacedTransactionIsRefusedWithItsReason) {
  Simulator sim(quiet(8));
  const auto& faucet = sim.faucet_key();
  auto funds = *sim.spendable(kaspa::p2pk_script(faucet.public_key()));
  auto alice = key_from(0x45);
  Transaction cheap = transfer(sim, faucet, funds[0].first, funds[0].second, alice, 10);
  Transaction dear = cheap;
  dear.outputs[1].value -= 500'000;  // a higher fee
  kaspa::sign_p2pk_input(dear, 0, funds[0].second, faucet, core::Hash32::from_byte(7));
  ASSERT_TRUE(sim.submit_transaction(cheap).ok());
  EXPECT_TRUE(sim.refusal(kaspa::tx_id(cheap)).empty());
  ASSERT_TRUE(sim.submit_transaction_replacement(dear).ok());
  EXPECT_EQ(sim.refusal(kaspa::tx_id(cheap)),
            "replaced in the mempool by " + kaspa::tx_id(dear).hex() + " (a higher fee rate)");
  for (int i = 0; i < 3; ++i) sim.step();
  EXPECT_TRUE(accepted_on_chain(sim, kaspa::tx_id(dear)));
  EXPECT_TRUE(sim.refusal(kaspa::tx_id(dear)).empty());
}

// The block accepting `id` on the current chain, if any.
std::optional<kaspa::BlockHash> accepting_block(const Simulator& sim, const kaspa::TxId& id) {
  for (const auto& c : sim.chain()) {
    for (const auto& a : c.accepted) {
      if (a.tx_id == id) return c.hash;
    }
  }
  return std::nullopt;
}

TEST(Utxo, AReorgReturnsTransactionsToTheMempool) {
  Simulator sim(quiet(4));
  const auto& faucet = sim.faucet_key();
  auto funds = *sim.spendable(kaspa::p2pk_script(faucet.public_key()));
  for (int i = 0; i < 5; ++i) sim.step();
  Transaction tx = transfer(sim, faucet, funds[0].first, funds[0].second, key_from(0x55), 10);
  ASSERT_TRUE(sim.submit_transaction(tx).ok());
  sim.step();
  sim.step();
  const auto before = accepting_block(sim, kaspa::tx_id(tx));
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(sim.reorg(3).ok());
  // The competing branch accepts it again, in a block of its own; the spend stands.
  const auto after = accepting_block(sim, kaspa::tx_id(tx));
  ASSERT_TRUE(after.has_value());
  EXPECT_NE(*after, *before);
  EXPECT_FALSE(sim.utxo(funds[0].first).has_value());
  EXPECT_TRUE(sim.utxo({kaspa::tx_id(tx), 0}).has_value());
  // The chain event carries the whole transaction.
  bool carried = false;
  for (const auto& c : sim.chain()) {
    for (const auto& a : c.accepted) carried |= a.tx_id == kaspa::tx_id(tx) && a.tx == tx;
  }
  EXPECT_TRUE(carried);
}

}  // namespace
}  // namespace basalt::l1::sim

namespace basalt::l1::sim {
namespace {

TEST(ChainSourceApi, LaneProofsOnlyFromThePruningPointUp) {
  SimParams p = quiet(5);
  p.finality_depth = 20;  // pruning depth 50
  p.keep_history = true;  // the blocks below the pruning point are still known
  Simulator sim(p);
  for (int i = 0; i < 200; ++i) sim.step();
  const auto key = kaspa::coinbase_lane_key();
  const auto& chain = sim.chain();
  auto old = sim.lane_proof(chain.front().hash, key);
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().context().find("pruning point"), std::string::npos);
  EXPECT_TRUE(sim.lane_proof(chain.back().hash, key).ok());
  const std::uint64_t pp_bs = sim.block(sim.pruning_point()).blue_score;
  EXPECT_GE(sim.block(chain.back().hash).blue_score - pp_bs, 50u);
  EXPECT_TRUE(sim.lane_proof(sim.pruning_point(), key).ok());
  EXPECT_FALSE(sim.lane_proof(kaspa::BlockHash(core::Hash32::filled(3)), key).ok());
}

TEST(ChainSourceApi, ChainFromAStartOnAndOffTheChain) {
  Simulator sim(quiet(9));
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(sim.produce_block().ok());
  const std::size_t n = sim.chain().size();
  // From genesis, in bounded pieces, lowest first.
  auto first = sim.chain_from(std::nullopt, 10);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->added.size(), 10u);
  EXPECT_TRUE(first->removed.empty());
  EXPECT_EQ(first->added.front().hash, sim.chain()[0].hash);
  auto rest = sim.chain_from(first->added.back().hash, 1000);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->added.size(), n - 10);
  EXPECT_EQ(rest->added.front().selected_parent, first->added.back().hash);
  EXPECT_TRUE(sim.chain_from(sim.chain().back().hash, 10)->added.empty());
  // A start a reorg took: it and its removed ancestors, highest first, then the new chain.
  const kaspa::BlockHash old_tip = sim.chain().back().hash;
  const kaspa::BlockHash below = sim.chain()[n - 2].hash;
  const kaspa::BlockHash fork = sim.chain()[n - 4].hash;
  ASSERT_TRUE(sim.reorg(3).ok());
  auto moved = sim.chain_from(old_tip, 1000);
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->removed.size(), 3u);
  EXPECT_EQ(moved->removed[0], old_tip);
  EXPECT_EQ(moved->removed[1], below);
  EXPECT_EQ(moved->added.front().selected_parent, fork);
  EXPECT_EQ(moved->added.back().hash, sim.chain().back().hash);
  auto unknown = sim.chain_from(kaspa::BlockHash(core::Hash32::filled(3)), 10);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), core::ErrorCode::kNotFound);
}

TEST(ChainSourceApi, HeadersOfChainAndMergedBlocks) {
  Simulator sim(quiet(7));
  for (int i = 0; i < 50; ++i) sim.step();
  const auto& c = sim.chain().back();
  auto h = sim.header(c.hash);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->is_chain_block);
  EXPECT_EQ(h->accepted_id_merkle_root, c.seq_commit);
  EXPECT_EQ(h->parents.front(), c.selected_parent);
  // The selected parent has the highest blue work among the parents.
  for (const auto& p : h->parents)
    EXPECT_LE(sim.header(p)->blue_work, sim.header(c.selected_parent)->blue_work);
  for (const auto& m : c.mergeset) {
    auto mh = sim.header(m);
    ASSERT_TRUE(mh.ok());
    EXPECT_EQ(mh->is_chain_block, m == c.selected_parent);
  }
  EXPECT_EQ(sim.header(kaspa::BlockHash(core::Hash32::filled(4))).error().code(),
            ErrorCode::kNotFound);
}

TEST(ChainSourceApi, FeeEstimateStartsAtTheRelayMinimum) {
  Simulator sim(quiet(6));
  FeeEstimate f = *sim.fee_estimate();
  EXPECT_EQ(f.low, 100u);
  EXPECT_LE(f.low, f.normal);
  EXPECT_LE(f.normal, f.priority);
}

}  // namespace
}  // namespace basalt::l1::sim
