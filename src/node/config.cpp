#include "node/config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "da/snapshot.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

Error bad(const std::string& key, const std::string& why) {
  return Error{ErrorCode::kInvalid, key + ": " + why};
}

// Reads one section, remembering the keys it asked for so that any other key is an error.
class Section {
 public:
  Section(const toml::table& root, std::string name) : name_(std::move(name)) {
    if (const toml::node* n = root.get(name_)) table_ = n->as_table();
  }

  std::string key(const std::string& k) const { return name_ + "." + k; }
  bool has(const std::string& k) const { return table_ != nullptr && table_->get(k) != nullptr; }

  core::Status str(const std::string& k, std::string& out) {
    const toml::node* n = find(k);
    if (n == nullptr) return core::Status::Ok();
    if (!n->is_string()) return bad(key(k), "expected a string");
    out = *n->value<std::string>();
    return core::Status::Ok();
  }

  core::Status boolean(const std::string& k, bool& out) {
    const toml::node* n = find(k);
    if (n == nullptr) return core::Status::Ok();
    if (!n->is_boolean()) return bad(key(k), "expected true or false");
    out = *n->value<bool>();
    return core::Status::Ok();
  }

  template <typename T>
  core::Status integer(const std::string& k, T& out, std::uint64_t lo, std::uint64_t hi) {
    const toml::node* n = find(k);
    if (n == nullptr) return core::Status::Ok();
    if (!n->is_integer()) return bad(key(k), "expected an integer");
    const std::int64_t v = *n->value<std::int64_t>();
    if (v < 0 || static_cast<std::uint64_t>(v) < lo || static_cast<std::uint64_t>(v) > hi) {
      return bad(key(k), "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                             ", got " + std::to_string(v));
    }
    out = static_cast<T>(v);
    return core::Status::Ok();
  }

  template <typename E>
  core::Status choice(const std::string& k, E& out, const std::map<std::string, E>& names) {
    std::string s;
    const bool present = find(k) != nullptr;
    BASALT_TRY(str(k, s));
    if (!present) return core::Status::Ok();
    auto it = names.find(s);
    if (it == names.end()) {
      std::string list;
      for (const auto& [name, v] : names) list += (list.empty() ? "" : ", ") + name;
      return bad(key(k), "must be one of " + list + ", got \"" + s + "\"");
    }
    out = it->second;
    return core::Status::Ok();
  }

  // Every key of the section must have been asked for.
  core::Status finish() const {
    if (table_ == nullptr) return core::Status::Ok();
    for (const auto& [k, v] : *table_) {
      const std::string name(k.str());
      if (!asked_.contains(name)) return bad(key(name), "unknown key");
    }
    return core::Status::Ok();
  }

 private:
  const toml::node* find(const std::string& k) {
    asked_.insert(k);
    return table_ != nullptr ? table_->get(k) : nullptr;
  }

  std::string name_;
  const toml::table* table_ = nullptr;
  std::set<std::string> asked_;
};

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kI64 = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

core::Status read(const toml::table& root, Config& c) {
  const std::set<std::string> sections = {"node",   "app",    "l1", "sim",
                                          "prover", "settle", "da", "api"};
  for (const auto& [k, v] : root) {
    const std::string name(k.str());
    if (!sections.contains(name)) return bad(name, "unknown section");
    if (!v.is_table()) return bad(name, "expected a section ([" + name + "])");
  }

  Section node(root, "node");
  BASALT_TRY(node.str("data_dir", c.data_dir));
  if (c.data_dir.empty()) return bad("node.data_dir", "must not be empty");
  BASALT_TRY(node.choice<LogLevel>("log_level", c.log_level,
                                   {{"error", LogLevel::kError},
                                    {"warn", LogLevel::kWarn},
                                    {"info", LogLevel::kInfo},
                                    {"debug", LogLevel::kDebug}}));
  BASALT_TRY(node.integer("threads", c.threads, 0, 256));
  BASALT_TRY(node.boolean("sync", c.sync));
  BASALT_TRY(node.integer("stop_after_blocks", c.stop_after_blocks, 0, kI64));
  BASALT_TRY(node.integer("stop_after_settlements", c.stop_after_settlements, 0, kI64));
  BASALT_TRY(node.finish());

  Section app(root, "app");
  BASALT_TRY(app.str("name", c.app));
  if (c.app.empty()) return bad("app.name", "must be counter, token or a guest ELF path");
  BASALT_TRY(app.str("guest_dir", c.guest_dir));
  BASALT_TRY(app.finish());

  Section l1(root, "l1");
  BASALT_TRY(l1.str("source", c.l1_source));
  if (c.l1_source != "sim" && c.l1_source != "kaspad") {
    return bad("l1.source",
               "must be \"sim\" (the embedded simulator) or \"kaspad\" (a kaspad or "
               "`basalt sim serve` at l1.url); got \"" +
                   c.l1_source + "\"");
  }
  BASALT_TRY(l1.str("url", c.l1_url));
  if (c.l1_source == "sim" && !c.l1_url.empty())
    return bad("l1.url", "only for source = \"kaspad\"");
  std::string network(kaspa::network_name(c.l1_network));
  BASALT_TRY(l1.str("network", network));
  auto parsed_network = kaspa::parse_network(network);
  if (!parsed_network.ok()) return bad("l1.network", parsed_network.error().context());
  c.l1_network = *parsed_network;
  // Simulated coins must not show as mainnet or testnet addresses.
  if (c.l1_source == "sim" && c.l1_network != kaspa::Network::kSimnet &&
      c.l1_network != kaspa::Network::kDevnet) {
    return bad("l1.network", "the embedded simulator is a simnet or devnet, not " + network);
  }
  if (c.l1_source == "kaspad" && c.l1_url.empty())
    c.l1_url = "127.0.0.1:" + std::to_string(kaspa::default_grpc_port(c.l1_network));
  BASALT_TRY(l1.finish());

  Section sim(root, "sim");
  BASALT_TRY(sim.integer("seed", c.sim_seed, 0, kI64));
  BASALT_TRY(sim.integer("block_interval_ms", c.block_interval_ms, 0, 3'600'000));
  BASALT_TRY(sim.integer("finality_depth", c.finality_depth, 2, 1'000'000));
  BASALT_TRY(sim.integer("reorg_every", c.reorg_every, 0, kU32));
  BASALT_TRY(sim.integer("reorg_depth", c.reorg_depth, 1, kU32));
  if (c.reorg_every != 0 && c.reorg_depth >= c.finality_depth)
    return bad("sim.reorg_depth", "must be below sim.finality_depth");
  BASALT_TRY(sim.integer("users_tx_per_block", c.users_tx_per_block, 0, 10'000));
  BASALT_TRY(sim.integer("users_invalid_permille", c.users_invalid_permille, 0, 1000));
  BASALT_TRY(sim.integer("users_accounts", c.users_accounts, 1, 10'000'000));
  BASALT_TRY(sim.integer("users_exit_permille", c.users_exit_permille, 0, 1000));
  BASALT_TRY(sim.finish());

  Section prover(root, "prover");
  BASALT_TRY(prover.boolean("enabled", c.prover_enabled));
  BASALT_TRY(prover.finish());

  Section da(root, "da");
  BASALT_TRY(da.choice<DaRole>("role", c.da_role,
                               {{"operator", DaRole::kOperator}, {"mirror", DaRole::kMirror}}));
  c.da_archive = c.da_role == DaRole::kMirror;
  BASALT_TRY(da.boolean("archive", c.da_archive));
  if (c.da_role == DaRole::kMirror && !c.da_archive)
    return bad("da.archive", "a mirror keeps the lane-activity archive: it cannot be false");
  std::string covenant;
  BASALT_TRY(da.str("covenant", covenant));
  if (!covenant.empty()) {
    auto id = kaspa::CovenantId::from_hex(covenant);
    if (covenant.size() != 64 || !id.ok())
      return bad("da.covenant", "must be a covenant id, 64 hex digits");
    if (c.da_role != DaRole::kMirror)
      return bad("da.covenant", "only for a mirror: an operator's covenant is its own");
    c.da_covenant = *id;
  }
  c.da_snapshots = c.da_role == DaRole::kMirror ? 2 : 0;
  BASALT_TRY(da.integer("snapshots", c.da_snapshots, 0, 1000));
  BASALT_TRY(da.integer("snapshot_chunk", c.da_snapshot_chunk, 1, da::kMaxChunkResources));
  BASALT_TRY(da.finish());

  Section settle(root, "settle");
  if (c.da_role == DaRole::kMirror) c.settle_enabled = false;
  const bool settle_given = settle.has("enabled");
  BASALT_TRY(settle.boolean("enabled", c.settle_enabled));
  if (c.da_role == DaRole::kMirror && settle_given && c.settle_enabled)
    return bad("settle.enabled", "a mirror ([da] role = \"mirror\") never settles");
  BASALT_TRY(settle.integer("bundle_size", c.bundle_size, 1, 10'000));
  BASALT_TRY(settle.str("key", c.settlement_key));
  if (!c.settlement_key.empty() &&
      (c.settlement_key.size() != 64 ||
       c.settlement_key.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    return bad("settle.key", "must be 64 lower-case hex digits (a secret key)");
  }
  BASALT_TRY(settle.choice<FeePolicy>("fee_policy", c.fee_policy,
                                      {{"low", FeePolicy::kLow},
                                       {"normal", FeePolicy::kNormal},
                                       {"priority", FeePolicy::kPriority}}));
  BASALT_TRY(settle.integer("fee_bump_after_blocks", c.fee_bump_after_blocks, 1, 1'000'000));
  BASALT_TRY(settle.integer("confirmations", c.confirmations, 1, 1'000'000));
  if (c.confirmations >= c.finality_depth)
    return bad("settle.confirmations", "must be below sim.finality_depth");
  BASALT_TRY(settle.finish());
  if (c.stop_after_settlements != 0 && !(c.settle_enabled && c.prover_enabled)) {
    return bad("node.stop_after_settlements",
               "needs settlement: [prover] enabled and [settle] enabled both true");
  }

  Section api(root, "api");
  std::string listen;
  BASALT_TRY(api.str("listen", listen));
  if (!listen.empty()) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0)
      return bad("api.listen", "expected host:port, got \"" + listen + "\"");
    c.api_host = listen.substr(0, colon);
    const std::string port = listen.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
      return bad("api.listen", "the port must be a number from 0 to 65535, got \"" + port + "\"");
    }
    c.api_port = static_cast<std::uint16_t>(std::stoul(port));
  }
  BASALT_TRY(api.integer("threads", c.api_threads, 1, 256));
  BASALT_TRY(api.integer("max_connections", c.api_max_connections, 1, 100'000));
  BASALT_TRY(
      api.integer("max_connections_per_client", c.api_max_connections_per_client, 1, 100'000));
  BASALT_TRY(api.integer("request_timeout_ms", c.api_request_timeout_ms, 100, 600'000));
  BASALT_TRY(api.integer("rate_limit_per_second", c.rate_limit_per_second, 0, 1'000'000));
  BASALT_TRY(api.integer("rate_limit_burst", c.rate_limit_burst, 1, 1'000'000));
  BASALT_TRY(api.integer("max_body_bytes", c.max_body_bytes, 1024, 64u << 20));
  BASALT_TRY(api.finish());
  return core::Status::Ok();
}

}  // namespace

const char* log_level_name(LogLevel l) {
  switch (l) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "?";
}

const char* da_role_name(DaRole r) {
  return r == DaRole::kMirror ? "mirror" : "operator";
}

const char* fee_policy_name(FeePolicy p) {
  switch (p) {
    case FeePolicy::kLow:
      return "low";
    case FeePolicy::kNormal:
      return "normal";
    case FeePolicy::kPriority:
      return "priority";
  }
  return "?";
}

core::Result<Config> parse_config(const std::string& text) {
  Config c;
  try {
    const toml::table root = toml::parse(text);
    BASALT_TRY(read(root, c));
  } catch (const toml::parse_error& e) {
    std::ostringstream s;
    s << "line " << e.source().begin.line << ", column " << e.source().begin.column << ": "
      << e.description();
    return Error{ErrorCode::kInvalid, s.str()};
  }
  return c;
}

core::Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kIo, "cannot read " + path};
  std::ostringstream s;
  s << in.rdbuf();
  return parse_config(s.str());
}

}  // namespace basalt::node
