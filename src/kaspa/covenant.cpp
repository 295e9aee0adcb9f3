#include "kaspa/covenant.hpp"

#include "core/byte_writer.hpp"
#include "crypto/domain.hpp"

namespace basalt::kaspa {

core::Bytes covenant_id_preimage(const Outpoint& genesis,
                                 std::span<const AuthorizedOutput> outputs) {
  core::ByteWriter w;
  w.hash(genesis.transaction_id.hash());
  w.u32_le(genesis.index);
  w.u64_le(outputs.size());
  for (const auto& o : outputs) {
    w.u32_le(o.index);
    w.u64_le(o.value);
    w.u16_le(o.script_public_key.version);
    w.var_bytes(o.script_public_key.script);
  }
  return w.take();
}

CovenantId covenant_id(const Outpoint& genesis, std::span<const AuthorizedOutput> outputs) {
  return CovenantId(
      crypto::domain_hash(crypto::Domain::kCovenantID, covenant_id_preimage(genesis, outputs)));
}

}  // namespace basalt::kaspa
