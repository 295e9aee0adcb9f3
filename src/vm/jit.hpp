// The translator: turns a program's predecoded code into x86-64 machine code once, at load time, so
// that runs execute guest instructions natively. It is a fast path beside the interpreter, never a
// second definition of the machine: translated code runs only the ordinary case of each instruction
// and leaves to the host, with the architectural state exactly as before the instruction, whenever
// anything else may happen (a system call, a fault of any kind, a run the cycle budget cannot pay).
// The host then steps that one instruction with the interpreter and re-enters. So faults, system
// calls and OutOfCycles come from one implementation, and tests compare every result of the two.
//
// Metering: a straight-line run (up to the next control transfer, system call or jump target) is
// charged in full when entered; a run the budget cannot pay is not entered. An early exit from
// inside a run gives back what was charged for the instructions not executed.
//
// Available on x86-64 hosts only; elsewhere compile() returns nothing and the interpreter runs.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace basalt::vm {

class Program;

namespace jit {

// What translated code reads and writes. Its layout is baked into the generated code (through
// offsetof in jit.cpp), so it is a plain struct.
struct State {
  std::uint32_t regs[33] = {};      // x0..x31 and the sink that takes writes to x0
  std::uint32_t exit_pc = 0;        // set on leaving: the instruction the host steps next
  std::uint8_t* rw_base = nullptr;  // host address of the read-write region's first byte
  std::uint64_t rw_size = 0;        // bytes of the read-write region in use (up to the break)
  const std::uint8_t* ro_base = nullptr;
  std::uint64_t ro_size = 0;
  std::uint64_t budget = 0;  // instructions the run may still execute
  std::uint32_t low = 0;  // lowest read-write offset written so far (kept as the interpreter does)
  const void* const* entries = nullptr;  // host entry point of every code slot
};

class Code {
 public:
  // Translates the program; nullptr when this host has no translator or memory for the code is
  // refused. metered = false leaves out every cycle charge (only for measuring what they cost).
  static std::unique_ptr<Code> compile(const Program& program, bool metered);
  ~Code();
  Code(const Code&) = delete;
  Code& operator=(const Code&) = delete;

  // Runs translated code from `pc` (a code slot's address, the fall-off slot included) until it
  // leaves; state.exit_pc then names the instruction the host must step.
  void enter(State& state, std::uint32_t pc) const;

 private:
  Code() = default;
  void* mem_ = nullptr;
  std::size_t size_ = 0;
  std::uint32_t code_lo_ = 0;
  std::vector<const void*> entries_;
  void (*trampoline_)(State*, const void*) = nullptr;
};

}  // namespace jit
}  // namespace basalt::vm
