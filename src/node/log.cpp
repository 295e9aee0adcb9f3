#include "node/log.hpp"

#include <ctime>

namespace basalt::node {

namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms));
  return out;
}

}  // namespace

void Logger::end_bar() {
  if (bar_open_) {
    out_ << "\n";
    bar_open_ = false;
  }
}

void Logger::write(LogLevel l, const std::string& msg) {
  if (!enabled(l)) return;
  std::lock_guard lock(mutex_);
  end_bar();
  out_ << utc_now() << " " << log_level_name(l) << " " << msg << "\n";
  out_.flush();
}

void Logger::progress(const std::string& what, std::uint64_t done, std::uint64_t total) {
  if (!enabled(LogLevel::kInfo) || total == 0) return;
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  const bool last = done >= total;
  const auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
  if (!last && now - last_progress_ < every) return;
  last_progress_ = now;
  const unsigned pct = static_cast<unsigned>(done * 100 / total);
  if (tty_) {
    constexpr unsigned kWidth = 30;
    const unsigned filled = pct * kWidth / 100;
    out_ << "\r" << what << " [" << std::string(filled, '#') << std::string(kWidth - filled, ' ')
         << "] " << pct << "% " << done << "/" << total;
    bar_open_ = true;
    if (last) end_bar();
  } else {
    out_ << utc_now() << " info " << what << ": " << done << "/" << total << " (" << pct << "%)\n";
  }
  out_.flush();
}

}  // namespace basalt::node
