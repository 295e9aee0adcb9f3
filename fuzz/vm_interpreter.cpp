// Fuzzes the decoder, the interpreter and the translated code: the input bytes are the code segment
// (and the first 4 KiB of data) of a program run with a small cycle limit. Whatever the
// instructions do, the host must not crash and the translated run must agree with the interpreted
// one in every field.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/assert.hpp"
#include "core/byte_writer.hpp"
#include "vm/machine.hpp"

namespace {

basalt::core::Bytes make_elf(basalt::core::ByteSpan code, basalt::core::ByteSpan data) {
  using basalt::core::ByteWriter;
  ByteWriter w;
  w.bytes(basalt::core::Bytes{0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  w.u16_le(2);
  w.u16_le(243);
  w.u32_le(1);
  w.u32_le(0x10000);  // entry
  w.u32_le(52);
  w.u32_le(0);
  w.u32_le(0);
  w.u16_le(52);
  w.u16_le(32);
  w.u16_le(2);
  w.u16_le(40);
  w.u16_le(0);
  w.u16_le(0);
  const std::uint32_t code_off = 0x1000,
                      data_off =
                          0x1000 + static_cast<std::uint32_t>((code.size() + 0xfff) & ~0xfffu);
  const std::uint32_t seg[2][4] = {{code_off, 0x10000, static_cast<std::uint32_t>(code.size()), 5},
                                   {data_off, 0x80000, static_cast<std::uint32_t>(data.size()), 6}};
  for (const auto& s : seg) {
    w.u32_le(1);
    w.u32_le(s[0]);
    w.u32_le(s[1]);
    w.u32_le(s[1]);
    w.u32_le(s[2]);
    w.u32_le(s[1] == 0x80000 ? 0x2000 : s[2]);
    w.u32_le(s[3]);
    w.u32_le(0x1000);
  }
  basalt::core::Bytes out = w.take();
  out.resize(code_off, 0);
  out.insert(out.end(), code.begin(), code.end());
  out.resize(data_off, 0);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  std::size_t code_len = size / 4 * 4;
  if (code_len == 0) return 0;
  core::ByteSpan code(data, code_len);
  core::ByteSpan init(data, std::min<std::size_t>(size, 0x1000));
  auto p = vm::Program::load(make_elf(code, init), 1u << 16);
  BASALT_ASSERT(p.ok());
  vm::RunLimits limits;
  limits.max_cycles = 20'000;
  limits.memory_limit = 1u << 16;
  auto a = vm::run(*p, init, limits);
  auto b = vm::run_interpreted(*p, init, limits);
  BASALT_ASSERT(a.status == b.status && a.exit_code == b.exit_code);
  BASALT_ASSERT(a.fault.kind == b.fault.kind && a.fault.pc == b.fault.pc &&
                a.fault.addr == b.fault.addr);
  BASALT_ASSERT(a.cycles == b.cycles && a.instructions == b.instructions);
  BASALT_ASSERT(a.stdout_bytes == b.stdout_bytes && a.stderr_bytes == b.stderr_bytes &&
                a.journal == b.journal && a.assumptions.size() == b.assumptions.size());
  return 0;
}
