// basalt's VM against qemu-riscv32 (Debian qemu-user), a real RISC-V implementation: the SDK's test
// programs (built by clang) and hundreds of seeded random programs must print the same bytes and
// exit with the same code in both.
#include <gtest/gtest.h>

#include "guest_util.hpp"
#include "rv_gen.hpp"
#include "vm/machine.hpp"

namespace basalt::vm {
namespace {

using namespace testing;

void expect_same(const std::string& path, const std::string& label) {
  core::Bytes elf = read_file(path);
  auto p = Program::load(elf);
  ASSERT_TRUE(p.ok()) << label << ": " << p.error().to_string();
  RunResult mine = run(*p, {}, {});
  QemuResult theirs = run_qemu(path);
  ASSERT_TRUE(theirs.ran) << "qemu-riscv32 did not run " << label
                          << " (scripts/setup.sh installs qemu-user)";
  ASSERT_EQ(mine.status, RunResult::Status::kExited)
      << label << ": " << fault_name(mine.fault.kind) << " at pc " << std::hex << mine.fault.pc;
  EXPECT_EQ(static_cast<int>(mine.exit_code & 0xff), theirs.exit_code) << label;
  EXPECT_EQ(mine.stdout_bytes, theirs.stdout_bytes) << label;
}

TEST(QemuDiff, SdkTestPrograms) {
  for (const char* t : {"arith", "muldiv", "branches", "memory", "control"}) {
    expect_same(guest_path(std::string("test_") + t + ".elf"), t);
  }
}

TEST(QemuDiff, SeededRandomPrograms) {
  test::Rng rng(77);
  RandomProgram gen(rng);
  std::string path = temp_elf_path("rvgen");
  for (int i = 0; i < 300; ++i) {
    write_file(path, gen.build(60 + static_cast<int>(rng.below(200))));
    expect_same(path, "random program " + std::to_string(i));
    if (HasFailure()) break;
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace basalt::vm
