#include "l1/sim/embedded.hpp"

#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "core/byte_writer.hpp"
#include "core/files.hpp"
#include "crypto/sha256.hpp"

namespace basalt::l1::sim {

namespace {

using core::Error;
using core::ErrorCode;

// The journal holds transactions the simulator took, settlements with their receipts among them:
// bounded well above any of those.
constexpr std::uint32_t kMaxRecord = 64u << 20;
constexpr std::uint64_t kMaxJournal = std::uint64_t{1} << 40;
constexpr std::size_t kHeader = 8;

std::array<std::uint8_t, 4> check_of(core::ByteSpan payload) {
  const core::Hash32 h = crypto::sha256(payload);
  return {h.bytes[0], h.bytes[1], h.bytes[2], h.bytes[3]};
}

}  // namespace

core::Bytes encode_journal_record(JournalRecord kind, core::ByteSpan body) {
  core::Bytes payload;
  payload.reserve(body.size() + 1);
  payload.push_back(static_cast<std::uint8_t>(kind));
  payload.insert(payload.end(), body.begin(), body.end());
  core::ByteWriter w(kHeader + payload.size());
  w.u32_le(static_cast<std::uint32_t>(payload.size()));
  w.bytes(check_of(payload));
  w.bytes(payload);
  return w.take();
}

core::Result<JournalScan> scan_journal(core::ByteSpan data) {
  JournalScan scan;
  const auto corrupt = [](std::size_t at, const std::string& why) {
    return Error{ErrorCode::kCorrupt, "damaged at byte " + std::to_string(at) + ": " + why};
  };
  std::size_t at = 0;
  while (data.size() - at >= kHeader) {
    std::uint32_t len = 0;
    for (int i = 3; i >= 0; --i) len = len << 8 | data[at + i];
    if (len == 0 || len > kMaxRecord) return corrupt(at, "bad record length");
    if (data.size() - at - kHeader < len) break;
    const core::ByteSpan payload = data.subspan(at + kHeader, len);
    if (std::memcmp(check_of(payload).data(), data.data() + at + 4, 4) != 0) {
      if (at + kHeader + len == data.size()) break;
      return corrupt(at, "checksum mismatch");
    }
    JournalEntry e;
    e.kind = static_cast<JournalRecord>(payload[0]);
    const core::ByteSpan body = payload.subspan(1);
    if (e.kind == JournalRecord::kSubmit || e.kind == JournalRecord::kReplace) {
      auto tx = kaspa::deserialize_transaction(body, kMaxRecord);
      if (!tx.ok()) return corrupt(at, tx.error().to_string());
      e.tx = std::move(tx).value();
    } else if (e.kind != JournalRecord::kBlock || !body.empty()) {
      return corrupt(at, "unknown record");
    }
    scan.entries.push_back(std::move(e));
    at += kHeader + len;
    scan.valid_bytes = at;
  }
  return scan;
}

Embedded::Embedded(const EmbeddedOptions& options) : options_(options), sim_(options.params) {
  if (options_.load) sim_.set_load(options_.load);
  sim_.set_zk_verifier(options_.zk);
}

Embedded::~Embedded() {
  if (file_ != nullptr) std::fclose(file_);
}

core::Result<std::unique_ptr<Embedded>> Embedded::open(EmbeddedOptions options) {
  std::unique_ptr<Embedded> e(new Embedded(options));
  BASALT_TRY(e->replay());
  e->file_ = std::fopen(e->options_.journal_path.c_str(), "ab");
  if (e->file_ == nullptr)
    return Error{ErrorCode::kIo, "cannot open " + e->options_.journal_path + " for appending"};
  return e;
}

core::Status Embedded::replay() {
  const std::string& path = options_.journal_path;
  if (!std::filesystem::exists(path)) return core::Status::Ok();
  BASALT_ASSIGN_OR_RETURN(const core::Bytes data, core::read_file(path, kMaxJournal));
  auto scan = scan_journal(data);
  if (!scan.ok()) {
    return Error{ErrorCode::kCorrupt,
                 "the embedded L1's journal " + path + " is " + scan.error().context()};
  }
  for (std::size_t i = 0; i < scan->entries.size(); ++i) {
    const JournalEntry& e = scan->entries[i];
    core::Status st = core::Status::Ok();
    if (e.kind == JournalRecord::kBlock) {
      st = sim_.produce_block();
      ++steps_;
    } else {
      st = e.kind == JournalRecord::kSubmit ? sim_.submit_transaction(e.tx)
                                            : sim_.submit_transaction_replacement(e.tx);
    }
    if (!st.ok()) {
      return Error{ErrorCode::kCorrupt, "the embedded L1's journal " + path + ": record " +
                                            std::to_string(i) + " does not replay (" +
                                            st.error().to_string() + ")"};
    }
  }
  // Nobody heard of a torn record: it goes, so that the next one follows the last whole one.
  if (scan->valid_bytes < data.size()) std::filesystem::resize_file(path, scan->valid_bytes);
  return core::Status::Ok();
}

core::Status Embedded::append(JournalRecord kind, core::ByteSpan body) {
  const core::Bytes rec = encode_journal_record(kind, body);
  if (std::fwrite(rec.data(), 1, rec.size(), file_) != rec.size() || std::fflush(file_) != 0 ||
      (options_.sync && ::fdatasync(fileno(file_)) != 0)) {
    return Error{ErrorCode::kIo, "cannot write " + options_.journal_path};
  }
  return core::Status::Ok();
}

core::Status Embedded::produce_block() {
  BASALT_TRY(sim_.produce_block());
  ++steps_;
  return append(JournalRecord::kBlock, {});
}

core::Status Embedded::submit_transaction(const kaspa::Transaction& tx) {
  BASALT_TRY(sim_.submit_transaction(tx));
  return append(JournalRecord::kSubmit, kaspa::serialize_transaction(tx));
}

core::Status Embedded::submit_transaction_replacement(const kaspa::Transaction& tx) {
  BASALT_TRY(sim_.submit_transaction_replacement(tx));
  return append(JournalRecord::kReplace, kaspa::serialize_transaction(tx));
}

}  // namespace basalt::l1::sim
