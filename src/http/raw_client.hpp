// A bare HTTP/1.1 client for tests, benchmarks and fuzzers: it sends the bytes it is given, as
// given (malformed ones too), and reads one answer under a deadline. Not for the node's own calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace basalt::http {

struct RawAnswer {
  int status = 0;     // 0 when the server closed without a status line
  std::string bytes;  // everything read: status line, headers, body (and what followed it)
  std::string body;   // the first response's body, by its Content-Length
};

// Connects to host:port (an IPv4 address), optionally from the local address `from` (another
// loopback address, to be another client), sends `request`, closes its sending side, and reads
// until one whole response (by Content-Length) has arrived or the server closed. Errors:
// kUnavailable when the connection fails or the deadline passes first.
core::Result<RawAnswer> raw_exchange(const std::string& host, std::uint16_t port,
                                     std::string_view request, std::chrono::milliseconds deadline,
                                     const std::string& from = "");

}  // namespace basalt::http
