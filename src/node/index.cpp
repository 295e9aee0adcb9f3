#include "node/index.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <fstream>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/files.hpp"
#include "node/records.hpp"
#include "state/rocks.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

Error io_error(const rocksdb::Status& s, const std::string& what) {
  return state::rocks::error(s, "node index: " + what);
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
  return std::string(1, tag) + state::rocks::be64(v);
}

using state::rocks::slice;

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
  // Bounded memory and descriptors over a long run; the index grows with the chain, so its tables'
  // index and filter blocks live in the bounded cache too.
  rocksdb::Options options = state::rocks::base_options(256);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(
      state::rocks::table_options(16u << 20, /*bounded_index=*/true)));
  // Damage is an error, never data dropped in silence: RocksDB's default recovery would drop
  // every write after a damaged log record — submissions the node answered "accepted" among them.
  // Only a record cut short at the very end (a write the node never confirmed) is let go.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (s.IsCorruption()) {
    return Error{
        ErrorCode::kCorrupt,
        "node index " + dir + " is damaged" + damaged_file(dir) + ": " + s.ToString() +
            "; `basalt node --rebuild-index` builds a new one from the state store and L1"};
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

core::Status NodeIndex::put_batch(const BatchRow& row, const std::vector<TxRecord>& txs,
                                  core::ByteSpan activity) {
  rocksdb::WriteBatch wb;
  wb.Put(key('b', row.id), slice(encode_batch_row(row)));
  if (!activity.empty()) wb.Put(key('a', row.id), slice(activity));
  core::ByteWriter id;
  id.u64_le(row.id);
  wb.Put(key('h', row.block.hash().span()), slice(id.data()));
  for (const TxRecord& t : txs) wb.Put(key('t', t.id.hash().span()), slice(encode_tx_record(t)));
  const rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok()) return io_error(s, "write batch " + std::to_string(row.id));
  return core::Status::Ok();
}

core::Status NodeIndex::set_root(std::uint64_t batch, const core::Hash32& root) {
  BASALT_ASSIGN_OR_RETURN(std::optional<BatchRow> row, this->batch(batch));
  if (!row) return Error{ErrorCode::kNotFound, "no batch " + std::to_string(batch)};
  row->root = root;
  const rocksdb::Status s =
      db_->Put(rocksdb::WriteOptions(), key('b', batch), slice(encode_batch_row(*row)));
  if (!s.ok()) return io_error(s, "write root of batch " + std::to_string(batch));
  return core::Status::Ok();
}

core::Status NodeIndex::rollback(std::uint64_t target, std::uint64_t executed_tip) {
  rocksdb::WriteBatch wb;
  for (std::uint64_t p = target + 1; p <= executed_tip; ++p) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<BatchRow> row, batch(p));
    if (!row) continue;
    wb.Delete(key('b', p));
    wb.Delete(key('a', p));
    wb.Delete(key('h', row->block.hash().span()));
  }
  const rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &wb);
  if (!s.ok()) return io_error(s, "roll back to batch " + std::to_string(target));
  return core::Status::Ok();
}

core::Result<std::optional<BatchRow>> NodeIndex::batch(std::uint64_t id) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get(key('b', id)));
  if (!v) return std::optional<BatchRow>();
  BASALT_ASSIGN_OR_RETURN(BatchRow row, ours(decode_batch_row(*v), "batch " + std::to_string(id)));
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
  BASALT_ASSIGN_OR_RETURN(TxRecord t, ours(decode_tx_record(*v), "tx record " + id.hex()));
  // Current while its block still maps to its batch (rollback deletes the mapping): an 8-byte
  // read, not the batch row with all its transaction ids.
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> mapped,
                          get(key('h', t.block.hash().span())));
  if (!mapped) return std::optional<TxRecord>();
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t batch, stored_u64(*mapped, "block's batch id"));
  if (batch != t.batch) return std::optional<TxRecord>();
  return std::optional<TxRecord>(std::move(t));
}

core::Result<std::optional<core::Bytes>> NodeIndex::activity(std::uint64_t batch) const {
  return get(key('a', batch));
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
  wb.Put(key('S', record.seq), slice(encode_settlement_record(record)));
  if (!receipt.empty()) {
    wb.Put(key('A', record.seq),
           rocksdb::Slice(reinterpret_cast<const char*>(receipt.data()), receipt.size()));
  }
  return write(wb, true, "log settlement " + std::to_string(record.seq));
}

core::Status NodeIndex::put_settlement(const SettlementRecord& record) {
  rocksdb::WriteBatch wb;
  wb.Put(key('S', record.seq), slice(encode_settlement_record(record)));
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
                          ours(decode_settlement_record(*v), "settlement " + std::to_string(seq)));
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
        ours(decode_settlement_record({reinterpret_cast<const std::uint8_t*>(v.data()), v.size()}),
             "settlement record"));
    out.push_back(std::move(rec));
  }
  if (!it->status().ok()) return io_error(it->status(), "read settlements");
  return out;
}

namespace {

std::string exit_event_key(std::uint64_t seq, std::uint64_t n) {
  return key('E', seq) + state::rocks::be64(n);
}

}  // namespace

core::Status NodeIndex::put_exit_event(std::uint64_t seq, std::uint64_t n, const ExitEvent& e) {
  rocksdb::WriteBatch wb;
  wb.Put(exit_event_key(seq, n), slice(encode_exit_event(e)));
  return write(wb, false, "write an exit event of settlement " + std::to_string(seq));
}

core::Result<std::vector<ExitEvent>> NodeIndex::exit_events(std::uint64_t seq) const {
  std::vector<ExitEvent> out;
  const std::string prefix = key('E', seq);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const rocksdb::Slice v = it->value();
    BASALT_ASSIGN_OR_RETURN(ExitEvent e, ours(decode_exit_event(state::rocks::span(v)),
                                              "exit event of settlement " + std::to_string(seq)));
    out.push_back(e);
  }
  if (!it->status().ok()) return io_error(it->status(), "read exit events");
  return out;
}

core::Status NodeIndex::drop_exit_events(std::uint64_t seq, std::uint64_t n) {
  rocksdb::WriteBatch wb;
  wb.DeleteRange(exit_event_key(seq, n), key('E', seq + 1));
  return write(wb, false, "drop exit events of settlement " + std::to_string(seq));
}

core::Result<std::map<std::uint64_t, std::vector<ExitEvent>>> NodeIndex::all_exit_events() const {
  std::map<std::uint64_t, std::vector<ExitEvent>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, 'E')); it->Valid() && it->key()[0] == 'E'; it->Next()) {
    const rocksdb::Slice k = it->key(), v = it->value();
    if (k.size() != 1 + 8 + 8) return Error{ErrorCode::kCorrupt, "node index: damaged exit key"};
    const std::uint64_t seq = state::rocks::read_be64(rocksdb::Slice(k.data() + 1, 8));
    BASALT_ASSIGN_OR_RETURN(ExitEvent e, ours(decode_exit_event(state::rocks::span(v)),
                                              "exit event of settlement " + std::to_string(seq)));
    out[seq].push_back(e);
  }
  if (!it->status().ok()) return io_error(it->status(), "read exit events");
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
  rocksdb::WriteBatch wb;
  wb.Put("covenant", slice(encode_covenant_origin(origin)));
  return write(wb, true, "log the covenant");
}

core::Result<std::optional<settle::CovenantOrigin>> NodeIndex::covenant() const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> v, get("covenant"));
  if (!v) return std::optional<settle::CovenantOrigin>();
  BASALT_ASSIGN_OR_RETURN(settle::CovenantOrigin o, ours(decode_covenant_origin(*v), "covenant"));
  return std::optional<settle::CovenantOrigin>(o);
}

std::uint64_t NodeIndex::disk_bytes() const {
  return core::directory_bytes(dir_);
}

}  // namespace basalt::node
