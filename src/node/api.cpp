#include "node/api.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <mutex>

#include "kaspa/signing.hpp"
#include "zk/batch.hpp"
#include "zk/exits.hpp"
#include "zk/receipt.hpp"

namespace basalt::node {

namespace {

using core::ErrorCode;
using nlohmann::json;

constexpr auto kNodeTimeout = std::chrono::seconds(10);

// Invalid UTF-8 (from a path or a parameter echoed back) is replaced, never thrown.
void reply(http::Response& res, int status, const json& body) {
  res.status = status;
  res.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  res.content_type = "application/json";
}

void fail(http::Response& res, int status, const std::string& message) {
  reply(res, status, {{"error", message}});
}

// The HTTP status for an error of the node: a client's fault is 4xx, the node's 5xx.
int status_of(const core::Error& e) {
  switch (e.code()) {
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
      return 500;
    default:
      return 422;
  }
}

// A decimal query parameter; nullopt for anything else.
std::optional<std::uint64_t> decimal(const std::string& v) {
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(v);
}

bool settles(const Node& n) {
  return n.covenant_id().has_value() && n.config().settle_enabled;
}

json null_or(bool present, std::uint64_t v) {
  return present ? json(v) : json(nullptr);
}

const char* stage(std::uint64_t batch, const NodeStatus& s, bool prover) {
  if (prover && batch <= s.settled_confirmed) return "settled";
  if (prover && batch <= s.proven) return "proven";
  if (batch <= s.committed) return "committed";
  return "executed";
}

json settlement_json(const SettlementRecord& r) {
  json j = {{"seq", r.seq},
            {"first_batch", r.first_batch},
            {"last_batch", r.last_batch},
            {"anchor", r.anchor.hex()},
            {"tx_id", r.tx_id.hex()},
            {"fee", r.fee},
            {"bumps", r.bumps},
            {"status", settlement_status_name(r.status)},
            {"submitted_step", r.submitted_step},
            {"accepted_in", r.accepted_in ? json(r.accepted_in->hex()) : json(nullptr)},
            {"accepted_step", null_or(r.accepted_in.has_value(), r.accepted_step)},
            {"final_step", null_or(r.final_step != 0, r.final_step)},
            {"latency_ms", null_or(r.latency_ms != 0, r.latency_ms)},
            {"journal", core::to_hex(r.journal)}};
  if (!r.detail.empty()) j["detail"] = r.detail;
  return j;
}

json exit_json(const exec::Exit& e) {
  return {{"kind", e.kind == exec::ExitKind::kP2sh ? "p2sh" : "schnorr_p2pk"},
          {"key", e.key.hex()},
          {"amount", e.amount},
          {"script_public_key", core::to_hex(exec::exit_script_public_key(e).script)}};
}

// A transaction's exits, from its journal (none unless it succeeded).
json tx_exits_json(const TxRecord& t) {
  json out = json::array();
  if (!t.ok) return out;
  const auto parts = exec::split_journal(t.journal);
  if (!parts) return out;
  auto o = exec::decode_journal_outcome(parts->outcome, parts->ids.size());
  if (o.ok())
    for (const auto& e : o->exits) out.push_back(exit_json(e));
  return out;
}

void send_bytes(http::Response& res, const core::Bytes& b) {
  res.status = 200;
  res.body.assign(reinterpret_cast<const char*>(b.data()), b.size());
  res.content_type = "application/octet-stream";
}

}  // namespace

core::Result<kaspa::Transaction> parse_submission(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tx") || !j["tx"].is_string()) {
    return core::Error{ErrorCode::kInvalid,
                       "expected a JSON object {\"tx\": \"<hex of a serialized transaction>\"}"};
  }
  auto bytes = core::from_hex(j["tx"].get<std::string>());
  if (!bytes.ok()) return core::Error{ErrorCode::kInvalid, "tx: " + bytes.error().to_string()};
  auto tx = kaspa::deserialize_transaction(*bytes);
  if (!tx.ok()) return core::Error{ErrorCode::kInvalid, "tx: " + tx.error().to_string()};
  return std::move(*tx);
}

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

Api::Api(Node& node, Logger& log) : node_(node), log_(log) {}

Api::~Api() = default;

core::Result<std::unique_ptr<Api>> Api::start(Node& node, Logger& log) {
  const Config& c = node.config();
  std::unique_ptr<Api> api(new Api(node, log));
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
    fail(res, 429, "rate limit exceeded for " + req.remote_addr);
    return true;
  };
  h.after = [&metrics](const http::Request&, int status) {
    metrics.add("basalt_api_requests_total", 1, "code=\"" + std::to_string(status) + "\"");
  };
  h.error = [](http::Response& res, int status, const std::string& message) {
    fail(res, status, message);
  };
  return h;
}

http::Routes Api::routes() {
  http::Routes s;
  using http::Lane;

  s.get(
      "/v1/info",
      [this](const http::Request&, http::Response& res) {
        const Config& c = node_.config();
        reply(res, 200,
              {{"app", c.app},
               {"image_id", node_.app_image_id().hex()},
               {"lane", app_lane().hex()},
               {"l1_source", c.l1_source},
               {"sim_seed", c.sim_seed},
               {"block_interval_ms", c.block_interval_ms},
               {"faucet_public_key", node_.faucet_key()
                                         ? json(core::to_hex(node_.faucet_key()->public_key().x))
                                         : json(nullptr)},
               {"receipts", node_.config().prover_enabled
                                ? "re-execution receipts (not succinct, not zero-knowledge)"
                                : "off"},
               {"covenant_id",
                node_.covenant_id() ? json(node_.covenant_id()->hex()) : json(nullptr)},
               {"settlement", settles(node_) ? "on" : "off"}});
      },
      Lane::kPriority);

  s.get(
      "/v1/status",
      [this](const http::Request&, http::Response& res) {
        const NodeStatus st = node_.status();
        const bool prover = node_.config().prover_enabled;
        const bool settling = settles(node_);
        const std::uint64_t chain = st.l1_chain_length;
        reply(res, 200,
              {{"l1",
                {{"source", node_.config().l1_source},
                 {"step", st.l1_step},
                 {"chain_length", chain},
                 {"tip", st.l1_tip.hex()},
                 {"tip_blue_score", st.l1_tip_blue_score},
                 {"mempool", st.mempool},
                 {"catching_up", st.catching_up}}},
               {"batches",
                {{"executed", st.executed},
                 {"committed", st.committed},
                 {"proven", null_or(prover, st.proven)},
                 {"settled", null_or(settling, st.settled_confirmed)}}},
               {"lag",
                {{"executed", chain - std::min(chain, st.executed)},
                 {"committed", chain - std::min(chain, st.committed)},
                 {"proven", null_or(prover, chain - std::min(chain, st.proven))},
                 {"settled", null_or(settling, chain - std::min(chain, st.settled_confirmed))}}},
               {"settlement", settling ? json{{"covenant_batch", st.settled},
                                              {"submitted", st.settlements},
                                              {"confirmed", st.settlements_confirmed}}
                                       : json(nullptr)},
               {"transactions", {{"ok", st.tx_ok}, {"failed", st.tx_failed}}},
               {"state_root", st.committed_root.hex()},
               {"proof_queue", st.proof_queue},
               {"reorgs", st.reorgs},
               {"submissions", st.submissions}});
      },
      Lane::kPriority);

  s.get(R"(/v1/batches/([0-9a-fA-F]{64}|[0-9]{1,19}))",
        [this](const http::Request& req, http::Response& res) {
          const std::string key = req.matches[1];
          core::Result<std::optional<BatchRow>> row = std::optional<BatchRow>();
          if (key.size() == 64) {
            auto hash = core::Hash32::from_hex(key);
            row = node_.index().batch_by_block(kaspa::BlockHash(*hash));
          } else {
            row = node_.index().batch(std::stoull(key));
          }
          if (!row.ok()) return fail(res, status_of(row.error()), row.error().to_string());
          if (!row->has_value()) return fail(res, 404, "no executed batch " + key);
          const BatchRow& b = **row;
          json ids = json::array();
          for (const auto& id : b.tx_ids) ids.push_back(id.hex());
          reply(res, 200,
                {{"id", b.id},
                 {"block", b.block.hex()},
                 {"blue_score", b.blue_score},
                 {"step", b.step},
                 {"txs", b.txs},
                 {"failed", b.failed},
                 {"root", b.root ? json(b.root->hex()) : json(nullptr)},
                 {"stage", stage(b.id, node_.status(), node_.config().prover_enabled)},
                 {"tx_ids", ids}});
        });

  s.get(R"(/v1/txs/([0-9a-fA-F]{64}))", [this](const http::Request& req, http::Response& res) {
    const auto id = kaspa::TxId(*core::Hash32::from_hex(req.matches[1]));
    auto rec = node_.index().tx(id);
    if (!rec.ok()) return fail(res, status_of(rec.error()), rec.error().to_string());
    if (!rec->has_value()) {
      auto refused = node_.index().refusal(id);
      if (!refused.ok()) return fail(res, status_of(refused.error()), refused.error().to_string());
      if (refused->has_value()) {
        return reply(res, 404,
                     {{"error", "transaction " + id.hex() + " was refused by L1: " + **refused},
                      {"refused", **refused}});
      }
      return fail(res, 404, "transaction " + id.hex() + " is not executed on the current chain");
    }
    const TxRecord& t = **rec;
    auto receipt = node_.index().receipt(id);
    if (!receipt.ok()) return fail(res, status_of(receipt.error()), receipt.error().to_string());
    json j = {{"id", t.id.hex()},
              {"batch", t.batch},
              {"block", t.block.hex()},
              {"merge_idx", t.merge_idx},
              {"ok", t.ok},
              {"cycles", t.cycles},
              {"journal", core::to_hex(t.journal)},
              {"stage", stage(t.batch, node_.status(), node_.config().prover_enabled)},
              {"receipt", receipt->has_value()},
              {"exits", tx_exits_json(t)}};
    if (!t.ok) {
      j["reason"] = t.reason;
      j["detail"] = t.detail;
    }
    reply(res, 200, j);
  });

  s.get(R"(/v1/txs/([0-9a-fA-F]{64})/receipt)",
        [this](const http::Request& req, http::Response& res) {
          const auto id = kaspa::TxId(*core::Hash32::from_hex(req.matches[1]));
          auto rec = node_.index().tx(id);
          auto receipt = node_.index().receipt(id);
          if (!rec.ok()) return fail(res, status_of(rec.error()), rec.error().to_string());
          if (!receipt.ok())
            return fail(res, status_of(receipt.error()), receipt.error().to_string());
          if (!rec->has_value() || !receipt->has_value())
            return fail(res, 404, "no receipt for transaction " + id.hex() + " yet");
          // A receipt of an earlier execution (before a reorg) is served only if it proves this
          // one.
          auto decoded = zk::decode_receipt(**receipt);
          if (!decoded.ok() || decoded->journal != (*rec)->journal)
            return fail(res, 404, "no receipt for transaction " + id.hex() + " yet");
          send_bytes(res, **receipt);
        });

  s.get(R"(/v1/resources/([0-9a-fA-F]{64}))",
        [this](const http::Request& req, http::Response& res) {
          const auto id = state::ResourceId(*core::Hash32::from_hex(req.matches[1]));
          std::optional<std::uint64_t> at;
          for (const auto& [name, value] : req.params) {
            if (name == "at" && value == "settled" && settles(node_)) {
              at = node_.status().settled_confirmed;
            } else if (name == "at" && decimal(value)) {
              at = decimal(value);
            } else if (name != "at" || value != "committed") {
              return fail(res, 400,
                          "unknown or bad query parameter " + name +
                              " (at: committed, settled or a committed batch number)");
            }
          }
          if (at && *at > node_.status().committed)
            return fail(res, 404, "batch " + std::to_string(*at) + " is not committed");
          auto v = node_.resource(id, at, kNodeTimeout);
          if (!v.ok()) return fail(res, status_of(v.error()), v.error().to_string());
          reply(res, 200,
                {{"id", v->id.hex()},
                 {"value", core::to_hex(v->value)},
                 {"batch", v->batch},
                 {"root", v->root.hex()},
                 {"proof", core::to_hex(v->proof)}});
        });

  s.get(R"(/v1/l1/p2pk/([0-9a-fA-F]{64})/outputs)",
        [this](const http::Request& req, http::Response& res) {
          crypto::SchnorrPublicKey key;
          key.x = core::Hash32::from_hex(req.matches[1])->bytes;
          auto outs = node_.spendable(kaspa::p2pk_script(key), kNodeTimeout);
          if (!outs.ok()) return fail(res, status_of(outs.error()), outs.error().to_string());
          json list = json::array();
          for (const auto& [op, entry] : *outs) {
            list.push_back({{"tx_id", op.transaction_id.hex()},
                            {"index", op.index},
                            {"amount", entry.amount},
                            {"coinbase", entry.is_coinbase}});
          }
          reply(res, 200, {{"outputs", list}});
        });

  s.post("/v1/txs", [this](const http::Request& req, http::Response& res) {
    auto tx = parse_submission(req.body);
    if (!tx.ok()) return fail(res, 400, tx.error().context());
    auto outcome = node_.submit(*tx, kNodeTimeout);
    if (!outcome.ok()) return fail(res, status_of(outcome.error()), outcome.error().to_string());
    if (!outcome->accepted) {
      return reply(res, 422,
                   {{"accepted", false}, {"tx_id", outcome->id.hex()}, {"error", outcome->reason}});
    }
    reply(res, 202, {{"accepted", true}, {"tx_id", outcome->id.hex()}, {"step", outcome->step}});
  });

  s.get("/v1/settlements", [this](const http::Request& req, http::Response& res) {
    std::uint64_t before = ~std::uint64_t{0};
    std::size_t limit = 20;
    for (const auto& [name, v] : req.params) {
      const std::optional<std::uint64_t> n = decimal(v);
      if (name == "before" && n) {
        before = *n;
      } else if (name == "limit" && n && *n >= 1 && *n <= 100) {
        limit = *n;
      } else {
        return fail(res, 400,
                    "unknown or bad query parameter " + name +
                        " (before: a settlement number; limit: 1 to 100)");
      }
    }
    auto list = node_.index().settlements(before, limit);
    if (!list.ok()) return fail(res, status_of(list.error()), list.error().to_string());
    json items = json::array();
    for (const SettlementRecord& r : *list) items.push_back(settlement_json(r));
    reply(res, 200,
          {{"covenant_id", node_.covenant_id() ? json(node_.covenant_id()->hex()) : json(nullptr)},
           {"settlements", items}});
  });

  s.get(R"(/v1/settlements/([0-9]{1,19}))", [this](const http::Request& req, http::Response& res) {
    const std::uint64_t seq = std::stoull(req.matches[1]);
    auto rec = node_.index().settlement(seq);
    if (!rec.ok()) return fail(res, status_of(rec.error()), rec.error().to_string());
    if (!rec->has_value()) return fail(res, 404, "no settlement " + std::to_string(seq));
    reply(res, 200, settlement_json(**rec));
  });

  s.get(R"(/v1/settlements/([0-9]{1,19})/exits)", [this](const http::Request& req,
                                                         http::Response& res) {
    const std::uint64_t seq = std::stoull(req.matches[1]);
    auto rec = node_.index().settlement(seq);
    auto bytes = node_.index().settlement_receipt(seq);
    if (!rec.ok()) return fail(res, status_of(rec.error()), rec.error().to_string());
    if (!bytes.ok()) return fail(res, status_of(bytes.error()), bytes.error().to_string());
    if (!rec->has_value() || !bytes->has_value())
      return fail(res, 404, "no settlement " + std::to_string(seq));
    // The bundle's exits are those of the batch journals the aggregate receipt assumes.
    auto receipt = zk::decode_receipt(**bytes);
    if (!receipt.ok()) return fail(res, 500, receipt.error().to_string());
    auto exits = zk::bundle_exits(receipt->assumptions);
    if (!exits.ok()) return fail(res, 500, exits.error().to_string());
    auto tree = zk::ExitTree::build(*exits);
    if (!tree.ok()) return fail(res, 500, tree.error().to_string());
    json list = json::array();
    for (const auto& e : *exits) list.push_back(exit_json(e));
    json output = nullptr;
    if (!exits->empty())
      output = {
          {"tx_id", (*rec)->tx_id.hex()}, {"index", 1}, {"redeem", core::to_hex(tree->redeem())}};
    reply(res, 200,
          {{"seq", seq},
           {"status", settlement_status_name((*rec)->status)},
           {"permission_spk_hash", tree->permission_spk_hash().hex()},
           {"root", tree->root().hex()},
           {"total", tree->total()},
           {"exit_output", output},
           {"exits", list}});
  });

  s.get(R"(/v1/settlements/([0-9]{1,19})/receipt)",
        [this](const http::Request& req, http::Response& res) {
          const std::uint64_t seq = std::stoull(req.matches[1]);
          auto receipt = node_.index().settlement_receipt(seq);
          if (!receipt.ok())
            return fail(res, status_of(receipt.error()), receipt.error().to_string());
          if (!receipt->has_value()) return fail(res, 404, "no settlement " + std::to_string(seq));
          send_bytes(res, **receipt);
        });

  s.get(R"(/v1/batches/([0-9]{1,19})/receipt)",
        [this](const http::Request& req, http::Response& res) {
          const std::uint64_t batch = std::stoull(req.matches[1]);
          // A kept receipt above the proven tip may be of a batch a reorg undid.
          if (batch == 0 || batch > node_.status().proven)
            return fail(res, 404, "batch " + std::to_string(batch) + " is not proven");
          auto receipt = node_.index().batch_receipt(batch);
          if (!receipt.ok())
            return fail(res, status_of(receipt.error()), receipt.error().to_string());
          if (!receipt->has_value())
            return fail(res, 404, "no receipt kept for batch " + std::to_string(batch));
          send_bytes(res, **receipt);
        });

  s.get(
      "/metrics",
      [this](const http::Request&, http::Response& res) {
        Metrics& m = node_.metrics();
        m.set("basalt_db_bytes", static_cast<double>(node_.index().disk_bytes()), "db=\"index\"");
        m.set("basalt_db_bytes", static_cast<double>(node_.state_disk_bytes()), "db=\"state\"");
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
