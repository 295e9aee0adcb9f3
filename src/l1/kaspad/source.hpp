// A ChainSource over kaspad's RPC (the protowire subset): the chain from GetVirtualChainFromBlockV2
// at FULL verbosity, each added block checked before it is handed on — its lane proofs (one request
// per followed lane and block, those of a step sent together) must give the SeqCommit its header
// carries from the parent's, so a block's activity root is derived, never taken on trust, and the
// follower then checks its lane tips against the same proofs. One V2 answer is as long as kaspad
// makes it; what a step does not take waits in a buffer (unchecked until it is handed on), so a
// catch-up costs one V2 call per kaspad chunk, never one that grows with the gap. During a
// catch-up (an answer of a step or more) the next chunk is asked for as soon as one arrives, and
// read (transactions decoded, ids computed, lane proofs fetched) on a thread of its own while the
// caller works: kaspad, the reader and the caller work side by side.
//
// The connection is reopened when it breaks, at most once per backoff interval (doubling to 30 s),
// and each time the server is checked again and the notifications subscribed again. Every call has
// a deadline; an answer beyond max_message_bytes is refused by gRPC. Errors are the
// calls' (kUnavailable, kInvalid); an answer that fails a check is kInvalid naming the block, and
// the source hands nothing of that chunk on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "kaspa/network.hpp"
#include "l1/chain.hpp"
#include "l1/kaspad/rpc_calls.hpp"

namespace basalt::l1::kaspad {

struct SourceOptions {
  std::string target;  // host:port
  kaspa::Network network = kaspa::Network::kMainnet;
  // The lanes whose proofs check every added block (at least one: the app's lane).
  std::vector<kaspa::LaneKey> lanes;
  // Chain blocks with fewer blue score on them than this are not followed yet (kaspad's
  // minConfirmationCount); 0: up to the sink.
  std::uint64_t min_confirmations = 0;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds call_timeout{30000};
  int max_message_bytes = protowire::kMaxMessageBytes;
};

// l1::check_seq_commit for one block kaspad added, its errors naming the block.
core::Result<core::Hash32> check_block(const ChainBlockRead& block,
                                       const kaspa::SeqCommit& parent_seq_commit,
                                       const std::vector<LaneProof>& proofs);

class Source : public ChainSource {
 public:
  // Connects, checks the server (network, UTXO index, synced) and subscribes to chain changes.
  // Errors: kUnavailable when kaspad does not answer; kInvalid from the check, saying why.
  static core::Result<std::unique_ptr<Source>> open(SourceOptions options);
  ~Source() override;

  // nullopt starts at kaspad's pruning point as it is at the first call (the chain below it is
  // gone). Errors there: kInvalid when a followed lane is active at it (what it did before is
  // pruned, so its tips cannot be recomputed).
  core::Result<ChainChanged> chain_from(const std::optional<kaspa::BlockHash>& start,
                                        std::size_t max_added) const override;
  core::Result<LaneProof> lane_proof(const kaspa::BlockHash& block,
                                     const kaspa::LaneKey& key) const override;
  core::Status submit_transaction(const kaspa::Transaction& tx) override;
  core::Status submit_transaction_replacement(const kaspa::Transaction& tx) override;
  core::Result<FeeEstimate> fee_estimate() const override;
  // kaspad's UTXO index does not leave out what its mempool spends.
  core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk) const override;
  core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> covenant_utxo(
      const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const override;
  // Always empty: kaspad says why only when it refuses a submission.
  std::string refusal(const kaspa::TxId&) const override { return {}; }
  core::Result<BlockHeader> header(const kaspa::BlockHash& block) const override;
  core::Result<std::uint64_t> mempool_size() const override;
  core::Result<std::uint64_t> sink_blue_score() const override;

  // Waits until kaspad notifies a chain change or `timeout` passes; true when it notified.
  bool wait_for_change(std::chrono::milliseconds timeout);
  // What GetServerInfo said at the last (re)connection.
  ServerInfo server() const;

 private:
  explicit Source(SourceOptions options);
  // The connection, reopened when it broke (not before the backoff interval has passed).
  core::Result<RpcCalls*> calls() const;
  core::Status reconnect() const;
  // A chain block as a child needs it.
  struct Parent {
    kaspa::BlockHash hash;
    std::uint64_t timestamp = 0;
    kaspa::SeqCommit seq_commit;
  };
  // Takes b's transactions when the block passes.
  core::Result<ChainBlockInfo> checked(ChainBlockRead& b, const Parent& parent,
                                       std::vector<LaneProof> proofs) const;
  core::Result<Parent> parent_of(RpcCalls& rpc, const kaspa::BlockHash& start,
                                 const std::vector<kaspa::BlockHash>& removed) const;
  // One V2 answer read, with the lane proofs of its blocks (options_.lanes.size() per block, in
  // order) and, when it was a step or more long (a catch-up), the request for the chunk after it.
  struct Chunk {
    std::vector<kaspa::BlockHash> removed;
    std::vector<ChainBlockRead> added;
    std::vector<LaneProof> proofs;
    protowire::RpcClient::Batch next;
    kaspa::BlockHash next_from;
  };
  // Takes the V2 answer `asked`; asks for its lane proofs and the next chunk before reading it, so
  // that kaspad works meanwhile. Touches no member but options_: it also runs on its own thread.
  core::Result<Chunk> read_chunk(RpcCalls& rpc, protowire::RpcClient::Batch asked,
                                 std::size_t max_added) const;
  // Takes `c`'s blocks into ahead_ (after the removals it carries, which must fit) and starts
  // reading the chunk after it.
  core::Status take_in(RpcCalls& rpc, const kaspa::BlockHash& from, bool left_over, Chunk c,
                       std::size_t max_added, ChainChanged& out) const;
  void forget_ahead() const;

  SourceOptions options_;
  mutable std::mutex m_;  // the connection and the chain buffer
  mutable std::unique_ptr<protowire::RpcClient> client_;
  mutable std::unique_ptr<RpcCalls> calls_;
  mutable ServerInfo server_;
  mutable std::chrono::steady_clock::time_point next_attempt_{};
  mutable std::chrono::milliseconds backoff_{250};
  mutable std::optional<kaspa::BlockHash> origin_;
  // Blocks of the V2 answers read and not handed on yet, following `ahead_parent_`, each with
  // its lane proofs.
  struct Ahead {
    ChainBlockRead block;
    std::vector<LaneProof> proofs;
  };
  mutable std::deque<Ahead> ahead_;
  mutable Parent ahead_parent_;
  // The chunk after `next_from_` (ahead_'s last block when it was asked), read on a thread of its
  // own. Dropped before the connection is.
  mutable std::future<core::Result<Chunk>> next_chunk_;
  mutable kaspa::BlockHash next_from_;
  // Written by the connection's reader thread.
  mutable std::mutex notify_m_;
  mutable std::condition_variable notify_cv_;
  mutable std::uint64_t notifications_ = 0;
  std::uint64_t consumed_ = 0;  // notifications wait_for_change has seen
};

}  // namespace basalt::l1::kaspad
