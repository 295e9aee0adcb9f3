// The simulator as a devnet L1 (`basalt sim serve`): the embedded simulator with its journal,
// answering kaspad's gRPC protocol on a listening address, one request at a time, and producing a
// block when asked, after which every open stream gets a VirtualChainChanged notification. Any
// number of basalt nodes can follow it (`[l1] source = "kaspad"`).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "l1/protowire/rpc.hpp"
#include "l1/sim/embedded.hpp"
#include "l1/sim/rpc_answers.hpp"

namespace basalt::l1::sim {

struct ServeConfig {
  EmbeddedOptions embedded;
  ServeOptions rpc;
  std::string listen;  // host:port; port 0 picks one
};

class Served {
 public:
  // Opens the journal (replaying it) and listens. Errors: Embedded::open's; kUnavailable when the
  // address cannot be listened on (a port in use included).
  static core::Result<std::unique_ptr<Served>> start(ServeConfig config);
  ~Served();  // stop()
  Served(const Served&) = delete;
  Served& operator=(const Served&) = delete;

  int port() const { return server_->port(); }
  // Produces one block (journaled) and notifies what changed. Errors: the journal's.
  core::Status step();
  std::uint64_t steps() const;
  // The chain's length and tip, for people.
  std::string describe() const;
  const crypto::SecretKey& faucet_key() const { return l1_->faucet_key(); }
  // Stops listening; idempotent.
  void stop();

 private:
  Served() = default;
  ServeOptions rpc_;
  mutable std::mutex m_;  // the simulator: requests and steps take turns
  std::unique_ptr<Embedded> l1_;
  std::optional<kaspa::BlockHash> notified_tip_;
  std::unique_ptr<protowire::RpcServer> server_;
};

}  // namespace basalt::l1::sim
