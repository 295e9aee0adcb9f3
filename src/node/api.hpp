// The node's HTTP JSON API (docs/api.md, docs/openapi.yaml) on basalt's http::Server: each route
// is a call into node::Queries (status, batches, transactions and their receipts, resources with
// SMT proofs, L1 outputs for funding, submission — the only call that changes anything) or the
// Prometheus metrics at /metrics.
// Every client address gets a token bucket; oversized or malformed requests get a 4xx with a
// message; status, info and metrics have workers of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "http/server.hpp"
#include "kaspa/transaction.hpp"
#include "node/node.hpp"
#include "node/query.hpp"

namespace basalt::node {

class Api {
 public:
  // Binds config.api_host:api_port (port 0: any free port) and serves on its own threads; warns
  // when the address is not a loopback address (the API has no authentication).
  // Errors: kIo when the address cannot be bound.
  static core::Result<std::unique_ptr<Api>> start(Node& node, Logger& log);
  ~Api();  // stops serving and joins
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;
  std::uint16_t port() const { return server_->port(); }

 private:
  struct Limiter;
  explicit Api(Node& node);
  http::Routes routes();
  http::Hooks hooks();

  Node& node_;
  Queries queries_;
  std::unique_ptr<Limiter> limiter_;
  std::unique_ptr<http::Server> server_;  // after the limiter: its threads use it
};

}  // namespace basalt::node
