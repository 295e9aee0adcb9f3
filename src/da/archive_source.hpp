// L1 as a node that syncs past L1's pruning sees it: the chain blocks of a checked range of the
// lane-activity archive first, then the L1 it wraps from the range's last block on. The node's
// driver executes the archived blocks as it would L1's, and never notices where one ends.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "da/archive.hpp"
#include "l1/chain.hpp"

namespace basalt::da {

class ArchiveSource final : public l1::ChainSource {
 public:
  // `records`: consecutive records that check_activity accepted, whose last block L1 still has
  // (the caller checked it there). `l1` is not owned and must outlive the source. Errors: kInvalid
  // for no records or one whose SeqCommit its proof does not give.
  static core::Result<std::unique_ptr<ArchiveSource>> open(std::vector<ActivityRecord> records,
                                                           l1::ChainSource& l1);

  const ActivityRecord& first() const { return records_.front(); }
  const ActivityRecord& last() const { return records_.back(); }

  // From an archived block other than the last: the archived blocks after it; from anywhere
  // else: L1's answer.
  core::Result<l1::ChainChanged> chain_from(const std::optional<kaspa::BlockHash>& start,
                                            std::size_t max_added) const override;
  // An archived block's proof of the archived lane; L1's for anything else.
  core::Result<l1::LaneProof> lane_proof(const kaspa::BlockHash& block,
                                         const kaspa::LaneKey& key) const override;
  // The rest is L1's.
  core::Status submit_transaction(const kaspa::Transaction& tx) override {
    return l1_.submit_transaction(tx);
  }
  core::Status submit_transaction_replacement(const kaspa::Transaction& tx) override {
    return l1_.submit_transaction_replacement(tx);
  }
  core::Result<l1::FeeEstimate> fee_estimate() const override { return l1_.fee_estimate(); }
  core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> spendable(
      const kaspa::ScriptPublicKey& spk) const override {
    return l1_.spendable(spk);
  }
  core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> covenant_utxo(
      const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const override {
    return l1_.covenant_utxo(id, at);
  }
  std::string refusal(const kaspa::TxId& id) const override { return l1_.refusal(id); }
  core::Result<l1::BlockHeader> header(const kaspa::BlockHash& block) const override {
    return l1_.header(block);
  }
  core::Result<std::uint64_t> mempool_size() const override { return l1_.mempool_size(); }
  core::Result<std::uint64_t> sink_blue_score() const override { return l1_.sink_blue_score(); }

 private:
  ArchiveSource(std::vector<ActivityRecord> records, l1::ChainSource& l1)
      : records_(std::move(records)), l1_(l1) {}

  std::vector<ActivityRecord> records_;  // with their activity roots filled in
  std::map<kaspa::BlockHash, std::size_t> at_;
  l1::ChainSource& l1_;
};

}  // namespace basalt::da
