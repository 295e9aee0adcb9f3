// kaspad's gRPC transport: one bidirectional MessageStream per connection (protowire.RPC). A
// request carries an id, its answer the same id, a notification id 0. RpcClient matches answers to
// callers and hands notifications to one handler; RpcServer answers each request with a handler
// and pushes notifications to every open stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "l1/protowire/protowire.pb.h"

namespace basalt::l1::protowire {

using Request = ::protowire::KaspadRequest;
using Response = ::protowire::KaspadResponse;

// Larger messages are refused by both sides (a catch-up chunk stays far below it).
inline constexpr int kMaxMessageBytes = 64 << 20;

class RpcClient {
 public:
  struct Options {
    std::string target;  // host:port
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds call_timeout{10000};
    // Called on the client's reader thread for each notification; must not call back into the
    // client.
    std::function<void(const Response&)> on_notification;
  };

  // Errors: kUnavailable when nothing answers at the target within the connect timeout.
  static core::Result<std::unique_ptr<RpcClient>> connect(Options options);
  ~RpcClient();  // closes the stream and joins its reader thread
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Sends `request` under a fresh id and waits for its answer. Safe from several threads.
  // Errors: kUnavailable when the stream is closed, breaks, or the answer does not come within
  // the call timeout (the late answer is then dropped).
  core::Result<Response> call(Request request);
  // Sends every request before waiting for any answer (one round trip for the lot), each under a
  // fresh id; the answers in the requests' order, each as call() would give it, within one call
  // timeout for all.
  std::vector<core::Result<Response>> call_all(std::vector<Request> requests);
  bool connected() const;

 private:
  struct Impl;
  explicit RpcClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class RpcServer {
 public:
  // Answers one request; the server sets the answer's id.
  using Handler = std::function<Response(const Request&)>;

  // Listens on `address` (host:port; port 0 picks one). A port in use is refused, never shared.
  // Errors: kUnavailable naming the address.
  static core::Result<std::unique_ptr<RpcServer>> start(const std::string& address,
                                                        Handler handler);
  ~RpcServer();  // stop()
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  int port() const;
  // Sends `notification` (id 0) on every open stream.
  void notify(Response notification);
  // Closes every stream and stops listening; idempotent.
  void stop();

 private:
  struct Impl;
  explicit RpcServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace basalt::l1::protowire
