// Kaspa transaction limits used by basalt's decoders (kip21 §7.3, §7.4). A decoder rejects anything
// above them before allocating.
#pragma once

#include <cstdint>

namespace basalt::kaspa {

inline constexpr std::uint16_t kTxVersion = 0;
inline constexpr std::uint16_t kTxVersionToccata = 1;
// kip21 §7.4: max_tx_inputs / max_tx_outputs.
inline constexpr std::uint64_t kMaxTxInputs = 1000;
inline constexpr std::uint64_t kMaxTxOutputs = 1000;
// kip21 §7.4: max_signature_script_len, max_script_public_key_len.
inline constexpr std::uint64_t kMaxSignatureScriptLen = 250'000;
inline constexpr std::uint64_t kMaxScriptPublicKeyLen = 10'000;
// kip21 §7.4: transient mass (4 x size <= 1 000 000) caps a whole transaction, payload included, at
// about 250 000 serialized bytes; no separate payload cap exists.
inline constexpr std::uint64_t kMaxPayloadLen = 250'000;
// kip21 §7.3: the mempool rejects gas above 1e9.
inline constexpr std::uint64_t kMaxTxGas = 1'000'000'000;

}  // namespace basalt::kaspa
