#include "client/load.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "client/api_client.hpp"
#include "core/byte_writer.hpp"
#include "crypto/sha256.hpp"
#include "exec/abi.hpp"
#include "users/workload.hpp"

namespace basalt::client {

namespace {

using core::Error;
using core::ErrorCode;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// What one user means a transaction to do.
struct Intent {
  bool invalid = false;     // built to fail
  bool l1_invalid = false;  // ... at L1 (a bad input signature), else in the app
};

// What became of a submitted transaction.
enum class Fate { kExecuted, kRefusedByL1, kLost };

class LoadRun {
 public:
  LoadRun(const LoadOptions& o, std::ostream& log, NodeInfo info, crypto::SecretKey funder,
          std::vector<Output> outputs)
      : o_(o),
        log_(log),
        info_(std::move(info)),
        funder_(std::move(funder)),
        outputs_(std::move(outputs)),
        t0_(Clock::now()),
        deadline_(t0_ + seconds(o.seconds)) {}

  LoadReport run();

 private:
  void user(std::uint32_t i);
  crypto::SecretKey user_key(std::uint32_t i) const;
  // The app operation: a counter increment, or a token mint (first) and transfers.
  core::Bytes payload(std::mt19937_64& rng, const Intent& intent, const crypto::SecretKey& me,
                      const crypto::SchnorrPublicKey& next, std::uint64_t nonce) const;
  // POSTs the transaction (counted as submitted), sending the same bytes again after a lost
  // connection (the node may have taken it): the reply (202 or 422), or nullopt when the user
  // should go on with another (an HTTP error, counted; a 429, not counted).
  std::optional<std::pair<int, json>> post(const ApiClient& client, const json& body,
                                           LoadReport& mine, std::uint32_t i);
  // Waits for the transaction's result.
  Fate follow(const ApiClient& client, const kaspa::TxId& id, json& result, std::string& refused);
  void note(const std::string& line);
  bool submitting() const { return !done_.load() && Clock::now() < deadline_; }
  std::optional<json> status(const ApiClient& api) const;
  // Progress lines until the deadline, the settlement target, or every user done.
  void watch(const ApiClient& api);
  // Waits for the node to prove what it executed; reads its status and settlements.
  void finish(const ApiClient& api);

  const LoadOptions& o_;
  std::ostream& log_;
  const NodeInfo info_;
  const crypto::SecretKey funder_;
  const std::vector<Output> outputs_;
  const crypto::SecretKey authority_ = users::token_demo_authority();
  const Clock::time_point t0_;
  const Clock::time_point deadline_;
  std::mutex mutex_;  // the report and the log
  LoadReport report_;
  std::atomic<std::uint64_t> started_{0};
  std::atomic<bool> done_{false};
  std::atomic<std::uint32_t> users_done_{0};
};

void LoadRun::note(const std::string& line) {
  std::lock_guard lock(mutex_);
  log_ << line << "\n";
}

crypto::SecretKey LoadRun::user_key(std::uint32_t i) const {
  core::ByteWriter w;
  w.u64_le(o_.seed);
  w.u32_le(i);
  return std::move(crypto::SecretKey::from_bytes(crypto::sha256(w.data()).bytes)).value();
}

core::Bytes LoadRun::payload(std::mt19937_64& rng, const Intent& intent,
                             const crypto::SecretKey& me, const crypto::SchnorrPublicKey& next,
                             std::uint64_t nonce) const {
  std::vector<exec::AccessEntry> acc;
  core::Bytes data;
  const bool app_invalid = intent.invalid && !intent.l1_invalid;
  if (info_.app == "counter") {
    acc.push_back(
        {users::counter_resource(static_cast<std::uint32_t>(rng() % 1000)), exec::Access::kWrite});
    if (app_invalid) acc.push_back(acc.front());  // a resource declared twice
    return exec::encode_payload(acc, data);
  }
  data = nonce == 0 ? users::token_mint(authority_, me.public_key(), 1'000'000, 0)
                    : users::token_transfer(me, next, 1 + rng() % 100, nonce);
  if (app_invalid) data.back() ^= 1;  // a bad signature
  acc.push_back({users::token_account_id(me.public_key()), exec::Access::kWrite});
  if (nonce != 0) acc.push_back({users::token_account_id(next), exec::Access::kWrite});
  std::sort(acc.begin(), acc.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return exec::encode_payload(acc, data);
}

std::optional<std::pair<int, json>> LoadRun::post(const ApiClient& client, const json& body,
                                                  LoadReport& mine, std::uint32_t i) {
  const auto sent = Clock::now();
  auto reply = client.post("/v1/txs", body);
  mine.submit_ms.push_back(ms_since(sent));
  ++mine.submitted;
  // The node went away with the request in flight: it may have taken the transaction. The same
  // bytes again tell: a node that has it says so, one that lost it before answering takes it now
  // (each answer is as trustworthy as the first would have been).
  const auto retry_until = Clock::now() + seconds(o_.settle_timeout_s);
  const bool in_flight = !reply.ok();  // a 503 after that is "not now", not "no"
  while (in_flight && (!reply.ok() || reply->first == 503) && Clock::now() < retry_until) {
    ++mine.resubmissions;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    reply = client.post("/v1/txs", body);
    // Already in the mempool (422 in kaspad's words) or already in a batch (409): it was taken.
    if (reply.ok() && (reply->first == 409 ||
                       (reply->first == 422 &&
                        reply->second.value("error", "").find(" already ") != std::string::npos))) {
      reply = std::pair<int, json>{202, json::object()};
    }
  }
  if (reply.ok() && (reply->first == 202 || reply->first == 422)) return *reply;
  if (reply.ok() && reply->first == 429) {  // not submitted: try again later
    --mine.submitted;
    mine.submit_ms.pop_back();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return std::nullopt;
  }
  ++mine.http_errors;
  note("load: user " + std::to_string(i) + ": POST /v1/txs: " +
       (reply.ok() ? "HTTP " + std::to_string(reply->first) + " " + reply->second.dump()
                   : reply.error().to_string()));
  return std::nullopt;
}

Fate LoadRun::follow(const ApiClient& client, const kaspa::TxId& id, json& result,
                     std::string& refused) {
  const auto deadline = Clock::now() + seconds(o_.settle_timeout_s);
  while (Clock::now() < deadline) {
    auto r = client.get("/v1/txs/" + id.hex());
    if (r.ok() && r->first == 200) {
      result = r->second;
      return Fate::kExecuted;
    }
    if (r.ok() && r->second.contains("refused")) {
      refused = r->second.value("refused", "?");
      return Fate::kRefusedByL1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(r.ok() && r->first == 429 ? 200 : 40));
  }
  return Fate::kLost;
}

void LoadRun::user(std::uint32_t i) {
  const ApiClient client(o_.api);
  std::mt19937_64 rng(o_.seed * 1'000'003 + i);
  Output funding = outputs_[i];
  const crypto::SecretKey me = user_key(i);
  const crypto::SchnorrPublicKey next = user_key((i + 1) % o_.users).public_key();
  const std::string who = "load: user " + std::to_string(i) + ": ";
  std::uint64_t nonce = 0;
  LoadReport mine;
  while (submitting() && (o_.max_txs == 0 || started_.fetch_add(1) < o_.max_txs)) {
    Intent intent;
    intent.invalid = rng() % 1000 < o_.invalid_permille;
    intent.l1_invalid = intent.invalid && rng() % 2 == 0;
    kaspa::Transaction tx = build_lane_tx(info_.lane, payload(rng, intent, me, next, nonce),
                                          funding.first, funding.second, funder_);
    if (intent.l1_invalid) tx.inputs[0].signature_script.back() ^= 1;  // L1 refuses it
    const kaspa::TxId id = kaspa::tx_id(tx);
    const auto sent = Clock::now();
    const auto reply =
        post(client, {{"tx", core::to_hex(kaspa::serialize_transaction(tx))}}, mine, i);
    if (!reply) continue;
    if (reply->first == 422 && !intent.l1_invalid &&
        reply->second.value("error", "").rfind("not found:", 0) == 0) {
      // A reorg took the block that created the funding output; the transaction that made it is
      // back in the mempool and will be accepted again. Wait for it.
      --mine.submitted;
      mine.submit_ms.pop_back();
      ++mine.reorg_waits;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    if (reply->first == 422) {
      if (intent.l1_invalid) {
        ++mine.rejected_as_intended;
      } else {
        ++mine.unexpected;
        note(who + "refused: " + reply->second.value("error", ""));
      }
      continue;
    }
    if (intent.l1_invalid) ++mine.unexpected;
    // Follow it to executed; its change output funds the next one.
    json result;
    std::string refused;
    const Fate fate = follow(client, id, result, refused);
    if (fate == Fate::kRefusedByL1) {
      // Reported with L1's reason, not lost; the funding output is still the user's.
      ++mine.refused_by_l1;
      note(who + id.hex() + " refused by L1: " + refused);
      continue;
    }
    if (fate == Fate::kLost) {
      ++mine.lost;
      note(who + id.hex() + " accepted but not executed in time");
      break;  // its output is gone until the transaction executes
    }
    mine.executed_ms.push_back(ms_since(sent));
    const bool ok = result.value("ok", false);
    if (ok && !intent.invalid) {
      ++mine.executed_ok;
      if (info_.app == "token") ++nonce;
    } else if (!ok && intent.invalid) {
      ++mine.failed_as_intended;
      ++mine.failure_reasons[result.value("reason", "?")];
    } else {
      ++mine.unexpected;
      note(who + id.hex() + " ok=" + std::to_string(ok) + " but intended " +
           (intent.invalid ? "to fail " : "to succeed ") + result.value("reason", ""));
    }
    funding = {{id, 0}, {tx.outputs[0].value, tx.outputs[0].script_public_key, false, {}}};
  }
  std::lock_guard lock(mutex_);
  report_.merge(mine);
  users_done_.fetch_add(1);
}

std::optional<json> LoadRun::status(const ApiClient& api) const {
  auto st = api.get("/v1/status");
  if (!st.ok() || st->first != 200) return std::nullopt;
  return st->second;
}

void LoadRun::watch(const ApiClient& api) {
  auto next_progress = t0_ + seconds(o_.progress_every_s);
  for (;;) {
    std::this_thread::sleep_until(std::min(Clock::now() + seconds(0.2), deadline_));
    if (Clock::now() >= deadline_ || users_done_.load() == o_.users) return;
    std::optional<json> st;
    if (o_.progress_every_s > 0 && Clock::now() >= next_progress) {
      next_progress += seconds(o_.progress_every_s);
      st = status(api);
      if (st) {
        note(o_.label + "t=" + std::to_string(static_cast<long>(ms_since(t0_) / 1000)) + "s " +
             pipeline_line(*st));
      }
    }
    if (o_.until_settled == 0) continue;
    if (!st) st = status(api);
    if (st && (*st)["settlement"].is_object() &&
        (*st)["settlement"].value("confirmed", std::uint64_t{0}) >= o_.until_settled) {
      note(o_.label + std::to_string(o_.until_settled) +
           " settlements confirmed: stopping the users");
      return;
    }
  }
}

void LoadRun::finish(const ApiClient& api) {
  // The node proves what it executed a little later.
  const auto deadline = Clock::now() + seconds(o_.settle_timeout_s);
  for (;;) {
    if (std::optional<json> st = status(api)) report_.node_status = *st;
    const json& b =
        report_.node_status.contains("batches") ? report_.node_status["batches"] : json();
    const bool done = b.is_object() && (b["proven"].is_null() || b["proven"] == b["executed"]);
    if (done || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (auto st = api.get("/v1/settlements?limit=100"); st.ok() && st->first == 200)
    report_.settlements = st->second.value("settlements", json::array());
  // What the confirmed ones paid out to L1 (exits).
  for (json& s : report_.settlements) {
    if (s.value("status", "") != "confirmed") continue;
    auto e = api.get("/v1/settlements/" + s["seq"].dump() + "/exits");
    if (!e.ok() || e->first != 200) continue;
    s["exit_count"] = e->second["exits"].size();
    s["exit_total"] = e->second.value("total", std::uint64_t{0});
  }
}

LoadReport LoadRun::run() {
  // Users connect one after another: a burst of connections would wait for SYN retransmits.
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < o_.users; ++i) {
    threads.emplace_back([this, i] { user(i); });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const ApiClient api(o_.api);
  watch(api);
  report_.settled_target_missed = o_.until_settled > 0 && Clock::now() >= deadline_;
  done_.store(true);
  for (auto& t : threads) t.join();
  report_.seconds = ms_since(t0_) / 1000;
  finish(api);
  return std::move(report_);
}

}  // namespace

void LoadReport::merge(const LoadReport& m) {
  submitted += m.submitted;
  rejected_as_intended += m.rejected_as_intended;
  executed_ok += m.executed_ok;
  failed_as_intended += m.failed_as_intended;
  unexpected += m.unexpected;
  lost += m.lost;
  refused_by_l1 += m.refused_by_l1;
  resubmissions += m.resubmissions;
  http_errors += m.http_errors;
  reorg_waits += m.reorg_waits;
  submit_ms.insert(submit_ms.end(), m.submit_ms.begin(), m.submit_ms.end());
  executed_ms.insert(executed_ms.end(), m.executed_ms.begin(), m.executed_ms.end());
  for (const auto& [k, v] : m.failure_reasons) failure_reasons[k] += v;
}

core::Result<LoadReport> run_load(const LoadOptions& o, std::ostream& log) {
  if (o.users == 0) return Error{ErrorCode::kInvalid, "--users must be positive"};
  BASALT_ASSIGN_OR_RETURN(crypto::SecretKey funder, read_key_file(o.funding_key_file));
  const ApiClient api(o.api);
  BASALT_ASSIGN_OR_RETURN(NodeInfo info, node_info(api));
  if (info.app != "counter" && info.app != "token")
    return Error{ErrorCode::kInvalid, "load knows the counter and token apps, not " + info.app};
  BASALT_ASSIGN_OR_RETURN(std::vector<Output> outputs, spendable(api, funder));
  if (outputs.size() < o.users) {
    return Error{ErrorCode::kInvalid, "the funding key has " + std::to_string(outputs.size()) +
                                          " spendable outputs; --users needs one each"};
  }
  LoadRun run(o, log, std::move(info), std::move(funder), std::move(outputs));
  return run.run();
}

std::string pipeline_line(const json& st) {
  if (!st.contains("batches") || !st.contains("l1")) return st.dump();
  const json& b = st["batches"];
  const json& lag = st["lag"];
  auto num = [](const json& v) { return v.is_null() ? std::string("-") : v.dump(); };
  std::ostringstream s;
  s << "L1 step " << num(st["l1"]["step"]) << " chain " << num(st["l1"]["chain_length"])
    << " mempool " << num(st["l1"]["mempool"]) << " | batches executed " << num(b["executed"])
    << " committed " << num(b["committed"]) << " proven " << num(b["proven"]) << " settled "
    << num(b["settled"]) << " | lag " << num(lag["executed"]) << "/" << num(lag["committed"]) << "/"
    << num(lag["proven"]) << " | reorgs " << num(st["reorgs"]);
  return s.str();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

json load_report_json(const LoadReport& r) {
  return {{"submitted", r.submitted},
          {"executed_ok", r.executed_ok},
          {"failed_as_intended", r.failed_as_intended},
          {"failure_reasons", r.failure_reasons},
          {"rejected_as_intended", r.rejected_as_intended},
          {"unexpected", r.unexpected},
          {"lost", r.lost},
          {"refused_by_l1", r.refused_by_l1},
          {"resubmissions", r.resubmissions},
          {"http_errors", r.http_errors},
          {"reorg_waits", r.reorg_waits},
          {"seconds", r.seconds},
          {"node_status", r.node_status},
          {"settlements", r.settlements},
          {"settled_target_missed", r.settled_target_missed},
          {"submit_ms_p50", percentile(r.submit_ms, 0.5)},
          {"submit_ms_p99", percentile(r.submit_ms, 0.99)},
          {"executed_ms_p50", percentile(r.executed_ms, 0.5)},
          {"executed_ms_p99", percentile(r.executed_ms, 0.99)}};
}

}  // namespace basalt::client
