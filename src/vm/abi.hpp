// The guest ABI: system-call numbers (in a7), their cycle costs and the VM's default limits. These
// numbers reach image ids and receipts through guest behaviour: frozen, never renumbered.
// guest/README.md documents the same ABI for guest authors.
#pragma once

#include <cstdint>

namespace basalt::vm {

// Linux-compatible calls, so simple guests run unchanged under qemu-riscv32.
inline constexpr std::uint32_t kSysWrite = 64;  // write(fd a0 in {1, 2}, buf a1, len a2) -> len
inline constexpr std::uint32_t kSysExit = 93;   // exit(code a0)
inline constexpr std::uint32_t kSysExitGroup = 94;
inline constexpr std::uint32_t kSysBrk =
    214;  // brk(addr a0) -> new break (the current one on a query)

// basalt calls, in their own range: above every Linux RISC-V system call and below 2048, so that a
// guest loads the number with a single `li a7, N` (one ADDI).
inline constexpr std::uint32_t kSysReadInput = 0x0700;  // (buf a0, len a1) -> bytes read
inline constexpr std::uint32_t kSysInputLen = 0x0701;   // () -> bytes of input left
inline constexpr std::uint32_t kSysCommit = 0x0702;     // (buf a0, len a1): append to the journal
inline constexpr std::uint32_t kSysSha256Compress =
    0x0703;  // (state a0: 8 words, block a1: 64 bytes)
// (cv a0: 8 words, block a1: 64 bytes, counter_lo a2, counter_hi a3, block_len a4, flags a5,
//  out a6: 16 words)
inline constexpr std::uint32_t kSysBlake3Compress = 0x0704;
inline constexpr std::uint32_t kSysVerify =
    0x0705;  // (image_id a0: 32 bytes, journal_digest a1: 32)
// (pubkey a0: 32-byte x-only key, msg a1: 32 bytes, sig a2: 64 bytes) -> 1 valid, 0 not (BIP-340)
inline constexpr std::uint32_t kSysSchnorrVerify = 0x0706;

// Cycle costs: one per instruction; a system call costs its instruction plus the amounts below.
inline constexpr std::uint64_t kCostSyscall = 10;
inline constexpr std::uint64_t kCostPerWord =
    1;  // per 4 bytes (rounded up) read, written or committed
inline constexpr std::uint64_t kCostSha256Compress = 64;
inline constexpr std::uint64_t kCostBlake3Compress = 32;
inline constexpr std::uint64_t kCostVerify = 100;
// A BIP-340 verification is about two scalar multiplications; priced like the ~3 000 instructions
// per multiplication a guest would spend with a field-multiply accelerator.
inline constexpr std::uint64_t kCostSchnorrVerify = 6000;

// Defaults of RunLimits.
inline constexpr std::uint64_t kDefaultMaxCycles = 1ull << 32;
inline constexpr std::uint32_t kDefaultMemoryLimit = 64u << 20;  // loaded image + heap
// ELF files are read only up to this size: an image must fit a guest's memory, and no guest
// basalt runs has more than 512 MiB.
inline constexpr std::uint32_t kMaxElfBytes = 64u << 20;
inline constexpr std::uint32_t kMaxOutputBytes = 1u << 20;  // per stream: stdout, stderr, journal
inline constexpr std::uint32_t kMaxAssumptions = 1u << 16;

}  // namespace basalt::vm
