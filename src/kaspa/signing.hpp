// Spending P2PK outputs: Kaspa's standard Schnorr pay-to-public-key script and a signature hash.
//
//   script_public_key (version 0) = OP_DATA_32 <x-only public key> OP_CHECKSIG   (0x20 .. 0xac)
//   signature_script              = OP_DATA_65 <64-byte BIP-340 signature> 0x01 (SIGHASH_ALL)
//
// The signature hash is basalt's own, NOT Kaspa's SIGHASH_ALL (which hashes previous outpoints,
// sequences, sig-op counts and outputs separately). It commits to the same things for an
// all-inputs, all-outputs signature:
//   basalt_sighash = TransactionSigningHash( tx_id || le_u32 input_index || le_u64 spent amount
//                                            || le_u16 spent spk version || var_bytes(spent spk) )
// tx_id (v1) excludes signature scripts, so signing one input does not change another's hash. A
// kaspad client must implement Kaspa's real sighash instead.
#pragma once

#include <optional>

#include "crypto/schnorr.hpp"
#include "kaspa/transaction.hpp"

namespace basalt::kaspa {

struct UtxoEntry {
  std::uint64_t amount = 0;
  ScriptPublicKey script_public_key;
  bool is_coinbase = false;
  std::optional<CovenantId> covenant_id;  // KIP-20: set on an output bound to a covenant
};

ScriptPublicKey p2pk_script(const crypto::SchnorrPublicKey& key);
// The key of a P2PK script; nullopt for any other script.
std::optional<crypto::SchnorrPublicKey> p2pk_key(const ScriptPublicKey& spk);

Hash32 basalt_sighash(const Transaction& tx, std::uint32_t input_index, const UtxoEntry& spent);

// Signs input `input_index` (its signature script is replaced).
void sign_p2pk_input(Transaction& tx, std::uint32_t input_index, const UtxoEntry& spent,
                     const crypto::SecretKey& key, const Hash32& aux);

// Errors: kInvalid (the spent output is not P2PK, or the signature script is malformed),
// kVerifyFailed (the signature does not verify).
core::Status verify_p2pk_input(const Transaction& tx, std::uint32_t input_index,
                               const UtxoEntry& spent);

}  // namespace basalt::kaspa
