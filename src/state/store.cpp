#include "state/store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <optional>

#include "core/byte_reader.hpp"
#include "core/files.hpp"
#include "state/rocks.hpp"

namespace basalt::state {

namespace {

using core::Error;
using core::ErrorCode;

enum Cf : std::size_t { kMeta = 0, kValues = 1, kUndo = 2, kBatches = 3 };
const char* const kCfNames[] = {"default", "values", "undo", "batches"};

constexpr char kTipKey[] = "tip";
constexpr char kFloorKey[] = "floor";
constexpr char kFormatKey[] = "format";
constexpr std::uint8_t kFormat = 1;
// What a value cache entry costs beyond its data (node, key, vector), roughly.
constexpr std::size_t kCacheEntryOverhead = 64;

// A batch's rollback log is one row: for each resource it changed, what the resource held before
// (resource id 32 ‖ le_u32 length ‖ data; length 0: absent). One row per batch keeps a commit to
// one put per changed resource plus a constant.

using rocks::be64;
using rocks::read_be64;
using rocks::slice;
using rocks::span;

}  // namespace

StateStore::~StateStore() {
  for (auto* cf : cfs_) {
    if (db_ && cf) db_->DestroyColumnFamilyHandle(cf).PermitUncheckedError();
  }
}

core::Result<std::unique_ptr<StateStore>> StateStore::open(const std::string& dir,
                                                           const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + dir + ": " + ec.message()};

  rocksdb::Options db_options = rocks::base_options(512);
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);

  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(
      rocks::table_options(options.block_cache_bytes, /*bounded_index=*/false)));
  cf_options.level_compaction_dynamic_level_bytes = true;
  // Small memtables: point reads of the batch's resources stay cheap (a large skip list costs
  // more per lookup than a filtered SST read from the block cache).
  cf_options.write_buffer_size = 8u << 20;
  // A Bloom filter over each memtable's keys: a point read of a resource not written lately skips
  // searching the memtables' skip lists.
  cf_options.memtable_whole_key_filtering = true;
  cf_options.memtable_prefix_bloom_size_ratio = 0.05;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kCfNames) descriptors.emplace_back(name, cf_options);

  std::unique_ptr<StateStore> store(new StateStore());
  store->options_ = options;
  store->dir_ = dir;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &store->cfs_, &raw);
  if (!s.ok()) return rocks::error(s, "open " + dir);
  store->db_.reset(raw);
  BASALT_TRY(store->load());
  return store;
}

core::Status StateStore::load() {
  std::string v;
  rocksdb::Status s = db_->Get({}, cfs_[kMeta], kFormatKey, &v);
  if (s.IsNotFound()) {
    s = db_->Put({}, cfs_[kMeta], kFormatKey, std::string(1, static_cast<char>(kFormat)));
    if (!s.ok()) return rocks::error(s, "write format");
  } else if (!s.ok()) {
    return rocks::error(s, "read format");
  } else if (v != std::string(1, static_cast<char>(kFormat))) {
    return Error{ErrorCode::kUnknownTag,
                 "state store format " + std::to_string(v.empty() ? 0 : v[0])};
  }
  for (auto [key, out] : {std::pair{kTipKey, &tip_}, std::pair{kFloorKey, &floor_}}) {
    s = db_->Get({}, cfs_[kMeta], key, &v);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return rocks::error(s, std::string("read ") + key);
    out->value = read_be64(v);
  }

  // Keys come out of RocksDB in ascending byte order, which is the SMT's key order.
  std::vector<SmtUpdate> leaves;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cfs_[kValues]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().size() != 32 || it->value().empty()) {
      return Error{ErrorCode::kInvalid, "state store: malformed value row"};
    }
    leaves.push_back({ResourceId(core::Hash32::from_span_unchecked(span(it->key()))),
                      value_hash(span(it->value()))});
  }
  if (!it->status().ok()) return rocks::error(it->status(), "scan values");
  BASALT_TRY(smt_.build_sorted(leaves));

  core::Hash32 expected;
  if (tip_.value > 0) {
    BASALT_ASSIGN_OR_RETURN(const BatchRecord rec, batch(tip_));
    expected = rec.root;
  }
  if (smt_.root() != expected) {
    return Error{ErrorCode::kInvalid, "state store: data does not hash to the root of batch " +
                                          std::to_string(tip_.value)};
  }
  return core::Status::Ok();
}

core::Result<core::Bytes> StateStore::get(const ResourceId& id) const {
  BASALT_ASSIGN_OR_RETURN(std::vector<core::Bytes> one, get_many({&id, 1}));
  return std::move(one[0]);
}

void StateStore::cache_put(const ResourceId& id, const core::Bytes& data) const {
  // Requires: cache_mutex_ held.
  if (cache_bytes_ > options_.value_cache_bytes) {
    cache_.clear();
    cache_bytes_ = 0;
  }
  auto [it, inserted] = cache_.try_emplace(id);
  if (!inserted) cache_bytes_ -= it->second.size();
  it->second = data;
  cache_bytes_ += data.size() + (inserted ? kCacheEntryOverhead : 0);
}

void StateStore::cache_drop(const ResourceId& id) const {
  // Requires: cache_mutex_ held.
  auto it = cache_.find(id);
  if (it == cache_.end()) return;
  cache_bytes_ -= it->second.size() + kCacheEntryOverhead;
  cache_.erase(it);
}

core::Result<std::vector<core::Bytes>> StateStore::get_many(std::span<const ResourceId> ids) const {
  std::vector<core::Bytes> out(ids.size());
  std::vector<std::size_t> missing;
  {
    std::lock_guard lk(cache_mutex_);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto it = cache_.find(ids[i]);
      if (it == cache_.end()) {
        missing.push_back(i);
      } else {
        out[i] = it->second;
      }
    }
  }
  if (missing.empty()) return out;
  std::vector<rocksdb::Slice> keys;
  keys.reserve(missing.size());
  for (std::size_t i : missing) keys.push_back(slice(ids[i].span()));
  std::vector<rocksdb::PinnableSlice> values(missing.size());
  std::vector<rocksdb::Status> statuses(missing.size());
  db_->MultiGet({}, cfs_[kValues], keys.size(), keys.data(), values.data(), statuses.data());
  std::lock_guard lk(cache_mutex_);
  for (std::size_t k = 0; k < missing.size(); ++k) {
    const std::size_t i = missing[k];
    if (!statuses[k].IsNotFound()) {
      if (!statuses[k].ok()) return rocks::error(statuses[k], "read resources");
      const auto b = span(values[k]);
      out[i].assign(b.begin(), b.end());
    }
    cache_put(ids[i], out[i]);
  }
  return out;
}

core::Result<BatchRecord> StateStore::batch(BatchId id) const {
  std::string v;
  rocksdb::Status s = db_->Get({}, cfs_[kBatches], be64(id.value), &v);
  if (s.IsNotFound()) {
    return Error{ErrorCode::kNotFound, "batch " + std::to_string(id.value) + " is not committed"};
  }
  if (!s.ok()) return rocks::error(s, "read batch");
  if (v.size() < 32) return Error{ErrorCode::kInvalid, "state store: malformed batch record"};
  BatchRecord rec;
  rec.id = id;
  rec.root = core::Hash32::from_span_unchecked(span(rocksdb::Slice(v.data(), 32)));
  rec.meta.assign(v.begin() + 32, v.end());
  return rec;
}

core::Result<core::Hash32> StateStore::commit(BatchId id, std::span<const ResourceWrite> writes,
                                              core::ByteSpan meta,
                                              std::span<const core::Bytes> previous) {
  if (id.value != tip_.value + 1) {
    return Error{ErrorCode::kInvalid, "commit of batch " + std::to_string(id.value) +
                                          " after batch " + std::to_string(tip_.value)};
  }
  std::vector<ResourceId> ids;
  ids.reserve(writes.size());
  for (const auto& w : writes) ids.push_back(w.id);
  // The writes in key order: RocksDB's memtable inserts each key next to where the last one went,
  // so ascending keys insert much faster than a random order.
  std::vector<std::uint32_t> order(writes.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::uint32_t a, std::uint32_t b) { return ids[a] < ids[b]; });
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (ids[order[k - 1]] == ids[order[k]]) {
      return Error{ErrorCode::kInvalid, "a resource written twice in one commit"};
    }
  }
  if (broken_) return Error{ErrorCode::kIo, "state store failed earlier; reopen it"};
  if (!previous.empty() && previous.size() != writes.size()) {
    return Error{ErrorCode::kInvalid, "commit: previous data for some writes only"};
  }
  // What the tree held for each write before the batch: how a stale `previous` is caught, and how
  // the tree is put back when the commit does not happen.
  std::vector<ValueHash> before;
  const auto put_tree_back = [&] {
    std::vector<SmtUpdate> restore;
    restore.reserve(writes.size());
    for (std::size_t k = 0; k < writes.size(); ++k) restore.push_back({writes[k].id, before[k]});
    smt_.apply(restore);
  };
  // Previous data from the caller is checked against the value hashes the tree replaced, so a
  // wrong previous value cannot reach the rollback log.
  const auto update_tree = [&](core::HelperThread* halves) -> core::Result<core::Hash32> {
    std::vector<SmtUpdate> forward;
    forward.reserve(writes.size());
    for (const auto& w : writes) forward.push_back({w.id, value_hash(w.data)});
    smt_.apply(forward, &before, halves);
    for (std::size_t i = 0; i < previous.size(); ++i) {
      if (value_hash(previous[i]) == before[i]) continue;
      put_tree_back();
      return Error{ErrorCode::kInvalid,
                   "commit: stale previous data for resource " + writes[i].id.hex()};
    }
    return smt_.root();
  };
  std::optional<core::Result<core::Hash32>> tree;
  std::vector<core::Bytes> read;
  if (previous.empty()) {
    // The tree needs only the new values: the helper thread updates it while this thread reads the
    // old values, then reads along. (Writing an unchanged value to the tree changes nothing.)
    read.resize(ids.size());
    std::atomic<std::size_t> next{0};
    const auto read_chunks = [&]() -> core::Status {
      constexpr std::size_t kChunk = 64;
      for (std::size_t at; (at = next.fetch_add(kChunk)) < ids.size();) {
        const std::size_t len = std::min(kChunk, ids.size() - at);
        BASALT_ASSIGN_OR_RETURN(auto part, get_many(std::span(ids).subspan(at, len)));
        std::move(part.begin(), part.end(), read.begin() + static_cast<std::ptrdiff_t>(at));
      }
      return core::Status::Ok();
    };
    core::Status helper_read = core::Status::Ok();
    auto task = helper_.start([&] {
      tree = update_tree(nullptr);
      helper_read = read_chunks();
    });
    core::Status own_read = read_chunks();
    task.wait();
    for (const core::Status* st : {&own_read, &helper_read}) {
      if (st->ok()) continue;
      broken_ = true;  // the tree is ahead of the data now; open() rebuilds it
      return st->error();
    }
  } else {
    tree = update_tree(&helper_);
  }
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, std::move(*tree));
  const std::span<const core::Bytes> old =
      previous.empty() ? std::span<const core::Bytes>(read) : previous;

  rocksdb::WriteBatch wb;
  std::string undo;
  for (const std::uint32_t i : order) {
    const ResourceWrite& w = writes[i];
    if (w.data == old[i]) continue;  // not a change: nothing to store or undo
    const rocksdb::Slice key = slice(w.id.span());
    if (w.data.empty()) {
      wb.Delete(cfs_[kValues], key);
    } else {
      wb.Put(cfs_[kValues], key, slice(w.data));
    }
    undo.append(reinterpret_cast<const char*>(w.id.hash().data()), 32);
    const auto len = static_cast<std::uint32_t>(old[i].size());
    for (int b = 0; b < 4; ++b) undo.push_back(static_cast<char>(len >> (8 * b)));
    undo.append(old[i].begin(), old[i].end());
  }
  if (!undo.empty()) wb.Put(cfs_[kUndo], be64(id.value), undo);

  std::string record(reinterpret_cast<const char*>(root.data()), 32);
  record.append(reinterpret_cast<const char*>(meta.data()), meta.size());
  wb.Put(cfs_[kBatches], be64(id.value), record);
  wb.Put(cfs_[kMeta], kTipKey, be64(id.value));
  BatchId floor = floor_;
  if (id.value > options_.rollback_window && id.value - options_.rollback_window > floor.value) {
    // Batches at or below the new floor can no longer be rolled back: drop their undo entries.
    floor.value = id.value - options_.rollback_window;
    wb.DeleteRange(cfs_[kUndo], be64(floor_.value + 1), be64(floor.value + 1));
    wb.Put(cfs_[kMeta], kFloorKey, be64(floor.value));
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  // RocksDB counts every key comparison for its per-thread statistics unless told not to, and
  // basalt does not read them: 10-15% of a commit's memtable inserts.
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  // The cache takes the new data while RocksDB writes (only readers of other resources may run
  // meanwhile), and forgets it if the write fails.
  auto cache_task = helper_.start([&] {
    std::lock_guard lk(cache_mutex_);
    for (const auto& w : writes) cache_put(w.id, w.data);
  });
  rocksdb::Status s = db_->Write(wo, &wb);
  cache_task.wait();
  if (!s.ok()) {
    put_tree_back();
    std::lock_guard lk(cache_mutex_);
    for (const auto& w : writes) cache_drop(w.id);
    return rocks::error(s, "commit batch " + std::to_string(id.value));
  }
  tip_ = id;
  floor_ = floor;
  return root;
}

core::Status StateStore::import_at(BatchId at, std::span<const ResourceWrite> resources,
                                   const core::Hash32& root, core::ByteSpan meta) {
  if (tip_.value != 0 || smt_.root() != core::Hash32())
    return Error{ErrorCode::kInvalid, "import: the state store is not empty"};
  if (at.value == 0) return Error{ErrorCode::kInvalid, "import: batch 0 is the empty state"};
  std::vector<SmtUpdate> leaves;
  leaves.reserve(resources.size());
  for (std::size_t i = 0; i < resources.size(); ++i) {
    if (resources[i].data.empty() || (i > 0 && !(resources[i - 1].id < resources[i].id)))
      return Error{ErrorCode::kInvalid, "import: resources empty or not in ascending id order"};
    leaves.push_back({resources[i].id, value_hash(resources[i].data)});
  }
  Smt tree;
  BASALT_TRY(tree.build_sorted(leaves));
  if (tree.root() != root)
    return Error{ErrorCode::kInvalid,
                 "import: the resources make root " + tree.root().hex() + ", not " + root.hex()};
  rocksdb::WriteBatch wb;
  for (const ResourceWrite& r : resources) wb.Put(cfs_[kValues], slice(r.id.span()), slice(r.data));
  std::string record(reinterpret_cast<const char*>(root.data()), 32);
  record.append(reinterpret_cast<const char*>(meta.data()), meta.size());
  wb.Put(cfs_[kBatches], be64(at.value), record);
  wb.Put(cfs_[kMeta], kTipKey, be64(at.value));
  wb.Put(cfs_[kMeta], kFloorKey, be64(at.value));
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) return rocks::error(s, "import batch " + std::to_string(at.value));
  smt_ = std::move(tree);
  tip_ = floor_ = at;
  return core::Status::Ok();
}

core::Result<std::map<ResourceId, core::Bytes>> StateStore::values_after(
    BatchId target, const rocksdb::Snapshot* snapshot) const {
  std::map<ResourceId, core::Bytes> values;
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  // Undo rows exist only up to the tip (a rollback deletes those above its target).
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kUndo]));
  for (it->Seek(be64(target.value + 1)); it->Valid(); it->Next()) {
    core::ByteReader r(span(it->value()));
    while (r.remaining() > 0) {
      auto id = r.read_hash32("undo resource id");
      auto len = id.ok() ? r.read_u32_le("undo length") : core::Result<std::uint32_t>(id.error());
      auto data =
          len.ok() ? r.read_bytes(*len, "undo data") : core::Result<core::ByteSpan>(len.error());
      if (!data.ok()) return Error{ErrorCode::kInvalid, "state store: malformed undo row"};
      // Ascending batch order: the first entry seen for a resource is the lowest batch's.
      values.try_emplace(ResourceId(*id), data->begin(), data->end());
    }
  }
  if (!it->status().ok()) return rocks::error(it->status(), "scan undo");
  return values;
}

core::Result<StateStore::Snapshot> StateStore::snapshot(BatchId at) const {
  if (at > tip_ || at < floor_) {
    return Error{ErrorCode::kOutOfRange,
                 "batch " + std::to_string(at.value) + " is outside the rollback window (" +
                     std::to_string(floor_.value) + ".." + std::to_string(tip_.value) + ")"};
  }
  Snapshot snap{at, smt_, {}};
  BASALT_ASSIGN_OR_RETURN(snap.changed, values_after(at));
  std::vector<SmtUpdate> updates;
  updates.reserve(snap.changed.size());
  for (const auto& [id, data] : snap.changed) updates.push_back({id, value_hash(data)});
  snap.smt.apply(updates);
  core::Hash32 expected;
  if (at.value > 0) {
    BASALT_ASSIGN_OR_RETURN(const BatchRecord rec, batch(at));
    expected = rec.root;
  }
  if (snap.smt.root() != expected) {
    return Error{ErrorCode::kInvalid, "state store: the undo log does not lead to batch " +
                                          std::to_string(at.value) + "'s root"};
  }
  return snap;
}

StateStore::View::~View() {
  if (snapshot_ != nullptr) db_->ReleaseSnapshot(snapshot_);
}

core::Status StateStore::View::scan(
    const std::function<core::Status(const ResourceId&, core::ByteSpan)>& fn) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot_;
  ro.fill_cache = false;  // one pass over everything: keep the block cache for the node
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, values_));
  auto later = changed_.begin();
  // Merges the rows (the state at the view's tip) with the values after `at` of what changed since.
  const auto emit = [&](const ResourceId& id, core::ByteSpan data) -> core::Status {
    return data.empty() ? core::Status::Ok() : fn(id, data);
  };
  it->SeekToFirst();
  while (it->Valid() || later != changed_.end()) {
    std::optional<ResourceId> row;
    if (it->Valid()) {
      if (it->key().size() != 32 || it->value().empty())
        return Error{ErrorCode::kInvalid, "state store: malformed value row"};
      row = ResourceId(core::Hash32::from_span_unchecked(span(it->key())));
    }
    if (later != changed_.end() && (!row || later->first <= *row)) {
      BASALT_TRY(emit(later->first, later->second));
      if (row && later->first == *row) it->Next();
      ++later;
      continue;
    }
    BASALT_TRY(emit(*row, span(it->value())));
    it->Next();
  }
  if (!it->status().ok()) return rocks::error(it->status(), "scan values");
  return core::Status::Ok();
}

core::Result<std::unique_ptr<StateStore::View>> StateStore::view(BatchId at) const {
  std::unique_ptr<View> v(new View);
  v->db_ = db_.get();
  v->values_ = cfs_[kValues];
  v->snapshot_ = db_->GetSnapshot();
  v->batch_ = at;
  rocksdb::ReadOptions ro;
  ro.snapshot = v->snapshot_;
  // The tip and floor as of the snapshot: a commit may be running on another thread.
  BatchId tip, floor;
  for (auto [key, out] : {std::pair{kTipKey, &tip}, std::pair{kFloorKey, &floor}}) {
    std::string raw;
    rocksdb::Status s = db_->Get(ro, cfs_[kMeta], key, &raw);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return rocks::error(s, std::string("read ") + key);
    out->value = read_be64(raw);
  }
  if (at > tip || at < floor) {
    return Error{ErrorCode::kOutOfRange,
                 "batch " + std::to_string(at.value) + " is outside the rollback window (" +
                     std::to_string(floor.value) + ".." + std::to_string(tip.value) + ")"};
  }
  if (at.value > 0) {
    std::string rec;
    rocksdb::Status s = db_->Get(ro, cfs_[kBatches], be64(at.value), &rec);
    if (!s.ok()) return rocks::error(s, "read batch " + std::to_string(at.value));
    if (rec.size() < 32) return Error{ErrorCode::kInvalid, "state store: malformed batch record"};
    v->root_ = core::Hash32::from_span_unchecked(span(rocksdb::Slice(rec.data(), 32)));
  }
  BASALT_ASSIGN_OR_RETURN(v->changed_, values_after(at, v->snapshot_));
  return v;
}

core::Status StateStore::rollback_to(BatchId target) {
  if (broken_) return Error{ErrorCode::kIo, "state store failed earlier; reopen it"};
  if (target > tip_) return Error{ErrorCode::kOutOfRange, "rollback above the tip"};
  if (target < floor_) {
    return Error{ErrorCode::kOutOfRange, "rollback to batch " + std::to_string(target.value) +
                                             " below the finality window (floor " +
                                             std::to_string(floor_.value) + ")"};
  }
  if (target == tip_) return core::Status::Ok();
  using Values = std::map<ResourceId, core::Bytes>;
  BASALT_ASSIGN_OR_RETURN(const Values restore, values_after(target));
  const std::string end = be64(tip_.value + 1);

  rocksdb::WriteBatch wb;
  std::vector<SmtUpdate> updates;
  updates.reserve(restore.size());
  for (const auto& [id, data] : restore) {
    if (data.empty()) {
      wb.Delete(cfs_[kValues], slice(id.span()));
    } else {
      wb.Put(cfs_[kValues], slice(id.span()), slice(data));
    }
    updates.push_back({id, value_hash(data)});
  }
  wb.DeleteRange(cfs_[kUndo], be64(target.value + 1), end);
  wb.DeleteRange(cfs_[kBatches], be64(target.value + 1), end);
  wb.Put(cfs_[kMeta], kTipKey, be64(target.value));

  core::Hash32 expected;
  if (target.value > 0) {
    BASALT_ASSIGN_OR_RETURN(const BatchRecord rec, batch(target));
    expected = rec.root;
  }
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) return rocks::error(s, "rollback to batch " + std::to_string(target.value));
  {
    std::lock_guard lk(cache_mutex_);
    for (const auto& [rid, data] : restore) cache_put(rid, data);
  }
  smt_.apply(updates);
  tip_ = target;
  if (smt_.root() != expected) {
    return Error{ErrorCode::kInvalid, "state store: rollback did not restore the root of batch " +
                                          std::to_string(target.value)};
  }
  return core::Status::Ok();
}

core::Status StateStore::bind(std::string_view name, core::ByteSpan value) {
  const std::string key = "bind/" + std::string(name);
  std::string v;
  rocksdb::Status s = db_->Get({}, cfs_[kMeta], key, &v);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = options_.sync;
    s = db_->Put(wo, cfs_[kMeta], key, slice(value));
    if (!s.ok()) return rocks::error(s, "bind " + key);
    return core::Status::Ok();
  }
  if (!s.ok()) return rocks::error(s, "read " + key);
  if (span(v).size() != value.size() || !std::equal(value.begin(), value.end(), span(v).begin())) {
    return Error{ErrorCode::kInvalid, "this data directory belongs to a different " +
                                          std::string(name) + " (" + core::to_hex(span(v)) + ")"};
  }
  return core::Status::Ok();
}

core::Result<std::optional<core::Bytes>> StateStore::bound(std::string_view name) const {
  const std::string key = "bind/" + std::string(name);
  std::string v;
  const rocksdb::Status s = db_->Get({}, cfs_[kMeta], key, &v);
  if (s.IsNotFound()) return std::optional<core::Bytes>();
  if (!s.ok()) return rocks::error(s, "read " + key);
  return std::optional<core::Bytes>(core::Bytes(v.begin(), v.end()));
}

core::Status StateStore::flush_and_compact() {
  for (auto* cf : cfs_) {
    rocksdb::Status s = db_->Flush(rocksdb::FlushOptions(), cf);
    if (!s.ok()) return rocks::error(s, "flush");
    s = db_->CompactRange(rocksdb::CompactRangeOptions(), cf, nullptr, nullptr);
    if (!s.ok()) return rocks::error(s, "compact");
  }
  return core::Status::Ok();
}

std::uint64_t StateStore::disk_bytes() const {
  return core::directory_bytes(dir_);
}

}  // namespace basalt::state
