#include "vm/jit.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <functional>

#include <sys/mman.h>

#include "vm/isa.hpp"
#include "vm/machine.hpp"

namespace basalt::vm::jit {

#if defined(__x86_64__)

namespace {

using namespace isa;

// x86-64 general registers by encoding number.
enum Reg : int {
  RAX = 0,
  RCX = 1,
  RDX = 2,
  RBX = 3,
  RBP = 5,
  RSI = 6,
  RDI = 7,
  R8 = 8,
  R9 = 9,
  R10 = 10,
  R11 = 11,
  R12 = 12,
  R13 = 13,
  R14 = 14,
  R15 = 15,
};

// Condition codes of Jcc / SETcc.
enum Cond : int { kB = 2, kAE = 3, kE = 4, kNE = 5, kA = 7, kL = 0xc, kGE = 0xd };

// Fixed roles while translated code runs: RBX = State*, RBP = read-write region base,
// R14 = its size in use, R15 = cycle budget. RAX, RCX, RDX are scratch. The guest registers used
// most by the program live in the remaining eight host registers; the others stay in State::regs.
constexpr std::array<int, 8> kGuestHosts = {RSI, RDI, R8, R9, R10, R11, R12, R13};
constexpr std::array<int, 6> kSaved = {RBX, RBP, R12, R13, R14, R15};
constexpr std::size_t kMaxSlots = std::size_t{1} << 20;

// An opcode of one to three bytes.
struct Opc {
  std::uint8_t b[3] = {};
  int n = 0;
  Opc(std::initializer_list<std::uint8_t> bytes) {
    for (auto x : bytes) b[n++] = x;
  }
};

// A minimal x86-64 assembler: the instruction forms the translator uses, labels and rel32 fixups.
class Asm {
 public:
  std::vector<std::uint8_t> b;

  int label() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size() - 1);
  }
  void bind(int l) { labels_[l] = static_cast<std::int64_t>(b.size()); }
  std::int64_t pos(int l) const { return labels_[l]; }

  void u8(std::uint32_t v) { b.push_back(static_cast<std::uint8_t>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(v >> (8 * i));
  }

  // REX prefix for reg (ModRM.reg), index (SIB) and base/rm; emitted only when needed.
  void rex(bool w, int reg, int index, int rm) {
    const int v = 0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | ((index >> 3) << 1) | (rm >> 3);
    if (v != 0x40) u8(v);
  }
  void opcode(const Opc& op) {
    for (int i = 0; i < op.n; ++i) u8(op.b[i]);
  }
  // op reg, rm (register direct).
  void rr(const Opc& op, int reg, int rm, bool w = false) {
    rex(w, reg, 0, rm);
    opcode(op);
    u8(0xc0 | (reg & 7) << 3 | (rm & 7));
  }
  // op reg, [base + index*scale + disp] (index < 0: none; scale as the SIB field 0..3).
  void rm(const Opc& op, int reg, int base, int index, int scale, std::int32_t disp,
          bool w = false) {
    rex(w, reg, index < 0 ? 0 : index, base);
    opcode(op);
    const bool need_sib = index >= 0 || (base & 7) == 4;
    const int mod = (disp == 0 && (base & 7) != 5) ? 0 : (disp >= -128 && disp <= 127) ? 1 : 2;
    u8(mod << 6 | (reg & 7) << 3 | (need_sib ? 4 : (base & 7)));
    if (need_sib) u8(scale << 6 | ((index < 0 ? 4 : index) & 7) << 3 | (base & 7));
    if (mod == 1) u8(static_cast<std::uint32_t>(disp));
    if (mod == 2) u32(static_cast<std::uint32_t>(disp));
  }
  // op rm, imm: 0x83 with an 8-bit immediate when it fits, else 0x81 (ext: the /digit).
  void ri(int ext, int r, std::uint32_t imm, bool w = false) {
    const auto s = static_cast<std::int32_t>(imm);
    if (s >= -128 && s <= 127) {
      rr({0x83}, ext, r, w);
      u8(imm);
    } else {
      rr({0x81}, ext, r, w);
      u32(imm);
    }
  }
  void mov_imm(int r, std::uint32_t imm) {
    rex(false, 0, 0, r);
    u8(0xb8 + (r & 7));
    u32(imm);
  }
  void jcc(int cc, int l) {
    opcode({0x0f, static_cast<std::uint8_t>(0x80 + cc)});
    fix(l);
  }
  void jmp(int l) {
    u8(0xe9);
    fix(l);
  }
  // Resolves every rel32 against its label; false if a label was never bound.
  bool finish() {
    for (auto [at, l] : fixups_) {
      if (labels_[l] < 0) return false;
      const auto rel = static_cast<std::uint32_t>(labels_[l] - (at + 4));
      for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(rel >> (8 * i));
    }
    return true;
  }

 private:
  void fix(int l) {
    fixups_.push_back({b.size(), l});
    u32(0);
  }
  std::vector<std::int64_t> labels_;
  std::vector<std::pair<std::size_t, int>> fixups_;
};

constexpr int kRegsOff = static_cast<int>(offsetof(State, regs));
constexpr int kExitPcOff = static_cast<int>(offsetof(State, exit_pc));
constexpr int kRwBaseOff = static_cast<int>(offsetof(State, rw_base));
constexpr int kRwSizeOff = static_cast<int>(offsetof(State, rw_size));
constexpr int kRoBaseOff = static_cast<int>(offsetof(State, ro_base));
constexpr int kRoSizeOff = static_cast<int>(offsetof(State, ro_size));
constexpr int kBudgetOff = static_cast<int>(offsetof(State, budget));
constexpr int kLowOff = static_cast<int>(offsetof(State, low));
constexpr int kEntriesOff = static_cast<int>(offsetof(State, entries));

class Translator {
 public:
  Translator(const Program& p, bool metered)
      : code_(p.code()),
        code_lo_(p.code_lo()),
        code_bytes_(static_cast<std::uint32_t>(p.code().size() - 1) * 4),
        rw_lo_(p.read_write_lo()),
        ro_lo_(p.read_only_lo()),
        metered_(metered) {}

  // Emits the whole program: trampoline, exit path, slots, then out-of-line code. Returns the
  // offsets of the trampoline and of every slot's entry point.
  bool translate(std::size_t& trampoline, std::vector<std::size_t>& entries);
  std::vector<std::uint8_t>& bytes() { return a_.b; }

 private:
  void map_registers();
  int host(int g) const { return g < 32 ? host_[g] : -1; }
  // dst = guest register g (x0 and unmapped registers come from State::regs, where x0 stays 0).
  void load(int dst, int g) {
    if (host(g) == dst) return;
    if (host(g) >= 0) {
      a_.rr({0x8b}, dst, host(g));
    } else {
      a_.rm({0x8b}, dst, RBX, -1, 0, kRegsOff + 4 * g);
    }
  }
  // op dst, guest register g (op: an x86 "r32, r/m32" opcode).
  void with(const Opc& op, int dst, int g) {
    if (host(g) >= 0) {
      a_.rr(op, dst, host(g));
    } else {
      a_.rm(op, dst, RBX, -1, 0, kRegsOff + 4 * g);
    }
  }
  void store(int g, int src) {
    if (g == kSink || host(g) == src) return;
    if (host(g) >= 0) {
      a_.rr({0x8b}, host(g), src);
    } else {
      a_.rm({0x89}, src, RBX, -1, 0, kRegsOff + 4 * g);
    }
  }
  void store_imm(int g, std::uint32_t v) {
    if (g == kSink) return;
    if (host(g) >= 0) {
      a_.mov_imm(host(g), v);
    } else {
      a_.rm({0xc7}, 0, RBX, -1, 0, kRegsOff + 4 * g);
      a_.u32(v);
    }
  }
  // Where a result is computed: its own host register when it has one and `avoid` (a source still
  // to be read) is not that register, else RAX.
  int target(int rd, int avoid = -1) const { return host(rd) >= 0 && rd != avoid ? host(rd) : RAX; }

  void slot(std::size_t i);
  void charge(std::size_t i) {
    if (!metered_) return;
    a_.ri(5, R15, run_length(i), true);  // sub r15, L
    a_.jcc(kB, exit_label(i));
  }
  std::uint32_t run_length(std::size_t i) const {
    return static_cast<std::uint32_t>(run_end_[i] - i + 1);
  }
  std::uint32_t pc_of(std::size_t i) const { return code_lo_ + static_cast<std::uint32_t>(4 * i); }
  bool jump_ok(std::uint32_t t) const { return (t & 3) == 0 && t - code_lo_ < code_bytes_; }
  std::size_t slot_of(std::uint32_t t) const { return (t - code_lo_) / 4; }
  // Leaves for the host at slot i, giving back the charge for slot i and the rest of its run.
  int exit_label(std::size_t i) {
    if (exit_[i] < 0) exit_[i] = a_.label();
    return exit_[i];
  }
  void emit_load(const Program::Insn& in, std::size_t i);
  void emit_store(const Program::Insn& in, std::size_t i);
  void emit_branch(const Program::Insn& in, std::size_t i, int cc);
  void emit_divide(const Program::Insn& in);
  // EAX = rs1 + imm: the address of a load or store, the target of a JALR before its low bit goes.
  void address(const Program::Insn& in) {
    load(RAX, in.rs1);
    if (in.imm != 0) a_.ri(0, RAX, in.imm);
  }
  // With the address in EAX: ECX = address - base, and the bounds check of n bytes against `size`
  // (a register, or State memory when size_reg < 0); jumps to `fail` when out of bounds.
  void bounds(std::uint32_t base, int n, int size_reg, int size_off, int fail);

  const std::vector<Program::Insn>& code_;
  std::uint32_t code_lo_, code_bytes_, rw_lo_, ro_lo_;
  bool metered_;
  Asm a_;
  std::array<int, 32> host_{};
  std::vector<std::size_t> run_end_;
  std::vector<bool> leader_;
  // Labels per slot: its instruction; where control enters it from elsewhere (a leader's inline
  // charge, or an out-of-line stub for a slot inside a run); its exit to the host.
  std::vector<int> body_, entry_, exit_;
  int exit_common_ = -1;
  std::vector<std::function<void()>> cold_;
};

void Translator::map_registers() {
  std::array<std::uint64_t, 32> uses{};
  for (const auto& in : code_) {
    if (in.rd < 32) ++uses[in.rd];
    ++uses[in.rs1];
    ++uses[in.rs2];
  }
  uses[0] = 0;
  std::array<int, 31> order{};
  for (int g = 1; g < 32; ++g) order[g - 1] = g;
  // Stable, so that equal counts keep register order and the mapping is the same on every host.
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return uses[x] > uses[y]; });
  host_.fill(-1);
  for (std::size_t k = 0; k < kGuestHosts.size(); ++k) host_[order[k]] = kGuestHosts[k];
}

void Translator::bounds(std::uint32_t base, int n, int size_reg, int size_off, int fail) {
  a_.rm({0x8d}, RCX, RAX, -1, 0, static_cast<std::int32_t>(0u - base));  // lea ecx, [rax - base]
  a_.rm({0x8d}, RDX, RCX, -1, 0, n, true);                               // lea rdx, [rcx + n]
  if (size_reg >= 0) {
    a_.rr({0x3b}, RDX, size_reg, true);
  } else {
    a_.rm({0x3b}, RDX, RBX, -1, 0, size_off, true);
  }
  a_.jcc(kA, fail);
}

void Translator::emit_load(const Program::Insn& in, std::size_t i) {
  int n = 4;
  Opc op = {0x8b};
  switch (in.op) {
    case kLb:
      n = 1, op = {0x0f, 0xbe};
      break;
    case kLh:
      n = 2, op = {0x0f, 0xbf};
      break;
    case kLbu:
      n = 1, op = {0x0f, 0xb6};
      break;
    case kLhu:
      n = 2, op = {0x0f, 0xb7};
      break;
    default:
      break;
  }
  const int t = target(in.rd);
  const int slow = a_.label(), back = a_.label(), fail = exit_label(i);
  address(in);
  bounds(rw_lo_, n, R14, 0, slow);
  a_.rm(op, t, RBP, RCX, 0, 0);
  a_.bind(back);
  store(in.rd, t);
  // Not in the read-write region: the read-only one, or a fault the interpreter reports.
  cold_.push_back([this, op, n, t, slow, back, fail] {
    a_.bind(slow);
    bounds(ro_lo_, n, -1, kRoSizeOff, fail);
    a_.rm({0x8b}, RDX, RBX, -1, 0, kRoBaseOff, true);
    a_.rm(op, t, RDX, RCX, 0, 0);
    a_.jmp(back);
  });
}

void Translator::emit_store(const Program::Insn& in, std::size_t i) {
  const int n = in.op == kSb ? 1 : in.op == kSh ? 2 : 4;
  const int lower = a_.label(), back = a_.label();
  address(in);
  bounds(rw_lo_, n, R14, 0, exit_label(i));
  a_.rm({0x3b}, RCX, RBX, -1, 0, kLowOff);  // cmp ecx, [low]
  a_.jcc(kB, lower);
  a_.bind(back);
  load(RDX, in.rs2);
  if (n == 2) a_.u8(0x66);
  a_.rm({static_cast<std::uint8_t>(n == 1 ? 0x88 : 0x89)}, RDX, RBP, RCX, 0, 0);
  cold_.push_back([this, lower, back] {
    a_.bind(lower);
    a_.rm({0x89}, RCX, RBX, -1, 0, kLowOff);
    a_.jmp(back);
  });
}

void Translator::emit_branch(const Program::Insn& in, std::size_t i, int cc) {
  const int to = jump_ok(in.imm) ? entry_[slot_of(in.imm)] : exit_label(i);
  const int lhs = host(in.rs1) >= 0 ? host(in.rs1) : RAX;
  load(lhs, in.rs1);
  with({0x3b}, lhs, in.rs2);
  a_.jcc(cc, to);
}

void Translator::emit_divide(const Program::Insn& in) {
  const int zero = a_.label(), minus_one = a_.label(), done = a_.label();
  const bool is_rem = in.op == kRem || in.op == kRemu;
  const bool is_signed = in.op == kDiv || in.op == kRem;
  load(RCX, in.rs2);
  load(RAX, in.rs1);
  if (is_rem) a_.rr({0x8b}, RDX, RAX);  // x % 0 = x
  a_.rr({0x85}, RCX, RCX);              // test ecx, ecx
  a_.jcc(kE, is_rem ? done : zero);
  if (is_signed) {
    a_.ri(7, RCX, 0xffffffffu);  // cmp ecx, -1: x / -1 = -x and x % -1 = 0, INT_MIN included
    a_.jcc(kE, minus_one);
    a_.u8(0x99);            // cdq
    a_.rr({0xf7}, 7, RCX);  // idiv ecx
  } else {
    a_.rr({0x33}, RDX, RDX);  // xor edx, edx
    a_.rr({0xf7}, 6, RCX);    // div ecx
  }
  a_.jmp(done);
  if (is_signed) {
    a_.bind(minus_one);
    if (is_rem) {
      a_.rr({0x33}, RDX, RDX);
    } else {
      a_.rr({0xf7}, 3, RAX);  // neg eax
    }
    a_.jmp(done);
  }
  if (!is_rem) {  // a remainder by zero jumped straight to done
    a_.bind(zero);
    a_.mov_imm(RAX, 0xffffffffu);
  }
  a_.bind(done);
  store(in.rd, is_rem ? RDX : RAX);
}

void Translator::slot(std::size_t i) {
  const Program::Insn& in = code_[i];
  if (leader_[i]) {
    a_.bind(entry_[i]);
    charge(i);
  }
  a_.bind(body_[i]);
  const int rd = in.rd;
  // Register-register and register-immediate ALU forms: {x86 opcode, /digit for the immediate}.
  auto alu_rr = [&](std::uint8_t op) {
    if (rd == kSink) return;
    const int t = target(rd, in.rs2);
    load(t, in.rs1);
    with({op}, t, in.rs2);
    store(rd, t);
  };
  auto alu_ri = [&](int ext) {
    if (rd == kSink) return;
    const int t = target(rd);
    load(t, in.rs1);
    a_.ri(ext, t, in.imm);
    store(rd, t);
  };
  auto shift_ri = [&](int ext) {
    if (rd == kSink) return;
    const int t = target(rd);
    load(t, in.rs1);
    a_.rr({0xc1}, ext, t);
    a_.u8(in.imm);
    store(rd, t);
  };
  auto shift_rr = [&](int ext) {
    if (rd == kSink) return;
    load(RCX, in.rs2);
    const int t = target(rd);
    load(t, in.rs1);
    a_.rr({0xd3}, ext, t);
    store(rd, t);
  };
  auto set_if = [&](int cc, bool imm) {
    if (rd == kSink) return;
    a_.rr({0x33}, RDX, RDX);
    load(RAX, in.rs1);
    if (imm) {
      a_.ri(7, RAX, in.imm);
    } else {
      with({0x3b}, RAX, in.rs2);
    }
    a_.rr({0x0f, static_cast<std::uint8_t>(0x90 + cc)}, 0, RDX);
    store(rd, RDX);
  };
  // The high word of a 64-bit product; each operand sign- or zero-extended.
  auto mul_high = [&](bool a_signed, bool b_signed) {
    if (rd == kSink) return;
    load(RAX, in.rs1);
    load(RCX, in.rs2);
    if (a_signed) a_.rr({0x63}, RAX, RAX, true);  // movsxd rax, eax
    if (b_signed) a_.rr({0x63}, RCX, RCX, true);
    a_.rr({0x0f, 0xaf}, RAX, RCX, true);  // imul rax, rcx
    a_.rr({0xc1}, 5, RAX, true);          // shr rax, 32
    a_.u8(32);
    store(rd, RAX);
  };
  switch (in.op) {
    case kLui:
      store_imm(rd, in.imm);
      break;
    case kJal:
      if (!jump_ok(in.imm)) {
        a_.jmp(exit_label(i));
        break;
      }
      store_imm(rd, pc_of(i) + 4);
      a_.jmp(entry_[slot_of(in.imm)]);
      break;
    case kJalr: {
      const int fail = exit_label(i);
      address(in);
      a_.ri(4, RAX, 0xfffffffeu);                                                // and eax, ~1
      a_.rm({0x8d}, RCX, RAX, -1, 0, static_cast<std::int32_t>(0u - code_lo_));  // lea ecx
      a_.ri(7, RCX, code_bytes_);
      a_.jcc(kAE, fail);
      a_.u8(0xa8);  // test al, 3
      a_.u8(3);
      a_.jcc(kNE, fail);
      store_imm(rd, pc_of(i) + 4);
      a_.rm({0x8b}, RDX, RBX, -1, 0, kEntriesOff, true);
      a_.rm({0xff}, 4, RDX, RCX, 1, 0);  // jmp [rdx + rcx*2]: 8-byte entries, 4-byte slots
      break;
    }
    case kBeq:
      emit_branch(in, i, kE);
      break;
    case kBne:
      emit_branch(in, i, kNE);
      break;
    case kBlt:
      emit_branch(in, i, kL);
      break;
    case kBge:
      emit_branch(in, i, kGE);
      break;
    case kBltu:
      emit_branch(in, i, kB);
      break;
    case kBgeu:
      emit_branch(in, i, kAE);
      break;
    case kLb:
    case kLh:
    case kLw:
    case kLbu:
    case kLhu:
      emit_load(in, i);
      break;
    case kSb:
    case kSh:
    case kSw:
      emit_store(in, i);
      break;
    case kAddi:
      if (rd != kSink && in.imm == 0) {
        load(target(rd), in.rs1);
        store(rd, target(rd));
      } else {
        alu_ri(0);
      }
      break;
    case kSlti:
      set_if(kL, true);
      break;
    case kSltiu:
      set_if(kB, true);
      break;
    case kXori:
      alu_ri(6);
      break;
    case kOri:
      alu_ri(1);
      break;
    case kAndi:
      alu_ri(4);
      break;
    case kSlli:
      shift_ri(4);
      break;
    case kSrli:
      shift_ri(5);
      break;
    case kSrai:
      shift_ri(7);
      break;
    case kAdd:
      alu_rr(0x03);
      break;
    case kSub:
      alu_rr(0x2b);
      break;
    case kSll:
      shift_rr(4);
      break;
    case kSlt:
      set_if(kL, false);
      break;
    case kSltu:
      set_if(kB, false);
      break;
    case kXor:
      alu_rr(0x33);
      break;
    case kSrl:
      shift_rr(5);
      break;
    case kSra:
      shift_rr(7);
      break;
    case kOr:
      alu_rr(0x0b);
      break;
    case kAnd:
      alu_rr(0x23);
      break;
    case kMul:
      if (rd != kSink) {
        const int t = target(rd, in.rs2);
        load(t, in.rs1);
        with({0x0f, 0xaf}, t, in.rs2);
        store(rd, t);
      }
      break;
    case kMulh:
      mul_high(true, true);
      break;
    case kMulhsu:
      mul_high(true, false);
      break;
    case kMulhu:
      mul_high(false, false);
      break;
    case kDiv:
    case kDivu:
    case kRem:
    case kRemu:
      if (rd != kSink) emit_divide(in);
      break;
    case kFence:
      break;
    default:  // ECALL, EBREAK, illegal, the fall-off slot: the host steps them
      a_.jmp(exit_label(i));
      break;
  }
}

bool Translator::translate(std::size_t& trampoline, std::vector<std::size_t>& entries) {
  const std::size_t n = code_.size();
  map_registers();
  // Leaders: the entry, every static jump target and every instruction after a run's end.
  leader_.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& in = code_[i];
    if (ends_run(in.op) && i + 1 < n) leader_[i + 1] = true;
    if ((in.op == kJal || (in.op >= kBeq && in.op <= kBgeu)) && jump_ok(in.imm))
      leader_[slot_of(in.imm)] = true;
  }
  run_end_.assign(n, n - 1);
  for (std::size_t i = n; i-- > 0;) {
    run_end_[i] = (ends_run(code_[i].op) || i + 1 == n || leader_[i + 1]) ? i : run_end_[i + 1];
  }
  body_.resize(n);
  entry_.resize(n);
  exit_.assign(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    body_[i] = a_.label();
    entry_[i] = a_.label();
  }
  exit_common_ = a_.label();

  // Trampoline: enter(State* rdi, target rsi).
  trampoline = a_.b.size();
  for (int r : kSaved) {
    a_.rex(false, 0, 0, r);
    a_.u8(0x50 + (r & 7));
  }
  a_.rr({0x8b}, RBX, RDI, true);
  a_.rr({0x8b}, RAX, RSI, true);
  a_.rm({0x8b}, RBP, RBX, -1, 0, kRwBaseOff, true);
  a_.rm({0x8b}, R14, RBX, -1, 0, kRwSizeOff, true);
  a_.rm({0x8b}, R15, RBX, -1, 0, kBudgetOff, true);
  for (int g = 1; g < 32; ++g) {
    if (host_[g] >= 0) a_.rm({0x8b}, host_[g], RBX, -1, 0, kRegsOff + 4 * g);
  }
  a_.rr({0xff}, 4, RAX);  // jmp rax
  a_.bind(exit_common_);
  for (int g = 1; g < 32; ++g) {
    if (host_[g] >= 0) a_.rm({0x89}, host_[g], RBX, -1, 0, kRegsOff + 4 * g);
  }
  a_.rm({0x89}, R15, RBX, -1, 0, kBudgetOff, true);
  for (auto it = kSaved.rbegin(); it != kSaved.rend(); ++it) {
    a_.rex(false, 0, 0, *it);
    a_.u8(0x58 + (*it & 7));
  }
  a_.u8(0xc3);

  // The slots in order: straight-line code falls through into the next slot's body, and the last
  // slot (the fall-off slot) leaves, so control never runs past the end of the code.
  for (std::size_t i = 0; i < n; ++i) slot(i);

  // Entries of slots inside a run (reached only through JALR, or the program's entry): charge the
  // rest of the run, then continue in the body.
  for (std::size_t i = 0; i < n; ++i) {
    if (leader_[i]) continue;
    a_.bind(entry_[i]);
    charge(i);
    a_.jmp(body_[i]);
  }
  for (std::size_t k = 0; k < cold_.size(); ++k) cold_[k]();
  for (std::size_t i = 0; i < n; ++i) {
    if (exit_[i] < 0) continue;
    a_.bind(exit_[i]);
    if (metered_) a_.ri(0, R15, run_length(i), true);  // add r15, L: give the charge back
    a_.rm({0xc7}, 0, RBX, -1, 0, kExitPcOff);
    a_.u32(pc_of(i));
    a_.jmp(exit_common_);
  }
  if (!a_.finish()) return false;
  entries.resize(n);
  for (std::size_t i = 0; i < n; ++i) entries[i] = static_cast<std::size_t>(a_.pos(entry_[i]));
  return true;
}

}  // namespace

std::unique_ptr<Code> Code::compile(const Program& program, bool metered) {
  // About a hundred bytes of host code per slot: a code segment over 4 MiB (far beyond any guest
  // basalt builds) stays with the interpreter rather than taking hundreds of MiB to translate.
  if (program.code().size() > kMaxSlots) return nullptr;
  Translator t(program, metered);
  std::size_t trampoline = 0;
  std::vector<std::size_t> entries;
  if (!t.translate(trampoline, entries)) return nullptr;
  const auto& bytes = t.bytes();
  const std::size_t size = (bytes.size() + 4095) & ~std::size_t{4095};
  void* mem = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  std::memcpy(mem, bytes.data(), bytes.size());
  // Never writable and executable at once.
  if (::mprotect(mem, size, PROT_READ | PROT_EXEC) != 0) {
    ::munmap(mem, size);
    return nullptr;
  }
  std::unique_ptr<Code> c(new Code());
  c->mem_ = mem;
  c->size_ = size;
  c->code_lo_ = program.code_lo();
  auto* base = static_cast<std::uint8_t*>(mem);
  c->entries_.reserve(entries.size());
  for (std::size_t e : entries) c->entries_.push_back(base + e);
  c->trampoline_ = reinterpret_cast<void (*)(State*, const void*)>(base + trampoline);
  return c;
}

Code::~Code() {
  if (mem_ != nullptr) ::munmap(mem_, size_);
}

void Code::enter(State& state, std::uint32_t pc) const {
  state.entries = entries_.data();
  trampoline_(&state, entries_[(pc - code_lo_) / 4]);
}

#else

std::unique_ptr<Code> Code::compile(const Program&, bool) {
  return nullptr;
}
Code::~Code() = default;
void Code::enter(State&, std::uint32_t) const {}

#endif

}  // namespace basalt::vm::jit
