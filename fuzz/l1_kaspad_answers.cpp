// Fuzzes the reading of every kaspad answer basalt's typed calls accept, from the bytes of a
// KaspadResponse as the client takes them off the stream: no bytes from a peer may crash it.
#include <cstddef>
#include <cstdint>

#include "l1/kaspad/rpc_calls.hpp"
#include "l1/protowire/convert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  namespace kaspad = l1::kaspad;
  auto a =
      l1::protowire::Answer::from_frame(std::string(reinterpret_cast<const char*>(data), size));
  if (!a.ok()) return 0;
  if (a->is_chain_v2()) {
    (void)l1::protowire::read_chain_v2(a->chain_v2(), l1::protowire::kMaxSimSignatureScript);
    return 0;
  }
  const ::protowire::KaspadResponse& r = **a;
  (void)kaspad::read_server_info(r.getserverinforesponse());
  (void)kaspad::read_dag_info(r.getblockdaginforesponse());
  (void)kaspad::read_fee_estimate(r.getfeeestimateresponse());
  (void)kaspad::read_utxos(r.getutxosbyaddressesresponse());
  (void)kaspad::read_block_header(r.getblockresponse());
  (void)kaspad::read_mempool_size(r.getinforesponse());
  (void)kaspad::read_lane_proof(r.getseqcommitlaneproofresponse(),
                                basalt::kaspa::LaneKey(basalt::core::Hash32::filled(1)));
  return 0;
}
