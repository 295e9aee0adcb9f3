// The driver: the chain follower and the executor over any L1 source. Each step asks the source how
// the chain goes on from the last block the driver followed (kaspad's GetVirtualChainFromBlock):
// a reorg rolls executed batches back, then every new chain block becomes one batch. Each batch
// records what resuming after it needs (its block, the app lane's state after it), so a restart
// continues from the node's own last committed batch, against a source that moved on or reorged
// meanwhile as much as against one that did not.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "core/window.hpp"
#include "exec/executor.hpp"
#include "kaspa/types.hpp"
#include "l1/chain.hpp"
#include "l1/follower.hpp"
#include "state/store.hpp"

namespace basalt::node {

struct DriverOptions {
  std::uint64_t finality_depth = 100;
  // Chain blocks a step takes from the source at most: a catch-up goes in steps of this many.
  std::size_t max_blocks_per_step = 64;
};

// The app's lane on the simulator.
kaspa::LaneId app_lane();
// A chain block as the executor takes it: its header fields and the app lane's transactions.
exec::BlockInput block_input(const l1::ChainBlockInfo& info);

// What the driver stores with each batch (exec::BlockInput::extra).
struct BatchRecordExtra {
  std::uint64_t step = 0;        // the driver step it was executed in (counting across restarts)
  std::uint64_t blue_score = 0;  // its chain block's
  kaspa::LaneTip lane_tip;  // the app lane's last tip after the block, active or not (zero: none)
  std::uint64_t lane_blue_score = 0;  // its last-touch blue score
};
core::Bytes encode_batch_extra(const BatchRecordExtra& r);
core::Result<BatchRecordExtra> decode_batch_extra(core::ByteSpan b);

struct StepReport {
  std::uint64_t step = 0;
  bool behind = false;  // the source holds more chain blocks than this step took (catching up)
  std::uint64_t rolled_back = 0;  // batches a reorg undid, before `executed` ran
  std::uint64_t rolled_back_to = 0;
  std::vector<exec::BatchResult> executed;  // in order
  double exec_seconds = 0;                  // spent in the executor
  l1::ChainChanged change;                  // what the step followed
};

class Driver {
 public:
  // Resumes after the store's committed tip (the batch records name its block and the lane's
  // state), or starts at genesis. `producer`, when given, makes a block at each step that is not
  // catching up (the first step only follows what the source holds). Errors: those of the store and
  // the executor; kCorrupt for a batch record that does not decode.
  static core::Result<std::unique_ptr<Driver>> open(const DriverOptions& options,
                                                    state::StateStore& store,
                                                    exec::Executor& executor,
                                                    l1::ChainSource& source,
                                                    l1::BlockProducer* producer);

  // The step the next step() runs.
  std::uint64_t next_step() const { return step_ + 1; }
  // Hands a transaction to the source. Errors: the source's.
  core::Status submit(const kaspa::Transaction& tx) { return source_.submit_transaction(tx); }
  // One step: produce a block (when there is a producer and the driver is not behind), follow the
  // source's chain from the followed tip, roll back what a reorg removed and execute the new chain
  // blocks. Errors: kUnavailable "L1: …" for whatever the source could not do or gave wrong (it
  // did not answer, does not know the followed tip, removed a block not followed, a block its
  // lane proofs contradict): the driver keeps what it followed before, and a later step may go
  // on; the executor's; kInvalid when a reorg reaches below the rollback window.
  core::Result<StepReport> step();
  // The followed chain's length (positions 1..length; batch p is chain block p).
  std::uint64_t chain_length() const { return chain_.size(); }
  // Whether chain block p is still held (see forget_before).
  bool held(std::uint64_t p) const { return p > chain_.first() && p <= chain_.size(); }
  // Chain block p (held) and the record its batch was executed with. Blocks more than F below the
  // tip, and those a restart resumed below, hold their hash and blue score only.
  const l1::ChainBlockInfo& block(std::uint64_t p) const { return chain_[p - 1].info; }
  const BatchRecordExtra& record(std::uint64_t p) const { return chain_[p - 1].record; }
  // Lets go of the positions below chain block p, or below the rollback window or F below the tip
  // if that is lower: a reorg never reaches them.
  void forget_before(std::uint64_t p);
  l1::ChainSource& source() { return source_; }
  const l1::ChainSource& source() const { return source_; }

 private:
  struct Position {
    l1::ChainBlockInfo info;
    BatchRecordExtra record;
  };
  Driver(const DriverOptions& options, exec::Executor& executor, l1::ChainSource& source,
         l1::BlockProducer* producer);
  // Drops the positions above `keep` and rolls the executor and the follower back to it.
  core::Status roll_back_to(std::uint64_t keep, StepReport& report);
  void restore_follower();
  core::Status execute(StepReport& report);

  DriverOptions options_;
  exec::Executor& executor_;
  l1::ChainSource& source_;
  l1::BlockProducer* producer_;
  l1::Follower follower_;
  kaspa::LaneKey lane_key_;
  std::uint64_t step_ = 0;
  // Whether the source may hold chain blocks the driver has not followed: it asks for a new block
  // only once it has taken what there is (so a restart adds nothing before it caught up).
  bool behind_ = true;
  core::Window<Position> chain_;  // position p is chain_[p - 1]
  std::uint64_t trimmed_ = 0;     // chain_[0..trimmed_) hold no transactions
};

}  // namespace basalt::node
