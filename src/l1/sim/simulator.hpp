// The embedded Kaspa L1 simulator: a deterministic (seeded) BlockDAG producer whose chain blocks
// carry exactly the KIP-21 commitments Kaspa consensus computes for the chain and mergesets it
// builds (kip21 §3.1), with lane proofs for every chain block.
//
// Simplifications, each of which changes which DAG is built but never how it is committed:
//  - Colouring: every merged block is blue. The producer keeps anticones far below GHOSTDAG's k,
//  where
//    k-cluster colouring would also colour everything blue.
//  - Shape: each step adds one chain block and, by seed, a few blocks parallel to it; the next
//  step's
//    block merges them. A reorg grows a competing single-file branch from a fork point until its
//    blue work overtakes the chain; the abandoned branch is never merged later.
//  - DAA score: blue score plus a fixed offset (no difficulty window).
//  - Transactions: submitted transactions are checked against the UTXO set (P2PK Schnorr spends
//    with Kaspa's signature hash, see kaspa/signing.hpp; any other spend runs its scripts in
//    kaspa/script.hpp's engine) and KIP-20's covenant binding rules, and accepted in merge order
//    unless an input is missing or already spent, or a script spend fails again in the accepting
//    chain block's context (OpChainblockSeqCommit depends on it); the generated load (built in, or
//    set_load's) is input-less lane transactions that skip the mempool. Coinbase outputs have no
//    maturity, there are no block rewards (genesis funds a faucet key) and fees are not collected.
//    A reorg returns to the mempool what the removed chain blocks accepted and what the not yet
//    merged tips carried, so the competing branch accepts it again.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_set>
#include <vector>

#include "core/window.hpp"
#include "kaspa/lane_smt.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/script.hpp"
#include "kaspa/seq_commit.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"
#include "l1/chain.hpp"

namespace basalt::l1::sim {

using kaspa::BlockHash;
using kaspa::SeqCommit;

struct SimParams {
  std::uint64_t seed = 1;
  std::uint64_t finality_depth = 100;      // F; 432 000 on mainnet
  std::uint32_t lanes = 4;                 // user lanes the generated transactions use
  std::uint32_t tx_per_block = 10;         // lane transactions per produced block (on average)
  std::uint32_t max_parallel = 2;          // blocks produced beside each chain block, at most
  std::uint32_t lane_skip_permille = 300;  // chance that a lane gets no transaction in a step
  std::uint64_t genesis_timestamp = 1'700'000'000'000;  // milliseconds
  std::uint64_t block_interval_ms = 100;                // 10 blocks per second, as mainnet
  std::uint32_t reorg_every = 0;  // by seed: a reorg after every this many steps (0: never)
  std::uint32_t reorg_depth = 1;  // random reorgs replace 1..reorg_depth chain blocks (< F)
  // Lane proofs are served only from the pruning point up, and blocks, their transactions and chain
  // entries below it are let go, as kaspad prunes. 0: 2.5 F, the mainnet ratio
  // (1 080 000 / 432 000); never at or below F, so every reorg (depth < F) stays above it.
  std::uint64_t pruning_depth = 0;
  // Keeps every block and chain entry, below the pruning point too (lane proofs are still not
  // served there): for an export of the whole chain and for tests that read all of it.
  bool keep_history = false;
  std::uint32_t faucet_outputs = 64;                // genesis outputs paying the faucet key
  std::uint64_t faucet_amount = 1'000'000'000'000;  // sompi each
};

struct Block {
  BlockHash hash;
  std::vector<BlockHash> parents;  // the selected parent first
  std::uint64_t blue_score = 0;
  std::uint64_t daa_score = 0;
  std::uint64_t blue_work = 0;  // u64 suffices for simulated chains; hashed as kaspa::BlueWork
  std::uint64_t timestamp = 0;
  std::vector<kaspa::Transaction> txs;  // txs[0] is the coinbase
  std::vector<kaspa::TxId> tx_ids;      // tx_ids[i] = tx_id(txs[i]), computed once
  std::vector<BlockHash> mergeset;  // the selected parent first, then ascending (blue_work, hash)
  SeqCommit seq_commit;             // the header's accepted_id_merkle_root (chain blocks)
  bool chain = false;
};

// Everything about one chain block a follower or verifier needs.
struct ChainBlock {
  BlockHash hash;
  BlockHash selected_parent;
  std::vector<BlockHash> mergeset;  // the selected parent first, then ascending (blue_work, hash)
  std::vector<l1::AcceptedTx> accepted;  // in merge_idx order
  kaspa::MergesetContext context;
  core::Hash32 payload_and_ctx_digest;
  SeqCommit inactivity_shortcut;
  SeqCommit parent_seq_commit;
  SeqCommit seq_commit;
  core::Hash32 activity_root;
  core::Hash32 miner_payload_root;
  std::vector<l1::LaneProof> lane_proofs;  // one per lane ever touched, by lane key
  // The lane SMT's leaves after the block (the active lanes), for the proof of any other key.
  std::vector<std::pair<kaspa::LaneKey, core::Hash32>> lane_leaves;
};

class Simulator : public ChainSource, public BlockProducer, public kaspa::SeqCommitAccessor {
 public:
  explicit Simulator(SimParams params);

  // ChainSource. Lane proofs are kept for the lanes ever touched; another key's (non-inclusion)
  // is made from the block's lane leaves when asked.
  core::Result<ChainChanged> chain_from(const std::optional<BlockHash>& start,
                                        std::size_t max_added) const override;
  // Where the chain goes on from `start` (nullopt: genesis): what chain_from would remove, and
  // the index in chain() of the first block it would add. Errors: kNotFound for a block unknown
  // or pruned.
  struct ChainPath {
    std::vector<BlockHash> removed;  // highest first
    std::size_t next = 0;
  };
  core::Result<ChainPath> path_from(const std::optional<BlockHash>& start) const;
  core::Result<std::uint64_t> mempool_size() const override { return mempool_.size(); }
  core::Result<std::uint64_t> sink_blue_score() const override {
    return chain_.empty() ? genesis().blue_score : chain_.back().context.blue_score;
  }
  // The chain changes since the last call (what a VirtualChainChanged subscription delivers).
  core::Result<ChainChanged> next_chain_changes();
  core::Result<LaneProof> lane_proof(const BlockHash& block,
                                     const kaspa::LaneKey& key) const override;
  core::Status submit_transaction(const kaspa::Transaction& tx) override;
  // Kaspa's minimum relay rate (100 sompi per gram) when the mempool is empty, rising with its
  // size.
  core::Result<FeeEstimate> fee_estimate() const override;
  core::Result<BlockHeader> header(const BlockHash& block) const override;
  // OpChainblockSeqCommit as the mempool sees it (kip21 §8.2; the context selected parent is the
  // chain tip): a block that is unknown or below the pruning point is pruned, one off the selected
  // chain is not selected, one F or more blue score below the tip is too deep.
  Answer seq_commit(const BlockHash& block) const override;
  // The highest chain block at least pruning_depth blue score below the tip (genesis early on).
  BlockHash pruning_point() const;

  // The key that owns the genesis outputs (derived from the seed), for clients and tests.
  const crypto::SecretKey& faucet_key() const { return *faucet_key_; }
  std::optional<kaspa::UtxoEntry> utxo(const kaspa::Outpoint& op) const;
  // Unspent outputs paying `spk` as kaspad's UTXO index has them: what accepted transactions left,
  // those a mempool transaction spends included.
  std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> unspent(
      const kaspa::ScriptPublicKey& spk) const;
  // Unspent outputs paying `spk` that no transaction in the mempool or in a block waiting for
  // acceptance spends, by outpoint.
  core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk) const override;
  // KIP-20 keeps exactly one output per covenant here, since the simulator's covenants never
  // split.
  core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> covenant_utxo(
      const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const override;
  // The covenant's output at whatever state it is (the simulator can look it up by id).
  std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> covenant_utxo(
      const kaspa::CovenantId& id) const;
  // Kaspa's SubmitTransactionReplacement: the transaction replaces the mempool transactions that
  // spend any of its inputs if its fee rate is higher than each of theirs. Errors: kInvalid when
  // nothing conflicts or the rate is not higher; those of submit_transaction (nothing changes).
  core::Status submit_transaction_replacement(const kaspa::Transaction& tx) override;
  // Congestion: blocks leave mempool transactions paying less than `sompi_per_gram` (of fee mass,
  // kaspa/mass.hpp) in the mempool. 0 (the default) takes everything.
  void set_fee_floor(std::uint64_t sompi_per_gram) { fee_floor_ = sompi_per_gram; }
  // Sompi per gram of fee mass.
  std::uint64_t fee_rate(const kaspa::Transaction& tx) const;
  // The verifier OpZkPrecompile uses (none: every ZK verification fails). Not owned.
  void set_zk_verifier(const kaspa::ZkVerifier* zk) { zk_ = zk; }
  // Why a transaction the mempool took will never be accepted: its scripts failed in the merging
  // chain block's context, an input was gone by then, or a replacement took its place; empty when
  // it was not refused. The last kRefusalsKept are kept.
  std::string refusal(const kaspa::TxId& id) const override;

  // Replaces the built-in generated load: every produced block carries what `load(step)` returns.
  // It is called once per block, in production order, so a deterministic load keeps the
  // simulation deterministic. L1 may accept the blocks of one step in any order, but everything
  // produced in a step before anything of a later step.
  void set_load(std::function<std::vector<kaspa::Transaction>(std::uint64_t step)> load) {
    load_ = std::move(load);
  }

  // Produces one step: blocks parallel to the next chain block, then the chain block merging them
  // (and first, when SimParams asks for random reorgs and the step is due, a reorg).
  const ChainBlock& step();
  // BlockProducer: step() for followers that ask with chain_from (the events next_chain_changes
  // would deliver are dropped).
  core::Status produce_block() override;

  // Replaces the top `depth` chain blocks by a competing branch that overtakes them. Errors:
  // kOutOfRange unless 1 <= depth < finality depth and depth <= the chain's length.
  core::Status reorg(std::uint64_t depth);
  std::uint64_t reorgs() const { return reorgs_; }

  const Block& genesis() const { return blocks_.at(genesis_); }
  // A block from the pruning point up (and genesis); a pruned one is a caller's error.
  const Block& block(const BlockHash& h) const { return blocks_.at(h); }
  // The selected chain: chain()[i] is chain block i + 1; those below the pruning point are let go
  // (chain().first() is the oldest held), chain().size() counts them all.
  const core::Window<ChainBlock>& chain() const { return chain_; }
  const SimParams& params() const { return params_; }

 private:
  struct LaneState {
    kaspa::LaneTip tip;
    std::uint64_t last_bs = 0;
  };

  BlockHash new_hash();
  Block make_block(const std::vector<BlockHash>& parents, std::uint64_t step);
  std::vector<BlockHash> mergeset_of(const Block& b) const;
  bool is_ancestor(const BlockHash& a, const BlockHash& b) const;
  // Ascending (blue_work, hash).
  bool less_work(const BlockHash& x, const BlockHash& y) const;
  ChainBlock commit_chain_block(const Block& b);
  static ChainBlockInfo info_of(const ChainBlock& c);
  void refuse(const kaspa::TxId& id, std::string why);
  void extend_chain(Block& tip);
  void rebuild_smt();
  // Lets go of everything below the pruning point (blocks, chain entries, their commitments).
  void prune();
  // The outpoints the transactions of the last step's blocks spend, and whether one of them is
  // `id`: those blocks are not merged yet, so their transactions are neither in the mempool nor
  // accepted.
  std::set<kaspa::Outpoint> spent_by_waiting_blocks() const;
  bool in_waiting_block(const kaspa::TxId& id) const;
  core::Status check_covenant_bindings(const kaspa::Transaction& tx) const;
  core::Status check_relay_fee(const kaspa::Transaction& tx, std::uint64_t fee) const;
  // Runs the scripts of every input that is not a P2PK spend (kaspa/script.hpp) in the current
  // chain context.
  core::Status check_script_spends(const kaspa::Transaction& tx) const;

  SimParams params_;
  std::mt19937_64 rng_;
  std::map<BlockHash, Block> blocks_;
  BlockHash genesis_;
  std::vector<BlockHash> tips_;
  core::Window<ChainBlock> chain_;
  // (blue score, SeqCommit) of genesis and the chain blocks, from the pruning point up.
  std::deque<std::pair<std::uint64_t, SeqCommit>> chain_commits_;
  std::map<kaspa::LaneKey, LaneState> lanes_;        // active lanes
  std::map<kaspa::LaneKey, kaspa::LaneId> touched_;  // every lane ever touched
  // Ids accepted in the last F chain blocks: a repeat within them is not accepted again. Keyed by
  // the id's first 8 bytes (ids are uniform hashes); used for membership only, never iterated.
  struct TxIdKey {
    std::size_t operator()(const kaspa::TxId& id) const {
      std::size_t v = 0;
      for (int i = 0; i < 8; ++i) v = v << 8 | id.hash().bytes[i];
      return v;
    }
  };
  std::unordered_set<kaspa::TxId, TxIdKey> accepted_ids_;
  kaspa::LaneSmt smt_;
  std::uint64_t steps_ = 0;
  ChainChanged pending_;  // events not yet delivered
  // Per chain block: the lane states before it and the ids it accepted, to undo it in a reorg.
  struct Undo {
    std::map<kaspa::LaneKey, LaneState> lanes_before;
    std::vector<kaspa::TxId> accepted;
    std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> spent;
    std::vector<kaspa::Outpoint> created;
  };
  std::deque<Undo> undo_;  // the last F chain blocks (reorgs are shallower)
  std::uint64_t reorgs_ = 0;
  std::optional<crypto::SecretKey> faucet_key_;
  std::map<kaspa::Outpoint, kaspa::UtxoEntry> utxos_;
  std::vector<kaspa::Transaction> mempool_;
  std::set<kaspa::Outpoint> mempool_spent_;
  std::map<BlockHash, std::size_t> chain_index_;  // chain block → its index in chain_
  std::uint64_t tx_nonce_ = 0;
  std::function<std::vector<kaspa::Transaction>(std::uint64_t)> load_;
  const kaspa::ZkVerifier* zk_ = nullptr;
  std::uint64_t fee_floor_ = 0;
  static constexpr std::size_t kRefusalsKept = 4096;
  std::map<kaspa::TxId, std::string> refusals_;
  std::deque<kaspa::TxId> refusal_order_;
};

}  // namespace basalt::l1::sim
