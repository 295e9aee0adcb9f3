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
    if ((s.tree.total() == 0) != (e.kind == ExitEvent::Kind::kClaimedLast)) {
      return corrupt("exit event " + std::to_string(n) + " does not say what is left");
    }
    if (s.tree.total() > 0) s.output = kaspa::Outpoint{e.tx_id, 1};
  }
  return std::optional<ExitState>(std::move(s));
}

ExitFollower::ExitFollower(NodeIndex& index, std::uint64_t finality_depth)
    : index_(index), finality_depth_(finality_depth) {}

core::Status ExitFollower::load(std::uint64_t after) {
  BASALT_ASSIGN_OR_RETURN(const auto all, index_.all_exit_events());
  for (const auto& [seq, events] : all) {
    std::vector<ExitEvent> kept;
    for (const ExitEvent& e : events) {
      if (e.position > after) break;
      kept.push_back(e);
      touched_[e.position].insert(seq);
    }
    if (kept.size() < events.size()) BASALT_TRY(index_.drop_exit_events(seq, kept.size()));
    BASALT_TRY(watch(seq, kept));
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
  return watch(seq, {});
}

void ExitFollower::unwatch(std::uint64_t seq) {
  const auto w = watched_.find(seq);
  if (w == watched_.end()) return;
  if (w->second.at) at_.erase(*w->second.at);
  if (w->second.awaited) {
    auto [from, to] = awaited_.equal_range(*w->second.awaited);
    for (; from != to; ++from) {
      if (from->second == seq) {
        awaited_.erase(from);
        break;
      }
    }
  }
  watched_.erase(w);
}

void ExitFollower::watch_at(std::uint64_t seq, std::uint64_t events, const kaspa::Outpoint& at) {
  at_[at] = seq;
  watched_[seq] = {events, at, std::nullopt};
}

core::Status ExitFollower::watch(std::uint64_t seq, const std::vector<ExitEvent>& events) {
  unwatch(seq);
  if (events.empty()) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<ExitState> s, exit_state(index_, seq));
    if (!s) return core::Status::Ok();  // no exits
    core::Bytes script = kaspa::p2sh_script(s->tree.redeem()).script;
    awaited_.emplace(script, seq);
    watched_[seq] = {0, std::nullopt, std::move(script)};
    return core::Status::Ok();
  }
  const ExitEvent& last = events.back();
  if (last.kind == ExitEvent::Kind::kClaimedLast) return core::Status::Ok();
  watch_at(seq, events.size(),
           {last.tx_id, last.kind == ExitEvent::Kind::kAppeared ? last.index : 1});
  return core::Status::Ok();
}

core::Status ExitFollower::record(std::uint64_t seq, const ExitEvent& e) {
  const std::uint64_t n = watched_.at(seq).events;
  BASALT_TRY(index_.put_exit_event(seq, n, e));
  touched_[e.position].insert(seq);
  unwatch(seq);
  if (e.kind != ExitEvent::Kind::kClaimedLast) {
    watch_at(seq, n + 1, {e.tx_id, e.kind == ExitEvent::Kind::kAppeared ? e.index : 1});
  }
  return core::Status::Ok();
}

core::Status ExitFollower::observe(std::uint64_t position, const l1::ChainBlockInfo& block) {
  for (const l1::AcceptedTx& a : block.accepted) {
    for (const kaspa::TxInput& in : a.tx.inputs) {
      const auto at = at_.find(in.previous_outpoint);
      if (at == at_.end()) continue;
      const std::uint64_t seq = at->second;
      // The tree as the claim found it; the exit script admits only claims, and anything else
      // leaves the output where it was.
      BASALT_ASSIGN_OR_RETURN(const std::optional<ExitState> s, exit_state(index_, seq));
      if (!s) continue;
      const std::optional<std::size_t> exit = settle::claimed_exit(s->tree, a.tx);
      if (!exit) continue;
      const bool last = s->tree.total() == s->tree.exits()[*exit].amount;
      BASALT_TRY(record(seq, {last ? ExitEvent::Kind::kClaimedLast : ExitEvent::Kind::kClaimed,
                              position, a.tx_id, static_cast<std::uint32_t>(*exit)}));
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
    BASALT_ASSIGN_OR_RETURN(std::vector<ExitEvent> events, index_.exit_events(seq));
    std::size_t n = 0;
    while (n < events.size() && events[n].position <= position) ++n;
    BASALT_TRY(index_.drop_exit_events(seq, n));
    events.resize(n);
    BASALT_TRY(watch(seq, events));
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
