// Typed calls on kaspad's RPC (the protowire subset) over one RpcClient: every answer is checked
// before it becomes a basalt value — the payload must be the one asked for, kaspad's RPCError is
// reported as such, hashes and transactions go through protowire's checked conversions.
//
// Errors of every call: kUnavailable (no answer: the transport's), kInvalid (kaspad refused, with
// its message; or the answer is malformed, saying how).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kaspa/address.hpp"
#include "kaspa/network.hpp"
#include "kaspa/transaction.hpp"
#include "l1/chain.hpp"
#include "l1/protowire/chain_v2.hpp"
#include "l1/protowire/rpc.hpp"

namespace basalt::l1::kaspad {

// The serverVersion `basalt sim serve` reports: the one L1 that verifies re-execution receipts.
inline constexpr std::string_view kBasaltSimVersion = "basalt-sim";

struct ServerInfo {
  std::string network_id;  // "mainnet", "testnet-10", …
  std::string server_version;
  bool has_utxo_index = false;
  bool is_synced = false;
  std::uint64_t virtual_daa_score = 0;
};

struct DagInfo {
  std::string network_name;  // "kaspa-mainnet", …
  kaspa::BlockHash sink;
  kaspa::BlockHash pruning_point;
  std::uint64_t virtual_daa_score = 0;
};

using Utxo = std::pair<kaspa::Outpoint, kaspa::UtxoEntry>;

using protowire::ChainBlockRead;
using protowire::ChainRead;

// Each answer read into basalt's values, apart from the transport (fuzzed:
// fuzz/l1_kaspad_answers.cpp). Errors: kInvalid, kaspad's refusal or what is malformed.
core::Result<ServerInfo> read_server_info(const ::protowire::GetServerInfoResponseMessage& m);
core::Result<DagInfo> read_dag_info(const ::protowire::GetBlockDagInfoResponseMessage& m);
core::Result<FeeEstimate> read_fee_estimate(const ::protowire::GetFeeEstimateResponseMessage& m);
core::Result<std::vector<Utxo>> read_utxos(
    const ::protowire::GetUtxosByAddressesResponseMessage& m);
// The proof of lane `key`; its SMT proof must parse canonically and every hash be 32 bytes.
core::Result<LaneProof> read_lane_proof(const ::protowire::GetSeqCommitLaneProofResponseMessage& m,
                                        const kaspa::LaneKey& key);
// The header, its level-0 parents with the selected parent (verboseData) first.
core::Result<BlockHeader> read_block_header(const ::protowire::GetBlockResponseMessage& m);
core::Result<std::uint64_t> read_mempool_size(const ::protowire::GetInfoResponseMessage& m);

class RpcCalls {
 public:
  explicit RpcCalls(protowire::RpcClient& client) : client_(client) {}

  core::Result<ServerInfo> server_info();
  // A node basalt can follow: on `network`, with a UTXO index, synced. Errors: kInvalid saying
  // which of the three fails.
  core::Status check_server(kaspa::Network network);
  core::Result<DagInfo> dag_info();
  // kaspad's fee rates (sompi per gram) rounded up: priority, the first normal and low buckets.
  core::Result<FeeEstimate> fee_estimate();
  core::Result<std::vector<Utxo>> utxos(const std::vector<kaspa::Address>& addresses);
  // The id kaspad reports must be the transaction's own.
  core::Result<kaspa::TxId> submit(const kaspa::Transaction& tx);
  core::Result<kaspa::TxId> submit_replacement(const kaspa::Transaction& tx);
  core::Result<LaneProof> lane_proof(const kaspa::BlockHash& block, const kaspa::LaneKey& key);
  // Several lane proofs in one round trip, in the order asked; the first error is the answer.
  using LaneProofAsked = std::vector<std::pair<kaspa::BlockHash, kaspa::LaneKey>>;
  core::Result<std::vector<LaneProof>> lane_proofs(const LaneProofAsked& asked);

  // GetVirtualChainFromBlockV2(start, FULL, min_confirmations), one chunk as large as kaspad
  // makes it, and lane_proofs, in halves so that the server works while the caller does: ask_*
  // sends, take_* waits for the answers (a V2 answer is left as its bytes, for
  // protowire::read_chain_v2).
  protowire::RpcClient::Batch ask_chain_from(const kaspa::BlockHash& start,
                                             std::uint64_t min_confirmations);
  core::Result<protowire::Answer> take_chain_answer(protowire::RpcClient::Batch asked);
  protowire::RpcClient::Batch ask_lane_proofs(const LaneProofAsked& asked);
  core::Result<std::vector<LaneProof>> take_lane_proofs(protowire::RpcClient::Batch batch,
                                                        const LaneProofAsked& asked);
  core::Result<BlockHeader> block_header(const kaspa::BlockHash& block);
  core::Result<std::uint64_t> mempool_size();
  // NotifyVirtualChainChanged without transaction ids: the notifications only wake the follower.
  core::Status subscribe_chain_changes();

 private:
  core::Result<protowire::Answer> call(protowire::Request r,
                                       protowire::Response::PayloadCase expected);
  protowire::RpcClient& client_;
};

}  // namespace basalt::l1::kaspad
