#include "dag/graph.hpp"

#include <algorithm>

namespace basalt::dag {

namespace {
bool strictly_ascending(const std::vector<AccountId>& v) {
  for (std::size_t i = 1; i < v.size(); ++i) {
    if (!(v[i - 1] < v[i])) return false;
  }
  return true;
}
}  // namespace

VertexId ComputationDag::latest(AccountId a) {
  auto it = latest_.find(a);
  if (it != latest_.end()) return it->second;
  vertices_.push_back(Vertex{a, 0, 0, kGenesisWriter});
  arcs_.emplace_back();
  auto id = static_cast<VertexId>(vertices_.size() - 1);
  latest_[a] = id;
  return id;
}

std::optional<VertexId> ComputationDag::latest_version(AccountId a) const {
  auto it = latest_.find(a);
  if (it == latest_.end()) return std::nullopt;
  return it->second;
}

core::Result<TxIndex> ComputationDag::add(std::uint64_t round, std::vector<AccountId> reads,
                                          std::vector<AccountId> writes) {
  if (!strictly_ascending(reads) || !strictly_ascending(writes)) {
    return core::Error{core::ErrorCode::kInvalid, "reads and writes must be strictly ascending"};
  }
  for (const auto& w : writes) {
    if (!std::binary_search(reads.begin(), reads.end(), w)) {
      return core::Error{core::ErrorCode::kInvalid, "T1: a written account must also be read"};
    }
  }
  if (!txs_.empty() && round < txs_.back().round)
    return core::Error{core::ErrorCode::kInvalid, "round goes backwards"};
  // Inputs first: the latest versions before this transaction.
  std::vector<VertexId> inputs;
  inputs.reserve(reads.size());
  for (const auto& a : reads) inputs.push_back(latest(a));
  const auto index = static_cast<TxIndex>(txs_.size());
  const std::uint64_t t = ++t_;
  Transaction tx{round, std::move(reads), std::move(writes), {}};
  for (const auto& a : tx.writes) {
    vertices_.push_back(Vertex{a, t, round, index});
    arcs_.push_back(inputs);
    auto id = static_cast<VertexId>(vertices_.size() - 1);
    tx.created.push_back(id);
    latest_[a] = id;
  }
  txs_.push_back(std::move(tx));
  return index;
}

std::vector<VertexId> VertexSet::members() const {
  std::vector<VertexId> out;
  for (std::size_t i = 0; i < bits_.size(); ++i) {
    if (bits_[i]) out.push_back(static_cast<VertexId>(i));
  }
  return out;
}

std::vector<VertexId> scope(const ComputationDag& g, std::span<const VertexId> created,
                            const VertexSet& stop) {
  VertexSet seen(g.vertex_count());
  std::vector<VertexId> stack(created.begin(), created.end());
  for (VertexId w : created) seen.insert(w);
  std::vector<VertexId> out;
  while (!stack.empty()) {
    VertexId v = stack.back();
    stack.pop_back();
    for (VertexId u : g.depends_on(v)) {
      if (seen.contains(u)) continue;
      seen.insert(u);
      if (stop.contains(u)) continue;  // witnessed or known: the traversal ends here
      out.push_back(u);
      stack.push_back(u);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<TxIndex> execution_set(const ComputationDag& g,
                                   std::span<const VertexId> scope_vertices) {
  std::vector<TxIndex> out;
  for (VertexId v : scope_vertices) {
    if (g.vertex(v).writer != kGenesisWriter) out.push_back(g.vertex(v).writer);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace basalt::dag
