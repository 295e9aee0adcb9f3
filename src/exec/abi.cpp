#include "exec/abi.hpp"

#include <algorithm>

#include "crypto/sha256.hpp"
#include "kaspa/script.hpp"
#include "kaspa/signing.hpp"

namespace basalt::exec {

namespace {

using core::Error;
using core::ErrorCode;

// Failure codes the guest SDK commits itself (guest/include/basalt/tx.h).
constexpr std::uint32_t kSdkWriteReadOnly = 2;
constexpr std::uint32_t kSdkOversized = 4;
constexpr std::uint32_t kSdkBadExit = 5;

}  // namespace

const char* exit_kind_name(ExitKind kind) {
  return kind == ExitKind::kP2sh ? "p2sh" : "schnorr_p2pk";
}

core::Result<ExitKind> exit_kind_from_name(std::string_view name) {
  for (const ExitKind kind : {ExitKind::kSchnorrP2pk, ExitKind::kP2sh}) {
    if (name == exit_kind_name(kind)) return kind;
  }
  return Error{ErrorCode::kUnknownTag, "exit kind \"" + std::string(name) + "\""};
}

core::Result<Exit> read_exit(core::ByteReader& r) {
  Exit e;
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t kind, r.read_u8("exit kind"));
  if (kind > static_cast<std::uint8_t>(ExitKind::kP2sh))
    return Error{ErrorCode::kUnknownTag, "exit kind " + std::to_string(kind)};
  e.kind = static_cast<ExitKind>(kind);
  BASALT_ASSIGN_OR_RETURN(e.key, r.read_hash32("exit key"));
  BASALT_ASSIGN_OR_RETURN(e.amount, r.read_u64_le("exit amount"));
  if (e.amount == 0 || e.amount > kMaxExitAmount)
    return Error{ErrorCode::kOutOfRange, "exit amount " + std::to_string(e.amount)};
  return e;
}

void write_exit(core::ByteWriter& w, const Exit& e) {
  w.u8(static_cast<std::uint8_t>(e.kind));
  w.hash(e.key);
  w.u64_le(e.amount);
}

kaspa::ScriptPublicKey exit_script_public_key(const Exit& e) {
  if (e.kind == ExitKind::kSchnorrP2pk)
    return kaspa::p2pk_script(crypto::SchnorrPublicKey{e.key.bytes});
  kaspa::ScriptPublicKey spk;
  spk.script.push_back(kaspa::op::kBlake2b);
  kaspa::push_data(spk.script, e.key.bytes);
  spk.script.push_back(kaspa::op::kEqual);
  return spk;
}

core::Result<Payload> decode_payload(core::ByteSpan payload) {
  if (payload.size() > kMaxPayloadBytes) {
    return Error{ErrorCode::kOutOfRange, "payload of " + std::to_string(payload.size()) +
                                             " bytes (max " + std::to_string(kMaxPayloadBytes) +
                                             ")"};
  }
  core::ByteReader r(payload);
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t version, r.read_u8("payload version"));
  if (version != kPayloadVersion) {
    return Error{ErrorCode::kUnknownTag, "payload version " + std::to_string(version)};
  }
  BASALT_ASSIGN_OR_RETURN(const std::uint16_t n, r.read_u16_le("access count"));
  if (n > kMaxAccesses) {
    return Error{ErrorCode::kOutOfRange, "access list of " + std::to_string(n) + " entries (max " +
                                             std::to_string(kMaxAccesses) + ")"};
  }
  Payload p;
  p.accesses.reserve(n);
  for (std::uint16_t i = 0; i < n; ++i) {
    BASALT_ASSIGN_OR_RETURN(const core::Hash32 id, r.read_hash32("access list: resource id"));
    BASALT_ASSIGN_OR_RETURN(const std::uint8_t flags, r.read_u8("access list: access flags"));
    if (flags == 2) return Error{ErrorCode::kInvalid, "access list: a write that is not a read"};
    if (flags != static_cast<std::uint8_t>(Access::kRead) &&
        flags != static_cast<std::uint8_t>(Access::kWrite)) {
      return Error{ErrorCode::kUnknownTag, "access list: access flags " + std::to_string(flags)};
    }
    const ResourceId rid(id);
    if (!p.accesses.empty() && !(p.accesses.back().id < rid)) {
      return Error{ErrorCode::kInvalid, p.accesses.back().id == rid
                                            ? "access list: duplicate resource id"
                                            : "access list: resource ids not ascending"};
    }
    p.accesses.push_back({rid, static_cast<Access>(flags)});
  }
  p.app_data = payload.subspan(r.position());
  return p;
}

core::Bytes encode_payload(std::span<const AccessEntry> accesses, core::ByteSpan app_data) {
  core::ByteWriter w(3 + accesses.size() * 33 + app_data.size());
  w.u8(kPayloadVersion);
  w.u16_le(static_cast<std::uint16_t>(accesses.size()));
  for (const auto& a : accesses) {
    w.hash(a.id.hash());
    w.u8(static_cast<std::uint8_t>(a.access));
  }
  w.bytes(app_data);
  return w.take();
}

namespace {

// The ABI version and the transaction's context: how both the guest input and the journal begin.
void write_context(core::ByteWriter& w, const TxContext& ctx) {
  w.u16_le(kAbiVersion);
  w.hash(ctx.tx_id.hash());
  w.u32_le(ctx.merge_idx);
  w.hash(ctx.context_hash);
}

}  // namespace

core::Bytes encode_guest_input(const TxContext& ctx, const kaspa::Transaction& tx,
                               std::span<const core::ByteSpan> resource_data) {
  const core::Bytes rest = kaspa::v1_rest_preimage(tx);
  std::size_t size = 2 + 32 + 4 + 32 + 4 + tx.payload.size() + 4 + rest.size();
  for (const auto& d : resource_data) size += 4 + d.size();
  core::ByteWriter w(size);
  write_context(w, ctx);
  w.u32_le(static_cast<std::uint32_t>(tx.payload.size()));
  w.bytes(tx.payload);
  w.u32_le(static_cast<std::uint32_t>(rest.size()));
  w.bytes(rest);
  for (const auto& d : resource_data) {
    w.u32_le(static_cast<std::uint32_t>(d.size()));
    w.bytes(d);
  }
  return w.take();
}

core::Bytes expected_input_commitment(const TxContext& ctx, std::span<const AccessEntry> accesses,
                                      std::span<const core::ByteSpan> resource_data) {
  core::ByteWriter w(2 + 32 + 4 + 32 + 2 + accesses.size() * 65);
  write_context(w, ctx);
  w.u16_le(static_cast<std::uint16_t>(accesses.size()));
  for (std::size_t i = 0; i < accesses.size(); ++i) {
    w.hash(accesses[i].id.hash());
    w.u8(static_cast<std::uint8_t>(accesses[i].access));
    w.hash(state::value_hash(resource_data[i]));
  }
  return w.take();
}

std::optional<JournalParts> split_journal(core::ByteSpan j) {
  // u16 version | tx_id 32 | u32 merge_idx | context 32 | u16 n | n x (id 32 | flags 1 | hash 32)
  constexpr std::size_t kHeader = 72, kEntry = 65;
  if (j.size() < kHeader) return std::nullopt;
  const std::size_t n = j[70] | std::size_t{j[71]} << 8;
  if (j.size() < kHeader + kEntry * n) return std::nullopt;
  JournalParts p;
  for (std::size_t i = 0; i < n; ++i) {
    core::Hash32 id;
    std::copy_n(j.begin() + kHeader + kEntry * i, 32, id.bytes.begin());
    p.ids.push_back(ResourceId(id));
  }
  p.outcome = j.subspan(kHeader + kEntry * n);
  return p;
}

core::Result<JournalOutcome> decode_journal_outcome(core::ByteSpan outcome, std::size_t resources) {
  core::ByteReader r(outcome);
  JournalOutcome o;
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t status, r.read_u8("journal status"));
  if (status == 1) {
    BASALT_ASSIGN_OR_RETURN(o.code, r.read_u32_le("journal failure code"));
    BASALT_TRY(r.expect_end("journal"));
    return o;
  }
  if (status != 0) return Error{ErrorCode::kUnknownTag, "journal status " + std::to_string(status)};
  o.ok = true;
  BASALT_ASSIGN_OR_RETURN(const std::uint8_t exits, r.read_u8("journal exit count"));
  if (exits > kMaxExitsPerTx) {
    return Error{ErrorCode::kOutOfRange,
                 std::to_string(exits) + " exits (max " + std::to_string(kMaxExitsPerTx) + ")"};
  }
  for (std::uint8_t i = 0; i < exits; ++i) {
    BASALT_ASSIGN_OR_RETURN(Exit e, read_exit(r));
    o.exits.push_back(e);
  }
  o.outputs.resize(resources);
  for (std::size_t i = 0; i < resources; ++i) {
    BASALT_ASSIGN_OR_RETURN(const std::uint8_t changed, r.read_u8("journal output flag"));
    if (changed > 1) {
      return Error{ErrorCode::kUnknownTag, "journal output flag " + std::to_string(changed)};
    }
    if (changed == 1) {
      BASALT_ASSIGN_OR_RETURN(o.outputs[i], r.read_hash32("journal output hash"));
    }
  }
  BASALT_TRY(r.expect_end("journal"));
  return o;
}

const char* reason_name(FailReason r) {
  switch (r) {
    case FailReason::kMalformedPayload:
      return "malformed_payload";
    case FailReason::kUnsupportedVersion:
      return "unsupported_version";
    case FailReason::kGuestFault:
      return "guest_fault";
    case FailReason::kGuestExit:
      return "guest_exit";
    case FailReason::kMalformedJournal:
      return "malformed_journal";
    case FailReason::kInputMismatch:
      return "input_mismatch";
    case FailReason::kWriteToReadOnly:
      return "write_to_read_only";
    case FailReason::kMalformedOutput:
      return "malformed_output";
    case FailReason::kOversizedData:
      return "oversized_data";
    case FailReason::kApp:
      return "app";
    case FailReason::kBadExit:
      return "bad_exit";
  }
  return "unknown";
}

TxOutcome failed(FailReason reason, std::string detail, std::uint32_t app_code) {
  TxOutcome o;
  o.ok = false;
  o.reason = reason;
  o.app_code = app_code;
  o.detail = std::move(detail);
  return o;
}

TxOutcome judge_run(const vm::RunResult& run, core::ByteSpan expected_commitment,
                    std::span<const AccessEntry> accesses) {
  if (run.status == vm::RunResult::Status::kFaulted) {
    return failed(FailReason::kGuestFault, vm::fault_name(run.fault.kind));
  }
  if (run.exit_code != 0) {
    return failed(FailReason::kGuestExit, "exit code " + std::to_string(run.exit_code));
  }
  const core::ByteSpan journal = run.journal;
  if (journal.size() < expected_commitment.size() ||
      !std::equal(expected_commitment.begin(), expected_commitment.end(), journal.begin())) {
    return failed(FailReason::kInputMismatch, "the journal does not commit the given input");
  }
  auto outcome =
      decode_journal_outcome(journal.subspan(expected_commitment.size()), accesses.size());
  if (!outcome.ok()) return failed(FailReason::kMalformedJournal, outcome.error().to_string());
  if (!outcome->ok) {
    const std::uint32_t code = outcome->code;
    if (code == kSdkWriteReadOnly) {
      return failed(FailReason::kWriteToReadOnly, "the guest wrote a resource declared read-only");
    }
    if (code == kSdkOversized) return failed(FailReason::kOversizedData, "resource data too large");
    if (code == kSdkBadExit) {
      return failed(FailReason::kBadExit,
                    "an exit of an unknown kind, a zero or too large amount, or too many exits");
    }
    return failed(FailReason::kApp, "app failure " + std::to_string(code), code);
  }

  // The new data travels on stdout, one (u32 length, data) per changed resource, in order.
  TxOutcome ok;
  ok.ok = true;
  ok.exits = std::move(outcome->exits);
  ok.writes.resize(accesses.size());
  core::ByteReader out(run.stdout_bytes);
  for (std::size_t i = 0; i < accesses.size(); ++i) {
    const auto& hash = outcome->outputs[i];
    if (!hash) continue;
    if (accesses[i].access != Access::kWrite) {
      return failed(
          FailReason::kWriteToReadOnly,
          "the journal changes resource " + accesses[i].id.hex() + ", declared read-only");
    }
    auto len = out.read_u32_le("output length");
    if (!len.ok()) return failed(FailReason::kMalformedOutput, len.error().to_string());
    auto data = out.read_bytes(*len, "output data");
    if (!data.ok()) return failed(FailReason::kMalformedOutput, data.error().to_string());
    if (data->size() > kMaxResourceBytes) {
      return failed(FailReason::kOversizedData, std::to_string(data->size()) +
                                                    " bytes for one resource (max " +
                                                    std::to_string(kMaxResourceBytes) + ")");
    }
    if (state::value_hash(*data) != *hash) {
      return failed(FailReason::kMalformedOutput, "output data does not match the journal's hash");
    }
    ok.writes[i] = core::Bytes(data->begin(), data->end());
  }
  if (out.remaining() != 0) {
    return failed(FailReason::kMalformedOutput, "output bytes beyond the journal's changes");
  }
  return ok;
}

}  // namespace basalt::exec
