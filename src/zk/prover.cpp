#include "zk/prover.hpp"
#include "zk/reexec/reexec.hpp"

#include <algorithm>
#include <thread>

#include "core/byte_reader.hpp"
#include "core/files.hpp"
#include "exec/abi.hpp"
#include "zk/exits.hpp"

namespace basalt::zk {

namespace {

using core::Error;
using core::ErrorCode;

using exec::split_journal;

BatchTx classify(const ExecutedTx& e) {
  const exec::TxResult& r = e.result;
  BatchTx t;
  t.tx_id = r.id;
  t.merge_idx = r.merge_idx;
  t.version = e.tx.version;
  if (!r.ok && r.reason == exec::FailReason::kUnsupportedVersion) {
    t.kind = BatchTxKind::kNotV1;
  } else if (!r.ok && r.reason == exec::FailReason::kMalformedPayload) {
    t.kind = BatchTxKind::kPayloadRefused;
    t.payload = e.tx.payload;
    t.rest = kaspa::v1_rest_preimage(e.tx);
  } else if (r.journal.empty() || (!r.ok && r.reason == exec::FailReason::kMalformedOutput)) {
    t.kind = BatchTxKind::kRunFailed;
  } else {
    // Oversized new data behind a journal that reports success is judged from the output stream,
    // which the batch does not see.
    auto parts = split_journal(r.journal);
    const bool claims_success = parts && !parts->outcome.empty() && parts->outcome[0] == 0;
    if (!r.ok && r.reason == exec::FailReason::kOversizedData && claims_success) {
      t.kind = BatchTxKind::kRunFailed;
    } else {
      t.kind = BatchTxKind::kJournal;
      t.journal = r.journal;
    }
  }
  return t;
}

}  // namespace

core::Result<Guests> load_guests(const exec::App& app, const std::string& guest_dir) {
  Guests g;
  g.tx = {app.program, app.limits};
  // A batch touches at most a few thousand resources; these bounds leave ample room.
  const vm::RunLimits limits{2'000'000'000, 512u << 20};
  for (auto [guest, name] : {std::pair{&g.batch, "batch"}, std::pair{&g.aggregate, "aggregate"}}) {
    BASALT_ASSIGN_OR_RETURN(const core::Bytes elf,
                            core::read_file(guest_dir + "/" + name + ".elf", vm::kMaxElfBytes));
    BASALT_ASSIGN_OR_RETURN(vm::Program p, vm::Program::load(elf, limits.memory_limit));
    *guest = {std::make_shared<const vm::Program>(std::move(p)), limits};
  }
  return g;
}

void register_guests(ReexecProofSystem& system, const Guests& g) {
  system.register_guest(g.tx.program, g.tx.limits);
  system.register_guest(g.batch.program, g.batch.limits, batch_exit_name);
  system.register_guest(g.aggregate.program, g.aggregate.limits, aggregate_exit_name);
}

Prover::Prover(ProofSystem& system, Guests guests, BatchPins pins, const state::Smt& state,
               std::uint64_t after, std::uint64_t window, unsigned threads)
    : system_(system),
      guests_(std::move(guests)),
      pins_(pins),
      smt_(state),
      next_(after + 1),
      window_(window),
      threads_(std::max(1u, threads)) {}

core::Result<BatchInput> Prover::batch_input(const BatchWork& w) const {
  BatchInput in;
  in.pins = pins_;
  in.block = w.block;
  in.prev_lane_tip = w.prev_lane_tip;
  in.prev_lane_blue_score = w.prev_lane_blue_score;
  for (const ExecutedTx& e : w.txs) {
    in.txs.push_back(classify(e));
    if (in.txs.back().kind != BatchTxKind::kJournal) continue;
    if (auto parts = split_journal(in.txs.back().journal))
      in.keys.insert(in.keys.end(), parts->ids.begin(), parts->ids.end());
  }
  std::sort(in.keys.begin(), in.keys.end());
  in.keys.erase(std::unique(in.keys.begin(), in.keys.end()), in.keys.end());
  BASALT_ASSIGN_OR_RETURN(in.proof, smt_.prove(in.keys));
  return in;
}

core::Result<Receipt> Prover::prove_batch(const BatchWork& w) {
  if (w.batch != next_) {
    return Error{ErrorCode::kInvalid, "batch " + std::to_string(w.batch) + " given, " +
                                          std::to_string(next_) + " expected"};
  }
  BASALT_ASSIGN_OR_RETURN(BatchInput in, batch_input(w));

  // Transaction receipts, in parallel; each slot is written by one worker.
  std::vector<std::size_t> journaled;
  for (std::size_t i = 0; i < in.txs.size(); ++i)
    if (in.txs[i].kind == BatchTxKind::kJournal) journaled.push_back(i);
  std::vector<core::Result<Receipt>> receipts(journaled.size(),
                                              Error{ErrorCode::kInvalid, "not proven"});
  const auto work = [&](std::size_t first) {
    for (std::size_t k = first; k < journaled.size(); k += threads_) {
      const exec::TxResult& r = w.txs[journaled[k]].result;
      receipts[k] = system_.prove(*guests_.tx.program, r.input, {}, guests_.tx.limits);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<std::size_t>(threads_, journaled.size()); ++t)
    pool.emplace_back(work, t);
  work(0);
  for (auto& t : pool) t.join();
  std::vector<Receipt> assumptions;
  for (std::size_t k = 0; k < receipts.size(); ++k) {
    if (!receipts[k].ok()) {
      return Error{ErrorCode::kInvalid, "transaction " + in.txs[journaled[k]].tx_id.hex() + ": " +
                                            receipts[k].error().context()};
    }
    assumptions.push_back(std::move(*receipts[k]));
  }

  auto receipt = system_.prove(*guests_.batch.program, encode_batch_input(in),
                               std::move(assumptions), guests_.batch.limits);
  if (!receipt.ok()) {
    return Error{ErrorCode::kInvalid,
                 "batch " + std::to_string(w.batch) + ": " + receipt.error().context()};
  }
  BASALT_ASSIGN_OR_RETURN(const BatchTransition t, decode_batch_transition(receipt->journal));

  // Advance the tree as the guest did: the successful journals' changed hashes, in order.
  std::vector<state::SmtUpdate> updates;
  for (std::size_t i = 0; i < in.txs.size(); ++i) {
    const exec::TxResult& r = w.txs[i].result;
    if (!r.ok) continue;
    auto parts = split_journal(r.journal);
    BASALT_ASSIGN_OR_RETURN(const exec::JournalOutcome o,
                            exec::decode_journal_outcome(parts->outcome, parts->ids.size()));
    for (std::size_t k = 0; k < parts->ids.size(); ++k)
      if (o.outputs[k]) updates.push_back({parts->ids[k], *o.outputs[k]});
  }
  std::vector<state::SmtUpdate> before;
  for (const auto& u : updates) before.push_back({u.key, smt_.get(u.key)});
  // Undo applies in reverse, so the first previous value of a key written twice wins.
  std::reverse(before.begin(), before.end());
  smt_.apply(updates);
  if (smt_.root() != t.new_state) {
    return Error{ErrorCode::kInvalid, "batch " + std::to_string(w.batch) +
                                          ": the guest's new state differs from the prover's"};
  }
  undo_.push_back(std::move(before));
  if (undo_.size() > window_) undo_.pop_front();
  ++next_;
  return receipt;
}

core::Status Prover::rollback_to(std::uint64_t batch) {
  if (batch + 1 >= next_) return core::Status::Ok();
  if (next_ - 1 - batch > undo_.size()) {
    return Error{ErrorCode::kOutOfRange,
                 "prover cannot roll back to batch " + std::to_string(batch)};
  }
  while (next_ - 1 > batch) {
    smt_.apply(undo_.back());
    undo_.pop_back();
    --next_;
  }
  return core::Status::Ok();
}

core::Result<Receipt> Prover::aggregate(std::vector<Receipt> batches, core::ByteSpan lane_proof,
                                        const kaspa::SeqCommit& inactivity_shortcut) {
  AggregateInput in;
  in.batch_image_id = guests_.batch.program->image_id();
  for (const auto& b : batches) in.batch_journals.push_back(b.journal);
  in.lane_proof.assign(lane_proof.begin(), lane_proof.end());
  in.inactivity_shortcut = inactivity_shortcut;
  in.exit_script_body = exit_script_body();
  auto r = system_.prove(*guests_.aggregate.program, encode_aggregate_input(in), std::move(batches),
                         guests_.aggregate.limits);
  if (!r.ok()) {
    return Error{ErrorCode::kInvalid, "aggregate: " + r.error().context()};
  }
  return r;
}

}  // namespace basalt::zk
