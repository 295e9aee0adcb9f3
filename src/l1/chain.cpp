#include "l1/chain.hpp"

#include <algorithm>

namespace basalt::l1 {

core::Result<LaneProof> lane_proof_at(const ChainSource& source, const ChainBlockInfo& block,
                                      const kaspa::LaneKey& key) {
  const auto held = std::find_if(block.lane_proofs.begin(), block.lane_proofs.end(),
                                 [&](const LaneProof& p) { return p.lane_key == key; });
  if (held != block.lane_proofs.end()) return *held;
  return source.lane_proof(block.hash, key);
}

}  // namespace basalt::l1
