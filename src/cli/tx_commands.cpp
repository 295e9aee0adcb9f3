#include "cli/tx_commands.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "core/byte_writer.hpp"
#include "crypto/sha256.hpp"
#include "users/workload.hpp"
#include "kaspa/limits.hpp"

namespace basalt::cli {

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

core::Result<std::pair<int, json>> parse_reply(const httplib::Result& r, const std::string& what) {
  if (!r) {
    return Error{ErrorCode::kUnavailable,
                 what + ": cannot reach the node (" + httplib::to_string(r.error()) + ")"};
  }
  json body = json::parse(r->body, nullptr, false);
  if (body.is_discarded()) return Error{ErrorCode::kInvalid, what + ": the reply is not JSON"};
  return std::make_pair(r->status, std::move(body));
}

core::Result<crypto::SchnorrPublicKey> parse_pubkey(const std::string& hex) {
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 h, core::Hash32::from_hex(hex));
  return crypto::SchnorrPublicKey{h.bytes};
}

core::Result<exec::AccessEntry> parse_access(const std::string& s) {
  const auto colon = s.find(':');
  const std::string mode = colon == std::string::npos ? "w" : s.substr(colon + 1);
  if (mode != "r" && mode != "w")
    return Error{ErrorCode::kInvalid, "access " + s + ": the mode is r or w"};
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, core::Hash32::from_hex(s.substr(0, colon)));
  return exec::AccessEntry{state::ResourceId(id),
                           mode == "w" ? exec::Access::kWrite : exec::Access::kRead};
}

void sort_accesses(std::vector<exec::AccessEntry>& a) {
  std::sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
}

// The app operation of `tx build`, as a payload.
core::Result<core::Bytes> build_payload(const TxBuildOptions& o) {
  std::vector<exec::AccessEntry> accesses;
  core::Bytes data;
  const int modes = (!o.accesses.empty() || !o.data_hex.empty()) + !o.json_file.empty() +
                    o.counter.has_value() + !o.token_op.empty();
  if (modes != 1) {
    return Error{ErrorCode::kInvalid,
                 "give exactly one of --access/--data, --json, --counter, --token-op"};
  }
  if (o.counter) {
    accesses.push_back({users::counter_resource(*o.counter), exec::Access::kWrite});
  } else if (!o.token_op.empty()) {
    if (o.token_key_file.empty() || o.token_to.empty())
      return Error{ErrorCode::kInvalid, "--token-op needs --token-key and --to"};
    BASALT_ASSIGN_OR_RETURN(const crypto::SecretKey signer, read_key_file(o.token_key_file));
    BASALT_ASSIGN_OR_RETURN(const crypto::SchnorrPublicKey to, parse_pubkey(o.token_to));
    if (o.token_op == "mint") {
      data = users::token_mint(signer, to, o.token_amount, o.token_nonce);
      accesses.push_back({users::token_account_id(to), exec::Access::kWrite});
    } else if (o.token_op == "transfer") {
      data = users::token_transfer(signer, to, o.token_amount, o.token_nonce);
      accesses.push_back({users::token_account_id(signer.public_key()), exec::Access::kWrite});
      if (to != signer.public_key())
        accesses.push_back({users::token_account_id(to), exec::Access::kWrite});
    } else if (o.token_op == "withdraw") {
      // An exit to the L1 address of the x-only key --to (P2PK), paid when the bundle settles.
      const exec::Exit e{exec::ExitKind::kSchnorrP2pk, core::Hash32{to.x}, o.token_amount};
      data = users::token_withdraw(signer, e, o.token_nonce);
      accesses.push_back({users::token_account_id(signer.public_key()), exec::Access::kWrite});
    } else {
      return Error{ErrorCode::kInvalid, "--token-op is mint, transfer or withdraw"};
    }
  } else if (!o.json_file.empty()) {
    std::ifstream in(o.json_file);
    const json j = json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Error{ErrorCode::kInvalid, o.json_file + ": not a JSON object"};
    if (j.contains("accesses")) {
      if (!j["accesses"].is_array())
        return Error{ErrorCode::kInvalid, o.json_file + ": accesses must be an array"};
      for (const json& a : j["accesses"]) {
        if (!a.is_object() || !a.contains("id") || !a["id"].is_string())
          return Error{ErrorCode::kInvalid, o.json_file + ": an access needs an id (hex)"};
        const bool write = a.value("write", true);
        BASALT_ASSIGN_OR_RETURN(const exec::AccessEntry e,
                                parse_access(a["id"].get<std::string>() + (write ? ":w" : ":r")));
        accesses.push_back(e);
      }
    }
    if (j.contains("data")) {
      if (!j["data"].is_string())
        return Error{ErrorCode::kInvalid, o.json_file + ": data must be a hex string"};
      BASALT_ASSIGN_OR_RETURN(data, core::from_hex(j["data"].get<std::string>()));
    }
  } else {
    for (const auto& s : o.accesses) {
      BASALT_ASSIGN_OR_RETURN(const exec::AccessEntry e, parse_access(s));
      accesses.push_back(e);
    }
    BASALT_ASSIGN_OR_RETURN(data, core::from_hex(o.data_hex));
  }
  sort_accesses(accesses);
  return exec::encode_payload(accesses, data);
}

struct NodeInfo {
  kaspa::LaneId lane;
  std::string app;
};

core::Result<NodeInfo> node_info(const ApiClient& api) {
  BASALT_ASSIGN_OR_RETURN(const auto reply, api.get("/v1/info"));
  const json& j = reply.second;
  if (reply.first != 200 || !j.contains("lane") || !j["lane"].is_string())
    return Error{ErrorCode::kInvalid, "/v1/info: unexpected reply " + j.dump()};
  NodeInfo info;
  BASALT_ASSIGN_OR_RETURN(info.lane, kaspa::LaneId::from_hex(j["lane"].get<std::string>()));
  info.app = j.value("app", "");
  return info;
}

using Output = std::pair<kaspa::Outpoint, kaspa::UtxoEntry>;

core::Result<std::vector<Output>> spendable(const ApiClient& api, const crypto::SecretKey& key) {
  const crypto::SchnorrPublicKey pub = key.public_key();
  BASALT_ASSIGN_OR_RETURN(const auto reply,
                          api.get("/v1/l1/p2pk/" + core::to_hex(pub.x) + "/outputs"));
  if (reply.first != 200 || !reply.second.contains("outputs"))
    return Error{ErrorCode::kInvalid, "outputs: unexpected reply " + reply.second.dump()};
  std::vector<Output> out;
  for (const json& o : reply.second["outputs"]) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 id,
                            core::Hash32::from_hex(o.at("tx_id").get<std::string>()));
    kaspa::UtxoEntry e{o.at("amount").get<std::uint64_t>(), kaspa::p2pk_script(pub),
                       o.value("coinbase", false), std::nullopt};
    out.push_back({{kaspa::TxId(id), o.at("index").get<std::uint32_t>()}, e});
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

ApiClient::ApiClient(const std::string& url) : client_(std::make_unique<httplib::Client>(url)) {
  client_->set_connection_timeout(std::chrono::seconds(5));
  client_->set_read_timeout(std::chrono::seconds(30));
  client_->set_keep_alive(true);
  client_->set_tcp_nodelay(true);  // a POST's header and body go out without a Nagle delay
}

ApiClient::~ApiClient() = default;

core::Result<std::pair<int, json>> ApiClient::get(const std::string& path) const {
  httplib::Result r = client_->Get(path);
  if (!r) r = client_->Get(path);  // once more on a fresh connection (a GET changes nothing)
  return parse_reply(r, "GET " + path);
}

core::Result<std::pair<int, json>> ApiClient::post(const std::string& path,
                                                   const json& body) const {
  return parse_reply(client_->Post(path, body.dump(), "application/json"), "POST " + path);
}

core::Result<core::Bytes> ApiClient::get_bytes(const std::string& path) const {
  const httplib::Result r = client_->Get(path);
  if (!r) return Error{ErrorCode::kUnavailable, "GET " + path + ": cannot reach the node"};
  if (r->status == 404) return Error{ErrorCode::kNotFound, "GET " + path + ": " + r->body};
  if (r->status != 200)
    return Error{ErrorCode::kInvalid, "GET " + path + ": HTTP " + std::to_string(r->status)};
  return core::Bytes(r->body.begin(), r->body.end());
}

core::Result<crypto::SecretKey> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::kIo, "cannot read " + path};
  std::string hex;
  in >> hex;
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 h, core::Hash32::from_hex(hex));
  return crypto::SecretKey::from_bytes(h.bytes);
}

kaspa::Transaction build_lane_tx(const kaspa::LaneId& lane, core::Bytes payload,
                                 const kaspa::Outpoint& funding, const kaspa::UtxoEntry& spent,
                                 const crypto::SecretKey& key, std::uint64_t fee) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = lane;
  tx.payload = std::move(payload);
  kaspa::TxInput in;
  in.previous_outpoint = funding;
  tx.inputs.push_back(in);
  tx.outputs.push_back({spent.amount - std::min(fee, spent.amount),
                        kaspa::p2pk_script(key.public_key()), std::nullopt});
  // Deterministic auxiliary randomness: the same transaction always gets the same signature.
  const core::Hash32 aux = crypto::sha256(kaspa::serialize_transaction(tx));
  kaspa::sign_p2pk_input(tx, 0, spent, key, aux);
  return tx;
}

int tx_build(const TxBuildOptions& o, std::ostream& out, std::ostream& log) {
  auto payload = build_payload(o);
  if (!payload.ok()) {
    log << "basalt: " << payload.error().to_string() << "\n";
    return 2;
  }
  auto key = read_key_file(o.funding_key_file);
  if (!key.ok()) {
    log << "basalt: --funding-key: " << key.error().to_string() << "\n";
    return 2;
  }
  const ApiClient api(o.api);
  auto info = node_info(api);
  auto outputs = info.ok() ? spendable(api, *key) : core::Result<std::vector<Output>>(info.error());
  if (!outputs.ok()) {
    log << "basalt: " << outputs.error().to_string() << "\n";
    return 2;
  }
  // The largest output pays, so that repeated builds rarely run dry.
  auto best = std::max_element(
      outputs->begin(), outputs->end(),
      [](const Output& a, const Output& b) { return a.second.amount < b.second.amount; });
  if (best == outputs->end() || best->second.amount <= o.fee) {
    log << "basalt: the funding key has no spendable output above the fee\n";
    return 2;
  }
  const kaspa::Transaction tx =
      build_lane_tx(info->lane, std::move(*payload), best->first, best->second, *key, o.fee);
  out << core::to_hex(kaspa::serialize_transaction(tx)) << "\n";
  log << "tx id " << kaspa::tx_id(tx).hex() << "\n";
  return 0;
}

int tx_submit(const std::string& api_url, const std::string& hex_arg, std::ostream& out,
              std::ostream& log) {
  std::string hex = hex_arg;
  if (hex == "-") std::getline(std::cin, hex);
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  const ApiClient api(api_url);
  auto reply = api.post("/v1/txs", {{"tx", hex}});
  if (!reply.ok()) {
    log << "basalt: " << reply.error().to_string() << "\n";
    return 2;
  }
  const auto& [status, body] = *reply;
  if (status == 202) {
    out << body.value("tx_id", "") << "\n";
    return 0;
  }
  log << "basalt: rejected (HTTP " << status << "): " << body.value("error", body.dump()) << "\n";
  return status == 422 ? 1 : 2;
}

int tx_status(const std::string& api_url, const std::string& id, const std::string& wait_for,
              double timeout_s, std::ostream& out, std::ostream& log) {
  static const std::vector<std::string> kStages = {"executed", "committed", "proven", "settled"};
  auto rank = [](const std::string& s) {
    return std::find(kStages.begin(), kStages.end(), s) - kStages.begin();
  };
  if (!wait_for.empty() && rank(wait_for) == static_cast<long>(kStages.size())) {
    log << "basalt: --wait-for is executed, committed, proven or settled\n";
    return 2;
  }
  const ApiClient api(api_url);
  const auto t0 = Clock::now();
  std::string last_stage;
  for (;;) {
    auto reply = api.get("/v1/txs/" + id);
    if (!reply.ok()) {
      log << "basalt: " << reply.error().to_string() << "\n";
      return 2;
    }
    const auto& [status, body] = *reply;
    const std::string stage = status == 200              ? body.value("stage", "")
                              : body.contains("refused") ? "refused"
                                                         : "pending";
    if (stage != last_stage) {
      log << "tx " << id.substr(0, 16) << ": " << stage << " after "
          << static_cast<long>(ms_since(t0)) << " ms\n";
      last_stage = stage;
    }
    const bool reached = status == 200 && (wait_for.empty() || rank(stage) >= rank(wait_for));
    const bool refused = body.contains("refused");  // by L1: it will never execute
    if (reached || refused || (wait_for.empty() && status != 200) ||
        ms_since(t0) > timeout_s * 1000) {
      out << body.dump(2) << "\n";
      return reached ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

core::Result<LoadReport> run_load(const LoadOptions& o, std::ostream& log) {
  if (o.users == 0) return Error{ErrorCode::kInvalid, "--users must be positive"};
  BASALT_ASSIGN_OR_RETURN(const crypto::SecretKey funder, read_key_file(o.funding_key_file));
  const ApiClient api(o.api);
  BASALT_ASSIGN_OR_RETURN(const NodeInfo info, node_info(api));
  if (info.app != "counter" && info.app != "token")
    return Error{ErrorCode::kInvalid, "load knows the counter and token apps, not " + info.app};
  BASALT_ASSIGN_OR_RETURN(std::vector<Output> outputs, spendable(api, funder));
  if (outputs.size() < o.users) {
    return Error{ErrorCode::kInvalid, "the funding key has " + std::to_string(outputs.size()) +
                                          " spendable outputs; --users needs one each"};
  }
  const crypto::SecretKey authority = users::token_demo_authority();
  auto user_key = [&](std::uint32_t i) {
    core::ByteWriter w;
    w.u64_le(o.seed);
    w.u32_le(i);
    return std::move(crypto::SecretKey::from_bytes(crypto::sha256(w.data()).bytes)).value();
  };

  LoadReport report;
  std::mutex mutex;
  std::atomic<std::uint64_t> started{0};
  const auto t0 = Clock::now();
  const auto deadline_submit = t0 + seconds(o.seconds);
  std::atomic<bool> done_submitting{false};
  std::atomic<std::uint32_t> users_done{0};
  const auto submitting = [&] { return !done_submitting.load() && Clock::now() < deadline_submit; };

  auto user = [&](std::uint32_t i) {
    const ApiClient client(o.api);
    std::mt19937_64 rng(o.seed * 1'000'003 + i);
    Output funding = outputs[i];
    const crypto::SecretKey me = user_key(i);
    const crypto::SchnorrPublicKey next_user = user_key((i + 1) % o.users).public_key();
    std::uint64_t nonce = 0;
    LoadReport mine;
    while (submitting() && (o.max_txs == 0 || started.fetch_add(1) < o.max_txs)) {
      const bool invalid = rng() % 1000 < o.invalid_permille;
      const bool l1_invalid = invalid && rng() % 2 == 0;
      std::vector<exec::AccessEntry> acc;
      core::Bytes data;
      if (info.app == "counter") {
        acc.push_back({users::counter_resource(static_cast<std::uint32_t>(rng() % 1000)),
                       exec::Access::kWrite});
        if (invalid && !l1_invalid) acc.push_back(acc.front());  // a resource declared twice
      } else if (nonce == 0) {
        data = users::token_mint(authority, me.public_key(), 1'000'000, 0);
        if (invalid && !l1_invalid) data.back() ^= 1;  // a bad signature
        acc.push_back({users::token_account_id(me.public_key()), exec::Access::kWrite});
      } else {
        data = users::token_transfer(me, next_user, 1 + rng() % 100, nonce);
        if (invalid && !l1_invalid) data.back() ^= 1;  // a bad signature
        acc.push_back({users::token_account_id(me.public_key()), exec::Access::kWrite});
        acc.push_back({users::token_account_id(next_user), exec::Access::kWrite});
        sort_accesses(acc);
      }
      kaspa::Transaction tx = build_lane_tx(info.lane, exec::encode_payload(acc, data),
                                            funding.first, funding.second, funder, 2000);
      if (l1_invalid) tx.inputs[0].signature_script.back() ^= 1;  // a signature L1 refuses
      const kaspa::TxId id = kaspa::tx_id(tx);
      const json body = {{"tx", core::to_hex(kaspa::serialize_transaction(tx))}};
      const auto sent = Clock::now();
      auto reply = client.post("/v1/txs", body);
      mine.submit_ms.push_back(ms_since(sent));
      ++mine.submitted;
      // The node went away with the request in flight: it may have taken the transaction. The
      // same bytes again tell: a node that has it says so, one that lost it before answering
      // takes it now (each answer is as trustworthy as the first would have been).
      const auto retry_until = Clock::now() + seconds(o.settle_timeout_s);
      const bool in_flight = !reply.ok();  // a 503 after that is "not now", not "no"
      while (in_flight && (!reply.ok() || reply->first == 503) && Clock::now() < retry_until) {
        ++mine.resubmissions;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        reply = client.post("/v1/txs", body);
        if (reply.ok() && reply->first == 422 &&
            reply->second.value("error", "").find(" already ") != std::string::npos) {
          reply = std::pair<int, json>{202, json::object()};
        }
      }
      if (!reply.ok() || (reply->first != 202 && reply->first != 422)) {
        if (reply.ok() && reply->first == 429) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          --mine.submitted;
          mine.submit_ms.pop_back();
          continue;
        }
        ++mine.http_errors;
        std::lock_guard lock(mutex);
        log << "load: user " << i << ": POST /v1/txs: "
            << (reply.ok() ? "HTTP " + std::to_string(reply->first) + " " + reply->second.dump()
                           : reply.error().to_string())
            << "\n";
        continue;
      }
      if (reply->first == 422 && !l1_invalid &&
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
        if (l1_invalid) {
          ++mine.rejected_as_intended;
        } else {
          ++mine.unexpected;
          std::lock_guard lock(mutex);
          log << "load: user " << i << ": refused: " << reply->second.value("error", "") << "\n";
        }
        continue;
      }
      if (l1_invalid) ++mine.unexpected;
      // Follow it to executed; its change output funds the next one.
      const auto deadline = Clock::now() + seconds(o.settle_timeout_s);
      std::optional<json> result;
      std::string refused;
      while (Clock::now() < deadline) {
        auto r = client.get("/v1/txs/" + id.hex());
        if (r.ok() && r->first == 200) {
          result = r->second;
          break;
        }
        if (r.ok() && r->second.contains("refused")) {
          refused = r->second.value("refused", "?");
          break;
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(r.ok() && r->first == 429 ? 200 : 40));
      }
      if (!refused.empty()) {
        // Accepted, then refused by L1 with its reason: reported, not lost; the funding output is
        // still the user's.
        ++mine.refused_by_l1;
        std::lock_guard lock(mutex);
        log << "load: user " << i << ": " << id.hex() << " refused by L1: " << refused << "\n";
        continue;
      }
      if (!result) {
        ++mine.lost;
        std::lock_guard lock(mutex);
        log << "load: user " << i << ": " << id.hex() << " accepted but not executed in time\n";
        break;  // its output is gone until the transaction executes
      }
      mine.executed_ms.push_back(ms_since(sent));
      const bool ok = result->value("ok", false);
      if (ok && !invalid) {
        ++mine.executed_ok;
        if (info.app == "token") ++nonce;
      } else if (!ok && invalid) {
        ++mine.failed_as_intended;
        ++mine.failure_reasons[result->value("reason", "?")];
      } else {
        ++mine.unexpected;
        std::lock_guard lock(mutex);
        log << "load: user " << i << ": " << id.hex() << " ok=" << ok << " but intended "
            << (invalid ? "to fail" : "to succeed") << " " << result->value("reason", "") << "\n";
      }
      funding = {{id, 0},
                 {tx.outputs[0].value, tx.outputs[0].script_public_key, false, std::nullopt}};
    }
    std::lock_guard lock(mutex);
    report.submitted += mine.submitted;
    report.rejected_as_intended += mine.rejected_as_intended;
    report.executed_ok += mine.executed_ok;
    report.failed_as_intended += mine.failed_as_intended;
    report.unexpected += mine.unexpected;
    report.lost += mine.lost;
    report.refused_by_l1 += mine.refused_by_l1;
    report.resubmissions += mine.resubmissions;
    report.http_errors += mine.http_errors;
    report.reorg_waits += mine.reorg_waits;
    report.submit_ms.insert(report.submit_ms.end(), mine.submit_ms.begin(), mine.submit_ms.end());
    report.executed_ms.insert(report.executed_ms.end(), mine.executed_ms.begin(),
                              mine.executed_ms.end());
    for (const auto& [k, v] : mine.failure_reasons) report.failure_reasons[k] += v;
    users_done.fetch_add(1);
  };
  // Users connect one after another: the server's listen backlog is short, and a burst of
  // connections would wait for SYN retransmits.
  std::vector<std::thread> threads;
  for (std::uint32_t i = 0; i < o.users; ++i) {
    threads.emplace_back(user, i);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto status_of = [&]() -> std::optional<json> {
    auto st = api.get("/v1/status");
    if (!st.ok() || st->first != 200) return std::nullopt;
    return st->second;
  };
  // Progress lines, and the end of submitting once enough settlements are confirmed.
  auto next_progress = t0 + seconds(o.progress_every_s);
  // Until the deadline, a target reached, or every user done (--max-txs).
  for (;;) {
    std::this_thread::sleep_until(std::min(Clock::now() + seconds(0.2), deadline_submit));
    if (Clock::now() >= deadline_submit || users_done.load() == o.users) break;
    std::optional<json> st;
    if (o.progress_every_s > 0 && Clock::now() >= next_progress) {
      next_progress += seconds(o.progress_every_s);
      st = status_of();
      if (st) {
        std::lock_guard lock(mutex);
        log << o.label << "t=" << static_cast<long>(ms_since(t0) / 1000) << "s "
            << pipeline_line(*st) << "\n";
      }
    }
    if (o.until_settled > 0) {
      if (!st) st = status_of();
      if (st && (*st)["settlement"].is_object() &&
          (*st)["settlement"].value("confirmed", std::uint64_t{0}) >= o.until_settled) {
        std::lock_guard lock(mutex);
        log << o.label << o.until_settled << " settlements confirmed: stopping the users\n";
        break;
      }
    }
  }
  report.settled_target_missed = o.until_settled > 0 && Clock::now() >= deadline_submit;
  done_submitting.store(true);
  for (auto& t : threads) t.join();
  report.seconds = ms_since(t0) / 1000;
  // The node proves what it executed a little later.
  const auto deadline = Clock::now() + seconds(o.settle_timeout_s);
  while (true) {
    std::optional<json> st = status_of();
    if (st) report.node_status = *st;
    const json& b = report.node_status.contains("batches") ? report.node_status["batches"] : json();
    const bool done = b.is_object() && (b["proven"].is_null() || b["proven"] == b["executed"]);
    if (done || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (auto st = api.get("/v1/settlements?limit=100"); st.ok() && st->first == 200)
    report.settlements = st->second.value("settlements", json::array());
  // What the confirmed ones paid out to L1 (exits).
  for (json& s : report.settlements) {
    if (s.value("status", "") != "confirmed") continue;
    auto e = api.get("/v1/settlements/" + s["seq"].dump() + "/exits");
    if (!e.ok() || e->first != 200) continue;
    s["exit_count"] = e->second["exits"].size();
    s["exit_total"] = e->second.value("total", std::uint64_t{0});
  }
  return report;
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

nlohmann::json load_report_json(const LoadReport& r) {
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

namespace {

// Settlement outcomes and, of the confirmed ones, bundle size and latency (last batch executed to
// settlement confirmed on L1).
void print_settlements(const json& totals, const json& list, std::ostream& out) {
  if (totals.is_object()) {
    out << "  settlement: " << totals.value("confirmed", std::uint64_t{0})
        << " bundles confirmed of " << totals.value("submitted", std::uint64_t{0})
        << " submitted\n";
  }
  if (!list.is_array() || list.empty()) {
    out << "  settlement: none yet\n";
    return;
  }
  std::map<std::string, std::uint64_t> by_status;
  std::vector<double> latency_ms;
  std::uint64_t batches = 0;
  std::uint64_t confirmed = 0;
  std::uint64_t exits = 0, exit_total = 0;
  for (const json& s : list) {
    ++by_status[s.value("status", "?")];
    if (s.value("status", "") != "confirmed") continue;
    ++confirmed;
    exits += s.value("exit_count", std::uint64_t{0});
    exit_total += s.value("exit_total", std::uint64_t{0});
    batches +=
        s.value("last_batch", std::uint64_t{0}) + 1 - s.value("first_batch", std::uint64_t{0});
    if (s["latency_ms"].is_number()) latency_ms.push_back(s["latency_ms"].get<double>());
  }
  out << "  the newest " << list.size() << ":";
  for (const auto& [status, n] : by_status) out << " " << status << " " << n;
  out << "\n";
  if (confirmed == 0) return;
  char line[160];
  std::snprintf(line, sizeof line, "  %-34s %10.1f\n", "batches per confirmed bundle",
                static_cast<double>(batches) / static_cast<double>(confirmed));
  out << line;
  std::snprintf(line, sizeof line, "  %-34s %10llu (%llu sompi)\n", "exits paid into exit outputs",
                static_cast<unsigned long long>(exits),
                static_cast<unsigned long long>(exit_total));
  out << line;
  if (!latency_ms.empty()) {
    std::snprintf(line, sizeof line, "  %-34s %6.0f / %6.0f / %6.0f ms\n",
                  "settlement latency p50 / p90 / max", percentile(latency_ms, 0.5),
                  percentile(latency_ms, 0.9), percentile(latency_ms, 1.0));
    out << line;
  }
  const json& newest = list.front();
  out << "  newest settlement: " << newest.value("seq", std::uint64_t{0}) << " batches "
      << newest.value("first_batch", std::uint64_t{0}) << ".."
      << newest.value("last_batch", std::uint64_t{0}) << " " << newest.value("status", "?")
      << ", tx " << newest.value("tx_id", "?") << "\n";
}

}  // namespace

void print_load_report(const LoadReport& r, std::ostream& out) {
  char line[160];
  auto row = [&](const char* name, std::uint64_t v) {
    std::snprintf(line, sizeof line, "  %-34s %10llu\n", name, static_cast<unsigned long long>(v));
    out << line;
  };
  out << "load: " << r.submitted << " submissions in " << static_cast<long>(r.seconds) << " s\n";
  row("executed, succeeded", r.executed_ok);
  row("executed, failed as intended", r.failed_as_intended);
  for (const auto& [reason, n] : r.failure_reasons) {
    std::snprintf(line, sizeof line, "    %-32s %10llu\n", reason.c_str(),
                  static_cast<unsigned long long>(n));
    out << line;
  }
  row("refused by L1 as intended", r.rejected_as_intended);
  row("unexpected outcomes", r.unexpected);
  row("accepted, then refused by L1", r.refused_by_l1);
  row("accepted but not executed (lost)", r.lost);
  row("resent after a lost connection", r.resubmissions);
  row("HTTP errors", r.http_errors);
  row("waits for a reorged funding output", r.reorg_waits);
  std::snprintf(line, sizeof line, "  %-34s %6.1f / %6.1f / %6.1f ms\n", "submit p50 / p90 / p99",
                percentile(r.submit_ms, 0.5), percentile(r.submit_ms, 0.9),
                percentile(r.submit_ms, 0.99));
  out << line;
  std::snprintf(line, sizeof line, "  %-34s %6.1f / %6.1f / %6.1f ms\n",
                "submit to executed p50 / p90 / p99", percentile(r.executed_ms, 0.5),
                percentile(r.executed_ms, 0.9), percentile(r.executed_ms, 0.99));
  out << line;
  const double executed = static_cast<double>(r.executed_ok + r.failed_as_intended);
  std::snprintf(line, sizeof line, "  %-34s %10.0f tx/s\n", "throughput (API users)",
                r.seconds > 0 ? executed / r.seconds : 0.0);
  out << line;
  const json& st = r.node_status;
  if (!st.contains("batches")) return;
  const json& b = st["batches"];
  auto num = [](const json& v) { return v.is_null() ? std::string("-") : v.dump(); };
  out << "  node: batches executed " << num(b["executed"]) << ", committed " << num(b["committed"])
      << ", proven " << num(b["proven"]) << " (re-execution receipts), settled "
      << num(b["settled"]) << "\n";
  print_settlements(st.contains("settlement") ? st["settlement"] : json(), r.settlements, out);
  if (r.settled_target_missed) out << "  settlement: the target was NOT reached in time\n";
  if (st.contains("transactions")) {
    out << "  node: transactions executed ok " << num(st["transactions"]["ok"]) << ", failed "
        << num(st["transactions"]["failed"]) << " (API and seeded users)\n";
  }
  out << "  node when the load ended: reorgs " << num(st["reorgs"]) << ", state root "
      << st.value("state_root", "?") << "\n";
}

}  // namespace basalt::cli
