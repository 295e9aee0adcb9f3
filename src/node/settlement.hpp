// Settlement of a driven app: the prover follows the driver's batches (transaction and batch
// receipts as batches commit), bundles them into aggregate receipts, and the settler moves the
// app's covenant on the simulator. Everything it decides starts from L1: the covenant UTXO tells
// which batch settlement has reached, so a reorg that undoes a settlement, a refused or abandoned
// settlement, and a restart of the pipeline all continue from what L1 holds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

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
  std::uint64_t covenant_value = 1'000'000'000;  // sompi locked in the covenant
  unsigned prover_threads = 2;                   // transaction receipts proven in parallel
  settle::SettlerOptions settler;
};

// What a settlement step reports, for people.
struct SettlementReport {
  std::uint64_t proven = 0;  // batches proven by this step
  std::vector<settle::SettlerEvent> events;
  // The bundles submitted by this step, in the order of their kSubmitted events.
  std::vector<settle::Bundle> submitted;
};

class SettlementPipeline {
 public:
  // Creates the covenant (a genesis transaction from the simulator's faucet key, submitted to the
  // driver's simulator) at the app's state after the driver's committed tip, which must be batch
  // 0 (a fresh run). `system` must have the app, batch and aggregate guests registered.
  static core::Result<std::unique_ptr<SettlementPipeline>> create(Driver& driver,
                                                                  zk::ProofSystem& system,
                                                                  zk::Guests guests,
                                                                  const state::Smt& state,
                                                                  const SettlementOptions& options);
  // Replaces the settler by a new one that knows nothing of the settlement in flight, as after a
  // restart of a settler process (the receipts are kept, as a node's index keeps them).
  void restart_settler();

  // Follows one driver step: rolls proofs back past a reorg, proves the step's batches, follows
  // the settlement in flight and, when none is and `settle_more`, settles the next bundle.
  core::Result<SettlementReport> after_step(const StepReport& step, bool settle_more = true);

  // The next bundle to settle from the covenant's current state, proven but not submitted; nullopt
  // while too few batches are proven or no bundle end has the lane in its lane SMT.
  core::Result<std::optional<settle::Bundle>> next_bundle();
  // The batch receipt of a proven batch still kept (nullptr otherwise).
  const zk::Receipt* batch_receipt(std::uint64_t batch) const;
  zk::Prover& prover() { return *prover_; }

  const kaspa::CovenantId& covenant_id() const { return settler_->covenant_id(); }
  const settle::CovenantPins& pins() const { return pins_; }
  // The batch the covenant's state is at (0 before any settlement), as L1 shows it now.
  std::optional<std::uint64_t> settled_batch() const;
  std::uint64_t proven_batch() const { return prover_->next_batch() - 1; }

 private:
  SettlementPipeline(Driver& driver, zk::ProofSystem& system, zk::Guests guests,
                     const state::Smt& state, const kaspa::CovenantId& covenant,
                     const SettlementOptions& options);
  zk::BatchWork work(const exec::BatchResult& r) const;
  core::Status settle_next(SettlementReport& report);

  struct Proven {
    zk::Receipt receipt;
    zk::BatchTransition journal;
  };
  Driver& driver_;
  SettlementOptions options_;
  settle::CovenantPins pins_;
  std::unique_ptr<zk::Prover> prover_;
  std::unique_ptr<settle::Settler> settler_;
  std::map<std::uint64_t, Proven> proven_;  // by batch
  settle::CovenantState initial_;           // the covenant's state at creation (after batch 0)
};

}  // namespace basalt::node
