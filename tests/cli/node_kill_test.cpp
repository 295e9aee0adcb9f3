// kill -9 under load: `basalt node` processes killed at seeded random moments while users submit
// through the API, each time restarted on the same data directory and port. Every submission the
// node answered 202 must end executed, or reported refused by L1 with its reason — never silently
// gone. Bounded: four kills, 14 s of load, deadlines that fail instead of hanging; every process
// started is stopped by its pid.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/tx_commands.hpp"
#include "http/raw_client.hpp"
#include "test_util.hpp"

extern char** environ;

namespace basalt::cli {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// One `basalt node` process; the destructor kills it if it still runs.
class NodeProcess {
 public:
  NodeProcess(const std::string& config, const std::string& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    std::string bin = BASALT_BIN, cmd = "node", flag = "--config", cfg = config;
    char* argv[] = {bin.data(), cmd.data(), flag.data(), cfg.data(), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
  }
  ~NodeProcess() {
    if (pid_ > 0) kill(SIGKILL);
  }
  void kill(int sig) {
    ::kill(pid_, sig);
    int status = 0;
    // SIGTERM gets 30 s to stop cleanly, then SIGKILL.
    for (int i = 0; i < 300 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(milliseconds(100));
    if (::waitpid(pid_, &status, WNOHANG) == 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

bool api_up(std::uint16_t port, std::chrono::seconds within) {
  const auto until = Clock::now() + within;
  while (Clock::now() < until) {
    auto a = http::raw_exchange("127.0.0.1", port, "GET /v1/status HTTP/1.1\r\n\r\n",
                                milliseconds(1000));
    if (a.ok() && a->status == 200) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

TEST(NodeKill, EveryAcceptedSubmissionIsExecutedOrReportedAcrossKillsUnderLoad) {
  test::TempDir dir;
  const std::uint16_t port = free_port();
  const std::string config = dir.sub("node.toml"), log = dir.sub("node.log");
  std::ofstream(config) << "[node]\ndata_dir = \"" << dir.sub("data") << "\"\nsync = true\n"
                        << "[app]\nguest_dir = \"" << BASALT_GUEST_DIR << "\"\n"
                        << "[sim]\nblock_interval_ms = 50\nfinality_depth = 60\nreorg_every = 40\n"
                        << "reorg_depth = 3\nusers_tx_per_block = 5\n"
                        << "[prover]\nenabled = false\n"
                        << "[api]\nlisten = \"127.0.0.1:" << port << "\"\nthreads = 32\n"
                        << "rate_limit_per_second = 0\n";
  auto node = std::make_unique<NodeProcess>(config, log);
  ASSERT_TRUE(api_up(port, std::chrono::seconds(60))) << "the node did not start; see " << log;

  client::LoadOptions o;
  o.api = "http://127.0.0.1:" + std::to_string(port);
  o.funding_key_file = dir.sub("data") + "/sim-faucet.key";
  o.users = 16;
  o.seconds = 14;
  o.invalid_permille = 100;
  o.settle_timeout_s = 60;
  std::ostringstream load_log;
  core::Result<client::LoadReport> report = core::Error{core::ErrorCode::kUnavailable, "not run"};
  std::thread load([&] { report = client::run_load(o, load_log); });

  test::Rng rng(26);
  for (int kill = 0; kill < 4; ++kill) {
    std::this_thread::sleep_for(milliseconds(1000 + rng.below(1500)));
    node->kill(SIGKILL);
    node = std::make_unique<NodeProcess>(config, log);
    ASSERT_TRUE(api_up(port, std::chrono::seconds(60))) << "no restart after kill " << kill;
  }
  load.join();
  node->kill(SIGTERM);
  ASSERT_TRUE(report.ok()) << report.error().to_string() << "\n" << load_log.str();
  print_load_report(*report, std::cout);
  std::cout << load_log.str();
  EXPECT_EQ(report->lost, 0u) << load_log.str();
  EXPECT_EQ(report->unexpected, 0u) << load_log.str();
  EXPECT_GT(report->executed_ok, 50u);
}

}  // namespace
}  // namespace basalt::cli
