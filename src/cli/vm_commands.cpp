#include "cli/vm_commands.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/files.hpp"
#include "vm/machine.hpp"

namespace basalt::cli {
namespace {

std::optional<vm::Program> load_program(const std::string& path, std::uint32_t memory_limit) {
  auto bytes = core::read_file(path, vm::kMaxElfBytes);
  if (!bytes.ok()) {
    std::cerr << "basalt: " << bytes.error().context() << "\n";
    return std::nullopt;
  }
  auto p = vm::Program::load(*bytes, memory_limit);
  if (!p.ok()) {
    std::cerr << "basalt: " << path << ": " << p.error().to_string() << "\n";
    return std::nullopt;
  }
  return std::move(p).value();
}

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

int vm_run(const VmRunOptions& opts) {
  vm::RunLimits limits;
  if (opts.memory_limit != 0) limits.memory_limit = opts.memory_limit;
  if (opts.max_cycles) limits.max_cycles = *opts.max_cycles;
  auto program = load_program(opts.elf_path, limits.memory_limit);
  if (!program) return 2;
  core::Bytes input;
  if (opts.input_path) {
    // A guest cannot hold an input larger than its memory.
    auto in = core::read_file(*opts.input_path, limits.memory_limit);
    if (!in.ok()) {
      std::cerr << "basalt: " << in.error().context() << "\n";
      return 2;
    }
    input = std::move(*in);
  }
  vm::RunResult r = opts.interpret ? vm::run_interpreted(*program, input, limits)
                                   : vm::run(*program, input, limits);
  if (opts.journal_path) {
    std::ofstream j(*opts.journal_path, std::ios::binary);
    j.write(reinterpret_cast<const char*>(r.journal.data()),
            static_cast<std::streamsize>(r.journal.size()));
    if (!j) {
      std::cerr << "basalt: cannot write " << *opts.journal_path << "\n";
      return 2;
    }
  }
  const bool exited = r.status == vm::RunResult::Status::kExited;
  if (opts.json) {
    nlohmann::ordered_json out;
    out["image_id"] = program->image_id().hex();
    out["status"] = exited ? "exited" : "faulted";
    if (exited) {
      out["exit_code"] = r.exit_code;
    } else {
      out["fault"] = {{"kind", vm::fault_name(r.fault.kind)},
                      {"code", static_cast<int>(r.fault.kind)},
                      {"pc", hex32(r.fault.pc)},
                      {"addr", hex32(r.fault.addr)}};
    }
    out["cycles"] = r.cycles;
    out["instructions"] = r.instructions;
    out["stdout_hex"] = core::to_hex(r.stdout_bytes);
    out["stderr_hex"] = core::to_hex(r.stderr_bytes);
    out["journal_hex"] = core::to_hex(r.journal);
    auto& assumptions = out["assumptions"] = nlohmann::ordered_json::array();
    for (const auto& a : r.assumptions) {
      assumptions.push_back(
          {{"image_id", a.image_id.hex()}, {"journal_digest", a.journal_digest.hex()}});
    }
    std::cout << out.dump() << "\n";
  } else {
    std::cout.write(reinterpret_cast<const char*>(r.stdout_bytes.data()),
                    static_cast<std::streamsize>(r.stdout_bytes.size()));
    std::cout.flush();
    std::cerr.write(reinterpret_cast<const char*>(r.stderr_bytes.data()),
                    static_cast<std::streamsize>(r.stderr_bytes.size()));
    if (exited) {
      std::cerr << "basalt: guest exited with code " << r.exit_code;
    } else {
      std::cerr << "basalt: guest fault: " << vm::fault_name(r.fault.kind) << " at pc "
                << hex32(r.fault.pc) << " (address " << hex32(r.fault.addr) << ")";
    }
    std::cerr << "; " << r.cycles << " cycles, " << r.instructions << " instructions; image id "
              << program->image_id().hex() << "\n";
  }
  return exited ? static_cast<int>(r.exit_code & 0xff) : 125;
}

int vm_image_id(const std::string& elf_path) {
  auto program = load_program(elf_path, vm::kDefaultMemoryLimit);
  if (!program) return 2;
  std::cout << program->image_id().hex() << "\n";
  return 0;
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Wall time of one qemu-riscv32 run of the ELF, output discarded; negative when qemu cannot run it.
double time_qemu(const std::string& path) {
  std::string cmd = "qemu-riscv32 '" + path + "' > /dev/null";
  auto t0 = std::chrono::steady_clock::now();
  int status = std::system(cmd.c_str());
  double t = seconds_since(t0);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return t;
}

}  // namespace

int bench_vm(const VmBenchOptions& opts) {
  const int repeat = std::max(1, opts.repeat);
  std::printf("basalt bench vm: guest instructions per second, one thread, median of %d runs\n",
              repeat);
  std::printf("%-14s %13s %9s %12s %15s %9s %12s %8s %10s %8s\n", "guest", "instructions",
              "basalt s", "basalt MIPS", "unmetered MIPS", "metering", "interp MIPS", "qemu s",
              "qemu MIPS", "vs qemu");
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  for (const char* name : {"bench_compute", "bench_memory"}) {
    std::string path = opts.guest_dir + "/test_" + name + ".elf";
    auto program = load_program(path, vm::kDefaultMemoryLimit);
    if (!program) return 2;
    std::vector<double> t_vm, t_unmetered, t_interp, t_qemu;
    vm::RunResult r;
    for (int k = 0; k < repeat; ++k) {
      auto t0 = std::chrono::steady_clock::now();
      r = vm::run(*program, {}, {});
      t_vm.push_back(seconds_since(t0));
      if (r.status != vm::RunResult::Status::kExited || r.exit_code != 0) {
        std::fprintf(stderr, "basalt: %s did not exit cleanly\n", name);
        return 1;
      }
      t0 = std::chrono::steady_clock::now();
      vm::RunResult u = vm::run_unmetered_for_benchmark(*program, {}, vm::kDefaultMemoryLimit);
      t_unmetered.push_back(seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      vm::RunResult i = vm::run_interpreted(*program, {}, {});
      t_interp.push_back(seconds_since(t0));
      if (u.stdout_bytes != r.stdout_bytes || i.stdout_bytes != r.stdout_bytes ||
          i.cycles != r.cycles) {
        std::fprintf(stderr, "basalt: the runs of %s differ\n", name);
        return 1;
      }
      double q = time_qemu(path);
      if (q < 0) {
        std::fprintf(
            stderr, "basalt: qemu-riscv32 could not run %s (scripts/setup.sh installs qemu-user)\n",
            name);
        return 1;
      }
      t_qemu.push_back(q);
    }
    const double n = static_cast<double>(r.instructions);
    const double vm_s = median(t_vm), un_s = median(t_unmetered), in_s = median(t_interp),
                 q_s = median(t_qemu);
    // Metering compares the fastest metered and unmetered runs: noise from the machine only adds
    // time, and on a shared host it easily exceeds what metering costs.
    const double metering = *std::min_element(t_vm.begin(), t_vm.end()) /
                                *std::min_element(t_unmetered.begin(), t_unmetered.end()) -
                            1;
    std::printf("%-14s %13.0f %9.3f %12.1f %15.1f %8.1f%% %12.1f %8.3f %10.1f %7.2fx\n", name, n,
                vm_s, n / vm_s / 1e6, n / un_s / 1e6, metering * 100, n / in_s / 1e6, q_s,
                n / q_s / 1e6, q_s / vm_s);
  }
  std::printf(
      "(basalt: translated code, metered; interp: the interpreter alone; metering: fastest "
      "metered\n"
      " run against fastest unmetered run. qemu time is the whole\n"
      " qemu-riscv32 process, start-up included; 'vs qemu' is basalt's speed divided by qemu's,\n"
      " so 0.25x means a quarter of qemu's speed)\n");
  return 0;
}

}  // namespace basalt::cli
