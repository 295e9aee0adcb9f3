// KIP-20 covenant ids (kip21 §8.4):
//   covenant_id = CovenantID( outpoint.txid[32] || le_u32 outpoint.index || le_u64 #outputs ||
//                 for each: le_u32 output_index || le_u64 value || le_u16 spk_version ||
//                 var_bytes(spk) )
// The covenant binding of the outputs is not part of the preimage.
#pragma once

#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"

namespace basalt::kaspa {

struct AuthorizedOutput {
  std::uint32_t index = 0;  // position of the output in its transaction
  std::uint64_t value = 0;
  ScriptPublicKey script_public_key;
};

core::Bytes covenant_id_preimage(const Outpoint& genesis,
                                 std::span<const AuthorizedOutput> outputs);
CovenantId covenant_id(const Outpoint& genesis, std::span<const AuthorizedOutput> outputs);

}  // namespace basalt::kaspa
