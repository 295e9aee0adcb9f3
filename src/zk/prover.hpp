// The provers: transaction receipts, a batch receipt per chain block and an aggregate receipt per
// bundle, off the execution path. The prover follows the state on its own (a tree of value hashes,
// advanced by the journals it proves), so it needs nothing from the executor but each batch's
// transactions with their results and guest inputs, and it can run any distance behind execution.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "core/result.hpp"
#include "exec/executor.hpp"
#include "kaspa/transaction.hpp"
#include "state/smt.hpp"
#include "zk/batch.hpp"
#include "zk/reexec/reexec.hpp"

namespace basalt::zk {

struct Guest {
  std::shared_ptr<const vm::Program> program;
  vm::RunLimits limits;
};

struct Guests {
  Guest tx;         // the app's transaction processor
  Guest batch;      // guest/builtin/batch.c
  Guest aggregate;  // guest/builtin/aggregate.c
};
// Loads the built-in batch and aggregate guests from `guest_dir` (batch.elf, aggregate.elf) and
// pairs them with the app's guest. Errors: those of reading and loading an ELF.
core::Result<Guests> load_guests(const exec::App& app, const std::string& guest_dir);
// Registers the three guests (with the built-in guests' exit names) for proving and verifying.
void register_guests(ReexecProofSystem& system, const Guests& guests);

// One lane transaction as executed: the transaction and its result (with the guest's input, see
// exec::Executor::keep_inputs).
struct ExecutedTx {
  kaspa::Transaction tx;
  exec::TxResult result;
};

// What proving one batch needs.
struct BatchWork {
  std::uint64_t batch = 0;
  BlockCommitment block;
  kaspa::LaneTip prev_lane_tip;
  std::uint64_t prev_lane_blue_score = 0;
  std::vector<ExecutedTx> txs;  // merge_idx ascending
};

class Prover {
 public:
  // `state` is the state after batch `after`; proving continues with batch after + 1. Rollbacks
  // reach back `window` batches.
  Prover(ProofSystem& system, Guests guests, BatchPins pins, const state::Smt& state,
         std::uint64_t after, std::uint64_t window, unsigned threads);

  std::uint64_t next_batch() const { return next_; }
  const BatchPins& pins() const { return pins_; }
  const Guests& guests() const { return guests_; }
  core::Hash32 root() const { return smt_.root(); }

  // Receipts for the batch's transactions (in parallel), then the batch receipt with them as
  // assumptions. Errors: kInvalid when w.batch is not next_batch() or a guest cannot be proven
  // (its message names the guest's exit).
  core::Result<Receipt> prove_batch(const BatchWork& w);
  // Forgets the batches above `batch`. Errors: kOutOfRange beyond the window.
  core::Status rollback_to(std::uint64_t batch);
  // The aggregate receipt of consecutive batch receipts; `lane_proof` and `inactivity_shortcut`
  // are those of the last batch's block. Errors: kInvalid when the aggregator refuses.
  core::Result<Receipt> aggregate(std::vector<Receipt> batches, core::ByteSpan lane_proof,
                                  const kaspa::SeqCommit& inactivity_shortcut);

  // The batch input for w (without proving), for tests and benchmarks.
  core::Result<BatchInput> batch_input(const BatchWork& w) const;

 private:
  ProofSystem& system_;
  Guests guests_;
  BatchPins pins_;
  state::Smt smt_;  // value hashes after batch next_ - 1
  std::uint64_t next_;
  std::uint64_t window_;
  unsigned threads_;
  std::deque<std::vector<state::SmtUpdate>> undo_;  // per batch, oldest first: previous values
};

}  // namespace basalt::zk
