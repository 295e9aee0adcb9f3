// The exits of the node's settlements as L1 has them. A settlement with exits creates an exit
// output; each claim (settle::exit_claim_transaction) spends it and leaves the rest in a new one.
// The follower finds these in the transactions each chain block accepts and records them in the
// index as ExitEvent rows, so that the API can say which exits are claimed and where the exit
// output is now; a reorg undoes the rows of the blocks it removed. Runs on the driver's thread;
// exit_state() reads only the index (any thread). In memory it keeps, per settlement with exits
// left to claim, only where to look; the exit tree is read from the index when a claim needs it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/result.hpp"
#include "l1/chain.hpp"
#include "node/index.hpp"
#include "zk/exits.hpp"

namespace basalt::node {

// A settlement's exits with what L1 did to them.
struct ExitState {
  zk::ExitTree tree;  // claimed exits emptied
  std::vector<ExitEvent> events;
  std::optional<kaspa::Outpoint> output;  // none before the settlement is accepted, or when all
                                          // exits are claimed
};
// From the index: nullopt for a settlement without exits. Errors: kNotFound for no settlement
// `seq`; kCorrupt for records that do not fit together.
core::Result<std::optional<ExitState>> exit_state(const NodeIndex& index, std::uint64_t seq);

class ExitFollower {
 public:
  ExitFollower(NodeIndex& index, std::uint64_t finality_depth);

  // At open, the index rolled back to batch `after`: drops the events above it, then follows every
  // settlement with exits left to claim — those with events (from the events alone), and those
  // without that L1 may still accept (not refused or superseded, settling batches above after −
  // 2F).
  core::Status load(std::uint64_t after);
  // Follows a settlement just submitted (nothing when it has no exits).
  core::Status follow(std::uint64_t seq);
  // A step's chain changes: what removed blocks did is undone, then each added block is read.
  // `length`: the driver's chain length after the step.
  core::Status apply(const l1::ChainChanged& change, std::uint64_t length);

 private:
  core::Status observe(std::uint64_t position, const l1::ChainBlockInfo& block);
  core::Status rollback(std::uint64_t position);
  core::Status record(std::uint64_t seq, const ExitEvent& e);
  // Where settlement seq's exit output is after `events`: watched by outpoint, or, before it
  // appears, by its script (read from the receipt); nothing once every exit is claimed.
  core::Status watch(std::uint64_t seq, const std::vector<ExitEvent>& events);
  void unwatch(std::uint64_t seq);
  void watch_at(std::uint64_t seq, std::uint64_t events, const kaspa::Outpoint& at);

  NodeIndex& index_;
  std::uint64_t finality_depth_;
  struct Watched {
    std::uint64_t events = 0;            // recorded so far
    std::optional<kaspa::Outpoint> at;   // the exit output on L1, or
    std::optional<core::Bytes> awaited;  // the script it will have
  };
  std::map<std::uint64_t, Watched> watched_;     // by seq: settlements with exits left to claim
  std::map<kaspa::Outpoint, std::uint64_t> at_;  // exit outputs on L1 → seq
  // The script an exit output not on L1 yet will have → seq (equal bundles share one).
  std::multimap<core::Bytes, std::uint64_t> awaited_;
  std::map<std::uint64_t, std::set<std::uint64_t>> touched_;  // position → seqs with events there
};

}  // namespace basalt::node
