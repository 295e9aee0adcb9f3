// The node's log: one line per event on a stream (stderr by default), with the UTC time and the
// level, filtered by the configured level. Progress of long work (catch-up, a proving backlog) is a
// bar redrawn in place when the stream is a terminal, and a plain line every few seconds otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>

#include "node/config.hpp"

namespace basalt::node {

class Logger {
 public:
  // tty: draw progress bars (the stream is a terminal).
  Logger(std::ostream& out, LogLevel level, bool tty) : out_(out), level_(level), tty_(tty) {}

  void error(const std::string& msg) { write(LogLevel::kError, msg); }
  void warn(const std::string& msg) { write(LogLevel::kWarn, msg); }
  void info(const std::string& msg) { write(LogLevel::kInfo, msg); }
  void debug(const std::string& msg) { write(LogLevel::kDebug, msg); }
  bool enabled(LogLevel l) const { return l <= level_; }

  // Progress of `what`: done of total. Rate-limited; the final call (done == total) always shows.
  void progress(const std::string& what, std::uint64_t done, std::uint64_t total);

 private:
  void write(LogLevel l, const std::string& msg);
  void end_bar();  // Requires: mutex_ held

  std::ostream& out_;
  LogLevel level_;
  bool tty_;
  std::mutex mutex_;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point last_progress_{};
};

}  // namespace basalt::node
