// The node: the runtime's driver (L1 source, follower, executor) on its own thread, paced at the
// configured block interval, with the settlement pipeline (a prover thread making transaction and
// batch receipts behind execution, aggregates of bundles, the settler moving the app's covenant on
// L1), an index for the API, metrics, and submissions from API clients handed to L1.
//
// A restart resumes from the node's own records: the state store's last committed batch (its
// chain block, the lane's state after it), the index's settlement records and the submissions it
// follows. It asks L1 how the chain went on from that block, rolls back first what a reorg removed
// meanwhile, and continues; L1 itself is never replayed by the node.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "exec/executor.hpp"
#include "kaspa/transaction.hpp"
#include "node/config.hpp"
#include "node/driver.hpp"
#include "node/exits.hpp"
#include "node/history.hpp"
#include "node/index.hpp"
#include "node/log.hpp"
#include "node/metrics.hpp"
#include "node/runtime.hpp"
#include "node/settlement.hpp"
#include "node/snapshots.hpp"
#include "settle/settler.hpp"
#include "settle/verifier.hpp"
#include "state/store.hpp"
#include "zk/proof_system.hpp"

namespace basalt::node {

struct NodeStatus {
  std::uint64_t l1_step = 0;  // driver steps taken (across restarts)
  std::uint64_t l1_chain_length = 0;
  kaspa::BlockHash l1_tip;
  std::uint64_t l1_tip_blue_score = 0;
  std::uint64_t mempool = 0;
  bool catching_up = false;    // L1 holds more chain blocks than the last step took
  std::uint64_t executed = 0;  // batch ids
  std::uint64_t committed = 0;
  std::uint64_t proven = 0;  // batches 1..proven have batch receipts
  // The batch the app's covenant is at as L1 shows it now (a reorg may still undo it), and the
  // last batch of the newest confirmed settlement.
  std::uint64_t settled = 0;
  std::uint64_t settled_confirmed = 0;
  core::Hash32 committed_root;
  std::uint64_t proof_queue = 0;  // batches waiting for the prover
  std::uint64_t settlements = 0;  // submitted, counting those before a restart
  std::uint64_t settlements_confirmed = 0;
  std::uint64_t reorgs = 0;
  std::uint64_t submissions = 0;  // accepted since start
  std::uint64_t tx_ok = 0;        // lane transactions executed since start (re-executions count)
  std::uint64_t tx_failed = 0;
};

struct SubmitOutcome {
  bool accepted = false;
  kaspa::TxId id;
  std::string reason;      // when rejected: the mempool's
  std::uint64_t step = 0;  // when accepted: the driver step it entered the mempool before
};

struct ResourceView {
  std::vector<state::ResourceId> ids;  // strictly ascending
  std::vector<core::Bytes> values;     // values[i] of ids[i]; empty: absent
  std::uint64_t batch = 0;             // the committed batch the values and proof are of
  core::Hash32 root;
  core::Bytes proof;  // state::Smt multiproof for `ids` against root
};

class Node {
 public:
  // Opens the data directory (state store and index), loads the app and prepares the driver and
  // the settlement pipeline (a fresh data directory gets a new covenant). With the prover on, a
  // restart rolls the state back to the last proven batch, and at least the rollback window
  // below the tip, so that those batches are executed and proven again: the prover needs their
  // inputs, which are not stored, and must be able to follow any reorg the state store can.
  // `source` (with its `producer`, if it makes blocks on request) replaces the embedded L1: not
  // owned, it must outlive the node.
  // `start`, when given, runs once the state store and L1 are open, before the driver reads the
  // store: it may fill an empty store (`basalt node --sync-from`) and return a source to follow
  // before L1 (nullptr: L1 itself), which the node keeps.
  using Start = std::function<core::Result<std::unique_ptr<l1::ChainSource>>(state::StateStore&,
                                                                             l1::ChainSource&)>;
  static core::Result<std::unique_ptr<Node>> open(const Config& config, Logger& log,
                                                  l1::ChainSource* source = nullptr,
                                                  l1::BlockProducer* producer = nullptr,
                                                  const Start& start = {});
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Runs until `stop` is set, config.stop_after_blocks chain blocks are executed, committed and
  // proven, config.stop_after_settlements settlements are confirmed, or an error. Returns what
  // stopped it; everything committed stays committed.
  core::Status run(const std::atomic<bool>& stop);

  // From any thread.
  NodeStatus status() const;
  // Hands the transaction to L1's mempool at the next step boundary. Errors:
  // kUnavailable when the node is stopping or does not answer within `timeout`, kIo.
  core::Result<SubmitOutcome> submit(const kaspa::Transaction& tx,
                                     std::chrono::milliseconds timeout);
  // Resources' values with one proof against the root of committed batch `at` (nullopt: the last
  // committed one; an earlier one must lie within the rollback window). Errors: kUnavailable, kIo,
  // kOutOfRange (`at` outside the window), kInvalid (ids not strictly ascending).
  core::Result<ResourceView> resources(std::vector<state::ResourceId> ids,
                                       std::optional<std::uint64_t> at,
                                       std::chrono::milliseconds timeout);
  // L1 outputs paying `spk` that no mempool transaction spends (for funding L1 inputs).
  core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk, std::chrono::milliseconds timeout);
  const NodeIndex& index() const { return *index_; }
  // The settled snapshots the node keeps; nullptr without [da] snapshots or a known covenant.
  const SnapshotKeeper* snapshots() const { return snapshots_.get(); }
  std::uint64_t state_disk_bytes() const { return runtime_->store().disk_bytes(); }
  Metrics& metrics() { return metrics_; }
  const Config& config() const { return config_; }
  const vm::ImageId& app_image_id() const { return runtime_->image_id(); }
  // The embedded L1's faucet key (derived from the seed; a development key, never a real one);
  // nullptr with another source.
  const crypto::SecretKey* faucet_key() const { return runtime_->dev_key(); }
  // The app's covenant on L1 when the node settles or settled before.
  const std::optional<kaspa::CovenantId>& covenant_id() const { return covenant_; }
  // Following a kaspad that is not basalt's simulator: it cannot verify re-execution receipts, so
  // the node follows, executes, proves locally (when the prover is on) and serves its API, but
  // settles nothing and needs no key (a keyless observer).
  bool observer() const { return observer_; }
  // Proves and settles: the prover and settlement are on, and L1 can verify the receipts.
  bool settles() const { return pipeline_ != nullptr && pipeline_->settles(); }
  // What L1 is: "the embedded simulator (simnet)", "kaspad at HOST:PORT (network, version)".
  std::string l1_description() const;

 private:
  struct Task;
  Node(const Config& config, Logger& log);

  // Runs `fn` on the driver thread between steps and waits for its result.
  template <typename T>
  core::Result<T> ask(std::function<core::Result<T>()> fn, std::chrono::milliseconds timeout);
  core::Status loop(const std::atomic<bool>& stop);
  void shutdown();
  void serve_tasks();
  // Hands the API's pending submissions to L1, logs the accepted ones (synced) and answers their
  // clients.
  core::Status take_submissions();
  // Indexes the step's batches.
  core::Status record_step(const StepReport& report, bool live);
  // Batch `r`'s lane-activity record (da/archive.hpp), from the chain block `change` added for it.
  core::Result<core::Bytes> activity_record(const exec::BatchResult& r,
                                            const l1::ChainChanged& change) const;
  // While catching up: a progress bar in the log, at most every 5 s.
  void log_catch_up();
  // Hands the step to the settlement pipeline (it settles only when `live`), records what it
  // submitted and follows the open settlements through the step's chain changes.
  core::Status settle_step(const StepReport& report, bool live);
  // Follows the user submissions in flight: an executed one is done; one L1 refused gets its
  // reason indexed, so that no accepted submission is ever silently gone.
  core::Status follow_submissions();
  // Stores a proven batch's receipt and its transactions' (on the prover thread).
  core::Status store_receipts(const zk::BatchWork& w, const zk::Receipt& receipt);
  // Proves and settles; or proves only, for a keyless observer or with settlement off.
  core::Status open_pipeline(std::uint64_t after);
  // Snapshots at settled checkpoints ([da] snapshots), once the covenant is known.
  core::Status open_snapshots();
  SettlementOptions settlement_options();
  // The batch receipts kept in the index that a bundle may still start from, up to `after`.
  core::Result<std::map<std::uint64_t, zk::Receipt>> kept_receipts(std::uint64_t after) const;
  // Rolls the store and the index back to what the prover must see again; returns the batch
  // proving continues after.
  core::Result<std::uint64_t> resume_point(state::StateStore& store);
  // `--rebuild-index`: moves the index aside, writes the rows of the batches below the rollback
  // window from the state store's records and rolls the store back to that window, whose batches
  // the driver executes again from L1. Returns the batch it resumes after.
  core::Result<std::uint64_t> rebuild_index(state::StateStore& store);
  // Writes batch `p`'s index row from the state store's record of it (no transactions).
  core::Status index_row_from_store(const state::StateStore& store, std::uint64_t p);
  // The state store commits a batch on its own thread while the node writes the batch's records
  // into the index: a node killed between the two leaves either one ahead. Batches the store holds
  // without records are executed again (their transactions would never be found otherwise);
  // records above the store's tip are dropped.
  core::Status align_index(state::StateStore& store);
  // Reports the prover's queue as progress while it is a backlog (50 batches or more).
  void report_backlog();
  void update_gauges();

  Config config_;
  Logger& log_;
  Metrics metrics_;
  std::unique_ptr<NodeIndex> index_;
  std::unique_ptr<Runtime> runtime_;
  state::StateStore* store_ = nullptr;  // the runtime's
  exec::Executor* executor_ = nullptr;
  Driver* driver_ = nullptr;

  mutable std::mutex status_mutex_;
  NodeStatus status_;

  std::mutex task_mutex_;
  std::condition_variable task_cv_;
  std::deque<std::shared_ptr<Task>> tasks_;
  bool stopping_ = false;
  struct PendingSubmission;
  std::deque<std::shared_ptr<PendingSubmission>> submissions_;

  std::unique_ptr<SettlementPipeline> pipeline_;  // null unless the prover is enabled
  std::optional<kaspa::CovenantId> covenant_;
  bool observer_ = false;
  std::string l1_trouble_;  // the last L1 error a step reported, until one succeeds
  std::chrono::steady_clock::time_point next_progress_{};  // the next catch-up progress line
  std::uint64_t stored_proven_ = 0;                        // the index's proven tip as last written
  std::uint64_t backlog_total_ = 0;  // batches of the proving backlog being reported as progress
  // User submissions in the mempool (accepted by the node, neither executed nor refused yet).
  std::set<kaspa::TxId> in_flight_;
  std::unique_ptr<SettlementHistory> history_;     // with the pipeline
  std::unique_ptr<ExitFollower> exits_;            // with history_: the settlements' exit outputs
  std::unique_ptr<SnapshotKeeper> snapshots_;      // with [da] snapshots and a known covenant
  std::unique_ptr<l1::ChainSource> start_source_;  // what `start` gave the driver before L1
};

}  // namespace basalt::node
