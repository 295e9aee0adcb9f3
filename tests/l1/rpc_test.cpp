// kaspad's MessageStream over real loopback gRPC.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "l1/protowire/rpc.hpp"

namespace basalt::l1::protowire {
namespace {

using namespace std::chrono_literals;

// Answers GetUtxosByAddresses with one entry per address asked about, naming it: each caller can
// tell its own answer.
void echo(const Request& r, Response& a) {
  for (const auto& address : r.getutxosbyaddressesrequest().addresses())
    a.mutable_getutxosbyaddressesresponse()->add_entries()->set_address(address);
}

std::unique_ptr<RpcClient> connect(int port, std::function<void(const Response&)> on = {},
                                   std::chrono::milliseconds call_timeout = 5000ms) {
  auto c = RpcClient::connect({"127.0.0.1:" + std::to_string(port), 5000ms, call_timeout, on});
  EXPECT_TRUE(c.ok()) << c.error().to_string();
  return c.ok() ? std::move(*c) : nullptr;
}

TEST(Rpc, AnswersReachTheirCallersAcrossThreads) {
  auto server = RpcServer::start("127.0.0.1:0", echo);
  ASSERT_TRUE(server.ok()) << server.error().to_string();
  auto client = connect((*server)->port());
  ASSERT_TRUE(client);
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string mine = std::to_string(t) + "/" + std::to_string(i);
        Request r;
        r.mutable_getutxosbyaddressesrequest()->add_addresses(mine);
        auto a = client->call(r);
        if (a.ok() && (*a)->id() != 0 &&
            (*a)->getutxosbyaddressesresponse().entries(0).address() == mine)
          ++right;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), 400);
}

TEST(Rpc, ABatchOfCallsGetsItsAnswersInOrder) {
  auto server = RpcServer::start("127.0.0.1:0", echo);
  ASSERT_TRUE(server.ok());
  auto client = connect((*server)->port());
  ASSERT_TRUE(client);
  std::vector<Request> batch(200);
  for (std::size_t i = 0; i < batch.size(); ++i)
    batch[i].mutable_getutxosbyaddressesrequest()->add_addresses(std::to_string(i));
  const auto answers = client->call_all(batch);
  ASSERT_EQ(answers.size(), batch.size());
  for (std::size_t i = 0; i < answers.size(); ++i) {
    ASSERT_TRUE(answers[i].ok()) << i;
    EXPECT_EQ((*answers[i])->getutxosbyaddressesresponse().entries(0).address(), std::to_string(i));
  }
  // Once the server is gone, every call of a batch fails, none hangs.
  (*server)->stop();
  for (const auto& a : client->call_all(batch)) EXPECT_FALSE(a.ok());
}

// A batch sent and never taken is dropped: its answers are discarded when they come, and what is
// sent after it gets its own.
TEST(Rpc, ABatchTakenLaterOrDroppedKeepsTheAnswersApart) {
  auto server = RpcServer::start("127.0.0.1:0", echo);
  ASSERT_TRUE(server.ok());
  auto client = connect((*server)->port());
  ASSERT_TRUE(client);
  const auto asking = [](const std::string& who) {
    std::vector<Request> one(1);
    one[0].mutable_getutxosbyaddressesrequest()->add_addresses(who);
    return one;
  };
  RpcClient::Batch later = client->send(asking("later"));
  { RpcClient::Batch dropped = client->send(asking("dropped")); }
  auto now = client->call(asking("now")[0]);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)->getutxosbyaddressesresponse().entries(0).address(), "now");
  auto taken = client->take(std::move(later));
  ASSERT_EQ(taken.size(), 1u);
  ASSERT_TRUE(taken[0].ok());
  EXPECT_EQ((*taken[0])->getutxosbyaddressesresponse().entries(0).address(), "later");
}

TEST(Rpc, NotificationsGoToTheHandler) {
  auto server = RpcServer::start("127.0.0.1:0", echo);
  ASSERT_TRUE(server.ok());
  std::atomic<int> seen{0};
  auto client = connect((*server)->port(), [&](const Response& n) {
    if (n.has_virtualchainchangednotification() &&
        n.virtualchainchangednotification().addedchainblockhashes(0) == "ab")
      ++seen;
  });
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->call(Request()).ok());  // the stream is open on the server now
  Response n;
  n.set_id(77);  // the server sends every notification with id 0 whatever it was given
  n.mutable_virtualchainchangednotification()->add_addedchainblockhashes("ab");
  (*server)->notify(n);
  for (int i = 0; i < 200 && seen.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(seen.load(), 1);
}

TEST(Rpc, AStoppedServerFailsCallsInsteadOfHangingThem) {
  auto server = RpcServer::start("127.0.0.1:0", echo);
  ASSERT_TRUE(server.ok());
  auto client = connect((*server)->port());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->call(Request()).ok());
  (*server)->stop();
  const auto t0 = std::chrono::steady_clock::now();
  auto a = client->call(Request());
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 5s);
  EXPECT_FALSE(client->connected());
}

TEST(Rpc, ASlowAnswerTimesOut) {
  auto server = RpcServer::start("127.0.0.1:0", [](const Request& r, Response& a) {
    std::this_thread::sleep_for(500ms);
    echo(r, a);
  });
  ASSERT_TRUE(server.ok());
  auto client = connect((*server)->port(), {}, 100ms);
  ASSERT_TRUE(client);
  auto a = client->call(Request());
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.error().context().find("no answer within 100 ms"), std::string::npos);
}

// A V2 answer arrives as its bytes; one that is not a KaspadResponse (here: two V2 fields, which
// protobuf would merge) breaks the stream, saying so, and later calls are unavailable.
TEST(Rpc, AChainAnswerIsKeptAsBytesAndAnUnreadableOneBreaksTheStream) {
  std::atomic<int> copies{1};
  auto server = RpcServer::start("127.0.0.1:0", [&](const Request&, Response& a) {
    auto* raw = a.GetReflection()->MutableUnknownFields(&a);
    for (int i = 0; i < copies.load(); ++i)
      raw->AddLengthDelimited(1115,
                              "\x12\x02"
                              "ab");
  });
  ASSERT_TRUE(server.ok());
  auto client = connect((*server)->port());
  ASSERT_TRUE(client);
  auto a = client->call(Request());
  ASSERT_TRUE(a.ok()) << a.error().to_string();
  EXPECT_TRUE(a->is_chain_v2());
  EXPECT_EQ(a->chain_v2(),
            "\x12\x02"
            "ab");
  EXPECT_NE((*a)->id(), 0u);
  copies = 2;
  auto b = client->call(Request());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), core::ErrorCode::kUnavailable);
  EXPECT_NE(b.error().context().find("kaspad sent a message that is not a KaspadResponse"),
            std::string::npos)
      << b.error().context();
  EXPECT_FALSE(client->connected());
}

TEST(Rpc, APortInUseIsRefusedAndNothingListeningIsUnavailable) {
  auto first = RpcServer::start("127.0.0.1:0", echo);
  ASSERT_TRUE(first.ok());
  const std::string taken = "127.0.0.1:" + std::to_string((*first)->port());
  auto second = RpcServer::start(taken, echo);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().context().find(taken), std::string::npos);
  const int port = (*first)->port();
  (*first)->stop();
  auto none = RpcClient::connect({"127.0.0.1:" + std::to_string(port), 300ms, 1000ms, {}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), core::ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace basalt::l1::protowire
