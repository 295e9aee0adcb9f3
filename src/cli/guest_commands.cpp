#include "cli/guest_commands.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/files.hpp"
#include "vm/machine.hpp"

extern char** environ;

namespace basalt::cli {

namespace fs = std::filesystem;

std::string share_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "/usr/share/basalt";
  const fs::path bin = exe.parent_path();
  const fs::path installed = (bin / ".." / "share" / "basalt").lexically_normal();
  for (const fs::path& p :
       {installed, (bin / ".." / ".." / "share" / "basalt").lexically_normal()}) {
    if (fs::exists(p / "guests" / "counter.elf", ec)) return p.string();
  }
  return installed.string();
}

std::string guest_dir() {
  return share_dir() + "/guests";
}

namespace {

// Runs argv[0] found on PATH, its output passing through; returns its exit status, or -1 with
// `why` set when it could not run.
int run(const std::vector<std::string>& args, std::string& why) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
      rc != 0) {
    why = std::strerror(rc);
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      why = std::strerror(errno);
      return -1;
    }
  }
  if (WIFSIGNALED(status)) {
    why = "killed by signal " + std::to_string(WTERMSIG(status));
    return -1;
  }
  return WEXITSTATUS(status);
}

}  // namespace

int guest_build(const GuestBuildOptions& o, std::ostream& out, std::ostream& log) {
  const fs::path sdk = o.sdk.empty() ? fs::path(share_dir()) / "sdk" : fs::path(o.sdk);
  std::error_code ec;
  for (const char* part : {"guest-flags.rsp", "guest-link.rsp", "basalt.ld",
                           "lib/libbasalt_guest_sdk.a", "include/basalt/guest.h"}) {
    if (!fs::exists(sdk / part, ec)) {
      log << "basalt: the guest SDK is not at " << sdk.string() << " (no " << part
          << "); pass --sdk DIR\n";
      return 2;
    }
  }
  for (const std::string& s : o.sources) {
    if (!fs::is_regular_file(s, ec)) {
      log << "basalt: " << s << ": " << (ec ? ec.message() : "not a readable file") << "\n";
      return 2;
    }
  }
  std::vector<std::string> args{o.cc,
                                "@" + (sdk / "guest-flags.rsp").string(),
                                "@" + (sdk / "guest-link.rsp").string(),
                                "-O2",
                                "-Wall",
                                "-I" + (sdk / "include").string()};
  for (const std::string& d : o.include_dirs) args.push_back("-I" + d);
  args.insert(args.end(), o.sources.begin(), o.sources.end());
  args.push_back((sdk / "lib" / "libbasalt_guest_sdk.a").string());
  args.push_back("-T" + (sdk / "basalt.ld").string());
  args.push_back("-o");
  args.push_back(o.out);
  std::string why;
  if (const int rc = run(args, why); rc != 0) {
    log << "basalt: " << o.cc
        << (rc < 0 ? " did not run: " + why : " failed (exit " + std::to_string(rc) + ")") << "\n";
    return 1;
  }
  auto bytes = core::read_file(o.out, vm::kMaxElfBytes);
  auto program = bytes.ok() ? vm::Program::load(*bytes, vm::kDefaultMemoryLimit)
                            : core::Result<vm::Program>(bytes.error());
  if (!program.ok()) {
    log << "basalt: " << o.out << " does not load in the VM: " << program.error().to_string()
        << "\n";
    return 1;
  }
  out << o.out << ": " << bytes->size() << " bytes, image id " << program->image_id().hex() << "\n";
  return 0;
}

}  // namespace basalt::cli
