#include "l1/follower.hpp"

namespace basalt::l1 {

using core::Error;
using core::ErrorCode;

Follower::Follower(std::uint64_t finality_depth, std::vector<kaspa::LaneId> lanes)
    : f_(finality_depth) {
  for (const auto& l : lanes) followed_[l] = kaspa::lane_key(l);
}

void Follower::add(const ChainBlockInfo& b) {
  // Leaves per followed lane, in merge_idx order.
  std::map<kaspa::LaneId, std::vector<core::Hash32>> leaves;
  for (const auto& a : b.accepted) {
    if (followed_.count(a.lane))
      leaves[a.lane].push_back(kaspa::activity_leaf(a.tx_id, a.version, a.merge_idx));
  }
  Applied applied{b.hash, b.blue_score, {}};
  const core::Hash32 ctx =
      kaspa::mergeset_context_hash({b.selected_parent_timestamp, b.daa_score, b.blue_score});
  for (const auto& [lane, ls] : leaves) {
    const kaspa::LaneKey& key = followed_.at(lane);
    auto it = lanes_.find(key);
    applied.before[key] = it == lanes_.end() ? std::nullopt : std::optional<LaneState>(it->second);
    // Active: touched within F blue score; otherwise the lane starts again from the parent
    // SeqCommit.
    bool active = it != lanes_.end() && it->second.last_blue_score + f_ >= b.blue_score;
    core::Hash32 parent_ref = active ? it->second.tip.hash() : b.selected_parent_seq_commit.hash();
    lanes_[key] = {kaspa::lane_tip_next(parent_ref, key, kaspa::activity_digest_lane(ls), ctx),
                   b.blue_score};
  }
  history_.push_back(std::move(applied));
}

void Follower::undo_tip() {
  for (const auto& [key, before] : history_.back().before) {
    if (before) {
      lanes_[key] = *before;
    } else {
      lanes_.erase(key);
    }
  }
  history_.pop_back();
}

core::Status Follower::apply(const ChainChanged& change) {
  // Validate the whole change before touching anything, so that a bad one leaves the follower as it
  // was: removals peel off the tip, and each addition extends what is left.
  const std::size_t held = history_.size() - history_.first();
  if (change.removed.size() > held || (history_.first() > 0 && change.removed.size() == held))
    return Error{ErrorCode::kInvalid, "removes more blocks than followed, or deeper than F"};
  for (std::size_t i = 0; i < change.removed.size(); ++i) {
    if (change.removed[i] != history_[history_.size() - 1 - i].hash) {
      return Error{ErrorCode::kInvalid, "removed chain block is not the followed tip"};
    }
  }
  const std::size_t kept = history_.size() - change.removed.size();
  for (std::size_t i = 0; i < change.added.size(); ++i) {
    if (i == 0 && kept == 0) continue;  // the first block ever followed may start anywhere
    const kaspa::BlockHash& parent = i > 0 ? change.added[i - 1].hash : history_[kept - 1].hash;
    if (change.added[i].selected_parent != parent) {
      return Error{ErrorCode::kInvalid, "added chain block does not extend the followed chain"};
    }
  }
  // The lane proofs a source attached can be checked only after the blocks before them are
  // applied: keep what undoes the change.
  const std::map<kaspa::LaneKey, LaneState> lanes_before = lanes_;
  std::vector<Applied> removed;
  for (std::size_t i = 0; i < change.removed.size(); ++i) {
    removed.push_back(history_.back());
    undo_tip();
  }
  for (std::size_t i = 0; i < change.added.size(); ++i) {
    add(change.added[i]);
    if (auto st = check_proofs(change.added[i]); !st.ok()) {
      for (std::size_t k = 0; k <= i; ++k) history_.pop_back();
      for (auto it = removed.rbegin(); it != removed.rend(); ++it) history_.push_back(*it);
      lanes_ = lanes_before;
      return st;
    }
  }
  if (history_.size() > f_ + 1) history_.forget_before(history_.size() - f_ - 1);
  return core::Status::Ok();
}

core::Status Follower::check_proofs(const ChainBlockInfo& b) const {
  for (const LaneProof& p : b.lane_proofs) {
    bool followed = false;
    for (const auto& [id, key] : followed_) followed |= key == p.lane_key;
    if (!followed) continue;
    const std::optional<LaneState> mine = lane(p.lane_key);
    const bool same = mine ? p.lane_tip == mine->tip && p.lane_blue_score == mine->last_blue_score
                           : !p.lane_tip.has_value();
    if (!same) {
      return Error{ErrorCode::kInvalid,
                   "chain block " + b.hash.hex() + ": lane " + p.lane_key.hex() +
                       " recomputed from the accepted transactions is not the tip L1 committed"};
    }
  }
  return core::Status::Ok();
}

void Follower::restore(std::uint64_t height, const kaspa::BlockHash& tip, std::uint64_t blue_score,
                       std::map<kaspa::LaneKey, LaneState> lanes) {
  history_ = {};
  history_.resize(height);
  history_.forget_before(height - 1);
  history_.back() = Applied{tip, blue_score, {}};
  lanes_ = std::move(lanes);
}

std::optional<LaneState> Follower::lane(const kaspa::LaneKey& key) const {
  auto it = lanes_.find(key);
  if (it == lanes_.end() || history_.empty()) return std::nullopt;
  if (it->second.last_blue_score + f_ < history_.back().blue_score) return std::nullopt;
  return it->second;
}

std::optional<LaneState> Follower::last(const kaspa::LaneKey& key) const {
  auto it = lanes_.find(key);
  if (it == lanes_.end()) return std::nullopt;
  return it->second;
}

std::optional<kaspa::BlockHash> Follower::tip() const {
  if (history_.empty()) return std::nullopt;
  return history_.back().hash;
}

}  // namespace basalt::l1
