// An HTTP/1.1 server for hostile networks (Boost.Beast on one event-driven I/O thread). A
// connection costs a socket and a buffer, never a thread, while it waits: handlers run on workers
// only once a whole request has arrived. Every waiting connection must deliver its whole request
// within a deadline; connections are bounded in total and per client address, and when either
// bound is reached the oldest connection still waiting for a request makes room for the new one,
// so a crowd of slow clients cannot lock anyone out. Routes on the priority lane (status, metrics)
// have workers of their own that slow handlers elsewhere cannot occupy.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace basalt::http {

struct Request {
  std::string method;
  std::string path;  // percent-decoded, without the query; may hold any bytes
  std::vector<std::pair<std::string, std::string>> params;  // the decoded query, in order
  std::string body;
  std::string remote_addr;
  std::vector<std::string> matches;  // the route pattern's groups; [0] is the whole path
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<void(const Request&, Response&)>;

enum class Lane : std::uint8_t { kGeneral, kPriority };

class Routes {
 public:
  // `pattern` must match the whole decoded path.
  void get(const std::string& pattern, Handler h, Lane lane = Lane::kGeneral);
  void post(const std::string& pattern, Handler h, Lane lane = Lane::kGeneral);

  struct Route {
    std::string method;
    std::regex pattern;
    Lane lane;
    Handler handler;
  };
  // The route for a request, filling its matches; nullptr when none matches.
  const Route* find(Request& req) const;

 private:
  std::vector<Route> routes_;
};

struct Hooks {
  // Runs on the I/O thread before routing, so it must be quick; true: it answered the request.
  std::function<bool(const Request&, Response&)> before;
  // Runs after a response with this status was written (or failed to be).
  std::function<void(const Request&, int status)> after;
  // Fills the response the server itself gives (404, 413, 400, 500 …) with `message`.
  std::function<void(Response&, int status, const std::string& message)> error;
};

struct Limits {
  unsigned workers = 32;
  unsigned priority_workers = 2;
  std::size_t max_body_bytes = 256 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  // From the moment a connection waits for a request (accepted, or its last response written)
  // to the last byte of that request; also how long an idle keep-alive connection is kept.
  std::chrono::milliseconds request_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 512;
  std::size_t max_connections_per_client = 256;
  int backlog = 1024;
};

struct ServerStats {
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;    // no room, and no waiting connection to make room
  std::uint64_t evicted = 0;    // waiting connections closed to make room for new ones
  std::uint64_t timed_out = 0;  // requests (or writes) that missed their deadline
  std::uint64_t open = 0;
};

class Server {
 public:
  // Binds host:port (0: any free port) without serving yet, so that whoever holds the server
  // holds it before any handler runs. Errors: kIo when the address cannot be resolved or bound;
  // kInvalid for limits that cannot work.
  static core::Result<std::unique_ptr<Server>> bind(const std::string& host, std::uint16_t port,
                                                    const Limits& limits);
  // Serves with these routes and hooks on the server's own threads (once). Errors: kInvalid
  // without an error hook.
  core::Status serve(Routes routes, Hooks hooks);
  // bind, then serve.
  static core::Result<std::unique_ptr<Server>> start(const std::string& host, std::uint16_t port,
                                                     const Limits& limits, Routes routes,
                                                     Hooks hooks);
  ~Server();  // stops accepting, closes every connection, joins its threads
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const;
  bool loopback() const;  // whether the bound address is a loopback address
  ServerStats stats() const;

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// %XX escapes decoded (an invalid escape stays as written); with plus_is_space, '+' becomes ' '.
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace basalt::http
