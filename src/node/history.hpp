// The node's settlement history: each settlement it submits is recorded in the index (synced,
// with its aggregate receipt and the covenant output it spends) and followed through chain changes
// until final — accepted (by any of its versions), undone by a reorg, confirmed after
// `confirmations` chain blocks, refused by L1 or superseded when the covenant moved on without it.
// A restart reopens the ones not final from their records.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <vector>

#include "core/result.hpp"
#include "l1/chain.hpp"
#include "node/driver.hpp"
#include "node/index.hpp"
#include "node/log.hpp"
#include "node/metrics.hpp"
#include "node/settlement.hpp"
#include "settle/settler.hpp"

namespace basalt::node {

class SettlementHistory {
 public:
  SettlementHistory(NodeIndex& index, Metrics& metrics, Logger& log, std::uint32_t confirmations);

  // Reads the counters and reopens the settlements that were not final at the last stop: one
  // accepted in a chain block the driver still holds counts its depth on from there, any other is
  // followed again from submission (a reorg while the node was down may have undone it).
  core::Status reopen(const Driver& driver);
  // Records what the settler did in a step: a new settlement (its record synced before the node
  // goes on), a fee bump. `next_step`: the step it enters L1's mempool before.
  core::Status record(const SettlementReport& report, std::uint64_t next_step);
  // Follows the open settlements through a step's chain changes; `covenant_at` is the covenant
  // output L1 has now (an error or nullopt: L1 could not be asked, or the covenant is at a state
  // the node does not know yet, so no settlement is judged superseded in this step). Logs and
  // measures latency only when `live`.
  core::Status follow(const StepReport& step, const l1::ChainSource& l1,
                      const core::Result<std::optional<kaspa::Outpoint>>& covenant_at, bool live);
  // When a batch was executed (live steps), for the latency of its settlement.
  void executed(std::uint64_t batch, std::chrono::steady_clock::time_point at) {
    executed_at_[batch] = at;
  }

  std::uint64_t submitted() const { return last_seq_; }  // counting those before a restart
  std::uint64_t confirmed() const { return confirmed_; }
  std::uint64_t settled_confirmed() const { return settled_confirmed_; }  // its last batch

 private:
  // A settlement not final yet.
  struct Open {
    SettlementRecord record;
    std::vector<kaspa::TxId> versions;  // its transaction and fee bumps
    settle::Acceptance acceptance;
  };
  // What L1 made of an open settlement in this step; true when its record changed.
  bool update(Open& o, const StepReport& step,
              const core::Result<std::optional<kaspa::Outpoint>>& covenant_at,
              const l1::ChainSource& l1, bool live);

  NodeIndex& index_;
  Metrics& metrics_;
  Logger& log_;
  std::uint32_t confirmations_;
  std::vector<Open> open_;
  std::uint64_t last_seq_ = 0;
  std::uint64_t confirmed_ = 0;
  std::uint64_t settled_confirmed_ = 0;
  std::map<std::uint64_t, std::chrono::steady_clock::time_point> executed_at_;
};

}  // namespace basalt::node
