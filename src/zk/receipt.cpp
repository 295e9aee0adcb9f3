#include "zk/receipt.hpp"

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "crypto/sha256.hpp"

namespace basalt::zk {

namespace {

using core::Error;
using core::ErrorCode;

void encode_into(const Receipt& r, core::ByteWriter& w) {
  w.u8(kReceiptVersion);
  w.u8(static_cast<std::uint8_t>(r.system));
  w.hash(r.image_id.hash());
  w.u32_le(static_cast<std::uint32_t>(r.journal.size()));
  w.bytes(r.journal);
  w.u32_le(static_cast<std::uint32_t>(r.seal.size()));
  w.bytes(r.seal);
  w.u16_le(static_cast<std::uint16_t>(r.assumptions.size()));
  for (const auto& a : r.assumptions) {
    core::ByteWriter inner;
    encode_into(a, inner);
    w.u32_le(static_cast<std::uint32_t>(inner.data().size()));
    w.bytes(inner.data());
  }
}

core::Result<Receipt> decode_at(core::ByteSpan bytes, int depth) {
  if (depth > kMaxReceiptDepth) return Error{ErrorCode::kOutOfRange, "receipt nested too deep"};
  core::ByteReader r(bytes);
  Receipt out;
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("receipt version"));
  if (version != kReceiptVersion) {
    return Error{ErrorCode::kUnknownTag, "receipt version " + std::to_string(version)};
  }
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t system, r.read_u8("receipt proof system"));
  if (system != static_cast<std::uint8_t>(ProofSystemId::kReexecution)) {
    return Error{ErrorCode::kUnknownTag, "receipt proof system " + std::to_string(system)};
  }
  out.system = static_cast<ProofSystemId>(system);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("receipt image id"));
  out.image_id = vm::ImageId(id);
  BASALT_ASSIGN_OR_RETURN(const std::uint32_t jlen, r.read_u32_le("receipt journal length"));
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan journal, r.read_bytes(jlen, "receipt journal"));
  out.journal.assign(journal.begin(), journal.end());
  BASALT_ASSIGN_OR_RETURN(const std::uint32_t slen, r.read_u32_le("receipt seal length"));
  BASALT_ASSIGN_OR_RETURN(const core::ByteSpan seal, r.read_bytes(slen, "receipt seal"));
  out.seal.assign(seal.begin(), seal.end());
  BASALT_ASSIGN_OR_RETURN(const std::uint16_t n, r.read_u16_le("receipt assumption count"));
  for (std::uint16_t i = 0; i < n; ++i) {
    BASALT_ASSIGN_OR_RETURN(const std::uint32_t len, r.read_u32_le("assumption length"));
    BASALT_ASSIGN_OR_RETURN(const core::ByteSpan inner, r.read_bytes(len, "assumption"));
    BASALT_ASSIGN_OR_RETURN(Receipt a, decode_at(inner, depth + 1));
    out.assumptions.push_back(std::move(a));
  }
  BASALT_TRY(r.expect_end("receipt"));
  return out;
}

}  // namespace

const char* proof_system_name(ProofSystemId id) {
  switch (id) {
    case ProofSystemId::kReexecution:
      return "re-execution receipt (not succinct, not zero-knowledge)";
  }
  return "unknown";
}

core::Hash32 journal_digest(core::ByteSpan journal) {
  return crypto::sha256(journal);
}

std::size_t encoded_receipt_size(const Receipt& r) {
  std::size_t n = 1 + 1 + 32 + 4 + r.journal.size() + 4 + r.seal.size() + 2;
  for (const auto& a : r.assumptions) n += 4 + encoded_receipt_size(a);
  return n;
}

core::Bytes encode_receipt(const Receipt& r) {
  core::ByteWriter w;
  encode_into(r, w);
  return w.take();
}

core::Result<Receipt> decode_receipt(core::ByteSpan bytes) {
  if (bytes.size() > kMaxReceiptBytes) {
    return Error{ErrorCode::kOutOfRange, "receipt of " + std::to_string(bytes.size()) + " bytes"};
  }
  return decode_at(bytes, 0);
}

}  // namespace basalt::zk
