// Snapshot sync from several mirrors over loopback HTTP: real snapshot files served by small
// mirrors, some of them lying. Whatever they send, the sync ends with the state L1's covenant holds
// or says why not, names every liar, and keeps what it verified for the next try.
#include "client/sync.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/server.hpp"
#include "test_util.hpp"

namespace basalt::client {
namespace {

using core::Bytes;
using core::ErrorCode;

// A snapshot of batch 2 of a store holding `n` resources whose values depend on `salt`.
da::SnapshotManifest make_snapshot(const std::string& dir, int n, std::uint8_t salt) {
  state::StoreOptions o;
  o.sync = false;
  auto store = state::StateStore::open(dir + "/state", o);
  EXPECT_TRUE(store.ok());
  std::vector<state::ResourceWrite> w;
  for (int i = 0; i < n; ++i) {
    core::Hash32 id;
    id.bytes[0] = static_cast<std::uint8_t>(i);
    id.bytes[1] = static_cast<std::uint8_t>(i >> 8);
    w.push_back({state::ResourceId(id), Bytes{static_cast<std::uint8_t>(i), salt}});
  }
  EXPECT_TRUE((*store)->commit({1}, w, {}).ok());
  EXPECT_TRUE((*store)->commit({2}, {}, {}).ok());
  auto view = (*store)->view({2});
  EXPECT_TRUE(view.ok());
  auto m = da::SnapshotStore(dir + "/snapshots")
               .write(**view, {}, kaspa::LaneTip(core::Hash32::filled(salt)), {}, 32);
  EXPECT_TRUE(m.ok());
  return *m;
}

// Serves a snapshot directory the way a node does; `bad_chunk` >= 0 flips a byte of that chunk,
// kEveryChunk of every one; each chunk answer waits `delay` first.
constexpr int kEveryChunk = -2;
class Mirror {
 public:
  explicit Mirror(std::string dir, int bad_chunk = -1,
                  std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : store_(dir + "/snapshots"), bad_chunk_(bad_chunk), delay_(delay) {
    http::Routes r;
    r.get("/v1/da/snapshots", [this](const http::Request&, http::Response& res) {
      nlohmann::json list = nlohmann::json::array();
      for (std::uint64_t b : store_.batches()) list.push_back({{"batch", b}});
      res.content_type = "application/json";
      res.body = nlohmann::json{{"snapshots", list}}.dump();
    });
    r.get(R"(/v1/da/snapshots/([0-9]+)/manifest)",
          [this](const http::Request& q, http::Response& res) {
            send(res, store_.manifest_bytes(std::stoull(q.matches[1])));
          });
    r.get(R"(/v1/da/snapshots/([0-9]+)/chunks/([0-9]+))",
          [this](const http::Request& q, http::Response& res) {
            ++chunk_requests;
            std::this_thread::sleep_for(delay_);
            const std::size_t i = std::stoull(q.matches[2]);
            auto bytes = store_.chunk_bytes(std::stoull(q.matches[1]), i);
            if (bytes.ok() && (static_cast<int>(i) == bad_chunk_ || bad_chunk_ == kEveryChunk))
              (*bytes)[20] ^= 1;
            send(res, bytes);
          });
    http::Hooks h;
    h.error = [](http::Response& res, int status, const std::string& m) {
      res.status = status;
      res.body = m;
    };
    auto started = http::Server::start("127.0.0.1", 0, {}, std::move(r), std::move(h));
    EXPECT_TRUE(started.ok());
    server_ = std::move(*started);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::atomic<int> chunk_requests{0};

 private:
  static void send(http::Response& res, const core::Result<Bytes>& bytes) {
    res.status = bytes.ok() ? 200 : 404;
    res.content_type = "application/octet-stream";
    res.body = bytes.ok() ? std::string(bytes->begin(), bytes->end()) : "not here";
  }
  da::SnapshotStore store_;
  int bad_chunk_;
  std::chrono::milliseconds delay_;
  std::unique_ptr<http::Server> server_;
};

struct SyncRun {
  std::vector<std::string> warnings;
  core::Result<SyncedSnapshot> result = core::Error{ErrorCode::kInvalid, "not run"};
};

SyncRun sync(const std::vector<std::string>& mirrors, const std::string& cache,
             const core::Hash32& l1_root) {
  SyncRun run;
  SnapshotSyncOptions o;
  o.mirrors = mirrors;
  o.cache = cache;
  o.on_l1 = [l1_root](const core::Hash32& root, const kaspa::LaneTip&) -> core::Result<bool> {
    return root == l1_root;
  };
  o.warn = [&run](const std::string& w) { run.warnings.push_back(w); };
  run.result = sync_snapshot(o);
  return run;
}

bool named(const SyncRun& run, const std::string& url, const std::string& why) {
  for (const std::string& w : run.warnings)
    if (w.find(url) != std::string::npos && w.find(why) != std::string::npos) return true;
  return false;
}

TEST(SnapshotSync, LiarsAreNamedAndSkippedAndTheStateL1HoldsIsRebuilt) {
  test::TempDir honest_dir, other_dir;
  const da::SnapshotManifest honest = make_snapshot(honest_dir.path(), 300, 1);
  make_snapshot(other_dir.path(), 300, 2);  // the same batch with other values
  // The honest mirror answers slowly, so that the liar surely serves some chunk side by side.
  Mirror a(honest_dir.path(), -1, std::chrono::milliseconds(20));
  Mirror bad_chunk(honest_dir.path(), kEveryChunk), wrong_root(other_dir.path());
  test::TempDir cache;
  const SyncRun run =
      sync({bad_chunk.url(), wrong_root.url(), a.url()}, cache.path(), honest.state_root);
  ASSERT_TRUE(run.result.ok()) << run.result.error().to_string();
  EXPECT_EQ(run.result->manifest.state_root, honest.state_root);
  EXPECT_EQ(run.result->state.tree.root(), honest.state_root);
  EXPECT_EQ(run.result->state.resources.size(), 300u);
  EXPECT_TRUE(named(run, bad_chunk.url(), "is not the one the manifest lists"));
  EXPECT_EQ(bad_chunk.chunk_requests, 1);
  EXPECT_TRUE(named(run, wrong_root.url(), "not the one L1's covenant holds"));
  EXPECT_EQ(run.result->liars.size(), 2u);
  EXPECT_EQ(wrong_root.chunk_requests, 0);

  // Resumable: what a sync verified stays; only what is missing is asked for again.
  std::filesystem::remove(std::filesystem::path(cache.path()) / "2" / "chunk-4");
  std::filesystem::remove(std::filesystem::path(cache.path()) / "2" / "chunk-7");
  Mirror again(honest_dir.path());
  const SyncRun resumed = sync({again.url()}, cache.path(), honest.state_root);
  ASSERT_TRUE(resumed.result.ok()) << resumed.result.error().to_string();
  EXPECT_EQ(again.chunk_requests, 2);
  EXPECT_EQ(resumed.result->state.tree.root(), honest.state_root);
}

TEST(SnapshotSync, WithOnlyLiarsItStopsKeepingWhatItVerified) {
  test::TempDir honest_dir;
  const da::SnapshotManifest honest = make_snapshot(honest_dir.path(), 300, 1);
  Mirror liar(honest_dir.path(), 5);
  test::TempDir cache;
  const SyncRun run = sync({liar.url()}, cache.path(), honest.state_root);
  ASSERT_FALSE(run.result.ok());
  EXPECT_EQ(run.result.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(run.result.error().context().find("kept for the next try"), std::string::npos);
  EXPECT_TRUE(named(run, liar.url(), "its chunk 5"));
  // Chunks 0-4 came before the lie and were verified: an honest mirror is asked for the rest only.
  Mirror honest_mirror(honest_dir.path());
  const SyncRun rest = sync({honest_mirror.url()}, cache.path(), honest.state_root);
  ASSERT_TRUE(rest.result.ok()) << rest.result.error().to_string();
  EXPECT_EQ(honest_mirror.chunk_requests, static_cast<int>(honest.chunk_hashes.size()) - 5);
}

// A mirror may make up a manifest whose chunk hashes are those of other chunks and whose root is
// the one L1 holds: every chunk checks out against it, and only the rebuilt root gives it away.
TEST(SnapshotSync, AManifestWhoseChunksMakeAnotherRootIsCaughtAtTheEnd) {
  test::TempDir honest_dir, forged_dir;
  const da::SnapshotManifest honest = make_snapshot(honest_dir.path(), 300, 1);
  da::SnapshotManifest forged = make_snapshot(forged_dir.path(), 300, 2);
  forged.state_root = honest.state_root;
  forged.lane_tip = honest.lane_tip;
  {
    std::ofstream f(forged_dir.path() + "/snapshots/2/manifest",
                    std::ios::binary | std::ios::trunc);
    const Bytes b = da::encode_manifest(forged);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  Mirror forger(forged_dir.path()), a(honest_dir.path());
  test::TempDir cache;
  const SyncRun run = sync({forger.url(), a.url()}, cache.path(), honest.state_root);
  ASSERT_TRUE(run.result.ok()) << run.result.error().to_string();
  EXPECT_EQ(run.result->state.tree.root(), honest.state_root);
  EXPECT_TRUE(named(run, forger.url(), "the chunks make state root"));
  // Nobody offering the state L1 holds is a clear "not found".
  const SyncRun none = sync({a.url()}, cache.path(), core::Hash32::filled(9));
  EXPECT_EQ(none.result.error().code(), ErrorCode::kNotFound);
  const SyncRun unreachable = sync({"http://127.0.0.1:1"}, cache.path(), honest.state_root);
  EXPECT_EQ(unreachable.result.error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(named(unreachable, "http://127.0.0.1:1", ""));
}

}  // namespace
}  // namespace basalt::client
