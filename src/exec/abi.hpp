// The transaction-processor ABI, host side (docs/abi.md byte by byte): the lane payload with its
// access list, the guest input, the tx journal and the output stream, and the rules that turn a
// guest run into a transaction result. The guest side is guest/sdk/tx.c.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"
#include "core/bytes.hpp"
#include "core/result.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"
#include "state/smt.hpp"
#include "vm/machine.hpp"

namespace basalt::exec {

using state::ResourceId;

// Version 2 added exits to the success outcome; version 1 was never settled anywhere and is gone.
inline constexpr std::uint16_t kAbiVersion = 2;
inline constexpr std::uint8_t kPayloadVersion = 1;
inline constexpr std::size_t kMaxAccesses = 256;
inline constexpr std::size_t kMaxResourceBytes = 16384;
// A lane payload above this is refused as oversized (L1 allows ~250 kB; no app needs that much).
inline constexpr std::size_t kMaxPayloadBytes = 65536;

// An exit: value leaving the app for an L1 address when its bundle settles (docs/abi.md §3.1).
enum class ExitKind : std::uint8_t {
  kSchnorrP2pk = 0,  // key: an x-only public key
  kP2sh = 1,         // key: the BLAKE2b-256 hash of a redeem script
};
inline constexpr std::size_t kMaxExitsPerTx = 16;
// Kaspa's total supply in sompi: no single exit, and no bundle's exits together, can be more.
inline constexpr std::uint64_t kMaxExitAmount = 29'000'000'000ull * 100'000'000ull;

struct Exit {
  static constexpr std::size_t kSize = 41;  // kind u8 | key H32 | amount u64
  ExitKind kind = ExitKind::kSchnorrP2pk;
  core::Hash32 key;
  std::uint64_t amount = 0;  // sompi, 1..kMaxExitAmount
  bool operator==(const Exit&) const = default;
};
// Errors: kUnknownTag for a kind, kOutOfRange for an amount outside 1..kMaxExitAmount, and the
// reader's kTruncated.
core::Result<Exit> read_exit(core::ByteReader& r);
void write_exit(core::ByteWriter& w, const Exit& e);
// The kind's name in the node's API and basalt's JSON: "schnorr_p2pk" or "p2sh".
const char* exit_kind_name(ExitKind kind);
// Errors: kUnknownTag for any other name.
core::Result<ExitKind> exit_kind_from_name(std::string_view name);
// The script public key the exit pays: P2PK (0x20 key OpCheckSig) or P2SH.
kaspa::ScriptPublicKey exit_script_public_key(const Exit& e);

// Writes are a subset of reads: the write flag carries the read flag.
enum class Access : std::uint8_t { kRead = 1, kWrite = 3 };

struct AccessEntry {
  ResourceId id;
  Access access = Access::kRead;
  bool operator==(const AccessEntry&) const = default;
};

struct Payload {
  std::vector<AccessEntry> accesses;  // strictly ascending ids
  core::ByteSpan app_data;            // views the decoded bytes
};

// Errors (kTruncated, kUnknownTag, kInvalid, kOutOfRange) name the rule broken: a truncated access
// list, ids not strictly ascending or repeated, a write that is not a read; kOutOfRange for an
// oversized payload (over kMaxPayloadBytes, or more than kMaxAccesses entries).
core::Result<Payload> decode_payload(core::ByteSpan payload);
core::Bytes encode_payload(std::span<const AccessEntry> accesses, core::ByteSpan app_data);

// What the guest is told about its place in the chain.
struct TxContext {
  kaspa::TxId tx_id;
  std::uint32_t merge_idx = 0;
  core::Hash32 context_hash;  // mergeset_context_hash of the accepting chain block
};

// The guest input: the context, the transaction (payload and v1 rest preimage) and each declared
// resource's current data, in access-list order.
core::Bytes encode_guest_input(const TxContext& ctx, const kaspa::Transaction& tx,
                               std::span<const core::ByteSpan> resource_data);

// The journal's input commitment, as the host expects it for this input.
core::Bytes expected_input_commitment(const TxContext& ctx, std::span<const AccessEntry> accesses,
                                      std::span<const core::ByteSpan> resource_data);

// A journal split at the end of its input commitment: the resources it names and its outcome.
struct JournalParts {
  std::vector<ResourceId> ids;
  core::ByteSpan outcome;
};
// nullopt when the bytes are too short for the input commitment they announce.
std::optional<JournalParts> split_journal(core::ByteSpan journal);

// A decoded journal's outcome part (after the input commitment).
struct JournalOutcome {
  bool ok = false;
  std::uint32_t code = 0;   // failed: the guest's failure code
  std::vector<Exit> exits;  // ok
  std::vector<std::optional<core::Hash32>>
      outputs;  // ok: per resource, the new data's hash if changed
};
// Errors: malformed bytes (more than kMaxExitsPerTx exits or a bad exit; the outcome must cover
// exactly `resources` entries, nothing after).
core::Result<JournalOutcome> decode_journal_outcome(core::ByteSpan outcome, std::size_t resources);

// Why a transaction failed. Stable names (reason_name) appear in logs, counts and the API.
enum class FailReason : std::uint8_t {
  kMalformedPayload = 1,
  kUnsupportedVersion = 2,  // not a v1 transaction
  kGuestFault = 3,          // the VM stopped the guest (out of cycles, bad access, ...)
  kGuestExit = 4,           // the guest exited non-zero (it rejected its input)
  kMalformedJournal = 5,
  kInputMismatch = 6,  // the journal does not commit the input the guest was given
  kWriteToReadOnly = 7,
  kMalformedOutput = 8,  // output stream does not match the journal
  kOversizedData = 9,
  kApp = 10,      // the app refused it; see app_code
  kBadExit = 11,  // the app asked for an exit the ABI does not allow (the SDK's check)
};
const char* reason_name(FailReason r);

struct TxOutcome {
  bool ok = false;
  FailReason reason = FailReason::kApp;  // when !ok
  std::uint32_t app_code = 0;            // kApp
  std::string detail;                    // for people: the decoder's message, the fault, ...
  // ok: per declared resource, the new data if it changed.
  std::vector<std::optional<core::Bytes>> writes;
  std::vector<Exit> exits;  // ok
};
TxOutcome failed(FailReason reason, std::string detail, std::uint32_t app_code = 0);

// Judges a finished guest run against what it was given: exit status, the journal's input
// commitment, write permissions, the output stream against the journal's hashes, sizes. A
// deterministic function of its arguments.
TxOutcome judge_run(const vm::RunResult& run, core::ByteSpan expected_commitment,
                    std::span<const AccessEntry> accesses);

}  // namespace basalt::exec
