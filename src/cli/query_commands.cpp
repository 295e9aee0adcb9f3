#include "cli/query_commands.hpp"

#include <chrono>
#include <thread>

#include "client/api_client.hpp"
#include "state/smt.hpp"

namespace basalt::cli {

using client::ApiClient;
using nlohmann::json;

int status(const std::string& api_url, double wait_s, std::ostream& out, std::ostream& log) {
  const ApiClient api(api_url);
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<long>(wait_s * 1000));
  auto reply = api.get("/v1/status");
  while ((!reply.ok() || reply->first != 200) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    reply = api.get("/v1/status");
  }
  if (!reply.ok() || reply->first != 200) {
    log << "basalt: "
        << (reply.ok() ? "GET /v1/status: HTTP " + std::to_string(reply->first)
                       : reply.error().to_string())
        << "\n";
    return 2;
  }
  const json& s = reply->second;
  const json& l1 = s["l1"];
  const json& b = s["batches"];
  out << "L1: " << l1.value("source", "?") << ", chain block " << l1.value("chain_length", 0)
      << (l1.value("catching_up", false) ? " (catching up)" : "") << "\n";
  out << "batches: executed " << b.value("executed", 0) << ", committed " << b.value("committed", 0)
      << ", proven " << b.value("proven", 0) << ", settled " << b.value("settled", 0) << "\n";
  const json& st = s["settlement"];
  if (st.is_object()) {
    out << "settlements: submitted " << st.value("submitted", 0) << ", confirmed "
        << st.value("confirmed", 0) << "\n";
  } else {
    out << "settlements: none (the node does not settle)\n";
  }
  return 0;
}

int l1_outputs(const std::string& api_url, const std::string& address, double wait_s,
               std::ostream& out, std::ostream& log) {
  const ApiClient api(api_url);
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<long>(wait_s * 1000));
  const std::string path = "/v1/l1/addresses/" + address + "/outputs";
  for (;;) {
    auto reply = api.get(path);
    if (!reply.ok()) {
      log << "basalt: " << reply.error().to_string() << "\n";
      return 2;
    }
    const auto& [code, body] = *reply;
    if (code != 200) {
      log << "basalt: " << body.value("error", "HTTP " + std::to_string(code)) << "\n";
      return 2;
    }
    const json& outputs = body.value("outputs", json::array());
    if (outputs.empty() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    std::uint64_t total = 0;
    for (const json& o : outputs) {
      total += o.value("amount", 0ull);
      out << o.value("tx_id", "") << ":" << o.value("index", 0) << " " << o.value("amount", 0ull)
          << " sompi\n";
    }
    out << outputs.size() << " output(s), " << total << " sompi\n";
    return outputs.empty() ? 1 : 0;
  }
}

int state_get(const std::string& api_url, const std::string& id_hex, const std::string& at,
              std::ostream& out, std::ostream& log) {
  auto id = core::Hash32::from_hex(id_hex);
  if (!id.ok()) {
    log << "basalt: id: a resource id is 64 hex digits; got \"" << id_hex << "\"\n";
    return 2;
  }
  const ApiClient api(api_url);
  auto reply = api.get("/v1/resources/" + id_hex + "?at=" + at);
  if (!reply.ok()) {
    log << "basalt: " << reply.error().to_string() << "\n";
    return 2;
  }
  const auto& [code, body] = *reply;
  if (code != 200) {
    log << "basalt: " << body.value("error", "HTTP " + std::to_string(code)) << "\n";
    return code == 400 ? 2 : 1;
  }
  // The node's word is checked: the proof must rebuild the root it names from this value.
  const state::ResourceId key(*id);
  auto value = core::from_hex(body.value("value", ""));
  auto proof_bytes = core::from_hex(body.value("proof", ""));
  auto root = core::Hash32::from_hex(body.value("root", ""));
  auto proof = proof_bytes.ok() ? state::MultiProof::decode(std::span(&key, 1), *proof_bytes)
                                : core::Result<state::MultiProof>(proof_bytes.error());
  if (!value.ok() || !root.ok() || !proof.ok() || proof->root() != *root ||
      proof->values()[0] != state::value_hash(*value)) {
    log << "basalt: the node's proof does not verify against the root it names\n";
    return 1;
  }
  out << core::to_hex(*value) << "\n";
  log << "batch " << body.value("batch", 0) << ", root " << root->hex() << ": proof verified\n";
  return 0;
}

}  // namespace basalt::cli
