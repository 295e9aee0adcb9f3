// Fuzzes the conversion of kaspad's answers into basalt's types: no bytes from a peer may crash
// it, and every transaction it accepts converts back and forth to itself.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "l1/protowire/convert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  const int n = static_cast<int>(size);
  ::protowire::RpcTransaction tx;
  if (tx.ParseFromArray(data, n)) {
    auto t = l1::protowire::from_rpc(tx);
    if (t.ok()) {
      auto again = l1::protowire::from_rpc(l1::protowire::to_rpc(*t));
      BASALT_ASSERT(again.ok() && *again == *t);
    }
  }
  ::protowire::KaspadResponse r;
  if (!r.ParseFromArray(data, n)) return 0;
  if (r.has_submittransactionreplacementresponse())
    (void)l1::protowire::from_rpc(r.submittransactionreplacementresponse().replacedtransaction());
  if (r.has_getutxosbyaddressesresponse()) {
    for (const auto& e : r.getutxosbyaddressesresponse().entries()) {
      (void)l1::protowire::from_rpc(e.outpoint());
      (void)l1::protowire::from_rpc(e.utxoentry());
    }
  }
  return 0;
}
