// Kaspa transactions v0 and v1 (kip21 §7): fields, the hashing encoding, tx_id and tx_hash, and
// basalt's transaction wire format.
//
// Hashing encoding (kip21 §7.2), one writer with three switches (signature scripts, payload, mass):
//   le_u16 version || le_u64 #inputs || inputs || le_u64 #outputs || outputs
//   || le_u64 lock_time || subnetwork_id[20] || le_u64 gas || payload || mass
//   input   = txid[32] || le_u32 index || sig || le_u64 sequence || [v1 and mass: le_u16 budget]
//   sig     = with scripts: var_bytes(script) || [v0: u8 sig_op_count];  without: le_u64(0)
//   output  = le_u64 value || le_u16 spk_version || var_bytes(spk)
//             || [v1: u8 has_covenant || [le_u16 authorizing_input || covenant_id[32]]]
//   payload = with payload: var_bytes(payload); without: le_u64(0)
//   mass    = with mass: v0 le_u64(storage_mass) only if > 0; v1 always le_u64(storage_mass)
//
// Wire format: the full encoding (everything included) is basalt's transaction serialization, so
// tx_hash = TransactionHash(wire bytes). The decoder accepts exactly the bytes the encoder makes:
// known version, counts and lengths within limits.hpp, booleans 0/1, a v0 storage mass present only
// when non-zero, nothing left over.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "kaspa/limits.hpp"
#include "kaspa/types.hpp"

namespace basalt::kaspa {

struct Outpoint {
  TxId transaction_id;
  std::uint32_t index = 0;
  auto operator<=>(const Outpoint&) const = default;
};

// v0 inputs commit a sig-op count (u8), v1 inputs a compute budget (u16).
struct ComputeCommit {
  enum class Kind : std::uint8_t { kSigOpCount, kComputeBudget };
  Kind kind = Kind::kSigOpCount;
  std::uint16_t value = 0;
  bool operator==(const ComputeCommit&) const = default;
};

struct TxInput {
  Outpoint previous_outpoint;
  core::Bytes signature_script;
  std::uint64_t sequence = 0;
  ComputeCommit compute_commit;
  bool operator==(const TxInput&) const = default;
};

struct ScriptPublicKey {
  std::uint16_t version = 0;
  core::Bytes script;
  bool operator==(const ScriptPublicKey&) const = default;
};

struct CovenantBinding {
  std::uint16_t authorizing_input = 0;
  CovenantId covenant_id;
  bool operator==(const CovenantBinding&) const = default;
};

struct TxOutput {
  std::uint64_t value = 0;
  ScriptPublicKey script_public_key;
  std::optional<CovenantBinding> covenant;  // v1 only
  bool operator==(const TxOutput&) const = default;
};

// An unspent output as the spender sees it (what kaspad's UTXO set keeps beside the output).
struct UtxoEntry {
  std::uint64_t amount = 0;
  ScriptPublicKey script_public_key;
  bool is_coinbase = false;
  std::optional<CovenantId> covenant_id;  // KIP-20: set on an output bound to a covenant
};

struct Transaction {
  std::uint16_t version = 0;
  std::vector<TxInput> inputs;
  std::vector<TxOutput> outputs;
  std::uint64_t lock_time = 0;
  LaneId subnetwork_id;
  std::uint64_t gas = 0;
  core::Bytes payload;
  std::uint64_t storage_mass = 0;
  bool operator==(const Transaction&) const = default;
};

struct TxEncoding {
  enum class SigScripts : std::uint8_t { kInclude, kExclude };
  enum class Payload : std::uint8_t { kInclude, kExclude };
  enum class Mass : std::uint8_t { kInclude, kExclude };
  SigScripts sig_scripts = SigScripts::kInclude;
  Payload payload = Payload::kInclude;
  Mass mass = Mass::kInclude;
};

core::Bytes encode_transaction(const Transaction& tx, TxEncoding enc);

// tx_hash = TransactionHash(full encoding); feeds hash_merkle_root.
TxHash tx_hash(const Transaction& tx);
// v0: TransactionID(encoding without signature scripts and mass, payload included).
// v1: TransactionV1Id(payload_digest || rest_digest).
TxId tx_id(const Transaction& tx);
// out[i] = tx_id(*txs[i]), the hashing of many transactions side by side.
void tx_ids(std::span<const Transaction* const> txs, TxId* out);
// PayloadDigest(payload); the empty payload gives ZERO_PAYLOAD_DIGEST.
Hash32 payload_digest(core::ByteSpan payload);
// The v1 rest preimage: encoding without payload (length 0), signature scripts and mass.
core::Bytes v1_rest_preimage(const Transaction& tx);
Hash32 v1_rest_digest(const Transaction& tx);
// The v0 id preimage: encoding without signature scripts and mass.
core::Bytes v0_id_preimage(const Transaction& tx);

// Wire format (see the header comment).
core::Bytes serialize_transaction(const Transaction& tx);
// `max_signature_script` bounds each input's signature script: kMaxSignatureScriptLen for
// transactions from outside; a settlement carrying a re-execution receipt (not succinct) can be
// far larger, and the embedded L1's journal reads those with a larger bound.
core::Result<Transaction> deserialize_transaction(
    core::ByteSpan bytes, std::uint64_t max_signature_script = kMaxSignatureScriptLen);

// Context-free rules of kip21 §7.1 and §7.3: known version; the compute commit kind matching the
// version; covenants only in v1; a lane shape consensus accepts, user lanes only in v1; gas only on
// v1 user lanes and at most kMaxTxGas. Errors: kInvalid with the rule's name.
core::Status check_transaction_in_isolation(const Transaction& tx);

}  // namespace basalt::kaspa
