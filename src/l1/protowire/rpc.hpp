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
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "l1/protowire/protowire.pb.h"

namespace basalt::l1::protowire {

using Request = ::protowire::KaspadRequest;
using Response = ::protowire::KaspadResponse;

// Larger messages are refused by both sides (a catch-up chunk stays far below it).
inline constexpr int kMaxMessageBytes = 64 << 20;

// An answer as it came. Its message and the arena that holds it; but a GetVirtualChainFromBlockV2
// answer (some 10^5 small objects at FULL verbosity) is kept as its bytes, read by
// chain_v2.hpp's reader, and the message then holds only its id.
class Answer {
 public:
  Answer();
  Answer(Answer&&) noexcept;
  Answer& operator=(Answer&&) noexcept;
  ~Answer();
  // Errors: kInvalid when `frame` is not a KaspadResponse.
  static core::Result<Answer> from_frame(std::string frame);
  Response& operator*() const { return *message_; }
  Response* operator->() const { return message_; }
  bool is_chain_v2() const { return is_chain_v2_; }
  std::string_view chain_v2() const {
    return std::string_view(frame_).substr(chain_v2_at_, chain_v2_size_);
  }

 private:
  std::unique_ptr<google::protobuf::Arena> arena_;
  Response* message_ = nullptr;
  std::string frame_;
  bool is_chain_v2_ = false;
  std::size_t chain_v2_at_ = 0;  // in frame_ (a view would not survive a move of a short one)
  std::size_t chain_v2_size_ = 0;
};

class RpcClient {
  struct Impl;

 public:
  struct Options {
    std::string target;  // host:port
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds call_timeout{10000};
    // Called on the client's reader thread for each notification; must not call back into the
    // client.
    std::function<void(const Response&)> on_notification;
    // An answer beyond this breaks the stream (gRPC refuses it), saying so.
    int max_message_bytes = kMaxMessageBytes;
  };

  // Errors: kUnavailable when nothing answers at the target within the connect timeout.
  static core::Result<std::unique_ptr<RpcClient>> connect(Options options);
  ~RpcClient();  // closes the stream and joins its reader thread
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // Requests sent together, their answers awaited later with take(). A batch not taken is
  // dropped: its answers are discarded when they come. It must not outlive its client.
  class Batch {
   public:
    Batch() = default;
    Batch(Batch&& other) noexcept;
    Batch& operator=(Batch&& other) noexcept;
    ~Batch();
    bool empty() const { return ids_.empty(); }

   private:
    friend class RpcClient;
    void drop();
    Impl* client_ = nullptr;
    std::vector<std::uint64_t> ids_;
    bool written_ = true;
    std::chrono::steady_clock::time_point sent_{};
  };

  // Sends every request (one round trip for the lot), each under a fresh id.
  Batch send(std::vector<Request> requests);
  // The answers in the requests' order. Errors: kUnavailable when the stream is closed or breaks,
  // or an answer has not come within the call timeout of its sending (the late answer is then
  // dropped).
  std::vector<core::Result<Answer>> take(Batch batch);
  // send() and take(). Safe from several threads.
  std::vector<core::Result<Answer>> call_all(std::vector<Request> requests);
  core::Result<Answer> call(Request request);
  bool connected() const;

 private:
  explicit RpcClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class RpcServer {
 public:
  // Answers one request into an empty answer (in an arena); the server sets the answer's id.
  using Handler = std::function<void(const Request&, Response&)>;

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
