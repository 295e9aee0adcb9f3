// The node index's persisted records, byte for byte (little-endian integers; text as u16 length and
// at most 4 096 bytes; journals as var bytes). Decoders are bounds-checked, reject trailing bytes
// and re-encode what they accept to the same bytes (tests/node/records_test.cpp,
// fuzz/node_records).
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "node/index.hpp"

namespace basalt::node {

// tx id 32 ‖ batch u64 ‖ block 32 ‖ merge_idx u32 ‖ ok u8 ‖ reason text ‖ detail text ‖ cycles u64
// ‖ journal var bytes.
core::Bytes encode_tx_record(const TxRecord& t);
core::Result<TxRecord> decode_tx_record(core::ByteSpan b);
// id u64 ‖ block 32 ‖ blue score u64 ‖ step u64 ‖ txs u32 ‖ failed u32 ‖ has root u8 [‖ root 32] ‖
// count u64 ‖ count × tx id 32.
core::Bytes encode_batch_row(const BatchRow& b);
core::Result<BatchRow> decode_batch_row(core::ByteSpan b);
// seq, first and last batch u64 ‖ anchor 32 ‖ tx id 32 ‖ fee u64 ‖ bumps u32 ‖ status u8 ‖
// submitted step u64 ‖ accepted u8 [‖ block 32] ‖ accepted step, final step, latency ms u64 ‖
// detail text ‖ journal var bytes ‖ covenant input (tx id 32 ‖ index u32).
core::Bytes encode_settlement_record(const SettlementRecord& s);
core::Result<SettlementRecord> decode_settlement_record(core::ByteSpan b);
// kind u8 (1 appeared, 2 claimed, 3 claimed the last) ‖ position u64 ‖ tx id 32 ‖ index u32.
core::Bytes encode_exit_event(const ExitEvent& e);
core::Result<ExitEvent> decode_exit_event(core::ByteSpan b);
// covenant id 32 ‖ initial state root 32.
core::Bytes encode_covenant_origin(const settle::CovenantOrigin& o);
core::Result<settle::CovenantOrigin> decode_covenant_origin(core::ByteSpan b);

}  // namespace basalt::node
