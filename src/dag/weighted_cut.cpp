#include "dag/weighted_cut.hpp"

#include <algorithm>
#include <map>

#include "dag/detail/flow.hpp"

namespace basalt::dag {

using detail::FlowNetwork;
using detail::kInf;

namespace {
constexpr std::int64_t kMaxCost = 1 << 20;
}  // namespace

core::Result<WeightedCut> min_weighted_cut(const ComputationDag& g, const WeightedQuery& q,
                                           Ratio mu) {
  if (mu.den <= 0 || mu.num < 0)
    return core::Error{core::ErrorCode::kOutOfRange, "mu must be a non-negative fraction"};
  const std::size_t n = g.vertex_count();
  if (q.witness_cost.size() < n || q.gas.size() < g.transaction_count()) {
    return core::Error{core::ErrorCode::kOutOfRange,
                       "a cost for every vertex and transaction is needed"};
  }
  VertexSet is_created(n);
  for (VertexId w : q.created) is_created.insert(w);
  auto known = [&](VertexId v) {
    return q.known.contains(v) || g.vertex(v).writer == kGenesisWriter;
  };
  // The vertices reachable backward from W_x through unknown data.
  std::vector<bool> reach(n, false);
  std::vector<VertexId> stack(q.created.begin(), q.created.end());
  for (VertexId w : q.created) reach[w] = true;
  while (!stack.empty()) {
    VertexId v = stack.back();
    stack.pop_back();
    if (known(v) && !is_created.contains(v)) continue;
    for (VertexId u : g.depends_on(v)) {
      if (!reach[u]) {
        reach[u] = true;
        stack.push_back(u);
      }
    }
  }
  // Nodes: s = 0, t = 1, then v_in / v_out per reached vertex, then one node per writer.
  std::vector<std::size_t> in(n, 0), out(n, 0);
  std::map<TxIndex, std::size_t> tx_node;
  std::size_t next = 2;
  for (VertexId v = 0; v < n; ++v) {
    if (!reach[v]) continue;
    in[v] = next++;
    out[v] = next++;
    const TxIndex w = g.vertex(v).writer;
    if (!known(v) && !is_created.contains(v) && !tx_node.count(w)) tx_node[w] = next++;
  }
  FlowNetwork net(next);
  auto capped = [](std::int64_t a, std::int64_t b) -> std::int64_t {
    return a > kMaxCost || b > kMaxCost * kMaxCost ? -1 : a * b;
  };
  for (VertexId v = 0; v < n; ++v) {
    if (!reach[v]) continue;
    if (is_created.contains(v)) {
      net.add_edge(0, out[v], kInf);
    } else if (known(v)) {
      continue;  // known data: only v_in, no way onwards
    } else {
      std::int64_t cap = kInf;
      if (q.proven.contains(v)) {
        cap = capped(q.witness_cost[v], mu.den);
        if (cap < 0) return core::Error{core::ErrorCode::kOutOfRange, "witness cost too large"};
      }
      net.add_edge(in[v], out[v], cap);
      net.add_edge(out[v], tx_node.at(g.vertex(v).writer), kInf);
      continue;
    }
    for (VertexId u : g.depends_on(v)) net.add_edge(out[v], in[u], kInf);
  }
  for (const auto& [tx, node] : tx_node) {
    // Executing a transaction needs all its inputs: those of any vertex it created.
    VertexId any = g.transaction(tx).created.front();
    for (VertexId u : g.depends_on(any)) net.add_edge(node, in[u], kInf);
    std::int64_t cap = kInf;
    if (!std::binary_search(q.unexecutable.begin(), q.unexecutable.end(), tx)) {
      cap = capped(q.gas[tx], mu.num);
      if (cap < 0) return core::Error{core::ErrorCode::kOutOfRange, "gas or mu too large"};
    }
    net.add_edge(node, 1, cap);
  }
  if (net.max_flow(0, 1) >= kInf) {
    return core::Error{core::ErrorCode::kInvalid,
                       "inadmissible: needs data below the pruning point (no witness set avoids "
                       "unavailable data)"};
  }
  const std::vector<bool> s_side = net.residual_reachable(0);
  WeightedCut cut;
  for (VertexId v = 0; v < n; ++v) {
    if (reach[v] && !known(v) && !is_created.contains(v) && s_side[in[v]] && !s_side[out[v]]) {
      cut.witnesses.push_back(v);
      cut.witness_cost += q.witness_cost[v];
    }
  }
  for (const auto& [tx, node] : tx_node) {
    if (s_side[node]) {
      cut.executed.push_back(tx);
      cut.gas += q.gas[tx];
    }
  }
  return cut;
}

core::Result<std::vector<WeightedCut>> tradeoff_frontier(const ComputationDag& g,
                                                         const WeightedQuery& q) {
  // μ = 0: gas is free, so the fewest witnesses; a μ above every possible witness cost: the least
  // gas.
  BASALT_ASSIGN_OR_RETURN(auto lo, min_weighted_cut(g, q, {0, 1}));
  std::int64_t all_witness_cost = 1;
  for (VertexId v = 0; v < g.vertex_count(); ++v) {
    if (q.proven.contains(v)) all_witness_cost += q.witness_cost[v];
  }
  BASALT_ASSIGN_OR_RETURN(auto hi,
                          min_weighted_cut(g, q, {std::min(all_witness_cost, kMaxCost), 1}));
  std::vector<WeightedCut> points = {lo};
  if (hi.gas < lo.gas) {
    // Eisner-Severance: between two hull points a and b, the μ at which they cost the same either
    // finds a point strictly below the segment or proves there is none.
    std::vector<std::pair<WeightedCut, WeightedCut>> todo = {{lo, hi}};
    std::vector<WeightedCut> found = {hi};
    while (!todo.empty()) {
      auto [a, b] = todo.back();
      todo.pop_back();
      Ratio mu{b.witness_cost - a.witness_cost, a.gas - b.gas};
      BASALT_ASSIGN_OR_RETURN(auto c, min_weighted_cut(g, q, mu));
      const std::int64_t jc = c.witness_cost * mu.den + mu.num * c.gas;
      const std::int64_t ja = a.witness_cost * mu.den + mu.num * a.gas;
      if (jc < ja && c.gas < a.gas && c.gas > b.gas) {
        found.push_back(c);
        todo.emplace_back(a, c);
        todo.emplace_back(c, b);
      }
    }
    points.insert(points.end(), found.begin(), found.end());
  }
  std::sort(points.begin(), points.end(), [](const WeightedCut& x, const WeightedCut& y) {
    return x.witness_cost < y.witness_cost;
  });
  return points;
}

}  // namespace basalt::dag
