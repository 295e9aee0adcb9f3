// The executor with the real guests: counter and token semantics, every failure reason (malformed
// payloads, ABI breaches by a hostile guest, app refusals), identical roots for 1, 2 and 4 threads,
// and rollback followed by re-execution.
#include "exec/executor.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include <chrono>
#include <thread>

#include "exec_util.hpp"

namespace basalt::exec {
namespace {

using namespace test_util;
using core::Bytes;

Bytes counter_payload(std::vector<std::pair<std::uint32_t, Access>> res, std::uint64_t tag) {
  std::vector<AccessEntry> acc;
  for (auto [i, a] : res) acc.push_back({users::counter_resource(i), a});
  std::sort(acc.begin(), acc.end(),
            [](const AccessEntry& x, const AccessEntry& y) { return x.id < y.id; });
  Bytes data(8);
  for (int k = 0; k < 8; ++k)
    data[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(tag >> (8 * k));
  return encode_payload(acc, data);
}

std::uint32_t counter_value(const state::StateStore& s, std::uint32_t i) {
  auto v = s.get(users::counter_resource(i));
  if (!v.ok() || v->size() != 4) return 0;
  return static_cast<std::uint32_t>((*v)[0]) | static_cast<std::uint32_t>((*v)[1]) << 8 |
         static_cast<std::uint32_t>((*v)[2]) << 16 | static_cast<std::uint32_t>((*v)[3]) << 24;
}

TEST(Executor, CounterIncrementsEveryDeclaredResource) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  Executor ex(*store, app("counter"), 2);
  auto r = ex.execute(block(
      1, {counter_payload({{1, Access::kWrite}, {2, Access::kWrite}}, 1),
          counter_payload({{2, Access::kWrite}}, 2), counter_payload({{3, Access::kRead}}, 3)}));
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->id.value, 1u);
  ASSERT_EQ(r->txs.size(), 3u);
  EXPECT_TRUE(r->txs[0].ok);
  EXPECT_TRUE(r->txs[1].ok);
  EXPECT_FALSE(r->txs[2].ok);
  EXPECT_EQ(ex.reason_label(r->txs[2]), "write_to_read_only");
  EXPECT_EQ(counter_value(*store, 1), 1u);
  EXPECT_EQ(counter_value(*store, 2), 2u);
  EXPECT_EQ(counter_value(*store, 3), 0u);
  EXPECT_EQ(r->root, store->root());
  // An empty block is still a batch.
  auto e = ex.execute(block(2, {}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->id.value, 2u);
  EXPECT_EQ(e->root, r->root);
  auto meta = ex.batch_meta({1});
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->txs, 3u);
  EXPECT_EQ(meta->failed, 1u);
}

TEST(Executor, MalformedPayloadsFailWithTheirReasonAndTheBatchGoesOn) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  Executor ex(*store, app("counter"), 1);
  const ResourceId a = std::min(users::counter_resource(0), users::counter_resource(1));
  const ResourceId b = std::max(users::counter_resource(0), users::counter_resource(1));
  Bytes truncated =
      encode_payload(std::vector<AccessEntry>{{a, Access::kWrite}, {b, Access::kWrite}}, {});
  truncated.resize(3 + 33 + 5);
  const Bytes unsorted =
      encode_payload(std::vector<AccessEntry>{{b, Access::kWrite}, {a, Access::kWrite}}, {});
  const Bytes duplicate =
      encode_payload(std::vector<AccessEntry>{{a, Access::kWrite}, {a, Access::kWrite}}, {});
  Bytes write_not_read = encode_payload(std::vector<AccessEntry>{{a, Access::kWrite}}, {});
  write_not_read[3 + 32] = 2;
  Bytes oversized = encode_payload(std::vector<AccessEntry>{{a, Access::kWrite}}, {});
  oversized.resize(kMaxPayloadBytes + 1);
  const Bytes bad_version = {7, 0, 0};
  auto r = ex.execute(block(1, {truncated, unsorted, duplicate, write_not_read, oversized,
                                bad_version, counter_payload({{5, Access::kWrite}}, 9)}));
  ASSERT_TRUE(r.ok());
  const char* expected[] = {"malformed_payload", "malformed_payload", "malformed_payload",
                            "malformed_payload", "oversized_data",    "malformed_payload"};
  const char* detail[] = {"truncated",  "not ascending", "duplicate",
                          "not a read", "max",           "version"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_FALSE(r->txs[static_cast<std::size_t>(i)].ok);
    EXPECT_EQ(ex.reason_label(r->txs[static_cast<std::size_t>(i)]), expected[i]) << i;
    EXPECT_NE(r->txs[static_cast<std::size_t>(i)].detail.find(detail[i]), std::string::npos)
        << r->txs[static_cast<std::size_t>(i)].detail;
  }
  EXPECT_TRUE(r->txs[6].ok);
  EXPECT_EQ(counter_value(*store, 5), 1u);
  // A v0 transaction on the lane is not executed.
  BlockInput v0 = block(2, {counter_payload({{5, Access::kWrite}}, 10)});
  v0.txs[0].tx.version = 0;
  auto r2 = ex.execute(v0);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(ex.reason_label(r2->txs[0]), "unsupported_version");
}

TEST(Executor, AHostileGuestCannotBreakTheAbi) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  App evil = app("guest/test_evil_tx.elf");
  evil.limits.max_cycles = 2'000'000;
  Executor ex(*store, std::move(evil), 2);
  auto payload = [](std::uint8_t mode, Access access, std::uint32_t res) {
    return encode_payload(std::vector<AccessEntry>{{users::counter_resource(res), access}},
                          Bytes{mode, static_cast<std::uint8_t>(res)});
  };
  auto r = ex.execute(block(1, {payload(1, Access::kRead, 1), payload(2, Access::kWrite, 2),
                                payload(3, Access::kWrite, 3), payload(4, Access::kWrite, 4),
                                payload(5, Access::kWrite, 5), payload(0, Access::kWrite, 6)}));
  ASSERT_TRUE(r.ok());
  const char* expected[] = {"write_to_read_only", "malformed_output", "guest_fault", "guest_exit",
                            "oversized_data"};
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(r->txs[static_cast<std::size_t>(i)].ok) << i;
    EXPECT_EQ(ex.reason_label(r->txs[static_cast<std::size_t>(i)]), expected[i]) << i;
  }
  EXPECT_EQ(r->txs[2].detail, "OutOfCycles") << r->txs[2].detail;
  EXPECT_TRUE(r->txs[5].ok);
  for (std::uint32_t res = 1; res <= 5; ++res)
    EXPECT_TRUE(store->get(users::counter_resource(res))->empty());
  EXPECT_EQ(store->get(users::counter_resource(6))->size(), 4u);
}

TEST(Executor, TokenOperationsAndEveryRefusal) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  Executor ex(*store, app("token"), 2);
  const auto authority = users::token_demo_authority();
  const auto alice = *crypto::SecretKey::from_bytes(core::Hash32::filled(0x0a).bytes);
  const auto bob = *crypto::SecretKey::from_bytes(core::Hash32::filled(0x0b).bytes);
  const auto carol = *crypto::SecretKey::from_bytes(core::Hash32::filled(0x0c).bytes);
  const ResourceId ida = users::token_account_id(alice.public_key());
  const ResourceId idb = users::token_account_id(bob.public_key());
  const ResourceId idc = users::token_account_id(carol.public_key());
  auto w = [](ResourceId x) { return AccessEntry{x, Access::kWrite}; };
  auto pair = [&](ResourceId x, ResourceId y) {
    std::vector<AccessEntry> v{w(x), w(y)};
    std::sort(v.begin(), v.end(),
              [](const AccessEntry& p, const AccessEntry& q) { return p.id < q.id; });
    return v;
  };
  const std::vector<AccessEntry> just_a{w(ida)};
  Bytes forged = users::token_transfer(alice, bob.public_key(), 1, 2);
  forged.back() ^= 1;
  const Exit to_bob{ExitKind::kSchnorrP2pk, core::Hash32{bob.public_key().x}, 20};
  auto r = ex.execute(block(
      1,
      {
          encode_payload(just_a, users::token_mint(authority, alice.public_key(), 100, 0)),  // ok
          encode_payload(pair(ida, idb),
                         users::token_transfer(alice, bob.public_key(), 30, 1)),  // ok
          encode_payload(pair(ida, idb),
                         users::token_transfer(alice, bob.public_key(), 30, 1)),  // replay
          encode_payload(pair(ida, idb),
                         users::token_transfer(alice, bob.public_key(), 500, 2)),  // overdraft
          encode_payload(pair(ida, idb), forged),                                  // bad sig
          encode_payload(pair(idc, idb),
                         users::token_transfer(carol, bob.public_key(), 1, 0)),  // unknown
          encode_payload(just_a, Bytes{2, 1, 2, 3}),                             // malformed
          encode_payload(just_a,
                         users::token_transfer(alice, bob.public_key(), 1, 2)),  // undeclared
          encode_payload(pair(ida, idb),
                         users::token_transfer(alice, bob.public_key(), 5, 9)),  // nonce gap
          encode_payload(just_a,
                         users::token_mint(alice, alice.public_key(), 100, 2)),  // not authority
          encode_payload(just_a, users::token_withdraw(alice, to_bob, 2)),       // ok: an exit
          encode_payload(just_a,
                         users::token_withdraw(alice, Exit{to_bob.kind, to_bob.key, 51}, 3)),
          encode_payload(just_a, users::token_withdraw(
                                     alice, Exit{static_cast<ExitKind>(9), to_bob.key, 1}, 3)),
      }));
  ASSERT_TRUE(r.ok());
  const char* expected[] = {"",
                            "",
                            "app:replayed_nonce",
                            "app:overdraft",
                            "app:bad_signature",
                            "app:unknown_account",
                            "app:malformed_data",
                            "app:access_mismatch",
                            "app:nonce_gap",
                            "app:bad_signature",
                            "",
                            "app:overdraft",
                            "bad_exit"};
  ASSERT_EQ(r->txs.size(), std::size(expected));
  for (std::size_t i = 0; i < r->txs.size(); ++i) {
    if (expected[i][0] == 0) {
      EXPECT_TRUE(r->txs[i].ok) << i << " " << ex.reason_label(r->txs[i]) << " "
                                << r->txs[i].detail;
    } else {
      EXPECT_FALSE(r->txs[i].ok) << i;
      EXPECT_EQ(ex.reason_label(r->txs[i]), expected[i]) << i;
    }
  }
  auto account = [&](const ResourceId& id) {
    const Bytes d = *store->get(id);
    EXPECT_EQ(d.size(), 16u);
    std::uint64_t bal = 0, nonce = 0;
    for (int k = 7; k >= 0; --k) bal = bal << 8 | d[static_cast<std::size_t>(k)];
    for (int k = 15; k >= 8; --k) nonce = nonce << 8 | d[static_cast<std::size_t>(k)];
    return std::pair{bal, nonce};
  };
  EXPECT_EQ(r->txs[10].exits, std::vector<Exit>{to_bob});
  for (std::size_t i = 0; i < r->txs.size(); ++i) {
    if (i != 10) {
      EXPECT_TRUE(r->txs[i].exits.empty()) << i;
    }
  }
  EXPECT_EQ(account(ida), (std::pair<std::uint64_t, std::uint64_t>{50, 3}));
  EXPECT_EQ(account(idb), (std::pair<std::uint64_t, std::uint64_t>{30, 0}));
  EXPECT_TRUE(store->get(idc)->empty());
}

// Runs `blocks` workload blocks on a fresh store; returns the root after every batch.
std::vector<core::Hash32> run_workload(const std::string& app_name, unsigned threads, int blocks,
                                       const std::string& dir) {
  auto store = open_store(dir);
  Executor ex(*store, app(app_name), threads);
  users::WorkloadParams wp;
  wp.app = app_name;
  wp.seed = 42;
  wp.tx_per_block = 40;
  wp.accounts = 30;
  wp.invalid_permille = 150;
  wp.lane = test_lane();
  users::Workload w(wp);
  std::vector<core::Hash32> roots;
  for (int b = 1; b <= blocks; ++b) {
    BlockInput in = block(static_cast<std::uint64_t>(b), {});
    std::uint32_t m = 1;
    for (auto& tx : w.next_block(static_cast<std::uint64_t>(b))) {
      LaneTx t;
      t.tx = std::move(tx);
      t.id = kaspa::tx_id(t.tx);
      t.merge_idx = m++;
      in.txs.push_back(std::move(t));
    }
    auto r = ex.execute(in);
    EXPECT_TRUE(r.ok());
    roots.push_back(r->root);
  }
  return roots;
}

TEST(Executor, SameRootsOnOneTwoAndFourThreads) {
  for (const char* name : {"counter", "token"}) {
    test::TempDir d1, d2, d4;
    const auto r1 = run_workload(name, 1, 6, d1.path());
    EXPECT_EQ(run_workload(name, 2, 6, d2.path()), r1) << name;
    EXPECT_EQ(run_workload(name, 4, 6, d4.path()), r1) << name;
    EXPECT_NE(r1.front(), r1.back());
  }
}

TEST(Executor, RollbackThenReexecutionReachesTheSameRoots) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  Executor ex(*store, app("counter"), 2);
  std::vector<BlockInput> blocks;
  std::vector<core::Hash32> roots;
  for (std::uint32_t b = 1; b <= 6; ++b) {
    blocks.push_back(block(b, {counter_payload({{b % 3, Access::kWrite}, {7, Access::kWrite}}, b),
                               counter_payload({{b % 2 + 10, Access::kWrite}}, b + 100)}));
    roots.push_back(ex.execute(blocks.back())->root);
  }
  ASSERT_TRUE(ex.rollback_to({2}).ok());
  EXPECT_EQ(store->root(), roots[1]);
  EXPECT_EQ(counter_value(*store, 7), 2u);
  for (std::size_t b = 2; b < 6; ++b) EXPECT_EQ(ex.execute(blocks[b])->root, roots[b]);
}

}  // namespace
}  // namespace basalt::exec

namespace basalt::exec {
namespace {

using namespace test_util;

TEST(Executor, RollbackCancelsQueuedCommits) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  Executor ex(*store, app("counter"), 2);
  std::vector<BlockInput> blocks;
  for (std::uint32_t b = 1; b <= 6; ++b) {
    blocks.push_back(
        block(b, {counter_payload({{b % 2, Access::kWrite}, {9, Access::kWrite}}, b)}));
  }
  auto first = ex.execute(blocks[0]);
  ASSERT_TRUE(first.ok());
  // Queue five more without waiting; block 4 reads what the still-queued blocks 2 and 3 wrote.
  for (std::size_t b = 1; b < 6; ++b) ASSERT_TRUE(ex.submit(blocks[b]).ok());
  EXPECT_EQ(ex.executed_tip().value, 6u);
  ASSERT_TRUE(ex.rollback_to({1}).ok());
  EXPECT_EQ(ex.executed_tip().value, 1u);
  ASSERT_TRUE(ex.flush().ok());
  EXPECT_EQ(store->tip().value, 1u);
  EXPECT_EQ(store->root(), first->root);
  EXPECT_EQ(counter_value(*store, 9), 1u);
  EXPECT_EQ(ex.wait_committed({4}).error().code(), core::ErrorCode::kNotFound);
  // Executing the same blocks again, one by one, ends where queueing them would have.
  for (std::size_t b = 1; b < 6; ++b) ASSERT_TRUE(ex.execute(blocks[b]).ok());
  EXPECT_EQ(counter_value(*store, 9), 6u);
  EXPECT_EQ(counter_value(*store, 0), 3u);
}

TEST(Executor, CancelStopsTheBatchInProgressAndCommitsNothing) {
  test::TempDir dir;
  auto store = open_store(dir.path());
  App looping = app("guest/test_evil_tx.elf");
  looping.limits.max_cycles = 30'000'000;
  Executor ex(*store, std::move(looping), 1);
  std::vector<core::Bytes> payloads;
  for (std::uint32_t i = 0; i < 16; ++i) {
    payloads.push_back(
        encode_payload(std::vector<AccessEntry>{{users::counter_resource(i), Access::kWrite}},
                       core::Bytes{3, static_cast<std::uint8_t>(i)}));
  }
  // A cancel that lands before submit() starts is cleared by it: cancel until the batch stops.
  std::atomic<bool> returned{false};
  std::thread canceller([&] {
    while (!returned.load()) {
      ex.cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  auto r = ex.submit(block(1, payloads));
  returned.store(true);
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_EQ(ex.executed_tip().value, 0u);
  ASSERT_TRUE(ex.flush().ok());
  EXPECT_EQ(store->tip().value, 0u);
  // The next batch runs normally.
  auto next = ex.execute(block(
      1, {encode_payload(std::vector<AccessEntry>{{users::counter_resource(1), Access::kWrite}},
                         core::Bytes{0})}));
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->txs[0].ok);
}

}  // namespace
}  // namespace basalt::exec
