#include "client/sync.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "client/api_client.hpp"
#include "client/snapshot.hpp"
#include "core/files.hpp"

namespace basalt::client {

using core::Error;
using core::ErrorCode;

namespace {

struct Offer {
  std::string url;
  std::vector<std::uint64_t> batches;
};

// A manifest the L1 check accepted and the mirrors that offer exactly it.
struct Chosen {
  da::SnapshotManifest manifest;
  core::Bytes bytes;
  std::vector<std::string> servers;
};

std::string chunk_path(std::uint64_t i) {
  return "chunk-" + std::to_string(i);
}

class Sync {
 public:
  explicit Sync(const SnapshotSyncOptions& o) : o_(o) {}
  core::Result<SyncedSnapshot> run();

 private:
  // Under m_ once chunks are fetched side by side.
  void name_liar(const std::string& url, const std::string& why) {
    if (std::find(liars_.begin(), liars_.end(), url) == liars_.end()) liars_.push_back(url);
    o_.warn("mirror " + url + " is skipped: " + why);
  }
  bool liar(const std::string& url) const {
    return std::find(liars_.begin(), liars_.end(), url) != liars_.end();
  }
  core::Result<std::optional<Chosen>> choose(const std::vector<Offer>& offers);
  core::Result<std::optional<Chosen>> choose_at(const std::vector<Offer>& offers,
                                                std::uint64_t batch);
  // Takes every chunk not in the cache from the servers, side by side.
  void fetch_missing(const Chosen& c, da::SnapshotRebuild& rebuild,
                     const std::filesystem::path& dir);
  core::Result<da::SnapshotState> fetch(const Chosen& c);

  const SnapshotSyncOptions& o_;
  std::mutex m_;
  std::vector<std::string> liars_;
};

core::Result<std::optional<Chosen>> Sync::choose_at(const std::vector<Offer>& offers,
                                                    std::uint64_t batch) {
  // The manifests offered for the batch, by their bytes, in the order of the mirrors.
  std::vector<Chosen> groups;
  for (const Offer& offer : offers) {
    if (liar(offer.url) ||
        std::find(offer.batches.begin(), offer.batches.end(), batch) == offer.batches.end())
      continue;
    const ApiClient api(offer.url);
    auto bytes = api.get_bytes("/v1/da/snapshots/" + std::to_string(batch) + "/manifest");
    if (!bytes.ok()) {
      o_.warn("mirror " + offer.url + ": " + bytes.error().to_string());
      continue;
    }
    auto m = da::decode_manifest(*bytes);
    if (!m.ok() || m->batch != batch) {
      name_liar(offer.url, "its manifest of batch " + std::to_string(batch) + " is not one (" +
                               (m.ok() ? "another batch" : m.error().to_string()) + ")");
      continue;
    }
    auto same = std::find_if(groups.begin(), groups.end(),
                             [&](const Chosen& g) { return g.bytes == *bytes; });
    if (same == groups.end()) same = groups.insert(groups.end(), Chosen{*m, *bytes, {}});
    same->servers.push_back(offer.url);
  }
  std::optional<Chosen> chosen;
  for (const Chosen& g : groups) {
    if (chosen) break;
    BASALT_ASSIGN_OR_RETURN(const bool held, o_.on_l1(g.manifest.state_root, g.manifest.lane_tip));
    if (held) chosen = g;
  }
  if (!chosen) return chosen;  // a snapshot of a state the covenant has moved on from
  // A batch has one state: another root or lane tip for it is a lie.
  for (const Chosen& g : groups) {
    if (g.manifest.state_root == chosen->manifest.state_root &&
        g.manifest.lane_tip == chosen->manifest.lane_tip)
      continue;
    for (const std::string& url : g.servers)
      name_liar(url, "its snapshot of batch " + std::to_string(batch) + " has state root " +
                         g.manifest.state_root.hex() + ", not the one L1's covenant holds");
  }
  return chosen;
}

core::Result<std::optional<Chosen>> Sync::choose(const std::vector<Offer>& offers) {
  std::set<std::uint64_t, std::greater<>> batches;
  for (const Offer& offer : offers) {
    if (!liar(offer.url)) batches.insert(offer.batches.begin(), offer.batches.end());
  }
  for (std::uint64_t batch : batches) {
    BASALT_ASSIGN_OR_RETURN(std::optional<Chosen> c, choose_at(offers, batch));
    if (c) return c;
  }
  return std::optional<Chosen>();
}

void Sync::fetch_missing(const Chosen& c, da::SnapshotRebuild& rebuild,
                         const std::filesystem::path& dir) {
  std::deque<std::size_t> missing;
  for (std::size_t i = 0; i < rebuild.chunks(); ++i)
    if (!rebuild.has(i)) missing.push_back(i);
  const std::string base = "/v1/da/snapshots/" + std::to_string(c.manifest.batch) + "/chunks/";
  const auto serve = [&](const std::string& url) {
    const ApiClient api(url);
    for (;;) {
      std::size_t i;
      {
        std::lock_guard lk(m_);
        if (missing.empty() || liar(url)) return;
        i = missing.front();
        missing.pop_front();
      }
      auto bytes = api.get_bytes(base + std::to_string(i));
      std::lock_guard lk(m_);
      if (!bytes.ok()) {
        missing.push_back(i);
        o_.warn("mirror " + url + " gives no more chunks: " + bytes.error().to_string());
        return;
      }
      if (const core::Status st = rebuild.add(i, *bytes); !st.ok()) {
        missing.push_back(i);
        name_liar(url, "its chunk " + std::to_string(i) + " of batch " +
                           std::to_string(c.manifest.batch) + ": " + st.error().to_string());
        return;
      }
      if (auto kept = core::write_file(dir / chunk_path(i), *bytes); !kept.ok())
        o_.warn("chunk " + std::to_string(i) + " is not kept: " + kept.error().to_string());
      o_.progress(rebuild.chunks() - rebuild.missing(), rebuild.chunks());
    }
  };
  std::vector<std::thread> threads;
  for (const std::string& url : c.servers) threads.emplace_back(serve, url);
  for (std::thread& t : threads) t.join();
}

core::Result<da::SnapshotState> Sync::fetch(const Chosen& c) {
  const std::filesystem::path dir = o_.cache / std::to_string(c.manifest.batch);
  std::error_code ec;
  // Chunks kept from another manifest of the batch are of no use.
  auto kept = core::read_file((dir / "manifest").string(), c.bytes.size() + 1);
  if (!kept.ok() || *kept != c.bytes) std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + dir.string() + ": " + ec.message()};
  BASALT_TRY(core::write_file(dir / "manifest", c.bytes));
  da::SnapshotRebuild rebuild(c.manifest);
  for (std::size_t i = 0; i < rebuild.chunks(); ++i) {
    auto bytes = core::read_file((dir / chunk_path(i)).string(), 1u << 30);
    if (bytes.ok() && !rebuild.add(i, *bytes).ok())
      std::filesystem::remove(dir / chunk_path(i), ec);
  }
  o_.progress(rebuild.chunks() - rebuild.missing(), rebuild.chunks());
  fetch_missing(c, rebuild, dir);
  if (rebuild.missing() > 0)
    return Error{ErrorCode::kUnavailable,
                 std::to_string(rebuild.missing()) + " of " + std::to_string(rebuild.chunks()) +
                     " chunks of the snapshot of batch " + std::to_string(c.manifest.batch) +
                     " could not be had from any mirror; the " +
                     std::to_string(rebuild.chunks() - rebuild.missing()) +
                     " verified are kept for the next try"};
  auto state = rebuild.finish();
  if (!state.ok()) {
    // Every chunk matched the manifest: the manifest itself does not make the state it names.
    std::filesystem::remove_all(dir, ec);
    return Error{ErrorCode::kVerifyFailed, state.error().context()};
  }
  return state;
}

core::Result<SyncedSnapshot> Sync::run() {
  std::vector<Offer> offers;
  for (const std::string& url : o_.mirrors) {
    auto batches = snapshot_batches(ApiClient(url));
    if (!batches.ok()) {
      o_.warn("mirror " + url + ": " + batches.error().to_string());
      continue;
    }
    offers.push_back({url, std::move(*batches)});
  }
  for (;;) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<Chosen> chosen, choose(offers));
    if (!chosen)
      return Error{ErrorCode::kNotFound,
                   "no mirror offers a snapshot of the state L1's covenant holds"};
    auto state = fetch(*chosen);
    if (state.ok()) return SyncedSnapshot{chosen->manifest, std::move(*state), liars_};
    if (state.error().code() != ErrorCode::kVerifyFailed) return state.error();
    for (const std::string& url : chosen->servers)
      name_liar(url, "its snapshot of batch " + std::to_string(chosen->manifest.batch) + ": " +
                         state.error().context());
  }
}

}  // namespace

core::Result<SyncedSnapshot> sync_snapshot(const SnapshotSyncOptions& options) {
  return Sync(options).run();
}

}  // namespace basalt::client
