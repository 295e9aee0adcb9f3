// The batch processor guest against the host's KIP-21 and state code: the lane tip (active, new
// or expired lane), the block's SeqCommit, the state root after a journal; a failed journal
// changes nothing; a false claim about a transaction it cannot see run is refused. And the
// BatchTransition encoding.
#include "zk/batch.hpp"

#include <gtest/gtest.h>

#include "core/byte_writer.hpp"
#include "core/files.hpp"
#include "exec/abi.hpp"
#include "kaspa/lane_smt.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/seq_commit.hpp"
#include "zk/reexec/reexec.hpp"

namespace basalt::zk {
namespace {

core::Hash32 h(std::uint8_t b) {
  return core::Hash32::from_byte(b);
}
void append(core::Bytes& out, const core::Hash32& v) {
  out.insert(out.end(), v.bytes.begin(), v.bytes.end());
}

BatchTx journaled(std::uint8_t id, std::uint32_t merge_idx, core::Bytes journal) {
  BatchTx t;
  t.kind = BatchTxKind::kJournal;
  t.tx_id = kaspa::TxId(h(id));
  t.merge_idx = merge_idx;
  t.journal = std::move(journal);
  return t;
}
BatchTx other(BatchTxKind kind, std::uint8_t id, std::uint16_t version, std::uint32_t merge_idx) {
  BatchTx t;
  t.kind = kind;
  t.tx_id = kaspa::TxId(h(id));
  t.version = version;
  t.merge_idx = merge_idx;
  return t;
}

class BatchGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto elf = core::read_file(std::string(BASALT_GUEST_DIR) + "/batch.elf", vm::kMaxElfBytes);
    ASSERT_TRUE(elf.ok());
    program_ = std::make_shared<const vm::Program>(*vm::Program::load(*elf, 64u << 20));
    system_.register_guest(program_, limits_, batch_exit_name);
    for (std::uint8_t i = 1; i <= 4; ++i) smt_.apply(std::vector<state::SmtUpdate>{{key(i), h(i)}});
    in_.pins = {vm::ImageId(h(1)), kaspa::CovenantId(h(2)), kaspa::LaneKey(h(3)), 100};
    in_.block = {500, 600, 1000, kaspa::SeqCommit(h(4)), h(5), h(6), kaspa::SeqCommit(h(10)), {}};
  }
  static state::ResourceId key(std::uint8_t i) { return state::ResourceId(h(i * 50)); }
  core::Hash32 ctx() const {
    return kaspa::mergeset_context_hash(
        {in_.block.prev_timestamp, in_.block.daa_score, in_.block.blue_score});
  }
  // A journal of transaction `id` at merge_idx that read key(1) with value hash `seen` and, on
  // success, sent `exits` and wrote h(99) into it.
  core::Bytes journal(std::uint8_t id, std::uint32_t merge_idx, const core::Hash32& seen,
                      bool success, const std::vector<exec::Exit>& exits = {}) const {
    core::Bytes j = {2, 0};
    append(j, h(id));
    j.insert(j.end(), {static_cast<std::uint8_t>(merge_idx), 0, 0, 0});
    append(j, ctx());
    j.insert(j.end(), {1, 0});
    append(j, key(1).hash());
    j.push_back(3);
    append(j, seen);
    if (success) {
      core::ByteWriter w;
      w.u8(0);
      w.u8(static_cast<std::uint8_t>(exits.size()));
      for (const auto& e : exits) exec::write_exit(w, e);
      w.u8(1);
      const core::Bytes outcome = w.take();
      j.insert(j.end(), outcome.begin(), outcome.end());
      append(j, h(99));
    } else {
      j.insert(j.end(), {1, 100, 0, 0, 0});
    }
    return j;
  }
  // The lane tip KIP-21 gives the block's transactions (what the guest must reproduce).
  kaspa::LaneTip expected_tip() const {
    std::vector<core::Hash32> leaves;
    for (const BatchTx& t : in_.txs)
      leaves.push_back(kaspa::activity_leaf(t.tx_id, t.version, t.merge_idx));
    const bool active = in_.prev_lane_tip != kaspa::LaneTip() &&
                        in_.prev_lane_blue_score + in_.pins.finality_depth >= in_.block.blue_score;
    return kaspa::lane_tip_next(
        active ? in_.prev_lane_tip.hash() : in_.block.parent_seq_commit.hash(), in_.pins.lane_key,
        kaspa::activity_digest_lane(leaves), ctx());
  }
  // The block's lane SMT holding `tip` for the lane, beside another lane: its proof and the
  // activity root it implies.
  void commit_lane(const kaspa::LaneTip& tip) {
    kaspa::LaneSmt lanes;
    lanes.insert(kaspa::LaneKey(h(70)), h(71));
    lanes.insert(in_.pins.lane_key, kaspa::smt_leaf_hash(tip, in_.block.blue_score));
    in_.block.activity_root =
        kaspa::activity_root_hash(in_.block.inactivity_shortcut, lanes.root());
    in_.block.lane_proof = lanes.prove(in_.pins.lane_key).to_bytes();
  }
  // Runs the guest on in_, the lane committed as KIP-21 does unless `commit` is false.
  core::Result<BatchTransition> run(bool commit = true) {
    in_.proof = *smt_.prove(in_.keys);
    if (commit && !in_.txs.empty()) commit_lane(expected_tip());
    if (in_.txs.empty()) in_.block.lane_proof.clear();
    std::vector<Receipt> assumptions;
    for (const BatchTx& t : in_.txs) {
      if (t.kind != BatchTxKind::kJournal) continue;
      Receipt r;
      r.image_id = in_.pins.tx_image_id;
      r.journal = t.journal;
      assumptions.push_back(r);
    }
    BASALT_ASSIGN_OR_RETURN(Receipt r, system_.prove(*program_, encode_batch_input(in_),
                                                     std::move(assumptions), limits_));
    return decode_batch_transition(r.journal);
  }

  vm::RunLimits limits_{2'000'000'000, 64u << 20};
  std::shared_ptr<const vm::Program> program_;
  ReexecProofSystem system_;
  state::Smt smt_;
  BatchInput in_;
};

TEST_F(BatchGuest, AnEmptyBlockKeepsTheLaneAndRecomputesTheSeqCommit) {
  in_.prev_lane_tip = kaspa::LaneTip(h(7));
  in_.prev_lane_blue_score = 450;
  auto t = run();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->new_lane_tip, in_.prev_lane_tip);
  EXPECT_EQ(t->new_lane_blue_score, 450u);
  EXPECT_EQ(t->prev_state, smt_.root());
  EXPECT_EQ(t->new_state, smt_.root());
  EXPECT_EQ(t->seq_commit,
            kaspa::seq_commit(
                in_.block.parent_seq_commit,
                kaspa::seq_state_root(in_.block.activity_root, in_.block.payload_and_ctx_digest)));
  EXPECT_EQ(t->tx_count, 0u);
}

TEST_F(BatchGuest, AJournalAdvancesStateAndLaneAsTheHostDoes) {
  in_.prev_lane_tip = kaspa::LaneTip(h(7));
  in_.prev_lane_blue_score = 450;  // active: 450 + F >= 500
  in_.keys = {key(1)};
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true)), other(BatchTxKind::kNotV1, 21, 0, 3),
             other(BatchTxKind::kRunFailed, 22, 1, 4)};
  auto t = run();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  state::Smt after = smt_;
  after.apply(std::vector<state::SmtUpdate>{{key(1), h(99)}});
  EXPECT_EQ(t->new_state, after.root());
  const std::vector<core::Hash32> leaves = {kaspa::activity_leaf(kaspa::TxId(h(20)), 1, 2),
                                            kaspa::activity_leaf(kaspa::TxId(h(21)), 0, 3),
                                            kaspa::activity_leaf(kaspa::TxId(h(22)), 1, 4)};
  EXPECT_EQ(t->new_lane_tip, kaspa::lane_tip_next(h(7), in_.pins.lane_key,
                                                  kaspa::activity_digest_lane(leaves), ctx()));
  EXPECT_EQ(t->new_lane_blue_score, 500u);
  // Expired (last touch more than F ago) or never active: the tip starts from the parent SeqCommit.
  for (std::uint64_t last : {399u, 0u}) {
    in_.prev_lane_blue_score = last;
    in_.prev_lane_tip = last == 0 ? kaspa::LaneTip() : kaspa::LaneTip(h(7));
    auto e = run();
    ASSERT_TRUE(e.ok()) << e.error().to_string();
    EXPECT_EQ(e->new_lane_tip,
              kaspa::lane_tip_next(in_.block.parent_seq_commit.hash(), in_.pins.lane_key,
                                   kaspa::activity_digest_lane(leaves), ctx()));
  }
}

TEST_F(BatchGuest, AFailedOrMismatchedJournalChangesNothing) {
  in_.keys = {key(1)};
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), false)),
             journaled(21, 3, journal(21, 3, h(8), true))};
  auto t = run();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->new_state, smt_.root());
  EXPECT_EQ(t->tx_count, 2u);
}

TEST_F(BatchGuest, CarriesTheExitsOfSuccessfulJournalsInOrder) {
  const exec::Exit a{exec::ExitKind::kSchnorrP2pk, h(40), 5};
  const exec::Exit b{exec::ExitKind::kP2sh, h(41), exec::kMaxExitAmount};
  const exec::Exit c{exec::ExitKind::kSchnorrP2pk, h(42), 9};
  in_.keys = {key(1)};
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true, {a, b})),
             journaled(21, 3, journal(21, 3, h(1), true, {c})),  // reads a stale value: fails
             journaled(22, 4, journal(22, 4, h(99), true, {c}))};
  auto t = run();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_EQ(t->exits, (std::vector<exec::Exit>{a, b, c}));
  // An exit the ABI does not allow fails its transaction: no exit, no write.
  for (const exec::Exit bad :
       {exec::Exit{static_cast<exec::ExitKind>(2), h(40), 5},
        exec::Exit{exec::ExitKind::kP2sh, h(40), 0},
        exec::Exit{exec::ExitKind::kP2sh, h(40), exec::kMaxExitAmount + 1}}) {
    in_.txs = {journaled(20, 2, journal(20, 2, h(1), true, {a, bad}))};
    t = run();
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    EXPECT_TRUE(t->exits.empty());
    EXPECT_EQ(t->new_state, smt_.root());
  }
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true, std::vector<exec::Exit>(17, a)))};
  t = run();
  ASSERT_TRUE(t.ok()) << t.error().to_string();
  EXPECT_TRUE(t->exits.empty());
}

TEST_F(BatchGuest, FalseClaimsAndUnprovenKeysAreRefused) {
  // A "refused payload" that decodes.
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.payload = exec::encode_payload(std::vector<exec::AccessEntry>{{key(1), exec::Access::kWrite}},
                                    core::Bytes{});
  BatchTx refused = other(BatchTxKind::kPayloadRefused, 0, 1, 1);
  refused.tx_id = kaspa::tx_id(tx);
  refused.payload = tx.payload;
  refused.rest = kaspa::v1_rest_preimage(tx);
  in_.txs = {refused};
  auto t = run();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().context().find("(payload_accepted)"), std::string::npos)
      << t.error().to_string();
  // A malformed one is fine.
  in_.txs[0].payload = {2, 0, 0};
  tx.payload = in_.txs[0].payload;
  in_.txs[0].tx_id = kaspa::tx_id(tx);
  EXPECT_TRUE(run().ok());
  // "Not v1" for a v1 transaction.
  in_.txs = {other(BatchTxKind::kNotV1, 9, 1, 1)};
  t = run();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().context().find("(version_is_v1)"), std::string::npos);
  // A journal naming a resource the multiproof leaves out.
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true))};
  in_.keys = {key(2)};
  t = run();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().context().find("(unproven_key)"), std::string::npos);
  // merge_idx must increase.
  in_.keys = {key(1)};
  in_.txs = {other(BatchTxKind::kNotV1, 9, 0, 5), other(BatchTxKind::kNotV1, 8, 0, 5)};
  t = run();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().context().find("(merge_order)"), std::string::npos);
}

TEST_F(BatchGuest, ALaneTipTheBlockDoesNotHoldIsRefused) {
  in_.prev_lane_tip = kaspa::LaneTip(h(7));
  in_.prev_lane_blue_score = 450;
  in_.keys = {key(1)};
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true))};
  ASSERT_TRUE(run().ok());
  // Another context (a prover's timestamp, say) gives another tip than the one L1 committed.
  commit_lane(expected_tip());
  in_.block.prev_timestamp += 1;
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true))};
  auto t = run(false);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().context().find("(lane_not_committed)"), std::string::npos)
      << t.error().to_string();
  in_.block.prev_timestamp -= 1;
  // A proof of another lane, a proof that does not parse, or none.
  kaspa::LaneSmt lanes;
  lanes.insert(kaspa::LaneKey(h(70)), h(71));
  lanes.insert(in_.pins.lane_key, kaspa::smt_leaf_hash(expected_tip(), in_.block.blue_score));
  for (const core::Bytes& bad :
       {lanes.prove(kaspa::LaneKey(h(70))).to_bytes(), core::Bytes{1, 2}, core::Bytes{}}) {
    commit_lane(expected_tip());
    in_.block.lane_proof = bad;
    t = run(false);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().context().find("(lane_not_committed)"), std::string::npos);
  }
  // A block without lane transactions carries no proof.
  in_.txs.clear();
  in_.block.lane_proof = {1};
  const vm::RunResult r = vm::run(*program_, encode_batch_input(in_), limits_);
  EXPECT_EQ(r.exit_code, 1u);  // malformed_input
}

TEST_F(BatchGuest, ATruncatedOrUnknownInputIsRefused) {
  in_.keys = {key(1)};
  in_.txs = {journaled(20, 2, journal(20, 2, h(1), true))};
  in_.proof = *smt_.prove(in_.keys);
  commit_lane(expected_tip());
  const core::Bytes whole = encode_batch_input(in_);
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{100}, whole.size() - 1}) {
    const vm::RunResult r = vm::run(*program_, core::ByteSpan(whole).first(cut), limits_);
    EXPECT_EQ(r.exit_code, 1u) << "cut at " << cut;  // malformed_input
  }
  core::Bytes longer = whole;
  longer.push_back(0);
  EXPECT_EQ(vm::run(*program_, longer, limits_).exit_code, 1u);
  core::Bytes v1 = whole;
  v1[0] = 1;
  EXPECT_EQ(vm::run(*program_, v1, limits_).exit_code, 1u);
}

TEST(AggregateGuest, EmptyTruncatedOrUnknownInputsAreRefused) {
  auto elf = core::read_file(std::string(BASALT_GUEST_DIR) + "/aggregate.elf", vm::kMaxElfBytes);
  ASSERT_TRUE(elf.ok());
  const vm::Program program = *vm::Program::load(*elf, 64u << 20);
  const vm::RunLimits limits{2'000'000'000, 64u << 20};
  AggregateInput in;
  in.batch_image_id = vm::ImageId(h(1));
  EXPECT_EQ(vm::run(program, encode_aggregate_input(in), limits).exit_code, 2u);  // empty_bundle
  in.batch_journals = {core::Bytes(BatchTransition::kHeaderSize - 1, 1)};
  EXPECT_EQ(vm::run(program, encode_aggregate_input(in), limits).exit_code, 3u);  // bad journal
  in.batch_journals = {encode_batch_transition(BatchTransition{})};
  const core::Bytes whole = encode_aggregate_input(in);
  EXPECT_EQ(vm::run(program, core::ByteSpan(whole).first(whole.size() - 1), limits).exit_code, 1u);
  core::Bytes v2 = whole;
  v2[0] = 3;
  EXPECT_EQ(vm::run(program, v2, limits).exit_code, 1u);
}

TEST(BatchTransition, RoundTripsAndRejectsOtherSizesAndVersions) {
  BatchTransition t;
  t.prev_state = h(1);
  t.new_state = h(2);
  t.new_lane_blue_score = 77;
  t.finality_depth = 100;
  t.tx_count = 9;
  t.exits = {{exec::ExitKind::kP2sh, h(5), 12}};
  const core::Bytes b = encode_batch_transition(t);
  ASSERT_EQ(b.size(), BatchTransition::kHeaderSize + 4 + exec::Exit::kSize);
  EXPECT_EQ(*decode_batch_transition(b), t);
  core::Bytes bad_kind = b;
  bad_kind[BatchTransition::kHeaderSize + 4] = 2;
  EXPECT_EQ(decode_batch_transition(bad_kind).error().code(), core::ErrorCode::kUnknownTag);
  core::Bytes zero_amount = b;
  std::fill(zero_amount.end() - 8, zero_amount.end(), 0);
  EXPECT_EQ(decode_batch_transition(zero_amount).error().code(), core::ErrorCode::kOutOfRange);
  core::Bytes too_many = b;
  too_many[BatchTransition::kHeaderSize] = 2;
  EXPECT_EQ(decode_batch_transition(too_many).error().code(), core::ErrorCode::kTruncated);
  core::Bytes longer = b;
  longer.push_back(0);
  EXPECT_EQ(decode_batch_transition(longer).error().code(), core::ErrorCode::kTrailingBytes);
  EXPECT_EQ(decode_batch_transition(core::ByteSpan(b).first(100)).error().code(),
            core::ErrorCode::kTruncated);
  core::Bytes v1 = b;
  v1[0] = 1;
  EXPECT_EQ(decode_batch_transition(v1).error().code(), core::ErrorCode::kUnknownTag);
}

}  // namespace
}  // namespace basalt::zk
