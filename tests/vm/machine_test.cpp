// Instruction semantics, faults, limits and system calls of the VM, on hand-assembled programs.
#include <gtest/gtest.h>

#include "core/byte_writer.hpp"
#include "crypto/blake3.hpp"
#include "crypto/sha256.hpp"
#include "guest_util.hpp"
#include "rv_asm.hpp"
#include "vm/machine.hpp"

namespace basalt::vm {
namespace {

using namespace testing;
using S = RunResult::Status;

// Appends "exit(a0)".
std::vector<std::uint32_t> with_exit(std::vector<std::uint32_t> code) {
  code.push_back(enc::addi(17, 0, 93));
  code.push_back(enc::ecall());
  return code;
}

RunResult run_code(const std::vector<std::uint32_t>& code, core::ByteSpan input = {},
                   RunLimits limits = {}, std::uint32_t data_size = 0x1000) {
  auto p = Program::load(program(code, data_size), limits.memory_limit);
  EXPECT_TRUE(p.ok()) << p.error().to_string();
  RunResult r = run(*p, input, limits);
  EXPECT_TRUE(same_run(r, run_interpreted(*p, input, limits)));
  return r;
}

// rd = op(a, b) through registers x5, x6, then exit with rd.
std::uint32_t alu(std::uint32_t f3, std::uint32_t f7, std::uint32_t a, std::uint32_t b) {
  std::vector<std::uint32_t> code = enc::li(5, a);
  for (auto w : enc::li(6, b)) code.push_back(w);
  code.push_back(enc::r(0x33, f3, f7, 10, 5, 6));
  auto r = run_code(with_exit(code));
  EXPECT_EQ(r.status, S::kExited);
  return r.exit_code;
}

TEST(Vm, DivisionEdgeCasesFollowRiscV) {
  EXPECT_EQ(alu(4, 1, 7, 0), 0xffffffffu);                      // div by zero
  EXPECT_EQ(alu(5, 1, 7, 0), 0xffffffffu);                      // divu by zero
  EXPECT_EQ(alu(6, 1, 7, 0), 7u);                               // rem by zero
  EXPECT_EQ(alu(7, 1, 7, 0), 7u);                               // remu by zero
  EXPECT_EQ(alu(4, 1, 0x80000000u, 0xffffffffu), 0x80000000u);  // INT_MIN / -1
  EXPECT_EQ(alu(6, 1, 0x80000000u, 0xffffffffu), 0u);           // INT_MIN % -1
  EXPECT_EQ(alu(4, 1, static_cast<std::uint32_t>(-7), 2),
            static_cast<std::uint32_t>(-3));  // toward zero
  EXPECT_EQ(alu(6, 1, static_cast<std::uint32_t>(-7), 2), static_cast<std::uint32_t>(-1));
}

TEST(Vm, HighMultiplies) {
  EXPECT_EQ(alu(1, 1, 0xffffffffu, 0xffffffffu), 0u);           // mulh(-1, -1) = 0
  EXPECT_EQ(alu(2, 1, 0xffffffffu, 0xffffffffu), 0xffffffffu);  // mulhsu(-1, 2^32-1)
  EXPECT_EQ(alu(3, 1, 0xffffffffu, 0xffffffffu), 0xfffffffeu);  // mulhu
  EXPECT_EQ(alu(1, 1, 0x80000000u, 0x80000000u), 0x40000000u);
  EXPECT_EQ(alu(0, 1, 0x10001u, 0x10001u), 0x20001u);  // mul keeps the low word
}

TEST(Vm, ShiftsUseTheLowFiveBits) {
  EXPECT_EQ(alu(1, 0, 1, 33), 2u);                        // sll by 33 = by 1
  EXPECT_EQ(alu(5, 0x20, 0x80000000u, 31), 0xffffffffu);  // sra
  EXPECT_EQ(alu(5, 0, 0x80000000u, 63), 1u);              // srl by 63 = by 31
}

TEST(Vm, RegisterZeroIsAlwaysZero) {
  auto r =
      run_code(with_exit({enc::addi(0, 0, 5), enc::addi(10, 0, 0), enc::r(0x33, 0, 0, 10, 0, 10)}));
  EXPECT_EQ(r.status, S::kExited);
  EXPECT_EQ(r.exit_code, 0u);
}

TEST(Vm, MisalignedLoadsAndStoresWork) {
  // Store 0x11223344 at data+1, load the halfword at data+2.
  std::vector<std::uint32_t> code = enc::li(5, 0x20000);
  for (auto w : enc::li(6, 0x11223344)) code.push_back(w);
  code.push_back(enc::s(2, 5, 6, 1));         // sw x6, 1(x5)
  code.push_back(enc::i(0x03, 5, 10, 5, 2));  // lhu a0, 2(x5)
  auto r = run_code(with_exit(code));
  ASSERT_EQ(r.status, S::kExited);
  EXPECT_EQ(r.exit_code, 0x2233u);
}

TEST(Vm, Faults) {
  auto fault_of = [](const RunResult& r) {
    return r.status == S::kFaulted ? r.fault.kind : FaultKind{};
  };
  // Load from an unmapped address.
  EXPECT_EQ(fault_of(run_code({enc::i(0x03, 2, 5, 0, 0)})), FaultKind::kLoadAccess);
  // Store into the code.
  auto store_code = enc::li(5, 0x10000);
  store_code.push_back(enc::s(2, 5, 0, 0));
  EXPECT_EQ(fault_of(run_code(store_code)), FaultKind::kStoreToCode);
  // Store outside every region.
  auto store_far = enc::li(5, 0x50000);
  store_far.push_back(enc::s(0, 5, 0, 0));
  auto far = run_code(store_far);
  EXPECT_EQ(fault_of(far), FaultKind::kStoreAccess);
  EXPECT_EQ(far.fault.addr, 0x50000u);
  EXPECT_EQ(far.fault.pc, 0x10008u);
  // Jumps: outside the code, misaligned, falling off the end.
  EXPECT_EQ(fault_of(run_code({enc::j(0, 0x1000)})), FaultKind::kJumpOutsideCode);
  auto jalr = enc::li(5, 0x10002);
  jalr.push_back(enc::i(0x67, 0, 1, 5, 0));
  jalr.push_back(enc::addi(0, 0, 0));
  EXPECT_EQ(fault_of(run_code(jalr)), FaultKind::kJumpOutsideCode);
  EXPECT_EQ(fault_of(run_code({enc::addi(5, 0, 1)})), FaultKind::kJumpOutsideCode);
  auto off_end = run_code({enc::addi(5, 0, 1), enc::b(0, 0, 5, 8)});  // branch not taken, then off
  EXPECT_EQ(fault_of(off_end), FaultKind::kJumpOutsideCode);
  EXPECT_EQ(off_end.fault.pc, 0x10008u);
  EXPECT_EQ(off_end.instructions, 3u);
  // Illegal encodings, EBREAK, CSR access.
  EXPECT_EQ(fault_of(run_code({0xffffffffu})), FaultKind::kIllegalInstruction);
  EXPECT_EQ(fault_of(run_code({0x00000000u})), FaultKind::kIllegalInstruction);
  EXPECT_EQ(fault_of(run_code({enc::ebreak()})), FaultKind::kBreakpoint);
  EXPECT_EQ(fault_of(run_code({0xc0002573u})), FaultKind::kIllegalInstruction);  // rdcycle
  // Unknown system call.
  EXPECT_EQ(fault_of(run_code({enc::addi(17, 0, 999), enc::ecall()})), FaultKind::kBadSyscall);
}

TEST(Vm, AccessesReachTheLastByteOfEachRegion) {
  // Read-only: the code (0x10000, 4 words) ends at 0x10010; read-write: the data ends at 0x21000.
  for (std::uint32_t width : {1u, 2u, 4u}) {
    const std::uint32_t f3 = width == 1 ? 0 : width == 2 ? 1 : 2;
    for (std::uint32_t end : {0x10010u, 0x21000u}) {
      for (std::uint32_t over : {0u, 1u}) {
        std::vector<std::uint32_t> code = enc::li(5, end - width + over);
        code.push_back(enc::i(0x03, f3, 6, 5, 0));
        if (end == 0x21000u) {
          code.push_back(enc::s(f3, 5, 6, 0));
          code.push_back(enc::addi(17, 0, 93));
          code.push_back(enc::ecall());
        } else {
          code.resize(4, enc::addi(0, 0, 0));  // the read-only region is exactly these 4 words
        }
        auto r = run_code(code);
        if (end == 0x10010u) {
          // The load at the end of the code falls off it when it works, faults when it does not.
          ASSERT_EQ(r.status, S::kFaulted);
          EXPECT_EQ(r.fault.kind, over ? FaultKind::kLoadAccess : FaultKind::kJumpOutsideCode);
        } else if (over) {
          ASSERT_EQ(r.status, S::kFaulted);
          EXPECT_EQ(r.fault.kind, FaultKind::kLoadAccess);
        } else {
          EXPECT_EQ(r.status, S::kExited) << width;
        }
      }
    }
  }
}

TEST(Vm, CycleLimitStopsAnInfiniteLoopDeterministically) {
  RunLimits limits;
  limits.max_cycles = 1000;
  auto a = run_code({enc::addi(5, 5, 1), enc::j(0, -4)}, {}, limits);
  auto b = run_code({enc::addi(5, 5, 1), enc::j(0, -4)}, {}, limits);
  ASSERT_EQ(a.status, S::kFaulted);
  EXPECT_EQ(a.fault.kind, FaultKind::kOutOfCycles);
  EXPECT_EQ(a.cycles, 1000u);
  EXPECT_EQ(a.fault.pc, b.fault.pc);
}

TEST(Vm, BrkGrowsTheHeapAndTheMemoryLimitStopsIt) {
  // brk(0) -> current break; brk(current + 0x10000) -> new break; store at the new top - 4.
  std::vector<std::uint32_t> code = {enc::addi(10, 0, 0), enc::addi(17, 0, 214), enc::ecall(),
                                     enc::addi(5, 10, 0)};
  for (auto w : enc::li(6, 0x10000)) code.push_back(w);
  code.push_back(enc::r(0x33, 0, 0, 10, 5, 6));  // a0 = break + 0x10000
  code.push_back(enc::ecall());
  code.push_back(enc::s(2, 10, 10, -4));  // sw a0, -4(a0)
  code.push_back(enc::addi(10, 0, 3));
  RunLimits roomy;
  roomy.memory_limit = 1u << 20;
  auto ok = run_code(with_exit(code), {}, roomy);
  ASSERT_EQ(ok.status, S::kExited);
  EXPECT_EQ(ok.exit_code, 3u);
  RunLimits tight;
  tight.memory_limit = 0x8000;
  auto oom = run_code(with_exit(code), {}, tight, 0x1000);
  ASSERT_EQ(oom.status, S::kFaulted);
  EXPECT_EQ(oom.fault.kind, FaultKind::kOutOfMemory);
}

TEST(Vm, InputJournalAndWrite) {
  // Read 4 input bytes to data, commit them, write them to stdout and stderr, exit with the input
  // bytes left.
  std::vector<std::uint32_t> code = enc::li(8, 0x20000);
  for (auto w : std::vector<std::uint32_t>{enc::addi(10, 8, 0),
                                           enc::addi(11, 0, 4),
                                           enc::addi(17, 0, 0x0700),
                                           enc::ecall(),  // read
                                           enc::addi(10, 8, 0),
                                           enc::addi(11, 0, 4),
                                           enc::addi(17, 0, 0x0702),
                                           enc::ecall(),  // commit
                                           enc::addi(10, 0, 1),
                                           enc::addi(11, 8, 0),
                                           enc::addi(12, 0, 4),
                                           enc::addi(17, 0, 64),
                                           enc::ecall(),
                                           enc::addi(10, 0, 2),
                                           enc::addi(11, 8, 0),
                                           enc::addi(12, 0, 2),
                                           enc::addi(17, 0, 64),
                                           enc::ecall(),
                                           enc::addi(17, 0, 0x0701),
                                           enc::ecall()}) {
    code.push_back(w);
  }
  core::Bytes input = {'a', 'b', 'c', 'd', 'e', 'f'};
  auto r = run_code(with_exit(code), input);
  ASSERT_EQ(r.status, S::kExited) << fault_name(r.fault.kind);
  EXPECT_EQ(r.exit_code, 2u);
  EXPECT_EQ(r.journal, (core::Bytes{'a', 'b', 'c', 'd'}));
  EXPECT_EQ(r.stdout_bytes, (core::Bytes{'a', 'b', 'c', 'd'}));
  EXPECT_EQ(r.stderr_bytes, (core::Bytes{'a', 'b'}));
  EXPECT_GT(r.cycles, r.instructions);  // system calls cost more than one cycle
}

TEST(Vm, SystemCallsCannotReachOutsideGuestMemory) {
  auto r = run_code({enc::addi(10, 0, 1), enc::lui(11, 0x50), enc::addi(12, 0, 4),
                     enc::addi(17, 0, 64), enc::ecall()});
  ASSERT_EQ(r.status, S::kFaulted);
  EXPECT_EQ(r.fault.kind, FaultKind::kSyscallMemory);
  // Reading input into the code is refused too.
  auto into_code =
      run_code({enc::lui(10, 0x10), enc::addi(11, 0, 4), enc::addi(17, 0, 0x0700), enc::ecall()},
               core::Bytes{1, 2, 3, 4});
  EXPECT_EQ(into_code.fault.kind, FaultKind::kSyscallMemory);
}

TEST(Vm, AcceleratorsMatchTheHostFunctions) {
  // sha256_compress on the IV words at data+0 with the block at data+64; blake3_compress likewise.
  core::Bytes data(0x200, 0);
  std::array<std::uint32_t, 8> iv = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j) data[4 * i + j] = static_cast<std::uint8_t>(iv[i] >> (8 * j));
  }
  for (int i = 0; i < 64; ++i) data[64 + i] = static_cast<std::uint8_t>(i * 7);
  std::vector<std::uint32_t> code = enc::li(8, 0x20000);
  for (auto w : std::vector<std::uint32_t>{
           enc::addi(10, 8, 0), enc::addi(11, 8, 64), enc::addi(17, 0, 0x0703), enc::ecall(),
           enc::addi(10, 8, 0x100), enc::addi(11, 8, 64), enc::addi(12, 0, 5), enc::addi(13, 0, 0),
           enc::addi(14, 0, 64), enc::addi(15, 0, 11), enc::addi(16, 8, 0x140),
           enc::addi(17, 0, 0x0704), enc::ecall(), enc::addi(10, 0, 0)}) {
    code.push_back(w);
  }
  code.push_back(enc::addi(10, 0, 1));
  code.push_back(enc::addi(11, 8, 0));
  code.push_back(enc::addi(12, 0, 0x200));
  code.push_back(enc::addi(17, 0, 64));
  code.push_back(enc::ecall());
  code.push_back(enc::addi(10, 0, 0));
  auto p = Program::load(program(with_exit(code), 0x1000, data));
  ASSERT_TRUE(p.ok());
  auto r = run(*p, {}, {});
  ASSERT_EQ(r.status, S::kExited) << fault_name(r.fault.kind);
  ASSERT_EQ(r.stdout_bytes.size(), 0x200u);
  std::array<std::uint32_t, 8> want = iv;
  crypto::sha256_compress(want, data.data() + 64);
  for (int i = 0; i < 8; ++i) {
    std::uint32_t got = 0;
    for (int j = 0; j < 4; ++j) got |= std::uint32_t{r.stdout_bytes[4 * i + j]} << (8 * j);
    EXPECT_EQ(got, want[i]);
  }
  auto b3 = crypto::blake3_compress(std::array<std::uint32_t, 8>{}, data.data() + 64, 64, 5, 11);
  for (int i = 0; i < 16; ++i) {
    std::uint32_t got = 0;
    for (int j = 0; j < 4; ++j) got |= std::uint32_t{r.stdout_bytes[0x140 + 4 * i + j]} << (8 * j);
    EXPECT_EQ(got, b3[i]);
  }
}

TEST(Vm, VerifyRecordsAnAssumption) {
  core::Bytes data(64);
  for (int i = 0; i < 64; ++i) data[i] = static_cast<std::uint8_t>(i);
  std::vector<std::uint32_t> code = enc::li(8, 0x20000);
  for (auto w : {enc::addi(10, 8, 0), enc::addi(11, 8, 32), enc::addi(17, 0, 0x0705), enc::ecall(),
                 enc::addi(10, 0, 0)}) {
    code.push_back(w);
  }
  auto p = Program::load(program(with_exit(code), 0x1000, data));
  auto r = run(*p, {}, {});
  ASSERT_EQ(r.status, S::kExited);
  ASSERT_EQ(r.assumptions.size(), 1u);
  EXPECT_EQ(r.assumptions[0].image_id.hash().bytes[0], 0);
  EXPECT_EQ(r.assumptions[0].journal_digest.bytes[0], 32);
}

}  // namespace
}  // namespace basalt::vm
