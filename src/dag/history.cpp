#include "dag/history.hpp"

#include <algorithm>

namespace basalt::dag {

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kAdmissible:
      return "admissible";
    case Verdict::kNeedsPrunedData:
      return "inadmissible: needs data below the pruning point";
    case Verdict::kNeedsDiscardedData:
      return "inadmissible: needs data discarded under the delta/gamma rules";
    case Verdict::kScopeOverLimit:
      return "rejected: scope over the limit";
  }
  return "unknown";
}

core::Status History::add_program(ProgramId p, const std::vector<AccountId>& accounts) {
  for (const auto& a : accounts) {
    if (owner_.count(a))
      return core::Error{core::ErrorCode::kInvalid, "account already owned by another vProg"};
  }
  for (const auto& a : accounts) owner_[a] = p;
  return core::Status::Ok();
}

std::optional<ProgramId> History::owner(AccountId a) const {
  auto it = owner_.find(a);
  if (it == owner_.end()) return std::nullopt;
  return it->second;
}

core::Result<TxIndex> History::accept(std::vector<AccountId> reads, std::vector<AccountId> writes,
                                      const std::vector<VertexId>& scope_read) {
  std::vector<VertexId> inputs;
  for (const auto& a : reads) inputs.push_back(g_.latest(a));
  BASALT_ASSIGN_OR_RETURN(auto tx, g_.add(round_, std::move(reads), std::move(writes)));
  for (VertexId v : g_.transaction(tx).created) alive_.push_back(v);
  last_read_.resize(g_.vertex_count(), 0);
  read_ever_.resize(g_.vertex_count(), false);
  // A4/A5: what entered execution counts as read at this round (effective for decisions later).
  for (VertexId v : inputs) last_read_[v] = round_, read_ever_[v] = true;
  for (VertexId v : scope_read) last_read_[v] = round_, read_ever_[v] = true;
  return tx;
}

void History::add_finalized_proof(ProgramId p, std::uint64_t covers_round) {
  auto& r = proven_round_[p];
  r = std::max(r, covers_round);
}

void History::add_finalized_proof(ProgramId p, const HistoryCommitment& c) {
  commitments_[p].push_back(c);
  add_finalized_proof(p, c.last_round);
}

core::Status History::check_witness(const StateWitness& w) const {
  const auto own = owner(w.state.account);
  if (!own) return core::Error{core::ErrorCode::kNotFound, "witness: the account has no owner"};
  auto it = commitments_.find(*own);
  if (it != commitments_.end()) {
    for (const auto& c : it->second) {
      if (c.first_round <= w.round && w.round <= c.last_round) return verify_witness(c, w);
    }
  }
  return core::Error{
      core::ErrorCode::kNotFound,
      "witness: no finalized proof of the owner covers round " + std::to_string(w.round)};
}

bool History::discardable(VertexId v) const {
  const Vertex& x = g_.vertex(v);
  if (x.writer == kGenesisWriter) return false;
  if (x.round <= pp_) return true;  // rule P
  auto own = owner(x.account);
  if (!own) return false;
  auto it = proven_round_.find(*own);
  if (it == proven_round_.end() || it->second < params_.delta) return false;
  // Δ (strict, A6): T(v) < T'_owner - Δ.
  if (!(x.round < it->second - params_.delta)) return false;
  if (!params_.gamma) return true;
  // Γ: a read at round r protects v while r >= R - Γ. Reads take effect from the next round (A4).
  const bool read = v < read_ever_.size() && read_ever_[v] && last_read_[v] < round_;
  if (!read) return true;
  return last_read_[v] + *params_.gamma < round_;
}

void History::advance(std::uint64_t round, std::uint64_t pruning_point_round) {
  round_ = std::max(round_, round);
  pp_ = std::max(pp_, pruning_point_round);
  std::size_t kept = 0;
  for (VertexId v : alive_) {
    if (discardable(v)) {
      gone_.insert(v);  // sticky: never comes back
    } else {
      alive_[kept++] = v;
    }
  }
  alive_.resize(kept);
}

std::size_t History::discarded() const {
  std::size_t written = 0;
  for (TxIndex t = 0; t < g_.transaction_count(); ++t) written += g_.transaction(t).created.size();
  return written - alive_.size();
}

bool History::known_to(ProgramId p, VertexId v) const {
  const AccountId a = g_.vertex(v).account;
  auto o = owner(a);
  return o && *o == p && g_.latest_version(a) == v;
}

Admission History::admit(ProgramId p, const std::vector<AccountId>& reads,
                         const VertexSet& witnessed, const VertexSet& cache,
                         std::size_t max_scope) const {
  Admission out;
  mark_.resize(g_.vertex_count(), false);
  std::vector<VertexId> marked;
  std::vector<VertexId> stack;
  // §1.6 with W_x still to be created: its arcs go to the latest versions of the accounts it reads.
  auto visit = [&](VertexId u) {
    if (mark_[u]) return;
    mark_[u] = true;
    marked.push_back(u);
    if (witnessed.contains(u) || known_to(p, u)) return;
    out.scope.push_back(u);
    stack.push_back(u);
    const Vertex& x = g_.vertex(u);
    if (x.writer != kGenesisWriter && x.round <= pp_) {
      out.verdict = Verdict::kNeedsPrunedData;
    } else if (!available(u)) {
      out.verdict = Verdict::kNeedsDiscardedData;
    }
  };
  for (const auto& a : reads) {
    if (auto v = g_.latest_version(a)) visit(*v);
  }
  while (!stack.empty() && out.verdict == Verdict::kAdmissible) {
    if (out.scope.size() > max_scope) {
      out.verdict = Verdict::kScopeOverLimit;
      break;
    }
    VertexId v = stack.back();
    stack.pop_back();
    for (VertexId u : g_.depends_on(v)) visit(u);
  }
  for (VertexId v : marked) mark_[v] = false;
  std::sort(out.scope.begin(), out.scope.end());
  for (VertexId v : out.scope) {
    if (!cache.contains(v)) out.to_fetch.push_back(v);
  }
  return out;
}

}  // namespace basalt::dag
