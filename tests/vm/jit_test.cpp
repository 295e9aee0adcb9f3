// The translated code against the interpreter: for every program, input and cycle limit the two
// engines must give the same result, field by field (exit or fault with its kind, pc and address,
// cycles, instructions, outputs, journal, assumptions).
#include <gtest/gtest.h>

#include "guest_util.hpp"
#include "rv_asm.hpp"
#include "rv_gen.hpp"
#include "vm/machine.hpp"

namespace basalt::vm {
namespace {

using namespace testing;

// Both engines at the given limit; returns the interpreter's result.
RunResult expect_engines_agree(const Program& p, core::ByteSpan input, const RunLimits& limits,
                               const std::string& label) {
  RunResult reference = run_interpreted(p, input, limits);
  EXPECT_TRUE(same_run(run(p, input, limits), reference))
      << label << ", max_cycles " << limits.max_cycles;
  return reference;
}

// Full runs, then runs cut off by the cycle limit at random points (OutOfCycles anywhere, and
// limits just around the full run's cost).
void expect_agree_at_limits(const Program& p, core::ByteSpan input, test::Rng& rng, int cuts,
                            const std::string& label) {
  const RunResult full = expect_engines_agree(p, input, {}, label);
  for (int k = 0; k < cuts; ++k) {
    RunLimits limits;
    limits.max_cycles = rng.below(full.cycles + 2);
    expect_engines_agree(p, input, limits, label);
  }
  for (std::uint64_t c : {full.cycles - 1, full.cycles, full.cycles + 1}) {
    RunLimits limits;
    limits.max_cycles = c;
    expect_engines_agree(p, input, limits, label);
  }
}

TEST(Jit, ProgramsAreTranslatedOnX86_64) {
  auto p = Program::load(read_file(guest_path("test_arith.elf")));
  ASSERT_TRUE(p.ok());
#if defined(__x86_64__)
  EXPECT_NE(p->translated(), nullptr);
#else
  EXPECT_EQ(p->translated(), nullptr);
#endif
}

TEST(Jit, SdkProgramsAgreeWithTheInterpreter) {
  test::Rng rng(5);
  for (const char* t : {"arith", "muldiv", "branches", "memory", "control", "compose"}) {
    auto p = Program::load(read_file(guest_path(std::string("test_") + t + ".elf")));
    ASSERT_TRUE(p.ok()) << t;
    expect_agree_at_limits(*p, {}, rng, 20, t);
  }
}

TEST(Jit, TheTransactionGuestsAgreeWithTheInterpreter) {
  // The app guests on random bytes as input: the ABI's rejections, early exits and system calls
  // through the translated code's exits.
  test::Rng rng(6);
  for (const char* app : {"counter", "token"}) {
    auto p = Program::load(read_file(guest_path(std::string(app) + ".elf")));
    ASSERT_TRUE(p.ok()) << app;
    for (int k = 0; k < 20; ++k) {
      core::Bytes input = rng.bytes(rng.below(300));
      expect_agree_at_limits(*p, input, rng, 3, std::string(app) + " on random input");
    }
  }
}

TEST(Jit, SeededRandomProgramsAgreeWithTheInterpreter) {
  test::Rng rng(78);
  RandomProgram gen(rng);
  for (int i = 0; i < 150 && !HasFailure(); ++i) {
    auto p = Program::load(gen.build(20 + static_cast<int>(rng.below(120))));
    ASSERT_TRUE(p.ok());
    expect_agree_at_limits(*p, {}, rng, 4, "random program " + std::to_string(i));
  }
}

// Programs that go wrong on purpose, but not at once: loads and stores at the edges of every
// region (most inside, some one byte over), system calls with arbitrary numbers and arguments (brk
// moving the break both ways), JALR into the middle of straight-line code, backward branches that
// loop until the cycle limit, and now and then a jump out of the code, EBREAK or an illegal word.
class HostileProgram {
 public:
  static constexpr std::uint32_t kCode = 0x10000, kRodata = 0x18000, kRodataSize = 0x100;
  static constexpr std::uint32_t kData = 0x20000, kDataSize = 0x1000;

  explicit HostileProgram(test::Rng& rng) : rng_(rng) {}

  core::Bytes build(std::size_t n) {
    code_.clear();
    const std::uint32_t bases[] = {kCode, kRodata + kRodataSize, kData,   kData + kDataSize,
                                   0,     0xfffffffeu,           kRodata, kData + 0x800};
    for (std::uint32_t r = 1; r <= 8; ++r) {
      for (auto w : enc::li(r, bases[r - 1])) emit(w);
    }
    while (code_.size() < n) op(n);
    return write_elf(kCode, {{kCode, 5, words(code_), static_cast<std::uint32_t>(code_.size() * 4)},
                             {kRodata, 4, rng_.bytes(kRodataSize), kRodataSize},
                             {kData, 6, rng_.bytes(kDataSize), kDataSize}});
  }

 private:
  void emit(std::uint32_t w) { code_.push_back(w); }
  std::uint32_t any() { return static_cast<std::uint32_t>(rng_.below(32)); }
  std::uint32_t dest() { return 10 + static_cast<std::uint32_t>(rng_.below(20)); }
  // A base register and offset: mostly inside a region or up to its end, rarely nowhere.
  std::pair<std::uint32_t, std::int32_t> address(bool store) {
    const auto k = rng_.below(20);
    if (k == 0) return {5 + static_cast<std::uint32_t>(rng_.below(2)), 0};  // 0 or 2^32 - 2
    if (k < 4) return {store ? 7u : 2u, -static_cast<std::int32_t>(rng_.below(6))};
    if (k < 8) return {4, -static_cast<std::int32_t>(rng_.below(6))};  // the break
    static constexpr std::uint32_t kInside[] = {1, 3, 7, 8};
    return {store ? (rng_.coin() ? 3u : 8u) : kInside[rng_.below(4)],
            static_cast<std::int32_t>(rng_.below(16))};
  }

  void op(std::size_t n) {
    static constexpr std::uint32_t kSyscalls[] = {64,    93,    214,   214,   0x700, 0x701, 0x702,
                                                  0x703, 0x704, 0x705, 0x706, 57,    0x707};
    const auto k = rng_.below(100);
    if (k < 20) {
      static constexpr std::uint32_t kF3[] = {0, 1, 2, 4, 5};
      auto [b, off] = address(false);
      emit(enc::i(0x03, kF3[rng_.below(5)], dest(), b, off));
    } else if (k < 35) {
      auto [b, off] = address(true);
      emit(enc::s(static_cast<std::uint32_t>(rng_.below(3)), b, any(), off));
    } else if (k < 55) {  // register-register, M extension included
      emit(enc::r(0x33, static_cast<std::uint32_t>(rng_.below(8)), rng_.coin() ? 1 : 0, dest(),
                  any(), any()));
    } else if (k < 65) {
      emit(rng_.coin() ? enc::i(0x13, 0, dest(), any(), static_cast<std::int32_t>(rng_.below(64)))
                       : enc::lui(dest(), static_cast<std::uint32_t>(rng_.u64()) & 0xfffff));
    } else if (k < 73) {  // a branch near, forward or backward
      static constexpr std::uint32_t kF3[] = {0, 1, 4, 5, 6, 7};
      const auto off = static_cast<std::int32_t>(rng_.below(24)) * 4 - 48;
      emit(enc::b(kF3[rng_.below(6)], any(), any(), off));
    } else if (k < 78) {  // AUIPC + JALR to any instruction near, run starts or not
      emit(enc::u(0x17, 30, 0));
      emit(enc::i(0x67, 0, rng_.coin() ? 31 : 0, 30,
                  static_cast<std::int32_t>(rng_.below(40)) * 4 - 80));
    } else if (k < 80) {  // JAL, now and then past the code
      const auto off = static_cast<std::int32_t>(rng_.below(n + n / 4)) * 4 -
                       4 * static_cast<std::int32_t>(code_.size());
      emit(enc::j(rng_.coin() ? 31 : 0, off));
    } else if (k < 90) {
      emit(enc::addi(17, 0, static_cast<std::int32_t>(kSyscalls[rng_.below(13)])));
      emit(enc::i(0x13, 0, 10, 1 + static_cast<std::uint32_t>(rng_.below(8)),
                  static_cast<std::int32_t>(rng_.below(64)) - 32));
      emit(enc::i(0x13, 0, 11, rng_.coin() ? 3 : 0, static_cast<std::int32_t>(rng_.below(64))));
      emit(enc::i(0x13, 0, 12, rng_.coin() ? 8 : 0, static_cast<std::int32_t>(rng_.below(64))));
      emit(enc::ecall());
    } else if (k < 92) {  // JALR through whatever a register holds
      emit(enc::i(0x67, 0, 0, any(), 0));
    } else if (k < 93) {
      emit(rng_.coin() ? enc::ebreak() : static_cast<std::uint32_t>(rng_.u64()));
    } else {  // address arithmetic on the bases
      emit(enc::i(0x13, 0, dest(), 1 + static_cast<std::uint32_t>(rng_.below(8)),
                  static_cast<std::int32_t>(rng_.below(32)) - 16));
    }
  }

  test::Rng& rng_;
  std::vector<std::uint32_t> code_;
};

TEST(Jit, HostileProgramsAgreeWithTheInterpreter) {
  test::Rng rng(79);
  HostileProgram gen(rng);
  int faulted = 0, exited = 0, out_of_cycles = 0;
  std::uint64_t instructions = 0;
  for (int i = 0; i < 1500 && !HasFailure(); ++i) {
    auto p = Program::load(gen.build(40 + rng.below(120)));
    ASSERT_TRUE(p.ok());
    RunLimits limits;
    limits.max_cycles = rng.below(4000);
    core::Bytes input = rng.bytes(rng.below(64));
    RunResult r = expect_engines_agree(*p, input, limits, "hostile program " + std::to_string(i));
    instructions += r.instructions;
    if (r.status == RunResult::Status::kExited) {
      ++exited;
    } else if (r.fault.kind == FaultKind::kOutOfCycles) {
      ++out_of_cycles;
    } else {
      ++faulted;
    }
  }
  // The generator must reach every way a run ends, or the comparison proves little.
  EXPECT_GT(faulted, 100);
  EXPECT_GT(exited, 10);
  EXPECT_GT(out_of_cycles, 10);
  EXPECT_GT(instructions / 1500, 100u) << "runs end too early to test much";
}

}  // namespace
}  // namespace basalt::vm
