#include "http/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <utility>

namespace basalt::http {

namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

core::Error unavailable(const std::string& what) {
  return core::Error{core::ErrorCode::kUnavailable, "raw client: " + what};
}

// Waits for `events` until the deadline; false when it passed.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(left.count())) > 0;
}

// The length of the whole first response in `bytes` (headers and Content-Length bytes of body),
// and where its body starts; nullopt until it is all there.
std::optional<std::pair<std::size_t, std::size_t>> complete(const std::string& bytes) {
  const std::size_t end = bytes.find("\r\n\r\n");
  if (end == std::string::npos) return std::nullopt;
  const std::string head = bytes.substr(0, end);
  std::size_t length = 0;
  for (std::size_t at = head.find("\r\n"); at != std::string::npos;
       at = head.find("\r\n", at + 2)) {
    constexpr std::string_view kName = "content-length:";
    std::string line = head.substr(at + 2, kName.size());
    for (char& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (line == kName) length = std::strtoull(head.c_str() + at + 2 + kName.size(), nullptr, 10);
  }
  if (bytes.size() < end + 4 + length) return std::nullopt;
  return std::pair{end + 4 + length, end + 4};
}

}  // namespace

core::Result<RawAnswer> raw_exchange(const std::string& host, std::uint16_t port,
                                     std::string_view request, std::chrono::milliseconds deadline,
                                     const std::string& from) {
  const auto until = Clock::now() + deadline;
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return unavailable("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (!from.empty()) {
    if (::inet_pton(AF_INET, from.c_str(), &addr.sin_addr) != 1 ||
        ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      return unavailable("cannot bind " + from);
  }
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return unavailable("bad host");
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS)
    return unavailable("connect failed");
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(fd.get(), POLLOUT, until)) return unavailable("deadline passed while sending");
    const ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINPROGRESS) break;  // the server may answer early
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  // One request, then end of input: a server waiting for more of an incomplete request learns at
  // once that nothing follows.
  ::shutdown(fd.get(), SHUT_WR);
  RawAnswer a;
  char buf[4096];
  std::optional<std::pair<std::size_t, std::size_t>> whole;
  while (!(whole = complete(a.bytes))) {
    if (!wait_for(fd.get(), POLLIN, until)) return unavailable("deadline passed while reading");
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) break;
    a.bytes.append(buf, static_cast<std::size_t>(n));
  }
  if (a.bytes.rfind("HTTP/1.", 0) == 0 && a.bytes.size() >= 12)
    a.status = std::atoi(a.bytes.c_str() + 9);
  if (whole) a.body = a.bytes.substr(whole->second, whole->first - whole->second);
  return a;
}

}  // namespace basalt::http
