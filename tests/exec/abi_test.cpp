// The host side of the transaction ABI: payload round trips and rejections, journal outcome
// decoding, and the guest's own hashing (its SHA-256 and keyed BLAKE3 must agree with the host's,
// or every transaction would fail the guest's transaction-id check).
#include "exec/abi.hpp"

#include <gtest/gtest.h>

#include "exec_util.hpp"
#include "kaspa/script.hpp"

namespace basalt::exec {
namespace {

using core::Bytes;

TEST(ExecAbi, PayloadRoundTripAndRejections) {
  test::Rng rng(7);
  std::vector<AccessEntry> acc;
  for (int i = 0; i < 5; ++i)
    acc.push_back({ResourceId(rng.hash()), i % 2 ? Access::kRead : Access::kWrite});
  std::sort(acc.begin(), acc.end(),
            [](const AccessEntry& a, const AccessEntry& b) { return a.id < b.id; });
  const Bytes data = {1, 2, 3};
  const Bytes p = encode_payload(acc, data);
  auto d = decode_payload(p);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->accesses, acc);
  EXPECT_EQ(Bytes(d->app_data.begin(), d->app_data.end()), data);
  // Every strict prefix that cuts into the access list is truncated.
  for (std::size_t n = 0; n < 3 + 5 * 33; ++n) {
    EXPECT_EQ(decode_payload(core::ByteSpan(p).first(n)).error().code(),
              core::ErrorCode::kTruncated)
        << n;
  }
  Bytes flags = p;
  flags[3 + 32] = 0;
  EXPECT_EQ(decode_payload(flags).error().code(), core::ErrorCode::kUnknownTag);
  Bytes too_many = {1, 0xff, 0xff};
  EXPECT_EQ(decode_payload(too_many).error().code(), core::ErrorCode::kOutOfRange);
}

TEST(ExecAbi, JournalOutcomeDecoding) {
  EXPECT_FALSE(decode_journal_outcome(Bytes{}, 0).ok());
  auto failed = decode_journal_outcome(Bytes{1, 100, 0, 0, 0}, 3);
  ASSERT_TRUE(failed.ok());
  EXPECT_FALSE(failed->ok);
  EXPECT_EQ(failed->code, 100u);
  EXPECT_FALSE(decode_journal_outcome(Bytes{1, 100, 0, 0, 0, 0}, 3).ok());
  Bytes ok = {0, 0, 0, 1};  // success, no exits, unchanged, changed
  ok.resize(ok.size() + 32, 0xee);
  auto o = decode_journal_outcome(ok, 2);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->exits.empty());
  EXPECT_FALSE(o->outputs[0].has_value());
  EXPECT_EQ(*o->outputs[1], core::Hash32::filled(0xee));
  EXPECT_FALSE(decode_journal_outcome(ok, 3).ok());
  EXPECT_FALSE(decode_journal_outcome(Bytes{0, 0, 2}, 1).ok());

  // Exits come before the outputs; each must be of a known kind with an amount in range.
  const Exit a{ExitKind::kP2sh, core::Hash32::filled(1), 5};
  const Exit b{ExitKind::kSchnorrP2pk, core::Hash32::filled(2), kMaxExitAmount};
  const auto with_exits = [](std::vector<Exit> exits) {
    core::ByteWriter w;
    w.u8(0);
    w.u8(static_cast<std::uint8_t>(exits.size()));
    for (const auto& e : exits) write_exit(w, e);
    w.u8(0);
    return w.take();
  };
  o = decode_journal_outcome(with_exits({a, b}), 1);
  ASSERT_TRUE(o.ok()) << o.error().to_string();
  EXPECT_EQ(o->exits, (std::vector<Exit>{a, b}));
  const Bytes two = with_exits({a, b});
  EXPECT_EQ(
      decode_journal_outcome(core::ByteSpan(two).first(2 + Exit::kSize + 20), 1).error().code(),
      core::ErrorCode::kTruncated);
  EXPECT_EQ(decode_journal_outcome(with_exits({Exit{a.kind, a.key, 0}}), 1).error().code(),
            core::ErrorCode::kOutOfRange);
  EXPECT_EQ(decode_journal_outcome(with_exits({Exit{a.kind, a.key, kMaxExitAmount + 1}}), 1)
                .error()
                .code(),
            core::ErrorCode::kOutOfRange);
  EXPECT_EQ(decode_journal_outcome(with_exits({Exit{static_cast<ExitKind>(2), a.key, 1}}), 1)
                .error()
                .code(),
            core::ErrorCode::kUnknownTag);
  EXPECT_EQ(decode_journal_outcome(with_exits(std::vector<Exit>(kMaxExitsPerTx + 1, a)), 1)
                .error()
                .code(),
            core::ErrorCode::kOutOfRange);
  // The scripts they pay: P2PK (0x20 key OpCheckSig) and P2SH.
  EXPECT_EQ(exit_script_public_key(b).script.size(), 34u);
  EXPECT_EQ(exit_script_public_key(b).script.back(), 0xac);
  EXPECT_TRUE(kaspa::is_p2sh(exit_script_public_key(a)));
}

TEST(ExecAbi, GuestHashingAgreesWithTheHostOnLongPayloads) {
  // Payloads of several BLAKE3 chunks exercise the guest's chunk merging; a mismatch would fail
  // the guest's transaction-id check (exit code 3) instead of running the counter.
  test::TempDir dir;
  auto store = test_util::open_store(dir.path());
  Executor ex(*store, test_util::app("counter"), 1);
  test::Rng rng(8);
  std::vector<Bytes> payloads;
  for (std::size_t len : {0u, 1u, 63u, 64u, 65u, 1023u, 1024u, 1025u, 2048u, 3073u, 9000u}) {
    payloads.push_back(encode_payload(
        std::vector<AccessEntry>{
            {users::counter_resource(static_cast<std::uint32_t>(len)), Access::kWrite}},
        rng.bytes(len)));
  }
  auto r = ex.execute(test_util::block(1, payloads));
  ASSERT_TRUE(r.ok());
  for (const auto& t : r->txs) EXPECT_TRUE(t.ok) << ex.reason_label(t) << " " << t.detail;
}

}  // namespace
}  // namespace basalt::exec
