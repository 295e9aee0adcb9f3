// A seeded generator of random RV32IM programs for the differential test: every base and M
// instruction, register and immediate edge values, loads and stores of every width at any
// alignment, forward branches, bounded loops, JAL and JALR. Each program ends by storing its
// registers and writing its whole data region to stdout, then exits with a code taken from a
// register, so that two machines agree only if every instruction did the same thing.
#pragma once

#include "rv_asm.hpp"
#include "test_util.hpp"

namespace basalt::vm::testing {

class RandomProgram {
 public:
  static constexpr std::uint32_t kData = 0x20000;
  static constexpr std::uint32_t kBase = 0x20800;  // x8: every data byte is within +-2 KiB
  static constexpr std::uint32_t kDataSize = 0x1000;

  explicit RandomProgram(test::Rng& rng) : rng_(rng) {}

  core::Bytes build(int body_blocks) {
    code_.clear();
    for (std::uint32_t r = 1; r < 32; ++r) {
      if (r == 8) continue;
      emit(enc::lui(r, static_cast<std::uint32_t>(rng_.u64()) & 0xfffff));
      emit(enc::addi(r, r, imm12()));
    }
    for (auto w : enc::li(8, kBase)) emit(w);
    for (int b = 0; b < body_blocks; ++b) block();
    for (std::uint32_t r = 1; r < 32; ++r)
      emit(enc::s(2, 8, r, 0x700 + 4 * static_cast<std::int32_t>(r)));
    emit(enc::addi(10, 0, 1));
    emit(enc::lui(11, kData >> 12));
    emit(enc::lui(12, kDataSize >> 12));
    emit(enc::addi(17, 0, 64));
    emit(enc::ecall());
    emit(enc::i(0x13, 7, 10, 9, 0x7f));  // exit code: x9 & 127
    emit(enc::addi(17, 0, 93));
    emit(enc::ecall());
    core::Bytes data = rng_.bytes(kDataSize);
    return write_elf(0x10000,
                     {{0x10000, 5, words(code_), static_cast<std::uint32_t>(code_.size() * 4)},
                      {kData, 6, data, kDataSize}});
  }

 private:
  void emit(std::uint32_t w) { code_.push_back(w); }
  std::int32_t imm12() {
    static constexpr std::int32_t kEdges[] = {0, 1, -1, 2047, -2048, 31, 32, 0x7ff, -0x7ff};
    return rng_.coin() ? kEdges[rng_.below(9)] : static_cast<std::int32_t>(rng_.below(4096)) - 2048;
  }
  // Any destination except x8 (the data base), x30 (JALR scratch) and x31 (loop counter); x0 too.
  std::uint32_t rd() {
    for (;;) {
      auto r = static_cast<std::uint32_t>(rng_.below(30));
      if (r != 8) return r;
    }
  }
  std::uint32_t rs() { return static_cast<std::uint32_t>(rng_.below(32)); }

  // One straight-line instruction: ALU, immediate, upper immediate, load, store or fence.
  void simple() {
    static constexpr std::uint32_t kR[18][2] = {{0, 0}, {0, 0x20}, {1, 0}, {2, 0}, {3, 0}, {4, 0},
                                                {5, 0}, {5, 0x20}, {6, 0}, {7, 0}, {0, 1}, {1, 1},
                                                {2, 1}, {3, 1},    {4, 1}, {5, 1}, {6, 1}, {7, 1}};
    switch (rng_.below(8)) {
      case 0:
      case 1: {
        const auto& op = kR[rng_.below(18)];
        emit(enc::r(0x33, op[0], op[1], rd(), rs(), rs()));
        break;
      }
      case 2: {
        static constexpr std::uint32_t kI[6] = {0, 2, 3, 4, 6, 7};
        emit(enc::i(0x13, kI[rng_.below(6)], rd(), rs(), imm12()));
        break;
      }
      case 3: {
        auto sh = static_cast<std::int32_t>(rng_.below(32));
        switch (rng_.below(3)) {
          case 0:
            emit(enc::i(0x13, 1, rd(), rs(), sh));
            break;
          case 1:
            emit(enc::i(0x13, 5, rd(), rs(), sh));
            break;
          default:
            emit(enc::i(0x13, 5, rd(), rs(), sh | 0x400));
            break;
        }
        break;
      }
      case 4:
        emit(enc::u(rng_.coin() ? 0x37 : 0x17, rd(),
                    static_cast<std::uint32_t>(rng_.u64()) & 0xfffff));
        break;
      case 5: {
        static constexpr std::uint32_t kL[5] = {0, 1, 2, 4, 5};
        emit(enc::i(0x03, kL[rng_.below(5)], rd(), 8,
                    static_cast<std::int32_t>(rng_.below(4093)) - 2048));
        break;
      }
      case 6:
        emit(enc::s(static_cast<std::uint32_t>(rng_.below(3)), 8, rs(),
                    static_cast<std::int32_t>(rng_.below(4093)) - 2048));
        break;
      default:
        emit(rng_.coin() ? 0x0ff0000fu
                         : enc::addi(rd(), rs(), imm12()));  // fence, or one more addi
        break;
    }
  }

  void block() {
    switch (rng_.below(10)) {
      case 0: {  // forward conditional branch over k instructions
        static constexpr std::uint32_t kB[6] = {0, 1, 4, 5, 6, 7};
        int k = 1 + static_cast<int>(rng_.below(3));
        emit(enc::b(kB[rng_.below(6)], rs(), rs(), 4 * (k + 1)));
        for (int i = 0; i < k; ++i) simple();
        break;
      }
      case 1: {  // a loop of 1..4 iterations around m instructions
        int m = 1 + static_cast<int>(rng_.below(6));
        emit(enc::addi(31, 0, 1 + static_cast<std::int32_t>(rng_.below(4))));
        for (int i = 0; i < m; ++i) simple();
        emit(enc::addi(31, 31, -1));
        emit(enc::b(1, 31, 0, -4 * (m + 1)));
        break;
      }
      case 2: {  // JAL forward over k instructions
        int k = 1 + static_cast<int>(rng_.below(3));
        emit(enc::j(rd(), 4 * (k + 1)));
        for (int i = 0; i < k; ++i) simple();
        break;
      }
      case 3: {  // AUIPC + JALR forward over k instructions
        int k = static_cast<int>(rng_.below(3));
        emit(enc::u(0x17, 30, 0));
        emit(enc::i(0x67, 0, rd(), 30, 8 + 4 * k));
        for (int i = 0; i < k; ++i) simple();
        break;
      }
      default:
        simple();
        break;
    }
  }

  test::Rng& rng_;
  std::vector<std::uint32_t> code_;
};

}  // namespace basalt::vm::testing
