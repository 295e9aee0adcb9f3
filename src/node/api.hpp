// The node's HTTP JSON API (docs/api.md, docs/openapi.yaml) on cpp-httplib: status, batches,
// transactions and their receipts, resources with SMT proofs, L1 outputs for funding, transaction
// submission (the only call that changes anything) and Prometheus metrics at /metrics. Every
// client address gets a token bucket; oversized or malformed requests get a 4xx with a message.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "core/result.hpp"
#include "kaspa/transaction.hpp"
#include "node/node.hpp"

namespace httplib {
class Server;
}

namespace basalt::node {

// The body of POST /v1/txs: {"tx": "<hex of a serialized transaction>"}. Errors: kInvalid with
// what is wrong (not JSON, no tx, bad hex, a transaction that does not decode).
core::Result<kaspa::Transaction> parse_submission(std::string_view body);

class Api {
 public:
  // Binds config.api_host:api_port (port 0: any free port) and serves on its own threads.
  // Errors: kIo when the address cannot be bound.
  static core::Result<std::unique_ptr<Api>> start(Node& node, Logger& log);
  ~Api();  // stops serving and joins
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  struct Limiter;
  Api(Node& node, Logger& log);
  void routes();

  Node& node_;
  Logger& log_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Limiter> limiter_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
};

}  // namespace basalt::node
