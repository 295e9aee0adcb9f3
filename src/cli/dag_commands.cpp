#include "cli/dag_commands.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <random>

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

std::vector<dag::AccountId> accounts(const Json& j, const char* field) {
  std::vector<dag::AccountId> out;
  for (const auto& a : j.at(field)) out.push_back({a.get<std::uint32_t>()});
  return out;
}

// Errors come back as a message; the caller prints it and exits with 2.
std::optional<std::string> load(const std::string& json, Loaded& l) {
  try {
    l.doc = Json::parse(json);
    auto add = [&](const Json& t) -> std::optional<std::string> {
      auto r =
          l.g.add(t.at("round").get<std::uint64_t>(), accounts(t, "reads"), accounts(t, "writes"));
      if (!r.ok()) return r.error().to_string();
      l.query = *r;
      return std::nullopt;
    };
    for (const auto& t : l.doc.at("transactions")) {
      if (auto e = add(t)) return "transaction: " + *e;
    }
    if (auto e = add(l.doc.at("query"))) return "query: " + *e;
  } catch (const Json::exception& e) {
    return std::string("malformed file: ") + e.what();
  }
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
  std::ifstream f(path);
  if (!f) {
    out << "basalt: cannot read " << path << "\n";
    return std::nullopt;
  }
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
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
  try {
    if (l.doc.contains("witness_cost")) {
      for (const auto& [name, c] : l.doc.at("witness_cost").items()) {
        auto it = l.by_name.find(name);
        if (it == l.by_name.end()) {
          out << "basalt: witness_cost: no vertex " << name << "\n";
          return 2;
        }
        omega[it->second] = c.get<std::int64_t>();
      }
    }
    if (l.doc.contains("gas")) {
      for (const auto& [tx, c] : l.doc.at("gas").items()) {
        const auto i = std::stoul(tx);
        if (i >= gas.size()) {
          out << "basalt: gas: no transaction " << tx << "\n";
          return 2;
        }
        gas[i] = c.get<std::int64_t>();
      }
    }
    if (l.doc.contains("unexecutable")) {
      for (const auto& t : l.doc.at("unexecutable")) {
        const auto i = t.get<dag::TxIndex>();
        if (i >= l.g.transaction_count()) {
          out << "basalt: unexecutable: no transaction " << i << "\n";
          return 2;
        }
        unexecutable.push_back(i);
      }
      std::sort(unexecutable.begin(), unexecutable.end());
    }
  } catch (const std::exception& e) {
    out << "basalt: malformed costs: " << e.what() << "\n";
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
