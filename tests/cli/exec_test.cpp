// basalt exec end to end on the simulator: the same final root for 1, 2 and 4 threads, through
// reorgs, for both apps; a run stopped and resumed equals an uninterrupted one; and the real
// binary killed with SIGKILL at random moments (several seeds) then restarted reaches the root of
// an uninterrupted run.
#include "cli/exec_command.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_util.hpp"

extern char** environ;

namespace basalt::cli {
namespace {

ExecOptions options(const std::string& app, const std::string& dir, unsigned threads) {
  ExecOptions o;
  o.sim_seed = 11;
  o.blocks = 60;
  o.app = app;
  o.guest_dir = BASALT_GUEST_DIR;
  o.threads = threads;
  o.data_dir = dir;
  o.tx_per_block = 12;
  o.invalid_permille = 100;
  o.accounts = 40;
  o.reorg_every = 6;
  o.reorg_depth = 3;
  o.finality_depth = 20;
  o.sync = false;
  return o;
}

ExecSummary run(const ExecOptions& o) {
  std::ostringstream log;
  auto r = run_exec(o, log);
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  return r.ok() ? *r : ExecSummary{};
}

TEST(ExecCommand, SameRootOnEveryThreadCountThroughReorgs) {
  for (const char* app : {"counter", "token"}) {
    test::TempDir d1, d2, d4;
    const ExecSummary s1 = run(options(app, d1.path(), 1));
    EXPECT_GT(s1.rollbacks, 0u) << "the run should go through reorgs";
    EXPECT_GT(s1.tx_ok, 100u);
    EXPECT_GT(s1.tx_failed, 0u);
    EXPECT_EQ(run(options(app, d2.path(), 2)).root, s1.root) << app;
    EXPECT_EQ(run(options(app, d4.path(), 4)).root, s1.root) << app;
  }
}

TEST(ExecCommand, ResumingEqualsAnUninterruptedRun) {
  test::TempDir whole, parts;
  const ExecSummary all = run(options("token", whole.path(), 2));
  ExecOptions o = options("token", parts.path(), 2);
  for (std::uint64_t blocks : {17u, 18u, 41u, 60u}) {
    o.blocks = blocks;
    const ExecSummary s = run(o);
    EXPECT_GE(s.tip.value, blocks);
  }
  const ExecSummary again = run(o);
  EXPECT_EQ(again.root, all.root);
  EXPECT_EQ(again.tip.value, all.tip.value);
  EXPECT_EQ(again.batches, 0u) << "a finished run has nothing left to execute";
  // Another simulation must not continue in this directory.
  o.sim_seed = 12;
  std::ostringstream log;
  auto mixed = run_exec(o, log);
  ASSERT_FALSE(mixed.ok());
  // The refusal says what differs, in words.
  EXPECT_NE(mixed.error().context().find("another simulator setting: seed 11 (here 12)"),
            std::string::npos)
      << mixed.error().context();
  // So does another app; a name that is no app creates nothing.
  o.sim_seed = 11;
  o.app = "counter";
  auto other = run_exec(o, log);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().context().find("another app (image id)"), std::string::npos)
      << other.error().context();
  test::TempDir fresh;
  ExecOptions typo = options("countr", fresh.sub("data"), 2);
  auto refused = run_exec(typo, log);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().context().find("\"countr\" is neither a built-in app"),
            std::string::npos)
      << refused.error().context();
  EXPECT_FALSE(std::filesystem::exists(fresh.sub("data")));
}

// Runs the basalt binary with args; returns its pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& out_path) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

std::string root_of(const std::string& out_path) {
  std::ifstream f(out_path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("final root", 0) == 0) return line.substr(line.find_last_of(' ') + 1);
  }
  return "";
}

TEST(ExecCommand, KilledAtRandomMomentsAndRestartedReachesTheSameRoot) {
  test::TempDir dir;
  const std::vector<std::string> base = {BASALT_BIN,      "exec", "--sim-seed",     "21",
                                         "--blocks",      "150",  "--app",          "counter",
                                         "--threads",     "2",    "--tx-per-block", "15",
                                         "--reorg-every", "5",    "--reorg-depth",  "3"};
  auto with_dir = [&](const std::string& d) {
    auto a = base;
    a.push_back("--data-dir");
    a.push_back(d);
    return a;
  };
  pid_t pid = spawn(with_dir(dir.sub("whole")), dir.sub("whole.out"));
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const std::string expected = root_of(dir.sub("whole.out"));
  ASSERT_EQ(expected.size(), 64u);

  // Each kill lands at a seeded step of the embedded L1, read from its journal (9 bytes a block:
  // `exec` submits nothing else), so where the runs die does not depend on the machine's speed.
  test::Rng rng(21);
  for (int seed = 0; seed < 3; ++seed) {
    const std::string d = dir.sub("killed" + std::to_string(seed));
    std::uint64_t at = 0;
    for (int kill = 0; kill < 3; ++kill) {
      at += 1 + rng.below(25);  // three kills stay below the 87 steps of the whole run
      pid = spawn(with_dir(d), dir.sub("killed.out"));
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      std::error_code ec;
      while (std::filesystem::file_size(d + "/l1/journal", ec) / 9 < at &&
             std::chrono::steady_clock::now() < deadline && waitpid(pid, &status, WNOHANG) == 0)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      ASSERT_EQ(::kill(pid, SIGKILL), 0) << "seed " << seed << ": the run ended before step " << at;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFSIGNALED(status)) << "seed " << seed << ": the run ended before step " << at;
    }
    pid = spawn(with_dir(d), dir.sub("killed.out"));
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(root_of(dir.sub("killed.out")), expected) << "seed " << seed;
  }
}

}  // namespace
}  // namespace basalt::cli
