// The documentation's examples, run as written. In a document, a fenced block whose info string is
// `<language> file=NAME` is written to NAME; a ```console block holds commands, each on a line
// starting with "$ " (a trailing backslash continues it), each followed by the output it prints
// (stdout and stderr together). A line "..." in the output stands for any number of lines and "…"
// within a line for any text; a command without output lines is not compared. A command ends with
// "# exit code N" when it is meant to fail; one ending with "&" runs in the background until the
// document is done (then it gets SIGTERM, and SIGKILL 30 s later). Each document runs in a fresh
// directory with this build's `basalt` first on PATH; every command has a 180 s deadline.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_util.hpp"

extern char** environ;

namespace {

struct Command {
  std::string line;  // as bash runs it
  std::vector<std::string> expected;
  int exit_code = 0;
  bool background = false;
  int source_line = 0;
};

struct Step {
  std::optional<Command> command;
  std::string file, content;  // a file block
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void finish_command(Command& c) {
  static const std::string kExit = "# exit code ";
  if (const auto at = c.line.rfind(kExit); at != std::string::npos) {
    c.exit_code = std::stoi(c.line.substr(at + kExit.size()));
    c.line.erase(at);
  }
  while (!c.line.empty() && c.line.back() == ' ') c.line.pop_back();
  if (!c.line.empty() && c.line.back() == '&') {
    c.background = true;
    c.line.pop_back();
  }
}

std::vector<Step> parse(const std::string& doc) {
  std::vector<Step> steps;
  const std::vector<std::string> lines = lines_of(doc);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("```", 0) != 0) continue;
    const std::string info = lines[i].substr(3);
    std::size_t end = i + 1;
    while (end < lines.size() && lines[end].rfind("```", 0) != 0) ++end;
    if (const auto f = info.find(" file="); f != std::string::npos) {
      Step s;
      s.file = info.substr(f + 6);
      for (std::size_t k = i + 1; k < end; ++k) s.content += lines[k] + "\n";
      steps.push_back(std::move(s));
    } else if (info == "console") {
      for (std::size_t k = i + 1; k < end; ++k) {
        if (lines[k].rfind("$ ", 0) == 0) {
          Command c{lines[k].substr(2), {}, 0, false, static_cast<int>(k + 1)};
          while (!c.line.empty() && c.line.back() == '\\' && k + 1 < end) {
            c.line.pop_back();
            c.line += lines[++k];
          }
          finish_command(c);
          steps.push_back({std::move(c), {}, {}});
        } else if (!steps.empty() && steps.back().command) {
          steps.back().command->expected.push_back(lines[k]);
        }
      }
    }
    i = end;
  }
  return steps;
}

// `pattern` with "…" standing for any text.
bool line_matches(const std::string& pattern, const std::string& line) {
  static const std::string kAny = "…";
  std::size_t at = 0, from = 0;
  for (bool first = true;; first = false) {
    const std::size_t next = pattern.find(kAny, from);
    const std::string part = pattern.substr(from, next == std::string::npos ? next : next - from);
    if (next == std::string::npos) {
      return line.size() >= at + part.size() &&
             line.compare(line.size() - part.size(), part.size(), part) == 0 &&
             (!first || line.size() == part.size());
    }
    const std::size_t found =
        first ? (line.compare(0, part.size(), part) == 0 ? 0 : line.npos) : line.find(part, at);
    if (found == std::string::npos) return false;
    at = found + part.size();
    from = next + kAny.size();
  }
}

bool output_matches(const std::vector<std::string>& want, std::size_t w,
                    const std::vector<std::string>& got, std::size_t g) {
  if (w == want.size()) return g == got.size();
  if (want[w] == "...") {
    for (std::size_t skip = g; skip <= got.size(); ++skip)
      if (output_matches(want, w + 1, got, skip)) return true;
    return false;
  }
  return g < got.size() && line_matches(want[w], got[g]) && output_matches(want, w + 1, got, g + 1);
}

pid_t spawn(const std::string& dir, const std::string& line, const std::string& out) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::string bash = "/bin/bash", c = "-c", script = "cd '" + dir + "' && " + line;
  char* argv[] = {bash.data(), c.data(), script.data(), nullptr};
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, bash.c_str(), &fa, &attr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  return pid;
}

// Waits for pid up to `seconds`; then kills its process group. Returns the exit code, or -1.
int wait_for(pid_t pid, int seconds) {
  int status = 0;
  for (int i = 0; i < seconds * 20; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

void run_document(const std::string& path) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << "cannot read " << path;
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  basalt::test::TempDir dir;
  const std::string bin = BASALT_BIN;
  const char* inherited = std::getenv("PATH");
  const std::string path_env =
      bin.substr(0, bin.rfind('/')) + ":" + (inherited != nullptr ? inherited : "/usr/bin:/bin");
  ::setenv("PATH", path_env.c_str(), 1);
  std::vector<pid_t> background;
  struct Stopper {  // the background processes, however the document ends
    std::vector<pid_t>& pids;
    ~Stopper() {
      for (pid_t p : pids) {
        ::kill(-p, SIGTERM);
        if (wait_for(p, 30) < 0) ADD_FAILURE() << "a background command did not stop on SIGTERM";
      }
    }
  } stopper{background};
  for (const Step& s : parse(doc)) {
    if (!s.command) {
      std::ofstream(dir.sub(s.file)) << s.content;
      continue;
    }
    const Command& c = *s.command;
    const std::string where = path + ":" + std::to_string(c.source_line) + ": $ " + c.line;
    if (c.background) {
      background.push_back(spawn(dir.path(), "exec " + c.line, "/dev/null"));
      continue;
    }
    const std::string out = dir.sub(".doc-output");
    const int code = wait_for(spawn(dir.path(), c.line, out), 180);
    std::ifstream o(out);
    const std::string text((std::istreambuf_iterator<char>(o)), std::istreambuf_iterator<char>());
    ASSERT_EQ(code, c.exit_code) << where << "\n" << text;
    if (!c.expected.empty()) {
      EXPECT_TRUE(output_matches(c.expected, 0, lines_of(text), 0)) << where << "\nprinted:\n"
                                                                    << text;
    }
  }
}

TEST(Docs, TheMatcherTakesWildcardsAndNothingElse) {
  EXPECT_TRUE(line_matches("ok (… cycles)", "ok (3964 cycles)"));
  EXPECT_FALSE(line_matches("ok (… cycles)", "ok (3964 cycles) more"));
  EXPECT_FALSE(line_matches("ok", "not ok"));
  EXPECT_TRUE(line_matches("…", "anything"));
  EXPECT_TRUE(output_matches({"a", "...", "d"}, 0, {"a", "b", "c", "d"}, 0));
  EXPECT_FALSE(output_matches({"a", "d"}, 0, {"a", "b", "d"}, 0));
}

TEST(Docs, WritingAnAppRunsAsWritten) {
  run_document(std::string(BASALT_SOURCE_DIR) + "/docs/writing-an-app.md");
}

TEST(Docs, ReadmeRunsAsWritten) {
  run_document(std::string(BASALT_SOURCE_DIR) + "/README.md");
}

}  // namespace
