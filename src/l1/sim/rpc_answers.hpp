// The simulator answering kaspad's RPC requests (the protowire subset), as kaspad answers them:
// the same fields, a refused submission as "Rejected transaction <id>: <reason>". Not served yet:
// the chain (GetVirtualChainFromBlockV2), lane proofs, blocks and notifications — each answered
// with an RPCError saying so. The caller serializes access to the simulator.
#pragma once

#include "kaspa/network.hpp"
#include "l1/protowire/rpc.hpp"
#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {

// GetServerInfo: networkId `network`, a UTXO index, always synced. GetBlockDagInfo: networkName
// "kaspa-<network>", the chain tip as sink, tip and virtual parent, the pruning point (block and
// header counts are not kept and stay 0). GetUtxosByAddresses: outputs no mempool transaction
// spends, for addresses of `network` only.
protowire::Response answer(Simulator& sim, kaspa::Network network, const protowire::Request& r);

}  // namespace basalt::l1::sim
