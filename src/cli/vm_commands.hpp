// The `basalt vm` and `basalt bench vm` subcommands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace basalt::cli {

struct VmRunOptions {
  std::string elf_path;
  std::optional<std::string> input_path;
  std::optional<std::string> journal_path;
  std::optional<std::uint64_t> max_cycles;
  std::uint32_t memory_limit = 0;  // 0: the VM's default
  bool json = false;
  bool interpret = false;  // the interpreter alone, without the translated code
};

// Runs a guest. Guest stdout goes to stdout and guest stderr to stderr; the report (exit code or
// fault, cycles, image id) goes to stderr, or with json=true one JSON object goes to stdout and
// carries the guest's output as hex. Returns the guest's exit code (mod 256) when it exits, 125
// when it faults, 2 when the ELF or a file cannot be read.
int vm_run(const VmRunOptions& opts);

// Prints the image id of an ELF. Returns 0, or 2 when it cannot be loaded.
int vm_image_id(const std::string& elf_path);

struct VmBenchOptions {
  std::string guest_dir;  // where test_bench_compute.elf and test_bench_memory.elf are
  int repeat = 3;         // each figure is the median of this many runs
};

// Times the benchmark guests in basalt's VM (translated code metered and unmetered, and the
// interpreter alone) and under qemu-riscv32 and prints guest instructions per second, the metering
// overhead and the ratio to qemu, each the median of `repeat` runs.
int bench_vm(const VmBenchOptions& opts);

}  // namespace basalt::cli
