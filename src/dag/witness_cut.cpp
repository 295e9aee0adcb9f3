#include "dag/witness_cut.hpp"

#include "dag/detail/flow.hpp"

#include <algorithm>
#include <deque>
#include <limits>

namespace basalt::dag {

using detail::FlowNetwork;
using detail::kInf;

bool covers(const ComputationDag& g, const CutQuery& q, const VertexSet& c) {
  VertexSet seen(g.vertex_count());
  std::vector<VertexId> stack;
  for (VertexId w : q.created) {
    if (q.witnesses.contains(w)) return false;
    seen.insert(w);
    stack.push_back(w);
  }
  while (!stack.empty()) {
    VertexId v = stack.back();
    stack.pop_back();
    // Known data ends a traversal (the created vertices are the starting points, not known data).
    if (q.known.contains(v) && std::find(q.created.begin(), q.created.end(), v) == q.created.end())
      continue;
    for (VertexId u : g.depends_on(v)) {
      if (seen.contains(u) || c.contains(u)) continue;
      if (q.witnesses.contains(u)) return false;
      seen.insert(u);
      stack.push_back(u);
    }
  }
  return true;
}

core::Result<WitnessCut> min_witness_cut(const ComputationDag& g, const CutQuery& q) {
  const std::size_t n = g.vertex_count();
  VertexSet is_created(n);
  for (VertexId w : q.created) is_created.insert(w);
  // V' = desc(W_x) ∩ anc(F_x): forward from W (known vertices do not continue), then backward from
  // F.
  std::vector<bool> desc(n, false);
  std::vector<std::vector<VertexId>> back(n);
  std::vector<VertexId> stack(q.created.begin(), q.created.end());
  for (VertexId w : q.created) desc[w] = true;
  while (!stack.empty()) {
    VertexId v = stack.back();
    stack.pop_back();
    if (q.known.contains(v) && !is_created.contains(v)) continue;
    for (VertexId u : g.depends_on(v)) {
      back[u].push_back(v);
      if (!desc[u]) {
        desc[u] = true;
        stack.push_back(u);
      }
    }
  }
  std::vector<bool> on_path(n, false);
  for (VertexId v = 0; v < n; ++v) {
    if (desc[v] && q.witnesses.contains(v) && !on_path[v]) {
      on_path[v] = true;
      stack.push_back(v);
    }
  }
  while (!stack.empty()) {
    VertexId u = stack.back();
    stack.pop_back();
    for (VertexId v : back[u]) {
      if (!on_path[v]) {
        on_path[v] = true;
        stack.push_back(v);
      }
    }
  }
  // Network: s = 0, t = 1, v_in = 2 + 2k, v_out = 3 + 2k for the k-th vertex of V'.
  std::vector<std::size_t> slot(n, SIZE_MAX);
  std::vector<VertexId> members;
  for (VertexId v = 0; v < n; ++v) {
    if (on_path[v]) {
      slot[v] = members.size();
      members.push_back(v);
    }
  }
  FlowNetwork net(2 + 2 * members.size());
  auto in = [&](VertexId v) { return 2 + 2 * slot[v]; };
  auto out = [&](VertexId v) { return 3 + 2 * slot[v]; };
  for (VertexId v : members) {
    const bool cuttable = q.proven.contains(v) && !is_created.contains(v);
    net.add_edge(in(v), out(v), cuttable ? 1 : kInf);
    if (is_created.contains(v)) net.add_edge(0, out(v), kInf);
    if (q.witnesses.contains(v)) net.add_edge(out(v), 1, kInf);
    if (q.known.contains(v) && !is_created.contains(v)) continue;
    for (VertexId u : g.depends_on(v)) {
      if (on_path[u]) net.add_edge(out(v), in(u), kInf);
    }
  }
  if (net.max_flow(0, 1) >= kInf) {
    return core::Error{
        core::ErrorCode::kInvalid,
        "inadmissible: needs data below the pruning point (no witness cut inside the proven set)"};
  }
  const std::vector<bool> source_side = net.residual_reachable(0);
  WitnessCut result;
  VertexSet stop(n);
  for (VertexId v : members) {
    if (source_side[in(v)] && !source_side[out(v)]) {
      result.cut.push_back(v);
      stop.insert(v);
    }
  }
  for (VertexId v = 0; v < n; ++v) {
    if (q.known.contains(v)) stop.insert(v);
  }
  result.scope = scope(g, q.created, stop);
  return result;
}

}  // namespace basalt::dag
