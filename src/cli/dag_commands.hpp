// `basalt dag scope|cut FILE` (a DAG and a query in JSON, format in docs/dag.md) and
// `basalt bench dag`.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "dag/weighted_cut.hpp"

namespace basalt::cli {

struct DagCutOptions {
  std::optional<dag::Ratio> mu;  // weighted cut at this exchange rate
  bool frontier = false;         // every point of the witness-cost / gas trade-off
};

// Exit status: 0 done, 1 the query is inadmissible, 2 the file cannot be read or is malformed
// (including unknown vertices or transactions, and costs too large to compute with exactly).
int dag_scope(const std::string& path, std::ostream& out);
int dag_cut(const std::string& path, const DagCutOptions& options, std::ostream& out);
// The same on the file's contents.
int dag_scope_json(const std::string& json, std::ostream& out);
int dag_cut_json(const std::string& json, const DagCutOptions& options, std::ostream& out);
int bench_dag(std::ostream& out);

}  // namespace basalt::cli
