#include "node/query.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

#include "exec/abi.hpp"
#include "kaspa/address.hpp"
#include "kaspa/signing.hpp"
#include "node/exits.hpp"
#include "zk/batch.hpp"
#include "zk/exits.hpp"
#include "zk/receipt.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;
using nlohmann::json;

constexpr auto kNodeTimeout = std::chrono::seconds(10);
// Records one /v1/da/activity answer holds at most.
constexpr std::uint64_t kMaxActivityRecords = 256;

// Invalid UTF-8 (from a path or a parameter echoed back) is replaced, never thrown.
Answer answer(int status, const json& body) {
  return {status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json"};
}

Answer bytes_answer(const core::Bytes& b) {
  return {200, std::string(reinterpret_cast<const char*>(b.data()), b.size()),
          "application/octet-stream"};
}

// A decimal query parameter; nullopt for anything else.
std::optional<std::uint64_t> decimal(const std::string& v) {
  if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(v);
}

core::Hash32 hex32(const std::string& s) {
  return *core::Hash32::from_hex(s);  // the routes match 64 hex digits only
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

json exit_json(const exec::Exit& e, kaspa::Network network) {
  const kaspa::ScriptPublicKey spk = exec::exit_script_public_key(e);
  auto address = kaspa::Address::from_script(kaspa::address_prefix(network), spk);
  return {{"kind", exec::exit_kind_name(e.kind)},
          {"key", e.key.hex()},
          {"amount", e.amount},
          {"address", address.ok() ? json(address->to_string()) : json()},
          {"script_public_key", core::to_hex(spk.script)}};
}

// A transaction's exits, from its journal (none unless it succeeded).
json tx_exits_json(const TxRecord& t, kaspa::Network network) {
  json out = json::array();
  if (!t.ok) return out;
  const auto parts = exec::split_journal(t.journal);
  if (!parts) return out;
  auto o = exec::decode_journal_outcome(parts->outcome, parts->ids.size());
  if (o.ok())
    for (const auto& e : o->exits) out.push_back(exit_json(e, network));
  return out;
}

Error not_found(const std::string& what) {
  return Error{ErrorCode::kNotFound, what};
}

Error bad_parameter(const std::string& name, const std::string& expected) {
  return Error{ErrorCode::kInvalid,
               "unknown or bad query parameter " + name + " (" + expected + ")"};
}

}  // namespace

Answer error_answer(int status, const std::string& message) {
  return answer(status, {{"error", message}});
}

Answer error_answer(const core::Error& e) {
  switch (e.code()) {
    case ErrorCode::kInvalid:
      return error_answer(400, e.context());
    case ErrorCode::kNotFound:
      return error_answer(404, e.context());
    case ErrorCode::kUnavailable:
      return error_answer(503, e.to_string());
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
      return error_answer(500, e.to_string());
    default:
      return error_answer(422, e.to_string());
  }
}

core::Result<kaspa::Transaction> parse_submission(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("tx") || !j["tx"].is_string()) {
    return Error{ErrorCode::kInvalid,
                 "expected a JSON object {\"tx\": \"<hex of a serialized transaction>\"}"};
  }
  auto bytes = core::from_hex(j["tx"].get<std::string>());
  if (!bytes.ok()) return Error{ErrorCode::kInvalid, "tx: " + bytes.error().to_string()};
  auto tx = kaspa::deserialize_transaction(*bytes);
  if (!tx.ok()) return Error{ErrorCode::kInvalid, "tx: " + tx.error().to_string()};
  return std::move(*tx);
}

Answer Queries::info() const {
  const Config& c = node_.config();
  const crypto::SecretKey* faucet = node_.faucet_key();
  return answer(
      200,
      {{"app", c.app},
       {"image_id", node_.app_image_id().hex()},
       {"lane", app_lane().hex()},
       {"l1_source", c.l1_source},
       {"network", kaspa::network_name(c.l1_network)},
       {"sim_seed", c.sim_seed},
       {"block_interval_ms", c.block_interval_ms},
       {"faucet_public_key", faucet ? json(core::to_hex(faucet->public_key().x)) : json()},
       {"faucet_address", faucet ? json(kaspa::Address::p2pk(kaspa::address_prefix(c.l1_network),
                                                             faucet->public_key())
                                            .to_string())
                                 : json()},
       {"receipts",
        c.prover_enabled ? "re-execution receipts (not succinct, not zero-knowledge)" : "off"},
       {"covenant_id", node_.covenant_id() ? json(node_.covenant_id()->hex()) : json()},
       {"settlement", node_.settles() ? "on" : "off"},
       {"da",
        {{"role", da_role_name(c.da_role)},
         {"archive", c.da_archive},
         {"snapshots", node_.snapshots() ? c.da_snapshots : 0}}}});
}

Answer Queries::status() const {
  const NodeStatus st = node_.status();
  const bool prover = node_.config().prover_enabled;
  const bool settling = node_.settles();
  const std::uint64_t chain = st.l1_chain_length;
  const auto lag = [&](std::uint64_t b) { return chain - std::min(chain, b); };
  return answer(200, {{"l1",
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
                       {{"executed", lag(st.executed)},
                        {"committed", lag(st.committed)},
                        {"proven", null_or(prover, lag(st.proven))},
                        {"settled", null_or(settling, lag(st.settled_confirmed))}}},
                      {"settlement", settling ? json{{"covenant_batch", st.settled},
                                                     {"submitted", st.settlements},
                                                     {"confirmed", st.settlements_confirmed}}
                                              : json(nullptr)},
                      {"transactions", {{"ok", st.tx_ok}, {"failed", st.tx_failed}}},
                      {"state_root", st.committed_root.hex()},
                      {"proof_queue", st.proof_queue},
                      {"reorgs", st.reorgs},
                      {"submissions", st.submissions},
                      {"disk", disk()}});
}

json Queries::disk() const {
  const SnapshotKeeper* snapshots = node_.snapshots();
  return {{"role", da_role_name(node_.config().da_role)},
          {"state", node_.state_disk_bytes()},
          {"index", node_.index().disk_bytes()},
          {"snapshots", snapshots ? snapshots->store().disk_bytes() : 0}};
}

core::Result<Answer> Queries::batch(const std::string& key) const {
  std::optional<BatchRow> row;
  if (key.size() == 64) {
    BASALT_ASSIGN_OR_RETURN(row, node_.index().batch_by_block(kaspa::BlockHash(hex32(key))));
  } else {
    BASALT_ASSIGN_OR_RETURN(row, node_.index().batch(std::stoull(key)));
  }
  if (!row) return not_found("no executed batch " + key);
  json ids = json::array();
  for (const auto& id : row->tx_ids) ids.push_back(id.hex());
  return answer(200, {{"id", row->id},
                      {"block", row->block.hex()},
                      {"blue_score", row->blue_score},
                      {"step", row->step},
                      {"txs", row->txs},
                      {"failed", row->failed},
                      {"root", row->root ? json(row->root->hex()) : json(nullptr)},
                      {"stage", stage(row->id, node_.status(), node_.config().prover_enabled)},
                      {"tx_ids", ids}});
}

core::Result<Answer> Queries::batch_receipt(std::uint64_t batch) const {
  // A kept receipt above the proven tip may be of a batch a reorg undid.
  if (batch == 0 || batch > node_.status().proven)
    return not_found("batch " + std::to_string(batch) + " is not proven");
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> receipt,
                          node_.index().batch_receipt(batch));
  if (!receipt) return not_found("no receipt kept for batch " + std::to_string(batch));
  return bytes_answer(*receipt);
}

core::Result<Answer> Queries::tx(const std::string& hex) const {
  const kaspa::TxId id(hex32(hex));
  BASALT_ASSIGN_OR_RETURN(const std::optional<TxRecord> rec, node_.index().tx(id));
  if (!rec) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<std::string> refused, node_.index().refusal(id));
    if (refused) {
      return answer(404, {{"error", "transaction " + id.hex() + " was refused by L1: " + *refused},
                          {"refused", *refused}});
    }
    return not_found("transaction " + id.hex() + " is not executed on the current chain");
  }
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> receipt, node_.index().receipt(id));
  json j = {{"id", rec->id.hex()},
            {"batch", rec->batch},
            {"block", rec->block.hex()},
            {"merge_idx", rec->merge_idx},
            {"ok", rec->ok},
            {"cycles", rec->cycles},
            {"journal", core::to_hex(rec->journal)},
            {"stage", stage(rec->batch, node_.status(), node_.config().prover_enabled)},
            {"receipt", receipt.has_value()},
            {"exits", tx_exits_json(*rec, node_.config().l1_network)}};
  if (!rec->ok) {
    j["reason"] = rec->reason;
    j["detail"] = rec->detail;
  }
  BASALT_ASSIGN_OR_RETURN(j["witness"], tx_witness(*rec));
  return answer(200, j);
}

core::Result<json> Queries::tx_witness(const TxRecord& rec) const {
  const std::optional<exec::JournalParts> parts = exec::split_journal(rec.journal);
  if (!parts || parts->ids.empty()) return json(nullptr);
  const std::optional<std::uint64_t> settled = settled_batch();
  const std::uint64_t at = settled && *settled >= rec.batch ? *settled : rec.batch;
  auto v = witness(parts->ids, at);
  // Below the rollback window, without a snapshot there.
  if (!v.ok() && v.error().code() == ErrorCode::kOutOfRange) return json(nullptr);
  if (!v.ok()) return v.error();
  json resources = json::array();
  for (std::size_t i = 0; i < v->ids.size(); ++i)
    resources.push_back({{"id", v->ids[i].hex()}, {"value", core::to_hex(v->values[i])}});
  return json{{"batch", v->batch},
              {"settled", settled && *settled == v->batch},
              {"root", v->root.hex()},
              {"resources", resources},
              {"proof", core::to_hex(v->proof)}};
}

core::Result<Answer> Queries::tx_receipt(const std::string& hex) const {
  const kaspa::TxId id(hex32(hex));
  BASALT_ASSIGN_OR_RETURN(const std::optional<TxRecord> rec, node_.index().tx(id));
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> receipt, node_.index().receipt(id));
  // A receipt of an earlier execution (before a reorg) is served only if it proves this one.
  if (rec && receipt) {
    const auto decoded = zk::decode_receipt(*receipt);
    if (decoded.ok() && decoded->journal == rec->journal) return bytes_answer(*receipt);
  }
  return not_found("no receipt for transaction " + id.hex() + " yet");
}

core::Result<ResourceView> Queries::witness(std::vector<state::ResourceId> ids,
                                            std::optional<std::uint64_t> at) const {
  // A settled state kept as a snapshot answers without the state store, inside its window or not.
  if (const SnapshotKeeper* snapshots = node_.snapshots(); at && snapshots) {
    auto w = snapshots->witness(*at, ids);
    if (w.ok()) return ResourceView{std::move(ids), std::move(w->values), *at, w->root, w->proof};
    if (w.error().code() != ErrorCode::kNotFound) return w.error();
  }
  return node_.resources(std::move(ids), at, kNodeTimeout);
}

std::optional<std::uint64_t> Queries::settled_batch() const {
  if (node_.settles()) return node_.status().settled_confirmed;
  if (const SnapshotKeeper* snapshots = node_.snapshots()) return snapshots->covenant_batch();
  return std::nullopt;
}

core::Result<Answer> Queries::resource(const std::string& hex, const Params& params) const {
  const state::ResourceId id(hex32(hex));
  std::optional<std::uint64_t> at;
  for (const auto& [name, value] : params) {
    if (name == "at" && value == "settled" && settled_batch()) {
      at = settled_batch();
    } else if (name == "at" && decimal(value)) {
      at = decimal(value);
    } else if (name != "at" || value != "committed") {
      return bad_parameter(name, "at: committed, settled or a committed batch number");
    }
  }
  if (at && *at > node_.status().committed)
    return not_found("batch " + std::to_string(*at) + " is not committed");
  BASALT_ASSIGN_OR_RETURN(const ResourceView v, witness({id}, at));
  return answer(200, {{"id", id.hex()},
                      {"value", core::to_hex(v.values[0])},
                      {"batch", v.batch},
                      {"root", v.root.hex()},
                      {"proof", core::to_hex(v.proof)}});
}

core::Result<Answer> Queries::outputs(const std::string& public_key) const {
  crypto::SchnorrPublicKey key;
  key.x = hex32(public_key).bytes;
  return script_outputs(kaspa::p2pk_script(key));
}

core::Result<Answer> Queries::address_outputs(const std::string& text) const {
  BASALT_ASSIGN_OR_RETURN(const kaspa::Address address, kaspa::Address::parse(text));
  const kaspa::Network network = node_.config().l1_network;
  if (address.prefix != kaspa::address_prefix(network)) {
    return Error{ErrorCode::kInvalid, "address " + text + " is not on this node's network (" +
                                          std::string(kaspa::network_name(network)) + ")"};
  }
  return script_outputs(address.script());
}

core::Result<Answer> Queries::script_outputs(const kaspa::ScriptPublicKey& spk) const {
  BASALT_ASSIGN_OR_RETURN(const auto outs, node_.spendable(spk, kNodeTimeout));
  json list = json::array();
  for (const auto& [op, entry] : outs) {
    list.push_back({{"tx_id", op.transaction_id.hex()},
                    {"index", op.index},
                    {"amount", entry.amount},
                    {"coinbase", entry.is_coinbase}});
  }
  return answer(200, {{"outputs", list}});
}

core::Result<Answer> Queries::submit(std::string_view body) const {
  BASALT_ASSIGN_OR_RETURN(const kaspa::Transaction tx, parse_submission(body));
  // A transaction L1 already accepted (a replay, or a retry whose first reply was lost) is named
  // as such, not as whatever the mempool says of its spent inputs.
  const kaspa::TxId id = kaspa::tx_id(tx);
  BASALT_ASSIGN_OR_RETURN(const std::optional<TxRecord> known, node_.index().tx(id));
  if (known) {
    return answer(409,
                  {{"accepted", false},
                   {"tx_id", id.hex()},
                   {"batch", known->batch},
                   {"error", "transaction " + id.hex() + " was already accepted by L1 (batch " +
                                 std::to_string(known->batch) + ")"}});
  }
  BASALT_ASSIGN_OR_RETURN(const SubmitOutcome outcome, node_.submit(tx, kNodeTimeout));
  if (!outcome.accepted) {
    return answer(422,
                  {{"accepted", false}, {"tx_id", outcome.id.hex()}, {"error", outcome.reason}});
  }
  return answer(202, {{"accepted", true}, {"tx_id", outcome.id.hex()}, {"step", outcome.step}});
}

core::Result<Answer> Queries::activity(const Params& params) const {
  if (!node_.config().da_archive)
    return not_found("this node keeps no lane-activity archive ([da] archive = false)");
  std::optional<std::uint64_t> from;
  std::uint64_t count = 64;
  for (const auto& [name, v] : params) {
    const std::optional<std::uint64_t> n = decimal(v);
    if (name == "from" && n && *n >= 1) {
      from = *n;
    } else if (name == "count" && n && *n >= 1 && *n <= kMaxActivityRecords) {
      count = *n;
    } else {
      return bad_parameter(name, "from: a batch number (required); count: 1 to " +
                                     std::to_string(kMaxActivityRecords));
    }
  }
  if (!from) return bad_parameter("from", "a batch number (required)");
  // Up to the committed tip: a record above it may still be rolled back by a reorg.
  const std::uint64_t committed = node_.status().committed;
  json records = json::array();
  for (std::uint64_t b = *from; b < *from + count && b <= committed; ++b) {
    BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> rec, node_.index().activity(b));
    if (!rec) break;  // kept from a later batch on, or pruned
    records.push_back(core::to_hex(*rec));
  }
  if (records.empty())
    return not_found("no lane-activity record of batch " + std::to_string(*from) + " here");
  return answer(200, {{"from", *from},
                      {"lane", app_lane().hex()},
                      {"activity_window", node_.config().finality_depth},
                      {"records", records}});
}

namespace {

const da::SnapshotStore* snapshot_store(const Node& node) {
  return node.snapshots() == nullptr ? nullptr : &node.snapshots()->store();
}

Error no_snapshots() {
  return Error{
      ErrorCode::kNotFound,
      "this node keeps no settled snapshots ([da] snapshots = 0, or [da] covenant not set)"};
}

}  // namespace

core::Result<Answer> Queries::snapshots() const {
  const da::SnapshotStore* store = snapshot_store(node_);
  if (store == nullptr) return no_snapshots();
  json list = json::array();
  for (std::uint64_t b : store->batches()) {
    auto m = store->manifest(b);
    if (!m.ok()) continue;  // pruned meanwhile
    list.push_back({{"batch", m->batch},
                    {"block", m->block.hex()},
                    {"state_root", m->state_root.hex()},
                    {"lane_tip", m->lane_tip.hex()},
                    {"resources", m->resources},
                    {"chunk_resources", m->chunk_resources},
                    {"chunks", m->chunk_hashes.size()}});
  }
  const std::optional<std::uint64_t> at = node_.snapshots()->covenant_batch();
  return answer(200, {{"covenant_id", node_.covenant_id()->hex()},
                      {"covenant_batch", at ? json(*at) : json(nullptr)},
                      {"snapshots", list}});
}

core::Result<Answer> Queries::snapshot_manifest(std::uint64_t batch) const {
  const da::SnapshotStore* store = snapshot_store(node_);
  if (store == nullptr) return no_snapshots();
  BASALT_ASSIGN_OR_RETURN(const core::Bytes bytes, store->manifest_bytes(batch));
  return bytes_answer(bytes);
}

core::Result<Answer> Queries::snapshot_chunk(std::uint64_t batch, std::uint64_t chunk) const {
  const da::SnapshotStore* store = snapshot_store(node_);
  if (store == nullptr) return no_snapshots();
  BASALT_ASSIGN_OR_RETURN(const core::Bytes bytes, store->chunk_bytes(batch, chunk));
  return bytes_answer(bytes);
}

core::Result<Answer> Queries::settlements(const Params& params) const {
  std::uint64_t before = ~std::uint64_t{0};
  std::size_t limit = 20;
  for (const auto& [name, v] : params) {
    const std::optional<std::uint64_t> n = decimal(v);
    if (name == "before" && n) {
      before = *n;
    } else if (name == "limit" && n && *n >= 1 && *n <= 100) {
      limit = *n;
    } else {
      return bad_parameter(name, "before: a settlement number; limit: 1 to 100");
    }
  }
  BASALT_ASSIGN_OR_RETURN(const std::vector<SettlementRecord> list,
                          node_.index().settlements(before, limit));
  json items = json::array();
  for (const SettlementRecord& r : list) items.push_back(settlement_json(r));
  return answer(
      200, {{"covenant_id", node_.covenant_id() ? json(node_.covenant_id()->hex()) : json(nullptr)},
            {"settlements", items}});
}

core::Result<Answer> Queries::settlement(std::uint64_t seq) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<SettlementRecord> rec, node_.index().settlement(seq));
  if (!rec) return not_found("no settlement " + std::to_string(seq));
  return answer(200, settlement_json(*rec));
}

core::Result<Answer> Queries::settlement_exits(std::uint64_t seq) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<SettlementRecord> rec, node_.index().settlement(seq));
  if (!rec) return not_found("no settlement " + std::to_string(seq));
  // The bundle's exits are those of the batch journals the aggregate receipt assumes; the exit
  // events say which are claimed and where the exit output is now.
  BASALT_ASSIGN_OR_RETURN(const std::optional<ExitState> state, exit_state(node_.index(), seq));
  const kaspa::Network network = node_.config().l1_network;
  if (!state) {
    return answer(200, {{"seq", seq},
                        {"status", settlement_status_name(rec->status)},
                        {"permission_spk_hash", core::Hash32().hex()},
                        {"total", 0},
                        {"exit_output", nullptr},
                        {"exits", json::array()}});
  }
  const zk::ExitTree& tree = state->tree;
  std::vector<std::optional<kaspa::TxId>> claims(tree.exits().size());
  for (const ExitEvent& e : state->events) {
    if (e.kind != ExitEvent::Kind::kAppeared) claims[e.index] = e.tx_id;
  }
  json list = json::array();
  for (std::size_t i = 0; i < tree.exits().size(); ++i) {
    json j = exit_json(tree.exits()[i], network);
    j["claimed"] = tree.claimed(i);
    j["claim_tx"] = claims[i] ? json(claims[i]->hex()) : json(nullptr);
    list.push_back(std::move(j));
  }
  // A settlement accepted before the node followed exit outputs has no events: its exit output is
  // the one it created.
  std::optional<kaspa::Outpoint> at = state->output;
  if (state->events.empty() &&
      (rec->status == SettlementStatus::kAccepted || rec->status == SettlementStatus::kConfirmed)) {
    at = kaspa::Outpoint{rec->tx_id, 1};
  }
  json output = nullptr;
  if (at) {
    output = {{"tx_id", at->transaction_id.hex()},
              {"index", at->index},
              {"amount", tree.total()},
              {"address",
               kaspa::Address::p2sh(kaspa::address_prefix(network), tree.redeem()).to_string()},
              {"redeem", core::to_hex(tree.redeem())}};
  }
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 permission, zk::permission_spk_hash(tree.exits()));
  return answer(200, {{"seq", seq},
                      {"status", settlement_status_name(rec->status)},
                      {"permission_spk_hash", permission.hex()},
                      {"root", tree.root().hex()},
                      {"total", tree.total()},
                      {"exit_output", output},
                      {"exits", list}});
}

core::Result<Answer> Queries::settlement_receipt(std::uint64_t seq) const {
  BASALT_ASSIGN_OR_RETURN(const std::optional<core::Bytes> receipt,
                          node_.index().settlement_receipt(seq));
  if (!receipt) return not_found("no settlement " + std::to_string(seq));
  return bytes_answer(*receipt);
}

}  // namespace basalt::node
