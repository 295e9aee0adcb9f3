#include "node/exits.hpp"

#include "kaspa/script.hpp"
#include "settle/covenant.hpp"
#include "zk/batch.hpp"
#include "zk/receipt.hpp"

namespace basalt::node {

using core::Error;
using core::ErrorCode;

core::Result<std::optional<ExitState>> exit_state(const NodeIndex& index, std::uint64_t seq) {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> bytes, index.settlement_receipt(seq));
  if (!bytes) return Error{ErrorCode::kNotFound, "no settlement " + std::to_string(seq)};
  // The receipt and the events are the node's own: ones that do not fit are damage.
  const auto corrupt = [seq](const std::string& what) {
    return Error{ErrorCode::kCorrupt, "settlement " + std::to_string(seq) + ": " + what};
  };
  auto receipt = zk::decode_receipt(*bytes);
  if (!receipt.ok()) return corrupt(receipt.error().to_string());
  auto exits = zk::bundle_exits(receipt->assumptions);
  if (!exits.ok()) return corrupt(exits.error().to_string());
  if (exits->empty()) return std::optional<ExitState>();
  auto tree = zk::ExitTree::build(std::move(*exits));
  if (!tree.ok()) return corrupt(tree.error().to_string());
  ExitState s{std::move(*tree), {}, std::nullopt};
  BASALT_ASSIGN_OR_RETURN(s.events, index.exit_events(seq));
  for (std::size_t n = 0; n < s.events.size(); ++n) {
    const ExitEvent& e = s.events[n];
    if (e.kind == ExitEvent::Kind::kAppeared) {
      if (n != 0) return corrupt("exit output appearing twice");
      s.output = kaspa::Outpoint{e.tx_id, e.index};
      continue;
    }
    if (!s.output || e.index >= s.tree.exits().size() || s.tree.claimed(e.index)) {
      return corrupt("exit event " + std::to_string(n) + " does not follow the ones before");
    }
    s.tree.claim(e.index);
    s.output.reset();
    if (s.tree.total() > 0) s.output = kaspa::Outpoint{e.tx_id, 1};
  }
  return std::optional<ExitState>(std::move(s));
}

ExitFollower::ExitFollower(NodeIndex& index, std::uint64_t finality_depth)
    : index_(index), finality_depth_(finality_depth) {}

core::Status ExitFollower::load(std::uint64_t after) {
  BASALT_ASSIGN_OR_RETURN(const auto all, index_.all_exit_events());
  for (const auto& [seq, events] : all) {
    std::uint64_t n = 0;
    for (; n < events.size() && events[n].position <= after; ++n) {
      touched_[events[n].position].insert(seq);
    }
    if (n < events.size()) BASALT_TRY(index_.drop_exit_events(seq, n));
    BASALT_TRY(follow(seq));
  }
  // A settlement is accepted within F chain blocks of its anchor, which lies after its batches.
  const std::uint64_t oldest = after > 2 * finality_depth_ ? after - 2 * finality_depth_ : 0;
  for (std::uint64_t before = ~std::uint64_t{0}; before > 1;) {
    BASALT_ASSIGN_OR_RETURN(const std::vector<SettlementRecord> page,
                            index_.settlements(before, 64));
    for (const SettlementRecord& r : page) {
      if (r.last_batch < oldest) return core::Status::Ok();
      const bool never =
          r.status == SettlementStatus::kRefused || r.status == SettlementStatus::kSuperseded;
      if (!never && !all.count(r.seq)) BASALT_TRY(follow(r.seq));
    }
    if (page.empty()) break;
    before = page.back().seq;
  }
  return core::Status::Ok();
}

core::Status ExitFollower::follow(std::uint64_t seq) {
  BASALT_ASSIGN_OR_RETURN(std::optional<ExitState> s, exit_state(index_, seq));
  if (!s || (!s->events.empty() && !s->output)) return core::Status::Ok();  // nothing to claim
  if (s->output) {
    at_[*s->output] = seq;
  } else {
    awaited_.emplace(kaspa::p2sh_script(s->tree.redeem()).script, seq);
  }
  followed_.insert_or_assign(seq, std::move(*s));
  return core::Status::Ok();
}

core::Status ExitFollower::refollow(std::uint64_t seq) {
  if (auto it = followed_.find(seq); it != followed_.end()) {
    if (it->second.output) at_.erase(*it->second.output);
    followed_.erase(it);
  }
  for (auto it = awaited_.begin(); it != awaited_.end();) {
    it = it->second == seq ? awaited_.erase(it) : std::next(it);
  }
  return follow(seq);
}

core::Status ExitFollower::record(std::uint64_t seq, const ExitEvent& e) {
  BASALT_TRY(index_.put_exit_event(seq, followed_.at(seq).events.size(), e));
  touched_[e.position].insert(seq);
  return refollow(seq);
}

core::Status ExitFollower::observe(std::uint64_t position, const l1::ChainBlockInfo& block) {
  for (const l1::AcceptedTx& a : block.accepted) {
    for (const kaspa::TxInput& in : a.tx.inputs) {
      const auto at = at_.find(in.previous_outpoint);
      if (at == at_.end()) continue;
      const std::uint64_t seq = at->second;
      // The exit script admits only claims; anything else leaves the output where it was.
      const std::optional<std::size_t> exit = settle::claimed_exit(followed_.at(seq).tree, a.tx);
      if (!exit) continue;
      BASALT_TRY(record(
          seq, {ExitEvent::Kind::kClaimed, position, a.tx_id, static_cast<std::uint32_t>(*exit)}));
    }
    for (std::size_t k = 0; k < a.tx.outputs.size(); ++k) {
      const kaspa::ScriptPublicKey& spk = a.tx.outputs[k].script_public_key;
      const auto awaited = awaited_.find(spk.script);
      if (awaited == awaited_.end() || spk.version != 0) continue;
      const std::uint64_t seq = awaited->second;
      BASALT_TRY(record(
          seq, {ExitEvent::Kind::kAppeared, position, a.tx_id, static_cast<std::uint32_t>(k)}));
    }
  }
  return core::Status::Ok();
}

core::Status ExitFollower::rollback(std::uint64_t position) {
  std::set<std::uint64_t> seqs;
  for (auto it = touched_.upper_bound(position); it != touched_.end(); it = touched_.erase(it)) {
    seqs.insert(it->second.begin(), it->second.end());
  }
  for (const std::uint64_t seq : seqs) {
    BASALT_ASSIGN_OR_RETURN(const std::vector<ExitEvent> events, index_.exit_events(seq));
    std::uint64_t n = 0;
    while (n < events.size() && events[n].position <= position) ++n;
    BASALT_TRY(index_.drop_exit_events(seq, n));
    BASALT_TRY(refollow(seq));
  }
  return core::Status::Ok();
}

core::Status ExitFollower::apply(const l1::ChainChanged& change, std::uint64_t length) {
  const std::uint64_t first = length + 1 - change.added.size();
  if (!change.removed.empty()) BASALT_TRY(rollback(first - 1));
  for (std::size_t k = 0; k < change.added.size(); ++k) {
    BASALT_TRY(observe(first + k, change.added[k]));
  }
  // Blocks deeper than the rollback window are never removed: their events stay.
  if (length > 2 * finality_depth_) {
    touched_.erase(touched_.begin(), touched_.lower_bound(length - 2 * finality_depth_));
  }
  return core::Status::Ok();
}

}  // namespace basalt::node
