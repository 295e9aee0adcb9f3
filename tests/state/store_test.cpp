// The RocksDB state store: commits are visible after reopening, a rollback to any batch in the
// window restores exactly that batch's data and root, and what cannot be done is refused.
#include "state/store.hpp"

#include <gtest/gtest.h>

#include <map>

#include "test_util.hpp"

namespace basalt::state {
namespace {

using core::Bytes;

StoreOptions small_window(std::uint64_t w) {
  StoreOptions o;
  o.sync = false;
  o.rollback_window = w;
  return o;
}

TEST(StateStore, CommitsSurviveReopen) {
  test::TempDir dir;
  const ResourceId a(core::Hash32::filled(1)), b(core::Hash32::filled(2));
  core::Hash32 root;
  {
    auto s = StateStore::open(dir.path(), small_window(8));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    auto& st = **s;
    EXPECT_EQ(st.tip().value, 0u);
    auto r = st.commit({1}, std::vector<ResourceWrite>{{a, {1, 2}}, {b, {3}}}, Bytes{9});
    ASSERT_TRUE(r.ok());
    root = *r;
    EXPECT_EQ(*st.get(a), (Bytes{1, 2}));
    EXPECT_EQ(st.commit({3}, {}, {}).error().code(), core::ErrorCode::kInvalid);
    EXPECT_EQ(st.commit({2}, std::vector<ResourceWrite>{{a, {}}, {a, {1}}}, {}).error().code(),
              core::ErrorCode::kInvalid);
  }
  auto s = StateStore::open(dir.path(), small_window(8));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->tip().value, 1u);
  EXPECT_EQ((*s)->root(), root);
  EXPECT_EQ((*(*s)->batch({1})).meta, Bytes{9});
  EXPECT_EQ(*(*s)->get(b), Bytes{3});
  ASSERT_TRUE((*s)->bind("app", Bytes{1, 2, 3}).ok());
  EXPECT_TRUE((*s)->bind("app", Bytes{1, 2, 3}).ok());
  EXPECT_EQ((*s)->bind("app", Bytes{4}).error().code(), core::ErrorCode::kInvalid);
}

TEST(StateStore, SnapshotAndRollbackRestoreEveryBatchInTheWindow) {
  test::Rng rng(4);
  test::TempDir dir;
  auto opened = StateStore::open(dir.path(), small_window(6));
  ASSERT_TRUE(opened.ok());
  std::unique_ptr<StateStore> store = std::move(*opened);
  auto& st = *store;
  std::vector<ResourceId> ids;
  for (int i = 0; i < 12; ++i) ids.push_back(ResourceId(rng.hash()));
  // Snapshots of the model after each batch.
  std::vector<std::map<ResourceId, Bytes>> snaps(1);
  std::vector<core::Hash32> roots(1);
  auto commit_random = [&](std::uint64_t id) {
    std::map<ResourceId, Bytes> m = snaps.back();
    std::vector<ResourceWrite> w;
    std::vector<ResourceId> pick = ids;
    std::shuffle(pick.begin(), pick.end(), std::mt19937_64(rng.u64()));
    for (int i = 0; i < 4; ++i) {
      Bytes data = rng.below(4) == 0 ? Bytes{} : rng.bytes(1 + rng.below(6));
      w.push_back({pick[static_cast<std::size_t>(i)], data});
      if (data.empty()) {
        m.erase(pick[static_cast<std::size_t>(i)]);
      } else {
        m[pick[static_cast<std::size_t>(i)]] = data;
      }
    }
    auto r = st.commit({id}, w, {});
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    snaps.push_back(m);
    roots.push_back(*r);
  };
  for (std::uint64_t id = 1; id <= 10; ++id) commit_random(id);
  EXPECT_EQ(st.rollback_floor().value, 4u);
  EXPECT_EQ(st.rollback_to({3}).error().code(), core::ErrorCode::kOutOfRange);
  // A snapshot of any batch in the window shows its data and root, and changes nothing.
  for (std::uint64_t at = 4; at <= 10; ++at) {
    auto snap = st.snapshot({at});
    ASSERT_TRUE(snap.ok()) << snap.error().to_string();
    EXPECT_EQ(snap->smt.root(), roots[at]);
    for (const auto& id : ids) {
      auto it = snaps[at].find(id);
      auto changed = snap->changed.find(id);
      const Bytes then = changed != snap->changed.end() ? changed->second : *st.get(id);
      EXPECT_EQ(then, it == snaps[at].end() ? Bytes{} : it->second);
    }
  }
  EXPECT_EQ(st.root(), roots[10]);
  EXPECT_EQ(st.snapshot({3}).error().code(), core::ErrorCode::kOutOfRange);
  EXPECT_EQ(st.snapshot({11}).error().code(), core::ErrorCode::kOutOfRange);
  // Roll back step by step to the floor, checking data and root each time; then again after
  // reopening (the rollback log is on disk).
  for (std::uint64_t target : {9u, 7u, 4u}) {
    ASSERT_TRUE(st.rollback_to({target}).ok());
    snaps.resize(target + 1);
    roots.resize(target + 1);
    EXPECT_EQ(st.root(), roots[target]);
    for (const auto& id : ids) {
      auto it = snaps[target].find(id);
      EXPECT_EQ(*st.get(id), it == snaps[target].end() ? Bytes{} : it->second);
    }
  }
  for (std::uint64_t id = 5; id <= 8; ++id) commit_random(id);
  store.reset();
  auto again = StateStore::open(dir.path(), small_window(6));
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ((*again)->root(), roots[8]);
  ASSERT_TRUE((*again)->rollback_to({5}).ok());
  EXPECT_EQ((*again)->root(), roots[5]);
  EXPECT_EQ((*again)->tip().value, 5u);
  EXPECT_EQ((*again)->batch({6}).error().code(), core::ErrorCode::kNotFound);
}

}  // namespace
}  // namespace basalt::state

namespace basalt::state {
namespace {

TEST(StateStore, StalePreviousDataIsRefusedAndChangesNothing) {
  test::TempDir dir;
  auto s = StateStore::open(dir.path(), small_window(8));
  ASSERT_TRUE(s.ok());
  const ResourceId a(core::Hash32::filled(1));
  ASSERT_TRUE((*s)->commit({1}, std::vector<ResourceWrite>{{a, {1}}}, {}).ok());
  const core::Hash32 root = (*s)->root();
  const std::vector<core::Bytes> stale = {{9}};
  auto r = (*s)->commit({2}, std::vector<ResourceWrite>{{a, {2}}}, {}, stale);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalid);
  EXPECT_EQ((*s)->root(), root);
  EXPECT_EQ((*s)->tip().value, 1u);
  // A stale previous value among good ones, for a resource being created, is refused likewise.
  const ResourceId b(core::Hash32::filled(2));
  const std::vector<core::Bytes> b_stale = {{1}, {5}};
  auto r2 = (*s)->commit({2}, std::vector<ResourceWrite>{{a, {}}, {b, {3}}}, {}, b_stale);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ((*s)->root(), root);
  EXPECT_TRUE((*(*s)->get(b)).empty());
  const std::vector<core::Bytes> right = {{1}};
  ASSERT_TRUE((*s)->commit({2}, std::vector<ResourceWrite>{{a, {2}}}, {}, right).ok());
  ASSERT_TRUE((*s)->rollback_to({1}).ok());
  EXPECT_EQ(*(*s)->get(a), core::Bytes{1});
}

// Commits large enough for the tree to be split across the store's two threads, on the executor's
// path (previous data given) and the read-back path: roots match a tree built from the data, a
// stale value among hundreds is refused with the tree put back, and a reopen reaches the same root.
TEST(StateStore, LargeCommitsOnBothPathsKeepTheRootOfTheirData) {
  test::Rng rng(12);
  test::TempDir dir;
  std::vector<ResourceId> ids;
  for (int i = 0; i < 600; ++i) ids.push_back(ResourceId(rng.hash()));
  std::map<ResourceId, core::Bytes> data;
  const auto expected_root = [&] {
    std::vector<SmtUpdate> leaves;
    for (const auto& [id, d] : data) leaves.push_back({id, value_hash(d)});
    Smt t;
    EXPECT_TRUE(t.build_sorted(leaves).ok());
    return t.root();
  };
  core::Hash32 root;
  {
    auto s = StateStore::open(dir.path(), small_window(8));
    ASSERT_TRUE(s.ok());
    for (std::uint64_t b = 1; b <= 4; ++b) {
      std::vector<ResourceWrite> writes;
      std::vector<core::Bytes> previous;
      for (const auto& id : ids) {
        writes.push_back({id, rng.bytes(1 + rng.below(8))});
        previous.push_back(data[id]);
      }
      const bool with_previous = b % 2 == 0;
      if (with_previous && b == 4) {
        // One stale value among 600: refused, nothing changes.
        auto stale = previous;
        stale[rng.below(stale.size())].push_back(0xEE);
        const core::Hash32 before = (*s)->root();
        auto r = (*s)->commit({b}, writes, {}, stale);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code(), core::ErrorCode::kInvalid);
        EXPECT_EQ((*s)->root(), before);
        EXPECT_EQ((*s)->tip().value, b - 1);
      }
      auto r =
          with_previous ? (*s)->commit({b}, writes, {}, previous) : (*s)->commit({b}, writes, {});
      ASSERT_TRUE(r.ok()) << r.error().to_string();
      for (const auto& w : writes) data[w.id] = w.data;
      ASSERT_EQ(*r, expected_root()) << "batch " << b;
      EXPECT_EQ(*(*s)->get(ids[b]), data[ids[b]]);
    }
    ASSERT_TRUE((*s)->rollback_to({3}).ok());
    root = (*s)->root();
    ASSERT_EQ((*(*s)->batch({3})).root, root);
  }
  auto s = StateStore::open(dir.path(), small_window(8));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ((*s)->root(), root);
}

// A view is the state after its batch however the store goes on: later commits (inserts, changes,
// deletions) and a rollback below it leave what it scans as it was, in id order.
TEST(StateStore, ViewKeepsItsBatchWhileTheStoreGoesOn) {
  test::TempDir dir;
  auto s = StateStore::open(dir.path(), small_window(4));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto& st = **s;
  const auto id = [](std::uint8_t b) { return ResourceId(core::Hash32::filled(b)); };
  ASSERT_TRUE(st.commit({1}, std::vector<ResourceWrite>{{id(5), {5}}, {id(2), {2}}}, {}).ok());
  ASSERT_TRUE(st.commit({2}, std::vector<ResourceWrite>{{id(9), {9}}, {id(2), {22}}}, {}).ok());
  auto view = st.view({2});
  ASSERT_TRUE(view.ok()) << view.error().to_string();
  const core::Hash32 root2 = st.root();
  EXPECT_EQ((*view)->root(), root2);
  ASSERT_TRUE(st.commit({3}, std::vector<ResourceWrite>{{id(2), {}}, {id(7), {7}}}, {}).ok());
  ASSERT_TRUE(st.commit({4}, std::vector<ResourceWrite>{{id(9), {99}}, {id(1), {1}}}, {}).ok());
  ASSERT_TRUE(st.rollback_to({3}).ok());
  ASSERT_TRUE(st.commit({4}, std::vector<ResourceWrite>{{id(5), {55}}}, {}).ok());
  const auto scan = [](const StateStore::View& v) {
    std::vector<std::pair<std::uint8_t, Bytes>> out;
    EXPECT_TRUE(v.scan([&](const ResourceId& r, core::ByteSpan data) {
                   out.emplace_back(r.hash().bytes[0], Bytes(data.begin(), data.end()));
                   return core::Status::Ok();
                 }).ok());
    return out;
  };
  const std::vector<std::pair<std::uint8_t, Bytes>> at2 = {{2, {22}}, {5, {5}}, {9, {9}}};
  EXPECT_EQ(scan(**view), at2);
  // A view of batch 2 taken now (its changes come from the undo log) scans the same.
  auto again = st.view({2});
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(scan(**again), at2);
  EXPECT_EQ((*again)->root(), root2);
  // The scan stops at the first error its callback returns.
  int seen = 0;
  const core::Status stopped = (*again)->scan([&](const ResourceId&, core::ByteSpan) {
    ++seen;
    return core::Status(core::Error{core::ErrorCode::kIo, "stop"});
  });
  EXPECT_EQ(stopped.error().code(), core::ErrorCode::kIo);
  EXPECT_EQ(seen, 1);
  // Outside the window: above the tip, and below the floor once it has moved.
  EXPECT_EQ(st.view({5}).error().code(), core::ErrorCode::kOutOfRange);
  for (std::uint64_t b = 5; b <= 9; ++b) ASSERT_TRUE(st.commit({b}, {}, {}).ok());
  EXPECT_EQ(st.view({2}).error().code(), core::ErrorCode::kOutOfRange);
  EXPECT_EQ(scan(**view), at2);  // the old view still reads its own snapshot
}

// A state taken from elsewhere (a verified snapshot) fills an empty store at its batch: the store
// reopens there, goes on from it, and cannot be rolled back below it; what does not hash to the
// root it names, or a store that is not empty, is refused without a write.
TEST(StateStore, ImportFillsAnEmptyStoreAtItsBatch) {
  test::TempDir source_dir, dir;
  const auto id = [](std::uint8_t b) { return ResourceId(core::Hash32::filled(b)); };
  const std::vector<ResourceWrite> state = {{id(1), {1}}, {id(4), {4, 4}}, {id(9), {9}}};
  core::Hash32 root;
  {
    auto source = StateStore::open(source_dir.path(), small_window(4));
    ASSERT_TRUE(source.ok());
    root = *(*source)->commit({1}, state, {});
  }
  {
    auto s = StateStore::open(dir.path(), small_window(4));
    ASSERT_TRUE(s.ok());
    auto& st = **s;
    const std::vector<ResourceWrite> unordered = {state[1], state[0], state[2]};
    EXPECT_EQ(st.import_at({40}, unordered, root, {}).error().code(), core::ErrorCode::kInvalid);
    EXPECT_EQ(st.import_at({40}, state, core::Hash32::filled(3), {}).error().code(),
              core::ErrorCode::kInvalid);
    EXPECT_EQ(st.import_at({0}, state, root, {}).error().code(), core::ErrorCode::kInvalid);
    EXPECT_EQ(st.tip().value, 0u);
    ASSERT_TRUE(st.import_at({40}, state, root, Bytes{7, 7}).ok());
    EXPECT_EQ(st.import_at({41}, state, root, {}).error().code(), core::ErrorCode::kInvalid);
  }
  auto s = StateStore::open(dir.path(), small_window(4));
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  auto& st = **s;
  EXPECT_EQ(st.tip().value, 40u);
  EXPECT_EQ(st.rollback_floor().value, 40u);
  EXPECT_EQ(st.root(), root);
  EXPECT_EQ(*st.get(id(4)), (Bytes{4, 4}));
  EXPECT_EQ(st.batch({40})->meta, (Bytes{7, 7}));
  ASSERT_TRUE(st.commit({41}, std::vector<ResourceWrite>{{id(4), {}}}, {}).ok());
  EXPECT_EQ(st.rollback_to({39}).error().code(), core::ErrorCode::kOutOfRange);
  ASSERT_TRUE(st.rollback_to({40}).ok());
  EXPECT_EQ(st.root(), root);
}

}  // namespace
}  // namespace basalt::state
