#include "node/index.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <fstream>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/files.hpp"
#include "zk/receipt.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxJournal = 1u << 20;
constexpr std::size_t kMaxTxsPerBatch = 1u << 20;

// RocksDB finding its own files damaged is corruption of ours, not an I/O failure.
Error io_error(const rocksdb::Status& s, const std::string& what) {
  return Error{s.IsCorruption() ? ErrorCode::kCorrupt : ErrorCode::kIo,
               "node index: " + what + ": " + s.ToString()};
}

// The index decodes only what it wrote itself: bytes that do not decode are damage.
template <typename T>
core::Result<T> ours(core::Result<T> r, const std::string& what) {
  if (r.ok()) return r;
  return Error{ErrorCode::kCorrupt, "node index: damaged " + what + ": " + r.error().to_string()};
}

// " (in FILE)" for the first file RocksDB's own log names as damaged, or "".
std::string damaged_file(const std::string& dir) {
  std::ifstream log(dir + "/LOG");
  std::string line;
  for (int n = 0; n < 100'000 && std::getline(log, line); ++n) {
    const std::size_t damage = line.find(": dropping ");
    const std::size_t start = line.rfind("] ", damage);
    if (damage != std::string::npos && start != std::string::npos &&
        line.find("Corruption", damage) != std::string::npos)
      return " (in " + line.substr(start + 2, damage - start - 2) + ")";
  }
  return "";
}

core::Result<std::uint64_t> stored_u64(core::ByteSpan b, const std::string& what) {
  core::ByteReader r(b);
  return ours(r.read_u64_le(what), what);
}

std::string key(char tag, core::ByteSpan b) {
  std::string k(1, tag);
  k.append(reinterpret_cast<const char*>(b.data()), b.size());
  return k;
}

std::string key(char tag, std::uint64_t v) {
  std::string k(1, tag);
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>(v >> (8 * i)));
  return k;
}

rocksdb::Slice slice(const core::Bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

core::ByteSpan span(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void put_text(core::ByteWriter& w, const std::string& s) {
  const std::size_t n = std::min(s.size(), kMaxText);
  w.u16_le(static_cast<std::uint16_t>(n));
  w.bytes(span(s).first(n));
}

core::Result<std::string> read_text(core::ByteReader& r, std::string_view what) {
  BASALT_ASSIGN_OR_RETURN(const std::uint16_t n, r.read_u16_le(what));
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan b, r.read_bytes(n, what));
  return std::string(b.begin(), b.end());
}

core::Bytes encode_tx(const TxRecord& t) {
  core::ByteWriter w;
  w.hash(t.id.hash());
  w.u64_le(t.batch);
  w.hash(t.block.hash());
  w.u32_le(t.merge_idx);
  w.boolean(t.ok);
  put_text(w, t.reason);
  put_text(w, t.detail);
  w.u64_le(t.cycles);
  w.var_bytes(t.journal);
  return w.take();
}

core::Result<TxRecord> decode_tx(core::ByteSpan b) {
  core::ByteReader r(b);
  TxRecord t;
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("tx id"));
  t.id = kaspa::TxId(id);
  BASALT_ASSIGN_OR_RETURN(t.batch, r.read_u64_le("batch"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 block, r.read_hash32("block"));
  t.block = kaspa::BlockHash(block);
  BASALT_ASSIGN_OR_RETURN(t.merge_idx, r.read_u32_le("merge idx"));
  BASALT_ASSIGN_OR_RETURN(t.ok, r.read_bool("ok"));
  BASALT_ASSIGN_OR_RETURN(t.reason, read_text(r, "reason"));
  BASALT_ASSIGN_OR_RETURN(t.detail, read_text(r, "detail"));
  BASALT_ASSIGN_OR_RETURN(t.cycles, r.read_u64_le("cycles"));
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan j, r.read_var_bytes(kMaxJournal, "journal"));
  t.journal.assign(j.begin(), j.end());
  BASALT_TRY(r.expect_end("tx record"));
  return t;
}

core::Bytes encode_batch(const BatchRow& b) {
  core::ByteWriter w;
  w.u64_le(b.id);
  w.hash(b.block.hash());
  w.u64_le(b.blue_score);
  w.u64_le(b.step);
  w.u32_le(b.txs);
  w.u32_le(b.failed);
  w.boolean(b.root.has_value());
  if (b.root) w.hash(*b.root);
  w.u64_le(b.tx_ids.size());
  for (const auto& id : b.tx_ids) w.hash(id.hash());
  return w.take();
}

core::Result<BatchRow> decode_batch(core::ByteSpan bytes) {
  core::ByteReader r(bytes);
  BatchRow b;
  BASALT_ASSIGN_OR_RETURN(b.id, r.read_u64_le("batch id"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 block, r.read_hash32("block"));
  b.block = kaspa::BlockHash(block);
  BASALT_ASSIGN_OR_RETURN(b.blue_score, r.read_u64_le("blue score"));
  BASALT_ASSIGN_OR_RETURN(b.step, r.read_u64_le("step"));
  BASALT_ASSIGN_OR_RETURN(b.txs, r.read_u32_le("txs"));
  BASALT_ASSIGN_OR_RETURN(b.failed, r.read_u32_le("failed"));
  BASALT_ASSIGN_OR_RETURN(const bool has_root, r.read_bool("has root"));
  if (has_root) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 root, r.read_hash32("root"));
    b.root = root;
  }
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t n, r.read_count(kMaxTxsPerBatch, 32, "tx ids"));
  for (std::uint64_t i = 0; i < n; ++i) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("tx id"));
    b.tx_ids.push_back(kaspa::TxId(id));
  }
  BASALT_TRY(r.expect_end("batch row"));
  return b;
}

core::Bytes encode_settlement(const SettlementRecord& s) {
  core::ByteWriter w;
  w.u64_le(s.seq);
  w.u64_le(s.first_batch);
  w.u64_le(s.last_batch);
  w.hash(s.anchor.hash());
  w.hash(s.tx_id.hash());
  w.u64_le(s.fee);
  w.u32_le(s.bumps);
  w.u8(static_cast<std::uint8_t>(s.status));
  w.u64_le(s.submitted_step);
  w.boolean(s.accepted_in.has_value());
  if (s.accepted_in) w.hash(s.accepted_in->hash());
  w.u64_le(s.accepted_step);
  w.u64_le(s.final_step);
  w.u64_le(s.latency_ms);
  put_text(w, s.detail);
  w.var_bytes(s.journal);
  w.hash(s.covenant_input.transaction_id.hash());
  w.u32_le(s.covenant_input.index);
  return w.take();
}

core::Result<SettlementRecord> decode_settlement(core::ByteSpan b) {
  core::ByteReader r(b);
  SettlementRecord s;
  BASALT_ASSIGN_OR_RETURN(s.seq, r.read_u64_le("seq"));
  BASALT_ASSIGN_OR_RETURN(s.first_batch, r.read_u64_le("first batch"));
  BASALT_ASSIGN_OR_RETURN(s.last_batch, r.read_u64_le("last batch"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 anchor, r.read_hash32("anchor"));
  s.anchor = kaspa::BlockHash(anchor);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("tx id"));
  s.tx_id = kaspa::TxId(id);
  BASALT_ASSIGN_OR_RETURN(s.fee, r.read_u64_le("fee"));
  BASALT_ASSIGN_OR_RETURN(s.bumps, r.read_u32_le("bumps"));
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t status, r.read_u8("status"));
  if (status > static_cast<std::uint8_t>(SettlementStatus::kSuperseded))
    return Error{ErrorCode::kUnknownTag, "settlement status " + std::to_string(status)};
  s.status = static_cast<SettlementStatus>(status);
  BASALT_ASSIGN_OR_RETURN(s.submitted_step, r.read_u64_le("submitted step"));
  BASALT_ASSIGN_OR_RETURN(const bool accepted, r.read_bool("accepted"));
  if (accepted) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 block, r.read_hash32("accepting block"));
    s.accepted_in = kaspa::BlockHash(block);
  }
  BASALT_ASSIGN_OR_RETURN(s.accepted_step, r.read_u64_le("accepted step"));
  BASALT_ASSIGN_OR_RETURN(s.final_step, r.read_u64_le("final step"));
  BASALT_ASSIGN_OR_RETURN(s.latency_ms, r.read_u64_le("latency"));
  BASALT_ASSIGN_OR_RETURN(s.detail, read_text(r, "detail"));
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan j, r.read_var_bytes(kMaxJournal, "journal"));
  s.journal.assign(j.begin(), j.end());
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 cov, r.read_hash32("covenant input"));
  s.covenant_input.transaction_id = kaspa::TxId(cov);
  BASALT_ASSIGN_OR_RETURN(s.covenant_input.index, r.read_u32_le("covenant input index"));
  BASALT_TRY(r.expect_end("settlement record"));
  return s;
}

core::Result<settle::CovenantOrigin> decode_covenant(core::ByteSpan b) {
  core::ByteReader r(b);
  settle::CovenantOrigin o;
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("covenant id"));
  o.id = kaspa::CovenantId(id);
  BASALT_ASSIGN_OR_RETURN(o.initial_root, r.read_hash32("initial root"));
  BASALT_TRY(r.expect_end("covenant"));
  return o;
}

}  // namespace

const char* settlement_status_name(SettlementStatus s) {
  switch (s) {
    case SettlementStatus::kSubmitted:
      return "submitted";
    case SettlementStatus::kAccepted:
      return "accepted";
    case SettlementStatus::kConfirmed:
      return "confirmed";
    case SettlementStatus::kRefused:
      return "refused";
    case SettlementStatus::kSuperseded:
      return "superseded";
  }
  return "?";
}

NodeIndex::~NodeIndex() = default;

core::Result<std::unique_ptr<NodeIndex>> NodeIndex::open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kIo, "cannot create " + dir + ": " + ec.message()};
  rocksdb::Options options;
  options.create_if_missing = true;
  // Bounded memory and descriptors over a long run (RocksDB's memtable default is 64 MiB), as the
  // state store; the API's connections need descriptors too.
  options.write_buffer_size = 8u << 20;
  options.max_open_files = 256;
  // The index grows with the chain; its tables' index and filter blocks live in a bounded cache
  // instead of in memory for every table, so the node's memory does not grow with it.
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(16u << 20);
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Damage is an error, never data dropped in silence: RocksDB's default recovery would drop
  // every write after a damaged log record — submissions the node answered "accepted" among them.
  // Only a record cut short at the very end (a write the node never confirmed) is let go.
  options.paranoid_checks = true;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (s.IsCorruption()) {
    return Error{ErrorCode::kCorrupt,
                 "node index " + dir + " is damaged" + damaged_file(dir) + ": " + s.ToString() +
                     "; it cannot be rebuilt yet: restore it from a backup, or start a new data "
                     "directory"};
  }
  if (!s.ok()) return io_error(s, "open " + dir);
  std::unique_ptr<NodeIndex> index(new NodeIndex());
  index->db_.reset(db);
  index->dir_ = dir;
  return index;
}

core::Result<std::optional<core::Bytes>> NodeIndex::get(const std::string& k) const {
  std::string v;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), k, &v);
  if (s.IsNotFound()) return std::optional<core::Bytes>();
  if (!s.ok()) return io_error(s, "read");
  return std::optional<core::Bytes>(core::Bytes(v.begin(), v.end()));
}

core::Status NodeIndex::put_batch(const BatchRow& row, const std::vector<TxRecord>& txs) {
  rocksdb::WriteBatch wb;
  wb.Put(key('b', row.id), slice(encode_batch(row)));
  core::ByteWriter id;
  id.u64_le(row.id);
  wb.Put(key('h', row.block.hash().span()), slice(id.data()));
  for (const TxRecord& t : txs) wb.Put(key('t', t.id.hash().span()), slice(encode_tx(t)));
  const rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok()) return io_error(s, "write batch " + std::to_string(row.id));
  return core::Status::Ok();
}

core::Status NodeIndex::set_root(std::uint64_t batch, const core::Hash32& root) {
  BASALT_ASSIGN_OR_RETURN(std::optional<BatchRow> row, this->batch(batch));
  if (!row) return Error{ErrorCode::kNotFound, "no batch " + std::to_string(batch)};
  row->root = root;
  const rocksdb::Status s =
      db_->Put(rocksdb::WriteOptions(), key('b', batch), slice(encode_batch(*row)));
  if (!s.ok()) return io_error(s, "write root of batch " + std::to_string(batch));
  return core::Status::Ok();
}

core::Status NodeIndex::rollback(std::uint64_t target, std::uint64_t executed_tip) {
  rocksdb::WriteBatch wb;
  for (std::uint64_t p = target + 1; p <= executed_tip; ++p) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<BatchRow> row, batch(p));
    if (!row) continue;
    wb.Delete(key('b', p));
    wb.Delete(key('h', row->block.hash().span()));
  }
  const rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok()) return io_error(s, "roll back to batch " + std::to_string(target));
  return core::Status::Ok();
}

core::Result<std::optional<BatchRow>> NodeIndex::batch(std::uint64_t id) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get(key('b', id)));
  if (!v) return std::optional<BatchRow>();
  BASALT_ASSIGN_OR_RETURN(BatchRow row, ours(decode_batch(*v), "batch " + std::to_string(id)));
  return std::optional<BatchRow>(std::move(row));
}

core::Result<std::optional<BatchRow>> NodeIndex::batch_by_block(
    const kaspa::BlockHash& block) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get(key('h', block.hash().span())));
  if (!v) return std::optional<BatchRow>();
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t id, stored_u64(*v, "block's batch id"));
  return batch(id);
}

core::Result<std::optional<TxRecord>> NodeIndex::tx(const kaspa::TxId& id) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get(key('t', id.hash().span())));
  if (!v) return std::optional<TxRecord>();
  BASALT_ASSIGN_OR_RETURN(TxRecord t, ours(decode_tx(*v), "tx record " + id.hex()));
  // Current while its block still maps to its batch (rollback deletes the mapping): an 8-byte
  // read, not the batch row with all its transaction ids.
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> mapped,
                          get(key('h', t.block.hash().span())));
  if (!mapped) return std::optional<TxRecord>();
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t batch, stored_u64(*mapped, "block's batch id"));
  if (batch != t.batch) return std::optional<TxRecord>();
  return std::optional<TxRecord>(std::move(t));
}

core::Result<std::optional<core::Bytes>> NodeIndex::receipt(const kaspa::TxId& id) const {
  return get(key('r', id.hash().span()));
}

core::Status NodeIndex::put_refusal(const kaspa::TxId& id, const std::string& why) {
  rocksdb::WriteBatch wb;
  wb.Put(key('x', id.hash().span()), why);
  wb.Delete(key('f', id.hash().span()));
  return write(wb, false, "write a refusal");
}

core::Result<std::optional<std::string>> NodeIndex::refusal(const kaspa::TxId& id) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get(key('x', id.hash().span())));
  if (!v) return std::optional<std::string>();
  return std::optional<std::string>(std::string(v->begin(), v->end()));
}

core::Status NodeIndex::set_proven(std::uint64_t batch) {
  core::ByteWriter w;
  w.u64_le(batch);
  const rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), "proven", slice(w.data()));
  if (!s.ok()) return io_error(s, "write proven tip");
  return core::Status::Ok();
}

core::Result<std::uint64_t> NodeIndex::proven() const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get("proven"));
  if (!v) return std::uint64_t{0};
  return stored_u64(*v, "proven tip");
}

core::Status NodeIndex::write(rocksdb::WriteBatch& wb, bool sync, const std::string& what) {
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  const rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) return io_error(s, what);
  return core::Status::Ok();
}

core::Status NodeIndex::put_in_flight(const std::vector<kaspa::TxId>& ids) {
  if (ids.empty()) return core::Status::Ok();
  rocksdb::WriteBatch wb;
  for (const kaspa::TxId& id : ids) wb.Put(key('f', id.hash().span()), rocksdb::Slice());
  return write(wb, true, "log submissions");
}

core::Status NodeIndex::resolve_in_flight(const kaspa::TxId& id) {
  rocksdb::WriteBatch wb;
  wb.Delete(key('f', id.hash().span()));
  return write(wb, false, "resolve a submission");
}

core::Result<std::vector<kaspa::TxId>> NodeIndex::in_flight() const {
  std::vector<kaspa::TxId> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, 'f')); it->Valid() && it->key()[0] == 'f'; it->Next()) {
    if (it->key().size() != 33) {
      return Error{ErrorCode::kCorrupt, "node index " + dir_ + ": a submission key of " +
                                            std::to_string(it->key().size()) + " bytes"};
    }
    core::Hash32 h;
    std::copy_n(reinterpret_cast<const std::uint8_t*>(it->key().data()) + 1, 32, h.bytes.begin());
    out.push_back(kaspa::TxId(h));
  }
  if (!it->status().ok()) return io_error(it->status(), "read submissions");
  return out;
}

core::Status NodeIndex::log_settlement(const SettlementRecord& record, core::ByteSpan receipt) {
  rocksdb::WriteBatch wb;
  wb.Put(key('S', record.seq), slice(encode_settlement(record)));
  if (!receipt.empty()) {
    wb.Put(key('A', record.seq),
           rocksdb::Slice(reinterpret_cast<const char*>(receipt.data()), receipt.size()));
  }
  return write(wb, true, "log settlement " + std::to_string(record.seq));
}

core::Status NodeIndex::put_settlement(const SettlementRecord& record) {
  rocksdb::WriteBatch wb;
  wb.Put(key('S', record.seq), slice(encode_settlement(record)));
  if (record.status == SettlementStatus::kConfirmed) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<SettlementRecord> before, settlement(record.seq));
    if (!before || before->status != SettlementStatus::kConfirmed) {
      BASALT_ASSIGN_OR_RETURN(const std::uint64_t n, confirmed_settlements());
      core::ByteWriter w;
      w.u64_le(n + 1);
      wb.Put("confirmed", slice(w.data()));
    }
  }
  return write(wb, false, "write settlement " + std::to_string(record.seq));
}

core::Result<std::uint64_t> NodeIndex::confirmed_settlements() const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get("confirmed"));
  if (!v) return std::uint64_t{0};
  return stored_u64(*v, "confirmed settlements");
}

core::Result<std::optional<SettlementRecord>> NodeIndex::settlement(std::uint64_t seq) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get(key('S', seq)));
  if (!v) return std::optional<SettlementRecord>();
  BASALT_ASSIGN_OR_RETURN(SettlementRecord rec,
                          ours(decode_settlement(*v), "settlement " + std::to_string(seq)));
  return std::optional<SettlementRecord>(std::move(rec));
}

core::Result<std::vector<SettlementRecord>> NodeIndex::settlements(std::uint64_t before,
                                                                   std::size_t limit) const {
  std::vector<SettlementRecord> out;
  if (before == 0) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekForPrev(key('S', before - 1));
       it->Valid() && out.size() < limit && it->key()[0] == 'S'; it->Prev()) {
    const rocksdb::Slice v = it->value();
    BASALT_ASSIGN_OR_RETURN(
        SettlementRecord rec,
        ours(decode_settlement({reinterpret_cast<const std::uint8_t*>(v.data()), v.size()}),
             "settlement record"));
    out.push_back(std::move(rec));
  }
  if (!it->status().ok()) return io_error(it->status(), "read settlements");
  return out;
}

core::Result<std::optional<core::Bytes>> NodeIndex::settlement_receipt(std::uint64_t seq) const {
  return get(key('A', seq));
}

core::Status NodeIndex::put_batch_receipt(
    std::uint64_t batch, core::ByteSpan receipt,
    const std::vector<std::pair<kaspa::TxId, core::Bytes>>& txs) {
  rocksdb::WriteBatch wb;
  wb.Put(key('B', batch),
         rocksdb::Slice(reinterpret_cast<const char*>(receipt.data()), receipt.size()));
  for (const auto& [id, r] : txs) wb.Put(key('r', id.hash().span()), slice(r));
  return write(wb, false, "write the receipts of batch " + std::to_string(batch));
}

core::Result<std::optional<core::Bytes>> NodeIndex::batch_receipt(std::uint64_t batch) const {
  return get(key('B', batch));
}

core::Status NodeIndex::log_covenant(const settle::CovenantOrigin& origin) {
  core::ByteWriter w;
  w.hash(origin.id.hash());
  w.hash(origin.initial_root);
  rocksdb::WriteBatch wb;
  wb.Put("covenant", slice(w.data()));
  return write(wb, true, "log the covenant");
}

core::Result<std::optional<settle::CovenantOrigin>> NodeIndex::covenant() const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get("covenant"));
  if (!v) return std::optional<settle::CovenantOrigin>();
  BASALT_ASSIGN_OR_RETURN(settle::CovenantOrigin o, ours(decode_covenant(*v), "covenant"));
  return std::optional<settle::CovenantOrigin>(o);
}

std::uint64_t NodeIndex::disk_bytes() const {
  return core::directory_bytes(dir_);
}

}  // namespace basalt::node
