#include "da/archive_source.hpp"

#include <algorithm>

#include "l1/seq_check.hpp"

namespace basalt::da {

using core::Error;
using core::ErrorCode;

core::Result<std::unique_ptr<ArchiveSource>> ArchiveSource::open(
    std::vector<ActivityRecord> records, l1::ChainSource& l1) {
  if (records.empty()) return Error{ErrorCode::kInvalid, "an archive source without records"};
  std::unique_ptr<ArchiveSource> s(new ArchiveSource(std::move(records), l1));
  for (std::size_t i = 0; i < s->records_.size(); ++i) {
    l1::ChainBlockInfo& b = s->records_[i].block;
    auto root = l1::check_seq_commit(b.seq_commit, b.selected_parent_seq_commit, b.lane_proofs);
    if (!root.ok()) {
      return Error{ErrorCode::kInvalid, "archived batch " + std::to_string(s->records_[i].batch) +
                                            ": " + root.error().context()};
    }
    b.activity_root = *root;
    s->at_[b.hash] = i;
  }
  return s;
}

core::Result<l1::ChainChanged> ArchiveSource::chain_from(
    const std::optional<kaspa::BlockHash>& start, std::size_t max_added) const {
  const auto it = start ? at_.find(*start) : at_.end();
  if (it == at_.end() || it->second + 1 == records_.size()) return l1_.chain_from(start, max_added);
  l1::ChainChanged out;
  const std::size_t end = std::min(records_.size(), it->second + 1 + max_added);
  for (std::size_t i = it->second + 1; i < end; ++i) out.added.push_back(records_[i].block);
  return out;
}

core::Result<l1::LaneProof> ArchiveSource::lane_proof(const kaspa::BlockHash& block,
                                                      const kaspa::LaneKey& key) const {
  const auto it = at_.find(block);
  if (it != at_.end()) {
    const l1::LaneProof& p = records_[it->second].block.lane_proofs.front();
    if (p.lane_key == key) return p;
  }
  return l1_.lane_proof(block, key);
}

}  // namespace basalt::da
