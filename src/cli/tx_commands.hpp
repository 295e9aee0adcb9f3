// `basalt tx build | submit | status | load`: lane transactions for a node's app, built and signed
// on the client (app operation, access list, funded and Schnorr-signed L1 input, src/client) and
// sent through the node's HTTP API; `load` runs client::run_load (the README's main job, the API
// load test) and prints its report.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "client/load.hpp"
#include "exec/abi.hpp"

namespace basalt::cli {

struct TxBuildOptions {
  std::string api;
  std::string funding_key_file;
  std::optional<std::uint64_t> fee;  // none: kaspad's minimum relay fee for the mass
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
// A declared resource as the flags give it: "<64 hex>[:r|:w]" (w, the default: read and write).
core::Result<exec::AccessEntry> parse_access(const std::string& s);
// Ascending ids, as the lane payload requires.
void sort_accesses(std::vector<exec::AccessEntry>& a);

// Prints the serialized transaction in hex on `out`, its id on `log`. Exit codes: 0, 2 bad options.
int tx_build(const TxBuildOptions& o, std::ostream& out, std::ostream& log);
// Submits hex (or "-": read stdin). 0 accepted, 1 rejected, 2 unreachable or malformed.
int tx_submit(const std::string& api, const std::string& hex, std::ostream& out, std::ostream& log);
// Prints the transaction's result; with `wait_for` ("executed", "committed", "proven") polls until
// it reaches that stage or `timeout_s` passes. 0 when reached (or found), 1 otherwise.
int tx_status(const std::string& api, const std::string& id, const std::string& wait_for,
              double timeout_s, std::ostream& out, std::ostream& log);

struct TxClaimOptions {
  std::string api;
  std::uint64_t settlement = 0;
  std::optional<std::size_t> exit;  // by index, or:
  std::string to;                   // the first unclaimed exit paying this address, or:
  std::string tx;                   // the exit this withdrawal made (its settlement found)
  std::string fee_key_file;
  std::optional<std::uint64_t> fee;  // none: kaspad's minimum relay fee for the mass
  bool build_only = false;           // print the claim in hex instead of submitting it
};
// Claims an exit of a settlement (client::plan_claim, build_claim) and submits it: prints the
// claim's id (or, build_only, its hex). 0 submitted; 1 refused (by the node or L1), no such
// settlement or exit, already claimed, or not claimable yet; 2 bad options or files, a fee key
// without funds, or an unreachable node.
int tx_claim(const TxClaimOptions& o, std::ostream& out, std::ostream& log);

// The load's report for people: outcomes against intents, latencies, the node's settlements.
void print_load_report(const client::LoadReport& r, std::ostream& out);

}  // namespace basalt::cli
