// The decoded instruction set shared by the interpreter (machine.cpp) and the x86-64 translator
// (jit.cpp). Internal to src/vm.
#pragma once

#include <cstdint>

namespace basalt::vm::isa {

// Decoded operations. kEnd marks the slot after the code: falling off the end faults there.
enum Op : std::uint8_t {
  kLui,
  kJal,
  kJalr,
  kBeq,
  kBne,
  kBlt,
  kBge,
  kBltu,
  kBgeu,
  kLb,
  kLh,
  kLw,
  kLbu,
  kLhu,
  kSb,
  kSh,
  kSw,
  kAddi,
  kSlti,
  kSltiu,
  kXori,
  kOri,
  kAndi,
  kSlli,
  kSrli,
  kSrai,
  kAdd,
  kSub,
  kSll,
  kSlt,
  kSltu,
  kXor,
  kSrl,
  kSra,
  kOr,
  kAnd,
  kMul,
  kMulh,
  kMulhsu,
  kMulhu,
  kDiv,
  kDivu,
  kRem,
  kRemu,
  kFence,
  kEcall,
  kEbreak,
  kIllegal,
  kEnd,
};

constexpr std::uint8_t kSink = 32;

// Whether an operation ends a straight-line run: it may transfer control, stops the guest or hands
// over to the host. Metering charges a run when it is entered.
inline bool ends_run(std::uint8_t op) {
  return op == kJal || op == kJalr || (op >= kBeq && op <= kBgeu) || op >= kEcall;
}

}  // namespace basalt::vm::isa
