// The computation DAG of composable vProgs (shared/spec/computation-dag-and-da.md §1.5): one vertex
// per account version (account, t, round), arcs from every vertex a transaction creates to the
// latest version of every account it reads (newer -> older, "depends on"), plus a genesis vertex
// (a, ⊥) per account first touched without a prior write. Self-contained: no I/O, deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace basalt::dag {

struct AccountId {
  std::uint32_t v = 0;
  auto operator<=>(const AccountId&) const = default;
};

using VertexId = std::uint32_t;
using TxIndex = std::uint32_t;
inline constexpr TxIndex kGenesisWriter = 0xffffffff;

struct Vertex {
  AccountId account;
  std::uint64_t t = 0;      // position in the global operation sequence (0 for genesis)
  std::uint64_t round = 0;  // the accepting chain block's index (§2.9 A1)
  TxIndex writer = kGenesisWriter;
};

struct Transaction {
  std::uint64_t round = 0;
  std::vector<AccountId> reads;   // strictly ascending
  std::vector<AccountId> writes;  // strictly ascending, ⊆ reads (T1)
  std::vector<VertexId> created;  // filled by ComputationDag::add
};

class ComputationDag {
 public:
  // Sequences a transaction. Errors: kInvalid when reads or writes are not strictly ascending, when
  // a write is not also a read (T1), or when the round goes backwards.
  core::Result<TxIndex> add(std::uint64_t round, std::vector<AccountId> reads,
                            std::vector<AccountId> writes);

  const Vertex& vertex(VertexId v) const { return vertices_[v]; }
  std::size_t vertex_count() const { return vertices_.size(); }
  const Transaction& transaction(TxIndex i) const { return txs_[i]; }
  std::size_t transaction_count() const { return txs_.size(); }
  // Arcs from v to the vertices its writer read (older ones).
  std::span<const VertexId> depends_on(VertexId v) const { return arcs_[v]; }
  // The latest version of an account (creating its genesis vertex on first use).
  VertexId latest(AccountId a);
  // The latest version if the account has any vertex yet.
  std::optional<VertexId> latest_version(AccountId a) const;

 private:
  std::vector<Vertex> vertices_;
  std::vector<std::vector<VertexId>> arcs_;
  std::vector<Transaction> txs_;
  std::map<AccountId, VertexId> latest_;
  std::uint64_t t_ = 0;
};

// A set of vertices as a membership bitmap over a DAG's vertex ids.
class VertexSet {
 public:
  explicit VertexSet(std::size_t n = 0) : bits_(n, false) {}
  bool contains(VertexId v) const { return v < bits_.size() && bits_[v]; }
  void insert(VertexId v) {
    if (v >= bits_.size()) bits_.resize(v + 1, false);
    bits_[v] = true;
  }
  std::vector<VertexId> members() const;

 private:
  std::vector<bool> bits_;
};

// scope_p(x) of §1.6: the vertices reachable backward from the created vertices `created` through
// vertices outside `stop` (= witnessed ∪ known), not counting the created vertices themselves, in
// ascending id order.
std::vector<VertexId> scope(const ComputationDag& g, std::span<const VertexId> created,
                            const VertexSet& stop);

// The execution set: the writers of the scope's vertices (genesis vertices have none), ascending.
std::vector<TxIndex> execution_set(const ComputationDag& g,
                                   std::span<const VertexId> scope_vertices);

}  // namespace basalt::dag
