// The simulator's JSON export, read by independent tools that recompute every lane tip and verify
// every SeqCommit. The schema is fixed (README of this module); hashes are hex in byte order.
#pragma once

#include <string>

#include "l1/sim/simulator.hpp"

namespace basalt::l1::sim {

// The whole chain: the simulator must have kept its history (SimParams::keep_history) or not
// have pruned yet.
std::string export_json(const Simulator& sim);

}  // namespace basalt::l1::sim
