// Sequenced vProg history with the pruning-safety rules of shared/spec/computation-dag-and-da.md
// §2.8: proofs per vProg, the discard predicate R2 (pruning point, Δ, optional Γ) with sticky
// availability, and admissibility R1/R4. Every decision is a function of the sequenced history
// alone (§2.9 A4): what a node happens to cache changes what it must fetch, never what it decides.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dag/commitment.hpp"
#include "dag/graph.hpp"

namespace basalt::dag {

struct ProgramId {
  std::uint32_t v = 0;
  auto operator<=>(const ProgramId&) const = default;
};

struct DiscardParams {
  std::uint64_t delta = 500;  // Δ: discard when T(v) < T'_owner - Δ
  std::optional<std::uint64_t> gamma =
      50;  // Γ: keep vertices read within this many rounds; nullopt disables
};

enum class Verdict : std::uint8_t {
  kAdmissible,
  kNeedsPrunedData,     // R1: the scope reaches a vertex at or below the pruning point
  kNeedsDiscardedData,  // R4: the scope reaches a vertex discarded under Δ/Γ
  kScopeOverLimit,      // the scope is larger than the caller's limit (it could not pay for it, R7)
};
const char* verdict_name(Verdict v);

struct Admission {
  Verdict verdict = Verdict::kAdmissible;
  std::vector<VertexId> scope;
  std::vector<VertexId>
      to_fetch;  // scope vertices the evaluating node does not hold (cache-dependent)
};

class History {
 public:
  explicit History(DiscardParams params) : params_(params) {}

  // Declares a vProg and the accounts it owns. Errors: kInvalid when an account already has an
  // owner.
  core::Status add_program(ProgramId p, const std::vector<AccountId>& accounts);
  // Sequences a transaction accepted in the current round; its reads (the latest versions and its
  // scope) count as reads from the next round on (A4).
  core::Result<TxIndex> accept(std::vector<AccountId> reads, std::vector<AccountId> writes,
                               const std::vector<VertexId>& scope_read = {});
  // A proof of vProg p covering every operation up to round `covers_round`, in a finalized chain
  // block (A3: only finalized proofs count for Δ).
  void add_finalized_proof(ProgramId p, std::uint64_t covers_round);
  // The same for a proof that carries its state-history commitment (covering its rounds up to
  // c.last_round): later, witnesses for the states it covers can be checked against it.
  void add_finalized_proof(ProgramId p, const HistoryCommitment& c);
  // R3: a witness for an account's state at some round is valid only against the commitment of a
  // finalized proof of the account's owner covering that round. Errors: kNotFound (no owner, or
  // no such proof), kVerifyFailed.
  core::Status check_witness(const StateWitness& w) const;
  // Moves to round R with pruning point round PP(R), applying R2. Requires: R and PP never
  // decrease.
  void advance(std::uint64_t round, std::uint64_t pruning_point_round);

  // avail(v, R): never discardable at any round so far. Genesis vertices (never-written accounts)
  // hold the default state everyone knows and stay available.
  bool available(VertexId v) const {
    return g_.vertex(v).writer == kGenesisWriter || !gone_.contains(v);
  }
  std::uint64_t round() const { return round_; }
  std::uint64_t pruning_point_round() const { return pp_; }
  const ComputationDag& dag() const { return g_; }
  std::optional<ProgramId> owner(AccountId a) const;
  // Written vertices still available, and written vertices discarded so far.
  std::size_t stored() const { return alive_.size(); }
  std::size_t discarded() const;

  // R1/R4 for a transaction reading `reads` (not yet sequenced) with witnesses `witnessed`,
  // executed by p at the current round: its scope starts at the latest versions of the accounts it
  // reads. The known set is canonical (p's own current account versions); `cache` only decides
  // to_fetch.
  // The traversal stops at the first vertex that decides a rejection, or after max_scope vertices
  // (kScopeOverLimit); a rejected admission's scope is what was visited until then.
  Admission admit(ProgramId p, const std::vector<AccountId>& reads, const VertexSet& witnessed,
                  const VertexSet& cache, std::size_t max_scope = SIZE_MAX) const;
  // Membership in the canonical K_p(R): v is the latest version of an account p owns.
  bool known_to(ProgramId p, VertexId v) const;

 private:
  bool discardable(VertexId v) const;

  DiscardParams params_;
  ComputationDag g_;
  std::map<AccountId, ProgramId> owner_;
  std::map<ProgramId, std::uint64_t> proven_round_;  // T'_p from finalized proofs
  std::map<ProgramId, std::vector<HistoryCommitment>> commitments_;
  std::vector<std::uint64_t> last_read_;  // per vertex; effective from the next round
  std::vector<bool> read_ever_;
  VertexSet gone_;
  std::vector<VertexId> alive_;
  mutable std::vector<bool> mark_;  // admit() scratch, all false between calls  // written vertices
                                    // not yet discarded: advance() visits only these
  std::uint64_t round_ = 0;
  std::uint64_t pp_ = 0;
};

}  // namespace basalt::dag
