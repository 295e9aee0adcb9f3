// The executor: one batch per chain block (empty blocks included). A batch's lane transactions run
// in merge_idx order as far as their declared access demands it and in parallel otherwise: a read
// waits for the last earlier write of its resource, a write for the last earlier write and every
// read since. The outcome is the same for any number of threads, because every conflict is ordered
// by the declared access and a guest sees nothing it did not declare.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "exec/abi.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"
#include "state/store.hpp"
#include "vm/machine.hpp"

namespace basalt::exec {

// An app: its transaction-processor guest and the names of its failure codes.
struct App {
  std::string name;
  std::shared_ptr<const vm::Program> program;
  vm::RunLimits limits;                        // per transaction
  std::map<std::uint32_t, std::string> codes;  // app failure code -> name
};
// Loads a built-in app ("counter", "token") from `guest_dir`, or any other name as a path to a
// guest ELF (whose failure codes have no names). Errors: those of reading and loading the ELF.
core::Result<App> load_app(const std::string& name_or_path, const std::string& guest_dir);

// One transaction through the app as a batch runs it: the guest input from the context, the
// transaction and each declared resource's data (in `accesses` order, the payload's), the guest's
// run, and its judgement. `basalt app try` runs an app this way without a chain.
struct TxRun {
  core::Bytes input;
  vm::RunResult run;
  TxOutcome outcome;
};
TxRun run_tx(const App& app, const TxContext& ctx, const kaspa::Transaction& tx,
             std::span<const AccessEntry> accesses, std::span<const core::ByteSpan> data);

struct LaneTx {
  kaspa::TxId id;
  std::uint32_t merge_idx = 0;
  kaspa::Transaction tx;
};

struct BlockInput {
  kaspa::BlockHash hash;
  std::uint64_t blue_score = 0;
  std::uint64_t daa_score = 0;
  std::uint64_t prev_timestamp = 0;  // the selected parent's timestamp
  std::vector<LaneTx> txs;           // the app lane's accepted transactions, merge_idx ascending
  core::Bytes extra;                 // the caller's bookkeeping, stored with the batch
};

struct TxResult {
  kaspa::TxId id;
  std::uint32_t merge_idx = 0;
  bool ok = false;
  FailReason reason = FailReason::kApp;
  std::uint32_t app_code = 0;
  std::string detail;
  std::uint64_t cycles = 0;
  std::vector<Exit> exits;  // ok: what the transaction sends out of the app
  core::Bytes journal;      // when the guest exited with code 0
  core::Bytes input;  // the guest's input, kept only when Executor::keep_inputs is on (provers)
};

struct BatchResult {
  state::BatchId id;
  kaspa::BlockHash block;
  core::Hash32 root;
  std::vector<TxResult> txs;
};

// What the executor records with every committed batch.
struct BatchMeta {
  kaspa::BlockHash block;
  std::uint32_t txs = 0;
  std::uint32_t failed = 0;
  core::Bytes extra;
};
core::Bytes encode_batch_meta(const BatchMeta& m);
core::Result<BatchMeta> decode_batch_meta(core::ByteSpan b);

// Commits are pipelined: submit() executes a block and queues its commit for a writer thread, so
// the next block executes while RocksDB writes; a later block reads what earlier queued ones wrote
// from memory. Each commit is still one atomic write, in order, so a killed process restarts from
// its last committed batch. The store must not be used by anyone else while an Executor owns it.
class Executor {
 public:
  // threads: workers running transactions, the calling thread among them; 0: the core count.
  Executor(state::StateStore& store, App app, unsigned threads);
  // Commits what is queued (errors are dropped; they are reported by the calls that see them).
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Executes the block as batch executed_tip()+1 and queues its commit. The result's root is not
  // known yet (zero): wait_committed() gives it. Errors: a failed earlier commit (kIo),
  // kUnavailable when cancel() stopped the batch (nothing is queued then).
  core::Result<BatchResult> submit(const BlockInput& block);
  // submit() and wait_committed(): the batch is on disk and the result carries its root.
  core::Result<BatchResult> execute(const BlockInput& block);
  // Waits until batch `id` is committed and returns its root. Errors: kIo, kNotFound when the id
  // was never executed or was rolled back.
  core::Result<core::Hash32> wait_committed(state::BatchId id);
  // Waits until everything queued is committed.
  core::Status flush();
  // Undoes the batches above `target`: queued commits above it are cancelled (never written),
  // committed ones rolled back. Errors: those of StateStore::rollback_to, kIo.
  core::Status rollback_to(state::BatchId target);
  core::Result<BatchMeta> batch_meta(state::BatchId id) const;

  // The last batch executed (committed or queued), and the lowest batch a rollback may target.
  state::BatchId executed_tip() const { return {next_id_ - 1}; }
  state::BatchId rollback_floor() const;

  // Stops the batch in progress (from any thread, e.g. a signal handler's watcher): transactions
  // not yet started are skipped and submit() returns kUnavailable. Later batches run normally.
  void cancel() { cancel_.store(true); }

  // "app:<code name>" for app failures, else the reason's name.
  std::string reason_label(const TxResult& r) const;
  // Keep each transaction's guest input in its result, for a prover.
  void keep_inputs(bool on) { keep_inputs_ = on; }
  const App& app() const { return app_; }
  unsigned threads() const { return threads_; }

 private:
  class Pool;
  class Writer;
  state::StateStore& store_;
  App app_;
  unsigned threads_;
  std::uint64_t next_id_;
  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Writer> writer_;
  std::atomic<bool> cancel_{false};
  bool keep_inputs_ = false;
};

}  // namespace basalt::exec
