// Fuzzes the reading of every kaspad answer basalt's typed calls accept: no bytes from a peer may
// crash it.
#include <cstddef>
#include <cstdint>

#include "l1/kaspad/rpc_calls.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt::l1;
  ::protowire::KaspadResponse r;
  if (!r.ParseFromArray(data, static_cast<int>(size))) return 0;
  (void)kaspad::read_server_info(r.getserverinforesponse());
  (void)kaspad::read_dag_info(r.getblockdaginforesponse());
  (void)kaspad::read_fee_estimate(r.getfeeestimateresponse());
  (void)kaspad::read_utxos(r.getutxosbyaddressesresponse());
  (void)kaspad::read_block_header(r.getblockresponse());
  (void)kaspad::read_mempool_size(r.getinforesponse());
  (void)kaspad::read_chain(r.getvirtualchainfromblockv2response());
  (void)kaspad::read_lane_proof(r.getseqcommitlaneproofresponse(),
                                basalt::kaspa::LaneKey(basalt::core::Hash32::filled(1)));
  return 0;
}
