// Fuzzes the built-in proving guests in the VM: a valid batch-processor input and a valid
// aggregator input are built here, then the fuzz bytes flip bytes of one of them (pairs of offset
// and xor mask). A prover controls these inputs, so whatever they hold, the host must not crash and
// a guest may only exit 0 with a journal the host decodes.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/assert.hpp"
#include "core/files.hpp"
#include "kaspa/lane_smt.hpp"
#include "kaspa/seq_commit.hpp"
#include "state/smt.hpp"
#include "vm/machine.hpp"
#include "zk/batch.hpp"
#include "zk/exits.hpp"
#include "zk/journal.hpp"

namespace {

using namespace basalt;

core::Hash32 h(std::uint8_t b) {
  return core::Hash32::from_byte(b);
}
void append(core::Bytes& out, const core::Hash32& v) {
  out.insert(out.end(), v.bytes.begin(), v.bytes.end());
}

// A block with one journaled transaction writing one of three proven resources and sending one
// exit, a v0 transaction and a failed run.
core::Bytes batch_input() {
  state::Smt smt;
  std::vector<state::SmtUpdate> entries;
  for (std::uint8_t i = 1; i <= 5; ++i) entries.push_back({state::ResourceId(h(i * 40)), h(i)});
  smt.apply(entries);
  zk::BatchInput in;
  in.pins = {vm::ImageId(h(1)), kaspa::CovenantId(h(2)), kaspa::LaneKey(h(3)), 100};
  in.block = {50, 60, 1000, kaspa::SeqCommit(h(4)), h(5), h(6), kaspa::SeqCommit(h(10)), {}};
  in.keys = {state::ResourceId(h(40)), state::ResourceId(h(80)), state::ResourceId(h(90))};
  in.proof = *smt.prove(in.keys);
  const core::Hash32 ctx = kaspa::mergeset_context_hash({1000, 60, 50});
  core::Bytes j = {2, 0};
  append(j, h(7));
  j.insert(j.end(), {3, 0, 0, 0});
  append(j, ctx);
  j.insert(j.end(), {1, 0});
  append(j, h(40));
  j.push_back(3);
  append(j, h(1));
  j.insert(j.end(), {0, 1, 0});  // success, one exit: P2PK
  append(j, h(33));
  j.insert(j.end(), {5, 0, 0, 0, 0, 0, 0, 0, 1});
  append(j, h(9));
  zk::BatchTx t0{zk::BatchTxKind::kJournal, kaspa::TxId(h(7)), 1, 3, j, {}, {}};
  zk::BatchTx t1{zk::BatchTxKind::kNotV1, kaspa::TxId(h(8)), 0, 4, {}, {}, {}};
  zk::BatchTx t2{zk::BatchTxKind::kRunFailed, kaspa::TxId(h(9)), 1, 5, {}, {}, {}};
  in.txs = {t0, t1, t2};
  // A new lane: its tip starts from the parent SeqCommit; the block's lane SMT holds it.
  std::vector<core::Hash32> leaves;
  for (const auto& t : in.txs)
    leaves.push_back(kaspa::activity_leaf(t.tx_id, t.version, t.merge_idx));
  const kaspa::LaneTip tip =
      kaspa::lane_tip_next(h(4), in.pins.lane_key, kaspa::activity_digest_lane(leaves), ctx);
  kaspa::LaneSmt lanes;
  lanes.insert(in.pins.lane_key, kaspa::smt_leaf_hash(tip, 50));
  in.block.activity_root = kaspa::activity_root_hash(in.block.inactivity_shortcut, lanes.root());
  in.block.lane_proof = lanes.prove(in.pins.lane_key).to_bytes();
  return zk::encode_batch_input(in);
}

// Two chained batches and a lane proof of the last lane tip.
core::Bytes aggregate_input() {
  zk::BatchTransition a{};
  a.new_state = h(11);
  a.new_lane_tip = kaspa::LaneTip(h(12));
  a.new_lane_blue_score = 40;
  a.seq_commit = kaspa::SeqCommit(h(13));
  a.lane_key = kaspa::LaneKey(h(3));
  a.finality_depth = 100;
  zk::BatchTransition b = a;
  b.prev_state = a.new_state;
  b.prev_lane_tip = a.new_lane_tip;
  b.prev_lane_blue_score = a.new_lane_blue_score;
  b.parent_seq_commit = a.seq_commit;
  b.new_state = h(14);
  b.new_lane_tip = kaspa::LaneTip(h(15));
  b.new_lane_blue_score = 45;
  b.exits = {{exec::ExitKind::kSchnorrP2pk, h(30), 7}, {exec::ExitKind::kP2sh, h(31), 300}};
  kaspa::LaneSmt lanes;
  lanes.insert(b.lane_key, kaspa::smt_leaf_hash(b.new_lane_tip, 45));
  lanes.insert(kaspa::LaneKey(h(200)), h(16));
  b.activity_root = kaspa::activity_root_hash(kaspa::SeqCommit(h(17)), lanes.root());
  zk::AggregateInput in;
  in.batch_image_id = vm::ImageId(h(18));
  in.batch_journals = {zk::encode_batch_transition(a), zk::encode_batch_transition(b)};
  in.lane_proof = lanes.prove(b.lane_key).to_bytes();
  in.inactivity_shortcut = kaspa::SeqCommit(h(17));
  in.exit_script_body = zk::exit_script_body();
  return zk::encode_aggregate_input(in);
}

struct Guest {
  std::unique_ptr<vm::Program> program;
  core::Bytes base;
  bool (*journal_ok)(core::ByteSpan);
};

Guest load(const char* name, core::Bytes base, bool (*journal_ok)(core::ByteSpan)) {
  auto elf = core::read_file(std::string(BASALT_GUEST_DIR) + "/" + name + ".elf", vm::kMaxElfBytes);
  BASALT_ASSERT(elf.ok());
  auto p = vm::Program::load(*elf);
  BASALT_ASSERT(p.ok());
  Guest g{std::make_unique<vm::Program>(std::move(*p)), std::move(base), journal_ok};
  // The unmutated input must be accepted, or the fuzzer would only explore rejections.
  const vm::RunResult r = vm::run(*g.program, g.base, {});
  BASALT_ASSERT(r.status == vm::RunResult::Status::kExited && r.exit_code == 0);
  return g;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Guest batch = load(
      "batch", batch_input(), [](core::ByteSpan j) { return zk::decode_batch_transition(j).ok(); });
  static const Guest aggregate = load("aggregate", aggregate_input(), [](core::ByteSpan j) {
    return zk::decode_state_transition(j).ok();
  });
  if (size == 0) return 0;
  const Guest& g = data[0] % 2 == 0 ? batch : aggregate;
  core::Bytes input = g.base;
  for (std::size_t i = 1; i + 2 < size; i += 3) {
    const std::size_t at = (std::size_t{data[i]} << 8 | data[i + 1]) % (input.size() + 1);
    if (at == input.size()) {
      input.resize(at / 2);  // truncation
    } else {
      input[at] ^= data[i + 2];
    }
  }
  const vm::RunResult r = vm::run(*g.program, input, {50'000'000, 64u << 20});
  if (r.status == vm::RunResult::Status::kExited && r.exit_code == 0)
    BASALT_ASSERT(g.journal_ok(r.journal));
  return 0;
}
