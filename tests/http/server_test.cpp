// basalt's HTTP server over loopback, with raw requests: routing and decoding, the answers it
// gives itself (404, 413 for a plain and a chunked body, 431, 400), deadlines, connection limits
// with eviction of the oldest waiting connection, the priority lane, and a handler that throws.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "http/raw_client.hpp"
#include "http/server.hpp"

namespace basalt::http {
namespace {

using std::chrono::milliseconds;

std::string get(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
}

RawAnswer ask(const Server& s, std::string_view request, const std::string& from = "") {
  auto a = raw_exchange("127.0.0.1", s.port(), request, milliseconds(5000), from);
  EXPECT_TRUE(a.ok()) << a.error().to_string();
  return a.ok() ? *a : RawAnswer{};
}

// A connection that stays open until destroyed; it sends only what it is told to.
class Conn {
 public:
  explicit Conn(const Server& s) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(s.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~Conn() { ::close(fd_); }
  void send(std::string_view b) { ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL); }
  // Whether the server closed it (within a deadline).
  bool closed_by_server(milliseconds within) {
    timeval tv{};
    tv.tv_sec = within.count() / 1000;
    tv.tv_usec = (within.count() % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  int fd_;
};

Hooks json_hooks(std::atomic<int>* after = nullptr) {
  Hooks h;
  h.error = [](Response& res, int status, const std::string& message) {
    res.status = status;
    res.body = "error: " + message;
  };
  if (after) h.after = [after](const Request&, int) { after->fetch_add(1); };
  return h;
}

std::unique_ptr<Server> serve(Routes routes, Limits limits = {}, Hooks hooks = json_hooks()) {
  auto s = Server::start("127.0.0.1", 0, limits, std::move(routes), std::move(hooks));
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return s.ok() ? std::move(*s) : nullptr;
}

Routes echo_routes() {
  Routes r;
  r.get("/echo/([a-z]+)", [](const Request& req, Response& res) {
    res.body = req.matches[1];
    for (const auto& [k, v] : req.params) res.body += "|" + k + "=" + v;
  });
  r.post("/body",
         [](const Request& req, Response& res) { res.body = std::to_string(req.body.size()); });
  r.get("/throw", [](const Request&, Response&) { throw std::runtime_error("boom"); });
  return r;
}

TEST(HttpServer, RoutesDecodeThePathAndTheQuery) {
  auto s = serve(echo_routes());
  ASSERT_TRUE(s);
  const RawAnswer a = ask(*s, get("/echo/%61bc?x=1+2&y=%2F&flag"));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "abc|x=1 2|y=/|flag=") << a.bytes;
  EXPECT_EQ(percent_decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(percent_decode("a+b%20", false), "a+b ");
}

TEST(HttpServer, AnswersWhatNoRouteTakesAndKeepsServing) {
  auto s = serve(echo_routes());
  ASSERT_TRUE(s);
  for (const char* bad : {"/%ff", "/v1/%c3%28", "/echo/ABC", "/%00"}) {
    const RawAnswer a = ask(*s, get(bad));
    EXPECT_EQ(a.status, 404) << bad;
    EXPECT_NE(a.bytes.find("error: no such endpoint"), std::string::npos) << a.bytes;
  }
  EXPECT_EQ(ask(*s, "POST /echo/abc HTTP/1.1\r\nContent-Length: 0\r\n\r\n").status, 404);
  EXPECT_EQ(ask(*s, get("/throw")).status, 500);
  EXPECT_EQ(ask(*s, "GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(ask(*s, "GET / HTTP/9.9\r\n\r\n").status, 400);
  EXPECT_EQ(ask(*s, get("/echo/ok")).status, 200);
}

TEST(HttpServer, BoundsBodiesAndHeaders) {
  Limits l;
  l.max_body_bytes = 1000;
  l.max_header_bytes = 2000;
  auto s = serve(echo_routes(), l);
  ASSERT_TRUE(s);
  const std::string big(5000, 'x');
  EXPECT_EQ(ask(*s, "POST /body HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + big).status, 413);
  // Chunked: the limit holds as the chunks arrive, with no length announced.
  std::string chunked = "POST /body HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 5; ++i) chunked += "3e8\r\n" + std::string(1000, 'y') + "\r\n";
  chunked += "0\r\n\r\n";
  EXPECT_EQ(ask(*s, chunked).status, 413);
  const RawAnswer small =
      ask(*s,
          "POST /body HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
          "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(small.status, 200);
  EXPECT_EQ(small.body, "5");
  EXPECT_EQ(ask(*s, "GET /echo/a HTTP/1.1\r\nX: " + std::string(3000, 'h') + "\r\n\r\n").status,
            431);
  // Expect: 100-continue is honoured before the body is read.
  const RawAnswer cont =
      ask(*s, "POST /body HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_EQ(cont.status, 100);
}

TEST(HttpServer, ARequestMustArriveWithinItsDeadline) {
  Limits l;
  l.request_timeout = milliseconds(300);
  auto s = serve(echo_routes(), l);
  ASSERT_TRUE(s);
  Conn slow(*s);
  slow.send("GET /echo/a HTTP/1.1\r\n");
  std::this_thread::sleep_for(milliseconds(150));
  slow.send("X-1: 1\r\n");  // activity does not extend the deadline
  EXPECT_TRUE(slow.closed_by_server(milliseconds(2000)));
  // The stream closes the socket at the deadline; the count follows when its handler runs.
  for (int i = 0; i < 100 && s->stats().timed_out == 0; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(s->stats().timed_out, 1u);
}

TEST(HttpServer, ANewClientEvictsTheOldestWaitingConnection) {
  Limits l;
  l.max_connections = 8;
  l.max_connections_per_client = 4;
  auto s = serve(echo_routes(), l);
  ASSERT_TRUE(s);
  std::vector<std::unique_ptr<Conn>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<Conn>(*s));
    idle.back()->send("GET /echo/a HTTP/1.1\r\n");
    std::this_thread::sleep_for(milliseconds(20));
  }
  // The fifth from the same address is served; the oldest waiting one made room.
  EXPECT_EQ(ask(*s, get("/echo/b")).status, 200);
  EXPECT_TRUE(idle.front()->closed_by_server(milliseconds(2000)));
  EXPECT_GE(s->stats().evicted, 1u);
  // Another client address has room of its own up to the total.
  EXPECT_EQ(ask(*s, get("/echo/c"), "127.0.0.2").status, 200);
}

TEST(HttpServer, BusyConnectionsAreNotEvictedAndANewOneIsRefused) {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  Routes r = echo_routes();
  r.get("/hold", [&](const Request&, Response& res) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return release; });
    res.body = "held";
  });
  Limits l;
  l.workers = 2;
  l.max_connections = 2;
  auto s = serve(std::move(r), l);
  ASSERT_TRUE(s);
  Conn a(*s), b(*s);
  a.send(get("/hold"));
  b.send(get("/hold"));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(ask(*s, get("/echo/x")).status, 503);
  EXPECT_GE(s->stats().refused, 1u);
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
}

TEST(HttpServer, PriorityRoutesAnswerWhileEveryGeneralWorkerIsBusy) {
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  Routes r;
  r.get("/slow", [&](const Request&, Response& res) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return release; });
    res.body = "slow";
  });
  r.get(
      "/status", [](const Request&, Response& res) { res.body = "up"; }, Lane::kPriority);
  Limits l;
  l.workers = 2;
  auto s = serve(std::move(r), l);
  ASSERT_TRUE(s);
  std::vector<std::unique_ptr<Conn>> held;
  for (int i = 0; i < 6; ++i) {
    held.push_back(std::make_unique<Conn>(*s));
    held.back()->send(get("/slow"));
  }
  std::this_thread::sleep_for(milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(ask(*s, get("/status")).status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(1000));
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
}

TEST(HttpServer, KeepAliveServesSeveralRequestsAndCountsThem) {
  std::atomic<int> after{0};
  auto s = serve(echo_routes(), {}, json_hooks(&after));
  ASSERT_TRUE(s);
  const RawAnswer a = ask(*s,
                          "GET /echo/a HTTP/1.1\r\n\r\nGET /echo/b HTTP/1.1\r\n"
                          "Connection: close\r\n\r\n");
  EXPECT_EQ(a.status, 200);
  for (int i = 0; i < 100 && after.load() < 2; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(after.load(), 2);
}

// A second server on a port in use is refused at start (no SO_REUSEPORT: two servers would answer
// requests in turn), and the first one keeps serving.
TEST(HttpServer, RefusesAPortInUse) {
  auto first = serve(echo_routes());
  auto second = Server::start("127.0.0.1", first->port(), {}, echo_routes(), json_hooks());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), core::ErrorCode::kIo);
  EXPECT_NE(
      second.error().context().find("cannot listen on 127.0.0.1:" + std::to_string(first->port())),
      std::string::npos)
      << second.error().context();
  EXPECT_EQ(ask(*first, get("/echo/still")).body, "still");
}

TEST(HttpServer, RefusesAnAddressItCannotBind) {
  auto s = Server::start("203.0.113.1", 0, {}, Routes{}, json_hooks());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), core::ErrorCode::kIo);
}

}  // namespace
}  // namespace basalt::http
