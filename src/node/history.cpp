#include "node/history.hpp"

#include "zk/journal.hpp"
#include "zk/receipt.hpp"

namespace basalt::node {

namespace {

bool is_final(SettlementStatus s) {
  return s != SettlementStatus::kSubmitted && s != SettlementStatus::kAccepted;
}

std::string range(std::uint64_t first, std::uint64_t last) {
  return std::to_string(first) + ".." + std::to_string(last);
}

}  // namespace

SettlementHistory::SettlementHistory(NodeIndex& index, Metrics& metrics, Logger& log,
                                     std::uint32_t confirmations)
    : index_(index), metrics_(metrics), log_(log), confirmations_(confirmations) {}

core::Status SettlementHistory::reopen(const Driver& driver) {
  // Settlements become final within a few chain blocks: the open ones are among the newest.
  BASALT_ASSIGN_OR_RETURN(const std::vector<SettlementRecord> newest,
                          index_.settlements(~std::uint64_t{0}, 64));
  last_seq_ = newest.empty() ? 0 : newest.front().seq;
  BASALT_ASSIGN_OR_RETURN(confirmed_, index_.confirmed_settlements());
  for (const SettlementRecord& r : newest) {
    if (r.status != SettlementStatus::kConfirmed) continue;
    settled_confirmed_ = r.last_batch;
    break;
  }
  for (auto it = newest.rbegin(); it != newest.rend(); ++it) {
    if (is_final(it->status)) continue;
    Open o{*it, {it->tx_id}, {}};
    std::optional<std::uint64_t> at;
    for (std::uint64_t p = driver.chain_length(); it->accepted_in && driver.held(p); --p) {
      if (driver.block(p).hash == *it->accepted_in) {
        at = p;
        break;
      }
    }
    if (at) {
      o.acceptance.accepted_in = it->accepted_in;
      o.acceptance.depth = driver.chain_length() - *at;
    } else {
      o.record.status = SettlementStatus::kSubmitted;
      o.record.accepted_in.reset();
    }
    open_.push_back(std::move(o));
  }
  return core::Status::Ok();
}

core::Status SettlementHistory::record(const SettlementReport& report, std::uint64_t next_step) {
  std::size_t next_bundle = 0;
  for (const settle::SettlerEvent& e : report.events) {
    using K = settle::SettlerEvent::Kind;
    if (e.kind == K::kSubmitted) {
      const settle::Bundle& b = report.submitted.at(next_bundle++);
      SettlementRecord rec;
      rec.seq = last_seq_ + 1;
      rec.first_batch = b.first_batch;
      rec.last_batch = b.last_batch;
      rec.anchor = b.anchor;
      rec.tx_id = e.tx_id;
      rec.fee = e.fee;
      rec.submitted_step = next_step;
      rec.journal = zk::encode_state_transition(b.journal);
      rec.covenant_input = e.tx.inputs.at(0).previous_outpoint;
      BASALT_TRY(index_.log_settlement(rec, zk::encode_receipt(b.receipt)));
      last_seq_ = rec.seq;
      open_.push_back({rec, {e.tx_id}, {}});
      metrics_.add("basalt_settlements_total", 1, "event=\"submitted\"");
      log_.info("settlement " + std::to_string(rec.seq) + " of batches " +
                range(e.first_batch, e.last_batch) + ": tx " + e.tx_id.hex());
    } else if (e.kind == K::kBumped) {
      // The settler bumps only the newest one; it may be final already (L1 decided first).
      auto it = std::find_if(open_.begin(), open_.end(),
                             [&](const Open& o) { return o.record.seq == last_seq_; });
      if (it == open_.end()) continue;
      it->record.tx_id = e.tx_id;
      it->record.fee = e.fee;
      ++it->record.bumps;
      it->versions.push_back(e.tx_id);
      BASALT_TRY(index_.log_settlement(it->record, {}));
      metrics_.add("basalt_settlements_total", 1, "event=\"bumped\"");
      log_.info("settlement of batches " + range(e.first_batch, e.last_batch) + ": fee bumped (" +
                e.detail + "), tx " + e.tx_id.hex());
    } else if (e.kind == K::kAbandoned) {
      log_.warn("settlement of batches " + range(e.first_batch, e.last_batch) +
                " given up by the settler: " + e.detail);
    }
  }
  return core::Status::Ok();
}

bool SettlementHistory::update(Open& o, const StepReport& step,
                               const core::Result<std::optional<kaspa::Outpoint>>& covenant_at,
                               const l1::ChainSource& l1, bool live) {
  SettlementRecord& r = o.record;
  const SettlementStatus before = r.status;
  for (const settle::Acceptance::Step& st : o.acceptance.follow(step.change, o.versions)) {
    const bool accepted = st.change == settle::Acceptance::Change::kAccepted;
    r.status = accepted ? SettlementStatus::kAccepted : SettlementStatus::kSubmitted;
    r.accepted_in.reset();
    if (accepted) {
      r.tx_id = st.tx;
      r.accepted_in = st.block;
      r.accepted_step = step.step;
    }
    metrics_.add("basalt_settlements_total", 1,
                 accepted ? "event=\"accepted\"" : "event=\"unaccepted\"");
  }
  if (o.acceptance.accepted_in) {
    if (o.acceptance.depth >= confirmations_) {
      r.status = SettlementStatus::kConfirmed;
      auto at = executed_at_.find(r.last_batch);
      if (live && at != executed_at_.end()) {
        r.latency_ms =
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::steady_clock::now() - at->second)
                                           .count());
        metrics_.set("basalt_settlement_latency_seconds",
                     static_cast<double>(r.latency_ms) / 1000.0);
      }
    }
  } else if (covenant_at.ok() && covenant_at->has_value() && **covenant_at != r.covenant_input) {
    // First: L1 also refuses a settlement whose covenant input another one spent before it. (A
    // covenant found at none of the states the node knows, as after a restart before the prover
    // caught up again, decides nothing.)
    r.status = SettlementStatus::kSuperseded;
    r.detail = "the covenant moved on without it";
  } else if (std::string why = l1.refusal(r.tx_id); !why.empty()) {
    r.status = SettlementStatus::kRefused;
    r.detail = why;
  }
  if (r.status == before) return false;
  if (is_final(r.status)) {
    r.final_step = step.step;
    metrics_.add("basalt_settlements_total", 1,
                 std::string("event=\"") + settlement_status_name(r.status) + "\"");
    if (live) {
      log_.info("settlement " + std::to_string(r.seq) + " of batches " +
                range(r.first_batch, r.last_batch) + " " + settlement_status_name(r.status) +
                (r.detail.empty() ? "" : ": " + r.detail));
    }
  }
  return true;
}

core::Status SettlementHistory::follow(
    const StepReport& step, const l1::ChainSource& l1,
    const core::Result<std::optional<kaspa::Outpoint>>& covenant_at, bool live) {
  std::uint64_t depth = 0;
  for (Open& o : open_) {
    if (update(o, step, covenant_at, l1, live)) BASALT_TRY(index_.put_settlement(o.record));
    if (o.acceptance.accepted_in) depth = o.acceptance.depth;
    if (o.record.status != SettlementStatus::kConfirmed) continue;
    ++confirmed_;
    settled_confirmed_ = std::max(settled_confirmed_, o.record.last_batch);
  }
  metrics_.set("basalt_settlement_confirmation_depth", static_cast<double>(depth));
  std::erase_if(open_, [](const Open& o) { return is_final(o.record.status); });
  executed_at_.erase(executed_at_.begin(), executed_at_.upper_bound(settled_confirmed_));
  return core::Status::Ok();
}

}  // namespace basalt::node
