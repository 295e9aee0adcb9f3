#include "node/metrics.hpp"

#include <cmath>
#include <sstream>

namespace basalt::node {

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = type;
  f.help = help;
}

void Metrics::add(const std::string& name, double v, const std::string& labels) {
  std::lock_guard lock(mutex_);
  families_[name].values[labels] += v;
}

void Metrics::set(const std::string& name, double v, const std::string& labels) {
  std::lock_guard lock(mutex_);
  families_[name].values[labels] = v;
}

double Metrics::get(const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto v = f->second.values.find(labels);
  return v == f->second.values.end() ? 0 : v->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out.precision(17);
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out << "# HELP " << name << " " << f.help << "\n";
    if (!f.type.empty()) out << "# TYPE " << name << " " << f.type << "\n";
    for (const auto& [labels, v] : f.values) {
      out << name;
      if (!labels.empty()) out << "{" << labels << "}";
      out << " ";
      if (v == std::floor(v) && std::fabs(v) < 1e15) {
        out << static_cast<long long>(v);
      } else {
        out << v;
      }
      out << "\n";
    }
  }
  return out.str();
}

std::string label_value(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void describe_node_metrics(Metrics& m) {
  m.describe("basalt_tx_total", "counter",
             "Lane transactions executed, by result (re-executions after a reorg count "
             "again).");
  m.describe("basalt_tx_failed_total", "counter", "Failed lane transactions, by reason.");
  m.describe("basalt_tx_per_second", "gauge",
             "Lane transactions executed per second over the last 10 seconds.");
  m.describe("basalt_batches_total", "counter", "Batches executed.");
  m.describe("basalt_batch", "gauge", "The last batch of each stage.");
  m.describe("basalt_stage_lag_batches", "gauge",
             "Batches a stage is behind the followed L1 chain.");
  m.describe("basalt_proof_queue_depth", "gauge", "Batches waiting for the prover.");
  m.describe("basalt_receipts_total", "counter",
             "Receipts made, by kind (re-execution receipts: not succinct, not "
             "zero-knowledge).");
  m.describe("basalt_settlements_total", "counter",
             "Settlements, by what became of them (submitted, bumped, accepted, "
             "unaccepted, confirmed, refused, superseded).");
  m.describe("basalt_settlement_confirmation_depth", "gauge",
             "Chain blocks on the block that accepted the newest accepted settlement.");
  m.describe("basalt_settlement_latency_seconds", "gauge",
             "From the execution of a settlement's last batch to its confirmation, for "
             "the newest confirmed settlement.");
  m.describe("basalt_reorgs_total", "counter", "Reorgs that undid executed batches.");
  m.describe("basalt_reorg_depth_max", "gauge", "The deepest such reorg, in batches.");
  m.describe("basalt_rolled_back_batches_total", "counter", "Batches undone by reorgs.");
  m.describe("basalt_submissions_total", "counter",
             "Transactions submitted through the API, by result.");
  m.describe("basalt_submissions_refused_by_l1_total", "counter",
             "Submissions the node accepted that L1 then refused (the reason is served "
             "at GET /v1/txs/{id}).");
  m.describe("basalt_l1_blue_score", "gauge", "Blue score of the followed L1 tip.");
  m.describe("basalt_l1_lag_blue_score", "gauge",
             "Blue score between L1's tip and the followed chain block while the node catches "
             "up (0 once it has caught up).");
  m.describe("basalt_l1_errors_total", "counter",
             "Steps in which L1 could not be followed (unreachable, or an answer refused).");
  m.describe("basalt_l1_mempool_transactions", "gauge", "Transactions in the L1 mempool.");
  m.describe("basalt_db_bytes", "gauge", "Bytes on disk, by database.");
  m.describe("basalt_unproven_batches", "gauge",
             "Batches that will never get receipts (committed unproven, then lost to a "
             "restart beyond the rollback window).");
  m.set("basalt_proof_queue_depth", 0);
  m.set("basalt_settlement_confirmation_depth", 0);
  m.set("basalt_reorgs_total", 0);
  m.set("basalt_unproven_batches", 0);
}

}  // namespace basalt::node
