// The node's HTTP API over loopback: a bounded load test with many concurrent clients, the CLI's
// build → submit → status round trip, and the 4xx answers to bad requests.
#include <gtest/gtest.h>
#include <httplib.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/bench_api.hpp"
#include "cli/node_command.hpp"
#include "cli/tx_commands.hpp"
#include "client/api_client.hpp"
#include "client/witness.hpp"
#include "core/files.hpp"
#include "kaspa/address.hpp"
#include "kaspa/mass.hpp"
#include "node/api.hpp"
#include "node/node.hpp"
#include "settle/covenant.hpp"
#include "test_util.hpp"
#include "zk/journal.hpp"
#include "zk/prover.hpp"
#include "zk/receipt.hpp"
#include "zk/reexec/reexec.hpp"

namespace basalt::cli {
namespace {

// A node with its API on a free loopback port, running on its own thread.
class LiveNode {
 public:
  explicit LiveNode(const std::string& app, std::uint32_t rate = 0, std::uint32_t burst = 1) {
    node::Config c;
    c.data_dir = dir_.path();
    c.app = app;
    c.guest_dir = BASALT_GUEST_DIR;
    c.block_interval_ms = 20;
    c.sync = false;
    c.api_port = 0;
    c.api_threads = 64;
    c.rate_limit_per_second = rate;
    c.rate_limit_burst = burst;
    c.max_body_bytes = 64 * 1024;
    auto n = node::Node::open(c, log_);
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    node_ = std::move(*n);
    auto api = node::Api::start(*node_, log_);
    EXPECT_TRUE(api.ok());
    api_ = std::move(*api);
    url_ = "http://127.0.0.1:" + std::to_string(api_->port());
    key_file_ = dir_.sub("faucet.key");
    std::ofstream(key_file_) << core::to_hex(node_->faucet_key()->export_bytes()) << "\n";
    runner_ = std::thread([this] { EXPECT_TRUE(node_->run(stop_).ok()); });
  }
  ~LiveNode() {
    stop_.store(true);
    runner_.join();
    api_.reset();
    node_.reset();
  }
  const std::string& url() const { return url_; }
  std::uint16_t port() const { return api_->port(); }
  const std::string& key_file() const { return key_file_; }
  node::Node& node() { return *node_; }

 private:
  std::ostringstream out_;
  node::Logger log_{out_, node::LogLevel::kWarn, false};
  test::TempDir dir_;
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<node::Api> api_;
  std::string url_, key_file_;
  std::atomic<bool> stop_{false};
  std::thread runner_;
};

TEST(Api, ManyConcurrentClientsLoseNothing) {
  for (const std::string app : {"token", "counter"}) {
    SCOPED_TRACE(app);
    LiveNode n(app);
    client::LoadOptions o;
    o.api = n.url();
    o.funding_key_file = n.key_file();
    o.users = 48;
    o.seconds = 3;
    o.invalid_permille = 150;
    o.settle_timeout_s = 30;
    auto r = client::run_load(o, std::cerr);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    std::cout << app << ":\n";
    print_load_report(*r, std::cout);
    EXPECT_GT(r->executed_ok, 20u);
    // --seconds alone is honoured: users go on submitting until it ends.
    EXPECT_GE(r->seconds, 3.0);
    EXPECT_GT(r->submitted, static_cast<std::uint64_t>(o.users));
    EXPECT_GT(r->failed_as_intended, 0u);
    EXPECT_GT(r->rejected_as_intended, 0u);
    EXPECT_EQ(r->unexpected, 0u);
    EXPECT_EQ(r->lost, 0u);
    EXPECT_EQ(r->http_errors, 0u);
    EXPECT_EQ(r->submitted, r->executed_ok + r->failed_as_intended + r->rejected_as_intended);
    // Every accepted submission reached the index through the pipeline.
    EXPECT_EQ(n.node().status().submissions, r->executed_ok + r->failed_as_intended);
  }
}

TEST(Api, BuildSubmitAndFollowATransactionToSettled) {
  LiveNode n("counter");
  TxBuildOptions b;
  b.api = n.url();
  b.funding_key_file = n.key_file();
  b.counter = 7;
  std::ostringstream hex, log;
  ASSERT_EQ(tx_build(b, hex, log), 0) << log.str();
  std::ostringstream id;
  ASSERT_EQ(tx_submit(n.url(), hex.str(), id, log), 0) << log.str();
  std::string tx_id = id.str();
  tx_id.pop_back();
  std::ostringstream status;
  // An id of the wrong length is refused before the node is asked; a transaction nobody sent
  // times out saying so.
  std::ostringstream bad_log, unknown_log;
  EXPECT_EQ(tx_status(n.url(), tx_id.substr(2), "", 1, status, bad_log), 2);
  EXPECT_NE(bad_log.str().find("id: a transaction id is 64 hex digits"), std::string::npos)
      << bad_log.str();
  EXPECT_EQ(tx_status(n.url(), std::string(64, 'a'), "executed", 0.3, status, unknown_log), 1);
  EXPECT_NE(unknown_log.str().find("timed out after 0.3 s: the transaction is pending, not "
                                   "executed"),
            std::string::npos)
      << unknown_log.str();
  status.str("");
  ASSERT_EQ(tx_status(n.url(), tx_id, "settled", 60, status, log), 0) << log.str();
  const auto j = nlohmann::json::parse(status.str());
  EXPECT_EQ(j["stage"], "settled");
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["receipt"], true);
  // A confirmed settlement covers its batch, and its aggregate receipt is the one L1 took: its
  // journal is the settlement's and it verifies under the aggregate guest.
  const client::ApiClient api(n.url());
  const std::uint64_t batch = j["batch"];
  auto list = api.get("/v1/settlements?limit=100");
  ASSERT_TRUE(list.ok());
  const nlohmann::json* covering = nullptr;
  for (const auto& s : list->second["settlements"]) {
    if (s["status"] == "confirmed" && s["first_batch"] <= batch && batch <= s["last_batch"])
      covering = &s;
  }
  ASSERT_NE(covering, nullptr) << list->second.dump();
  auto agg = api.get_bytes("/v1/settlements/" + covering->at("seq").dump() + "/receipt");
  ASSERT_TRUE(agg.ok());
  auto agg_receipt = zk::decode_receipt(*agg);
  ASSERT_TRUE(agg_receipt.ok());
  EXPECT_EQ(core::to_hex(agg_receipt->journal), covering->at("journal"));
  auto app = exec::load_app("counter", BASALT_GUEST_DIR);
  ASSERT_TRUE(app.ok());
  auto guests = zk::load_guests(*app, BASALT_GUEST_DIR);
  ASSERT_TRUE(guests.ok());
  zk::ReexecProofSystem ps;
  zk::register_guests(ps, *guests);
  EXPECT_TRUE(ps.verify(*agg_receipt, guests->aggregate.program->image_id()).ok());
  // The counter against the settled root: the root the newest confirmed settlement put into the
  // covenant.
  auto settled = api.get("/v1/resources/" + users::counter_resource(7).hex() + "?at=settled");
  ASSERT_TRUE(settled.ok());
  ASSERT_EQ(settled->first, 200) << settled->second.dump();
  // Listed after the query: settlement only moves on.
  auto after = api.get("/v1/settlements?limit=100");
  ASSERT_TRUE(after.ok());
  std::optional<zk::StateTransition> at_settled;
  for (const auto& s : after->second["settlements"]) {
    if (s["status"] == "confirmed" && s["last_batch"] == settled->second["batch"]) {
      auto bytes = core::from_hex(s["journal"].get<std::string>());
      ASSERT_TRUE(bytes.ok());
      at_settled = *zk::decode_state_transition(*bytes);
    }
  }
  ASSERT_TRUE(at_settled.has_value()) << settled->second.dump();
  EXPECT_EQ(settled->second["root"], at_settled->new_state.hex());
  EXPECT_EQ(settled->second["value"], "01000000");
  // The transaction's own witness, for safekeeping: what it accessed, against a settled root (the
  // newest settled state when it was asked), its proof checked by tx status and here.
  EXPECT_NE(log.str().find("(settled), root "), std::string::npos) << log.str();
  auto w = client::check_witness(j["witness"]);
  ASSERT_TRUE(w.ok()) << w.error().to_string() << j.dump();
  EXPECT_TRUE(w->settled);
  EXPECT_GE(w->batch, batch);
  ASSERT_EQ(w->resources.size(), 1u);
  EXPECT_EQ(w->resources[0].first, users::counter_resource(7));
  EXPECT_EQ(core::to_hex(w->resources[0].second), "01000000");
  bool a_settlement_ends_there = false;
  for (const auto& s : after->second["settlements"]) {
    if (s["status"] == "confirmed" && s["last_batch"] == w->batch) {
      auto bytes = core::from_hex(s["journal"].get<std::string>());
      ASSERT_TRUE(bytes.ok());
      EXPECT_EQ(zk::decode_state_transition(*bytes)->new_state, w->root);
      a_settlement_ends_there = true;
    }
  }
  EXPECT_TRUE(a_settlement_ends_there) << j.dump();
  // What the node's stores take on disk, by role.
  auto node_status = api.get("/v1/status");
  ASSERT_TRUE(node_status.ok());
  const nlohmann::json& disk = node_status->second["disk"];
  EXPECT_EQ(disk["role"], "operator");
  EXPECT_GT(disk["state"].get<std::uint64_t>(), 0u);
  EXPECT_GT(disk["index"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(disk["snapshots"].get<std::uint64_t>(), 0u);  // an operator keeps none by default
  // A witness whose value was changed no longer checks out.
  nlohmann::json forged = j["witness"];
  forged["resources"][0]["value"] = "02000000";
  EXPECT_EQ(client::check_witness(forged).error().code(), core::ErrorCode::kVerifyFailed);
  auto batch_receipt = api.get_bytes("/v1/batches/" + std::to_string(batch) + "/receipt");
  ASSERT_TRUE(batch_receipt.ok());
  auto br = zk::decode_receipt(*batch_receipt);
  ASSERT_TRUE(br.ok());
  EXPECT_TRUE(ps.verify(*br, guests->batch.program->image_id()).ok());
  // The counter it incremented, with its proof.
  auto res = api.get("/v1/resources/" + users::counter_resource(7).hex());
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->second["value"], "01000000");
  auto receipt = api.get_bytes("/v1/txs/" + tx_id + "/receipt");
  ASSERT_TRUE(receipt.ok());
  EXPECT_FALSE(receipt->empty());
  // The same transaction again is a replay the node refuses, saying that it was accepted.
  std::ostringstream again, why;
  EXPECT_EQ(tx_submit(n.url(), hex.str(), again, why), 1);
  EXPECT_NE(why.str().find("was already accepted by L1 (batch "), std::string::npos) << why.str();
}

// A token withdrawal through the API: its exit shows on the transaction and on the settlement
// that covers it, the settlement's exit output holds it on L1, and a claim submitted through the
// API pays it to the L1 key it names.
TEST(Api, AWithdrawalIsPaidOnL1ThroughItsSettlementsExitOutput) {
  LiveNode n("token");
  const client::ApiClient api(n.url());
  test::TempDir keys;
  const auto write_key = [&](const std::string& name, const crypto::SecretKey& k) {
    const std::string path = keys.sub(name);
    std::ofstream(path) << core::to_hex(k.export_bytes()) << "\n";
    return path;
  };
  const crypto::SecretKey alice = *crypto::SecretKey::from_bytes(core::Hash32::filled(0xa1).bytes);
  const crypto::SecretKey bob = *crypto::SecretKey::from_bytes(core::Hash32::filled(0xb0).bytes);
  const std::string bob_address =
      kaspa::Address::p2pk(kaspa::AddressPrefix::kSimnet, bob.public_key()).to_string();
  std::ostringstream log;
  // Submits one token operation signed by `signer` and waits for it to reach `stage`.
  const auto op = [&](const std::string& what, const std::string& signer, std::uint64_t amount,
                      std::uint64_t nonce, const std::string& stage) {
    TxBuildOptions b;
    b.api = n.url();
    b.funding_key_file = n.key_file();
    b.token_op = what;
    b.token_key_file = signer;
    // Alice by her key in hex, Bob by his L1 address on the node's network.
    b.token_to = what == "mint" ? core::to_hex(alice.public_key().x) : bob_address;
    b.token_amount = amount;
    b.token_nonce = nonce;
    std::ostringstream hex, id, status;
    EXPECT_EQ(tx_build(b, hex, log), 0) << log.str();
    EXPECT_EQ(tx_submit(n.url(), hex.str(), id, log), 0) << log.str();
    std::string tx_id = id.str();
    if (!tx_id.empty()) tx_id.pop_back();
    EXPECT_EQ(tx_status(n.url(), tx_id, stage, 90, status, log), 0) << log.str();
    return tx_id;
  };
  op("mint", write_key("authority", users::token_demo_authority()), 1000, 0, "committed");
  const std::string withdrawal = op("withdraw", write_key("alice", alice), 250, 1, "settled");
  if (::testing::Test::HasFailure()) return;

  auto tx = api.get("/v1/txs/" + withdrawal);
  ASSERT_TRUE(tx.ok());
  ASSERT_EQ(tx->second["exits"].size(), 1u) << tx->second.dump();
  EXPECT_EQ(tx->second["exits"][0]["amount"], 250);
  EXPECT_EQ(tx->second["exits"][0]["key"], core::to_hex(bob.public_key().x));
  EXPECT_EQ(tx->second["exits"][0]["address"], bob_address);
  const std::uint64_t batch = tx->second["batch"];
  auto list = api.get("/v1/settlements?limit=100");
  ASSERT_TRUE(list.ok());
  std::optional<std::uint64_t> seq;
  for (const auto& s : list->second["settlements"]) {
    if (s["status"] == "confirmed" && s["first_batch"] <= batch && batch <= s["last_batch"])
      seq = s["seq"];
  }
  ASSERT_TRUE(seq.has_value()) << list->second.dump();
  auto exits = api.get("/v1/settlements/" + std::to_string(*seq) + "/exits");
  ASSERT_TRUE(exits.ok());
  const nlohmann::json& e = exits->second;
  ASSERT_EQ(e["exits"].size(), 1u) << e.dump();
  EXPECT_EQ(e["total"], 250);
  ASSERT_TRUE(e["exit_output"].is_object()) << e.dump();

  // Claim it with `tx claim`: the exit output is the settlement's output 1; the fee comes from the
  // faucet. The tree the client rebuilds from the listed exits matches the node's.
  auto tree = zk::ExitTree::build(
      {exec::Exit{exec::ExitKind::kSchnorrP2pk, core::Hash32{bob.public_key().x}, 250}});
  ASSERT_TRUE(tree.ok());
  EXPECT_EQ(e["permission_spk_hash"], tree->permission_spk_hash().hex());
  EXPECT_EQ(e["exit_output"]["address"],
            kaspa::Address::p2sh(kaspa::AddressPrefix::kSimnet, tree->redeem()).to_string());
  EXPECT_EQ(e["exits"][0]["claimed"], false);
  TxClaimOptions c;
  c.api = n.url();
  c.settlement = *seq;
  c.to = kaspa::Address::p2pk(kaspa::AddressPrefix::kSimnet, alice.public_key()).to_string();
  c.fee_key_file = n.key_file();
  std::ostringstream none_out, none_log;
  EXPECT_EQ(tx_claim(c, none_out, none_log), 1);
  EXPECT_NE(none_log.str().find("no unclaimed exit of this settlement pays " + c.to),
            std::string::npos)
      << none_log.str();
  // By the withdrawal's id: the settlement covering it is found.
  c.settlement = 0;
  c.to.clear();
  c.tx = withdrawal;
  std::ostringstream claim_id;
  ASSERT_EQ(tx_claim(c, claim_id, log), 0) << log.str();
  std::string claim_tx = claim_id.str();
  claim_tx.pop_back();
  const std::string bob_outputs = "/v1/l1/addresses/" + bob_address + "/outputs";
  bool paid = false;
  for (int i = 0; i < 300 && !paid; ++i) {
    auto outs = api.get(bob_outputs);
    ASSERT_TRUE(outs.ok());
    for (const auto& o : outs->second["outputs"]) paid |= o["amount"] == 250;
    if (!paid) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(paid) << "the claim did not pay bob on L1";
  // The node saw the claim: the exit is claimed by it and nothing is left to claim; a second claim
  // is refused before anything is built.
  nlohmann::json after;
  for (int i = 0; i < 300; ++i) {
    after = api.get("/v1/settlements/" + std::to_string(*seq) + "/exits")->second;
    if (after["exits"][0]["claimed"] == true) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(after["exits"][0]["claimed"], true) << after.dump();
  EXPECT_EQ(after["exits"][0]["claim_tx"], claim_tx) << after.dump();
  EXPECT_TRUE(after["exit_output"].is_null()) << after.dump();
  EXPECT_EQ(after["total"], 0);
  std::ostringstream again_out, again_log;
  c.tx.clear();
  c.settlement = *seq;
  c.exit = 0;
  EXPECT_EQ(tx_claim(c, again_out, again_log), 1);
  EXPECT_NE(again_log.str().find("exit 0 is claimed already (by " + claim_tx + ")"),
            std::string::npos)
      << again_log.str();
  // The same outputs by key; an address of another network is refused, saying why.
  auto by_key = api.get("/v1/l1/p2pk/" + core::to_hex(bob.public_key().x) + "/outputs");
  ASSERT_TRUE(by_key.ok());
  EXPECT_EQ(by_key->second["outputs"], api.get(bob_outputs)->second["outputs"]);
  auto mainnet =
      api.get("/v1/l1/addresses/" +
              kaspa::Address::p2pk(kaspa::AddressPrefix::kMainnet, bob.public_key()).to_string() +
              "/outputs");
  ASSERT_TRUE(mainnet.ok());
  EXPECT_EQ(mainnet->first, 400);
  EXPECT_NE(mainnet->second["error"].get<std::string>().find("simnet"), std::string::npos);
}

TEST(Api, BadRequestsGetA4xxWithAMessage) {
  LiveNode n("counter");
  httplib::Client c(n.url());
  auto expect = [&](const httplib::Result& r, int status, const std::string& needle) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    const auto j = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r->body;
    EXPECT_NE(j.value("error", "").find(needle), std::string::npos) << r->body;
  };
  expect(c.Post("/v1/txs", "not json", "application/json"), 400, "expected a JSON object");
  expect(c.Post("/v1/txs", R"({"tx": "zz"})", "application/json"), 400, "tx:");
  expect(c.Post("/v1/txs", R"({"tx": "0100"})", "application/json"), 400, "tx:");
  expect(c.Post("/v1/txs", std::string(100 * 1024, 'x'), "application/json"), 413, "too large");
  expect(c.Get("/v1/nothing"), 404, "no such endpoint");
  // Invalid UTF-8 in a path is echoed back replaced, and the node goes on answering.
  expect(c.Get("/%ff"), 404, "no such endpoint: GET /\xef\xbf\xbd");
  expect(c.Post("/v1/%c3%28", "{}", "application/json"), 404, "no such endpoint: POST /v1/");
  expect(c.Post("/v1/txs", std::string(100 * 1024, 'x'), "application/json"), 413, "too large");
  expect(c.Get("/v1/batches/999999"), 404, "no executed batch");
  expect(c.Get("/v1/txs/" + std::string(64, 'a')), 404, "not executed");
  expect(c.Get("/v1/settlements?limit=0"), 400, "limit: 1 to 100");
  expect(c.Get("/v1/settlements?page=2"), 400, "unknown or bad query parameter page");
  expect(c.Get("/v1/settlements/999999"), 404, "no settlement 999999");
  expect(c.Get("/v1/settlements/999999/receipt"), 404, "no settlement 999999");
  expect(c.Get("/v1/batches/999999/receipt"), 404, "is not proven");
  expect(c.Get("/v1/resources/" + std::string(64, '0') + "?at=latest"), 400,
         "unknown or bad query parameter at");
  expect(c.Get("/v1/resources/" + std::string(64, '0') + "?at=999999"), 404, "not committed");
  expect(c.Get("/v1/batches/" + std::string(30, '9')), 404, "no such endpoint");
  // The metrics are Prometheus text. The server counts a request after its response is written,
  // so the last counts may arrive a moment after the responses did.
  const std::string counted = "basalt_api_requests_total{code=\"400\"} 6";
  auto m = c.Get("/metrics");
  for (int i = 0; i < 50 && m && m->body.find(counted) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    m = c.Get("/metrics");
  }
  ASSERT_TRUE(m);
  EXPECT_NE(m->body.find("# TYPE basalt_tx_total counter"), std::string::npos);
  EXPECT_NE(m->body.find("# TYPE basalt_settlements_total counter"), std::string::npos);
  EXPECT_NE(m->body.find("basalt_batch{stage=\"settled_confirmed\"}"), std::string::npos);
  EXPECT_NE(m->body.find(counted), std::string::npos) << m->body;
}

// The attack of `basalt bench api`, bounded: 300 connections from 127.0.0.1 each send one header
// line per second and never finish; /v1/status, asked from the same address every 100 ms on a
// fresh connection, answers within a second every time.
// A second node started on the first one's API port stops at start with the reason (it must not
// end up answering every other request in its place), and the first one goes on answering.
TEST(Api, ASecondNodeOnAPortInUseStopsAtStart) {
  LiveNode first("counter");
  test::TempDir dir;
  const std::string config = dir.sub("second.toml");
  std::ofstream(config) << "[node]\ndata_dir = \"" << dir.sub("data")
                        << "\"\nsync = false\n[api]\nlisten = \"127.0.0.1:" << first.port()
                        << "\"\n";
  std::ostringstream log;
  EXPECT_EQ(run_node(config, BASALT_GUEST_DIR, false, "", log), 1);
  EXPECT_NE(log.str().find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos)
      << log.str();
  auto st = client::ApiClient(first.url()).get("/v1/status");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->first, 200);
}

TEST(Api, SlowClientsDoNotTakeTheApiDown) {
  core::raise_open_file_limit();
  LiveNode n("counter");
  SlowClients slow(n.port(), 300, std::chrono::seconds(1));
  const auto connected_by = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (slow.connects() < 300 && std::chrono::steady_clock::now() < connected_by)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(slow.connects(), 300u) << "the slow clients did not connect";
  const ProbeReport r = probe_for(n.port(), "/v1/status", std::chrono::seconds(5),
                                  std::chrono::milliseconds(100), std::chrono::seconds(1));
  EXPECT_GE(r.sent, 40u);
  EXPECT_EQ(r.answered, r.sent);
  EXPECT_GE(slow.connects(), 300u);
  auto m = client::ApiClient(n.url()).get("/v1/status");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->first, 200);
}

// Bound beyond loopback, the node says that the API has no authentication (it listens for a moment
// on every interface; nothing is sent to it).
TEST(Api, WarnsWhenBoundBeyondLoopback) {
  test::TempDir dir;
  node::Config c;
  c.data_dir = dir.path();
  c.app = "counter";
  c.guest_dir = BASALT_GUEST_DIR;
  c.sync = false;
  c.api_port = 0;
  std::ostringstream out;
  node::Logger log(out, node::LogLevel::kInfo, false);
  const auto start = [&]() -> std::uint16_t {
    auto n = node::Node::open(c, log);
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    if (!n.ok()) return 0;
    auto api = node::Api::start(**n, log);
    EXPECT_TRUE(api.ok());
    return api.ok() ? (*api)->port() : 0;
  };
  start();
  EXPECT_EQ(out.str().find("not a loopback address"), std::string::npos) << out.str();
  c.api_host = "0.0.0.0";
  const std::uint16_t port = start();
  EXPECT_NE(out.str().find("0.0.0.0:" + std::to_string(port) +
                           " is not a loopback address and the API has no authentication"),
            std::string::npos)
      << out.str();
}

TEST(Api, AClientOverItsRateGets429) {
  LiveNode n("counter", 5, 5);
  httplib::Client c(n.url());
  int ok = 0, limited = 0;
  for (int i = 0; i < 20; ++i) {
    auto r = c.Get("/v1/status");
    ASSERT_TRUE(r);
    if (r->status == 200) ++ok;
    if (r->status == 429) {
      ++limited;
      EXPECT_EQ(r->get_header_value("Retry-After"), "1");
    }
  }
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 7);
  EXPECT_EQ(ok + limited, 20);
}

}  // namespace
}  // namespace basalt::cli
