// The app state on disk: resource data in RocksDB, one version per committed batch, a rollback log
// for the batches above the finality window, and the resource SMT over it in memory.
//
// Every commit and every rollback is one atomic RocksDB write (data, rollback log, batch record and
// tip together), so a process killed at any moment reopens at its last committed batch. The SMT's
// internal nodes are not stored: the tree is a function of the leaves, so open() rebuilds it from
// the data and checks the root against the tip's batch record. Layout: docs/state.md.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/helper_thread.hpp"
#include "core/result.hpp"
#include "state/smt.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Snapshot;
}  // namespace rocksdb

namespace basalt::state {

// A committed batch's number: 1, 2, ... along the followed chain; 0 is the state before any batch.
// A rollback makes the ids above its target free again.
struct BatchId {
  std::uint64_t value = 0;
  auto operator<=>(const BatchId&) const = default;
};

struct ResourceWrite {
  ResourceId id;
  core::Bytes data;  // empty: the resource is deleted
};

struct BatchRecord {
  BatchId id;
  core::Hash32 root;  // the state root after the batch
  core::Bytes meta;   // the caller's record of the batch (exec: block, lane tip, counts)
};

struct StoreOptions {
  // fsync the write-ahead log on every commit: survives power loss, not only a killed process.
  bool sync = true;
  // Batches that can be rolled back: a rollback may target any of the last `rollback_window`
  // batches (kip21's finality depth bounds how deep a reorg goes).
  std::uint64_t rollback_window = 1024;
  std::size_t block_cache_bytes = 64u << 20;
  // Resource data kept in memory in front of RocksDB (a hit costs a hash lookup, a RocksDB point
  // read several microseconds); emptied whenever it outgrows this budget.
  std::size_t value_cache_bytes = 64u << 20;
};

class StateStore {
 public:
  // Opens or creates the store in `dir`. Errors: kIo on a RocksDB failure; kInvalid when the data
  // does not hash to the tip's recorded root (a damaged store).
  static core::Result<std::unique_ptr<StateStore>> open(const std::string& dir,
                                                        const StoreOptions& options);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  BatchId tip() const { return tip_; }
  // The lowest batch a rollback may target.
  BatchId rollback_floor() const { return floor_; }
  std::uint64_t rollback_window() const { return options_.rollback_window; }
  core::Hash32 root() const { return smt_.root(); }
  const Smt& smt() const { return smt_; }

  // A resource's data; empty when absent. Errors: kIo.
  core::Result<core::Bytes> get(const ResourceId& id) const;
  // Many at once, in the order given. Safe to call while another thread commits, for resources
  // that commit does not write. Errors: kIo.
  core::Result<std::vector<core::Bytes>> get_many(std::span<const ResourceId> ids) const;
  // Errors: kNotFound for a batch that is not committed.
  core::Result<BatchRecord> batch(BatchId id) const;

  // Commits batch tip()+1 with its writes (any order; a resource at most once) and returns the new
  // root. `previous`, when not empty, is each written resource's data before the batch, as the
  // caller read it (it saves reading it again for the rollback log); it is checked against the
  // tree, and a wrong one is refused. The store's helper thread takes part of the work: half of
  // the tree update when the previous data is given, else the tree and part of the reading.
  // Errors: kInvalid (wrong id, a resource twice, a wrong `previous`; nothing changes), kIo
  // (nothing is committed; when reading failed, the store refuses further commits and rollbacks
  // until reopened).
  core::Result<core::Hash32> commit(BatchId id, std::span<const ResourceWrite> writes,
                                    core::ByteSpan meta,
                                    std::span<const core::Bytes> previous = {});
  // Fills an empty store with the state after batch `at` taken from elsewhere (a verified
  // snapshot): `resources` in strictly ascending id order, none empty, must hash to `root`, which
  // is recorded for `at` with `meta`. One atomic write; the store's tip and rollback floor are then
  // `at`. Errors: kInvalid (a store that is not empty, batch 0, resources out of order or empty, or
  // another root; nothing is written), kIo.
  core::Status import_at(BatchId at, std::span<const ResourceWrite> resources,
                         const core::Hash32& root, core::ByteSpan meta);
  // Restores the state after batch `target` exactly (data and root) and forgets the batches above.
  // Errors: kOutOfRange below rollback_floor() or above tip(); kIo.
  core::Status rollback_to(BatchId target);

  // The state after an earlier batch `at` (rollback_floor() to tip()), read-only: the data of the
  // resources that changed since (empty: absent then) and the tree at `at`, checked against the
  // batch's recorded root. Costs a copy of the tree. Errors: kOutOfRange outside the window; kIo;
  // kInvalid for a damaged undo log.
  struct Snapshot {
    BatchId batch;
    Smt smt;
    std::map<ResourceId, core::Bytes> changed;
  };
  core::Result<Snapshot> snapshot(BatchId at) const;

  // The resources after batch `at`, as one consistent read that later commits and rollbacks do not
  // change (a RocksDB snapshot with the logged values of the batches above `at` laid over it): for
  // exporting the state from another thread while the store goes on. It must not outlive the store.
  class View {
   public:
    ~View();
    View(const View&) = delete;
    View& operator=(const View&) = delete;
    BatchId batch() const { return batch_; }
    // The root batch `at` recorded.
    const core::Hash32& root() const { return root_; }
    // Calls `fn` for every present resource in ascending id order; stops at fn's first error.
    // Errors: fn's, kIo, kInvalid for a damaged row.
    core::Status scan(
        const std::function<core::Status(const ResourceId&, core::ByteSpan)>& fn) const;

   private:
    friend class StateStore;
    View() = default;
    rocksdb::DB* db_ = nullptr;
    rocksdb::ColumnFamilyHandle* values_ = nullptr;
    const rocksdb::Snapshot* snapshot_ = nullptr;
    BatchId batch_;
    core::Hash32 root_;
    std::map<ResourceId, core::Bytes> changed_;  // value after `at` of what later batches changed
  };
  // Safe beside a commit on another thread. Errors: kOutOfRange for a batch not committed or below
  // the rollback floor; kIo; kInvalid for a damaged undo log.
  core::Result<std::unique_ptr<View>> view(BatchId at) const;

  // Binds the store to a value under a name (e.g. the app's image id): the first call records it,
  // later calls fail with kInvalid if it differs. Errors: kIo.
  core::Status bind(std::string_view name, core::ByteSpan value);
  // The value bound under `name`, if any. Errors: kIo.
  core::Result<std::optional<core::Bytes>> bound(std::string_view name) const;
  // Bytes the store occupies on disk (SST and log files).
  std::uint64_t disk_bytes() const;
  // Flushes memtables and compacts every column family (for measuring the settled size). Errors:
  // kIo.
  core::Status flush_and_compact();

 private:
  StateStore() = default;
  core::Status load();
  // What each resource changed after `target` held then (the lowest later batch's undo entry),
  // read at `snapshot` (nullptr: now).
  core::Result<std::map<ResourceId, core::Bytes>> values_after(
      BatchId target, const rocksdb::Snapshot* snapshot = nullptr) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // default, values, undo, batches
  StoreOptions options_;
  std::string dir_;
  Smt smt_;
  BatchId tip_;
  BatchId floor_;
  bool broken_ = false;
  // Takes part of each commit's work (see commit()) and fills the value cache during the write.
  core::HelperThread helper_;

  // The value cache: resource data by id (an empty vector: known absent).
  struct IdHash {
    std::size_t operator()(const ResourceId& id) const {
      std::size_t v;
      std::memcpy(&v, id.hash().data(), sizeof v);
      return v;
    }
  };
  void cache_put(const ResourceId& id, const core::Bytes& data) const;
  void cache_drop(const ResourceId& id) const;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<ResourceId, core::Bytes, IdHash> cache_;
  mutable std::size_t cache_bytes_ = 0;
};

}  // namespace basalt::state
