#include "node/records.hpp"

#include <algorithm>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace basalt::node {

namespace {

constexpr std::size_t kMaxText = 4096;
constexpr std::size_t kMaxJournal = 1u << 20;
constexpr std::size_t kMaxTxsPerBatch = 1u << 20;

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
  if (n > kMaxText) {
    return core::Error{core::ErrorCode::kInvalid,
                       std::string(what) + ": longer than " + std::to_string(kMaxText) + " bytes"};
  }
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan b, r.read_bytes(n, what));
  return std::string(b.begin(), b.end());
}

}  // namespace

core::Bytes encode_tx_record(const TxRecord& t) {
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

core::Result<TxRecord> decode_tx_record(core::ByteSpan b) {
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

core::Bytes encode_batch_row(const BatchRow& b) {
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

core::Result<BatchRow> decode_batch_row(core::ByteSpan bytes) {
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

core::Bytes encode_settlement_record(const SettlementRecord& s) {
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

core::Result<SettlementRecord> decode_settlement_record(core::ByteSpan b) {
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
    return core::Error{core::ErrorCode::kUnknownTag, "settlement status " + std::to_string(status)};
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

core::Result<settle::CovenantOrigin> decode_covenant_origin(core::ByteSpan b) {
  core::ByteReader r(b);
  settle::CovenantOrigin o;
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("covenant id"));
  o.id = kaspa::CovenantId(id);
  BASALT_ASSIGN_OR_RETURN(o.initial_root, r.read_hash32("initial root"));
  BASALT_TRY(r.expect_end("covenant"));
  return o;
}

core::Bytes encode_covenant_origin(const settle::CovenantOrigin& o) {
  core::ByteWriter w(64);
  w.hash(o.id.hash());
  w.hash(o.initial_root);
  return w.take();
}

core::Bytes encode_exit_event(const ExitEvent& e) {
  core::ByteWriter w(1 + 8 + 32 + 4);
  w.u8(static_cast<std::uint8_t>(e.kind));
  w.u64_le(e.position);
  w.hash(e.tx_id.hash());
  w.u32_le(e.index);
  return w.take();
}

core::Result<ExitEvent> decode_exit_event(core::ByteSpan b) {
  core::ByteReader r(b);
  ExitEvent e;
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t kind, r.read_u8("exit event kind"));
  if (kind < 1 || kind > 3) {
    return core::Error{core::ErrorCode::kUnknownTag, "exit event kind " + std::to_string(kind)};
  }
  e.kind = static_cast<ExitEvent::Kind>(kind);
  BASALT_ASSIGN_OR_RETURN(e.position, r.read_u64_le("exit event position"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("exit event tx id"));
  e.tx_id = kaspa::TxId(id);
  BASALT_ASSIGN_OR_RETURN(e.index, r.read_u32_le("exit event index"));
  BASALT_TRY(r.expect_end("exit event"));
  return e;
}

}  // namespace basalt::node
