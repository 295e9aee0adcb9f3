// Spending P2PK outputs: Kaspa's standard Schnorr pay-to-public-key script, signed with Kaspa's
// signature hash (sighash.hpp) exactly as kaspad's OpCheckSig verifies it.
//
//   script_public_key (version 0) = OP_DATA_32 <x-only public key> OP_CHECKSIG   (0x20 .. 0xac)
//   signature_script              = OP_DATA_65 <64-byte BIP-340 signature> <sighash type>
#pragma once

#include <optional>

#include "crypto/schnorr.hpp"
#include "kaspa/sighash.hpp"
#include "kaspa/transaction.hpp"

namespace basalt::kaspa {

ScriptPublicKey p2pk_script(const crypto::SchnorrPublicKey& key);
// The key of a P2PK script; nullopt for any other script.
std::optional<crypto::SchnorrPublicKey> p2pk_key(const ScriptPublicKey& spk);

// Signs input `input_index` (its signature script is replaced).
void sign_p2pk_input(Transaction& tx, std::uint32_t input_index, const UtxoEntry& spent,
                     const crypto::SecretKey& key, const Hash32& aux,
                     SigHashType type = SigHashType::all());

// Any sighash type kaspad allows is accepted. Errors: kInvalid (the spent output is not P2PK, the
// signature script is malformed, or its sighash type is not one kaspad allows), kVerifyFailed (the
// signature does not verify).
core::Status verify_p2pk_input(const Transaction& tx, std::uint32_t input_index,
                               const UtxoEntry& spent);
// The same with the transaction's cache (made for `tx`), for verifying many of its inputs.
core::Status verify_p2pk_input(const Transaction& tx, std::uint32_t input_index,
                               const UtxoEntry& spent, SighashCache& cache);

}  // namespace basalt::kaspa
