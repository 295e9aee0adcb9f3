// The embedded L1's journal: reopened, the simulator stands where it stood (blocks, accepted
// transactions, a replacement); a record torn at the end is dropped, damage before the end is
// corruption naming the file; the record layout byte for byte.
#include "l1/sim/embedded.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/files.hpp"
#include "test_util.hpp"

namespace basalt::l1::sim {
namespace {

EmbeddedOptions options(const std::string& dir) {
  EmbeddedOptions o;
  o.params.seed = 11;
  o.params.finality_depth = 30;
  o.params.reorg_every = 5;
  o.params.reorg_depth = 2;
  o.journal_path = dir + "/journal";
  o.sync = false;
  return o;
}

std::unique_ptr<Embedded> open_ok(const EmbeddedOptions& o) {
  auto e = Embedded::open(o);
  EXPECT_TRUE(e.ok()) << e.error().to_string();
  return e.ok() ? std::move(e).value() : nullptr;
}

// Pays `fee` less than the output to a fresh P2PK script of the same key.
kaspa::Transaction spend(const Embedded& l1, std::uint64_t fee) {
  const crypto::SecretKey& key = l1.faucet_key();
  const auto out = (*l1.spendable(kaspa::p2pk_script(key.public_key()))).front();
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = kaspa::kNativeLaneId;
  kaspa::TxInput in;
  in.previous_outpoint = out.first;
  in.compute_commit.kind = kaspa::ComputeCommit::Kind::kComputeBudget;
  tx.inputs.push_back(in);
  tx.outputs.push_back({out.second.amount - fee, kaspa::p2pk_script(key.public_key()), {}});
  kaspa::sign_p2pk_input(tx, 0, out.second, key, core::Hash32::from_byte(3));
  return tx;
}

struct Seen {
  kaspa::BlockHash tip;
  std::uint64_t steps = 0;
  std::size_t chain = 0;
};
Seen seen(const Embedded& l1) {
  return {l1.sim().chain().back().hash, l1.steps(), l1.sim().chain().size()};
}

TEST(EmbeddedL1, ReopenedItStandsWhereItStood) {
  test::TempDir dir;
  const EmbeddedOptions o = options(dir.path());
  Seen before;
  kaspa::TxId paid, replaced, replacement;
  {
    auto l1 = open_ok(o);
    ASSERT_TRUE(l1);
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(l1->produce_block().ok());
    const kaspa::Transaction tx = spend(*l1, 100'000);
    ASSERT_TRUE(l1->submit_transaction(tx).ok());
    paid = kaspa::tx_id(tx);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(l1->produce_block().ok());
    const kaspa::Transaction low = spend(*l1, 100'000);
    const kaspa::Transaction high = spend(*l1, 500'000);
    ASSERT_TRUE(l1->submit_transaction(low).ok());
    ASSERT_TRUE(l1->submit_transaction_replacement(high).ok());
    replaced = kaspa::tx_id(low);
    replacement = kaspa::tx_id(high);
    // Refused: nothing of it may be journaled.
    EXPECT_FALSE(l1->submit_transaction(high).ok());
    for (int i = 0; i < 9; ++i) ASSERT_TRUE(l1->produce_block().ok());
    before = seen(*l1);
    ASSERT_GT(l1->sim().reorgs(), 0u);
  }
  auto l1 = open_ok(o);
  ASSERT_TRUE(l1);
  const Seen after = seen(*l1);
  EXPECT_EQ(after.tip, before.tip);
  EXPECT_EQ(after.steps, before.steps);
  EXPECT_EQ(after.chain, before.chain);
  // Accepted on the chain again (the replacement may spend what `paid` paid: both pay the faucet).
  const auto accepted = [&](const kaspa::TxId& id) {
    for (const auto& c : l1->sim().chain())
      for (const auto& a : c.accepted)
        if (a.tx_id == id) return true;
    return false;
  };
  EXPECT_TRUE(accepted(paid));
  EXPECT_TRUE(accepted(replacement));
  EXPECT_TRUE(l1->sim().utxo({replacement, 0}).has_value());
  EXPECT_NE(l1->refusal(replaced), "");
  // It goes on from there: one more block, and a third opening agrees.
  ASSERT_TRUE(l1->produce_block().ok());
  const Seen more = seen(*l1);
  l1.reset();
  auto again = open_ok(o);
  ASSERT_TRUE(again);
  EXPECT_EQ(seen(*again).tip, more.tip);
  EXPECT_EQ(seen(*again).steps, before.steps + 1);
}

TEST(EmbeddedL1, ATornRecordAtTheEndIsDropped) {
  test::TempDir dir;
  const EmbeddedOptions o = options(dir.path());
  Seen before;
  {
    auto l1 = open_ok(o);
    ASSERT_TRUE(l1);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(l1->produce_block().ok());
    before = seen(*l1);
  }
  const auto whole = std::filesystem::file_size(o.journal_path);
  const core::Bytes rec = encode_journal_record(JournalRecord::kBlock, {});
  for (const std::size_t cut : {std::size_t{3}, rec.size() - 1}) {
    {
      std::ofstream f(o.journal_path, std::ios::binary | std::ios::app);
      f.write(reinterpret_cast<const char*>(rec.data()), static_cast<std::streamsize>(cut));
    }
    auto l1 = open_ok(o);
    ASSERT_TRUE(l1);
    EXPECT_EQ(seen(*l1).tip, before.tip) << "cut at " << cut;
    EXPECT_EQ(std::filesystem::file_size(o.journal_path), whole);
  }
  // A whole last record failing its check was never confirmed either.
  core::Bytes bad = rec;
  bad[4] ^= 1;
  {
    std::ofstream f(o.journal_path, std::ios::binary | std::ios::app);
    f.write(reinterpret_cast<const char*>(bad.data()), static_cast<std::streamsize>(bad.size()));
  }
  auto l1 = open_ok(o);
  ASSERT_TRUE(l1);
  EXPECT_EQ(seen(*l1).steps, before.steps);
  ASSERT_TRUE(l1->produce_block().ok());
  l1.reset();
  auto again = open_ok(o);
  ASSERT_TRUE(again);
  EXPECT_EQ(seen(*again).steps, before.steps + 1);
}

TEST(EmbeddedL1, DamageBeforeTheEndIsCorruptionNamingTheFile) {
  test::TempDir dir;
  const EmbeddedOptions o = options(dir.path());
  {
    auto l1 = open_ok(o);
    ASSERT_TRUE(l1);
    ASSERT_TRUE(l1->submit_transaction(spend(*l1, 100'000)).ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(l1->produce_block().ok());
  }
  core::Bytes data = *core::read_file(o.journal_path, 1 << 20);
  data[20] ^= 0x40;  // inside the first record's transaction
  {
    std::ofstream f(o.journal_path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  }
  auto l1 = Embedded::open(o);
  ASSERT_FALSE(l1.ok());
  EXPECT_EQ(l1.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(l1.error().context().find(o.journal_path), std::string::npos);
  EXPECT_NE(l1.error().context().find("byte 0"), std::string::npos);
  // Another seed does not replay this journal's transactions: corruption too, not a new chain.
  { std::ofstream f(o.journal_path, std::ios::binary | std::ios::trunc); }
  {
    auto fresh = open_ok(o);
    ASSERT_TRUE(fresh);
    ASSERT_TRUE(fresh->submit_transaction(spend(*fresh, 100'000)).ok());
  }
  EmbeddedOptions other = o;
  other.params.seed = 12;
  auto mixed = Embedded::open(other);
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().code(), core::ErrorCode::kCorrupt);
  EXPECT_NE(mixed.error().context().find("does not replay"), std::string::npos);
}

TEST(EmbeddedL1, RecordLayoutGoldenBytes) {
  // kBlock: length 1, the first 4 bytes of SHA-256(0x03), the kind.
  EXPECT_EQ(core::to_hex(encode_journal_record(JournalRecord::kBlock, {})), "01000000084fed0803");
  const core::Bytes body = {0xaa, 0xbb};
  const core::Bytes rec = encode_journal_record(JournalRecord::kSubmit, body);
  EXPECT_EQ(core::to_hex(core::ByteSpan(rec).first(4)), "03000000");
  EXPECT_EQ(rec[8], 1);
  // Decoding: the body must be a transaction; a block record must be empty; an unknown kind fails.
  EXPECT_FALSE(scan_journal(rec).ok());
  const core::Bytes long_block = encode_journal_record(JournalRecord::kBlock, body);
  EXPECT_FALSE(scan_journal(long_block).ok());
  core::Bytes two = encode_journal_record(static_cast<JournalRecord>(9), {});
  const core::Bytes tail = encode_journal_record(JournalRecord::kBlock, {});
  two.insert(two.end(), tail.begin(), tail.end());
  auto unknown = scan_journal(two);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), core::ErrorCode::kCorrupt);
  auto ok = scan_journal(tail);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->entries.size(), 1u);
  EXPECT_EQ(ok->valid_bytes, tail.size());
}

}  // namespace
}  // namespace basalt::l1::sim
