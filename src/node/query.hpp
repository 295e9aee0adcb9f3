// The node's queries, as the API answers them (docs/api.md): each takes the request's path groups
// and query parameters and returns the status and body to send. The HTTP handlers are one-line
// calls into these; errors become answers in one place (`error_answer`). Nothing here changes
// state except `submit`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "node/node.hpp"

namespace basalt::node {

struct Answer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// The answer for an error: a client's fault is 4xx (kInvalid 400, kNotFound 404), the node's 5xx
// (kUnavailable 503, kIo and kCorrupt 500), anything else 422.
Answer error_answer(const core::Error& e);
// {"error": message} with `status`.
Answer error_answer(int status, const std::string& message);

// The body of POST /v1/txs: {"tx": "<hex of a serialized transaction>"}. Errors: kInvalid with
// what is wrong (not JSON, no tx, bad hex, a transaction that does not decode).
core::Result<kaspa::Transaction> parse_submission(std::string_view body);

class Queries {
 public:
  using Params = std::vector<std::pair<std::string, std::string>>;
  explicit Queries(Node& node) : node_(node) {}

  Answer info() const;
  Answer status() const;
  // `key`: a batch number or a chain block's hash (64 hex digits).
  core::Result<Answer> batch(const std::string& key) const;
  core::Result<Answer> batch_receipt(std::uint64_t batch) const;
  // `id`: 64 hex digits (the routes check the shape).
  core::Result<Answer> tx(const std::string& id) const;
  core::Result<Answer> tx_receipt(const std::string& id) const;
  core::Result<Answer> resource(const std::string& id, const Params& params) const;
  core::Result<Answer> outputs(const std::string& public_key) const;
  // The same for any standard address on the node's network. Errors: kInvalid for a malformed
  // address or one of another network.
  core::Result<Answer> address_outputs(const std::string& address) const;
  core::Result<Answer> submit(std::string_view body) const;
  // GET /v1/da/activity?from=N&count=K: the lane-activity records of batches N.. (docs/api.md).
  core::Result<Answer> activity(const Params& params) const;
  // GET /v1/da/snapshots, …/{batch}/manifest, …/{batch}/chunks/{i}: the settled snapshots kept.
  core::Result<Answer> snapshots() const;
  core::Result<Answer> snapshot_manifest(std::uint64_t batch) const;
  core::Result<Answer> snapshot_chunk(std::uint64_t batch, std::uint64_t chunk) const;
  core::Result<Answer> settlements(const Params& params) const;
  core::Result<Answer> settlement(std::uint64_t seq) const;
  core::Result<Answer> settlement_exits(std::uint64_t seq) const;
  core::Result<Answer> settlement_receipt(std::uint64_t seq) const;

 private:
  core::Result<Answer> script_outputs(const kaspa::ScriptPublicKey& spk) const;
  // /v1/status's `disk`: the node's role and the bytes each of its stores takes.
  nlohmann::json disk() const;
  // Values and one proof for `ids` at batch `at` (nullopt: the committed tip): from a kept
  // snapshot of `at` if there is one, else from the state store's window.
  core::Result<ResourceView> witness(std::vector<state::ResourceId> ids,
                                     std::optional<std::uint64_t> at) const;
  // The last batch of the newest settled state the node knows: confirmed settlements when it
  // settles, where it last saw the covenant when it keeps snapshots.
  std::optional<std::uint64_t> settled_batch() const;
  // GET /v1/txs/{id}'s `witness`: what the transaction accessed, after the newest settled state at
  // or after its batch (else its batch), with the proof; null when the node has neither any more.
  core::Result<nlohmann::json> tx_witness(const TxRecord& rec) const;

  Node& node_;
};

}  // namespace basalt::node
