// `basalt tx build | submit | status | load`: lane transactions for a node's app, built and signed
// on the client (app operation, access list, funded and Schnorr-signed L1 input) and sent through
// the node's HTTP API; `load` is a stream of users (some deliberately invalid) used by the README's
// main job and the API load test.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "crypto/schnorr.hpp"
#include "exec/abi.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"

namespace httplib {
class Client;
}

namespace basalt::cli {

// A JSON client of one node's API ("http://host:port"), keeping its connection open. One thread at
// a time.
class ApiClient {
 public:
  explicit ApiClient(const std::string& url);
  ~ApiClient();
  // The HTTP status and the body as JSON. Errors: kUnavailable when the node cannot be reached,
  // kInvalid when the body is not JSON.
  core::Result<std::pair<int, nlohmann::json>> get(const std::string& path) const;
  core::Result<std::pair<int, nlohmann::json>> post(const std::string& path,
                                                    const nlohmann::json& body) const;
  // GET, the body as bytes (status 200 only). Errors: kNotFound on 404, kUnavailable.
  core::Result<core::Bytes> get_bytes(const std::string& path) const;

 private:
  std::unique_ptr<httplib::Client> client_;
};

// Reads a secret key written as 64 hex digits (surrounding whitespace ignored). Errors: kIo,
// kInvalid.
core::Result<crypto::SecretKey> read_key_file(const std::string& path);

// A lane transaction (v1, on `lane`) carrying `payload`, spending `funding` (a P2PK output of
// `key`) with one change output back to the key, `fee` sompi less, and signed.
kaspa::Transaction build_lane_tx(const kaspa::LaneId& lane, core::Bytes payload,
                                 const kaspa::Outpoint& funding, const kaspa::UtxoEntry& spent,
                                 const crypto::SecretKey& key, std::uint64_t fee);

struct TxBuildOptions {
  std::string api;
  std::string funding_key_file;
  std::uint64_t fee = 2000;
  // The app operation: raw (access list and app data), from a JSON file, or a helper.
  std::vector<std::string> accesses;  // "<64 hex>[:r|:w]"
  std::string data_hex;
  std::string json_file;                 // {"accesses": [{"id": hex, "write": bool}], "data": hex}
  std::optional<std::uint32_t> counter;  // increment counter_resource(i)
  std::string token_op;                  // "mint", "transfer" or "withdraw"
  std::string token_key_file;  // the signer: the authority (mint) or the sender (transfer)
  std::string token_to;        // recipient x-only key (hex); withdraw: its L1 P2PK address
  std::uint64_t token_amount = 0;
  std::uint64_t token_nonce = 0;
};
// Prints the serialized transaction in hex on `out`, its id on `log`. Exit codes: 0, 2 bad options.
int tx_build(const TxBuildOptions& o, std::ostream& out, std::ostream& log);
// Submits hex (or "-": read stdin). 0 accepted, 1 rejected, 2 unreachable or malformed.
int tx_submit(const std::string& api, const std::string& hex, std::ostream& out, std::ostream& log);
// Prints the transaction's result; with `wait_for` ("executed", "committed", "proven") polls until
// it reaches that stage or `timeout_s` passes. 0 when reached (or found), 1 otherwise.
int tx_status(const std::string& api, const std::string& id, const std::string& wait_for,
              double timeout_s, std::ostream& out, std::ostream& log);

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
};
// Runs the users, printing the node's pipeline to `log` every progress_every_s; at the end waits
// (up to settle_timeout_s) for the node to prove what it executed and reads its final status.
core::Result<LoadReport> run_load(const LoadOptions& o, std::ostream& log);
// One line: L1 step, batches per stage, lag, mempool, reorgs.
std::string pipeline_line(const nlohmann::json& status);
void print_load_report(const LoadReport& r, std::ostream& out);
nlohmann::json load_report_json(const LoadReport& r);

}  // namespace basalt::cli
