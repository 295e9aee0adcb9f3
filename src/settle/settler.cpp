#include "settle/settler.hpp"

#include <algorithm>

#include "kaspa/mass.hpp"
#include "zk/exits.hpp"
#include "zk/receipt.hpp"

namespace basalt::settle {

using core::Error;
using core::ErrorCode;

const char* settler_event_name(SettlerEvent::Kind k) {
  switch (k) {
    case SettlerEvent::Kind::kSubmitted:
      return "submitted";
    case SettlerEvent::Kind::kBumped:
      return "bumped";
    case SettlerEvent::Kind::kAccepted:
      return "accepted";
    case SettlerEvent::Kind::kUnaccepted:
      return "unaccepted";
    case SettlerEvent::Kind::kConfirmed:
      return "confirmed";
    case SettlerEvent::Kind::kAbandoned:
      return "abandoned";
  }
  return "?";
}

std::vector<Acceptance::Step> Acceptance::follow(const l1::ChainChanged& change,
                                                 std::span<const kaspa::TxId> versions) {
  std::vector<Step> steps;
  for (const auto& h : change.removed) {
    if (accepted_in == h) {
      accepted_in.reset();
      depth = 0;
      steps.push_back({Change::kUnaccepted, h, kaspa::TxId()});
    }
  }
  for (const auto& b : change.added) {
    if (accepted_in) {
      ++depth;
      continue;
    }
    ++waited;
    for (const auto& a : b.accepted) {
      if (std::find(versions.begin(), versions.end(), a.tx_id) == versions.end()) continue;
      accepted_in = b.hash;
      steps.push_back({Change::kAccepted, b.hash, a.tx_id});
    }
  }
  return steps;
}

Settler::Settler(l1::ChainSource& l1, const CovenantScript& covenant, const kaspa::CovenantId& id,
                 const crypto::SecretKey& fee_key, const SettlerOptions& options)
    : l1_(l1), covenant_(covenant), id_(id), fee_key_(fee_key), options_(options) {}

SettlerEvent Settler::event(SettlerEvent::Kind k, std::string detail) const {
  SettlerEvent e;
  e.kind = k;
  e.first_batch = pending_->bundle.first_batch;
  e.last_batch = pending_->bundle.last_batch;
  e.tx_id = pending_->tx_id;
  e.fee = pending_->fee;
  e.detail = std::move(detail);
  return e;
}

core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Settler::covenant(
    std::span<const CovenantState> at) const {
  std::vector<kaspa::ScriptPublicKey> spks;
  for (const CovenantState& s : at) spks.push_back(covenant_.spk(s));
  return l1_.covenant_utxo(id_, spks);
}

core::Status Settler::build(Pending& p, std::uint64_t rate) const {
  // The largest fee output of the key that no mempool transaction spends.
  BASALT_ASSIGN_OR_RETURN(const auto outs,
                          l1_.spendable(kaspa::p2pk_script(fee_key_.public_key())));
  if (outs.empty()) return Error{ErrorCode::kUnavailable, "no spendable fee output"};
  const auto& fee_out = *std::max_element(
      outs.begin(), outs.end(),
      [](const auto& a, const auto& b) { return a.second.amount < b.second.amount; });
  SettlementSpend s{p.covenant,
                    p.covenant_entry,
                    p.from,
                    p.bundle.journal,
                    zk::encode_receipt(p.bundle.receipt),
                    p.bundle.anchor,
                    p.exit_root,
                    p.exit_total};
  // The fee does not change the mass: price the transaction built without one, at `rate` per gram
  // of fee mass and never below kaspad's minimum relay fee.
  const kaspa::Transaction draft =
      settlement_transaction(covenant_, id_, s, fee_out.first, fee_out.second, fee_key_, 0);
  const std::uint64_t mass = kaspa::fee_mass(kaspa::non_contextual_mass(draft));
  const std::uint64_t fee = std::max(rate * mass, kaspa::minimum_relay_fee(mass));
  if (fee > fee_out.second.amount) return Error{ErrorCode::kUnavailable, "fee output too small"};
  p.tx = settlement_transaction(covenant_, id_, s, fee_out.first, fee_out.second, fee_key_, fee);
  p.tx_id = kaspa::tx_id(p.tx);
  p.fee = fee;
  p.fee_rate = rate;
  return core::Status::Ok();
}

core::Result<SettlerEvent> Settler::settle(Bundle b, const CovenantState& from) {
  if (pending_) return Error{ErrorCode::kUnavailable, "a settlement is in flight"};
  if (b.journal.prev_state != from.state || b.journal.prev_lane_tip != from.lane_tip.hash()) {
    return Error{ErrorCode::kInvalid, "the bundle does not start at the covenant's state"};
  }
  BASALT_ASSIGN_OR_RETURN(const auto cov, covenant(std::span(&from, 1)));
  if (!cov)
    return Error{ErrorCode::kUnavailable, "the covenant has no unspent output at its state"};
  BASALT_ASSIGN_OR_RETURN(const zk::ExitTree exits, zk::ExitTree::build(b.exits));
  if (exits.permission_spk_hash() != b.journal.permission_spk_hash)
    return Error{ErrorCode::kInvalid, "the bundle's exits are not the ones its journal commits"};
  if (exits.total() >= cov->second.amount) {
    return Error{ErrorCode::kInvalid, "the bundle's exits (" + std::to_string(exits.total()) +
                                          " sompi) are more than the covenant holds (" +
                                          std::to_string(cov->second.amount) +
                                          "): the app sent out what it never had"};
  }
  Pending p;
  p.bundle = std::move(b);
  p.from = from;
  p.covenant = cov->first;
  p.covenant_entry = cov->second;
  p.exit_root = exits.root();
  p.exit_total = exits.total();
  BASALT_ASSIGN_OR_RETURN(const l1::FeeEstimate est, l1_.fee_estimate());
  const std::uint64_t level_rate = options_.fee_level == FeeLevel::kLow      ? est.low
                                   : options_.fee_level == FeeLevel::kNormal ? est.normal
                                                                             : est.priority;
  const std::uint64_t rate = options_.fee_rate != 0 ? options_.fee_rate : level_rate;
  BASALT_TRY(build(p, rate));
  if (auto st = l1_.submit_transaction(p.tx); !st.ok()) {
    if (st.error().context().find("double spend") != std::string::npos) {
      return Error{
          ErrorCode::kUnavailable,
          "another settlement of this covenant is in the mempool: " + st.error().context()};
    }
    SettlerEvent e;
    e.kind = SettlerEvent::Kind::kAbandoned;
    e.first_batch = p.bundle.first_batch;
    e.last_batch = p.bundle.last_batch;
    e.tx_id = p.tx_id;
    e.fee = p.fee;
    e.detail = "refused by L1 at submission: " + st.error().to_string();
    return e;
  }
  p.versions = {p.tx_id};
  pending_ = std::move(p);
  SettlerEvent e = event(SettlerEvent::Kind::kSubmitted);
  e.tx = pending_->tx;
  return e;
}

std::vector<SettlerEvent> Settler::on_chain(const l1::ChainChanged& change) {
  std::vector<SettlerEvent> events;
  if (!change.added.empty()) tip_blue_score_ = change.added.back().blue_score;
  if (!pending_) return events;
  Pending& p = *pending_;
  for (const Acceptance::Step& st : p.acceptance.follow(change, p.versions)) {
    if (st.change == Acceptance::Change::kUnaccepted) {
      events.push_back(
          event(SettlerEvent::Kind::kUnaccepted, "a reorg removed block " + st.block.hex()));
    } else {
      p.tx_id = st.tx;  // an earlier version may be the one a block took
      p.blocks_to_accept = p.acceptance.waited;
      events.push_back(event(SettlerEvent::Kind::kAccepted, "in chain block " + st.block.hex()));
    }
  }
  if (p.acceptance.accepted_in) {
    if (p.acceptance.depth >= options_.confirmations) {
      SettlerEvent e = event(SettlerEvent::Kind::kConfirmed);
      e.blocks = p.blocks_to_accept;
      events.push_back(std::move(e));
      pending_.reset();
    }
    return events;
  }
  // Not accepted: refused, superseded, anchor gone or too deep, or still waiting. (An earlier
  // version that was replaced counts as refused by L1; only the latest one matters here.)
  std::string why = l1_.refusal(p.tx_id);
  if (why.empty()) {
    // Unknown when L1 cannot be asked now: decided at a later step.
    auto cov = covenant(std::span(&p.from, 1));
    if (cov.ok() && (!*cov || (*cov)->first != p.covenant))
      why = "the covenant moved on: another settlement of its state was accepted";
  }
  if (why.empty()) {
    auto h = l1_.header(p.bundle.anchor);
    if (!h.ok() || !h->is_chain_block) {
      why = "the anchor left the selected chain";
    } else if (h->blue_score + options_.finality_depth <=
               tip_blue_score_ + options_.anchor_margin) {
      why = "the anchor is about to leave the access window";
    }
  }
  if (!why.empty()) {
    events.push_back(event(SettlerEvent::Kind::kAbandoned, why));
    pending_.reset();
    return events;
  }
  if (p.acceptance.waited >= options_.bump_after_blocks) {
    Pending next = p;
    if (build(next, p.fee_rate * 2).ok() && l1_.submit_transaction_replacement(next.tx).ok()) {
      next.acceptance.waited = 0;
      next.versions.push_back(next.tx_id);
      p = std::move(next);
      SettlerEvent e = event(SettlerEvent::Kind::kBumped,
                             "fee rate " + std::to_string(p.fee_rate) + " sompi/gram");
      e.tx = p.tx;
      events.push_back(std::move(e));
    }
  }
  return events;
}

}  // namespace basalt::settle
