// The chain follower: keeps, for every followed lane, the lane tip and last-touch blue score
// exactly as KIP-21 computes them (kip21 §3.1 step 5, §6), block by block along the selected chain,
// and undoes blocks when the chain reorganises.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/window.hpp"
#include "l1/chain.hpp"

namespace basalt::l1 {

struct LaneState {
  kaspa::LaneTip tip;
  std::uint64_t last_blue_score = 0;
};

class Follower {
 public:
  Follower(std::uint64_t finality_depth, std::vector<kaspa::LaneId> lanes);

  // Applies removals, then additions. Errors: kInvalid when a removed block is not the current tip,
  // the removals reach deeper than F, an added block does not extend what is left, or a followed
  // lane's tip after an added block differs from the lane proof the block carries; the follower is
  // unchanged then.
  core::Status apply(const ChainChanged& change);

  // Starts over from the node's own records: `tip` is chain block `height` (>= 1) with blue score
  // `blue_score`, and `lanes` the followed lanes' last known states after it (a lane absent: never
  // touched). Nothing below `tip` can be removed afterwards; the caller restores from an earlier
  // record to go below it.
  void restore(std::uint64_t height, const kaspa::BlockHash& tip, std::uint64_t blue_score,
               std::map<kaspa::LaneKey, LaneState> lanes);

  // The lane's state if it is active at the current tip (touched within the last F blue score).
  std::optional<LaneState> lane(const kaspa::LaneKey& key) const;
  // The lane's last known state, active or not (nullopt: never touched while followed).
  std::optional<LaneState> last(const kaspa::LaneKey& key) const;
  std::optional<kaspa::BlockHash> tip() const;
  // Blocks followed along the chain (those removed by reorgs not counted).
  std::size_t height() const { return history_.size(); }

 private:
  struct Applied {
    kaspa::BlockHash hash;
    std::uint64_t blue_score;
    std::map<kaspa::LaneKey, std::optional<LaneState>> before;  // lanes this block changed
  };
  void add(const ChainBlockInfo& b);  // Requires: b extends the tip (checked by apply)
  void undo_tip();
  core::Status check_proofs(const ChainBlockInfo& b) const;

  std::uint64_t f_;
  std::map<kaspa::LaneId, kaspa::LaneKey> followed_;
  std::map<kaspa::LaneKey, LaneState> lanes_;  // last known state, active or not
  // The last F + 1 applied blocks: a reorg is never deeper.
  core::Window<Applied> history_;
};

}  // namespace basalt::l1
