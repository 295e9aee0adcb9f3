#include "dag/simulate.hpp"

#include <algorithm>
#include <random>

#include "dag/history.hpp"

namespace basalt::dag {

std::vector<WindowStats> simulate(const SimulationParams& p) {
  // Δ disabled is Δ larger than any run: the predicate then never fires.
  History h({p.delta.value_or(UINT64_MAX / 2), p.gamma});
  for (std::uint32_t q = 0; q < p.vprogs; ++q) {
    std::vector<AccountId> accounts;
    for (std::uint32_t a = 0; a < p.accounts_per_vprog; ++a)
      accounts.push_back(AccountId{q * p.accounts_per_vprog + a});
    h.add_program(ProgramId{q}, accounts).ignore();  // disjoint by construction
  }
  std::mt19937_64 rng(p.seed);
  std::vector<std::uint64_t> proven_to(p.vprogs, 0);
  std::vector<WindowStats> out;
  WindowStats w;
  std::vector<std::uint64_t> scopes;
  const VertexSet no_cache;
  for (std::uint64_t round = 1; round <= p.rounds; ++round) {
    if (w.first_round == 0) w.first_round = round;
    h.advance(round, round > p.pruning_depth ? round - p.pruning_depth : 0);
    // Staggered proofs: vProg q proves everything up to the previous round every proof_interval
    // rounds.
    for (std::uint32_t q = 0; q < p.vprogs; ++q) {
      if (p.proof_interval > 0 && (round + q) % p.proof_interval == 0) {
        proven_to[q] = round - 1;
        h.add_finalized_proof(ProgramId{q}, round - 1);
      }
    }
    for (std::uint32_t i = 0; i < p.tx_per_round; ++i) {
      const std::uint32_t exec = static_cast<std::uint32_t>(rng() % p.vprogs);
      const AccountId own{exec * p.accounts_per_vprog +
                          static_cast<std::uint32_t>(rng() % p.accounts_per_vprog)};
      std::vector<AccountId> reads = {own};
      std::optional<AccountId> foreign;
      if (p.vprogs > 1 && rng() % 1000 < p.cross_read_permille) {
        std::uint32_t other = static_cast<std::uint32_t>(rng() % (p.vprogs - 1));
        if (other >= exec) ++other;
        foreign = AccountId{other * p.accounts_per_vprog +
                            static_cast<std::uint32_t>(rng() % p.accounts_per_vprog)};
        reads.push_back(*foreign);
        std::sort(reads.begin(), reads.end());
      }
      // A builder witnesses what the owners' proofs cover (§2.3): cheaper than executing their
      // history. For a foreign read it walks back from the latest version and witnesses the first
      // proven vertex on every path (the newest proven ancestors), stopping at the executor's own
      // known data; when nothing on a path is proven, admission sees that path unwitnessed.
      VertexSet witnessed;
      std::uint64_t witnesses = 0;
      if (foreign) {
        if (auto v = h.dag().latest_version(*foreign)) {
          std::vector<VertexId> stack = {*v};
          VertexSet seen;
          std::size_t visited = 0;
          while (!stack.empty() && visited < p.max_scope) {
            const VertexId u = stack.back();
            stack.pop_back();
            if (seen.contains(u) || h.known_to(ProgramId{exec}, u)) continue;
            seen.insert(u);
            ++visited;
            const Vertex& x = h.dag().vertex(u);
            if (x.writer == kGenesisWriter) continue;
            if (x.round <= proven_to[x.account.v / p.accounts_per_vprog]) {
              witnessed.insert(u);
              ++witnesses;
              continue;
            }
            for (VertexId d : h.dag().depends_on(u)) stack.push_back(d);
          }
        }
      }
      Admission a = h.admit(ProgramId{exec}, reads, witnessed, no_cache, p.max_scope);
      if (a.verdict == Verdict::kNeedsPrunedData) {
        ++w.rejected_pruned;
      } else if (a.verdict == Verdict::kNeedsDiscardedData) {
        ++w.rejected_discarded;
      } else if (a.verdict == Verdict::kScopeOverLimit) {
        ++w.rejected_scope;
      } else {
        h.accept(reads, {own}, a.scope).ignore();  // reads are ascending and include the write
        ++w.accepted;
        w.witnesses += witnesses;
        w.scope_sum += a.scope.size();
        scopes.push_back(a.scope.size());
      }
    }
    if (round % p.window == 0 || round == p.rounds) {
      w.last_round = round;
      w.stored = h.stored();
      w.discarded = h.discarded();
      if (!scopes.empty()) {
        std::sort(scopes.begin(), scopes.end());
        w.scope_p99 = scopes[std::min(scopes.size() - 1, scopes.size() * 99 / 100)];
      }
      out.push_back(w);
      w = WindowStats{};
      scopes.clear();
    }
  }
  return out;
}

}  // namespace basalt::dag
