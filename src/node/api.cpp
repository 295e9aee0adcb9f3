#include "node/api.hpp"

#include <chrono>
#include <map>
#include <mutex>

namespace basalt::node {

namespace {

using core::ErrorCode;

void send(http::Response& res, const Answer& a) {
  res.status = a.status;
  res.body = a.body;
  res.content_type = a.content_type;
}

void send(http::Response& res, const core::Result<Answer>& a) {
  send(res, a.ok() ? *a : error_answer(a.error()));
}

}  // namespace

// A token bucket per client address.
struct Api::Limiter {
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  double rate = 0;
  double burst = 0;
  std::mutex mutex;
  std::map<std::string, Bucket> buckets;

  bool allow(const std::string& client) {
    if (rate == 0) return true;
    std::lock_guard lock(mutex);
    const auto now = std::chrono::steady_clock::now();
    auto [it, fresh] = buckets.try_emplace(client, Bucket{burst, now});
    Bucket& b = it->second;
    if (!fresh) {
      b.tokens =
          std::min(burst, b.tokens + rate * std::chrono::duration<double>(now - b.last).count());
      b.last = now;
    }
    // Idle clients are forgotten, so the map stays as small as the set of active clients.
    if (buckets.size() > 10'000) {
      std::erase_if(buckets,
                    [&](const auto& e) { return now - e.second.last > std::chrono::minutes(1); });
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
};

Api::Api(Node& node) : node_(node), queries_(node) {}

Api::~Api() = default;

core::Result<std::unique_ptr<Api>> Api::start(Node& node, Logger& log) {
  const Config& c = node.config();
  std::unique_ptr<Api> api(new Api(node));
  api->limiter_ = std::make_unique<Limiter>();
  api->limiter_->rate = c.rate_limit_per_second;
  api->limiter_->burst = c.rate_limit_burst;
  http::Limits limits;
  limits.workers = c.api_threads;
  limits.max_body_bytes = c.max_body_bytes;
  limits.request_timeout = std::chrono::milliseconds(c.api_request_timeout_ms);
  limits.max_connections = c.api_max_connections;
  limits.max_connections_per_client = c.api_max_connections_per_client;
  // Held before it serves: the metrics handler reads the server's counters.
  auto server = http::Server::bind(c.api_host, c.api_port, limits);
  if (!server.ok()) return core::Error{ErrorCode::kIo, "api: " + server.error().context()};
  api->server_ = std::move(*server);
  BASALT_TRY(api->server_->serve(api->routes(), api->hooks()));
  const std::string where = c.api_host + ":" + std::to_string(api->port());
  log.info("api: listening on http://" + where);
  if (!api->server_->loopback()) {
    log.warn("api: " + where +
             " is not a loopback address and the API has no authentication or TLS; put it "
             "behind a reverse proxy that adds them (README, \"Exposing the API\")");
  }
  return api;
}

http::Hooks Api::hooks() {
  Metrics& metrics = node_.metrics();
  metrics.describe("basalt_api_requests_total", "counter", "API requests, by HTTP status.");
  metrics.describe("basalt_api_connections", "gauge", "Open API connections.");
  metrics.describe("basalt_api_connections_closed_total", "counter",
                   "API connections closed by the server: refused (no room), evicted (the "
                   "oldest waiting one, to make room) or timed out (a request too slow).");
  http::Hooks h;
  h.before = [this](const http::Request& req, http::Response& res) {
    if (limiter_->allow(req.remote_addr)) return false;
    res.headers.emplace_back("Retry-After", "1");
    send(res, error_answer(429, "rate limit exceeded for " + req.remote_addr));
    return true;
  };
  h.after = [&metrics](const http::Request&, int status) {
    metrics.add("basalt_api_requests_total", 1, "code=\"" + std::to_string(status) + "\"");
  };
  h.error = [](http::Response& res, int status, const std::string& message) {
    send(res, error_answer(status, message));
  };
  return h;
}

http::Routes Api::routes() {
  http::Routes s;
  using http::Lane;
  using Req = const http::Request&;
  using Res = http::Response&;
  const auto number = [](Req req) { return std::stoull(req.matches[1]); };
  const Queries& q = queries_;
  s.get(
      "/v1/info", [&q](Req, Res res) { send(res, q.info()); }, Lane::kPriority);
  s.get(
      "/v1/status", [&q](Req, Res res) { send(res, q.status()); }, Lane::kPriority);
  s.get(R"(/v1/batches/([0-9a-fA-F]{64}|[0-9]{1,19}))",
        [&q](Req req, Res res) { send(res, q.batch(req.matches[1])); });
  s.get(R"(/v1/batches/([0-9]{1,19})/receipt)",
        [&q, number](Req req, Res res) { send(res, q.batch_receipt(number(req))); });
  s.get(R"(/v1/txs/([0-9a-fA-F]{64}))",
        [&q](Req req, Res res) { send(res, q.tx(req.matches[1])); });
  s.get(R"(/v1/txs/([0-9a-fA-F]{64})/receipt)",
        [&q](Req req, Res res) { send(res, q.tx_receipt(req.matches[1])); });
  s.get(R"(/v1/resources/([0-9a-fA-F]{64}))",
        [&q](Req req, Res res) { send(res, q.resource(req.matches[1], req.params)); });
  s.get(R"(/v1/l1/p2pk/([0-9a-fA-F]{64})/outputs)",
        [&q](Req req, Res res) { send(res, q.outputs(req.matches[1])); });
  s.get(R"(/v1/l1/addresses/([a-z]{1,16}:[0-9a-z]{1,128})/outputs)",
        [&q](Req req, Res res) { send(res, q.address_outputs(req.matches[1])); });
  s.post("/v1/txs", [&q](Req req, Res res) { send(res, q.submit(req.body)); });
  s.get("/v1/settlements", [&q](Req req, Res res) { send(res, q.settlements(req.params)); });
  s.get("/v1/da/activity", [&q](Req req, Res res) { send(res, q.activity(req.params)); });
  s.get("/v1/da/snapshots", [&q](Req, Res res) { send(res, q.snapshots()); });
  s.get(R"(/v1/da/snapshots/([0-9]{1,19})/manifest)",
        [&q, number](Req req, Res res) { send(res, q.snapshot_manifest(number(req))); });
  s.get(R"(/v1/da/snapshots/([0-9]{1,19})/chunks/([0-9]{1,9}))", [&q, number](Req req, Res res) {
    send(res, q.snapshot_chunk(number(req), std::stoull(req.matches[2])));
  });
  s.get(R"(/v1/settlements/([0-9]{1,19}))",
        [&q, number](Req req, Res res) { send(res, q.settlement(number(req))); });
  s.get(R"(/v1/settlements/([0-9]{1,19})/exits)",
        [&q, number](Req req, Res res) { send(res, q.settlement_exits(number(req))); });
  s.get(R"(/v1/settlements/([0-9]{1,19})/receipt)",
        [&q, number](Req req, Res res) { send(res, q.settlement_receipt(number(req))); });
  s.get(
      "/metrics",
      [this](const http::Request&, http::Response& res) {
        Metrics& m = node_.metrics();
        m.set("basalt_db_bytes", static_cast<double>(node_.index().disk_bytes()), "db=\"index\"");
        m.set("basalt_db_bytes", static_cast<double>(node_.state_disk_bytes()), "db=\"state\"");
        if (const SnapshotKeeper* snapshots = node_.snapshots()) {
          m.set("basalt_db_bytes", static_cast<double>(snapshots->store().disk_bytes()),
                "db=\"snapshots\"");
        }
        const http::ServerStats st = server_->stats();
        m.set("basalt_api_connections", static_cast<double>(st.open), "state=\"open\"");
        m.set("basalt_api_connections_closed_total", static_cast<double>(st.refused),
              "reason=\"refused\"");
        m.set("basalt_api_connections_closed_total", static_cast<double>(st.evicted),
              "reason=\"evicted\"");
        m.set("basalt_api_connections_closed_total", static_cast<double>(st.timed_out),
              "reason=\"timed_out\"");
        res.status = 200;
        res.body = m.render();
        res.content_type = "text/plain; version=0.0.4";
      },
      Lane::kPriority);
  return s;
}

}  // namespace basalt::node
