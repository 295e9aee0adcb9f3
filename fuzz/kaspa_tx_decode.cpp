// Fuzzes basalt's transaction wire decoder: no input may crash it; every accepted transaction
// re-encodes to exactly the input bytes and hashes without trouble.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "crypto/domain.hpp"
#include "kaspa/mass.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  core::ByteSpan in(data, size);
  auto tx = kaspa::deserialize_transaction(in);
  if (!tx.ok()) return 0;
  core::Bytes again = kaspa::serialize_transaction(*tx);
  BASALT_ASSERT(again.size() == size && std::equal(again.begin(), again.end(), data));
  BASALT_ASSERT(kaspa::tx_hash(*tx).hash() ==
                crypto::domain_hash(crypto::Domain::kTransactionHash, in));
  (void)kaspa::tx_id(*tx);
  (void)kaspa::check_transaction_in_isolation(*tx);
  (void)kaspa::non_contextual_mass(*tx);
  // The signature-script parse of a P2PK spend, on whatever the first input carries.
  if (!tx->inputs.empty()) {
    crypto::SchnorrPublicKey key;
    key.x[31] = 1;
    kaspa::UtxoEntry spent{1000, kaspa::p2pk_script(key), false, std::nullopt};
    (void)kaspa::verify_p2pk_input(*tx, 0, spent);
  }
  return 0;
}
