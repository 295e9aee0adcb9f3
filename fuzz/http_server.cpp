// Fuzzes the node's API as a client on the network would: each input is sent as it is — request
// line, path, headers, body, anything — to a live node's HTTP server over loopback. Whatever comes
// back is a well-formed answer (a status from 100 to 599; a JSON body that parses), and after
// every input the node still answers /v1/status. A crash, an abort or a hang fails the run.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "core/assert.hpp"
#include "http/raw_client.hpp"
#include "node/api.hpp"
#include "node/node.hpp"

namespace {

using namespace basalt;

// Started once and never destroyed: the node's thread runs until the process exits.
struct Live {
  std::ostringstream quiet;
  node::Logger log{quiet, node::LogLevel::kError, false};
  std::unique_ptr<node::Node> node;
  std::unique_ptr<node::Api> api;
  std::atomic<bool> stop{false};
  std::thread runner;
};
Live* live = nullptr;

constexpr auto kDeadline = std::chrono::seconds(20);

void check_answer(const http::RawAnswer& a) {
  if (a.status == 0) return;  // closed without answering: allowed for a request cut short
  BASALT_ASSERT(a.status >= 100 && a.status <= 599);
  const std::size_t end = a.bytes.find("\r\n\r\n");
  BASALT_ASSERT(end != std::string::npos);
  if (a.bytes.substr(0, end).find("application/json") == std::string::npos) return;
  const auto j = nlohmann::json::parse(a.body, nullptr, false);
  BASALT_ASSERT(!j.is_discarded());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  live = new Live();
  node::Config c;
  c.data_dir =
      (std::filesystem::temp_directory_path() / ("basalt-fuzz-http-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(c.data_dir);
  c.app = "counter";
  c.guest_dir = BASALT_GUEST_DIR;
  c.sync = false;
  c.api_port = 0;
  c.api_threads = 4;
  c.rate_limit_per_second = 0;
  c.max_body_bytes = 4096;
  c.prover_enabled = false;  // the API, not the prover: keep the cores for the exchanges
  auto n = node::Node::open(c, live->log);
  if (!n.ok()) {
    std::cerr << "fuzz_http_server: " << n.error().to_string() << "\n";
    std::abort();
  }
  live->node = std::move(*n);
  auto api = node::Api::start(*live->node, live->log);
  if (!api.ok()) std::abort();
  live->api = std::move(*api);
  live->runner = std::thread([] { live->node->run(live->stop).ignore(); });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint16_t port = live->api->port();
  const std::string_view request(reinterpret_cast<const char*>(data), size);
  auto a = http::raw_exchange("127.0.0.1", port, request, kDeadline);
  BASALT_ASSERT(a.ok());  // answered or closed within the deadline, never hung
  check_answer(*a);
  auto status = http::raw_exchange(
      "127.0.0.1", port, "GET /v1/status HTTP/1.1\r\nConnection: close\r\n\r\n", kDeadline);
  BASALT_ASSERT(status.ok() && status->status == 200);
  return 0;
}
