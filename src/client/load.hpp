// A load of concurrent users against a node's API (the README's main job, the API tests): each user
// funds its lane transactions from its own L1 output, sends a share of deliberately invalid ones
// (refused by L1, or failing in the app with a reason), follows each to executed and counts every
// outcome against its intent; at the end the node's status and settlements are read.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace basalt::client {

struct LoadOptions {
  std::string api;
  std::string funding_key_file;
  std::uint32_t users = 32;  // concurrent clients, each with its own L1 output
  double seconds = 30;       // how long to keep submitting (at most, with until_settled)
  // Stop submitting once the node has confirmed this many settlements (0: run for `seconds`).
  std::uint64_t until_settled = 0;
  std::uint64_t max_txs = 0;  // stop after this many submissions (0: no limit)
  std::uint32_t invalid_permille = 100;
  std::uint64_t seed = 1;
  double settle_timeout_s = 60;  // how long to wait for the last submissions to execute
  double progress_every_s = 0;   // print the node's pipeline this often (0: never)
  std::string label;             // prefix of progress lines
};

struct LoadReport {
  std::uint64_t submitted = 0;
  std::uint64_t rejected_as_intended = 0;  // invalid L1 spends the node refused
  std::uint64_t executed_ok = 0;
  std::uint64_t failed_as_intended = 0;  // invalid app operations that failed with a reason
  std::uint64_t unexpected = 0;          // any outcome other than the intended one
  std::uint64_t lost = 0;                // accepted but not executed before the timeout
  std::uint64_t refused_by_l1 = 0;  // accepted, then refused by L1 (the node serves the reason)
  std::uint64_t resubmissions = 0;  // the same transaction again after a failed connection
  std::uint64_t http_errors = 0;
  std::uint64_t reorg_waits = 0;    // a user's output vanished in a reorg until its tx came back
  std::vector<double> submit_ms;    // per request
  std::vector<double> executed_ms;  // submission to executed
  double seconds = 0;
  std::map<std::string, std::uint64_t> failure_reasons;
  nlohmann::json node_status;  // /v1/status once everything accepted was proven (or timed out)
  // /v1/settlements then (newest 100), the confirmed ones with exit_count and exit_total
  nlohmann::json settlements;
  bool settled_target_missed = false;  // until_settled was not reached within `seconds`

  // Adds another user's counts.
  void merge(const LoadReport& other);
};

// Runs the users, printing the node's pipeline to `log` every progress_every_s; at the end waits
// (up to settle_timeout_s) for the node to prove what it executed and reads its final status.
// Errors: kInvalid for bad options, an app other than counter or token, or too few funding outputs;
// those of the node's API at the start.
core::Result<LoadReport> run_load(const LoadOptions& o, std::ostream& log);
// One line: L1 step, batches per stage, lag, mempool, reorgs.
std::string pipeline_line(const nlohmann::json& status);
nlohmann::json load_report_json(const LoadReport& r);
// The value below which a share `p` of `v` lies (0 for none).
double percentile(std::vector<double> v, double p);

}  // namespace basalt::client
