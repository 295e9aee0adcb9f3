#include "cli/bench_api.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli/bench_memory.hpp"
#include "core/files.hpp"
#include "http/raw_client.hpp"
#include "node/api.hpp"
#include "node/node.hpp"

namespace basalt::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kProbeEvery{100};
constexpr milliseconds kProbeDeadline{1000};
constexpr milliseconds kSlowLine{1000};

struct SlowConn {
  int fd = -1;
  unsigned lines = 0;
  Clock::time_point next;
};

int open_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// One row: the attack and the probes against a server listening on `port`.
void attack_row(const std::string& name, std::uint16_t port, const BenchApiOptions& o,
                std::ostream& out) {
  ProbeReport r;
  std::uint64_t connects = 0, closed = 0;
  {
    SlowClients slow(port, o.slow_clients, kSlowLine);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let them connect first
    r = probe_for(port, "/v1/status", std::chrono::seconds(o.seconds), kProbeEvery, kProbeDeadline);
    connects = slow.connects();
    closed = slow.closed_by_server();
  }
  char line[256];
  std::snprintf(line, sizeof line, "%-52s %6llu %9llu %8.1f %8.1f %8.1f %9llu / %llu\n",
                name.c_str(), static_cast<unsigned long long>(r.sent),
                static_cast<unsigned long long>(r.answered), percentile(r.ms, 0.5),
                percentile(r.ms, 0.99),
                r.ms.empty() ? 0.0 : *std::max_element(r.ms.begin(), r.ms.end()),
                static_cast<unsigned long long>(connects), static_cast<unsigned long long>(closed));
  out << line << std::flush;
}

int node_row(const BenchApiOptions& o, std::ostream& out) {
  node::Config c = bench_node_config("api", o.guest_dir);
  c.api_threads = o.threads;
  c.rate_limit_per_second = 0;
  std::ostringstream quiet;
  node::Logger log(quiet, node::LogLevel::kWarn, false);
  auto n = node::Node::open(c, log);
  if (!n.ok()) {
    out << "basalt bench api: " << n.error().to_string() << "\n";
    return 1;
  }
  std::unique_ptr<node::Node> node = std::move(*n);
  auto api = node::Api::start(*node, log);
  if (!api.ok()) {
    out << "basalt bench api: " << api.error().to_string() << "\n";
    return 1;
  }
  std::atomic<bool> stop{false};
  std::thread runner([&] { node->run(stop).ignore(); });  // its errors show in the probes
  attack_row("basalt http::Server (the node's API)", (*api)->port(), o, out);
  stop.store(true);
  runner.join();
  api->reset();
  node.reset();
  std::filesystem::remove_all(c.data_dir);
  return 0;
}

void httplib_row(const BenchApiOptions& o, std::ostream& out) {
  httplib::Server s;
  const unsigned threads = o.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_read_timeout(std::chrono::seconds(10));
  s.set_keep_alive_max_count(1000);
  s.set_keep_alive_timeout(2);
  s.Get("/v1/status", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"fixed":true})", "application/json");
  });
  const int port = s.bind_to_any_port("127.0.0.1");
  std::thread t([&] { s.listen_after_bind(); });
  while (!s.is_running()) std::this_thread::sleep_for(milliseconds(1));
  attack_row("cpp-httplib 0.11, the node's former settings", static_cast<std::uint16_t>(port), o,
             out);
  s.stop();
  t.join();
}

}  // namespace

SlowClients::SlowClients(std::uint16_t port, unsigned count, milliseconds interval)
    : thread_([this, port, count, interval] { loop(port, count, interval); }) {}

SlowClients::~SlowClients() {
  stop_.store(true);
  thread_.join();
}

void SlowClients::loop(std::uint16_t port, unsigned count, milliseconds interval) {
  std::vector<SlowConn> conns(count);
  std::vector<pollfd> fds(count);
  char scratch[4096];
  // A closed connection is opened again a tenth of an interval later.
  const auto drop = [&](SlowConn& c) {
    ::close(c.fd);
    c.fd = -1;
    c.next = Clock::now() + interval / 10;
    closed_.fetch_add(1);
  };
  while (!stop_.load()) {
    const auto now = Clock::now();
    for (unsigned i = 0; i < count; ++i) {
      SlowConn& c = conns[i];
      if (c.fd < 0 && now >= c.next) {
        c = SlowConn{open_to(port), 0, now};
        if (c.fd >= 0) connects_.fetch_add(1);
      }
      if (c.fd >= 0 && now >= c.next) {
        const std::string piece = c.lines == 0 ? "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                               : "X-Slow-" + std::to_string(c.lines) + ": 1\r\n";
        const ssize_t n = ::send(c.fd, piece.data(), piece.size(), MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(piece.size())) {
          ++c.lines;
          c.next = now + interval;
        } else if (n < 0 && errno != EAGAIN && errno != ENOTCONN) {
          drop(c);
        }
      }
      fds[i] = pollfd{c.fd, POLLIN, 0};
    }
    ::poll(fds.data(), fds.size(), 50);
    for (unsigned i = 0; i < count; ++i) {
      if (conns[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::recv(conns[i].fd, scratch, sizeof scratch, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN)) drop(conns[i]);
    }
  }
  for (SlowConn& c : conns)
    if (c.fd >= 0) ::close(c.fd);
}

ProbeReport probe_for(std::uint16_t port, const std::string& path, milliseconds duration,
                      milliseconds every, milliseconds deadline) {
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  ProbeReport r;
  const auto end = Clock::now() + duration;
  for (auto next = Clock::now(); next < end; next += every) {
    std::this_thread::sleep_until(next);
    const auto t0 = Clock::now();
    auto a = http::raw_exchange("127.0.0.1", port, request, deadline);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    ++r.sent;
    if (a.ok() && a->status == 200 && ms <= static_cast<double>(deadline.count())) {
      ++r.answered;
      r.ms.push_back(ms);
    }
    next = std::max(next, Clock::now() - every);
  }
  return r;
}

int bench_api(const BenchApiOptions& o, std::ostream& out) {
  core::raise_open_file_limit();
  out << "basalt bench api: /v1/status from a fresh connection every 100 ms, answered within 1 s,\n"
      << "while " << o.slow_clients
      << " slow clients on the same address each send one header line per second\n"
      << "(" << o.seconds << " s per row, loopback, " << o.threads << " server threads)\n\n";
  char head[256];
  std::snprintf(head, sizeof head, "%-52s %6s %9s %8s %8s %8s %s\n", "server", "probes", "answered",
                "p50 ms", "p99 ms", "max ms", "slow connections opened / closed");
  out << head;
  if (node_row(o, out) != 0) return 1;
  httplib_row(o, out);
  return 0;
}

}  // namespace basalt::cli
