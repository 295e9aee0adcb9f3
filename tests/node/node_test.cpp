#include "node/node.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "kaspa/mass.hpp"
#include "kaspa/script.hpp"
#include "l1/protowire/rpc.hpp"
#include "l1/sim/rpc_answers.hpp"
#include "l1/sim/simulator.hpp"
#include "settle/covenant.hpp"
#include "test_util.hpp"
#include "users/workload.hpp"
#include "zk/batch.hpp"
#include "zk/journal.hpp"
#include "zk/receipt.hpp"
#include "zk/reexec/reexec.hpp"

namespace basalt::node {
namespace {

using test::TempDir;

Config base(const std::string& dir, const std::string& app) {
  Config c;
  c.data_dir = dir;
  c.app = app;
  c.guest_dir = BASALT_GUEST_DIR;
  c.block_interval_ms = 0;
  c.sync = false;
  c.finality_depth = 20;
  c.reorg_every = 7;
  c.reorg_depth = 3;
  c.users_tx_per_block = 12;
  c.users_invalid_permille = 100;
  c.users_accounts = 50;
  c.stop_after_blocks = 60;
  c.threads = 2;
  return c;
}

// Runs a node to its configured end; returns its final status.
NodeStatus run_to_end(const Config& c, std::ostream& out) {
  Logger log(out, LogLevel::kWarn, false);
  auto n = Node::open(c, log);
  EXPECT_TRUE(n.ok()) << n.error().to_string();
  if (!n.ok()) return {};
  std::atomic<bool> stop{false};
  const core::Status st = (*n)->run(stop);
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  return (*n)->status();
}

// Runs a node on a thread until the scope ends.
class Running {
 public:
  Running(const Config& c, std::ostream& out) : log_(out, LogLevel::kWarn, false) {
    auto n = Node::open(c, log_);
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    if (!n.ok()) return;
    node_ = std::move(*n);
    thread_ = std::thread([this] { EXPECT_TRUE(node_->run(stop_).ok()); });
  }
  ~Running() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  Node* operator->() { return node_.get(); }
  bool ok() const { return node_ != nullptr; }
  // Polls `done` every 20 ms for up to `seconds`.
  template <typename F>
  static bool wait(F done, int seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

 private:
  Logger log_;
  std::unique_ptr<Node> node_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The settlement history of a stopped node's data directory: the confirmed settlements cover
// batches 1, 2, ... in order without gap or overlap, and each one's StateTransition ends at its
// last batch's committed root. Returns how many are confirmed.
std::uint64_t check_settlements(const std::string& dir) {
  auto index = NodeIndex::open(dir + "/index");
  EXPECT_TRUE(index.ok());
  if (!index.ok()) return 0;
  auto list = (*index)->settlements(~std::uint64_t{0}, 10'000);
  EXPECT_TRUE(list.ok());
  if (!list.ok()) return 0;
  std::uint64_t next = 1, confirmed = 0, seq = list->size();
  for (auto it = list->rbegin(); it != list->rend(); ++it) {
    EXPECT_EQ(it->seq, list->size() - --seq);
    if (it->status != SettlementStatus::kConfirmed) continue;
    ++confirmed;
    EXPECT_EQ(it->first_batch, next);
    next = it->last_batch + 1;
    auto journal = zk::decode_state_transition(it->journal);
    auto row = (*index)->batch(it->last_batch);
    EXPECT_TRUE(journal.ok() && row.ok() && row->has_value() && (*row)->root);
    if (journal.ok() && row.ok() && row->has_value() && (*row)->root) {
      EXPECT_EQ(journal->new_state, *(*row)->root) << "settlement " << it->seq;
    }
  }
  return confirmed;
}

TEST(Node, StoppedAndRestartedMidRunEndsWithTheSameRootsForAnyThreadCount) {
  for (const std::string app : {"counter", "token"}) {
    SCOPED_TRACE(app);
    std::ostringstream out;
    TempDir a, b;
    const NodeStatus whole = run_to_end(base(a.path(), app), out);
    // A step after a reorg adds several chain blocks, so the end may lie past 60.
    EXPECT_GE(whole.committed, 60u);
    EXPECT_EQ(whole.proven, whole.committed);
    EXPECT_GT(whole.reorgs, 0u);
    EXPECT_GT(check_settlements(a.path()), 0u);

    // Stopped at a point fixed by the chain, not by the machine's speed (the signal path, the
    // same `stop` flag, is node_restart.sh's).
    Config c = base(b.path(), app);
    c.threads = 1;
    c.stop_after_blocks = 25;
    const NodeStatus stopped = run_to_end(c, out);
    EXPECT_GE(stopped.committed, 25u);
    EXPECT_LT(stopped.committed, 60u);
    c.stop_after_blocks = 60;
    c.threads = 4;
    const NodeStatus resumed = run_to_end(c, out);
    EXPECT_EQ(resumed.committed, whole.committed);
    EXPECT_EQ(resumed.committed_root, whole.committed_root);
    EXPECT_EQ(resumed.proven, resumed.committed);
    // The settlements from before the stop are followed after it, none settled twice.
    EXPECT_EQ(check_settlements(b.path()), resumed.settlements_confirmed);
    EXPECT_GT(resumed.settlements_confirmed, 0u);
  }
}

TEST(Node, StopsAfterTheConfiguredNumberOfConfirmedSettlements) {
  std::ostringstream out;
  TempDir d;
  Config c = base(d.path(), "counter");
  c.stop_after_blocks = 0;
  c.stop_after_settlements = 3;
  c.bundle_size = 4;
  const NodeStatus s = run_to_end(c, out);
  EXPECT_EQ(s.settlements_confirmed, 3u);
  EXPECT_EQ(check_settlements(d.path()), 3u);
  EXPECT_GE(s.settled_confirmed, 12u);
  EXPECT_GE(s.settled, s.settled_confirmed);
}

TEST(Node, EveryTransactionIsIndexedAndItsReceiptVerifies) {
  std::ostringstream out;
  TempDir d;
  Config c = base(d.path(), "counter");
  c.reorg_every = 0;
  c.stop_after_blocks = 15;
  Logger log(out, LogLevel::kWarn, false);
  auto n = Node::open(c, log);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*n)->run(stop).ok());
  const NodeIndex& index = (*n)->index();

  auto app = exec::load_app("counter", BASALT_GUEST_DIR);
  ASSERT_TRUE(app.ok());
  zk::ReexecProofSystem ps;
  ps.register_guest(app->program, app->limits);
  std::uint64_t ok = 0, failed = 0;
  for (std::uint64_t b = 1; b <= 15; ++b) {
    auto row = index.batch(b);
    ASSERT_TRUE(row.ok() && row->has_value()) << b;
    ASSERT_TRUE((*row)->root.has_value());
    auto by_hash = index.batch_by_block((*row)->block);
    ASSERT_TRUE(by_hash.ok() && by_hash->has_value());
    EXPECT_EQ((*by_hash)->id, b);
    for (const kaspa::TxId& id : (*row)->tx_ids) {
      auto t = index.tx(id);
      ASSERT_TRUE(t.ok() && t->has_value());
      EXPECT_EQ((*t)->batch, b);
      if (!(*t)->ok) {
        ++failed;
        EXPECT_FALSE((*t)->reason.empty());
        continue;
      }
      ++ok;
      auto bytes = index.receipt(id);
      ASSERT_TRUE(bytes.ok() && bytes->has_value()) << id.hex();
      auto receipt = zk::decode_receipt(**bytes);
      ASSERT_TRUE(receipt.ok());
      EXPECT_EQ(receipt->journal, (*t)->journal);
      EXPECT_TRUE(ps.verify(*receipt, app->program->image_id()).ok());
      // A receipt does not verify for another image id.
      vm::ImageId other = app->program->image_id();
      other.h.bytes[0] ^= 1;
      EXPECT_FALSE(ps.verify(*receipt, other).ok());
    }
  }
  EXPECT_GT(ok, 0u);
  EXPECT_GT(failed, 0u);
}

// The store commits a batch on its own thread while the node writes its records into the index:
// killed between the two, either may stand ahead. Reopened, the node executes again what the store
// holds without records (its transactions would stay unknown otherwise) and drops records above
// the store's tip. Here the index is made to lose batches 13..15 and to hold a batch 16 that was
// never committed.
TEST(Node, BatchesCommittedWithoutTheirRecordsAreExecutedAgainAtRestart) {
  std::ostringstream out;
  TempDir d;
  Config c = base(d.path(), "counter");
  c.reorg_every = 0;
  c.prover_enabled = false;
  c.stop_after_blocks = 15;
  ASSERT_EQ(run_to_end(c, out).committed, 15u);
  std::vector<std::pair<kaspa::TxId, std::uint64_t>> lost;
  {
    auto index = NodeIndex::open(d.sub("index"));
    ASSERT_TRUE(index.ok());
    for (std::uint64_t b = 13; b <= 15; ++b) {
      auto row = (*index)->batch(b);
      ASSERT_TRUE(row.ok() && row->has_value());
      for (const kaspa::TxId& id : (*row)->tx_ids) lost.emplace_back(id, b);
    }
    ASSERT_TRUE((*index)->rollback(12, 15).ok());
    BatchRow never;
    never.id = 16;
    never.block = kaspa::BlockHash(test::Rng(16).hash());
    ASSERT_TRUE((*index)->put_batch(never, {}).ok());
  }
  ASSERT_FALSE(lost.empty());
  c.stop_after_blocks = 20;
  ASSERT_GE(run_to_end(c, out).committed, 20u);
  auto index = NodeIndex::open(d.sub("index"));
  ASSERT_TRUE(index.ok());
  for (const auto& [id, batch] : lost) {
    auto t = (*index)->tx(id);
    ASSERT_TRUE(t.ok() && t->has_value()) << id.hex() << " of batch " << batch;
    EXPECT_EQ((*t)->batch, batch);
  }
  for (std::uint64_t b = 1; b <= 20; ++b) {
    auto row = (*index)->batch(b);
    ASSERT_TRUE(row.ok() && row->has_value()) << b;
    ASSERT_TRUE((*row)->root.has_value()) << b;
    auto mapped = (*index)->batch_by_block((*row)->block);
    ASSERT_TRUE(mapped.ok() && mapped->has_value()) << b;
    EXPECT_EQ((*mapped)->id, b);
  }
}

TEST(Node, AResourceComesWithAProofOfItsValueAgainstACommittedRoot) {
  std::ostringstream out;
  TempDir d;
  Config c = base(d.path(), "counter");
  c.reorg_every = 0;
  c.stop_after_blocks = 0;
  c.block_interval_ms = 20;
  c.finality_depth = 2000;  // the earlier batch below stays in the window, also under sanitizers
  Running n(c, out);
  ASSERT_TRUE(n.ok());
  Running::wait([&] { return n->status().committed >= 10; }, 60);
  ASSERT_GE(n->status().committed, 10u) << "the node did not commit 10 batches in 60 s";
  // An earlier batch.
  const std::uint64_t earlier = n->status().committed - 5;
  std::uint64_t present = 0, changed = 0;
  for (std::uint32_t i = 0; i < 50; ++i) {
    const state::ResourceId id = users::counter_resource(i);
    auto v = n->resources({id}, std::nullopt, std::chrono::seconds(10));
    ASSERT_TRUE(v.ok()) << v.error().to_string();
    auto proof = state::MultiProof::decode(std::span(&id, 1), v->proof);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(proof->root(), v->root);
    EXPECT_EQ(proof->values()[0], state::value_hash(v->values[0]));
    present += v->values[0].empty() ? 0 : 1;
    // At an earlier batch: the proof is against that batch's committed root.
    auto old = n->resources({id}, earlier, std::chrono::seconds(10));
    ASSERT_TRUE(old.ok()) << old.error().to_string();
    EXPECT_EQ(old->batch, earlier);
    auto row = n->index().batch(earlier);
    ASSERT_TRUE(row.ok() && row->has_value() && (*row)->root);
    EXPECT_EQ(old->root, *(*row)->root);
    auto old_proof = state::MultiProof::decode(std::span(&id, 1), old->proof);
    ASSERT_TRUE(old_proof.ok());
    EXPECT_EQ(old_proof->root(), old->root);
    EXPECT_EQ(old_proof->values()[0], state::value_hash(old->values[0]));
    changed += old->values[0] != v->values[0] ? 1 : 0;
  }
  EXPECT_GT(present, 0u);
  EXPECT_GT(changed, 0u);
  // Many at once: one proof for all of them, the values those one by one gave.
  std::vector<state::ResourceId> ids;
  for (std::uint32_t i = 0; i < 50; ++i) ids.push_back(users::counter_resource(i));
  std::sort(ids.begin(), ids.end());
  auto many = n->resources(ids, earlier, std::chrono::seconds(10));
  ASSERT_TRUE(many.ok()) << many.error().to_string();
  auto many_proof = state::MultiProof::decode(ids, many->proof);
  ASSERT_TRUE(many_proof.ok());
  EXPECT_EQ(many_proof->root(), many->root);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(many_proof->values()[i], state::value_hash(many->values[i]));
    if (i % 10 == 0) {
      auto one = n->resources({ids[i]}, earlier, std::chrono::seconds(10));
      ASSERT_TRUE(one.ok());
      EXPECT_EQ(one->values[0], many->values[i]);
    }
  }
  std::swap(ids[0], ids[1]);
  EXPECT_EQ(n->resources(ids, earlier, std::chrono::seconds(10)).error().code(),
            core::ErrorCode::kInvalid);
  // Outside the rollback window there is no such state.
  auto gone =
      n->resources({users::counter_resource(0)}, earlier + 1'000'000, std::chrono::seconds(10));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code(), core::ErrorCode::kOutOfRange);
}

// A settlement's exits are followed through their claims, the simulator's reorgs and a restart:
// the node says which exits are claimed and where the rest is held, and L1 holds exactly that.
TEST(Node, ASettlementsExitsAreFollowedThroughClaimsReorgsAndARestart) {
  std::ostringstream out;
  TempDir d;
  Config c = base(d.path(), "token");
  c.users_exit_permille = 300;
  c.stop_after_blocks = 0;
  c.block_interval_ms = 10;
  std::uint64_t seq = 0;
  std::optional<ExitState> claimed;
  {
    Running n(c, out);
    ASSERT_TRUE(n.ok());
    // A confirmed settlement with two exits or more.
    const auto found = [&] {
      for (std::uint64_t s = 1; s <= n->status().settlements; ++s) {
        auto rec = n->index().settlement(s);
        auto st = exit_state(n->index(), s);
        if (rec.ok() && *rec && (*rec)->status == SettlementStatus::kConfirmed && st.ok() && *st &&
            (*st)->tree.exits().size() >= 2 && (*st)->output) {
          seq = s;
          return true;
        }
      }
      return false;
    };
    ASSERT_TRUE(Running::wait(found, 120)) << "no confirmed settlement with two exits";
    // Claims of exits 1 and 0, each from where the node says the exit output is then.
    for (const std::size_t i : {std::size_t{1}, std::size_t{0}}) {
      auto st = exit_state(n->index(), seq);
      ASSERT_TRUE(st.ok() && *st && (*st)->output);
      auto fees =
          n->spendable(kaspa::p2pk_script(n->faucet_key()->public_key()), std::chrono::seconds(10));
      ASSERT_TRUE(fees.ok() && !fees->empty());
      const auto claim_with = [&](std::uint64_t fee) {
        return settle::exit_claim_transaction((*st)->tree, i, *(*st)->output, fees->back().first,
                                              fees->back().second, *n->faucet_key(), fee);
      };
      auto sent =
          n->submit(claim_with(kaspa::minimum_fee(claim_with(0))), std::chrono::seconds(10));
      ASSERT_TRUE(sent.ok() && sent->accepted) << (sent.ok() ? sent->reason : "");
      ASSERT_TRUE(Running::wait(
          [&] {
            auto now = exit_state(n->index(), seq);
            return now.ok() && *now && (*now)->tree.claimed(i);
          },
          60))
          << "the node did not see the claim of exit " << i;
    }
    // Past a few reorgs, L1 holds the rest exactly where the node says.
    const std::uint64_t step = n->status().l1_step;
    ASSERT_TRUE(Running::wait([&] { return n->status().l1_step > step + 30; }, 60));
    auto st = exit_state(n->index(), seq);
    ASSERT_TRUE(st.ok() && *st);
    EXPECT_TRUE((*st)->tree.claimed(0) && (*st)->tree.claimed(1));
    auto held = n->spendable(kaspa::p2sh_script((*st)->tree.redeem()), std::chrono::seconds(10));
    ASSERT_TRUE(held.ok());
    if ((*st)->output) {
      ASSERT_EQ(held->size(), 1u);
      EXPECT_EQ(held->front().first, *(*st)->output);
      EXPECT_EQ(held->front().second.amount, (*st)->tree.total());
    } else {
      EXPECT_EQ((*st)->tree.total(), 0u);
    }
    claimed = std::move(*st);
  }
  // Restarted, the node reads the blocks above its resume point again and ends where it was.
  Running again(c, out);
  ASSERT_TRUE(again.ok());
  const auto same = [&] {
    auto st = exit_state(again->index(), seq);
    return st.ok() && *st && (*st)->events == claimed->events;
  };
  EXPECT_TRUE(Running::wait(same, 60)) << "the restarted node's exit events differ";
}

// Damage to the index is reported as corruption of the node's own data, naming what is damaged,
// and nothing starts: not a byte flipped inside its write-ahead log (RocksDB would otherwise drop
// every later write, logged submissions among them), not the index gone beside a state store.
TEST(Node, ADamagedOrMissingIndexIsCorruptionNamingItsFile) {
  TempDir dir;
  Config c = base(dir.path(), "counter");
  c.stop_after_blocks = 30;
  std::ostringstream out;
  run_to_end(c, out);
  std::string wal;
  for (const auto& e : std::filesystem::directory_iterator(dir.sub("index")))
    if (e.path().extension() == ".log" && e.file_size() > 1000) wal = e.path().string();
  ASSERT_FALSE(wal.empty()) << "no write-ahead log with data in the index";
  const auto size = std::filesystem::file_size(wal);
  {
    std::fstream f(wal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size / 3));
    const char b = static_cast<char>(f.get());
    f.seekp(static_cast<std::streamoff>(size / 3));
    f.put(static_cast<char>(b ^ 0x5a));
  }
  Logger log(out, LogLevel::kWarn, false);
  auto damaged = Node::open(c, log);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(damaged.error().context().find("is damaged (in " + wal + ")"), std::string::npos)
      << damaged.error().context();

  EXPECT_NE(damaged.error().context().find("--rebuild-index"), std::string::npos);

  std::filesystem::rename(dir.sub("index"), dir.sub("kept"));
  auto missing = Node::open(c, log);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(missing.error().context().find("index is missing"), std::string::npos)
      << missing.error().context();
  EXPECT_NE(missing.error().context().find("--rebuild-index"), std::string::npos);
  std::filesystem::rename(dir.sub("kept"), dir.sub("index"));
}

// --rebuild-index: the damaged index goes aside, the new one has every batch row (those below the
// rollback window from the state store, the rest executed again from L1) and the node settles on
// with its covenant: the same roots as a node whose index was never damaged.
TEST(Node, ARebuiltIndexFromTheStateStoreAndL1SettlesOnWithTheSameRoots) {
  std::ostringstream out;
  TempDir whole_dir, dir;
  Config whole = base(whole_dir.path(), "token");
  whole.stop_after_blocks = 50;
  const NodeStatus reference = run_to_end(whole, out);
  ASSERT_GT(check_settlements(whole_dir.path()), 0u);

  Config c = base(dir.path(), "token");
  c.stop_after_blocks = 30;
  const NodeStatus first = run_to_end(c, out);
  const std::uint64_t confirmed_before = first.settlements_confirmed;
  ASSERT_GT(confirmed_before, 0u);
  // Damage: a flipped byte in the middle of the index's write-ahead log.
  for (const auto& e : std::filesystem::directory_iterator(dir.sub("index"))) {
    if (e.path().extension() != ".log" || e.file_size() < 1000) continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(e.file_size() / 2));
    f.put('\x5a');
  }
  c.stop_after_blocks = 50;
  c.rebuild_index = true;
  const NodeStatus rebuilt = run_to_end(c, out);
  EXPECT_EQ(rebuilt.committed, reference.committed);
  EXPECT_EQ(rebuilt.committed_root, reference.committed_root);
  EXPECT_GT(rebuilt.settlements_confirmed, 0u) << "settlement went on with the stored covenant";
  bool aside = false;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    aside |= e.path().filename().string().rfind("index.damaged-", 0) == 0;
  EXPECT_TRUE(aside) << "the damaged index is kept aside";

  auto a = NodeIndex::open(whole_dir.sub("index"));
  auto b = NodeIndex::open(dir.sub("index"));
  ASSERT_TRUE(a.ok() && b.ok());
  std::uint64_t with_txs = 0;
  for (std::uint64_t i = 1; i <= reference.committed; ++i) {
    auto ra = (*a)->batch(i);
    auto rb = (*b)->batch(i);
    ASSERT_TRUE(ra.ok() && rb.ok() && ra->has_value() && rb->has_value()) << "batch " << i;
    EXPECT_EQ((*ra)->block, (*rb)->block) << "batch " << i;
    EXPECT_EQ((*ra)->root, (*rb)->root) << "batch " << i;
    if ((*rb)->tx_ids.empty()) continue;
    ++with_txs;
    EXPECT_EQ((*ra)->tx_ids, (*rb)->tx_ids) << "batch " << i;
    auto t = (*b)->tx((*rb)->tx_ids.front());
    ASSERT_TRUE(t.ok() && t->has_value()) << "batch " << i;
  }
  EXPECT_GE(with_txs, 20u) << "the batches of the rollback window were executed again";
}

// A data directory that settled restarts with the prover off: its embedded L1 replays the
// settlements (their scripts verify receipts) and the node follows on without proving.
TEST(Node, ASettledDataDirectoryRestartsWithTheProverOff) {
  std::ostringstream out;
  TempDir dir;
  Config c = base(dir.path(), "counter");
  c.stop_after_blocks = 30;
  ASSERT_GT(run_to_end(c, out).settlements_confirmed, 0u);
  c.prover_enabled = false;
  c.stop_after_blocks = 40;
  const NodeStatus resumed = run_to_end(c, out);
  EXPECT_GE(resumed.committed, 40u);
}

// With settlement off the node proves every batch and creates no covenant: no key is needed,
// nothing goes to L1, and a restart proves on from its own records.
TEST(Node, WithSettlementOffItProvesEveryBatchAndCreatesNoCovenant) {
  std::ostringstream out;
  TempDir dir;
  Config c = base(dir.path(), "counter");
  c.settle_enabled = false;
  c.stop_after_blocks = 25;
  const NodeStatus first = run_to_end(c, out);
  EXPECT_EQ(first.proven, first.committed);
  c.stop_after_blocks = 40;
  const NodeStatus second = run_to_end(c, out);
  EXPECT_GE(second.committed, 40u);
  EXPECT_EQ(second.proven, second.committed);
  EXPECT_EQ(second.settlements, 0u);
  auto index = NodeIndex::open(dir.path() + "/index");
  ASSERT_TRUE(index.ok());
  auto covenant = (*index)->covenant();
  ASSERT_TRUE(covenant.ok());
  EXPECT_FALSE(covenant->has_value());
  auto settlements = (*index)->settlements(~std::uint64_t{0}, 10);
  ASSERT_TRUE(settlements.ok());
  EXPECT_TRUE(settlements->empty());
  // Each batch's receipt carries its own transition, pinned to no covenant.
  for (std::uint64_t b = 1; b <= second.committed; ++b) {
    auto bytes = (*index)->batch_receipt(b);
    ASSERT_TRUE(bytes.ok() && bytes->has_value()) << b;
    auto receipt = zk::decode_receipt(**bytes);
    ASSERT_TRUE(receipt.ok()) << b;
    auto journal = zk::decode_batch_transition(receipt->journal);
    ASSERT_TRUE(journal.ok()) << b;
    auto row = (*index)->batch(b);
    ASSERT_TRUE(row.ok() && row->has_value() && (*row)->root) << b;
    EXPECT_EQ(journal->new_state, *(*row)->root) << b;
    EXPECT_EQ(journal->covenant_id, kaspa::CovenantId()) << b;
  }
}

// An L1 the node does not own: a simulator with the token app's users on the app lane, moved on
// by the test alone (the node gets no producer).
class OutsideL1 {
 public:
  OutsideL1() : sim_(params()) {
    users::WorkloadParams wp;
    wp.app = "token";
    wp.seed = 31;
    wp.tx_per_block = 10;
    wp.accounts = 40;
    wp.lane = app_lane();
    users_.emplace(wp);
    sim_.set_load([this](std::uint64_t step) { return users_->next_block(step); });
  }
  l1::sim::Simulator& sim() { return sim_; }
  // Before the stop: 20 steps.
  void first_part() {
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(sim_.produce_block().ok());
  }
  // While the node is down: a reorg that takes the chain blocks it committed last, more blocks,
  // another reorg, more blocks.
  void second_part() {
    ASSERT_TRUE(sim_.reorg(3).ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(sim_.produce_block().ok());
    ASSERT_TRUE(sim_.reorg(2).ok());
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(sim_.produce_block().ok());
  }

 private:
  static l1::sim::SimParams params() {
    l1::sim::SimParams sp;
    sp.seed = 31;
    sp.finality_depth = 20;
    sp.pruning_depth = 1000;  // a node starting from genesis needs the whole chain
    return sp;
  }
  std::optional<users::Workload> users_;
  l1::sim::Simulator sim_;
};

// Runs a node on `l1` until it has executed and committed the source's whole chain.
NodeStatus follow_all(const std::string& dir, OutsideL1& l1, std::ostream& out) {
  Config c = base(dir, "token");
  c.prover_enabled = false;
  c.stop_after_blocks = l1.sim().chain().size();
  Logger log(out, LogLevel::kWarn, false);
  auto n = Node::open(c, log, &l1.sim(), nullptr);
  EXPECT_TRUE(n.ok()) << n.error().to_string();
  if (!n.ok()) return {};
  std::atomic<bool> stop{false};
  const core::Status st = (*n)->run(stop);
  EXPECT_TRUE(st.ok()) << st.error().to_string();
  return (*n)->status();
}

TEST(Node, ResumesFromItsOwnRecordsAgainstAnL1ThatMovedOnAndReorgedMeanwhile) {
  std::ostringstream out;
  TempDir whole_dir, parts_dir;
  OutsideL1 whole_l1, parts_l1;
  whole_l1.first_part();
  whole_l1.second_part();
  const NodeStatus whole = follow_all(whole_dir.path(), whole_l1, out);

  parts_l1.first_part();
  const NodeStatus before = follow_all(parts_dir.path(), parts_l1, out);
  const kaspa::BlockHash tip_before = before.l1_tip;
  parts_l1.second_part();
  // The block the node committed last is off the chain now: the restart rolls it back first.
  ASSERT_FALSE(parts_l1.sim().header(tip_before)->is_chain_block);
  const NodeStatus resumed = follow_all(parts_dir.path(), parts_l1, out);

  EXPECT_EQ(resumed.committed, parts_l1.sim().chain().size());
  EXPECT_EQ(resumed.committed, whole.committed);
  EXPECT_EQ(resumed.committed_root, whole.committed_root);
  EXPECT_EQ(resumed.l1_tip, whole.l1_tip);
  EXPECT_EQ(resumed.reorgs, 1u) << "the reorg met at the restart rolls back";
  EXPECT_GT(resumed.tx_ok, 0u);
  // Every batch on the final chain, batch by batch: same block, same root.
  auto a = NodeIndex::open(whole_dir.path() + "/index");
  auto b = NodeIndex::open(parts_dir.path() + "/index");
  ASSERT_TRUE(a.ok() && b.ok());
  for (std::uint64_t i = 1; i <= whole.committed; ++i) {
    auto ra = (*a)->batch(i);
    auto rb = (*b)->batch(i);
    ASSERT_TRUE(ra.ok() && rb.ok() && ra->has_value() && rb->has_value()) << "batch " << i;
    EXPECT_EQ((*ra)->block, (*rb)->block) << "batch " << i;
    EXPECT_EQ((*ra)->root, (*rb)->root) << "batch " << i;
  }
}

// A settling node that starts more than F behind L1's tip says that settlement waits until it
// has caught up (no anchor of its could pass), and measures how far behind it is.
TEST(Node, ASettlingNodeFarBehindL1SaysThatSettlementWaits) {
  std::ostringstream out;
  TempDir dir;
  OutsideL1 l1;
  l1.first_part();
  for (int i = 0; i < 150; ++i) ASSERT_TRUE(l1.sim().produce_block().ok());
  Config c = base(dir.path(), "token");
  c.settlement_key = core::to_hex(l1.sim().faucet_key().export_bytes());
  c.stop_after_blocks = l1.sim().chain().size();
  Logger log(out, LogLevel::kInfo, false);
  auto n = Node::open(c, log, &l1.sim(), nullptr);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  ASSERT_TRUE((*n)->settles());
  std::atomic<bool> stop{false};
  ASSERT_TRUE((*n)->run(stop).ok());
  EXPECT_NE(out.str().find("settlement waits: L1's tip is more than F = 20 blue score ahead"),
            std::string::npos)
      << out.str();
}

// Following a kaspad (a served simulator that names itself otherwise): a keyless observer. It
// proves every batch locally with no key and no covenant, and submits nothing.
TEST(Node, AKeylessObserverOfAKaspadProvesLocallyAndSettlesNothing) {
  std::ostringstream out;
  TempDir dir;
  OutsideL1 l1;
  l1.first_part();
  std::mutex mu;
  auto server = l1::protowire::RpcServer::start("127.0.0.1:0", [&](const auto& r, auto& answer) {
    std::lock_guard lock(mu);
    l1::sim::answer(l1.sim(), l1.sim(), l1::sim::ServeOptions{kaspa::Network::kDevnet}, r, answer);
    if (answer.has_getserverinforesponse())
      answer.mutable_getserverinforesponse()->set_serverversion("kaspad-1.1.0");
  });
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  Config c = base(dir.path(), "token");
  c.l1_source = "kaspad";
  c.l1_url = "127.0.0.1:" + std::to_string((*server)->port());
  c.l1_network = kaspa::Network::kDevnet;
  c.stop_after_blocks = l1.sim().chain().size();
  Logger log(out, LogLevel::kWarn, false);
  auto n = Node::open(c, log);
  ASSERT_TRUE(n.ok()) << n.error().to_string();
  EXPECT_TRUE((*n)->observer());
  EXPECT_FALSE((*n)->settles());
  std::atomic<bool> stop{false};
  const core::Status st = (*n)->run(stop);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  const NodeStatus s = (*n)->status();
  EXPECT_EQ(s.committed, l1.sim().chain().size());
  EXPECT_EQ(s.proven, s.committed);
  EXPECT_GT(s.tx_ok, 0u);
  EXPECT_FALSE((*n)->covenant_id().has_value());
  std::lock_guard lock(mu);
  EXPECT_EQ(*l1.sim().mempool_size(), 0u);
}

}  // namespace
}  // namespace basalt::node
