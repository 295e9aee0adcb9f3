// The kaspad ChainSource against the simulator served over real loopback gRPC: it hands on the
// chain the simulator itself gives (reorgs, chunks, lane proofs), every block checked; a hostile
// server gets a clear error and nothing of its chunk is handed on; a server that goes away and
// comes back is reconnected to.
#include "l1/kaspad/source.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <thread>

#include "kaspa/seq_commit.hpp"
#include "l1/follower.hpp"
#include "l1/protowire/chain_v2.hpp"
#include "l1/sim/rpc_answers.hpp"

namespace basalt::l1 {
namespace {

using namespace std::chrono_literals;

const kaspa::LaneId kQuietLane = kaspa::LaneId::from_namespace({0, 0, 9, 9});  // never touched
const kaspa::LaneId kBusyLane = kaspa::LaneId::from_namespace({0, 0, 1, 0});

sim::SimParams params() {
  sim::SimParams p;
  p.seed = 21;
  p.lanes = 3;
  p.tx_per_block = 6;
  p.finality_depth = 40;
  p.reorg_every = 9;
  p.reorg_depth = 4;
  p.pruning_depth = 1'000'000;  // the whole chain stays servable
  return p;
}

// The simulator writes a V2 answer as the bytes of its field (protowire/chain_v2.hpp); a fault is
// injected into it parsed, and goes out as protobuf serializes it.
void parse_chain_answer(protowire::Response& a) {
  auto* raw = a.GetReflection()->MutableUnknownFields(&a);
  for (int i = 0; i < raw->field_count(); ++i) {
    if (raw->field(i).number() != static_cast<int>(protowire::kChainV2ResponseField)) continue;
    ASSERT_TRUE(a.mutable_getvirtualchainfromblockv2response()->ParseFromString(
        raw->field(i).length_delimited()));
    raw->DeleteSubrange(i, 1);
    return;
  }
}

// The simulator served on a loopback port; `tamper` may change each answer.
struct Served {
  explicit Served(sim::ServeOptions o = {}) : sim(params()), options(o) { start(0); }
  void start(int port) {
    auto s = protowire::RpcServer::start("127.0.0.1:" + std::to_string(port),
                                         [this](const auto& r, auto& out) {
                                           std::lock_guard lock(mu);
                                           sim::answer(sim, sim, this->options, r, out);
                                           if (!tamper) return;
                                           parse_chain_answer(out);
                                           tamper(out);
                                         });
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    server = std::move(*s);
  }
  void step(int n) {
    std::lock_guard lock(mu);
    for (int i = 0; i < n; ++i)
      server->notify(sim::chain_changed_notification((sim.step(), *sim.next_chain_changes())));
  }
  std::string target() const { return "127.0.0.1:" + std::to_string(server->port()); }
  std::mutex mu;
  sim::Simulator sim;
  sim::ServeOptions options;
  std::function<void(protowire::Response&)> tamper;
  std::unique_ptr<protowire::RpcServer> server;
};

core::Result<std::unique_ptr<kaspad::Source>> open(const Served& s) {
  kaspad::SourceOptions o;
  o.target = s.target();
  o.network = kaspa::Network::kDevnet;
  o.lanes = {kaspa::lane_key(kQuietLane), kaspa::lane_key(kBusyLane)};
  o.connect_timeout = 2000ms;
  o.call_timeout = 5000ms;
  return kaspad::Source::open(o);
}

// Follows `source` from `tip` to where it has nothing more, `max` blocks per call, into
// `follower`; returns the blocks handed on.
core::Result<std::vector<ChainBlockInfo>> follow(const ChainSource& source, Follower& follower,
                                                 std::size_t max) {
  std::vector<ChainBlockInfo> out;
  for (int guard = 0; guard < 10000; ++guard) {
    BASALT_ASSIGN_OR_RETURN(ChainChanged c, source.chain_from(follower.tip(), max));
    BASALT_TRY(follower.apply(c));
    for (std::size_t i = 0; i < c.removed.size() && !out.empty(); ++i) out.pop_back();
    if (c.added.empty()) return out;
    for (auto& b : c.added) out.push_back(std::move(b));
  }
  return core::Error{core::ErrorCode::kInvalid, "no end"};
}

TEST(KaspadSource, HandsOnTheSimulatorsChainBlockForBlockThroughReorgs) {
  Served s(sim::ServeOptions{kaspa::Network::kDevnet, 7, 25});  // small chunks
  auto source = open(s);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  EXPECT_EQ((*source)->server().server_version, "basalt-sim");
  Follower over_rpc(40, {kQuietLane, kBusyLane});
  Follower in_process(40, {kQuietLane, kBusyLane});
  std::vector<ChainBlockInfo> got;
  for (int round = 0; round < 12; ++round) {
    s.step(10);
    auto r = follow(**source, over_rpc, 5);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    std::lock_guard lock(s.mu);
    auto want = follow(s.sim, in_process, 1000);
    ASSERT_TRUE(want.ok());
    ASSERT_EQ(over_rpc.tip(), in_process.tip());
  }
  // The whole chain, compared field by field with the simulator's own.
  Follower a(40, {kQuietLane}), b(40, {kQuietLane});
  auto mine = follow(**source, a, 1000);
  ASSERT_TRUE(mine.ok()) << mine.error().to_string();
  std::lock_guard lock(s.mu);
  EXPECT_GT(s.sim.reorgs(), 5u);
  auto theirs = follow(s.sim, b, 100000);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(mine->size(), theirs->size());
  ASSERT_EQ(mine->size(), s.sim.chain().size());
  for (std::size_t i = 0; i < mine->size(); ++i) {
    const ChainBlockInfo& x = (*mine)[i];
    const ChainBlockInfo& y = (*theirs)[i];
    ASSERT_EQ(x.hash, y.hash);
    EXPECT_EQ(x.selected_parent, y.selected_parent);
    EXPECT_EQ(x.selected_parent_seq_commit, y.selected_parent_seq_commit);
    EXPECT_EQ(x.selected_parent_timestamp, y.selected_parent_timestamp);
    EXPECT_EQ(x.blue_score, y.blue_score);
    EXPECT_EQ(x.daa_score, y.daa_score);
    EXPECT_EQ(x.seq_commit, y.seq_commit);
    EXPECT_EQ(x.activity_root, y.activity_root);
    EXPECT_EQ(x.payload_and_ctx_digest, y.payload_and_ctx_digest);
    ASSERT_EQ(x.accepted.size(), y.accepted.size());
    for (std::size_t t = 0; t < x.accepted.size(); ++t) {
      EXPECT_EQ(x.accepted[t].tx_id, y.accepted[t].tx_id);
      EXPECT_EQ(x.accepted[t].merge_idx, y.accepted[t].merge_idx);
      EXPECT_EQ(x.accepted[t].lane, y.accepted[t].lane);
    }
    EXPECT_EQ(x.accepted.front().lane, kaspa::kCoinbaseLaneId);
    EXPECT_EQ(x.lane_proofs.size(), 2u);  // the lanes the source checks with
  }
}

TEST(KaspadSource, WakesOnNotifications) {
  Served s;
  auto source = open(s);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  EXPECT_FALSE((*source)->wait_for_change(50ms));
  s.step(1);
  EXPECT_TRUE((*source)->wait_for_change(5000ms));
}

TEST(KaspadSource, RefusesAServerOnAnotherNetworkOrWithoutAnIndex) {
  Served s(sim::ServeOptions{kaspa::Network::kSimnet});
  auto source = open(s);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error().context(),
            "kaspad is on network \"simnet\", the configuration says \"devnet\"");
  s.options.network = kaspa::Network::kDevnet;
  s.tamper = [](protowire::Response& a) {
    if (a.has_getserverinforesponse()) a.mutable_getserverinforesponse()->set_hasutxoindex(false);
  };
  source = open(s);
  ASSERT_FALSE(source.ok());
  EXPECT_NE(source.error().context().find("without a UTXO index"), std::string::npos);
}

// Each fault, injected into an otherwise honest answer: a clear error, and what the source hands
// on afterwards (the fault gone) is the honest chain.
TEST(KaspadSource, AHostileAnswerIsAClearErrorAndNothingOfItIsHandedOn) {
  Served s;
  auto source = open(s);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  s.step(20);
  struct Fault {
    const char* what;
    std::function<void(protowire::Response&)> tamper;
  };
  const auto chain = [](protowire::Response& a) {
    return a.mutable_getvirtualchainfromblockv2response();
  };
  // A chain answer with more than `n` added blocks (the source also asks past a chunk's end).
  const auto longer_than = [&](protowire::Response& a, int n) {
    return a.has_getvirtualchainfromblockv2response() &&
           chain(a)->chainblockacceptedtransactions_size() > n;
  };
  const std::vector<Fault> faults = {
      {"is not the",
       [&](protowire::Response& a) {
         if (!longer_than(a, 3)) return;
         auto* h = chain(a)->mutable_chainblockacceptedtransactions(3)->mutable_chainblockheader();
         h->set_acceptedidmerkleroot(std::string(64, 'a'));
       }},
      {"does not link up",
       [](protowire::Response& a) {
         if (a.has_getseqcommitlaneproofresponse())
           a.mutable_getseqcommitlaneproofresponse()->set_parentseqcommit(std::string(32, 'x'));
       }},
      {"came with the header of",
       [&](protowire::Response& a) {
         if (!longer_than(a, 2)) return;
         chain(a)->mutable_addedchainblockhashes()->SwapElements(1, 2);
       }},
      {"added chain blocks but",
       [&](protowire::Response& a) {
         if (longer_than(a, 0)) chain(a)->mutable_chainblockacceptedtransactions()->RemoveLast();
       }},
      {"is reported as",
       [&](protowire::Response& a) {
         if (!a.has_getvirtualchainfromblockv2response()) return;
         auto* t =
             chain(a)->mutable_chainblockacceptedtransactions(2)->mutable_acceptedtransactions(0);
         t->set_locktime(t->locktime() + 1);
       }},
      {"payloadAndCtxDigest is not 32 bytes",
       [](protowire::Response& a) {
         if (a.has_getseqcommitlaneproofresponse())
           a.mutable_getseqcommitlaneproofresponse()->set_payloadandctxdigest(std::string(31, 'x'));
       }},
      {"smtProof",
       [](protowire::Response& a) {
         if (a.has_getseqcommitlaneproofresponse())
           a.mutable_getseqcommitlaneproofresponse()->set_smtproof("\x01");
       }},
      {"not FULL",
       [&](protowire::Response& a) {
         if (a.has_getvirtualchainfromblockv2response())
           chain(a)
               ->mutable_chainblockacceptedtransactions(0)
               ->mutable_chainblockheader()
               ->clear_acceptedidmerkleroot();
       }},
  };
  Follower honest(40, {kQuietLane, kBusyLane});
  auto want = follow(s.sim, honest, 1000);
  ASSERT_TRUE(want.ok());
  for (const Fault& f : faults) {
    SCOPED_TRACE(f.what);
    {
      std::lock_guard lock(s.mu);
      s.tamper = f.tamper;
    }
    auto c = (*source)->chain_from(std::nullopt, 1000);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code(), core::ErrorCode::kInvalid);
    EXPECT_NE(c.error().context().find(f.what), std::string::npos) << c.error().context();
    {
      std::lock_guard lock(s.mu);
      s.tamper = nullptr;
    }
    Follower follower(40, {kQuietLane, kBusyLane});
    auto r = follow(**source, follower, 1000);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(follower.tip(), honest.tip());
  }
  // A dropped transaction of the busy lane passes the SeqCommit check (kaspad's header is honest)
  // but not the follower's: the lane tip it recomputes is not the one L1 committed.
  s.tamper = [&](protowire::Response& a) {
    if (!a.has_getvirtualchainfromblockv2response()) return;
    for (auto& b : *chain(a)->mutable_chainblockacceptedtransactions()) {
      auto* txs = b.mutable_acceptedtransactions();
      for (int i = 1; i < txs->size(); ++i) {
        if (txs->Get(i).subnetworkid() == kBusyLane.hex()) {
          txs->DeleteSubrange(i, 1);
          return;
        }
      }
    }
  };
  Follower follower(40, {kQuietLane, kBusyLane});
  auto r = follow(**source, follower, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().context().find("is not the tip L1 committed"), std::string::npos)
      << r.error().context();
}

TEST(KaspadSource, ReconnectsWhenTheServerComesBack) {
  Served s;
  auto source = open(s);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  s.step(5);
  Follower follower(40, {kQuietLane, kBusyLane});
  ASSERT_TRUE(follow(**source, follower, 1000).ok());
  const int port = s.server->port();
  s.server->stop();
  auto c = (*source)->chain_from(follower.tip(), 1000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), core::ErrorCode::kUnavailable);
  s.server.reset();
  // Back on another network first: refused at every attempt, never followed.
  s.options.network = kaspa::Network::kSimnet;
  s.start(port);
  core::Result<ChainChanged> wrong = core::Error{core::ErrorCode::kUnavailable, ""};
  for (int i = 0; i < 50; ++i) {
    wrong = (*source)->chain_from(follower.tip(), 1000);
    if (!wrong.ok() && wrong.error().context().find("is on network") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().context().find("kaspad is on network \"simnet\""), std::string::npos)
      << wrong.error().context();
  EXPECT_FALSE((*source)->chain_from(follower.tip(), 1000).ok());
  s.server->stop();
  s.server.reset();
  s.options.network = kaspa::Network::kDevnet;
  s.start(port);
  s.step(5);
  // The backoff allows an attempt within a second; give it a bounded number.
  core::Result<std::vector<ChainBlockInfo>> r = core::Error{core::ErrorCode::kUnavailable, ""};
  for (int i = 0; i < 50 && !r.ok(); ++i) {
    r = follow(**source, follower, 1000);
    if (!r.ok()) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::lock_guard lock(s.mu);
  EXPECT_EQ(follower.tip(), s.sim.chain().back().hash);
}

// The connection breaks while a catch-up has blocks read ahead and the next chunk asked for:
// the step fails, the follower keeps what it had, and once the server is back the catch-up goes on
// to the simulator's own state.
TEST(KaspadSource, AStreamDroppedMidCatchUpLosesNothing) {
  Served s(sim::ServeOptions{kaspa::Network::kDevnet, 12, 100000});
  s.step(60);
  auto source = open(s);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  Follower follower(40, {kQuietLane, kBusyLane});
  for (int i = 0; i < 3; ++i) {
    auto c = (*source)->chain_from(follower.tip(), 5);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    ASSERT_EQ(c->added.size(), 5u);
    ASSERT_TRUE(follower.apply(*c).ok());
  }
  const int port = s.server->port();
  s.server->stop();
  s.server.reset();
  core::Result<ChainChanged> broken = ChainChanged{};
  for (int i = 0; i < 10 && broken.ok(); ++i) {
    // Blocks already read may still be handed on; the break shows by the end of the chunk.
    broken = (*source)->chain_from(follower.tip(), 5);
    if (broken.ok()) {
      ASSERT_FALSE(broken->added.empty());
      ASSERT_TRUE(follower.apply(*broken).ok());
    }
  }
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code(), core::ErrorCode::kUnavailable);
  s.start(port);
  core::Result<std::vector<ChainBlockInfo>> r = core::Error{core::ErrorCode::kUnavailable, ""};
  for (int i = 0; i < 50 && !r.ok(); ++i) {
    r = follow(**source, follower, 5);
    if (!r.ok()) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::lock_guard lock(s.mu);
  Follower in_process(40, {kQuietLane, kBusyLane});
  ASSERT_TRUE(follow(s.sim, in_process, 1000).ok());
  EXPECT_EQ(follower.tip(), in_process.tip());
  for (const kaspa::LaneId lane : {kQuietLane, kBusyLane}) {
    const auto mine = follower.last(kaspa::lane_key(lane));
    const auto theirs = in_process.last(kaspa::lane_key(lane));
    ASSERT_EQ(mine.has_value(), theirs.has_value());
    if (mine) {
      EXPECT_EQ(mine->tip, theirs->tip);
    }
  }
}

// An answer beyond the message bound breaks the stream with gRPC's reason, and nothing of it is
// handed on.
TEST(KaspadSource, AnOversizedAnswerIsAClearErrorAndHandsNothingOn) {
  Served s;
  s.step(20);
  kaspad::SourceOptions o;
  o.target = s.target();
  o.network = kaspa::Network::kDevnet;
  o.lanes = {kaspa::lane_key(kBusyLane)};
  o.connect_timeout = 2000ms;
  o.call_timeout = 5000ms;
  o.max_message_bytes = 4096;
  auto source = kaspad::Source::open(o);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  auto c = (*source)->chain_from(std::nullopt, 1000);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(c.error().context().find("larger than max"), std::string::npos) << c.error().context();
}

}  // namespace
}  // namespace basalt::l1
