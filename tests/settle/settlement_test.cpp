// Settlement end to end on the simulator: covenant, provers, settler, through reorgs and a settler
// restart; and every tampered settlement refused by the simulated L1 with its reason.
#include <gtest/gtest.h>

#include <memory>

#include "crypto/blake2b.hpp"
#include "exec/executor.hpp"
#include "kaspa/mass.hpp"
#include "l1/sim/simulator.hpp"
#include "node/driver.hpp"
#include "node/settlement.hpp"
#include "settle/covenant.hpp"
#include "settle/verifier.hpp"
#include "state/store.hpp"
#include "test_util.hpp"
#include "users/workload.hpp"
#include "zk/batch.hpp"
#include "zk/reexec/reexec.hpp"

namespace basalt::settle {
namespace {

using SK = SettlerEvent::Kind;

struct SettleRun {
  test::TempDir dir;
  std::unique_ptr<state::StateStore> store;
  std::unique_ptr<exec::Executor> executor;
  std::optional<users::Workload> users;
  std::unique_ptr<l1::sim::Simulator> l1;
  std::unique_ptr<node::Driver> driver;
  zk::ReexecProofSystem system;
  std::unique_ptr<ReceiptVerifier> verifier;
  std::unique_ptr<node::SettlementPipeline> pipeline;
  std::vector<SettlerEvent> events;
  std::uint64_t rollbacks = 0;

  // The counter app by default; the token app's users withdraw (exits) `exit_permille` of their
  // valid transactions, among few accounts so that they are funded early.
  SettleRun(std::uint32_t reorg_every, std::uint64_t finality_depth,
            node::SettlementOptions so = {}, const std::string& app_name = "counter",
            std::uint32_t exit_permille = 0) {
    state::StoreOptions sto;
    sto.sync = false;
    sto.rollback_window = finality_depth;
    store = state::StateStore::open(dir.path(), sto).value();
    exec::App app = *exec::load_app(app_name, BASALT_GUEST_DIR);
    zk::Guests guests = *zk::load_guests(app, BASALT_GUEST_DIR);
    users::WorkloadParams wp;
    wp.app = app_name;
    wp.seed = 7;
    wp.tx_per_block = 6;
    wp.lane = node::app_lane();
    if (app_name == "token") {
      wp.accounts = 12;
      wp.exit_permille = exit_permille;
    }
    users.emplace(wp);
    executor = std::make_unique<exec::Executor>(*store, std::move(app), 2);
    executor->keep_inputs(true);
    l1::sim::SimParams sp;
    sp.seed = 7;
    sp.finality_depth = finality_depth;
    sp.reorg_every = reorg_every;
    sp.reorg_depth = 3;
    l1 = std::make_unique<l1::sim::Simulator>(sp);
    l1->set_load([this](std::uint64_t step) { return users->next_block(step); });
    node::DriverOptions d;
    d.finality_depth = finality_depth;
    driver = node::Driver::open(d, *store, *executor, *l1, l1.get()).value();
    zk::register_guests(system, guests);
    verifier = std::make_unique<ReceiptVerifier>(system);
    l1->set_zk_verifier(verifier.get());
    so.prover_threads = 2;
    so.settler.finality_depth = finality_depth;
    pipeline = node::SettlementPipeline::create(*driver, system, std::move(guests), store->smt(),
                                                l1->faucet_key(), l1->faucet_key(), so)
                   .value();
  }

  // One driver step; with `in_step`, the step's batches are proven before it returns (the
  // prover thread otherwise runs behind).
  void step(bool settle_more = true, bool in_step = false) {
    auto s = driver->step();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    if (s->rolled_back) ++rollbacks;
    auto r = pipeline->after_step(*s, settle_more);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    events.insert(events.end(), r->events.begin(), r->events.end());
    if (in_step) {
      ASSERT_TRUE(pipeline->wait_proven().ok());
    }
  }
  std::size_t count(SK k) const {
    return static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.kind == k; }));
  }
  // The executor's committed root after batch b.
  core::Hash32 root_at(std::uint64_t b) const { return store->batch({b})->root; }
};

// Confirmed settlements cover consecutive batch ranges, each exactly once. With `gaps`, a range
// may be skipped (settled by a settlement the restarted settler did not submit), never repeated.
void expect_in_order(const std::vector<SettlerEvent>& events, bool gaps) {
  std::uint64_t next = 1;
  for (const auto& e : events) {
    if (e.kind != SK::kConfirmed) continue;
    if (gaps) {
      EXPECT_GE(e.first_batch, next) << "a transition settled twice";
    } else {
      EXPECT_EQ(e.first_batch, next) << "a gap or a transition settled twice";
    }
    next = e.last_batch + 1;
  }
}

// The covenant holds the executor's committed state at the settled batch.
void expect_covenant_at_settled_state(const SettleRun& run, std::uint64_t at_least) {
  const auto settled = run.pipeline->settled_batch();
  ASSERT_TRUE(settled.has_value());
  EXPECT_GE(*settled, at_least);
  const auto cov = run.l1->covenant_utxo(run.pipeline->covenant_id());
  ASSERT_TRUE(cov.has_value());
  const zk::BatchTransition last =
      *zk::decode_batch_transition(run.pipeline->batch_receipt(*settled)->journal);
  EXPECT_EQ(last.new_state, run.root_at(*settled));
  EXPECT_EQ(cov->second.script_public_key,
            run.pipeline->covenant().spk({run.root_at(*settled), last.new_lane_tip}));
}

// Proving within each step keeps this run reproducible: the same events every time.
TEST(Settlement, SettlesAStreamOfBundlesThroughReorgsAndASettlerRestart) {
  SettleRun run(/*reorg_every=*/9, /*finality_depth=*/100);
  bool restarted = false;
  while (run.driver->chain_length() < 120) {
    run.step(true, true);
    if (::testing::Test::HasFatalFailure()) return;
    // Restart the settler once, right after it submitted a settlement.
    if (!restarted && run.count(SK::kConfirmed) >= 3 && !run.events.empty() &&
        run.events.back().kind == SK::kSubmitted) {
      run.pipeline->restart_settler();
      restarted = true;
    }
  }
  EXPECT_TRUE(restarted);

  EXPECT_GT(run.rollbacks, 3u);
  EXPECT_GE(run.count(SK::kConfirmed), 15u);
  EXPECT_GT(run.count(SK::kAbandoned) + run.count(SK::kUnaccepted), 0u)
      << "the reorgs should have hit a settlement";
  expect_in_order(run.events, /*gaps=*/true);
  expect_covenant_at_settled_state(run, 90);
}

// The prover thread behind execution: however far behind it runs, settlement catches up once it
// has proven everything, in order and with the executor's state.
TEST(Settlement, ProvesBehindExecutionAndCatchesUp) {
  SettleRun run(/*reorg_every=*/7, /*finality_depth=*/100);
  while (run.driver->chain_length() < 80) {
    run.step();
    if (::testing::Test::HasFatalFailure()) return;
  }
  for (int i = 0; i < 100 && run.pipeline->settled_batch().value_or(0) < 80; ++i) {
    run.step(true, true);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GE(run.count(SK::kConfirmed), 1u);
  expect_in_order(run.events, /*gaps=*/false);
  expect_covenant_at_settled_state(run, 80);
}

// Bundles shrink below bundle_size when their receipts would not fit into one settlement, and
// settlement goes on.
TEST(Settlement, ABundleStaysWithinTheSettlementSizeBound) {
  node::SettlementOptions so;
  so.bundle_size = 8;
  // Room for about three of these batches' receipts.
  so.max_bundle_receipt_bytes = 3 * 20'000;
  SettleRun run(/*reorg_every=*/0, /*finality_depth=*/100, so);
  std::size_t submitted = 0;
  while (run.driver->chain_length() < 60) {
    auto s = run.driver->step();
    ASSERT_TRUE(s.ok());
    auto r = run.pipeline->after_step(*s);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    ASSERT_TRUE(run.pipeline->wait_proven().ok());
    run.events.insert(run.events.end(), r->events.begin(), r->events.end());
    for (const settle::Bundle& b : r->submitted) {
      ++submitted;
      std::size_t bytes = 0;
      for (const zk::Receipt& a : b.receipt.assumptions) bytes += zk::encoded_receipt_size(a);
      EXPECT_LE(bytes, so.max_bundle_receipt_bytes);
      EXPECT_LT(b.last_batch - b.first_batch + 1, so.bundle_size);
    }
  }
  EXPECT_GT(submitted, 3u);
  EXPECT_GT(run.count(SK::kConfirmed), 3u);
  EXPECT_EQ(run.count(SK::kAbandoned), 0u);
  expect_in_order(run.events, /*gaps=*/false);
}

TEST(Settlement, BumpsTheFeeWhenTheSettlementWaits) {
  node::SettlementOptions so;
  so.settler.bump_after_blocks = 2;
  SettleRun run(0, 100, so);
  // The covenant's genesis is accepted (the driver's first step only follows what L1 holds).
  for (int i = 0; i < 4 && !run.l1->covenant_utxo(run.pipeline->covenant_id()); ++i)
    run.step(false);
  ASSERT_TRUE(run.l1->covenant_utxo(run.pipeline->covenant_id()).has_value());
  // Congestion: nothing below 3x the normal rate gets into a block.
  run.l1->set_fee_floor(3 * run.l1->fee_estimate()->normal);
  for (int i = 0; i < 30; ++i) run.step(true, true);
  EXPECT_GE(run.count(SK::kBumped), 2u);
  EXPECT_GE(run.count(SK::kConfirmed), 1u);
  expect_in_order(run.events, /*gaps=*/false);
}

// Tampering: one honest bundle, then variants of its settlement submitted to the simulated L1.
class Tampering : public ::testing::Test {
 protected:
  void SetUp() override { start("counter"); }
  void start(const std::string& app) {
    run_ = std::make_unique<SettleRun>(0, 40, node::SettlementOptions{}, app, 300);
    while (run_->pipeline->proven_batch() < 30) run_->step(false, true);
    auto b = run_->pipeline->next_bundle();
    ASSERT_TRUE(b.ok() && b->has_value());
    bundle_ = std::move(**b);
    auto tree = zk::ExitTree::build(bundle_.exits);
    ASSERT_TRUE(tree.ok());
    exits_ = std::move(*tree);
    auto cov = run_->l1->covenant_utxo(run_->pipeline->covenant_id());
    ASSERT_TRUE(cov.has_value());
    cov_ = *cov;
  }

  l1::sim::Simulator& sim() { return *run_->l1; }

  // The settlement of `journal` with `receipt` anchored at `anchor`, from the covenant's state,
  // paying the bundle's exits (or the given root and total).
  kaspa::Transaction spend(const zk::StateTransition& journal, const zk::Receipt& receipt,
                           const kaspa::BlockHash& anchor) {
    return spend(journal, receipt, anchor, exits_.root(), exits_.total());
  }
  kaspa::Transaction spend(const zk::StateTransition& journal, const zk::Receipt& receipt,
                           const kaspa::BlockHash& anchor, const core::Hash32& exit_root,
                           std::uint64_t exit_total) {
    const auto fee = faucet_output();
    SettlementSpend s{cov_.first,
                      cov_.second,
                      {core::Hash32::zero(), kaspa::LaneTip()},
                      journal,
                      zk::encode_receipt(receipt),
                      anchor,
                      exit_root,
                      exit_total};
    return priced([&](std::uint64_t f) {
      return settlement_transaction(run_->pipeline->covenant(), run_->pipeline->covenant_id(), s,
                                    fee.first, fee.second, sim().faucet_key(), f);
    });
  }
  // Built with twice kaspad's minimum relay fee for its mass, so that the tampering a test does
  // afterwards never makes L1 refuse it for its fee rather than for what the test is about.
  template <typename Build>
  static kaspa::Transaction priced(Build build) {
    return build(2 * kaspa::minimum_fee(build(0)));
  }
  std::pair<kaspa::Outpoint, kaspa::UtxoEntry> faucet_output() {
    return sim().spendable(kaspa::p2pk_script(sim().faucet_key().public_key()))->front();
  }
  // Signs the fee input (1) again after a test changed the outputs.
  void resign(kaspa::Transaction& tx) {
    const auto fee = sim().utxo(tx.inputs[1].previous_outpoint);
    ASSERT_TRUE(fee.has_value());
    kaspa::sign_p2pk_input(tx, 1, *fee, sim().faucet_key(), core::Hash32::zero());
  }
  // The simulated L1's answer, as text ("" when accepted into the mempool).
  std::string submit(const kaspa::Transaction& tx) {
    auto st = sim().submit_transaction(tx);
    return st.ok() ? std::string() : st.error().context();
  }
  std::string submit(const zk::StateTransition& journal, const zk::Receipt& receipt) {
    return submit(spend(journal, receipt, bundle_.anchor));
  }

  std::unique_ptr<SettleRun> run_;
  Bundle bundle_;
  zk::ExitTree exits_ = *zk::ExitTree::build({});
  std::pair<kaspa::Outpoint, kaspa::UtxoEntry> cov_;
};

TEST_F(Tampering, AnyJournalFieldChangedIsRefused) {
  for (std::size_t i = 0; i < zk::StateTransition::kFields; ++i) {
    zk::StateTransition t = bundle_.journal;
    (t.*zk::StateTransition::kMembers[i]).bytes[5] ^= 0x40;
    zk::Receipt r = bundle_.receipt;
    r.journal = zk::encode_state_transition(t);
    const std::string why = submit(t, r);
    SCOPED_TRACE(std::string(zk::StateTransition::kFieldNames[i]));
    EXPECT_NE(why.find("zk_verify_failed"), std::string::npos) << why;
    // new_state and new_lane_tip come from the witness, so the digests agree and re-running the
    // aggregator exposes the lie; every other field the covenant rebuilds itself.
    const bool witnessed = i == 2 || i == 3;
    EXPECT_NE(why.find(witnessed ? "re-execution committed another journal"
                                 : "not the journal the covenant rebuilt"),
              std::string::npos)
        << why;
  }
  // The untouched settlement still goes through.
  EXPECT_EQ(submit(bundle_.journal, bundle_.receipt), "");
}

TEST_F(Tampering, AReceiptForAnotherImageIsRefused) {
  const zk::Receipt& batch = *run_->pipeline->batch_receipt(bundle_.first_batch);
  const std::string why = submit(bundle_.journal, batch);
  EXPECT_NE(why.find("zk_verify_failed"), std::string::npos) << why;
  EXPECT_NE(why.find("receipt for image " + batch.image_id.hex()), std::string::npos) << why;
}

TEST_F(Tampering, ASwappedBatchIsRefused) {
  // The aggregate's input and assumptions with two batches swapped, its journal unchanged.
  ASSERT_GE(bundle_.last_batch - bundle_.first_batch, 1u);
  zk::Receipt r = bundle_.receipt;
  std::swap(r.assumptions[0], r.assumptions[1]);
  zk::AggregateInput in;
  in.batch_image_id = run_->pipeline->pins().batch_image_id;
  for (const auto& a : r.assumptions) in.batch_journals.push_back(a.journal);
  const auto lp = *sim().lane_proof(bundle_.anchor, run_->pipeline->pins().lane_key);
  in.lane_proof = lp.smt_proof.to_bytes();
  in.inactivity_shortcut = lp.inactivity_shortcut;
  r.seal = zk::encode_aggregate_input(in);  // re-execution: the seal is the input
  const std::string why = submit(bundle_.journal, r);
  EXPECT_NE(why.find("zk_verify_failed"), std::string::npos) << why;
  EXPECT_NE(why.find("code 10 (state_chain_broken)"), std::string::npos) << why;
}

TEST_F(Tampering, AnAnchorOffTheSelectedChainOrOutsideTheWindowIsRefused) {
  // A block the chain merged but did not select.
  std::optional<kaspa::BlockHash> off_chain;
  for (const auto& c : sim().chain())
    if (c.mergeset.size() > 1) off_chain = c.mergeset[1];
  ASSERT_TRUE(off_chain.has_value());
  std::string why = submit(spend(bundle_.journal, bundle_.receipt, *off_chain));
  EXPECT_NE(why.find("block_not_selected"), std::string::npos) << why;
  // A chain block F or more blue score below the tip, still above the pruning point.
  const std::uint64_t tip_bs = sim().chain().back().context.blue_score;
  std::optional<kaspa::BlockHash> deep;
  for (const auto& c : sim().chain())
    if (c.context.blue_score + 40 <= tip_bs && c.context.blue_score + 80 > tip_bs) deep = c.hash;
  ASSERT_TRUE(deep.has_value());
  why = submit(spend(bundle_.journal, bundle_.receipt, *deep));
  EXPECT_NE(why.find("block_is_too_deep"), std::string::npos) << why;
  why =
      submit(spend(bundle_.journal, bundle_.receipt, kaspa::BlockHash(core::Hash32::from_byte(7))));
  EXPECT_NE(why.find("block_already_pruned"), std::string::npos) << why;
}

TEST_F(Tampering, AJournalNotStartingAtTheCovenantsStateIsRefused) {
  // An honest aggregate of the bundle's second half: it starts where the first half left the state.
  std::vector<zk::Receipt> later;
  for (std::uint64_t b = (bundle_.first_batch + bundle_.last_batch) / 2; b <= bundle_.last_batch;
       ++b)
    later.push_back(*run_->pipeline->batch_receipt(b));
  const auto lp = *sim().lane_proof(bundle_.anchor, run_->pipeline->pins().lane_key);
  auto agg = run_->pipeline->aggregate(later, lp.smt_proof.to_bytes(), lp.inactivity_shortcut);
  ASSERT_TRUE(agg.ok()) << agg.error().to_string();
  const zk::StateTransition t = *zk::decode_state_transition(agg->journal);
  ASSERT_NE(t.prev_state, bundle_.journal.prev_state);
  const std::string why = submit(t, *agg);
  EXPECT_NE(why.find("not the journal the covenant rebuilt"), std::string::npos) << why;
}

TEST_F(Tampering, AReplayedSettlementIsRefused) {
  const kaspa::Transaction tx = spend(bundle_.journal, bundle_.receipt, bundle_.anchor);
  ASSERT_EQ(submit(tx), "");
  EXPECT_NE(submit(tx).find("already in the mempool"), std::string::npos);
  for (int i = 0; i < 3; ++i) run_->step(false, true);
  ASSERT_NE(sim().covenant_utxo(run_->pipeline->covenant_id())->first, cov_.first)
      << "the settlement should have moved the covenant";
  const std::string why = submit(tx);
  EXPECT_FALSE(why.empty());
  EXPECT_TRUE(why.find("already accepted") != std::string::npos ||
              why.find("missing or spent") != std::string::npos)
      << why;
}

// The verifier remembers claims that verified (the simulator checks a settlement at submission and
// again at acceptance), never ones that failed, and a changed byte is a different claim.
TEST_F(Tampering, ARememberedClaimIsOnlyTheSameClaim) {
  const ReceiptVerifier& v = *run_->verifier;
  const std::uint64_t hits = v.remembered_hits();
  const core::Bytes proof = zk::encode_receipt(bundle_.receipt);
  const kaspa::Hash32 image = run_->pipeline->pins().aggregate_image_id.hash();
  const kaspa::Hash32 digest = zk::journal_digest(bundle_.receipt.journal);
  ASSERT_EQ(v.verify(kaspa::kZkTagBasaltReexec, image, digest, proof), "");
  EXPECT_EQ(v.verify(kaspa::kZkTagBasaltReexec, image, digest, proof), "");
  EXPECT_EQ(v.remembered_hits(), hits + 1);
  core::Bytes changed = proof;
  changed[changed.size() / 2] ^= 1;
  EXPECT_NE(v.verify(kaspa::kZkTagBasaltReexec, image, digest, changed), "");
  kaspa::Hash32 other = digest;
  other.bytes[0] ^= 1;
  EXPECT_NE(v.verify(kaspa::kZkTagBasaltReexec, image, other, proof), "");
  EXPECT_NE(v.verify(kaspa::kZkTagBasaltReexec, image, other, proof), "");
  EXPECT_EQ(v.remembered_hits(), hits + 1);
}

// Exits: token withdrawals leave through the exit output the settlement creates, each claimable
// once, by anyone, to the address it names.
class Exits : public Tampering {
 protected:
  void SetUp() override {
    start("token");
    ASSERT_GE(bundle_.exits.size(), 2u) << "the bundle should carry withdrawals";
    ASSERT_NE(bundle_.journal.permission_spk_hash, core::Hash32::zero());
  }
  // Accepts `tx` and moves the chain on until L1 accepted it.
  void accept(const kaspa::Transaction& tx) {
    ASSERT_EQ(submit(tx), "");
    for (int i = 0; i < 3; ++i) run_->step(false, true);
    const kaspa::TxId id = kaspa::tx_id(tx);
    ASSERT_TRUE(sim().utxo({id, 0}).has_value()) << "not accepted: " << sim().refusal(id);
  }
  kaspa::Transaction claim(std::size_t i, const kaspa::Outpoint& exit_output) {
    const auto fee = faucet_output();
    return priced([&](std::uint64_t f) {
      return exit_claim_transaction(exits_, i, exit_output, fee.first, fee.second,
                                    sim().faucet_key(), f);
    });
  }
};

TEST_F(Exits, TheSettlementMovesTheExitsIntoTheExitOutput) {
  const kaspa::Transaction tx = spend(bundle_.journal, bundle_.receipt, bundle_.anchor);
  ASSERT_GE(tx.outputs.size(), 3u);
  EXPECT_EQ(tx.outputs[0].value, cov_.second.amount - exits_.total());
  EXPECT_EQ(tx.outputs[1].value, exits_.total());
  EXPECT_EQ(tx.outputs[1].script_public_key, kaspa::p2sh_script(exits_.redeem()));
  EXPECT_EQ(crypto::blake2b_256(exits_.redeem()), bundle_.journal.permission_spk_hash)
      << "the aggregator guest and the host disagree on the permission hash";
  accept(tx);
}

TEST_F(Exits, EveryTamperedExitOutputIsRefused) {
  const kaspa::Transaction honest = spend(bundle_.journal, bundle_.receipt, bundle_.anchor);
  // Claiming no exits, or other ones: the covenant rebuilds another permission hash.
  for (auto [root, total] : {std::pair{core::Hash32::zero(), std::uint64_t{0}},
                             std::pair{exits_.root(), exits_.total() - 1},
                             std::pair{core::Hash32::from_byte(9), exits_.total()}}) {
    const std::string why =
        submit(spend(bundle_.journal, bundle_.receipt, bundle_.anchor, root, total));
    EXPECT_NE(why.find("not the journal the covenant rebuilt"), std::string::npos) << why;
  }
  // The exit output short of the total; the covenant keeping what it pays out; the exit output
  // to another script; no exit output at all.
  kaspa::Transaction t = honest;
  t.outputs[1].value -= 1;
  t.outputs[2].value += 1;
  resign(t);
  EXPECT_NE(submit(t).find("equal_verify_failed"), std::string::npos);
  t = honest;
  t.outputs[0].value += t.outputs[1].value;
  t.outputs[2].value -= t.outputs[1].value;
  t.outputs[1].value = 0;
  resign(t);
  EXPECT_NE(submit(t).find("equal_verify_failed"), std::string::npos);
  t = honest;
  t.outputs[1].script_public_key = kaspa::p2pk_script(sim().faucet_key().public_key());
  resign(t);
  EXPECT_NE(submit(t).find("equal_verify_failed"), std::string::npos);
  t = honest;
  t.outputs[2].value += t.outputs[1].value;
  t.outputs.erase(t.outputs.begin() + 1);
  resign(t);
  const std::string why = submit(t);
  EXPECT_TRUE(why.find("equal_verify_failed") != std::string::npos ||
              why.find("invalid_index") != std::string::npos)
      << why;
  EXPECT_EQ(submit(honest), "");
}

TEST_F(Exits, TheSettlerRefusesExitsItsJournalDoesNotCommit) {
  Settler settler(sim(), run_->pipeline->covenant(), run_->pipeline->covenant_id(),
                  sim().faucet_key(), SettlerOptions{});
  Bundle b = bundle_;
  b.exits.back().amount += 1;
  const CovenantState from{bundle_.journal.prev_state,
                           kaspa::LaneTip(bundle_.journal.prev_lane_tip)};
  auto r = settler.settle(b, from);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalid);
  EXPECT_NE(r.error().context().find("not the ones its journal commits"), std::string::npos);
  EXPECT_FALSE(settler.busy());
  auto ok = settler.settle(bundle_, from);
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->kind, SK::kSubmitted);
}

TEST_F(Exits, EachExitIsClaimedOnceToItsAddress) {
  const kaspa::Transaction settlement = spend(bundle_.journal, bundle_.receipt, bundle_.anchor);
  accept(settlement);
  kaspa::Outpoint exit_output{kaspa::tx_id(settlement), 1};
  for (std::size_t i = 0; i < exits_.exits().size(); ++i) {
    const exec::Exit& e = exits_.exits()[i];
    kaspa::Transaction tx = claim(i, exit_output);
    // Paying someone else, or less, is refused.
    kaspa::Transaction other = tx;
    other.outputs[0].script_public_key = kaspa::p2pk_script(sim().faucet_key().public_key());
    resign(other);
    EXPECT_NE(submit(other).find("equal_verify_failed"), std::string::npos);
    other = tx;
    other.outputs[0].value -= 1;
    other.outputs.back().value += 1;
    resign(other);
    EXPECT_NE(submit(other).find("equal_verify_failed"), std::string::npos);
    accept(tx);
    const auto paid = sim().utxo({kaspa::tx_id(tx), 0});
    ASSERT_TRUE(paid.has_value());
    EXPECT_EQ(paid->amount, e.amount);
    EXPECT_EQ(paid->script_public_key, exec::exit_script_public_key(e));
    // The same exit again from what is left, which commits to a tree where its leaf is empty.
    const zk::ExitTree before = exits_;
    exits_.claim(i);
    if (exits_.total() == 0) {
      EXPECT_EQ(tx.outputs.size(), 2u) << "the last claim leaves nothing behind";
      break;
    }
    exit_output = {kaspa::tx_id(tx), 1};
    const auto fee = faucet_output();
    kaspa::Transaction again = priced([&](std::uint64_t f) {
      return exit_claim_transaction(before, i, exit_output, fee.first, fee.second,
                                    sim().faucet_key(), f);
    });
    EXPECT_NE(submit(again).find("p2sh_mismatch"), std::string::npos);  // the old script
    again.inputs[0].signature_script = exits_.claim_witness(i);  // the current one: leaf emptied
    resign(again);
    EXPECT_NE(submit(again).find("equal_verify_failed"), std::string::npos);
  }
  EXPECT_EQ(exits_.total(), 0u);
}

}  // namespace
}  // namespace basalt::settle
