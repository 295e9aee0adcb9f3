// The weighted witness choice of shared/spec/computation-dag-and-da.md §2.10: minimise
//   J(C) = Σ_{c ∈ C} ω(c) + μ · Σ_{τ ∈ exec(C)} g(τ)
// over witness sets C ⊆ Y, where executing a transaction needs each of its inputs executed or
// witnessed, in one min-cut (project-selection closure). μ is a non-negative fraction; no floating
// point. The trade-off frontier over μ (the lower convex hull of (witness cost, gas) points) comes
// from Eisner-Severance bisection: one max-flow per frontier point.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dag/graph.hpp"

namespace basalt::dag {

struct Ratio {
  std::int64_t num = 0;
  std::int64_t den = 1;  // > 0
};

struct WeightedQuery {
  std::span<const VertexId> created;           // W_x
  const VertexSet& known;                      // K_p (genesis vertices count as known)
  const VertexSet& proven;                     // Y
  std::span<const std::int64_t> witness_cost;  // ω per vertex id
  std::span<const std::int64_t> gas;           // g per transaction index
  std::span<const TxIndex> unexecutable;  // ascending: payload unavailable (R2), never re-executed
};

struct WeightedCut {
  std::vector<VertexId> witnesses;  // ascending
  std::vector<TxIndex> executed;    // ascending; excludes the transaction being admitted
  std::int64_t witness_cost = 0;
  std::int64_t gas = 0;
};

// Errors: kInvalid "inadmissible: …" when every choice would re-execute an unexecutable transaction
// or witness an unprovable vertex; kOutOfRange when costs are too large for exact integer
// arithmetic (each ω and g must be below 2^20, and there may be at most 2^20 of each).
core::Result<WeightedCut> min_weighted_cut(const ComputationDag& g, const WeightedQuery& q,
                                           Ratio mu);

// Every point of the trade-off frontier, by ascending witness cost (descending gas).
core::Result<std::vector<WeightedCut>> tradeoff_frontier(const ComputationDag& g,
                                                         const WeightedQuery& q);

}  // namespace basalt::dag
