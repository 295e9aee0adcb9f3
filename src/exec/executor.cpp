#include "exec/executor.hpp"

#include "core/files.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/seq_commit.hpp"

namespace basalt::exec {

namespace {

using core::Error;
using core::ErrorCode;

constexpr std::uint8_t kBatchMetaVersion = 1;

// Per-transaction limits for app guests: generous for any honest transaction, small enough that a
// looping or hoarding guest costs a bounded, deterministic amount.
constexpr std::uint64_t kTxMaxCycles = 50'000'000;
constexpr std::uint32_t kTxMemoryLimit = 16u << 20;

std::map<std::uint32_t, std::string> builtin_codes(const std::string& name) {
  if (name == "counter") return {{100, "not_a_counter"}};
  if (name == "token") {
    return {{100, "malformed_data"}, {101, "access_mismatch"},  {102, "unknown_account"},
            {103, "bad_signature"},  {104, "replayed_nonce"},   {105, "nonce_gap"},
            {106, "overdraft"},      {107, "balance_overflow"}, {108, "corrupt_account"}};
  }
  return {};
}

}  // namespace

core::Result<App> load_app(const std::string& name_or_path, const std::string& guest_dir) {
  const bool builtin = name_or_path == "counter" || name_or_path == "token";
  const std::string path = builtin ? guest_dir + "/" + name_or_path + ".elf" : name_or_path;
  auto elf = core::read_file(path, vm::kMaxElfBytes);
  if (!elf.ok() && !builtin && elf.error().code() == core::ErrorCode::kNotFound) {
    return core::Error{core::ErrorCode::kNotFound,
                       "app \"" + name_or_path +
                           "\" is neither a built-in app (counter, token) nor a guest ELF file (" +
                           elf.error().context() + ")"};
  }
  if (!elf.ok()) return elf.error();
  auto program = vm::Program::load(*elf, kTxMemoryLimit);
  if (!program.ok()) {
    return core::Error{program.error().code(), path + ": " + program.error().context()};
  }
  App app;
  app.name = builtin ? name_or_path : path;
  app.program = std::make_shared<const vm::Program>(std::move(program).value());
  app.limits.max_cycles = kTxMaxCycles;
  app.limits.memory_limit = kTxMemoryLimit;
  app.codes = builtin_codes(name_or_path);
  return app;
}

TxRun run_tx(const App& app, const TxContext& ctx, const kaspa::Transaction& tx,
             std::span<const AccessEntry> accesses, std::span<const core::ByteSpan> data) {
  TxRun t;
  t.input = encode_guest_input(ctx, tx, data);
  t.run = vm::run(*app.program, t.input, app.limits);
  t.outcome = judge_run(t.run, expected_input_commitment(ctx, accesses, data), accesses);
  return t;
}

core::Bytes encode_batch_meta(const BatchMeta& m) {
  core::ByteWriter w(1 + 32 + 12 + m.extra.size());
  w.u8(kBatchMetaVersion);
  w.hash(m.block.hash());
  w.u32_le(m.txs);
  w.u32_le(m.failed);
  w.u32_le(static_cast<std::uint32_t>(m.extra.size()));
  w.bytes(m.extra);
  return w.take();
}

core::Result<BatchMeta> decode_batch_meta(core::ByteSpan b) {
  core::ByteReader r(b);
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("batch meta version"));
  if (version != kBatchMetaVersion) {
    return Error{ErrorCode::kUnknownTag, "batch meta version " + std::to_string(version)};
  }
  BatchMeta m;
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 block, r.read_hash32("batch meta block"));
  m.block = kaspa::BlockHash(block);
  BASALT_ASSIGN_OR_RETURN(m.txs, r.read_u32_le("batch meta txs"));
  BASALT_ASSIGN_OR_RETURN(m.failed, r.read_u32_le("batch meta failed"));
  BASALT_ASSIGN_OR_RETURN(const std::uint32_t n, r.read_u32_le("batch meta extra length"));
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan extra, r.read_bytes(n, "batch meta extra"));
  m.extra.assign(extra.begin(), extra.end());
  BASALT_TRY(r.expect_end("batch meta"));
  return m;
}

// Runs a dependency graph of jobs on the calling thread plus `workers` threads. A job becomes ready
// when its last prerequisite finishes; ready jobs are taken in any order, which is safe because the
// graph orders everything that conflicts.
class Executor::Pool {
 public:
  explicit Pool(unsigned workers) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard lk(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // pending[i]: the number of prerequisites of job i; dependents[i]: the jobs waiting for i.
  void run(std::vector<std::uint32_t>& pending,
           const std::vector<std::vector<std::uint32_t>>& dependents,
           const std::function<void(std::uint32_t)>& job) {
    if (pending.empty()) return;
    counters_ = std::vector<std::atomic<std::uint32_t>>(pending.size());
    {
      std::lock_guard lk(m_);
      job_ = &job;
      dependents_ = &dependents;
      remaining_ = pending.size();
      for (std::uint32_t i = 0; i < pending.size(); ++i) {
        counters_[i].store(pending[i], std::memory_order_relaxed);
        if (pending[i] == 0) ready_.push_back(i);
      }
    }
    cv_.notify_all();
    work_until_done();
    std::lock_guard lk(m_);
    job_ = nullptr;
  }

 private:
  // Takes one ready job and runs it; false when the current graph is finished (or stop).
  bool step(std::unique_lock<std::mutex>& lk) {
    const std::uint32_t i = ready_.front();
    ready_.pop_front();
    const auto* job = job_;
    const auto* deps = dependents_;
    lk.unlock();
    (*job)(i);
    std::vector<std::uint32_t> now_ready;
    for (std::uint32_t d : (*deps)[i]) {
      if (counters_[d].fetch_sub(1, std::memory_order_acq_rel) == 1) now_ready.push_back(d);
    }
    lk.lock();
    ready_.insert(ready_.end(), now_ready.begin(), now_ready.end());
    if (--remaining_ == 0) done_cv_.notify_all();
    if (!now_ready.empty()) cv_.notify_all();
    return true;
  }

  void work() {
    std::unique_lock lk(m_);
    for (;;) {
      cv_.wait(lk, [&] { return stop_ || (!ready_.empty() && job_ != nullptr); });
      if (stop_) return;
      step(lk);
    }
  }

  void work_until_done() {
    std::unique_lock lk(m_);
    for (;;) {
      if (remaining_ == 0) return;
      if (!ready_.empty()) {
        step(lk);
        continue;
      }
      done_cv_.wait(lk, [&] { return remaining_ == 0 || !ready_.empty(); });
    }
  }

  std::mutex m_;
  std::condition_variable cv_;
  std::condition_variable done_cv_;
  std::deque<std::uint32_t> ready_;
  std::size_t remaining_ = 0;
  const std::function<void(std::uint32_t)>* job_ = nullptr;
  const std::vector<std::vector<std::uint32_t>>* dependents_ = nullptr;
  std::vector<std::atomic<std::uint32_t>> counters_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Commits queued batches in order on its own thread, and serves the data they write to the
// executor until they are on disk.
class Executor::Writer {
 public:
  struct Job {
    std::uint64_t id = 0;
    std::vector<state::ResourceWrite> writes;
    std::vector<core::Bytes> previous;  // each written resource's data before the batch
    core::Bytes meta;
  };

  explicit Writer(state::StateStore& store)
      : store_(store), committed_(store.tip().value), thread_([this] { loop(); }) {}
  ~Writer() {
    {
      std::lock_guard lk(m_);
      stop_ = true;
    }
    work_cv_.notify_all();
    thread_.join();
  }

  core::Status push(Job job) {
    std::unique_lock lk(m_);
    done_cv_.wait(lk, [&] { return error_.has_value() || queue_.size() < kMaxQueued; });
    if (error_) return *error_;
    for (const auto& w : job.writes) overlay_[w.id] = {w.data, job.id};
    queue_.push_back(std::move(job));
    work_cv_.notify_all();
    return core::Status::Ok();
  }

  // Fills out[i] for the ids a queued batch writes; returns the indices it could not fill.
  std::vector<std::size_t> lookup(std::span<const ResourceId> ids, std::vector<core::Bytes>& out) {
    std::vector<std::size_t> missing;
    std::lock_guard lk(m_);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto it = overlay_.find(ids[i]);
      if (it == overlay_.end()) {
        missing.push_back(i);
      } else {
        out[i] = it->second.data;
      }
    }
    return missing;
  }

  core::Status wait_committed(std::uint64_t id) {
    std::unique_lock lk(m_);
    done_cv_.wait(lk, [&] { return error_.has_value() || committed_ >= id || !queued(id); });
    if (error_) return *error_;
    if (committed_ < id)
      return Error{ErrorCode::kNotFound, "batch " + std::to_string(id) + " is not queued"};
    return core::Status::Ok();
  }

  // Commits the queued batches up to `target`, drops those above it (one being written still
  // completes), and waits until nothing is in progress. Returns the committed tip.
  core::Result<std::uint64_t> settle(std::uint64_t target) {
    std::unique_lock lk(m_);
    while (!queue_.empty() && queue_.back().id > target && !(busy_ && queue_.size() == 1)) {
      queue_.pop_back();
    }
    done_cv_.wait(lk, [&] { return error_.has_value() || queue_.empty(); });
    if (error_) return *error_;
    overlay_.clear();
    return committed_;
  }

  // After a rollback done by the executor while the writer is idle.
  void set_committed(std::uint64_t id) {
    std::lock_guard lk(m_);
    committed_ = id;
  }

 private:
  static constexpr std::size_t kMaxQueued = 4;
  struct Pending {
    core::Bytes data;
    std::uint64_t batch = 0;
  };

  bool queued(std::uint64_t id) const {
    for (const auto& j : queue_) {
      if (j.id == id) return true;
    }
    return false;
  }

  void loop() {
    std::unique_lock lk(m_);
    for (;;) {
      work_cv_.wait(lk, [&] { return stop_ || (!queue_.empty() && !error_); });
      if (queue_.empty() || error_) return;  // stopping, with everything committed (or failed)
      busy_ = true;
      Job& job = queue_.front();
      lk.unlock();
      auto r = store_.commit({job.id}, job.writes, job.meta, job.previous);
      lk.lock();
      busy_ = false;
      if (!r.ok()) {
        error_ = r.error();
      } else {
        committed_ = job.id;
        for (const auto& w : job.writes) {
          auto it = overlay_.find(w.id);
          if (it != overlay_.end() && it->second.batch == job.id) overlay_.erase(it);
        }
        queue_.pop_front();
      }
      done_cv_.notify_all();
    }
  }

  state::StateStore& store_;
  std::mutex m_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Job> queue_;
  std::map<ResourceId, Pending> overlay_;  // the newest queued data of each resource
  std::uint64_t committed_;
  bool busy_ = false;
  bool stop_ = false;
  std::optional<Error> error_;
  std::thread thread_;
};

Executor::Executor(state::StateStore& store, App app, unsigned threads)
    : store_(store),
      app_(std::move(app)),
      threads_(threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency())),
      next_id_(store.tip().value + 1),
      pool_(std::make_unique<Pool>(threads_ - 1)),
      writer_(std::make_unique<Writer>(store)) {}

Executor::~Executor() = default;

state::BatchId Executor::rollback_floor() const {
  const std::uint64_t tip = next_id_ - 1;
  const std::uint64_t window = store_.rollback_window();
  return {tip > window ? tip - window : 0};
}

core::Result<BatchResult> Executor::execute(const BlockInput& block) {
  BASALT_ASSIGN_OR_RETURN(BatchResult r, submit(block));
  BASALT_ASSIGN_OR_RETURN(r.root, wait_committed(r.id));
  return r;
}

core::Result<core::Hash32> Executor::wait_committed(state::BatchId id) {
  BASALT_TRY(writer_->wait_committed(id.value));
  BASALT_ASSIGN_OR_RETURN(const state::BatchRecord rec, store_.batch(id));
  return rec.root;
}

core::Status Executor::flush() {
  return writer_->wait_committed(next_id_ - 1);
}

core::Result<BatchResult> Executor::submit(const BlockInput& block) {
  cancel_.store(false);
  const state::BatchId id{next_id_};
  const std::size_t n = block.txs.size();
  const core::Hash32 context_hash =
      kaspa::mergeset_context_hash({block.prev_timestamp, block.daa_score, block.blue_score});

  BatchResult result;
  result.id = id;
  result.block = block.hash;
  result.txs.resize(n);

  // Decode every payload; a transaction that cannot run fails here, before scheduling.
  std::vector<Payload> payloads(n);
  std::vector<bool> runnable(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const LaneTx& t = block.txs[i];
    TxResult& r = result.txs[i];
    r.id = t.id;
    r.merge_idx = t.merge_idx;
    if (t.tx.version != kaspa::kTxVersionToccata) {
      r.reason = FailReason::kUnsupportedVersion;
      r.detail = "transaction version " + std::to_string(t.tx.version);
      continue;
    }
    auto p = decode_payload(t.tx.payload);
    if (!p.ok()) {
      r.reason = p.error().code() == ErrorCode::kOutOfRange ? FailReason::kOversizedData
                                                            : FailReason::kMalformedPayload;
      r.detail = p.error().to_string();
      continue;
    }
    payloads[i] = std::move(*p);
    runnable[i] = true;
  }

  // The batch's resources, their data before the batch, and the dependency graph.
  std::vector<ResourceId> ids;
  for (std::size_t i = 0; i < n; ++i) {
    for (const auto& a : payloads[i].accesses) ids.push_back(a.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  // Data before the batch: what queued batches wrote, else what is on disk.
  std::vector<core::Bytes> base(ids.size());
  {
    const std::vector<std::size_t> missing = writer_->lookup(ids, base);
    std::vector<ResourceId> to_read;
    to_read.reserve(missing.size());
    for (std::size_t i : missing) to_read.push_back(ids[i]);
    BASALT_ASSIGN_OR_RETURN(std::vector<core::Bytes> read, store_.get_many(to_read));
    for (std::size_t k = 0; k < missing.size(); ++k) base[missing[k]] = std::move(read[k]);
  }
  auto index_of = [&](const ResourceId& rid) {
    return static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), rid) - ids.begin());
  };

  // One slot per (transaction, access): where its input comes from and what it leaves behind.
  struct Slot {
    const Slot* from = nullptr;  // the previous writer's slot of the resource, if any
    std::size_t resource = 0;
    const core::Bytes* after = nullptr;
    core::Bytes written;
  };
  std::vector<std::vector<Slot>> slots(n);
  std::vector<std::uint32_t> pending(n, 0);
  std::vector<std::vector<std::uint32_t>> dependents(n);
  struct Last {
    const Slot* writer_slot = nullptr;
    std::int64_t writer = -1;
    std::vector<std::uint32_t> readers;  // since the last write
  };
  std::vector<Last> last(ids.size());
  for (std::uint32_t i = 0; i < n; ++i) {
    slots[i].resize(payloads[i].accesses.size());
    std::vector<std::uint32_t> prereq;
    for (std::size_t k = 0; k < payloads[i].accesses.size(); ++k) {
      const AccessEntry& a = payloads[i].accesses[k];
      Slot& s = slots[i][k];
      s.resource = index_of(a.id);
      Last& l = last[s.resource];
      s.from = l.writer_slot;
      if (l.writer >= 0) prereq.push_back(static_cast<std::uint32_t>(l.writer));
      if (a.access == Access::kWrite) {
        prereq.insert(prereq.end(), l.readers.begin(), l.readers.end());
        l.readers.clear();
        l.writer = i;
        l.writer_slot = &s;
      } else {
        l.readers.push_back(i);
      }
    }
    std::sort(prereq.begin(), prereq.end());
    prereq.erase(std::unique(prereq.begin(), prereq.end()), prereq.end());
    pending[i] = static_cast<std::uint32_t>(prereq.size());
    for (std::uint32_t p : prereq) dependents[p].push_back(i);
  }

  const std::function<void(std::uint32_t)> job = [&](std::uint32_t i) {
    TxResult& r = result.txs[i];
    std::vector<Slot>& ss = slots[i];
    std::vector<core::ByteSpan> inputs(ss.size());
    for (std::size_t k = 0; k < ss.size(); ++k) {
      const core::Bytes* in = ss[k].from != nullptr ? ss[k].from->after : &base[ss[k].resource];
      ss[k].after = in;
      inputs[k] = *in;
    }
    if (!runnable[i] || cancel_.load(std::memory_order_relaxed)) return;
    const LaneTx& t = block.txs[i];
    TxRun done =
        run_tx(app_, {t.id, t.merge_idx, context_hash}, t.tx, payloads[i].accesses, inputs);
    const vm::RunResult& run = done.run;
    TxOutcome& o = done.outcome;
    r.cycles = run.cycles;
    if (keep_inputs_) r.input = std::move(done.input);
    r.ok = o.ok;
    r.reason = o.reason;
    r.app_code = o.app_code;
    r.detail = std::move(o.detail);
    if (run.status == vm::RunResult::Status::kExited && run.exit_code == 0)
      r.journal = std::move(done.run.journal);
    if (!o.ok) return;
    r.exits = std::move(o.exits);
    for (std::size_t k = 0; k < ss.size(); ++k) {
      if (!o.writes[k]) continue;
      ss[k].written = std::move(*o.writes[k]);
      ss[k].after = &ss[k].written;
    }
  };
  pool_->run(pending, dependents, job);
  if (cancel_.load()) return Error{ErrorCode::kUnavailable, "batch cancelled"};

  // Each written resource ends with its last writer's data.
  std::vector<state::ResourceWrite> writes;
  std::vector<core::Bytes> previous;
  for (std::size_t r = 0; r < ids.size(); ++r) {
    if (last[r].writer_slot == nullptr) continue;
    const core::Bytes& final_data = *last[r].writer_slot->after;
    if (final_data == base[r]) continue;
    writes.push_back({ids[r], final_data});
    previous.push_back(base[r]);
  }
  BatchMeta meta{block.hash, static_cast<std::uint32_t>(n), 0, block.extra};
  for (const auto& r : result.txs) meta.failed += r.ok ? 0 : 1;
  BASALT_TRY(
      writer_->push({id.value, std::move(writes), std::move(previous), encode_batch_meta(meta)}));
  ++next_id_;
  return result;
}

core::Status Executor::rollback_to(state::BatchId target) {
  if (target.value >= next_id_)
    return Error{ErrorCode::kOutOfRange, "rollback above the executed tip"};
  BASALT_ASSIGN_OR_RETURN(const std::uint64_t committed, writer_->settle(target.value));
  // The writer is idle now: the store is this thread's until the next submit.
  if (committed > target.value) {
    BASALT_TRY(store_.rollback_to(target));
    writer_->set_committed(target.value);
  }
  next_id_ = target.value + 1;
  return core::Status::Ok();
}

core::Result<BatchMeta> Executor::batch_meta(state::BatchId id) const {
  BASALT_ASSIGN_OR_RETURN(const state::BatchRecord rec, store_.batch(id));
  return decode_batch_meta(rec.meta);
}

std::string Executor::reason_label(const TxResult& r) const {
  if (r.reason != FailReason::kApp) return reason_name(r.reason);
  auto it = app_.codes.find(r.app_code);
  return "app:" + (it != app_.codes.end() ? it->second : std::to_string(r.app_code));
}

}  // namespace basalt::exec
