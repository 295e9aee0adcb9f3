// ELF32 loader for static RISC-V executables (little-endian, EM_RISCV, ET_EXEC). Only PT_LOAD
// segments are loaded; section headers are ignored. Validation:
//  - header: magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT, ET_EXEC, EM_RISCV, no RVC flag (basalt
//  runs
//    RV32IM without the C extension), program-header table inside the file;
//  - no PT_INTERP / PT_DYNAMIC (static only);
//  - each PT_LOAD: file bytes inside the file, filesz <= memsz, no 32-bit overflow, not W+X;
//  - segments do not overlap; every read-only segment lies below every writable one; exactly one
//    executable segment, and it contains the 4-byte-aligned entry point.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"

namespace basalt::vm {

enum SegmentFlag : std::uint8_t { kExec = 1, kWrite = 2, kRead = 4 };  // ELF p_flags bits

struct Segment {
  std::uint32_t vaddr = 0;
  std::uint32_t memsz = 0;
  std::uint8_t flags = 0;  // SegmentFlag bits
  core::Bytes data;        // memsz bytes: the file bytes, then zeros
};

struct ElfImage {
  std::uint32_t entry = 0;
  std::vector<Segment> segments;  // sorted by vaddr

  // Bytes the VM maps for this image: the span of the read-only segments plus the span of the
  // writable ones, gaps between segments included (they are mapped, zero-filled).
  std::uint64_t mapped_bytes() const;
};

// Errors: kTruncated, kUnknownTag (class, encoding, machine, type, version), kInvalid (layout rules
// above), kOutOfRange (mapped_bytes() over max_image_bytes).
core::Result<ElfImage> parse_elf32(core::ByteSpan file, std::uint32_t max_image_bytes);

}  // namespace basalt::vm
