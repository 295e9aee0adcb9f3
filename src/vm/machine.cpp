#include "vm/machine.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <sys/mman.h>

#include "core/assert.hpp"
#include "crypto/blake3.hpp"
#include "crypto/schnorr.hpp"
#include "crypto/sha256.hpp"
#include "vm/isa.hpp"
#include "vm/jit.hpp"

namespace basalt::vm {

namespace {

using namespace isa;

std::int32_t imm_i(std::uint32_t w) {
  return static_cast<std::int32_t>(w) >> 20;
}
std::int32_t imm_s(std::uint32_t w) {
  return static_cast<std::int32_t>((w & 0xfe000000u) | ((w >> 7 & 0x1f) << 20)) >> 20;
}
std::int32_t imm_b(std::uint32_t w) {
  std::uint32_t v =
      (w >> 31 & 1) << 12 | (w >> 7 & 1) << 11 | (w >> 25 & 0x3f) << 5 | (w >> 8 & 0xf) << 1;
  return static_cast<std::int32_t>(v << 19) >> 19;
}
std::int32_t imm_j(std::uint32_t w) {
  std::uint32_t v =
      (w >> 31 & 1) << 20 | (w >> 12 & 0xff) << 12 | (w >> 20 & 1) << 11 | (w >> 21 & 0x3ff) << 1;
  return static_cast<std::int32_t>(v << 11) >> 11;
}

// Decodes one instruction at `pc`. PC-relative values (AUIPC, JAL and branch targets) are resolved
// here, so the interpreter never needs the instruction's address except to report faults.
Program::Insn decode(std::uint32_t w, std::uint32_t pc) {
  const std::uint32_t opcode = w & 0x7f, f3 = w >> 12 & 7, f7 = w >> 25;
  std::uint8_t rd = w >> 7 & 31, rs1 = w >> 15 & 31, rs2 = w >> 20 & 31;
  if (rd == 0) rd = kSink;
  auto insn = [&](Op op, std::uint32_t imm) { return Program::Insn{op, rd, rs1, rs2, imm}; };
  const Program::Insn illegal{kIllegal, kSink, 0, 0, w};
  switch (opcode) {
    case 0x37:
      return insn(kLui, w & 0xfffff000u);
    case 0x17:
      return insn(kLui, pc + (w & 0xfffff000u));  // AUIPC: a constant once pc is known
    case 0x6f:
      return insn(kJal, pc + static_cast<std::uint32_t>(imm_j(w)));
    case 0x67:
      return f3 == 0 ? insn(kJalr, static_cast<std::uint32_t>(imm_i(w))) : illegal;
    case 0x63: {
      static constexpr Op kBranch[8] = {kBeq, kBne, kIllegal, kIllegal, kBlt, kBge, kBltu, kBgeu};
      if (kBranch[f3] == kIllegal) return illegal;
      return insn(kBranch[f3], pc + static_cast<std::uint32_t>(imm_b(w)));
    }
    case 0x03: {
      static constexpr Op kLoad[8] = {kLb, kLh, kLw, kIllegal, kLbu, kLhu, kIllegal, kIllegal};
      if (kLoad[f3] == kIllegal) return illegal;
      return insn(kLoad[f3], static_cast<std::uint32_t>(imm_i(w)));
    }
    case 0x23: {
      static constexpr Op kStore[8] = {kSb,      kSh,      kSw,      kIllegal,
                                       kIllegal, kIllegal, kIllegal, kIllegal};
      if (kStore[f3] == kIllegal) return illegal;
      return insn(kStore[f3], static_cast<std::uint32_t>(imm_s(w)));
    }
    case 0x13: {
      const auto imm = static_cast<std::uint32_t>(imm_i(w));
      switch (f3) {
        case 0:
          return insn(kAddi, imm);
        case 2:
          return insn(kSlti, imm);
        case 3:
          return insn(kSltiu, imm);
        case 4:
          return insn(kXori, imm);
        case 6:
          return insn(kOri, imm);
        case 7:
          return insn(kAndi, imm);
        case 1:
          return f7 == 0 ? insn(kSlli, rs2) : illegal;
        case 5:
          return f7 == 0 ? insn(kSrli, rs2) : f7 == 0x20 ? insn(kSrai, rs2) : illegal;
      }
      return illegal;
    }
    case 0x33: {
      static constexpr Op kBase[8] = {kAdd, kSll, kSlt, kSltu, kXor, kSrl, kOr, kAnd};
      static constexpr Op kAlt[8] = {kSub,     kIllegal, kIllegal, kIllegal,
                                     kIllegal, kSra,     kIllegal, kIllegal};
      static constexpr Op kM[8] = {kMul, kMulh, kMulhsu, kMulhu, kDiv, kDivu, kRem, kRemu};
      Op op = f7 == 0 ? kBase[f3] : f7 == 0x20 ? kAlt[f3] : f7 == 1 ? kM[f3] : kIllegal;
      return op == kIllegal ? illegal : insn(op, 0);
    }
    case 0x0f:
      return f3 <= 1 ? insn(kFence, 0) : illegal;  // FENCE and FENCE.I: nothing to order
    case 0x73:
      if (w == 0x00000073u) return insn(kEcall, 0);
      if (w == 0x00100073u) return insn(kEbreak, 0);
      return illegal;
  }
  return illegal;
}

std::uint32_t load_le(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = 0; i < n; ++i) v |= std::uint32_t{p[i]} << (8 * i);
  return v;
}

// n little-endian 32-bit words from guest bytes, and back.
template <std::size_t N>
std::array<std::uint32_t, N> load_words(const std::uint8_t* p) {
  std::array<std::uint32_t, N> w{};
  for (std::size_t i = 0; i < N; ++i) w[i] = load_le(p + 4 * i, 4);
  return w;
}

template <std::size_t N>
void store_words(std::uint8_t* p, const std::array<std::uint32_t, N>& w) {
  for (std::size_t i = 0; i < N; ++i) {
    for (int j = 0; j < 4; ++j) p[4 * i + j] = static_cast<std::uint8_t>(w[i] >> (8 * j));
  }
}

// The read-write region is an anonymous private mapping: the kernel hands out zero pages as they
// are first touched, so a run pays for the memory it uses, not for its limit. Each thread keeps its
// last region and reuses it for a run of the same size after zeroing what the previous run used
// ([0, its final break): a lowered break zeroes what it gives back), which saves a mapping and the
// page faults of every page a guest touches on every run. The machine tracks the lowest offset it
// wrote, so that only [lowest write, final break) needs zeroing (a lowered break zeroes what it
// gives back): the part of the SDK's stack a run never reached stays zero and is not cleared again.
class Region {
 public:
  Region() = default;
  Region(Region&& o) noexcept
      : p_(std::exchange(o.p_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  Region& operator=(Region&& o) noexcept {
    std::swap(p_, o.p_);
    std::swap(size_, o.size_);
    return *this;
  }
  ~Region() {
    if (p_ != nullptr) ::munmap(p_, size_);
  }

  // A zeroed region of n bytes. Returns false when the mapping fails.
  bool acquire(std::size_t n);
  // Hands the region back to this thread's cache; bytes outside [lo, hi) are zero.
  void release(std::size_t lo, std::size_t hi);
  std::uint8_t* get() const { return p_; }

 private:
  struct Cached;
  static Cached& cache();
  std::uint8_t* p_ = nullptr;
  std::size_t size_ = 0;
};

struct Region::Cached {
  Region region;
  std::size_t lo = 0, hi = 0;  // what the last run may have written
};

Region::Cached& Region::cache() {
  thread_local Cached c;
  return c;
}

bool Region::acquire(std::size_t n) {
  Cached& c = cache();
  if (c.region.p_ != nullptr && c.region.size_ == n) {
    if (c.lo < c.hi) std::memset(c.region.p_ + c.lo, 0, c.hi - c.lo);
    *this = std::move(c.region);
    return true;
  }
  void* m = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
  if (m == MAP_FAILED) return false;
  *this = Region();
  p_ = static_cast<std::uint8_t*>(m);
  size_ = n;
  return true;
}

void Region::release(std::size_t lo, std::size_t hi) {
  if (p_ == nullptr) return;
  Cached& c = cache();
  c.region = std::move(*this);
  c.lo = lo;
  c.hi = hi;
}

// One execution. Holds the architectural state (pc, registers, memory) and the output streams.
class Machine {
 public:
  Machine(const Program& p, core::ByteSpan input, const RunLimits& limits)
      : p_(p), input_(input), limits_(limits) {}
  ~Machine() { rw_.release(low_, brk_ - rw_lo_); }
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  // kMetered: count cycles and stop at the limit. Unmetered runs exist only to measure what
  // metering costs. With translated code, the interpreter steps only what the code leaves to it.
  template <bool kMetered>
  RunResult run(const jit::Code* code);

 private:
  enum class Stop { kNo, kYes };

  // Runs from pc until the guest stops (kYes), or, with kStep, executes the one instruction at pc
  // and returns kNo with pc at the next one unless that instruction stopped the guest.
  template <bool kMetered, bool kStep>
  Stop interpret(std::uint32_t& pc);

  bool setup();
  std::uint8_t* writable(std::uint32_t addr, std::uint32_t n) {
    std::uint32_t off = addr - rw_lo_;
    if (off > brk_ - rw_lo_ || n > brk_ - rw_lo_ - off) return nullptr;
    low_ = std::min(low_, off);
    return rw_.get() + off;
  }
  const std::uint8_t* readable(std::uint32_t addr, std::uint32_t n) const {
    std::uint32_t off = addr - rw_lo_;
    if (off <= brk_ - rw_lo_ && n <= brk_ - rw_lo_ - off) return rw_.get() + off;
    off = addr - ro_lo_;
    if (off <= ro_size_ && n <= ro_size_ - off) return ro_ + off;
    return nullptr;
  }
  bool in_read_only(std::uint32_t addr, std::uint32_t n) const {
    std::uint32_t off = addr - ro_lo_;
    return off <= ro_size_ && n <= ro_size_ - off;
  }
  Stop fault(FaultKind kind, std::uint32_t pc, std::uint32_t addr) {
    result_.status = RunResult::Status::kFaulted;
    result_.fault = Fault{kind, pc, addr};
    return Stop::kYes;
  }
  Stop syscall(std::uint32_t pc);
  RunResult finish();
  Stop append(core::Bytes& out, std::uint32_t buf, std::uint32_t len, std::uint32_t pc);

  const Program& p_;
  core::ByteSpan input_;
  RunLimits limits_;
  std::size_t input_pos_ = 0;
  jit::State s_;  // holds the registers, shared with translated code
  std::uint32_t* const regs_ = s_.regs;
  const std::uint8_t* ro_ = nullptr;  // the program's shared read-only image
  std::uint32_t ro_lo_ = 0, ro_size_ = 0;
  Region rw_;
  std::uint32_t rw_lo_ = 0, rw_cap_ = 0, brk_ = 0, brk_min_ = 0;
  std::uint32_t low_ = UINT32_MAX;  // the lowest offset of the read-write region written
  std::uint64_t cycles_ = 0;        // system-call costs during the run; everything once it ends
  std::uint64_t instructions_ = 0;  // executed so far (metered runs)
  std::uint64_t allowed_ = 0;  // the instructions the cycle limit allows after system-call costs
  RunResult result_;
};

bool Machine::setup() {
  const auto& segs = p_.image().segments;
  const std::uint64_t image_bytes = p_.image().mapped_bytes();
  rw_lo_ = p_.read_write_lo();
  std::uint32_t rw_hi = rw_lo_;
  for (const auto& s : segs) {
    if (s.flags & kWrite) rw_hi = s.vaddr + s.memsz;
  }
  if (image_bytes > limits_.memory_limit) return false;
  ro_ = p_.read_only().data();
  ro_lo_ = p_.read_only_lo();
  ro_size_ = static_cast<std::uint32_t>(p_.read_only().size());
  // The heap may grow to whatever the limit leaves after the image (and not past the 4 GiB end).
  std::uint64_t cap = std::uint64_t{rw_hi - rw_lo_} + (limits_.memory_limit - image_bytes);
  cap = std::min<std::uint64_t>(cap, 0x1'0000'0000ull - rw_lo_);
  rw_cap_ = static_cast<std::uint32_t>(cap);
  if (!rw_.acquire(std::max<std::uint32_t>(rw_cap_, 1))) return false;
  for (const auto& init : p_.writable_init()) {
    const std::uint32_t off = init.vaddr - rw_lo_;
    std::memcpy(rw_.get() + off, init.bytes.data(), init.bytes.size());
    low_ = std::min(low_, off);
  }
  brk_ = brk_min_ = rw_hi;
  return true;
}

Machine::Stop Machine::append(core::Bytes& out, std::uint32_t buf, std::uint32_t len,
                              std::uint32_t pc) {
  const std::uint8_t* src = readable(buf, len);
  if (src == nullptr) return fault(FaultKind::kSyscallMemory, pc, buf);
  if (out.size() + len > kMaxOutputBytes) return fault(FaultKind::kOutputLimit, pc, buf);
  out.insert(out.end(), src, src + len);
  cycles_ += kCostPerWord * ((std::uint64_t{len} + 3) / 4);
  return Stop::kNo;
}

Machine::Stop Machine::syscall(std::uint32_t pc) {
  std::uint32_t* r = regs_;
  const std::uint32_t a0 = r[10], a1 = r[11], a2 = r[12];
  cycles_ += kCostSyscall;
  switch (r[17]) {
    case kSysExit:
    case kSysExitGroup:
      result_.status = RunResult::Status::kExited;
      result_.exit_code = a0;
      return Stop::kYes;
    case kSysWrite: {
      if (a0 != 1 && a0 != 2) {
        r[10] = static_cast<std::uint32_t>(-9);  // -EBADF, as Linux answers
        return Stop::kNo;
      }
      if (append(a0 == 1 ? result_.stdout_bytes : result_.stderr_bytes, a1, a2, pc) == Stop::kYes)
        return Stop::kYes;
      r[10] = a2;
      return Stop::kNo;
    }
    case kSysBrk: {
      if (a0 <= brk_min_) {
        r[10] = brk_;  // a query (or a request below the image): report the current break
        return Stop::kNo;
      }
      if (a0 - rw_lo_ > rw_cap_) return fault(FaultKind::kOutOfMemory, pc, a0);
      // Released memory reads as zero when it is handed out again, as fresh pages do.
      if (a0 < brk_) std::memset(rw_.get() + (a0 - rw_lo_), 0, brk_ - a0);
      brk_ = a0;
      r[10] = brk_;
      return Stop::kNo;
    }
    case kSysReadInput: {
      std::uint32_t n =
          static_cast<std::uint32_t>(std::min<std::size_t>(a1, input_.size() - input_pos_));
      std::uint8_t* dst = writable(a0, n);
      if (dst == nullptr) return fault(FaultKind::kSyscallMemory, pc, a0);
      if (n > 0) std::memcpy(dst, input_.data() + input_pos_, n);  // an empty input may be null
      input_pos_ += n;
      cycles_ += kCostPerWord * ((std::uint64_t{n} + 3) / 4);
      r[10] = n;
      return Stop::kNo;
    }
    case kSysInputLen:
      r[10] = static_cast<std::uint32_t>(input_.size() - input_pos_);
      return Stop::kNo;
    case kSysCommit:
      return append(result_.journal, a0, a1, pc);
    case kSysSha256Compress: {
      std::uint8_t* state = writable(a0, 32);
      const std::uint8_t* block = readable(a1, 64);
      if (state == nullptr || block == nullptr)
        return fault(FaultKind::kSyscallMemory, pc, state ? a1 : a0);
      auto s = load_words<8>(state);
      std::uint8_t copy[64];
      std::memcpy(copy, block, 64);
      crypto::sha256_compress(s, copy);
      store_words(state, s);
      cycles_ += kCostSha256Compress;
      return Stop::kNo;
    }
    case kSysBlake3Compress: {
      const std::uint8_t* cvp = readable(a0, 32);
      const std::uint8_t* block = readable(a1, 64);
      std::uint8_t* out = writable(r[16], 64);
      if (cvp == nullptr || block == nullptr || out == nullptr || r[14] > 64) {
        return fault(FaultKind::kSyscallMemory, pc, a0);
      }
      auto cv = load_words<8>(cvp);
      std::uint8_t copy[64];
      std::memcpy(copy, block, 64);
      auto o = crypto::blake3_compress(cv, copy, static_cast<std::uint8_t>(r[14]),
                                       std::uint64_t{r[13]} << 32 | a2,
                                       static_cast<std::uint8_t>(r[15]));
      store_words(out, o);
      cycles_ += kCostBlake3Compress;
      return Stop::kNo;
    }
    case kSysVerify: {
      const std::uint8_t* id = readable(a0, 32);
      const std::uint8_t* digest = readable(a1, 32);
      if (id == nullptr || digest == nullptr)
        return fault(FaultKind::kSyscallMemory, pc, id ? a1 : a0);
      if (result_.assumptions.size() >= kMaxAssumptions)
        return fault(FaultKind::kOutputLimit, pc, a0);
      result_.assumptions.push_back({ImageId(core::Hash32::from_span_unchecked({id, 32})),
                                     core::Hash32::from_span_unchecked({digest, 32})});
      cycles_ += kCostVerify;
      return Stop::kNo;
    }
    case kSysSchnorrVerify: {
      const std::uint8_t* key = readable(a0, 32);
      const std::uint8_t* msg = readable(a1, 32);
      const std::uint8_t* sig = readable(a2, 64);
      if (key == nullptr || msg == nullptr || sig == nullptr) {
        return fault(FaultKind::kSyscallMemory, pc, key == nullptr ? a0 : msg == nullptr ? a1 : a2);
      }
      crypto::SchnorrPublicKey pk;
      std::memcpy(pk.x.data(), key, 32);
      crypto::SchnorrSignature sg;
      std::memcpy(sg.bytes.data(), sig, 64);
      r[10] = crypto::schnorr_verify(pk, core::Hash32::from_span_unchecked({msg, 32}), sg).ok();
      cycles_ += kCostSchnorrVerify;
      return Stop::kNo;
    }
    default:
      return fault(FaultKind::kBadSyscall, pc, r[17]);
  }
}

template <bool kMetered>
RunResult Machine::run(const jit::Code* code) {
  if (!setup()) {
    fault(FaultKind::kOutOfMemory, p_.image().entry, 0);
    return std::move(result_);
  }
  std::uint32_t pc = p_.image().entry;
  allowed_ = limits_.max_cycles;
  if (code == nullptr) {
    interpret<kMetered, false>(pc);
    return finish();
  }
  s_.rw_base = rw_.get();
  s_.ro_base = ro_;
  s_.ro_size = ro_size_;
  for (;;) {
    // A run whose budget is spent, or was overdrawn by a system call's cost, is left to the
    // interpreter, which reports OutOfCycles at the right instruction.
    if (!kMetered || instructions_ < allowed_) {
      s_.rw_size = brk_ - rw_lo_;
      s_.low = low_;
      s_.budget = allowed_ - instructions_;
      code->enter(s_, pc);
      low_ = s_.low;
      pc = s_.exit_pc;
      if constexpr (kMetered) instructions_ = allowed_ - s_.budget;
    }
    if (interpret<kMetered, true>(pc) == Stop::kYes) return finish();
  }
}

template <bool kMetered, bool kStep>
Machine::Stop Machine::interpret(std::uint32_t& pc) {
  const Program::Insn* code = p_.code().data();
  const std::uint32_t code_lo = p_.code_lo();
  // The last slot is kEnd, reached only by falling off the code.
  const std::uint32_t code_bytes = static_cast<std::uint32_t>(p_.code().size() - 1) * 4;
  std::uint32_t* r = regs_;
  std::uint64_t instructions = instructions_;
  [[maybe_unused]] int steps = 0;

  // A jump is legal when its target is aligned and inside the code.
  auto jump_ok = [&](std::uint32_t target) {
    return (target & 3) == 0 && target - code_lo < code_bytes;
  };

  // Instructions cost one cycle each and system calls add their cost to cycles_; the loop keeps the
  // instruction count in a register and compares it with what the limit leaves after those extras.
  std::uint64_t allowed = allowed_;
  // Threaded dispatch (a GCC/Clang extension; no standard construct does this): every handler ends
  // by fetching the next instruction and jumping straight to its handler, which predicts far better
  // than one shared switch. The table follows the order of Op.
  static const void* const kDispatch[] = {
      &&L_kLui,  &&L_kJal,  &&L_kJalr,  &&L_kBeq,    &&L_kBne,    &&L_kBlt,     &&L_kBge,
      &&L_kBltu, &&L_kBgeu, &&L_kLb,    &&L_kLh,     &&L_kLw,     &&L_kLbu,     &&L_kLhu,
      &&L_kSb,   &&L_kSh,   &&L_kSw,    &&L_kAddi,   &&L_kSlti,   &&L_kSltiu,   &&L_kXori,
      &&L_kOri,  &&L_kAndi, &&L_kSlli,  &&L_kSrli,   &&L_kSrai,   &&L_kAdd,     &&L_kSub,
      &&L_kSll,  &&L_kSlt,  &&L_kSltu,  &&L_kXor,    &&L_kSrl,    &&L_kSra,     &&L_kOr,
      &&L_kAnd,  &&L_kMul,  &&L_kMulh,  &&L_kMulhsu, &&L_kMulhu,  &&L_kDiv,     &&L_kDivu,
      &&L_kRem,  &&L_kRemu, &&L_kFence, &&L_kEcall,  &&L_kEbreak, &&L_kIllegal, &&L_kEnd};
  static_assert(sizeof(kDispatch) / sizeof(kDispatch[0]) == kEnd + 1);
  Program::Insn in;
  std::uint32_t next;
#define BASALT_NEXT()                                  \
  do {                                                 \
    pc = next;                                         \
    if constexpr (kStep) {                             \
      if (++steps == 2) goto stepped;                  \
    }                                                  \
    if constexpr (kMetered) {                          \
      if (instructions >= allowed) goto out_of_cycles; \
      ++instructions;                                  \
    }                                                  \
    in = code[(pc - code_lo) >> 2];                    \
    next = pc + 4;                                     \
    goto* kDispatch[in.op];                            \
  } while (0)
  next = pc;
  BASALT_NEXT();
L_kLui:
  r[in.rd] = in.imm;
  BASALT_NEXT();
L_kJal:
  if (!jump_ok(in.imm)) {
    fault(FaultKind::kJumpOutsideCode, pc, in.imm);
    goto done;
  }
  r[in.rd] = next;
  next = in.imm;
  BASALT_NEXT();
L_kJalr : {
  std::uint32_t target = (r[in.rs1] + in.imm) & ~1u;
  if (!jump_ok(target)) {
    fault(FaultKind::kJumpOutsideCode, pc, target);
    goto done;
  }
  r[in.rd] = next;
  next = target;
  BASALT_NEXT();
}
#define BASALT_BRANCH(cond)                           \
  if (cond) {                                         \
    if (!jump_ok(in.imm)) {                           \
      fault(FaultKind::kJumpOutsideCode, pc, in.imm); \
      goto done;                                      \
    }                                                 \
    next = in.imm;                                    \
  }                                                   \
  BASALT_NEXT()
L_kBeq:
  BASALT_BRANCH(r[in.rs1] == r[in.rs2]);
L_kBne:
  BASALT_BRANCH(r[in.rs1] != r[in.rs2]);
L_kBlt:
  BASALT_BRANCH(static_cast<std::int32_t>(r[in.rs1]) < static_cast<std::int32_t>(r[in.rs2]));
L_kBge:
  BASALT_BRANCH(static_cast<std::int32_t>(r[in.rs1]) >= static_cast<std::int32_t>(r[in.rs2]));
L_kBltu:
  BASALT_BRANCH(r[in.rs1] < r[in.rs2]);
L_kBgeu:
  BASALT_BRANCH(r[in.rs1] >= r[in.rs2]);
#undef BASALT_BRANCH
#define BASALT_LOAD(n, convert)               \
  {                                           \
    std::uint32_t a = r[in.rs1] + in.imm;     \
    const std::uint8_t* src = readable(a, n); \
    if (src == nullptr) {                     \
      fault(FaultKind::kLoadAccess, pc, a);   \
      goto done;                              \
    }                                         \
    r[in.rd] = convert(load_le(src, n));      \
    BASALT_NEXT();                            \
  }
L_kLb:
  BASALT_LOAD(
      1, [](std::uint32_t v) { return static_cast<std::uint32_t>(static_cast<std::int8_t>(v)); })
L_kLh:
  BASALT_LOAD(
      2, [](std::uint32_t v) { return static_cast<std::uint32_t>(static_cast<std::int16_t>(v)); })
L_kLw:
  BASALT_LOAD(4, [](std::uint32_t v) { return v; })
L_kLbu:
  BASALT_LOAD(1, [](std::uint32_t v) { return v; })
L_kLhu:
  BASALT_LOAD(2, [](std::uint32_t v) { return v; })
#undef BASALT_LOAD
#define BASALT_STORE(n)                                                                     \
  {                                                                                         \
    std::uint32_t a = r[in.rs1] + in.imm;                                                   \
    std::uint8_t* dst = writable(a, n);                                                     \
    if (dst == nullptr) {                                                                   \
      fault(in_read_only(a, n) ? FaultKind::kStoreToCode : FaultKind::kStoreAccess, pc, a); \
      goto done;                                                                            \
    }                                                                                       \
    std::uint32_t v = r[in.rs2];                                                            \
    for (int i = 0; i < n; ++i) dst[i] = static_cast<std::uint8_t>(v >> (8 * i));           \
    BASALT_NEXT();                                                                          \
  }
L_kSb:
  BASALT_STORE(1)
L_kSh:
  BASALT_STORE(2)
L_kSw:
  BASALT_STORE(4)
#undef BASALT_STORE
L_kAddi:
  r[in.rd] = r[in.rs1] + in.imm;
  BASALT_NEXT();
L_kSlti:
  r[in.rd] = static_cast<std::int32_t>(r[in.rs1]) < static_cast<std::int32_t>(in.imm);
  BASALT_NEXT();
L_kSltiu:
  r[in.rd] = r[in.rs1] < in.imm;
  BASALT_NEXT();
L_kXori:
  r[in.rd] = r[in.rs1] ^ in.imm;
  BASALT_NEXT();
L_kOri:
  r[in.rd] = r[in.rs1] | in.imm;
  BASALT_NEXT();
L_kAndi:
  r[in.rd] = r[in.rs1] & in.imm;
  BASALT_NEXT();
L_kSlli:
  r[in.rd] = r[in.rs1] << in.imm;
  BASALT_NEXT();
L_kSrli:
  r[in.rd] = r[in.rs1] >> in.imm;
  BASALT_NEXT();
L_kSrai:
  r[in.rd] = static_cast<std::uint32_t>(static_cast<std::int32_t>(r[in.rs1]) >> in.imm);
  BASALT_NEXT();
L_kAdd:
  r[in.rd] = r[in.rs1] + r[in.rs2];
  BASALT_NEXT();
L_kSub:
  r[in.rd] = r[in.rs1] - r[in.rs2];
  BASALT_NEXT();
L_kSll:
  r[in.rd] = r[in.rs1] << (r[in.rs2] & 31);
  BASALT_NEXT();
L_kSlt:
  r[in.rd] = static_cast<std::int32_t>(r[in.rs1]) < static_cast<std::int32_t>(r[in.rs2]);
  BASALT_NEXT();
L_kSltu:
  r[in.rd] = r[in.rs1] < r[in.rs2];
  BASALT_NEXT();
L_kXor:
  r[in.rd] = r[in.rs1] ^ r[in.rs2];
  BASALT_NEXT();
L_kSrl:
  r[in.rd] = r[in.rs1] >> (r[in.rs2] & 31);
  BASALT_NEXT();
L_kSra:
  r[in.rd] = static_cast<std::uint32_t>(static_cast<std::int32_t>(r[in.rs1]) >> (r[in.rs2] & 31));
  BASALT_NEXT();
L_kOr:
  r[in.rd] = r[in.rs1] | r[in.rs2];
  BASALT_NEXT();
L_kAnd:
  r[in.rd] = r[in.rs1] & r[in.rs2];
  BASALT_NEXT();
L_kMul:
  r[in.rd] = r[in.rs1] * r[in.rs2];
  BASALT_NEXT();
L_kMulh : {
  std::int64_t v =
      std::int64_t{static_cast<std::int32_t>(r[in.rs1])} * static_cast<std::int32_t>(r[in.rs2]);
  r[in.rd] = static_cast<std::uint32_t>(static_cast<std::uint64_t>(v) >> 32);
  BASALT_NEXT();
}
L_kMulhsu : {
  // Signed x unsigned: the 64-bit product as two's complement, then its high word.
  std::int64_t a = static_cast<std::int32_t>(r[in.rs1]);
  std::uint64_t v = static_cast<std::uint64_t>(a) * std::uint64_t{r[in.rs2]};
  r[in.rd] = static_cast<std::uint32_t>(v >> 32);
  BASALT_NEXT();
}
L_kMulhu:
  r[in.rd] = static_cast<std::uint32_t>((std::uint64_t{r[in.rs1]} * r[in.rs2]) >> 32);
  BASALT_NEXT();
L_kDiv : {
  auto a = static_cast<std::int32_t>(r[in.rs1]), b = static_cast<std::int32_t>(r[in.rs2]);
  // RISC-V: x / 0 = -1 and INT_MIN / -1 = INT_MIN, no trap (and no host UB).
  if (b == 0) {
    r[in.rd] = 0xffffffffu;
  } else if (a == INT32_MIN && b == -1) {
    r[in.rd] = static_cast<std::uint32_t>(a);
  } else {
    r[in.rd] = static_cast<std::uint32_t>(a / b);
  }
  BASALT_NEXT();
}
L_kDivu:
  r[in.rd] = r[in.rs2] == 0 ? 0xffffffffu : r[in.rs1] / r[in.rs2];
  BASALT_NEXT();
L_kRem : {
  auto a = static_cast<std::int32_t>(r[in.rs1]), b = static_cast<std::int32_t>(r[in.rs2]);
  // RISC-V: x % 0 = x and INT_MIN % -1 = 0.
  if (b == 0) {
    r[in.rd] = static_cast<std::uint32_t>(a);
  } else if (a == INT32_MIN && b == -1) {
    r[in.rd] = 0;
  } else {
    r[in.rd] = static_cast<std::uint32_t>(a % b);
  }
  BASALT_NEXT();
}
L_kRemu:
  r[in.rd] = r[in.rs2] == 0 ? r[in.rs1] : r[in.rs1] % r[in.rs2];
  BASALT_NEXT();
L_kFence:
  BASALT_NEXT();
L_kEcall : {
  std::uint64_t before = cycles_;
  if (syscall(pc) == Stop::kYes) goto done;
  allowed -= std::min(allowed, cycles_ - before);
  BASALT_NEXT();
}
L_kEbreak:
  fault(FaultKind::kBreakpoint, pc, 0);
  goto done;
L_kIllegal:
  fault(FaultKind::kIllegalInstruction, pc, in.imm);
  goto done;
L_kEnd:
  fault(FaultKind::kJumpOutsideCode, pc, pc);
  goto done;
#undef BASALT_NEXT
stepped:  // reached only when stepping
  __attribute__((unused));
  instructions_ = instructions;
  allowed_ = allowed;
  return Stop::kNo;
out_of_cycles:  // reached only when metered
  __attribute__((unused));
  fault(FaultKind::kOutOfCycles, pc, 0);
done:
  instructions_ = instructions;
  return Stop::kYes;
}

RunResult Machine::finish() {
  cycles_ += instructions_;
  result_.cycles = cycles_;
  result_.instructions = instructions_;
  return std::move(result_);
}

}  // namespace

const char* fault_name(FaultKind kind) {
  switch (kind) {
    case FaultKind::kLoadAccess:
      return "load access fault";
    case FaultKind::kStoreAccess:
      return "store access fault";
    case FaultKind::kStoreToCode:
      return "store to read-only memory";
    case FaultKind::kJumpOutsideCode:
      return "jump outside code";
    case FaultKind::kIllegalInstruction:
      return "illegal instruction";
    case FaultKind::kBreakpoint:
      return "breakpoint";
    case FaultKind::kOutOfCycles:
      return "OutOfCycles";
    case FaultKind::kOutOfMemory:
      return "OutOfMemory";
    case FaultKind::kBadSyscall:
      return "unknown system call";
    case FaultKind::kSyscallMemory:
      return "bad system-call memory";
    case FaultKind::kOutputLimit:
      return "output limit";
  }
  return "unknown fault";
}

core::Result<Program> Program::load(core::ByteSpan elf, std::uint32_t memory_limit) {
  BASALT_ASSIGN_OR_RETURN(auto image, parse_elf32(elf, memory_limit));
  Program p;
  p.image_id_ = vm::image_id(image);
  for (const auto& s : image.segments) {
    if ((s.flags & kExec) == 0) continue;
    p.code_lo_ = s.vaddr;
    std::size_t slots = s.memsz / 4;
    p.code_.reserve(slots + 1);
    for (std::size_t i = 0; i < slots; ++i) {
      p.code_.push_back(
          decode(load_le(s.data.data() + 4 * i, 4), s.vaddr + static_cast<std::uint32_t>(4 * i)));
    }
  }
  p.code_.push_back(Insn{kEnd, kSink, 0, 0, 0});
  // The read-only region: every non-writable segment and the gaps between them (the loader
  // requires an executable, hence read-only, segment).
  bool have_ro = false;
  std::uint32_t ro_hi = 0;
  for (const auto& s : image.segments) {
    if (s.flags & kWrite) continue;
    if (!have_ro) p.read_only_lo_ = s.vaddr;
    ro_hi = s.vaddr + s.memsz;
    have_ro = true;
  }
  BASALT_ASSERT(have_ro);
  p.read_write_lo_ = (ro_hi + 0xfff) & ~0xfffu;
  for (const auto& s : image.segments) {
    if (s.flags & kWrite) {
      p.read_write_lo_ = s.vaddr;
      break;
    }
  }
  p.read_only_.assign(ro_hi - p.read_only_lo_, 0);
  for (const auto& s : image.segments) {
    if ((s.flags & kWrite) == 0) {
      std::memcpy(p.read_only_.data() + (s.vaddr - p.read_only_lo_), s.data.data(), s.memsz);
    }
  }
  for (const auto& s : image.segments) {
    if ((s.flags & kWrite) == 0) continue;
    std::size_t first = 0, last = s.data.size();
    while (first < last && s.data[first] == 0) ++first;
    while (last > first && s.data[last - 1] == 0) --last;
    if (first == last) continue;
    p.writable_init_.push_back({s.vaddr + static_cast<std::uint32_t>(first),
                                core::Bytes(s.data.begin() + static_cast<std::ptrdiff_t>(first),
                                            s.data.begin() + static_cast<std::ptrdiff_t>(last))});
  }
  p.image_ = std::move(image);
  p.translated_ = jit::Code::compile(p, true);
  return p;
}

RunResult run(const Program& program, core::ByteSpan input, const RunLimits& limits) {
  Machine m(program, input, limits);
  return m.run<true>(program.translated());
}

RunResult run_interpreted(const Program& program, core::ByteSpan input, const RunLimits& limits) {
  Machine m(program, input, limits);
  return m.run<true>(nullptr);
}

RunResult run_unmetered_for_benchmark(const Program& program, core::ByteSpan input,
                                      std::uint32_t memory_limit) {
  std::unique_ptr<jit::Code> code;
  if (program.translated() != nullptr) code = jit::Code::compile(program, false);
  Machine m(program, input, RunLimits{UINT64_MAX, memory_limit});
  return m.run<false>(code.get());
}

}  // namespace basalt::vm
