#include "cli/tx_commands.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>
#include <tuple>

#include "client/api_client.hpp"
#include "client/claim.hpp"
#include "client/witness.hpp"
#include "kaspa/address.hpp"
#include "users/workload.hpp"

namespace basalt::cli {

namespace {

using client::ApiClient;
using client::build_lane_tx;
using client::LoadReport;
using client::Output;
using client::percentile;
using client::read_key_file;
using core::Error;
using core::ErrorCode;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// --to: an address on the node's network, or an x-only public key in hex (its P2PK address).
core::Result<kaspa::Address> parse_recipient(const std::string& to, kaspa::Network network) {
  const kaspa::AddressPrefix prefix = kaspa::address_prefix(network);
  if (to.find(':') == std::string::npos) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 h, core::Hash32::from_hex(to));
    return kaspa::Address::p2pk(prefix, crypto::SchnorrPublicKey{h.bytes});
  }
  BASALT_ASSIGN_OR_RETURN(kaspa::Address a, kaspa::Address::parse(to));
  if (a.prefix != prefix) {
    return Error{ErrorCode::kInvalid, "--to " + to + " is not on the node's network (" +
                                          std::string(kaspa::network_name(network)) + ")"};
  }
  return a;
}

// The token app's accounts are x-only keys: a P2PK address's payload.
core::Result<crypto::SchnorrPublicKey> account_key(const kaspa::Address& a) {
  if (a.version != kaspa::AddressVersion::kPubKey)
    return Error{ErrorCode::kInvalid, "--to: token accounts are P2PK (Schnorr) addresses"};
  crypto::SchnorrPublicKey key;
  std::copy(a.payload.begin(), a.payload.end(), key.x.begin());
  return key;
}

// An exit pays a P2PK or a P2SH address (docs/abi.md §3.1); ECDSA keys cannot receive one.
core::Result<exec::Exit> exit_to(const kaspa::Address& a, std::uint64_t amount) {
  if (a.version == kaspa::AddressVersion::kPubKeyEcdsa)
    return Error{ErrorCode::kInvalid, "--to: an exit pays a P2PK or P2SH address, not ECDSA"};
  core::Hash32 key;
  std::copy(a.payload.begin(), a.payload.end(), key.bytes.begin());
  const exec::ExitKind kind = a.version == kaspa::AddressVersion::kScriptHash
                                  ? exec::ExitKind::kP2sh
                                  : exec::ExitKind::kSchnorrP2pk;
  return exec::Exit{kind, key, amount};
}

// The token app's operation of `tx build`: its accesses and app data.
core::Result<std::pair<std::vector<exec::AccessEntry>, core::Bytes>> token_operation(
    const TxBuildOptions& o, kaspa::Network network) {
  BASALT_ASSIGN_OR_RETURN(const crypto::SecretKey signer, read_key_file(o.token_key_file));
  BASALT_ASSIGN_OR_RETURN(const kaspa::Address recipient, parse_recipient(o.token_to, network));
  const exec::AccessEntry own{users::token_account_id(signer.public_key()), exec::Access::kWrite};
  if (o.token_op == "withdraw") {
    // An exit to that L1 address, paid when the bundle settles.
    BASALT_ASSIGN_OR_RETURN(const exec::Exit e, exit_to(recipient, o.token_amount));
    return std::pair{std::vector{own}, users::token_withdraw(signer, e, o.token_nonce)};
  }
  BASALT_ASSIGN_OR_RETURN(const crypto::SchnorrPublicKey to, account_key(recipient));
  const exec::AccessEntry theirs{users::token_account_id(to), exec::Access::kWrite};
  if (o.token_op == "mint") {
    return std::pair{std::vector{theirs},
                     users::token_mint(signer, to, o.token_amount, o.token_nonce)};
  }
  if (o.token_op == "transfer") {
    std::vector<exec::AccessEntry> accesses{own};
    if (to != signer.public_key()) accesses.push_back(theirs);
    return std::pair{accesses, users::token_transfer(signer, to, o.token_amount, o.token_nonce)};
  }
  return Error{ErrorCode::kInvalid, "--token-op is mint, transfer or withdraw"};
}

// The app operation of `tx build`, as a payload.
core::Result<core::Bytes> build_payload(const TxBuildOptions& o, kaspa::Network network) {
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
    BASALT_ASSIGN_OR_RETURN(std::tie(accesses, data), token_operation(o, network));
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

}  // namespace

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

int tx_build(const TxBuildOptions& o, std::ostream& out, std::ostream& log) {
  auto key = read_key_file(o.funding_key_file);
  if (!key.ok()) {
    log << "basalt: --funding-key: " << key.error().to_string() << "\n";
    return 2;
  }
  const ApiClient api(o.api);
  auto info = node_info(api);
  if (!info.ok()) {
    log << "basalt: " << info.error().to_string() << "\n";
    return 2;
  }
  auto payload = build_payload(o, info->network);
  if (!payload.ok()) {
    log << "basalt: " << payload.error().to_string() << "\n";
    return 2;
  }
  auto outputs = spendable(api, *key);
  if (!outputs.ok()) {
    log << "basalt: " << outputs.error().to_string() << "\n";
    return 2;
  }
  const std::optional<Output> best = client::largest_output(*outputs);
  if (!best) {
    log << "basalt: the funding key has no spendable output\n";
    return 2;
  }
  const kaspa::Transaction tx =
      build_lane_tx(info->lane, std::move(*payload), best->first, best->second, *key, o.fee);
  const std::uint64_t fee = best->second.amount - tx.outputs[0].value;
  if (tx.outputs[0].value == 0) {
    log << "basalt: the funding key's largest output (" << best->second.amount
        << " sompi) does not cover the fee\n";
    return 2;
  }
  out << core::to_hex(kaspa::serialize_transaction(tx)) << "\n";
  log << "tx id " << kaspa::tx_id(tx).hex() << ", fee " << fee << " sompi\n";
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
  if (status == 409) {
    log << "basalt: " << body.value("error", body.dump()) << "\n";
    return 1;
  }
  log << "basalt: rejected (HTTP " << status << "): " << body.value("error", body.dump()) << "\n";
  return status == 422 ? 1 : 2;
}

int tx_claim(const TxClaimOptions& o, std::ostream& out, std::ostream& log) {
  if (o.exit.has_value() + !o.to.empty() + !o.tx.empty() != 1 ||
      o.tx.empty() == (o.settlement == 0)) {
    log << "basalt: give --settlement with --exit or --to, or --tx alone\n";
    return 2;
  }
  if (!o.tx.empty() && !core::Hash32::from_hex(o.tx)) {
    log << "basalt: --tx: a transaction id is 64 hex digits; got \"" << o.tx << "\"\n";
    return 2;
  }
  auto key = read_key_file(o.fee_key_file);
  if (!key.ok()) {
    log << "basalt: --fee-key: " << key.error().to_string() << "\n";
    return 2;
  }
  const ApiClient api(o.api);
  std::uint64_t seq = o.settlement;
  client::ExitChoice choice{o.exit, o.to, std::nullopt};
  if (!o.tx.empty()) {
    auto w = client::withdrawal(api, o.tx);
    if (!w.ok()) {
      log << "basalt: " << w.error().context() << "\n";
      return w.error().code() == ErrorCode::kUnavailable ? 2 : 1;
    }
    std::tie(seq, choice) = *w;
  }
  auto plan = client::plan_claim(api, seq, choice);
  if (!plan.ok()) {
    log << "basalt: " << plan.error().context() << "\n";
    return plan.error().code() == ErrorCode::kUnavailable ? 2 : 1;
  }
  auto tx = client::build_claim(api, *plan, *key, o.fee);
  if (!tx.ok()) {
    log << "basalt: " << tx.error().context() << "\n";
    return 2;
  }
  const exec::Exit& e = plan->tree.exits()[plan->exit];
  log << "claim of exit " << plan->exit << " (" << e.amount << " sompi) from "
      << plan->exit_output.transaction_id.hex() << ":" << plan->exit_output.index << ": tx "
      << kaspa::tx_id(*tx).hex() << "\n";
  const std::string hex = core::to_hex(kaspa::serialize_transaction(*tx));
  if (o.build_only) {
    out << hex << "\n";
    return 0;
  }
  return tx_submit(o.api, hex, out, log);
}

namespace {

// Checks the witness an executed transaction comes with and says what it holds; false when its
// proof does not check out.
bool report_witness(const nlohmann::json& body, std::ostream& log) {
  if (!body.contains("witness") || body["witness"].is_null()) return true;
  auto w = client::check_witness(body["witness"]);
  if (!w.ok()) {
    log << "basalt: " << w.error().to_string() << "\n";
    return false;
  }
  log << "witness: " << w->resources.size() << " resource(s) after batch " << w->batch
      << (w->settled ? " (settled)" : " (not settled yet)") << ", root " << w->root.hex()
      << ": proof verified\n";
  return true;
}

}  // namespace

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
  if (!core::Hash32::from_hex(id)) {
    log << "basalt: id: a transaction id is 64 hex digits; got \"" << id << "\"\n";
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
    const bool timed_out = ms_since(t0) > timeout_s * 1000;
    if (reached || refused || (wait_for.empty() && status != 200) || timed_out) {
      out << body.dump(2) << "\n";
      if (!reached && !refused && timed_out && !wait_for.empty()) {
        log << "basalt: timed out after " << timeout_s << " s: the transaction is " << stage
            << ", not " << wait_for << "\n";
      }
      if (reached && !report_witness(body, log)) return 1;
      return reached ? 0 : 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
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
