// Settlement of a driven app: a prover thread follows the driver's batches (transaction and batch
// receipts, off the execution path), bundles are aggregated from what it has proven, and the
// settler moves the app's covenant on L1. Everything it decides starts from L1: the
// covenant UTXO tells which batch settlement has reached, so a reorg that undoes a settlement, a
// refused or abandoned settlement, and a restart of the pipeline all continue from what L1 holds.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "kaspa/script.hpp"
#include "node/driver.hpp"
#include "settle/settler.hpp"
#include "settle/verifier.hpp"
#include "zk/prover.hpp"

namespace basalt::node {

struct SettlementOptions {
  // Batches per aggregate: at least bundle_size, and up to max_bundle_size when settlement has
  // fallen behind the proven batches (so that it catches up instead of falling further behind).
  std::uint32_t bundle_size = 4;
  std::uint32_t max_bundle_size = 16;
  // A bundle's batch receipts together stay within this many bytes: the aggregate receipt travels
  // in the settlement's signature script, which L1 bounds (kaspa::kMaxScriptSize). A single batch
  // over it cannot be settled (re-execution receipts are not succinct).
  std::size_t max_bundle_receipt_bytes = kaspa::kMaxScriptSize * 9 / 10;
  std::uint64_t covenant_value = 1'000'000'000;  // sompi locked in the covenant
  unsigned prover_threads = 2;                   // transaction receipts proven in parallel
  // Batches waiting for the prover thread at most; execution waits beyond (backpressure).
  std::size_t max_queued_batches = 64;
  // Paid by create() from the faucet to a fee key other than the faucet's, in this many outputs
  // (a fee bump needs an output the settlement in flight does not spend).
  std::uint64_t fee_funding = 100'000'000'000;
  std::uint32_t fee_outputs = 8;
  settle::SettlerOptions settler;
  // Called on the prover thread with each proven batch before it counts as proven (to store its
  // receipt). An error stops the pipeline as a proving error does.
  std::function<core::Status(const zk::BatchWork&, const zk::Receipt&)> on_proven;
};

// What a settlement step reports, for people.
struct SettlementReport {
  std::vector<settle::SettlerEvent> events;
  // The bundles submitted by this step, in the order of their kSubmitted events.
  std::vector<settle::Bundle> submitted;
};

class SettlementPipeline {
 public:
  // Creates the covenant (a genesis transaction paid by `key`, submitted to the driver's L1
  // source) at the app's state after the driver's committed tip, which must be batch 0 (a fresh
  // run); funds `fee_key` from `key` unless they are the same. `system` must have the app, batch
  // and aggregate guests registered.
  static core::Result<std::unique_ptr<SettlementPipeline>> create(
      Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
      const crypto::SecretKey& key, const crypto::SecretKey& fee_key,
      const SettlementOptions& options);
  // Continues a covenant made by create() before a restart: `state` is the app's state after
  // batch `after`, where proving continues; `proven` holds batch receipts kept from before (by
  // batch, up to `after`), so that bundles can start below `after`. What create() and the settler
  // submitted is L1's: the covenant UTXO says where settlement stands.
  // Errors: kInvalid when a kept receipt's journal is not a batch transition.
  static core::Result<std::unique_ptr<SettlementPipeline>> resume(
      Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
      std::uint64_t after, const settle::CovenantOrigin& origin, const crypto::SecretKey& fee_key,
      std::map<std::uint64_t, zk::Receipt> proven, const SettlementOptions& options);
  // Proves without settling: no covenant is created, looked up or moved, and no key is needed
  // (a keyless observer, or `[settle] enabled = false`). The receipts pin `covenant` (the app's,
  // when it has one; the zero id when it has none): they prove every batch's execution and
  // transition, and such a pipeline submits nothing. `state`, `after` and `proven` as in resume().
  static core::Result<std::unique_ptr<SettlementPipeline>> prove_only(
      Driver& driver, zk::ProofSystem& system, zk::Guests guests, const state::Smt& state,
      std::uint64_t after, const kaspa::CovenantId& covenant,
      std::map<std::uint64_t, zk::Receipt> proven, const SettlementOptions& options);
  // Stops the prover thread (queued batches are dropped).
  ~SettlementPipeline();
  // The same, before destruction; the pipeline proves nothing more. Idempotent.
  void stop();

  // False for a pipeline made by prove_only().
  bool settles() const { return settler_ != nullptr; }
  // Replaces the settler by a new one that knows nothing of the settlement in flight, as after a
  // restart of a settler process (the receipts are kept, as a node's index keeps them).
  // Requires: settles().
  void restart_settler();

  // Follows one driver step: rolls proofs back past a reorg (the batch being proven finishes
  // first, queued ones above the fork are dropped), queues the step's batches for the prover
  // thread, follows the settlement in flight and, when none is and `settle_more`, settles the next
  // bundle from what is proven so far (a prove_only() pipeline only proves). Errors: the prover's
  // (a batch that cannot be proven).
  core::Result<SettlementReport> after_step(const StepReport& step, bool settle_more = true);
  // Waits until every queued batch is proven. Errors: the prover's.
  core::Status wait_proven();
  // The prover's error, if it stopped on one.
  core::Status failure() const;

  // The next bundle to settle from the covenant's current state, of batches proven up to
  // `proven_up_to`; nullopt while too few batches are proven or no bundle end has the lane in its
  // lane SMT.
  core::Result<std::optional<settle::Bundle>> next_bundle(
      std::uint64_t proven_up_to = ~std::uint64_t{0});
  // The batch receipt of a proven batch still kept (nullptr otherwise).
  const zk::Receipt* batch_receipt(std::uint64_t batch) const;
  // Aggregates consecutive batch receipts (lane proof and inactivity shortcut of the last one's
  // block).
  core::Result<zk::Receipt> aggregate(std::vector<zk::Receipt> batches, core::ByteSpan lane_proof,
                                      const kaspa::SeqCommit& inactivity_shortcut) const {
    return prover_->aggregate(std::move(batches), lane_proof, inactivity_shortcut);
  }

  // What create() submitted to L1: the covenant's genesis, then the fee key's funding (if any).
  const std::vector<kaspa::Transaction>& setup_transactions() const { return setup_; }
  settle::CovenantOrigin origin() const { return {covenant_id(), initial_.state}; }
  const kaspa::CovenantId& covenant_id() const { return covenant_id_; }
  const settle::CovenantScript& covenant() const { return covenant_; }
  const settle::CovenantPins& pins() const { return covenant_.pins(); }
  // The batch the covenant's state is at (0 before any settlement), as L1 shows it now; nullopt
  // also while L1 cannot be asked, and always for a prove_only() pipeline.
  std::optional<std::uint64_t> settled_batch() const;
  // The covenant's output if it is at the state of the creation or of a proven batch. Errors: the
  // source's.
  core::Result<std::optional<kaspa::Outpoint>> covenant_output() const;
  // The last batch proven (0: none).
  std::uint64_t proven_batch() const;
  // Batches waiting for the prover thread (the one it is proving included).
  std::size_t queued() const;

 private:
  // The batch whose state the covenant's output is at, and that output.
  core::Result<std::optional<std::pair<std::uint64_t, kaspa::Outpoint>>> covenant_at() const;
  // Settles with `fee_key`; proves only without one.
  SettlementPipeline(Driver& driver, zk::ProofSystem& system, zk::Guests guests,
                     settle::CovenantScript covenant, const state::Smt& state, std::uint64_t after,
                     const settle::CovenantOrigin& origin,
                     const std::optional<crypto::SecretKey>& fee_key,
                     const SettlementOptions& options);
  // Takes the receipts kept from before a restart (those up to `after`). Errors: kInvalid when
  // one's journal is not a batch transition.
  core::Status keep(std::map<std::uint64_t, zk::Receipt> proven, std::uint64_t after);
  // Errors: the source's, when the lane proof a batch with lane transactions needs is not there.
  core::Result<zk::BatchWork> work(const exec::BatchResult& r) const;
  core::Status settle_next(SettlementReport& report, std::uint64_t proven_up_to);
  void prover_loop();
  std::uint64_t proven_batch_locked() const;

  struct Proven {
    zk::Receipt receipt;
    zk::BatchTransition journal;
    std::size_t bytes = 0;  // the receipt's encoded size
  };
  Driver& driver_;
  SettlementOptions options_;
  settle::CovenantScript covenant_;
  std::unique_ptr<zk::Prover>
      prover_;  // used by the prover thread, and by rollbacks while it is idle
  std::unique_ptr<settle::Settler> settler_;  // null: the pipeline proves only
  kaspa::CovenantId covenant_id_;
  settle::CovenantState initial_;  // the covenant's state at creation (after batch 0)
  std::optional<crypto::SecretKey> fee_key_;
  std::vector<kaspa::Transaction> setup_;

  // Shared with the prover thread.
  mutable std::mutex m_;
  std::condition_variable work_cv_;  // a batch queued, or stop
  std::condition_variable done_cv_;  // a batch proven (or failed)
  std::deque<zk::BatchWork> queue_;
  bool proving_ = false;  // the thread holds a batch taken from the queue
  bool stop_ = false;
  std::optional<core::Error> failure_;
  std::map<std::uint64_t, Proven> proven_;  // by batch; entries are erased only by after_step
  std::thread prover_thread_;
};

// What the app's covenant pins: its lane and the guests' image ids.
settle::CovenantPins covenant_pins(const zk::Guests& g);

}  // namespace basalt::node
