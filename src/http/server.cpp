#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <condition_variable>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace basalt::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using core::ErrorCode;

namespace {

// Bytes read and dropped after an error answer, so that the client reads the answer instead of a
// reset caused by the request body it was still sending.
constexpr std::size_t kMaxDrainBytes = 1 << 20;
constexpr auto kDrainTime = std::chrono::seconds(1);
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::string_view kFull =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    const std::size_t amp = q.find('&');
    const std::string_view item = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    out.emplace_back(percent_decode(item.substr(0, eq), true),
                     eq == std::string_view::npos ? "" : percent_decode(item.substr(eq + 1), true));
  }
  return out;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// General workers take priority jobs first; priority workers take nothing else, so a burst of slow
// general requests never leaves status and metrics without a thread.
class Workers {
 public:
  Workers(unsigned general, unsigned priority) {
    for (unsigned i = 0; i < general; ++i) threads_.emplace_back([this] { loop(false); });
    for (unsigned i = 0; i < priority; ++i) threads_.emplace_back([this] { loop(true); });
  }
  ~Workers() { stop(); }

  void push(Lane lane, std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      (lane == Lane::kPriority ? priority_ : general_).push_back(std::move(job));
    }
    if (lane == Lane::kPriority) priority_cv_.notify_one();
    general_cv_.notify_one();
  }

  // Joins the workers (each finishes the job it runs) and drops the jobs still queued.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    general_cv_.notify_all();
    priority_cv_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    general_.clear();
    priority_.clear();
  }

 private:
  void loop(bool priority_only) {
    std::condition_variable& cv = priority_only ? priority_cv_ : general_cv_;
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        cv.wait(lock, [&] {
          return stopping_ || !priority_.empty() || (!priority_only && !general_.empty());
        });
        if (stopping_) return;
        auto& q = !priority_.empty() ? priority_ : general_;
        job = std::move(q.front());
        q.pop_front();
      }
      job();
    }
  }

  std::mutex mutex_;
  std::condition_variable general_cv_, priority_cv_;
  std::deque<std::function<void()>> general_, priority_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

class Session;

}  // namespace

// Members are destroyed in reverse order: the workers' queued jobs and the I/O context's pending
// handlers hold sessions, which unregister themselves from the registry declared first. Routes
// and hooks are set once by serve(), before the I/O thread starts.
struct Server::Impl {
  explicit Impl(const Limits& l) : limits(l), workers(l.workers, l.priority_workers) {}

  void accept();
  void admit(tcp::socket socket);
  // Closes the connection that has waited longest for a request (of `client`, or of anyone);
  // false when every connection is busy. Caller holds `mutex`.
  bool evict_oldest_waiting(const std::string* client);
  void unregister(Session& s);  // caller holds `mutex`
  void run_io();

  const Limits limits;
  Routes routes;
  Hooks hooks;

  mutable std::mutex mutex;  // the registry and the counters
  std::list<Session*> sessions;
  std::map<std::string, std::size_t> per_client;
  ServerStats counters;

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};
  bool loopback = false;
  std::thread io_thread;
  Workers workers;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket, std::string client)
      : server_(server), stream_(std::move(socket)), client_(std::move(client)) {}
  ~Session() {
    std::lock_guard lock(server_.mutex);
    if (registered_) server_.unregister(*this);
  }

  const std::string& client() const { return client_; }
  bool waiting() const { return waiting_; }
  Clock::time_point since() const { return since_; }
  std::list<Session*>::iterator& slot() { return slot_; }
  bool& registered() { return registered_; }

  void read() {
    waiting_ = true;
    since_ = Clock::now();
    parser_.emplace();
    parser_->body_limit(server_.limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_.limits.max_header_bytes));
    // One deadline for the whole request: the stream's timer is not reset between operations.
    stream_.expires_after(server_.limits.request_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void close() {
    waiting_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

 private:
  void on_header(beast::error_code ec) {
    if (ec) return on_error(ec);
    if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code e, std::size_t) {
                          if (e) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_error(ec);
                        self->on_request();
                      });
  }

  void on_error(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      std::lock_guard lock(server_.mutex);
      ++server_.counters.timed_out;
    }
    if (ec == bhttp::error::body_limit) return fail(413, "request body too large");
    if (ec == bhttp::error::header_limit) return fail(431, "request header too large");
    if (is_parse_error(ec) && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message)
      return fail(400, "malformed request: " + ec.message());
    close();
  }

  void on_request() {
    waiting_ = false;
    auto msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    Request req;
    req.method = std::string(msg.method_string());
    const std::string_view target(msg.target().data(), msg.target().size());
    const std::size_t q = target.find('?');
    req.path = percent_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) req.params = parse_query(target.substr(q + 1));
    req.body = std::move(msg.body());
    req.remote_addr = client_;
    Response res;
    const Routes::Route* route = nullptr;
    try {
      if (server_.hooks.before && server_.hooks.before(req, res)) return write(req, std::move(res));
      route = server_.routes.find(req);
    } catch (const std::exception&) {
      return answer_error(std::move(req), 500, "internal error");
    }
    if (route == nullptr)
      return answer_error(std::move(req), 404, "no such endpoint: " + req.method + " " + req.path);
    server_.workers.push(route->lane,
                         [self = shared_from_this(), req = std::move(req), route]() mutable {
                           run(std::move(self), route->handler, std::move(req));
                         });
  }

  // On a worker: the handler, then the write back on the I/O thread, which takes the worker's
  // reference so that a session is only ever destroyed there.
  static void run(std::shared_ptr<Session> self, const Handler& handler, Request req) {
    Response res;
    try {
      handler(req, res);
    } catch (const std::exception&) {
      res = Response{};
      self->server_.hooks.error(res, 500, "internal error");
    }
    asio::io_context& io = self->server_.io;
    asio::post(io, [self = std::move(self), req = std::move(req), res = std::move(res)]() mutable {
      self->write(req, std::move(res));
    });
  }

  void answer_error(Request req, int status, const std::string& message) {
    Response res;
    server_.hooks.error(res, status, message);
    write(req, std::move(res));
  }

  // An error the request itself caused: answered, then the connection is drained and closed.
  void fail(int status, const std::string& message) {
    keep_alive_ = false;
    linger_ = true;
    Request req;
    req.remote_addr = client_;
    answer_error(std::move(req), status, message);
  }

  void write(const Request& req, Response res) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    msg->set(bhttp::field::server, "basalt");
    msg->set(bhttp::field::content_type, res.content_type);
    for (const auto& [name, value] : res.headers) msg->set(name, value);
    msg->body() = std::move(res.body);
    msg->keep_alive(keep_alive_);
    msg->prepare_payload();
    stream_.expires_after(server_.limits.write_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg, req, status = res.status](
                           beast::error_code ec, std::size_t) {
                         if (self->server_.hooks.after) self->server_.hooks.after(req, status);
                         if (ec) return self->close();
                         if (self->linger_) return self->linger();
                         if (!self->keep_alive_) return self->close();
                         self->read();
                       });
  }

  void linger() {
    waiting_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kDrainTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->close();
                              self->drain();
                            });
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  const std::string client_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
  bool keep_alive_ = true;
  bool linger_ = false;
  bool waiting_ = false;
  Clock::time_point since_;
  std::list<Session*>::iterator slot_;
  bool registered_ = false;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or memory: try again shortly instead of spinning.
      retry.expires_after(std::chrono::milliseconds(50));
      retry.async_wait([this](beast::error_code e) {
        if (!e) accept();
      });
      return;
    }
    admit(std::move(socket));
    accept();
  });
}

void Server::Impl::admit(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;
  std::string client = peer.address().to_string();
  {
    std::lock_guard lock(mutex);
    ++counters.accepted;
    const bool room =
        (sessions.size() < limits.max_connections || evict_oldest_waiting(nullptr)) &&
        (per_client[client] < limits.max_connections_per_client || evict_oldest_waiting(&client));
    if (!room) {
      ++counters.refused;
      if (per_client[client] == 0) per_client.erase(client);
      socket.non_blocking(true, ec);
      // Best effort: a client that cannot take these bytes now is closed on all the same.
      socket.write_some(asio::buffer(kFull.data(), kFull.size()), ec);
      return;
    }
  }
  socket.set_option(tcp::no_delay(true), ec);  // no Nagle delay on answers written in pieces
  auto s = std::make_shared<Session>(*this, std::move(socket), client);
  {
    std::lock_guard lock(mutex);
    s->slot() = sessions.insert(sessions.end(), s.get());
    s->registered() = true;
    ++per_client[client];
  }
  s->read();
}

bool Server::Impl::evict_oldest_waiting(const std::string* client) {
  Session* oldest = nullptr;
  for (Session* s : sessions) {
    if (!s->waiting() || (client != nullptr && s->client() != *client)) continue;
    if (oldest == nullptr || s->since() < oldest->since()) oldest = s;
  }
  if (oldest == nullptr) return false;
  unregister(*oldest);
  oldest->close();
  ++counters.evicted;
  return true;
}

void Server::Impl::unregister(Session& s) {
  sessions.erase(s.slot());
  s.registered() = false;
  auto it = per_client.find(s.client());
  if (--it->second == 0) per_client.erase(it);
}

void Server::Impl::run_io() {
  // A handler that throws ends only itself; the loop goes on.
  for (;;) {
    try {
      io.run();
      return;
    } catch (const std::exception&) {
    }
  }
}

void Routes::get(const std::string& pattern, Handler h, Lane lane) {
  routes_.push_back(Route{"GET", std::regex(pattern), lane, std::move(h)});
}

void Routes::post(const std::string& pattern, Handler h, Lane lane) {
  routes_.push_back(Route{"POST", std::regex(pattern), lane, std::move(h)});
}

const Routes::Route* Routes::find(Request& req) const {
  for (const Route& r : routes_) {
    std::smatch m;
    if (r.method != req.method || !std::regex_match(req.path, m, r.pattern)) continue;
    req.matches.assign(m.begin(), m.end());
    return &r;
  }
  return nullptr;
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  // The I/O thread first, so that nothing touches a session while the workers finish.
  impl_->io.stop();
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  impl_->workers.stop();
}

core::Result<std::unique_ptr<Server>> Server::bind(const std::string& host, std::uint16_t port,
                                                   const Limits& limits) {
  if (limits.workers == 0 || limits.priority_workers == 0 || limits.max_connections == 0 ||
      limits.max_connections_per_client == 0) {
    return core::Error{ErrorCode::kInvalid, "http: workers and connection limits are required"};
  }
  auto impl = std::make_unique<Impl>(limits);
  const std::string where = host + ":" + std::to_string(port);
  beast::error_code ec;
  tcp::resolver resolver(impl->io);
  const auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || found.empty())
    return core::Error{ErrorCode::kIo, "http: cannot resolve " + where + ": " + ec.message()};
  const tcp::endpoint at = found.begin()->endpoint();
  tcp::acceptor& a = impl->acceptor;
  if (a.open(at.protocol(), ec) || a.set_option(asio::socket_base::reuse_address(true), ec) ||
      a.bind(at, ec) || a.listen(limits.backlog, ec)) {
    return core::Error{ErrorCode::kIo, "http: cannot listen on " + where + ": " + ec.message()};
  }
  impl->loopback = at.address().is_loopback();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

core::Status Server::serve(Routes routes, Hooks hooks) {
  if (!hooks.error) return core::Error{ErrorCode::kInvalid, "http: an error hook is required"};
  if (impl_->io_thread.joinable()) return core::Error{ErrorCode::kInvalid, "http: serving already"};
  impl_->routes = std::move(routes);
  impl_->hooks = std::move(hooks);
  impl_->accept();
  impl_->io_thread = std::thread([i = impl_.get()] { i->run_io(); });
  return core::Status::Ok();
}

core::Result<std::unique_ptr<Server>> Server::start(const std::string& host, std::uint16_t port,
                                                    const Limits& limits, Routes routes,
                                                    Hooks hooks) {
  BASALT_ASSIGN_OR_RETURN(std::unique_ptr<Server> server, bind(host, port, limits));
  BASALT_TRY(server->serve(std::move(routes), std::move(hooks)));
  return server;
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

bool Server::loopback() const {
  return impl_->loopback;
}

ServerStats Server::stats() const {
  std::lock_guard lock(impl_->mutex);
  ServerStats s = impl_->counters;
  s.open = impl_->sessions.size();
  return s;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

}  // namespace basalt::http
