// The node's state snapshots at settled checkpoints (docs/da.md): it watches where the app's
// covenant is on L1, and when the covenant moves to the state of a batch the node has committed,
// writes that batch's snapshot on a thread of its own and keeps the newest `keep`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/result.hpp"
#include "da/snapshot.hpp"
#include "l1/chain.hpp"
#include "node/log.hpp"
#include "settle/covenant.hpp"
#include "state/store.hpp"

namespace basalt::node {

struct SnapshotOptions {
  std::filesystem::path dir;
  kaspa::CovenantId covenant_id;
  std::uint32_t keep = 2;
  std::uint32_t chunk_resources = 4096;
  // L1 is asked where the covenant is at most this often.
  std::chrono::milliseconds poll_interval{1000};
};

class SnapshotKeeper {
 public:
  SnapshotKeeper(SnapshotOptions options, const settle::CovenantPins& pins, Logger& log);
  // Waits for a snapshot being written.
  ~SnapshotKeeper();
  SnapshotKeeper(const SnapshotKeeper&) = delete;
  SnapshotKeeper& operator=(const SnapshotKeeper&) = delete;

  // On the driver thread, for each committed batch: its root, lane tip and chain block.
  void committed(std::uint64_t batch, const core::Hash32& root, const kaspa::LaneTip& lane_tip,
                 const kaspa::BlockHash& block);
  // On the driver thread, after a reorg rolled the store back to `batch`.
  void rolled_back_to(std::uint64_t batch);
  // On the driver thread after a step: when the covenant holds the state of a batch above the last
  // snapshot and the store still has that batch, starts writing its snapshot (one at a time).
  // Errors: L1's, when it cannot say where the covenant is (the next step asks again).
  core::Status step(const l1::ChainSource& l1, const state::StateStore& store);

  const da::SnapshotStore& store() const { return store_; }
  // Resources' values (strictly ascending ids) and their proof against kept snapshot `batch`'s
  // state root (from any thread; the last snapshot asked for stays loaded). Errors: kNotFound
  // without that snapshot; kInvalid for ids out of order; kCorrupt, kIo.
  struct Witness {
    std::vector<core::Bytes> values;  // empty: absent
    core::Hash32 root;
    core::Bytes proof;  // state::Smt multiproof for the ids
  };
  core::Result<Witness> witness(std::uint64_t batch, std::span<const state::ResourceId> ids) const;
  // The batch the covenant was last seen at among the node's batches.
  std::optional<std::uint64_t> covenant_batch() const;

 private:
  struct Candidate {
    settle::CovenantState state;
    kaspa::BlockHash block;
    kaspa::ScriptPublicKey spk;
  };
  void write(std::unique_ptr<state::StateStore::View> view, Candidate c);

  SnapshotOptions options_;
  settle::CovenantScript script_;
  Logger& log_;
  da::SnapshotStore store_;
  std::map<std::uint64_t, Candidate> candidates_;     // committed batches above the covenant's
  std::optional<settle::CovenantState> found_state_;  // the state the covenant was last seen at
  std::chrono::steady_clock::time_point next_poll_{};
  mutable std::mutex m_;
  std::optional<std::uint64_t> covenant_batch_;  // under m_
  mutable std::mutex loaded_m_;                  // one witness load at a time
  mutable std::optional<std::pair<std::uint64_t, std::shared_ptr<const da::SnapshotState>>> loaded_;
  std::thread writer_;
  std::atomic<bool> writing_{false};
};

}  // namespace basalt::node
