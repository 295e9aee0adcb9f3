// The driver: the embedded simulator, the chain follower and the executor, one simulator step at a
// time. Every chain block becomes one batch; a reorg rolls executed batches back before the new
// chain blocks run. Each batch records the step it was executed in, so a restart replays the
// simulator (and its seeded users, and the caller's submissions) from the seed up to the step of
// the last committed batch and continues from there: a killed run ends with the same roots as an
// uninterrupted one.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "core/window.hpp"
#include "exec/executor.hpp"
#include "exec/workload.hpp"
#include "kaspa/types.hpp"
#include "l1/chain.hpp"
#include "l1/follower.hpp"
#include "l1/sim/simulator.hpp"
#include "state/store.hpp"

namespace basalt::node {

struct DriverOptions {
  std::uint64_t sim_seed = 1;
  std::uint64_t finality_depth = 100;
  std::uint32_t reorg_every = 0;  // simulator steps between reorgs (0: none)
  std::uint32_t reorg_depth = 3;
  // Seeded users of the app on its lane (tx_per_block 0: none). Their app, seed and lane are the
  // driver's.
  std::uint32_t users_tx_per_block = 10;
  std::uint32_t users_invalid_permille = 50;
  std::uint32_t users_accounts = 1000;
  std::uint32_t users_exit_permille = 20;  // token: share of valid transactions that withdraw
};

// The app's lane on the simulator.
kaspa::LaneId app_lane();
// A chain block as the executor takes it: its header fields and the app lane's transactions.
exec::BlockInput block_input(const l1::ChainBlockInfo& info);

// What the driver stores with each batch (exec::BlockInput::extra).
struct BatchRecordExtra {
  std::uint64_t step = 0;   // the simulator step the batch was executed in
  kaspa::LaneTip lane_tip;  // the app lane's last tip after the block, active or not (zero: none)
  std::uint64_t lane_blue_score = 0;  // its last-touch blue score
};
core::Result<BatchRecordExtra> decode_batch_extra(core::ByteSpan b);

struct StepReport {
  std::uint64_t step = 0;
  bool replayed = false;  // the step only rebuilt the simulator: its batches were committed before
  std::uint64_t rolled_back = 0;  // batches a reorg undid, before `executed` ran
  std::uint64_t rolled_back_to = 0;
  std::vector<exec::BatchResult> executed;  // in order
  double exec_seconds = 0;                  // spent in the executor (not the simulator)
  l1::ChainChanged change;                  // what the step changed on L1
};

class Driver {
 public:
  // Binds the store to the simulation's identity (seed, app, users, reorg settings) so a data
  // directory is never continued by another simulation, and reads where a restart resumes.
  // Errors: those of the store; kInvalid for a data directory of another simulation.
  static core::Result<std::unique_ptr<Driver>> open(const DriverOptions& options,
                                                    state::StateStore& store,
                                                    exec::Executor& executor);

  // The step the next step() runs, and the step of the last committed batch when opened (0: none).
  std::uint64_t next_step() const { return step_ + 1; }
  std::uint64_t resume_step() const { return resume_step_; }
  // Validates a transaction into the simulator's mempool for the next step. Errors: the mempool's.
  core::Status submit(const kaspa::Transaction& tx) { return sim_.submit_transaction(tx); }
  // One simulator step: follow its chain changes, roll back what a reorg removed, execute the new
  // chain blocks (not while replaying). Errors: the executor's and the follower's; kInvalid when
  // the committed batches are not on the replayed chain.
  core::Result<StepReport> step();
  // The followed chain's length (positions 1..length; batch p is chain block p).
  std::uint64_t chain_length() const { return chain_.size(); }
  // Chain block p (1..chain_length(), not let go) and the record its batch is executed with. Blocks
  // more than F below the tip keep only their header fields (no transactions).
  const l1::ChainBlockInfo& block(std::uint64_t p) const { return chain_[p - 1].info; }
  const BatchRecordExtra& record(std::uint64_t p) const { return chain_[p - 1].record; }
  // Lets go of the positions (and executed blocks) below chain block p, or below the rollback
  // window or F below the tip if that is lower: a reorg or a rollback never reaches them.
  void forget_before(std::uint64_t p);
  const l1::sim::Simulator& sim() const { return sim_; }
  // For submitting transactions other than lane ones (settlements). Not replayed on restart.
  l1::sim::Simulator& sim() { return sim_; }

 private:
  struct Position {
    l1::ChainBlockInfo info;
    BatchRecordExtra record;
  };
  Driver(const DriverOptions& options, state::StateStore& store, exec::Executor& executor);

  DriverOptions options_;
  state::StateStore& store_;
  exec::Executor& executor_;
  l1::sim::Simulator sim_;
  std::optional<exec::Workload> users_;
  l1::Follower follower_;
  kaspa::LaneKey lane_key_;
  std::uint64_t step_ = 0;
  std::uint64_t resume_step_ = 0;
  core::Window<Position> chain_;             // position p is chain_[p - 1]
  core::Window<kaspa::BlockHash> executed_;  // executed_[p - 1]: the block batch p ran
};

}  // namespace basalt::node
