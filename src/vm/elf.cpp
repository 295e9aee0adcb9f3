#include "vm/elf.hpp"

#include <algorithm>

#include "core/byte_reader.hpp"

namespace basalt::vm {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::uint16_t kEtExec = 2;
constexpr std::uint16_t kEmRiscv = 243;
constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr std::uint32_t kEfRiscvRvc = 1;
constexpr std::size_t kEhdrSize = 52, kPhdrSize = 32;

Error invalid(const char* what) {
  return Error{ErrorCode::kInvalid, std::string("elf: ") + what};
}

}  // namespace

core::Result<ElfImage> parse_elf32(core::ByteSpan file, std::uint32_t max_image_bytes) {
  if (file.size() < kEhdrSize) return Error{ErrorCode::kTruncated, "elf: header"};
  core::ByteReader r(file);
  BASALT_ASSIGN_OR_RETURN(auto ident, r.read_bytes(16, "elf.e_ident"));
  if (ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' || ident[3] != 'F') {
    return Error{ErrorCode::kUnknownTag, "elf: not an ELF file (bad magic)"};
  }
  if (ident[4] != 1) return Error{ErrorCode::kUnknownTag, "elf: not ELFCLASS32"};
  if (ident[5] != 1) return Error{ErrorCode::kUnknownTag, "elf: not little-endian"};
  if (ident[6] != 1) return Error{ErrorCode::kUnknownTag, "elf: unknown ident version"};
  BASALT_ASSIGN_OR_RETURN(auto type, r.read_u16_le("elf.e_type"));
  BASALT_ASSIGN_OR_RETURN(auto machine, r.read_u16_le("elf.e_machine"));
  BASALT_ASSIGN_OR_RETURN(auto version, r.read_u32_le("elf.e_version"));
  BASALT_ASSIGN_OR_RETURN(auto entry, r.read_u32_le("elf.e_entry"));
  BASALT_ASSIGN_OR_RETURN(auto phoff, r.read_u32_le("elf.e_phoff"));
  BASALT_ASSIGN_OR_RETURN(auto shoff, r.read_u32_le("elf.e_shoff"));
  (void)shoff;  // section headers are not needed to load
  BASALT_ASSIGN_OR_RETURN(auto eflags, r.read_u32_le("elf.e_flags"));
  BASALT_ASSIGN_OR_RETURN(auto ehsize, r.read_u16_le("elf.e_ehsize"));
  BASALT_ASSIGN_OR_RETURN(auto phentsize, r.read_u16_le("elf.e_phentsize"));
  BASALT_ASSIGN_OR_RETURN(auto phnum, r.read_u16_le("elf.e_phnum"));
  if (type != kEtExec)
    return Error{ErrorCode::kUnknownTag, "elf: not a static executable (ET_EXEC)"};
  if (machine != kEmRiscv) return Error{ErrorCode::kUnknownTag, "elf: not a RISC-V executable"};
  if (version != 1) return Error{ErrorCode::kUnknownTag, "elf: unknown version"};
  if (eflags & kEfRiscvRvc) return invalid("compressed instructions (RVC) are not supported");
  if (ehsize < kEhdrSize) return invalid("e_ehsize too small");
  if (phentsize != kPhdrSize) return invalid("unexpected e_phentsize");
  if (phnum == 0) return invalid("no program headers");
  if (std::uint64_t{phoff} + std::uint64_t{phnum} * kPhdrSize > file.size()) {
    return Error{ErrorCode::kTruncated, "elf: program header table outside the file"};
  }

  ElfImage img;
  img.entry = entry;
  std::uint64_t total = 0;
  for (std::uint16_t i = 0; i < phnum; ++i) {
    core::ByteReader ph(file.subspan(phoff + std::size_t{i} * kPhdrSize, kPhdrSize));
    BASALT_ASSIGN_OR_RETURN(auto p_type, ph.read_u32_le("elf.p_type"));
    BASALT_ASSIGN_OR_RETURN(auto p_offset, ph.read_u32_le("elf.p_offset"));
    BASALT_ASSIGN_OR_RETURN(auto p_vaddr, ph.read_u32_le("elf.p_vaddr"));
    BASALT_ASSIGN_OR_RETURN(auto p_paddr, ph.read_u32_le("elf.p_paddr"));
    (void)p_paddr;
    BASALT_ASSIGN_OR_RETURN(auto p_filesz, ph.read_u32_le("elf.p_filesz"));
    BASALT_ASSIGN_OR_RETURN(auto p_memsz, ph.read_u32_le("elf.p_memsz"));
    BASALT_ASSIGN_OR_RETURN(auto p_flags, ph.read_u32_le("elf.p_flags"));
    if (p_type == kPtInterp || p_type == kPtDynamic)
      return invalid("dynamic executables are not supported");
    if (p_type != kPtLoad || p_memsz == 0) continue;
    if (p_filesz > p_memsz) return invalid("segment p_filesz > p_memsz");
    if (std::uint64_t{p_offset} + p_filesz > file.size()) {
      return Error{ErrorCode::kTruncated, "elf: segment bytes outside the file"};
    }
    if (std::uint64_t{p_vaddr} + p_memsz > 0x1'0000'0000ull)
      return invalid("segment wraps the address space");
    if ((p_flags & kWrite) && (p_flags & kExec)) return invalid("writable and executable segment");
    total += p_memsz;
    if (total > max_image_bytes)
      return Error{ErrorCode::kOutOfRange, "elf: image larger than the memory limit"};
    Segment seg;
    seg.vaddr = p_vaddr;
    seg.memsz = p_memsz;
    seg.flags = static_cast<std::uint8_t>(p_flags & 7);
    seg.data.assign(p_memsz, 0);
    std::copy_n(file.begin() + p_offset, p_filesz, seg.data.begin());
    img.segments.push_back(std::move(seg));
  }
  if (img.segments.empty()) return invalid("no loadable segment");
  std::sort(img.segments.begin(), img.segments.end(),
            [](const Segment& a, const Segment& b) { return a.vaddr < b.vaddr; });
  int exec = 0;
  bool seen_writable = false;
  for (std::size_t i = 0; i < img.segments.size(); ++i) {
    const Segment& s = img.segments[i];
    if (i > 0) {
      const Segment& p = img.segments[i - 1];
      if (std::uint64_t{p.vaddr} + p.memsz > s.vaddr) return invalid("overlapping segments");
    }
    if (s.flags & kWrite) {
      seen_writable = true;
    } else if (seen_writable) {
      return invalid("a read-only segment above a writable one");
    }
    if (s.flags & kExec) {
      ++exec;
      if (entry < s.vaddr || entry - s.vaddr >= s.memsz)
        return invalid("entry point outside the code segment");
    }
  }
  if (exec != 1) return invalid("expected exactly one executable segment");
  if (img.mapped_bytes() > max_image_bytes) {
    return Error{ErrorCode::kOutOfRange, "elf: image (with the gaps between segments) over the memory limit"};
  }
  if (entry % 4 != 0) return invalid("misaligned entry point");
  return img;
}

std::uint64_t ElfImage::mapped_bytes() const {
  std::uint64_t ro_lo = 0, ro_hi = 0, rw_lo = 0, rw_hi = 0;
  bool ro = false, rw = false;
  for (const auto& s : segments) {
    std::uint64_t end = std::uint64_t{s.vaddr} + s.memsz;
    if (s.flags & kWrite) {
      if (!rw) rw_lo = s.vaddr;
      rw_hi = end;
      rw = true;
    } else {
      if (!ro) ro_lo = s.vaddr;
      ro_hi = end;
      ro = true;
    }
  }
  return (ro_hi - ro_lo) + (rw_hi - rw_lo);
}

}  // namespace basalt::vm
