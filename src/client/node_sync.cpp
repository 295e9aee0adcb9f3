#include "client/node_sync.hpp"

#include <algorithm>

#include "client/activity.hpp"
#include "client/sync.hpp"
#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/files.hpp"
#include "exec/executor.hpp"
#include "node/driver.hpp"

namespace basalt::client {

using core::Error;
using core::ErrorCode;

namespace {

// fetch_activity stops where a mirror's archive ends.
constexpr std::uint64_t kWholeArchive = std::uint64_t{1} << 40;
constexpr std::uint64_t kMaxArchiveFile = std::uint64_t{1} << 36;

core::Status write_archive(const std::filesystem::path& file,
                           std::span<const da::ActivityRecord> records) {
  core::ByteWriter w;
  w.u64_le(records.size());
  for (const da::ActivityRecord& r : records) w.var_bytes(da::encode_activity_record(r));
  const std::filesystem::path tmp = file.string() + ".partial";
  BASALT_TRY(core::write_file(tmp, w.data()));
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot write " + file.string() + ": " + ec.message()};
  return core::Status::Ok();
}

core::Result<std::vector<da::ActivityRecord>> read_archive(const std::filesystem::path& file) {
  BASALT_ASSIGN_OR_RETURN(const core::Bytes bytes, core::read_file(file.string(), kMaxArchiveFile));
  const auto damaged = [&](const Error& e) {
    return Error{ErrorCode::kCorrupt, file.string() + ": " + e.to_string()};
  };
  core::ByteReader r(bytes);
  auto n = r.read_count(kWholeArchive, 8, "records");
  if (!n.ok()) return damaged(n.error());
  std::vector<da::ActivityRecord> out;
  for (std::uint64_t i = 0; i < *n; ++i) {
    auto raw = r.read_var_bytes(kMaxArchiveFile, "record");
    auto rec =
        raw.ok() ? da::decode_activity_record(*raw) : core::Result<da::ActivityRecord>(raw.error());
    if (!rec.ok()) return damaged(rec.error());
    out.push_back(std::move(*rec));
  }
  if (auto end = r.expect_end("archive"); !end.ok()) return damaged(end.error());
  return out;
}

// Why a mirror's archive from the snapshot's batch on does not fit the snapshot; empty: it does.
std::string mismatch(const da::SnapshotManifest& m, const da::ActivityPoint& first) {
  if (first.batch != m.batch || first.block != m.block)
    return "it starts at batch " + std::to_string(first.batch) + " (block " + first.block.hex() +
           "), not at the snapshot's block " + m.block.hex();
  // A lane that lapsed is not in L1's lane tree: only a tip the proof shows can be compared.
  if (first.lane && first.lane->tip != m.lane_tip)
    return "its lane tip at the snapshot's batch is " + first.lane->tip.hex() + ", not " +
           m.lane_tip.hex();
  return {};
}

// The archive from the snapshot's batch to a block F below L1's tip (final there), from the first
// mirror whose archive checks out, fits the snapshot and matches L1 at its end.
core::Result<std::vector<da::ActivityRecord>> sync_archive(const NodeSyncOptions& o,
                                                           const SyncedSnapshot& snap,
                                                           const l1::ChainSource& l1,
                                                           node::Logger& log) {
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t sink, l1.sink_blue_score());
  const std::uint64_t final_below = sink > o.finality_depth ? sink - o.finality_depth : 0;
  for (const std::string& url : o.mirrors) {
    if (std::find(snap.liars.begin(), snap.liars.end(), url) != snap.liars.end()) continue;
    const auto skip = [&](const std::string& why) {
      log.warn("mirror " + url + " is skipped: its archive from batch " +
               std::to_string(snap.manifest.batch) + " " + why);
    };
    auto fetched = fetch_activity(ApiClient(url), snap.manifest.batch, kWholeArchive);
    if (!fetched.ok()) {
      const ErrorCode code = fetched.error().code();
      const bool absent = code == ErrorCode::kUnavailable || code == ErrorCode::kNotFound;
      skip((absent ? "is not to be had: " : "does not check out: ") + fetched.error().to_string());
      continue;
    }
    std::vector<da::ActivityRecord> records = std::move(fetched->records);
    if (const std::string why = mismatch(snap.manifest, fetched->checked.first); !why.empty()) {
      skip("does not fit the snapshot: " + why);
      continue;
    }
    while (records.size() > 1 && records.back().block.blue_score > final_below) records.pop_back();
    // What is left is a prefix of the checked range: its end is what its last proof shows, and it
    // must be a block L1 still has and agrees on (an archive that stops short, missing activity,
    // leaves a gap nobody can fill).
    const da::ActivityPoint last = da::activity_point(records.back());
    if (auto on_l1 = check_on_l1(l1, o.lane, last); !on_l1.ok()) {
      if (on_l1.error().code() == ErrorCode::kUnavailable) return on_l1.error();
      skip("ends at batch " + std::to_string(last.batch) +
           ", where L1 does not confirm it: " + on_l1.error().to_string());
      continue;
    }
    std::uint64_t lane_txs = 0;
    for (std::size_t i = 1; i < records.size(); ++i) lane_txs += records[i].block.accepted.size();
    log.info("archive of batches " + std::to_string(records.front().batch) + ".." +
             std::to_string(last.batch) + " from " + url + ": " + std::to_string(lane_txs) +
             " lane transactions, checked and anchored on L1");
    return records;
  }
  return Error{ErrorCode::kUnavailable, "no mirror gave an archive from batch " +
                                            std::to_string(snap.manifest.batch) +
                                            " that checks out on L1"};
}

// What the state store records for the snapshot's batch: the driver resumes from it.
core::Bytes batch_meta(const da::ActivityRecord& at) {
  node::BatchRecordExtra extra;
  extra.blue_score = at.block.blue_score;
  const l1::LaneProof& proof = at.block.lane_proofs.front();
  if (proof.lane_tip) {
    extra.lane_tip = *proof.lane_tip;
    extra.lane_blue_score = proof.lane_blue_score.value_or(0);
  }
  exec::BatchMeta meta;
  meta.block = at.block.hash;
  meta.extra = node::encode_batch_extra(extra);
  return exec::encode_batch_meta(meta);
}

// Syncs the snapshot and the archive, keeps the archive in `archive_file`, imports the snapshot
// and returns the archive.
core::Result<std::vector<da::ActivityRecord>> first_sync(
    const NodeSyncOptions& o, state::StateStore& store, const l1::ChainSource& l1,
    node::Logger& log, const std::filesystem::path& archive_file) {
  const settle::CovenantScript script(o.pins);
  SnapshotSyncOptions so;
  so.mirrors = o.mirrors;
  so.cache = o.dir / "snapshot";
  so.on_l1 = [&](const core::Hash32& root, const kaspa::LaneTip& tip) -> core::Result<bool> {
    const kaspa::ScriptPublicKey spk = script.spk({root, tip});
    BASALT_ASSIGN_OR_RETURN(const auto utxo, l1.covenant_utxo(o.covenant, std::span(&spk, 1)));
    return utxo.has_value();
  };
  so.warn = [&](const std::string& w) { log.warn(w); };
  so.progress = [&](std::size_t done, std::size_t total) {
    log.progress("snapshot chunks", done, total);
  };
  BASALT_ASSIGN_OR_RETURN(SyncedSnapshot snap, sync_snapshot(so));
  log.info("snapshot of batch " + std::to_string(snap.manifest.batch) + ": " +
           std::to_string(snap.manifest.resources) + " resources; state root " +
           snap.manifest.state_root.hex() + " is the state the covenant holds on L1");
  BASALT_ASSIGN_OR_RETURN(std::vector<da::ActivityRecord> archive, sync_archive(o, snap, l1, log));
  BASALT_TRY(write_archive(archive_file, archive));
  std::vector<state::ResourceWrite> writes;
  writes.reserve(snap.state.resources.size());
  for (auto& [id, data] : snap.state.resources) writes.push_back({id, std::move(data)});
  BASALT_TRY(store.import_at({snap.manifest.batch}, writes, snap.manifest.state_root,
                             batch_meta(archive.front())));
  std::error_code ec;
  std::filesystem::remove_all(o.dir / "snapshot", ec);
  return archive;
}

}  // namespace

core::Result<std::unique_ptr<l1::ChainSource>> sync_node(const NodeSyncOptions& o,
                                                         state::StateStore& store,
                                                         l1::ChainSource& l1, node::Logger& log) {
  const std::filesystem::path file = o.dir / "archive";
  std::error_code ec;
  // The archive just synced is checked; one kept from an earlier start is checked again below.
  const bool kept = store.tip().value > 0;
  std::vector<da::ActivityRecord> records;
  if (!kept) {
    std::filesystem::create_directories(o.dir, ec);
    if (ec) return Error{ErrorCode::kIo, "cannot create " + o.dir.string() + ": " + ec.message()};
    BASALT_ASSIGN_OR_RETURN(records, first_sync(o, store, l1, log, file));
  } else if (std::filesystem::exists(file)) {
    BASALT_ASSIGN_OR_RETURN(records, read_archive(file));
  } else {
    return std::unique_ptr<l1::ChainSource>();
  }
  const std::uint64_t tip = store.tip().value;
  if (records.empty() || tip >= records.back().batch || tip < records.front().batch) {
    std::filesystem::remove(file, ec);  // executed: L1 goes on from here
    return std::unique_ptr<l1::ChainSource>();
  }
  records.erase(records.begin(),
                records.begin() + static_cast<std::ptrdiff_t>(tip - records.front().batch));
  if (kept) {
    if (auto checked = da::check_activity(o.lane, o.finality_depth, records); !checked.ok())
      return Error{ErrorCode::kCorrupt, file.string() + ": " + checked.error().to_string()};
  }
  log.info("executing the archived batches " + std::to_string(tip + 1) + ".." +
           std::to_string(records.back().batch) + " before following L1");
  BASALT_ASSIGN_OR_RETURN(std::unique_ptr<da::ArchiveSource> source,
                          da::ArchiveSource::open(std::move(records), l1));
  return std::unique_ptr<l1::ChainSource>(std::move(source));
}

}  // namespace basalt::client
