// The node's configuration: a TOML file (docs/config.md lists every key with its default). Parsing
// is strict: an unknown section or key, a value of the wrong type or out of range fails with the
// key's dotted name and the reason, before anything starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "kaspa/network.hpp"

namespace basalt::node {

enum class LogLevel { kError, kWarn, kInfo, kDebug };
const char* log_level_name(LogLevel l);

enum class FeePolicy { kLow, kNormal, kPriority };
const char* fee_policy_name(FeePolicy p);

// Who a node is for its app's data (docs/da.md): the operator settles; a mirror follows the same
// app, executes every batch itself, keeps the lane-activity archive and never settles.
enum class DaRole { kOperator, kMirror };
const char* da_role_name(DaRole r);

struct Config {
  // [node]
  std::string data_dir = "basalt-data";
  LogLevel log_level = LogLevel::kInfo;
  unsigned threads = 0;  // execution workers; 0: the core count
  bool sync = true;      // fsync every commit
  // Stop once at least this many chain blocks are executed and all of them are committed and
  // proven (0: never).
  std::uint64_t stop_after_blocks = 0;
  // Stop once this many settlements are confirmed on L1, counting those before a restart (0:
  // never).
  std::uint64_t stop_after_settlements = 0;

  // Not a file key (`basalt node --rebuild-index`): move the index aside and build a new one from
  // the state store and L1 (Node::open).
  bool rebuild_index = false;

  // [app]
  std::string app = "counter";  // "counter", "token", or a path to a guest ELF
  std::string guest_dir;        // where the built-in guests are; empty: beside the binary

  // [l1]
  std::string l1_source = "sim";  // "sim" (embedded) or "kaspad" (its gRPC protocol at l1_url)
  kaspa::Network l1_network = kaspa::Network::kSimnet;  // names addresses in the API and CLI
  std::string l1_url;  // kaspad's host:port; empty: 127.0.0.1 and the network's gRPC port

  // [sim]
  std::uint64_t sim_seed = 1;
  std::uint64_t block_interval_ms = 100;  // wall time per simulator step; 0: as fast as possible
  std::uint64_t finality_depth = 100;
  std::uint32_t reorg_every = 0;
  std::uint32_t reorg_depth = 3;
  std::uint32_t users_tx_per_block = 0;  // seeded app users beside the API's submissions
  std::uint32_t users_invalid_permille = 50;
  std::uint32_t users_accounts = 1000;
  std::uint32_t users_exit_permille = 20;

  // [prover]
  bool prover_enabled = true;

  // [settle]
  bool settle_enabled = true;      // settles when the prover is enabled too
  std::uint32_t bundle_size = 10;  // batches per aggregate
  std::string settlement_key;      // 64 hex digits; empty: the simulator's faucet key
  FeePolicy fee_policy = FeePolicy::kNormal;
  std::uint64_t fee_bump_after_blocks = 10;
  std::uint32_t confirmations = 3;  // chain blocks on the accepting one before "confirmed"

  // [da]
  DaRole da_role = DaRole::kOperator;
  bool da_archive = false;  // keep each batch's lane-activity record; a mirror always does
  // The app's covenant on L1 (its operator's), which a mirror watches for settled checkpoints; an
  // operator's is its own.
  std::optional<kaspa::CovenantId> da_covenant;
  std::uint32_t da_snapshots = 0;          // settled snapshots kept (a mirror's default: 2)
  std::uint32_t da_snapshot_chunk = 4096;  // resources per snapshot chunk

  // [api]
  std::string api_host = "127.0.0.1";
  std::uint16_t api_port = 8420;   // 0: any free port (the node logs the one it got)
  std::uint32_t api_threads = 32;  // workers running handlers; status and metrics have 2 more
  std::uint32_t api_max_connections = 512;
  std::uint32_t api_max_connections_per_client = 256;
  std::uint32_t api_request_timeout_ms = 10'000;  // a whole request must arrive within this
  std::uint32_t rate_limit_per_second = 200;      // requests per client address; 0: no limit
  std::uint32_t rate_limit_burst = 400;
  std::uint64_t max_body_bytes = 256 * 1024;
};

// Errors: kInvalid with "<key>: <reason>" (or the parser's message with line and column).
core::Result<Config> parse_config(const std::string& toml_text);
// Errors: kIo when the file cannot be read; those of parse_config.
core::Result<Config> load_config(const std::string& path);

}  // namespace basalt::node
