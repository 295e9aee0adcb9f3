// Receipts: what a proof system hands out for one guest run. A receipt claims "the guest with this
// image id ran to exit code 0 and committed this journal", and carries a seal that lets anyone
// check the claim. The journal digest a guest passes to verify() for another receipt is
// SHA-256(journal).
//
// Encoding (canonical; decode_receipt refuses anything else), integers little-endian:
//   u8 version = 1 ‖ u8 proof system ‖ image_id 32 ‖ u32 journal_len ‖ journal ‖
//   u32 seal_len ‖ seal ‖ u16 n ‖ n × (u32 len ‖ receipt)
// where the n receipts discharge the run's verify() calls, in call order. The seal is opaque to all
// but its proof system (re-execution, id 1: the guest's input).
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "vm/image_id.hpp"

namespace basalt::zk {

inline constexpr std::uint8_t kReceiptVersion = 1;
// Bounds of a decoded receipt: nesting (aggregate -> batch -> transaction needs 3) and size.
inline constexpr int kMaxReceiptDepth = 8;
inline constexpr std::size_t kMaxReceiptBytes = 64u << 20;

// Which proof system made a receipt (and can verify it).
enum class ProofSystemId : std::uint8_t {
  // zk/reexec: the seal is the guest's input; verifying re-runs the guest. Sound, but not succinct
  // (verification costs the whole run) and not zero-knowledge (the input is public).
  kReexecution = 1,
};
const char* proof_system_name(ProofSystemId id);

struct Receipt {
  ProofSystemId system = ProofSystemId::kReexecution;
  vm::ImageId image_id;
  core::Bytes journal;
  core::Bytes seal;                  // the proof system's, opaque to everyone else
  std::vector<Receipt> assumptions;  // one per verify() call of the run, in order
  bool operator==(const Receipt&) const = default;
};

core::Hash32 journal_digest(core::ByteSpan journal);

core::Bytes encode_receipt(const Receipt& r);
// encode_receipt(r).size(), without encoding.
std::size_t encoded_receipt_size(const Receipt& r);
// Errors: kTruncated, kUnknownTag (version, kind), kOutOfRange (depth, size), kTrailingBytes.
core::Result<Receipt> decode_receipt(core::ByteSpan bytes);

}  // namespace basalt::zk
