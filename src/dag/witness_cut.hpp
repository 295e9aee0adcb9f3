// Choosing witnesses (shared/spec/computation-dag-and-da.md §2.10): the minimum set C ⊆ Y (proven
// vertices) that meets every path from the created vertices W_x to the current witnesses F_x, by
// max-flow over a vertex-split network. Among all minimum cuts it returns the one with the smallest
// scope: the cut at the inclusion-minimal source side (residual reachability from s).
#pragma once

#include <span>
#include <vector>

#include "dag/graph.hpp"

namespace basalt::dag {

struct CutQuery {
  std::span<const VertexId> created;  // W_x: cannot be witnessed
  const VertexSet& witnesses;         // F_x: the sinks
  const VertexSet& known;             // K_p: known data ends a traversal at no cost
  const VertexSet& proven;            // Y: the vertices a witness may be given for
};

struct WitnessCut {
  std::vector<VertexId> cut;    // C, ascending
  std::vector<VertexId> scope;  // scope_p(x) with stop set C ∪ K_p
};

// Errors: kInvalid "inadmissible: needs data below the pruning point" when no C ⊆ Y meets every
// path (some W_x -> F_x path runs only through unwitnessable vertices).
core::Result<WitnessCut> min_witness_cut(const ComputationDag& g, const CutQuery& q);

// True when C meets every path from W_x to F_x that does not run through known vertices.
bool covers(const ComputationDag& g, const CutQuery& q, const VertexSet& c);

}  // namespace basalt::dag
