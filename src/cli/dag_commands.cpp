#include "cli/dag_commands.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <random>

#include "core/files.hpp"
#include "dag/graph.hpp"
#include "dag/simulate.hpp"
#include "dag/witness_cut.hpp"

namespace basalt::cli {

namespace {

using Json = nlohmann::json;

// A DAG read from a file, with the query transaction added last and vertex names resolved.
struct Loaded {
  dag::ComputationDag g;
  dag::TxIndex query = 0;
  std::map<std::string, dag::VertexId> by_name;
  std::vector<std::string> names;  // by vertex id
  Json doc;
};

constexpr std::uint64_t kMaxFileBytes = 256u << 20;
// JSON's exact integers: a round above this would not survive a round trip through most tools.
constexpr std::uint64_t kMaxRound = (std::uint64_t{1} << 53) - 1;

// A value as the file has it, short, for messages (invalid UTF-8 replaced, never thrown).
std::string shown(const Json& v) {
  std::string s = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

std::optional<std::uint64_t> unsigned_at_most(const Json& v, std::uint64_t max) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > max) return std::nullopt;
  return v.get<std::uint64_t>();
}

// One transaction of the file added to the DAG; an error names the field and what it must be.
std::optional<std::string> add_tx(const Json& t, Loaded& l) {
  if (!t.is_object()) return "expected an object with round, reads and writes, got " + shown(t);
  const Json round = t.value("round", Json());
  const auto r = unsigned_at_most(round, kMaxRound);
  if (!r) return "round must be an integer from 0 to 2^53 - 1, got " + shown(round);
  std::vector<dag::AccountId> sets[2];
  const char* names[2] = {"reads", "writes"};
  for (int i = 0; i < 2; ++i) {
    const Json list = t.value(names[i], Json());
    if (!list.is_array()) return std::string(names[i]) + " must be a list of account numbers";
    for (const Json& a : list) {
      const auto n = unsigned_at_most(a, UINT32_MAX);
      if (!n) {
        return std::string(names[i]) + ": an account is an integer from 0 to 4294967295, got " +
               shown(a);
      }
      sets[i].push_back({static_cast<std::uint32_t>(*n)});
    }
  }
  auto added = l.g.add(*r, std::move(sets[0]), std::move(sets[1]));
  if (!added.ok()) return added.error().to_string();
  l.query = *added;
  return std::nullopt;
}

// Errors come back as a message; the caller prints it and exits with 2.
std::optional<std::string> load(const std::string& json, Loaded& l) {
  l.doc = Json::parse(json, nullptr, false);
  if (l.doc.is_discarded()) return std::string("malformed file: not valid JSON");
  if (!l.doc.is_object() || !l.doc.contains("transactions") || !l.doc["transactions"].is_array() ||
      !l.doc.contains("query")) {
    return std::string("malformed file: expected an object with a transactions list and a query");
  }
  std::size_t i = 0;
  for (const auto& t : l.doc["transactions"]) {
    if (auto e = add_tx(t, l)) return "transaction " + std::to_string(i) + ": " + *e;
    ++i;
  }
  if (auto e = add_tx(l.doc["query"], l)) return "query: " + *e;
  for (dag::VertexId v = 0; v < l.g.vertex_count(); ++v) {
    const dag::Vertex& x = l.g.vertex(v);
    const std::string name = "a" + std::to_string(x.account.v) + "@" +
                             (x.writer == dag::kGenesisWriter ? std::string("genesis")
                                                              : "tx" + std::to_string(x.writer));
    l.names.push_back(name);
    l.by_name[name] = v;
  }
  return std::nullopt;
}

// A set of vertices named in the file (absent field: `fallback`).
std::optional<std::string> vertex_set(const Loaded& l, const char* field, dag::VertexSet& out,
                                      bool all_by_default) {
  out = dag::VertexSet(l.g.vertex_count());
  if (!l.doc.contains(field)) {
    if (all_by_default) {
      for (dag::VertexId v = 0; v < l.g.vertex_count(); ++v) out.insert(v);
    }
    return std::nullopt;
  }
  for (const auto& n : l.doc.at(field)) {
    if (!n.is_string()) return std::string(field) + ": vertex names are strings";
    auto it = l.by_name.find(n.get<std::string>());
    if (it == l.by_name.end()) return std::string(field) + ": no vertex " + n.get<std::string>();
    out.insert(it->second);
  }
  return std::nullopt;
}

void print_vertices(std::ostream& out, const char* label, const Loaded& l,
                    const std::vector<dag::VertexId>& vs) {
  out << label << " (" << vs.size() << "):";
  for (auto v : vs) out << " " << l.names[v];
  out << "\n";
}

void print_txs(std::ostream& out, const char* label, const std::vector<dag::TxIndex>& txs) {
  out << label << " (" << txs.size() << "):";
  for (auto t : txs) out << " tx" << t;
  out << "\n";
}

// The file's contents, or nullopt (with the message printed) when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::ostream& out) {
  auto bytes = core::read_file(path, kMaxFileBytes);
  if (!bytes.ok()) {
    out << "basalt: " << bytes.error().context() << "\n";
    return std::nullopt;
  }
  return std::string(bytes->begin(), bytes->end());
}

// The file's witness_cost (per vertex), gas (per transaction) and unexecutable transactions.
std::optional<std::string> weights(const Loaded& l, std::vector<std::int64_t>& omega,
                                   std::vector<std::int64_t>& gas,
                                   std::vector<dag::TxIndex>& unexecutable) {
  const Json none = Json::object();
  const Json& costs = l.doc.contains("witness_cost") ? l.doc["witness_cost"] : none;
  const Json& gases = l.doc.contains("gas") ? l.doc["gas"] : none;
  if (!costs.is_object()) return std::string("witness_cost: expected an object of vertex names");
  if (!gases.is_object()) return std::string("gas: expected an object of transaction numbers");
  for (const auto& [name, c] : costs.items()) {
    auto it = l.by_name.find(name);
    if (it == l.by_name.end()) return "witness_cost: no vertex " + name;
    if (!c.is_number_integer()) return "witness_cost: " + name + ": expected an integer";
    omega[it->second] = c.get<std::int64_t>();
  }
  for (const auto& [tx, c] : gases.items()) {
    const auto i = unsigned_at_most(Json::parse(tx, nullptr, false), gas.size());
    if (!i || *i >= gas.size()) return "gas: no transaction " + tx;
    if (!c.is_number_integer()) return "gas: " + tx + ": expected an integer";
    gas[*i] = c.get<std::int64_t>();
  }
  if (!l.doc.contains("unexecutable")) return std::nullopt;
  if (!l.doc["unexecutable"].is_array()) return std::string("unexecutable: expected a list");
  for (const auto& t : l.doc["unexecutable"]) {
    const auto i = unsigned_at_most(t, l.g.transaction_count());
    if (!i || *i >= l.g.transaction_count()) return "unexecutable: no transaction " + shown(t);
    unexecutable.push_back(static_cast<dag::TxIndex>(*i));
  }
  std::sort(unexecutable.begin(), unexecutable.end());
  return std::nullopt;
}

}  // namespace

int dag_scope(const std::string& path, std::ostream& out) {
  const auto json = read_file(path, out);
  return json ? dag_scope_json(*json, out) : 2;
}

int dag_cut(const std::string& path, const DagCutOptions& o, std::ostream& out) {
  const auto json = read_file(path, out);
  return json ? dag_cut_json(*json, o, out) : 2;
}

int dag_scope_json(const std::string& json, std::ostream& out) {
  Loaded l;
  if (auto e = load(json, l)) {
    out << "basalt: " << *e << "\n";
    return 2;
  }
  dag::VertexSet known, witnessed;
  if (auto e = vertex_set(l, "known", known, false)) {
    out << "basalt: " << *e << "\n";
    return 2;
  }
  if (auto e = vertex_set(l, "witnessed", witnessed, false)) {
    out << "basalt: " << *e << "\n";
    return 2;
  }
  dag::VertexSet stop = known;
  for (auto v : witnessed.members()) stop.insert(v);
  const auto& created = l.g.transaction(l.query).created;
  const auto sc = dag::scope(l.g, created, stop);
  print_vertices(out, "created", l, created);
  print_vertices(out, "scope", l, sc);
  print_txs(out, "execution set", dag::execution_set(l.g, sc));
  return 0;
}

int dag_cut_json(const std::string& json, const DagCutOptions& o, std::ostream& out) {
  Loaded l;
  if (auto e = load(json, l)) {
    out << "basalt: " << *e << "\n";
    return 2;
  }
  dag::VertexSet known, witnessed, proven;
  for (auto [field, set, all] :
       {std::tuple{"known", &known, false}, std::tuple{"witnessed", &witnessed, false},
        std::tuple{"proven", &proven, true}}) {
    if (auto e = vertex_set(l, field, *set, all)) {
      out << "basalt: " << *e << "\n";
      return 2;
    }
  }
  const auto& created = l.g.transaction(l.query).created;
  print_vertices(out, "created", l, created);
  if (!o.mu && !o.frontier) {
    auto cut = dag::min_witness_cut(l.g, {created, witnessed, known, proven});
    if (!cut.ok()) {
      out << cut.error().context() << "\n";
      return 1;
    }
    print_vertices(out, "witnesses", l, cut->cut);
    print_vertices(out, "scope", l, cut->scope);
    return 0;
  }
  // Weighted: ω per vertex (default 1), g per transaction (default 1).
  std::vector<std::int64_t> omega(l.g.vertex_count(), 1), gas(l.g.transaction_count(), 1);
  std::vector<dag::TxIndex> unexecutable;
  if (auto e = weights(l, omega, gas, unexecutable)) {
    out << "basalt: " << *e << "\n";
    return 2;
  }
  const dag::WeightedQuery q{created, known, proven, omega, gas, unexecutable};
  // Costs out of range are a bad file (2); anything else means no admissible choice (1).
  auto failure = [&](const core::Error& e) {
    const bool bad_input = e.code() == core::ErrorCode::kOutOfRange;
    out << (bad_input ? "basalt: " : "") << e.context() << "\n";
    return bad_input ? 2 : 1;
  };
  auto show = [&](const dag::WeightedCut& c) {
    print_vertices(out, "witnesses", l, c.witnesses);
    print_txs(out, "re-executed", c.executed);
    out << "witness cost " << c.witness_cost << ", gas " << c.gas << "\n";
  };
  if (o.frontier) {
    auto f = dag::tradeoff_frontier(l.g, q);
    if (!f.ok()) return failure(f.error());
    for (std::size_t i = 0; i < f->size(); ++i) {
      out << "-- point " << i + 1 << "\n";
      show((*f)[i]);
    }
    return 0;
  }
  auto c = dag::min_weighted_cut(l.g, q, *o.mu);
  if (!c.ok()) return failure(c.error());
  show(*c);
  return 0;
}

int bench_dag(std::ostream& out) {
  using Clock = std::chrono::steady_clock;
  auto us_since = [](Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  };
  char line[256];
  out << "basalt bench dag: seeded DAGs, 100 transactions per round reading 1-3 of n/8 accounts "
         "and\n"
         "writing 1-2 of them; a query transaction's scope with nothing known (its whole "
         "ancestry)\n"
         "and with the rounds older than 50 known; its minimum witness cut with the rounds older\n"
         "than 200 as sinks (discarded) and those older than 20 witnessable; means over 20 "
         "queries\n";
  out << "vertices   rounds  full scope  full us    scope(50)  us(50)   witnesses  cut ms\n";
  for (std::uint32_t n : {10'000u, 100'000u, 1'000'000u}) {
    std::mt19937_64 rng(n);
    dag::ComputationDag g;
    const std::uint32_t accounts = n / 8;
    std::uint64_t round = 0, in_round = 0;
    auto random_tx = [&](std::uint64_t r) {
      std::vector<dag::AccountId> reads;
      const std::size_t k = 1 + rng() % 3;
      while (reads.size() < k) {
        const dag::AccountId a{static_cast<std::uint32_t>(rng() % accounts)};
        if (std::find(reads.begin(), reads.end(), a) == reads.end()) reads.push_back(a);
      }
      std::sort(reads.begin(), reads.end());
      std::vector<dag::AccountId> writes(reads.begin(), reads.begin() + 1 + (rng() % reads.size()));
      return g.add(r, reads, writes);
    };
    while (g.vertex_count() < n) {
      if (++in_round == 100) in_round = 0, ++round;
      if (!random_tx(round).ok()) return 1;
    }
    dag::VertexSet known(g.vertex_count() + 64), sinks(g.vertex_count() + 64),
        proven(g.vertex_count() + 64);
    for (dag::VertexId v = 0; v < g.vertex_count(); ++v) {
      const std::uint64_t r = g.vertex(v).round;
      if (r + 50 < round) known.insert(v);
      if (r + 200 < round) sinks.insert(v);
      if (r + 20 < round) proven.insert(v);
    }
    double full_us = 0, full_size = 0, scope_us = 0, cut_us = 0, scope_size = 0, witnesses = 0;
    const dag::VertexSet nothing;
    int cuts = 0;
    constexpr int kQueries = 20;
    for (int q = 0; q < kQueries; ++q) {
      auto tx = random_tx(round + 1);
      if (!tx.ok()) return 1;
      const auto& created = g.transaction(*tx).created;
      auto t0 = Clock::now();
      const auto full = dag::scope(g, created, nothing);
      full_us += us_since(t0);
      full_size += static_cast<double>(full.size());
      t0 = Clock::now();
      const auto sc = dag::scope(g, created, known);
      scope_us += us_since(t0);
      scope_size += static_cast<double>(sc.size());
      t0 = Clock::now();
      auto cut = dag::min_witness_cut(g, {created, sinks, nothing, proven});
      cut_us += us_since(t0);
      if (cut.ok()) witnesses += static_cast<double>(cut->cut.size()), ++cuts;
    }
    std::snprintf(line, sizeof line, "%-10zu %-7llu %-11.0f %-10.0f %-10.1f %-8.1f %-10.2f %.2f\n",
                  g.vertex_count(), static_cast<unsigned long long>(round), full_size / kQueries,
                  full_us / kQueries, scope_size / kQueries, scope_us / kQueries,
                  cuts > 0 ? witnesses / cuts : 0.0, cut_us / kQueries / 1000);
    out << line;
  }

  out << "\nstorage over a long run (basalt dag simulate defaults, 20 000 rounds): stored "
         "vertices\n";
  out << "rules                 max stored   at the end   accepted   rejected\n";
  struct Rules {
    const char* name;
    std::optional<std::uint64_t> delta, gamma;
  };
  for (const Rules& r :
       {Rules{"delta 500, gamma 50", 500, 50}, Rules{"delta 500, no gamma", 500, std::nullopt},
        Rules{"pruning point only", std::nullopt, std::nullopt}}) {
    dag::SimulationParams p;
    p.rounds = 20'000;
    p.window = 1000;
    p.delta = r.delta;
    p.gamma = r.gamma;
    std::uint64_t max_stored = 0, accepted = 0, rejected = 0;
    const auto windows = dag::simulate(p);
    for (const auto& w : windows) {
      max_stored = std::max(max_stored, w.stored);
      accepted += w.accepted;
      rejected += w.rejected_pruned + w.rejected_discarded + w.rejected_scope;
    }
    std::snprintf(line, sizeof line, "%-21s %-12llu %-12llu %-10llu %llu\n", r.name,
                  static_cast<unsigned long long>(max_stored),
                  static_cast<unsigned long long>(windows.empty() ? 0 : windows.back().stored),
                  static_cast<unsigned long long>(accepted),
                  static_cast<unsigned long long>(rejected));
    out << line;
  }
  return 0;
}

}  // namespace basalt::cli
