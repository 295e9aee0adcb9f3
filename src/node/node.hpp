// The node: the driver (simulator, follower, executor) on its own thread, paced at the configured
// block interval, with a prover thread making re-execution receipts of every transaction, an index
// for the API, metrics, and submissions from API clients injected into the simulator's mempool.
//
// An accepted submission is logged (synced) with the step it entered the mempool before the client
// hears "accepted"; a restart replays the simulator, its seeded users and the logged submissions
// up to the step of the last committed batch, so it continues the same chain with the same roots.
// Settlement is not wired into the node yet (issue #7); node::SettlementPipeline runs it for
// `basalt settle`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "exec/executor.hpp"
#include "kaspa/transaction.hpp"
#include "node/config.hpp"
#include "node/driver.hpp"
#include "node/index.hpp"
#include "node/log.hpp"
#include "node/metrics.hpp"
#include "state/store.hpp"
#include "zk/proof_system.hpp"

namespace basalt::node {

struct NodeStatus {
  std::uint64_t l1_step = 0;  // simulator steps taken
  std::uint64_t l1_chain_length = 0;
  kaspa::BlockHash l1_tip;
  std::uint64_t l1_tip_blue_score = 0;
  std::uint64_t mempool = 0;
  bool catching_up = false;    // replaying the simulator after a restart
  std::uint64_t executed = 0;  // batch ids
  std::uint64_t committed = 0;
  std::uint64_t proven = 0;  // every transaction of batches 1..proven has its receipt
  core::Hash32 committed_root;
  std::uint64_t proof_queue = 0;  // batches waiting for the prover
  std::uint64_t reorgs = 0;
  std::uint64_t submissions = 0;  // accepted since start
  std::uint64_t tx_ok = 0;        // lane transactions executed since start (re-executions count)
  std::uint64_t tx_failed = 0;
};

struct SubmitOutcome {
  bool accepted = false;
  kaspa::TxId id;
  std::string reason;      // when rejected: the mempool's
  std::uint64_t step = 0;  // when accepted: the simulator step it entered the mempool in
};

struct ResourceView {
  state::ResourceId id;
  core::Bytes value;        // empty: absent
  std::uint64_t batch = 0;  // the committed batch the value and proof are of
  core::Hash32 root;
  core::Bytes proof;  // state::Smt multiproof for {id} against root
};

class Node {
 public:
  // Opens the data directory (state store and index), loads the app and prepares the driver. When
  // the prover fell behind before a restart, the state is rolled back to the last proven batch (as
  // far as the rollback window allows) so that those batches are executed again and proven.
  static core::Result<std::unique_ptr<Node>> open(const Config& config, Logger& log);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Runs until `stop` is set, config.stop_after_blocks chain blocks are executed, committed and
  // proven, or an error. Returns what stopped it; everything committed stays committed.
  core::Status run(const std::atomic<bool>& stop);

  // From any thread.
  NodeStatus status() const;
  // Validates the transaction into the simulator's mempool at the next step boundary. Errors:
  // kUnavailable when the node is stopping or does not answer within `timeout`, kIo.
  core::Result<SubmitOutcome> submit(const kaspa::Transaction& tx,
                                     std::chrono::milliseconds timeout);
  // A resource's value with a proof against the last committed root. Errors: kUnavailable, kIo.
  core::Result<ResourceView> resource(const state::ResourceId& id,
                                      std::chrono::milliseconds timeout);
  // Simulator outputs paying `spk` that no mempool transaction spends (for funding L1 inputs).
  core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk, std::chrono::milliseconds timeout);
  const NodeIndex& index() const { return *index_; }
  std::uint64_t state_disk_bytes() const { return store_->disk_bytes(); }
  Metrics& metrics() { return metrics_; }
  const Config& config() const { return config_; }
  const vm::ImageId& app_image_id() const { return image_id_; }
  // The simulator's faucet key (derived from the seed; a development key, never a real one).
  const crypto::SecretKey& faucet_key() const { return driver_->sim().faucet_key(); }

 private:
  struct Task;
  struct ProofJob {
    std::uint64_t batch = 0;
    struct Tx {
      kaspa::TxId id;
      core::Bytes input;
      core::Bytes journal;
    };
    std::vector<Tx> txs;  // the batch's transactions whose guest exited with 0
  };
  Node(const Config& config, Logger& log);

  // Runs `fn` on the driver thread between steps and waits for its result.
  template <typename T>
  core::Result<T> ask(std::function<core::Result<T>()> fn, std::chrono::milliseconds timeout);
  core::Status loop(const std::atomic<bool>& stop);
  void shutdown();
  void serve_tasks();
  // Puts the API's pending submissions into the mempool, logs the accepted ones (synced) and
  // answers their clients.
  core::Status take_submissions();
  // Indexes the step's batches and hands their inputs to the prover (moved out of `report`).
  core::Status record_step(StepReport& report);
  void prover_loop();
  void describe_metrics();
  void update_gauges();

  Config config_;
  Logger& log_;
  Metrics metrics_;
  std::unique_ptr<state::StateStore> store_;
  std::unique_ptr<NodeIndex> index_;
  std::unique_ptr<exec::Executor> executor_;
  std::unique_ptr<Driver> driver_;
  std::shared_ptr<const vm::Program> program_;
  vm::RunLimits limits_;
  vm::ImageId image_id_;

  mutable std::mutex status_mutex_;
  NodeStatus status_;

  std::mutex task_mutex_;
  std::condition_variable task_cv_;
  std::deque<std::shared_ptr<Task>> tasks_;
  bool stopping_ = false;
  struct PendingSubmission;
  std::deque<std::shared_ptr<PendingSubmission>> submissions_;

  std::mutex prover_mutex_;
  std::condition_variable prover_cv_;
  std::deque<ProofJob> proof_jobs_;
  std::uint64_t prover_epoch_ = 0;  // bumped by every rollback: work of an older epoch is dropped
  std::uint64_t proven_ = 0;
  std::uint64_t backlog_total_ = 0;  // jobs of the backlog being reported as progress
  bool prover_stop_ = false;
  std::optional<core::Error> prover_error_;
  std::thread prover_;
};

}  // namespace basalt::node
