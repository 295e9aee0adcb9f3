#include "kaspa/signing.hpp"

#include <algorithm>

namespace basalt::kaspa {

namespace {
constexpr std::uint8_t kOpData32 = 0x20, kOpData65 = 0x41, kOpCheckSig = 0xac;
}  // namespace

ScriptPublicKey p2pk_script(const crypto::SchnorrPublicKey& key) {
  ScriptPublicKey spk;
  spk.script.assign(34, 0);
  spk.script[0] = kOpData32;
  std::copy(key.x.begin(), key.x.end(), spk.script.begin() + 1);
  spk.script[33] = kOpCheckSig;
  return spk;
}

std::optional<crypto::SchnorrPublicKey> p2pk_key(const ScriptPublicKey& spk) {
  if (spk.version != 0 || spk.script.size() != 34 || spk.script[0] != kOpData32 ||
      spk.script[33] != kOpCheckSig) {
    return std::nullopt;
  }
  crypto::SchnorrPublicKey key;
  std::copy(spk.script.begin() + 1, spk.script.begin() + 33, key.x.begin());
  return key;
}

void sign_p2pk_input(Transaction& tx, std::uint32_t input_index, const UtxoEntry& spent,
                     const crypto::SecretKey& key, const Hash32& aux, SigHashType type) {
  crypto::SchnorrSignature sig = key.sign(schnorr_sighash(tx, input_index, spent, type), aux);
  core::Bytes script(66, 0);
  script[0] = kOpData65;
  std::copy(sig.bytes.begin(), sig.bytes.end(), script.begin() + 1);
  script[65] = type.byte();
  tx.inputs.at(input_index).signature_script = std::move(script);
}

core::Status verify_p2pk_input(const Transaction& tx, std::uint32_t input_index,
                               const UtxoEntry& spent) {
  SighashCache cache(tx);
  return verify_p2pk_input(tx, input_index, spent, cache);
}

core::Status verify_p2pk_input(const Transaction& tx, std::uint32_t input_index,
                               const UtxoEntry& spent, SighashCache& cache) {
  auto key = p2pk_key(spent.script_public_key);
  if (!key) return core::Error{core::ErrorCode::kInvalid, "spent output is not pay-to-public-key"};
  if (input_index >= tx.inputs.size())
    return core::Error{core::ErrorCode::kInvalid, "no such input"};
  const core::Bytes& s = tx.inputs[input_index].signature_script;
  if (s.size() != 66 || s[0] != kOpData65) {
    return core::Error{core::ErrorCode::kInvalid, "malformed signature script"};
  }
  auto type = SigHashType::from_byte(s[65]);
  if (!type.ok()) return type.error();
  crypto::SchnorrSignature sig;
  std::copy(s.begin() + 1, s.begin() + 65, sig.bytes.begin());
  return crypto::schnorr_verify(*key, cache.schnorr(input_index, spent, *type), sig);
}

}  // namespace basalt::kaspa
