// Running ELFs in basalt's VM and under qemu-riscv32 for the differential tests.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "vm/machine.hpp"

namespace basalt::vm::testing {

// Every field of two runs, for comparing the translated code with the interpreter.
inline ::testing::AssertionResult same_run(const RunResult& a, const RunResult& b) {
  auto differ = [](const char* what) { return ::testing::AssertionFailure() << what << " differ"; };
  if (a.status != b.status) return differ("statuses");
  if (a.status == RunResult::Status::kExited && a.exit_code != b.exit_code)
    return differ("exit codes");
  if (a.status == RunResult::Status::kFaulted &&
      (a.fault.kind != b.fault.kind || a.fault.pc != b.fault.pc || a.fault.addr != b.fault.addr)) {
    return ::testing::AssertionFailure()
           << "faults differ: " << fault_name(a.fault.kind) << " at " << std::hex << a.fault.pc
           << " (" << a.fault.addr << ") vs " << fault_name(b.fault.kind) << " at " << b.fault.pc
           << " (" << b.fault.addr << ")";
  }
  if (a.cycles != b.cycles || a.instructions != b.instructions) {
    return ::testing::AssertionFailure()
           << "cycles " << a.cycles << " vs " << b.cycles << ", instructions " << a.instructions
           << " vs " << b.instructions;
  }
  if (a.stdout_bytes != b.stdout_bytes) return differ("stdout");
  if (a.stderr_bytes != b.stderr_bytes) return differ("stderr");
  if (a.journal != b.journal) return differ("journals");
  if (a.assumptions.size() != b.assumptions.size()) return differ("assumption counts");
  for (std::size_t i = 0; i < a.assumptions.size(); ++i) {
    if (a.assumptions[i].image_id != b.assumptions[i].image_id ||
        a.assumptions[i].journal_digest != b.assumptions[i].journal_digest)
      return differ("assumptions");
  }
  return ::testing::AssertionSuccess();
}

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
