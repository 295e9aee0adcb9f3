// Fuzzes the hand-written reader of GetVirtualChainFromBlockV2 answers against protobuf's parser:
// no bytes may crash it, and bytes both take are read alike (protobuf's parse, serialized again,
// reads back the same blocks and transactions).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/assert.hpp"
#include "l1/protowire/chain_v2.hpp"
#include "l1/protowire/convert.hpp"
#include "l1/protowire/protowire.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt::l1::protowire;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto ours = read_chain_v2(bytes, kMaxSimSignatureScript);
  ::protowire::GetVirtualChainFromBlockV2ResponseMessage parsed;
  if (!ours.ok() || !parsed.ParseFromArray(data, static_cast<int>(size))) return 0;
  auto again = read_chain_v2(parsed.SerializeAsString(), kMaxSimSignatureScript);
  BASALT_ASSERT(again.ok());
  BASALT_ASSERT(again->removed == ours->removed);
  BASALT_ASSERT(again->added.size() == ours->added.size());
  for (std::size_t b = 0; b < ours->added.size(); ++b) {
    const ChainBlockRead& x = ours->added[b];
    const ChainBlockRead& y = again->added[b];
    BASALT_ASSERT(x.hash == y.hash && x.seq_commit == y.seq_commit && x.timestamp == y.timestamp &&
                  x.daa_score == y.daa_score && x.blue_score == y.blue_score);
    BASALT_ASSERT(x.accepted.size() == y.accepted.size());
    for (std::size_t k = 0; k < x.accepted.size(); ++k) {
      BASALT_ASSERT(x.accepted[k].tx == y.accepted[k].tx);
      BASALT_ASSERT(x.accepted[k].tx_id == y.accepted[k].tx_id);
    }
  }
  return 0;
}
