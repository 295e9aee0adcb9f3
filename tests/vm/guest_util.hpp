// Running ELFs in basalt's VM and under qemu-riscv32 for the differential tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/bytes.hpp"

namespace basalt::vm::testing {

inline core::Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  std::string str = s.str();
  return core::Bytes(str.begin(), str.end());
}

inline std::string guest_path(const std::string& name) {
  return std::string(BASALT_GUEST_DIR) + "/" + name;
}

struct QemuResult {
  bool ran = false;
  int exit_code = -1;
  core::Bytes stdout_bytes;
};

// Runs an ELF file under qemu-riscv32 (Debian qemu-user) and captures stdout and the exit status.
inline QemuResult run_qemu(const std::string& elf_path) {
  QemuResult r;
  std::string cmd = "qemu-riscv32 '" + elf_path + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    r.stdout_bytes.insert(r.stdout_bytes.end(), buf, buf + n);
  int status = ::pclose(p);
  if (status != -1 && WIFEXITED(status)) {
    r.ran = true;
    r.exit_code = WEXITSTATUS(status);
  }
  return r;
}

inline std::string temp_elf_path(const std::string& tag) {
  return (std::filesystem::temp_directory_path() /
          ("basalt-" + tag + "-" + std::to_string(::getpid()) + ".elf"))
      .string();
}

inline void write_file(const std::string& path, const core::Bytes& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

}  // namespace basalt::vm::testing
