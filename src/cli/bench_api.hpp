// `basalt bench api`: the node's API under a slow-client attack, against its anchor. Slow clients
// open connections from 127.0.0.1 and send one header line per second, never finishing a request
// (and reconnect whenever the server closes them); meanwhile /v1/status is asked from a fresh
// connection, from the same address, every 100 ms. Printed: how many of those probes were answered
// within a second, and their latency, for the node's API (basalt's http::Server) and for
// cpp-httplib 0.11 as the node used it before (a fixed /v1/status).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace basalt::cli {

struct BenchApiOptions {
  unsigned slow_clients = 300;
  unsigned seconds = 45;
  unsigned threads = 128;  // [api] threads, as the demo configures them
  std::string guest_dir;
};

int bench_api(const BenchApiOptions& options, std::ostream& out);

// `count` connections to 127.0.0.1:port, each sending a request line and then one more header line
// every `interval`, never ending the request; a connection the server closes is opened again.
// One thread, non-blocking sockets; stops and closes everything when destroyed.
class SlowClients {
 public:
  SlowClients(std::uint16_t port, unsigned count, std::chrono::milliseconds interval);
  ~SlowClients();
  SlowClients(const SlowClients&) = delete;
  SlowClients& operator=(const SlowClients&) = delete;
  std::uint64_t connects() const { return connects_.load(); }
  std::uint64_t closed_by_server() const { return closed_.load(); }

 private:
  void loop(std::uint16_t port, unsigned count, std::chrono::milliseconds interval);
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> connects_{0}, closed_{0};
  std::thread thread_;
};

struct ProbeReport {
  std::uint64_t sent = 0;
  std::uint64_t answered = 0;  // with 200 within the deadline
  std::vector<double> ms;      // latency of each answered probe
};

// GET `path` from a fresh connection every `every` for `duration`; a probe that is not answered
// 200 within `deadline` counts as unanswered.
ProbeReport probe_for(std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds duration, std::chrono::milliseconds every,
                      std::chrono::milliseconds deadline);

}  // namespace basalt::cli
