// basalt's client of a node's HTTP API: a JSON client keeping its connection, and what building a
// lane transaction on the client side needs (the node's lane and app, a key's spendable L1
// outputs, a funded and Schnorr-signed lane transaction).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "crypto/schnorr.hpp"
#include "kaspa/network.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"

namespace httplib {
class Client;
}

namespace basalt::client {

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

// The node's app lane, app name and L1 network (GET /v1/info).
struct NodeInfo {
  kaspa::LaneId lane;
  std::string app;
  kaspa::Network network = kaspa::Network::kSimnet;
};
core::Result<NodeInfo> node_info(const ApiClient& api);

using Output = std::pair<kaspa::Outpoint, kaspa::UtxoEntry>;
// The P2PK outputs of `key` that L1 has and no mempool transaction spends.
core::Result<std::vector<Output>> spendable(const ApiClient& api, const crypto::SecretKey& key);

// The largest of `outputs`: the one that pays, so that repeated builds rarely run dry. nullopt for
// none.
std::optional<Output> largest_output(const std::vector<Output>& outputs);

// Reads a secret key written as 64 hex digits (surrounding whitespace ignored). Errors: kIo (with
// the system's reason), kInvalid (naming the file).
core::Result<crypto::SecretKey> read_key_file(const std::string& path);
// Writes `key` as 64 hex digits and a newline to a new file only its owner may read. Errors: kIo
// (an existing file is never overwritten), with the system's reason.
core::Status write_key_file(const std::string& path, const crypto::SecretKey& key);

// A lane transaction (v1, on `lane`) carrying `payload`, spending `funding` (a P2PK output of
// `key`) with one change output back to the key, `fee` sompi less, and signed. Without a fee it
// pays kaspad's minimum relay fee for its mass.
kaspa::Transaction build_lane_tx(const kaspa::LaneId& lane, core::Bytes payload,
                                 const kaspa::Outpoint& funding, const kaspa::UtxoEntry& spent,
                                 const crypto::SecretKey& key,
                                 std::optional<std::uint64_t> fee = std::nullopt);

}  // namespace basalt::client
