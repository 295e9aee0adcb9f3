#include "cli/app_commands.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "cli/tx_commands.hpp"
#include "client/api_client.hpp"
#include "exec/executor.hpp"
#include "node/driver.hpp"

namespace basalt::cli {

using core::Error;
using core::ErrorCode;
using nlohmann::json;

namespace {

// "<64 hex>=<hex>" per flag → data by resource id.
core::Result<std::map<state::ResourceId, core::Bytes>> parse_state(
    const std::vector<std::string>& flags) {
  std::map<state::ResourceId, core::Bytes> out;
  for (const std::string& f : flags) {
    const auto eq = f.find('=');
    if (eq == std::string::npos) {
      return Error{ErrorCode::kInvalid, "--state " + f + ": expected <64 hex digits>=<hex data>"};
    }
    auto id = core::Hash32::from_hex(f.substr(0, eq));
    auto data = core::from_hex(f.substr(eq + 1));
    if (!id.ok() || !data.ok()) {
      return Error{ErrorCode::kInvalid,
                   "--state " + f + ": " + (id.ok() ? data.error() : id.error()).context()};
    }
    out[state::ResourceId(*id)] = std::move(*data);
  }
  return out;
}

void print(const exec::TxRun& t, std::span<const exec::AccessEntry> accesses, bool as_json,
           std::ostream& out) {
  const exec::TxOutcome& o = t.outcome;
  json writes = json::array(), exits = json::array();
  for (std::size_t k = 0; o.ok && k < o.writes.size(); ++k) {
    if (o.writes[k]) {
      writes.push_back({{"id", accesses[k].id.hex()}, {"data", core::to_hex(*o.writes[k])}});
    }
  }
  for (const exec::Exit& e : o.exits) {
    exits.push_back({{"kind", exec::exit_kind_name(e.kind)},
                     {"key", e.key.hex()},
                     {"amount", e.amount}});
  }
  if (as_json) {
    out << json{{"ok", o.ok},
                {"reason", o.ok ? "" : exec::reason_name(o.reason)},
                {"app_code", o.app_code},
                {"detail", o.detail},
                {"cycles", t.run.cycles},
                {"writes", writes},
                {"exits", exits}}
               .dump(2)
        << "\n";
    return;
  }
  if (!o.ok) {
    out << "failed: " << exec::reason_name(o.reason);
    if (o.reason == exec::FailReason::kApp) out << " (code " << o.app_code << ")";
    out << (o.detail.empty() ? "" : ": " + o.detail) << "\n";
    return;
  }
  out << "ok (" << t.run.cycles << " cycles)\n";
  for (const json& w : writes) {
    out << "  wrote " << w["id"].get<std::string>() << " = " << w["data"].get<std::string>()
        << "\n";
  }
  for (const json& e : exits) out << "  exit " << e.dump() << "\n";
}

}  // namespace

int app_try(const AppTryOptions& o, std::ostream& out, std::ostream& log) {
  const auto usage = [&log](const std::string& why) {
    log << "basalt: " << why << "\n";
    return 2;
  };
  std::vector<exec::AccessEntry> accesses;
  for (const std::string& a : o.accesses) {
    auto e = parse_access(a);
    if (!e.ok()) return usage("--access: " + e.error().context());
    accesses.push_back(*e);
  }
  sort_accesses(accesses);
  auto data = core::from_hex(o.data_hex);
  if (!data.ok()) return usage("--data: " + data.error().context());
  auto state = parse_state(o.state);
  if (!state.ok()) return usage(state.error().context());
  auto app = exec::load_app(o.app, o.guest_dir);
  if (!app.ok()) return usage("--app: " + app.error().context());
  // A lane transaction like any other, spending a made-up output with a fixed key: the guest sees
  // its id and payload, never whether L1 would take it.
  const crypto::SecretKey key = *crypto::SecretKey::from_bytes(core::Hash32::filled(1).bytes);
  const kaspa::Transaction tx = client::build_lane_tx(
      node::app_lane(), exec::encode_payload(accesses, *data),
      {kaspa::TxId(core::Hash32::filled(2)), 0},
      {1'000'000, kaspa::p2pk_script(key.public_key()), false, std::nullopt}, key);
  std::vector<core::ByteSpan> before;
  for (const exec::AccessEntry& a : accesses) {
    const auto it = state->find(a.id);
    before.push_back(it == state->end() ? core::ByteSpan() : core::ByteSpan(it->second));
  }
  const exec::TxRun t =
      exec::run_tx(*app, {kaspa::tx_id(tx), 0, core::Hash32()}, tx, accesses, before);
  if (!o.input_out.empty()) {
    std::ofstream f(o.input_out, std::ios::binary);
    f.write(reinterpret_cast<const char*>(t.input.data()),
            static_cast<std::streamsize>(t.input.size()));
    if (!f) return usage("cannot write " + o.input_out);
  }
  print(t, accesses, o.json, out);
  return t.outcome.ok ? 0 : 1;
}

}  // namespace basalt::cli
