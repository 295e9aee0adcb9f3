// Chain events and the ChainSource interface: what any L1 source (the embedded simulator, later the
// kaspad client) gives the rest of basalt, with VirtualChainChanged semantics (kip21 §9).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "kaspa/lane_smt.hpp"
#include "kaspa/seq_commit.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"

namespace basalt::l1 {

struct AcceptedTx {
  kaspa::TxId tx_id;
  std::uint16_t version = 0;
  kaspa::LaneId lane;
  std::uint32_t merge_idx = 0;
  kaspa::Transaction tx;  // the whole transaction, as kaspad's verbose chain events carry it
};

// What GetSeqCommitLaneProof returns.
struct LaneProof {
  kaspa::LaneKey lane_key;
  std::optional<kaspa::LaneTip> lane_tip;  // absent when the lane is inactive
  std::optional<std::uint64_t> lane_blue_score;
  kaspa::SmtProof smt_proof;
  core::Hash32 payload_and_ctx_digest;
  kaspa::SeqCommit parent_seq_commit;
  kaspa::SeqCommit inactivity_shortcut;
};

// An added chain block with what a follower needs from its header and its selected parent's.
struct ChainBlockInfo {
  kaspa::BlockHash hash;
  kaspa::BlockHash selected_parent;
  kaspa::SeqCommit selected_parent_seq_commit;
  std::uint64_t selected_parent_timestamp = 0;
  std::uint64_t blue_score = 0;
  std::uint64_t daa_score = 0;
  kaspa::SeqCommit seq_commit;
  // The parts of the SeqCommit kaspad gives (kip21 §3): seq_commit = H_seq(selected_parent_seq_
  // commit || H_seq(activity_root || payload_and_ctx_digest)). A source that reads them from lane
  // proofs derives activity_root from one and has checked the equation.
  core::Hash32 activity_root;
  core::Hash32 payload_and_ctx_digest;
  std::vector<AcceptedTx> accepted;  // in merge_idx order
  // The followed lanes' proofs at this block, when the source fetched them (the kaspad source does,
  // for each block); the follower checks its lane tips against them.
  std::vector<LaneProof> lane_proofs;
};

struct ChainChanged {
  std::vector<kaspa::BlockHash> removed;  // highest first
  std::vector<ChainBlockInfo> added;      // lowest first
};

// A block header as a follower sees it (GetBlock / GetHeaders).
struct BlockHeader {
  kaspa::BlockHash hash;
  std::vector<kaspa::BlockHash> parents;  // the selected parent first
  std::uint64_t blue_score = 0;
  std::uint64_t daa_score = 0;
  kaspa::BlueWork blue_work;
  std::uint64_t timestamp = 0;
  kaspa::SeqCommit accepted_id_merkle_root;  // the block's SeqCommit
  bool is_chain_block = false;
};

// Fee rates in sompi per gram of mass, as GetFeeEstimate reports them.
struct FeeEstimate {
  std::uint64_t priority = 0;
  std::uint64_t normal = 0;
  std::uint64_t low = 0;
};

class ChainSource {
 public:
  virtual ~ChainSource() = default;
  // kaspad's GetVirtualChainFromBlock: how the selected chain goes on from `start` (nullopt: from
  // genesis). `removed` lists `start` and its selected ancestors down to the chain (empty when
  // `start` is on it), highest first; `added` the chain blocks after that point, lowest first, at
  // most `max_added` of them (the rest comes with the next call). Errors: kNotFound for a `start`
  // the source does not know or has pruned.
  virtual core::Result<ChainChanged> chain_from(const std::optional<kaspa::BlockHash>& start,
                                                std::size_t max_added) const = 0;
  // Errors: kNotFound for a block that is not on the selected chain or lies below the pruning
  // point.
  virtual core::Result<LaneProof> lane_proof(const kaspa::BlockHash& block,
                                             const kaspa::LaneKey& key) const = 0;
  // Validates a transaction and queues it for the next block. A rejected transaction leaves the
  // source unchanged; the error says why (kInvalid, kNotFound for a missing or spent outpoint,
  // kVerifyFailed for a bad signature).
  virtual core::Status submit_transaction(const kaspa::Transaction& tx) = 0;
  // Kaspa's SubmitTransactionReplacement: replaces the mempool transactions spending any of its
  // inputs when its fee rate is higher. Errors: kInvalid, and those of submit_transaction.
  virtual core::Status submit_transaction_replacement(const kaspa::Transaction& tx) = 0;
  // Errors of these queries: the source's when it cannot answer (kUnavailable for a source that is
  // not reachable), never an empty answer instead.
  virtual core::Result<FeeEstimate> fee_estimate() const = 0;
  // Unspent outputs paying `spk` that no mempool transaction spends (GetUtxosByAddresses).
  virtual core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk) const = 0;
  // The unspent output bound to covenant `id` that pays one of `at`, if any: kaspad indexes
  // outputs by address only, so the caller names the scripts the covenant may be at.
  virtual core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> covenant_utxo(
      const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const = 0;
  // Why a transaction that reached a chain block was not accepted; empty if it was not refused or
  // the source cannot tell (kaspad says why only when it refuses a submission).
  virtual std::string refusal(const kaspa::TxId& id) const = 0;
  // Errors: kNotFound for an unknown block.
  virtual core::Result<BlockHeader> header(const kaspa::BlockHash& block) const = 0;
  // Transactions waiting in the mempool (GetInfo's mempoolSize).
  virtual core::Result<std::uint64_t> mempool_size() const = 0;
  // The blue score of the selected chain's tip (kaspad's sink), for a catch-up's progress.
  virtual core::Result<std::uint64_t> sink_blue_score() const = 0;
};

// The lane's proof at `block`: the one the source attached to it (the kaspad source does), or else
// asked for. Errors: the source's.
core::Result<LaneProof> lane_proof_at(const ChainSource& source, const ChainBlockInfo& block,
                                      const kaspa::LaneKey& key);

// A source whose blocks appear when asked (the embedded simulator; a devnet a miner drives). The
// node asks once per block interval; a source following a network that mines on its own has none.
class BlockProducer {
 public:
  virtual ~BlockProducer() = default;
  // Errors: the source's (kIo when it cannot record the block).
  virtual core::Status produce_block() = 0;
};

}  // namespace basalt::l1
