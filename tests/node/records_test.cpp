// The node index's records: each round-trips, has fixed bytes (golden: a change of layout must be
// deliberate), and is refused when cut short, extended or given an unknown tag.
#include "node/records.hpp"

#include <gtest/gtest.h>

#include "node/driver.hpp"

namespace basalt::node {
namespace {

TxRecord tx_record() {
  TxRecord t;
  t.id = kaspa::TxId(core::Hash32::filled(1));
  t.batch = 7;
  t.block = kaspa::BlockHash(core::Hash32::filled(2));
  t.merge_idx = 3;
  t.ok = false;
  t.reason = "app:overdraft";
  t.detail = "x";
  t.cycles = 1000;
  t.journal = {0xaa, 0xbb};
  return t;
}

BatchRow batch_row() {
  BatchRow b;
  b.id = 7;
  b.block = kaspa::BlockHash(core::Hash32::filled(2));
  b.blue_score = 12;
  b.step = 5;
  b.txs = 2;
  b.failed = 1;
  b.root = core::Hash32::filled(4);
  b.tx_ids = {kaspa::TxId(core::Hash32::filled(1)), kaspa::TxId(core::Hash32::filled(5))};
  return b;
}

SettlementRecord settlement_record() {
  SettlementRecord s;
  s.seq = 2;
  s.first_batch = 11;
  s.last_batch = 20;
  s.anchor = kaspa::BlockHash(core::Hash32::filled(6));
  s.tx_id = kaspa::TxId(core::Hash32::filled(7));
  s.fee = 5000;
  s.bumps = 1;
  s.status = SettlementStatus::kAccepted;
  s.submitted_step = 30;
  s.accepted_in = kaspa::BlockHash(core::Hash32::filled(8));
  s.accepted_step = 31;
  s.latency_ms = 0;
  s.detail = "";
  s.journal = {1, 2, 3};
  s.covenant_input = {kaspa::TxId(core::Hash32::filled(9)), 0};
  return s;
}

// Cut short anywhere, or with a byte more: refused.
template <typename Decode>
void expect_exact(const core::Bytes& bytes, Decode decode) {
  for (std::size_t n = 0; n < bytes.size(); ++n)
    EXPECT_FALSE(decode(core::ByteSpan(bytes).first(n)).ok()) << "cut at " << n;
  core::Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(decode(longer).ok());
}

TEST(IndexRecords, TxRecordRoundTripsWithFixedBytes) {
  const core::Bytes b = encode_tx_record(tx_record());
  EXPECT_EQ(core::to_hex(b),
            "0101010101010101010101010101010101010101010101010101010101010101"
            "0700000000000000020202020202020202020202020202020202020202020202"
            "020202020202020203000000000d006170703a6f7665726472616674010078e8"
            "030000000000000200000000000000aabb");
  auto d = decode_tx_record(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(encode_tx_record(*d), b);
  EXPECT_EQ(d->reason, "app:overdraft");
  expect_exact(b, decode_tx_record);
}

TEST(IndexRecords, BatchRowRoundTripsWithFixedBytes) {
  const core::Bytes b = encode_batch_row(batch_row());
  EXPECT_EQ(core::to_hex(b),
            "0700000000000000020202020202020202020202020202020202020202020202"
            "02020202020202020c0000000000000005000000000000000200000001000000"
            "0104040404040404040404040404040404040404040404040404040404040404"
            "0402000000000000000101010101010101010101010101010101010101010101"
            "0101010101010101010505050505050505050505050505050505050505050505"
            "050505050505050505");
  auto d = decode_batch_row(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(encode_batch_row(*d), b);
  EXPECT_EQ(d->tx_ids.size(), 2u);
  expect_exact(b, decode_batch_row);
  BatchRow no_root = batch_row();
  no_root.root.reset();
  auto d2 = decode_batch_row(encode_batch_row(no_root));
  ASSERT_TRUE(d2.ok());
  EXPECT_FALSE(d2->root.has_value());
}

TEST(IndexRecords, SettlementRecordRoundTripsWithFixedBytes) {
  const core::Bytes b = encode_settlement_record(settlement_record());
  EXPECT_EQ(core::to_hex(b),
            "02000000000000000b0000000000000014000000000000000606060606060606"
            "0606060606060606060606060606060606060606060606060707070707070707"
            "0707070707070707070707070707070707070707070707078813000000000000"
            "01000000011e0000000000000001080808080808080808080808080808080808"
            "08080808080808080808080808081f0000000000000000000000000000000000"
            "0000000000000000030000000000000001020309090909090909090909090909"
            "0909090909090909090909090909090909090900000000");
  auto d = decode_settlement_record(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(encode_settlement_record(*d), b);
  EXPECT_EQ(d->covenant_input.transaction_id, kaspa::TxId(core::Hash32::filled(9)));
  expect_exact(b, decode_settlement_record);
  // The status byte follows seq, batches, anchor, tx id, fee and bumps.
  core::Bytes unknown = b;
  unknown[3 * 8 + 32 + 32 + 8 + 4] = 9;
  auto bad = decode_settlement_record(unknown);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), core::ErrorCode::kUnknownTag);
}

TEST(IndexRecords, CovenantOriginAndBatchExtraHaveFixedBytes) {
  const settle::CovenantOrigin o{kaspa::CovenantId(core::Hash32::filled(3)),
                                 core::Hash32::filled(4)};
  const core::Bytes b = encode_covenant_origin(o);
  EXPECT_EQ(b.size(), 64u);
  auto d = decode_covenant_origin(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(encode_covenant_origin(*d), b);
  expect_exact(b, decode_covenant_origin);
  BatchRecordExtra e;
  e.step = 1;
  e.blue_score = 2;
  e.lane_tip = kaspa::LaneTip(core::Hash32::filled(5));
  e.lane_blue_score = 3;
  const core::Bytes x = encode_batch_extra(e);
  EXPECT_EQ(core::to_hex(x),
            "0100000000000000020000000000000005050505050505050505050505050505"
            "050505050505050505050505050505050300000000000000");
  expect_exact(x, decode_batch_extra);
}

TEST(IndexRecords, ExitEventHasFixedBytesAndAKnownKind) {
  const ExitEvent e{ExitEvent::Kind::kClaimed, 7, kaspa::TxId(core::Hash32::filled(6)), 3};
  const core::Bytes b = encode_exit_event(e);
  EXPECT_EQ(core::to_hex(b),
            "020700000000000000060606060606060606060606060606060606060606060606060606060606"
            "060603000000");
  auto d = decode_exit_event(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, e);
  expect_exact(b, decode_exit_event);
  core::Bytes unknown = b;
  unknown[0] = 4;
  auto bad = decode_exit_event(unknown);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), core::ErrorCode::kUnknownTag);
}

TEST(IndexRecords, TextLongerThanTheBoundIsRefused) {
  TxRecord t = tx_record();
  t.reason = std::string(5000, 'r');  // the encoder keeps 4 096 bytes
  auto d = decode_tx_record(encode_tx_record(t));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->reason.size(), 4096u);
  core::Bytes b = encode_tx_record(tx_record());
  // reason's length field: after id, batch, block, merge_idx and ok.
  const std::size_t at = 32 + 8 + 32 + 4 + 1;
  b[at] = 0x01;
  b[at + 1] = 0x10;  // 4 097
  EXPECT_FALSE(decode_tx_record(b).ok());
}

}  // namespace
}  // namespace basalt::node
