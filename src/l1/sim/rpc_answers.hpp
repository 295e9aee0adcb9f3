// The simulator answering kaspad's RPC requests (the protowire subset), as kaspad answers them:
// the same fields, a refused submission as "Rejected transaction <id>: <reason>", the chain in
// chunks (GetVirtualChainFromBlockV2 at FULL verbosity only: removed highest first, added lowest
// first with their headers and accepted transactions, the selected parent's coinbase at merge_idx
// 0), lane proofs from the pruning point up, block headers, and VirtualChainChanged notifications
// built from its chain changes. The caller serializes access to the simulator.
#pragma once

#include <cstddef>

#include "kaspa/network.hpp"
#include "l1/protowire/rpc.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {

struct ServeOptions {
  kaspa::Network network = kaspa::Network::kDevnet;
  // A V2 answer ends after this many chain blocks, or after the block that brings its accepted
  // transactions to max_chunk_txs (kaspad bounds its answers by merged blocks instead; either way
  // a client loops until nothing is added).
  std::size_t max_chunk_blocks = 1000;
  std::size_t max_chunk_txs = 20000;
};

// GetServerInfo: networkId, a UTXO index, always synced, serverVersion "basalt-sim". GetInfo: the
// mempool's size. GetBlockDagInfo: networkName "kaspa-<network>", the chain tip as sink, tip and
// virtual parent, the pruning point (block and header counts are not kept and stay 0).
// GetUtxosByAddresses: as kaspad's UTXO index, the outputs accepted transactions left (those a
// mempool transaction spends included), for addresses of the network only.
// Submissions go to `l1` (the simulator itself, or the Embedded that journals them around it).
void answer(const Simulator& sim, ChainSource& l1, const ServeOptions& options,
            const protowire::Request& r, protowire::Response& out);

// The VirtualChainChanged notification (id 0) of `change`, without transaction ids.
protowire::Response chain_changed_notification(const ChainChanged& change);

}  // namespace basalt::l1::sim
