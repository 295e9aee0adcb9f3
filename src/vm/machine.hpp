// The RV32IM machine: loads a validated ELF image, predecodes its code once, and runs it with cycle
// and memory limits. Execution is a pure function of (program, input, limits): no clock, no host
// state, nothing the guest does can reach the host beyond its own memory and output buffers.
//
// Memory: two regions of the 32-bit space.
//   read-only  [ro_lo, ro_hi): the non-writable segments (text, rodata) and the gaps between them;
//              readable; executable only inside the one executable segment.
//   read-write [rw_lo, brk):   the writable segments (data, bss, the SDK's stack), then the heap,
//              grown with brk up to the memory limit.
// Any other address faults. Misaligned loads and stores are allowed and behave exactly like aligned
// ones (little-endian, byte by byte), as under qemu-user; a jump target must be 4-byte aligned.
//
// Engines: the interpreter in machine.cpp defines the machine. On x86-64 a program is also
// translated to host code at load (jit.hpp), which runs the ordinary case of every instruction and
// hands everything else back to the interpreter; both give the same result for every program,
// input and limit, which tests/vm and fuzz/vm_interpreter.cpp check.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/bytes.hpp"
#include "vm/abi.hpp"
#include "vm/elf.hpp"
#include "vm/image_id.hpp"

namespace basalt::vm {

namespace jit {
class Code;
}

// Why a guest stopped without exiting. Values are frozen: they appear in receipts.
enum class FaultKind : std::uint8_t {
  kLoadAccess = 1,          // load from an unmapped address
  kStoreAccess = 2,         // store to an unmapped address
  kStoreToCode = 3,         // store into the read-only region
  kJumpOutsideCode = 4,     // control transfer to a misaligned address or outside the code
  kIllegalInstruction = 5,  // not an RV32IM instruction basalt executes
  kBreakpoint = 6,          // EBREAK
  kOutOfCycles = 7,         // the cycle limit was reached
  kOutOfMemory = 8,         // brk beyond the memory limit
  kBadSyscall = 9,          // unknown system-call number
  kSyscallMemory = 10,      // a system call was given memory the guest may not use that way
  kOutputLimit = 11,  // stdout, stderr or the journal over kMaxOutputBytes, or too many assumptions
};
const char* fault_name(FaultKind kind);

struct Fault {
  FaultKind kind = FaultKind::kIllegalInstruction;
  std::uint32_t pc = 0;
  std::uint32_t addr = 0;  // the faulting address or target, where there is one
};

// A receipt the guest relies on: discharged later by a proof system.
struct Assumption {
  ImageId image_id;
  core::Hash32 journal_digest;
};

struct RunLimits {
  std::uint64_t max_cycles = kDefaultMaxCycles;
  std::uint32_t memory_limit = kDefaultMemoryLimit;
};

struct RunResult {
  enum class Status : std::uint8_t { kExited, kFaulted };
  Status status = Status::kFaulted;
  std::uint32_t exit_code = 0;  // kExited
  Fault fault;                  // kFaulted
  std::uint64_t cycles = 0;
  std::uint64_t instructions = 0;
  core::Bytes stdout_bytes;
  core::Bytes stderr_bytes;
  core::Bytes journal;
  std::vector<Assumption> assumptions;
};

class Program {
 public:
  // Parses and validates the ELF and predecodes its code. Errors: those of parse_elf32.
  static core::Result<Program> load(core::ByteSpan elf,
                                    std::uint32_t memory_limit = kDefaultMemoryLimit);

  const ImageId& image_id() const { return image_id_; }
  const ElfImage& image() const { return image_; }

  // Decoded instruction; public for the two engines (machine.cpp, jit.cpp) only.
  struct Insn {
    std::uint8_t op;
    std::uint8_t rd;  // 32 (a sink) when the instruction writes x0
    std::uint8_t rs1;
    std::uint8_t rs2;
    std::uint32_t imm;
  };
  const std::vector<Insn>& code() const { return code_; }
  std::uint32_t code_lo() const { return code_lo_; }
  // The read-only region (non-writable segments and the gaps between them), built once and shared
  // by every run: guests cannot write it.
  const core::Bytes& read_only() const { return read_only_; }
  std::uint32_t read_only_lo() const { return read_only_lo_; }
  // Where the read-write region starts: the first writable segment, or the page after the
  // read-only region when there is none.
  std::uint32_t read_write_lo() const { return read_write_lo_; }
  // The non-zero part of each writable segment (a run starts from zeroed memory and copies only
  // these; the SDK's stack and .bss are zeros).
  struct InitSpan {
    std::uint32_t vaddr = 0;
    core::Bytes bytes;
  };
  const std::vector<InitSpan>& writable_init() const { return writable_init_; }
  // The program translated to host code, or nullptr where there is no translator.
  const jit::Code* translated() const { return translated_.get(); }

 private:
  ElfImage image_;
  ImageId image_id_;
  std::vector<Insn> code_;  // one per 4-byte slot of the executable segment, plus a fall-off slot
  std::uint32_t code_lo_ = 0;
  core::Bytes read_only_;
  std::uint32_t read_only_lo_ = 0;
  std::uint32_t read_write_lo_ = 0;
  std::vector<InitSpan> writable_init_;
  std::shared_ptr<const jit::Code> translated_;
};

// Runs the program: translated where it can be, interpreted otherwise.
RunResult run(const Program& program, core::ByteSpan input, const RunLimits& limits);
// The same run on the interpreter alone: the reference the translated code is checked against.
RunResult run_interpreted(const Program& program, core::ByteSpan input, const RunLimits& limits);

// The same execution without cycle counting or a cycle limit, which makes it unsafe for anything
// but measuring what metering costs: a guest that loops forever never returns. cycles and
// instructions are reported as 0.
RunResult run_unmetered_for_benchmark(const Program& program, core::ByteSpan input,
                                      std::uint32_t memory_limit);

}  // namespace basalt::vm
