#include "client/api_client.hpp"

#include <fcntl.h>
#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "crypto/sha256.hpp"
#include "kaspa/mass.hpp"

namespace basalt::client {

namespace {

using core::Error;
using core::ErrorCode;
using nlohmann::json;

core::Result<std::pair<int, json>> parse_reply(const httplib::Result& r, const std::string& what) {
  if (!r) {
    return Error{ErrorCode::kUnavailable,
                 what + ": cannot reach the node (" + httplib::to_string(r.error()) + ")"};
  }
  json body = json::parse(r->body, nullptr, false);
  if (body.is_discarded()) return Error{ErrorCode::kInvalid, what + ": the reply is not JSON"};
  return std::make_pair(r->status, std::move(body));
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

core::Result<NodeInfo> node_info(const ApiClient& api) {
  BASALT_ASSIGN_OR_RETURN(const auto reply, api.get("/v1/info"));
  const json& j = reply.second;
  if (reply.first != 200 || !j.contains("lane") || !j["lane"].is_string())
    return Error{ErrorCode::kInvalid, "/v1/info: unexpected reply " + j.dump()};
  NodeInfo info;
  BASALT_ASSIGN_OR_RETURN(info.lane, kaspa::LaneId::from_hex(j["lane"].get<std::string>()));
  info.app = j.value("app", "");
  BASALT_ASSIGN_OR_RETURN(info.network, kaspa::parse_network(j.value("network", "")));
  return info;
}

std::optional<Output> largest_output(const std::vector<Output>& outputs) {
  const auto best = std::max_element(
      outputs.begin(), outputs.end(),
      [](const Output& a, const Output& b) { return a.second.amount < b.second.amount; });
  if (best == outputs.end()) return std::nullopt;
  return *best;
}

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

core::Result<crypto::SecretKey> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno)};
  std::string hex;
  in >> hex;
  auto h = core::Hash32::from_hex(hex);
  if (hex.size() != 64 || !h.ok())
    return Error{ErrorCode::kInvalid, path + ": not a secret key (64 hex digits)"};
  auto key = crypto::SecretKey::from_bytes(h->bytes);
  if (!key.ok()) return Error{ErrorCode::kInvalid, path + ": " + key.error().context()};
  return std::move(key).value();
}

core::Status write_key_file(const std::string& path, const crypto::SecretKey& key) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{ErrorCode::kIo, "cannot create " + path + ": " + std::strerror(errno)};
  const std::string text = core::to_hex(key.export_bytes()) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int saved = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    return Error{ErrorCode::kIo,
                 "cannot write " + path + ": " + std::strerror(written ? errno : saved)};
  }
  return core::Status::Ok();
}

kaspa::Transaction build_lane_tx(const kaspa::LaneId& lane, core::Bytes payload,
                                 const kaspa::Outpoint& funding, const kaspa::UtxoEntry& spent,
                                 const crypto::SecretKey& key, std::optional<std::uint64_t> fee) {
  kaspa::Transaction tx;
  tx.version = kaspa::kTxVersionToccata;
  tx.subnetwork_id = lane;
  tx.payload = std::move(payload);
  kaspa::TxInput in;
  in.previous_outpoint = funding;
  in.compute_commit = {kaspa::ComputeCommit::Kind::kComputeBudget, 0};
  tx.inputs.push_back(in);
  tx.outputs.push_back({spent.amount, kaspa::p2pk_script(key.public_key()), std::nullopt});
  const auto sign = [&] {
    // Deterministic auxiliary randomness: the same transaction always gets the same signature.
    const core::Hash32 aux = crypto::sha256(kaspa::serialize_transaction(tx));
    kaspa::sign_p2pk_input(tx, 0, spent, key, aux);
  };
  // Signed once to be priced: the signature script counts in the mass, the fee does not.
  if (!fee) sign();
  tx.outputs[0].value -= std::min(fee ? *fee : kaspa::minimum_fee(tx), spent.amount);
  sign();
  return tx;
}

}  // namespace basalt::client
