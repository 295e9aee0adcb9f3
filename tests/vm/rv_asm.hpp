// A tiny RV32IM encoder and ELF32 writer for tests: hand-written programs, malformed ELFs and the
// seeded random programs of the differential test.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_writer.hpp"

namespace basalt::vm::testing {

namespace enc {
inline std::uint32_t r(std::uint32_t op, std::uint32_t f3, std::uint32_t f7, std::uint32_t rd,
                       std::uint32_t rs1, std::uint32_t rs2) {
  return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
inline std::uint32_t i(std::uint32_t op, std::uint32_t f3, std::uint32_t rd, std::uint32_t rs1,
                       std::int32_t imm) {
  return (static_cast<std::uint32_t>(imm) & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
inline std::uint32_t s(std::uint32_t f3, std::uint32_t rs1, std::uint32_t rs2, std::int32_t imm) {
  auto u = static_cast<std::uint32_t>(imm);
  return (u >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 31) << 7 | 0x23;
}
inline std::uint32_t b(std::uint32_t f3, std::uint32_t rs1, std::uint32_t rs2, std::int32_t off) {
  auto u = static_cast<std::uint32_t>(off);
  return (u >> 12 & 1) << 31 | (u >> 5 & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
         (u >> 1 & 0xf) << 8 | (u >> 11 & 1) << 7 | 0x63;
}
inline std::uint32_t u(std::uint32_t op, std::uint32_t rd, std::uint32_t imm20) {
  return imm20 << 12 | rd << 7 | op;
}
inline std::uint32_t j(std::uint32_t rd, std::int32_t off) {
  auto v = static_cast<std::uint32_t>(off);
  return (v >> 20 & 1) << 31 | (v >> 1 & 0x3ff) << 21 | (v >> 11 & 1) << 20 |
         (v >> 12 & 0xff) << 12 | rd << 7 | 0x6f;
}
inline std::uint32_t addi(std::uint32_t rd, std::uint32_t rs1, std::int32_t imm) {
  return i(0x13, 0, rd, rs1, imm);
}
inline std::uint32_t lui(std::uint32_t rd, std::uint32_t imm20) {
  return u(0x37, rd, imm20);
}
inline std::uint32_t ecall() {
  return 0x00000073u;
}
inline std::uint32_t ebreak() {
  return 0x00100073u;
}
// rd = value, in two instructions.
inline std::vector<std::uint32_t> li(std::uint32_t rd, std::uint32_t value) {
  std::uint32_t lo = value & 0xfff;
  std::uint32_t hi = (value + 0x800) >> 12;
  return {lui(rd, hi & 0xfffff), addi(rd, rd, static_cast<std::int32_t>(lo << 20) >> 20)};
}
}  // namespace enc

struct ElfSegment {
  std::uint32_t vaddr;
  std::uint32_t flags;  // R=4 W=2 X=1
  core::Bytes bytes;
  std::uint32_t memsz;  // >= bytes.size()
};

// An ELF32 RISC-V ET_EXEC with the given segments; each segment's file offset is congruent to its
// address modulo 4096, as loaders that map pages require.
inline core::Bytes write_elf(std::uint32_t entry, const std::vector<ElfSegment>& segs,
                             std::uint32_t e_flags = 0) {
  core::ByteWriter w;
  const std::uint32_t phoff = 52;
  std::vector<std::uint32_t> offsets;
  std::uint32_t off = phoff + 32 * static_cast<std::uint32_t>(segs.size());
  for (const auto& s : segs) {
    std::uint32_t want = s.vaddr % 0x1000;
    off = (off + 0xfff - want) / 0x1000 * 0x1000 + want;
    if (off < phoff + 32 * segs.size()) off += 0x1000;
    offsets.push_back(off);
    off += static_cast<std::uint32_t>(s.bytes.size());
  }
  w.bytes(core::Bytes{0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  w.u16_le(2);    // ET_EXEC
  w.u16_le(243);  // EM_RISCV
  w.u32_le(1);
  w.u32_le(entry);
  w.u32_le(phoff);
  w.u32_le(0);  // no section headers
  w.u32_le(e_flags);
  w.u16_le(52);
  w.u16_le(32);
  w.u16_le(static_cast<std::uint16_t>(segs.size()));
  w.u16_le(40);
  w.u16_le(0);
  w.u16_le(0);
  for (std::size_t k = 0; k < segs.size(); ++k) {
    w.u32_le(1);  // PT_LOAD
    w.u32_le(offsets[k]);
    w.u32_le(segs[k].vaddr);
    w.u32_le(segs[k].vaddr);
    w.u32_le(static_cast<std::uint32_t>(segs[k].bytes.size()));
    w.u32_le(segs[k].memsz);
    w.u32_le(segs[k].flags);
    w.u32_le(0x1000);
  }
  core::Bytes out = w.take();
  for (std::size_t k = 0; k < segs.size(); ++k) {
    out.resize(offsets[k], 0);
    out.insert(out.end(), segs[k].bytes.begin(), segs[k].bytes.end());
  }
  return out;
}

inline core::Bytes words(const std::vector<std::uint32_t>& ws) {
  core::ByteWriter w;
  for (auto x : ws) w.u32_le(x);
  return w.take();
}

// A program of `code` at 0x10000 with an RW data segment of `data_size` bytes at 0x20000.
inline core::Bytes program(const std::vector<std::uint32_t>& code, std::uint32_t data_size = 0x1000,
                           core::Bytes data = {}) {
  std::vector<ElfSegment> segs{
      {0x10000, 5, words(code), static_cast<std::uint32_t>(code.size() * 4)}};
  if (data_size > 0) segs.push_back({0x20000, 6, std::move(data), data_size});
  return write_elf(0x10000, segs);
}

}  // namespace basalt::vm::testing
