// GetVirtualChainFromBlockV2ResponseMessage at FULL verbosity, read and written on the wire format
// itself (wire.hpp says why), field for field as protowire.proto declares it: what the writer
// gives is what protobuf serializes for the same message, byte for byte, and the reader takes
// whatever protobuf would parse, apart from a singular field given twice or one of another wire
// type than its own, which it refuses (protobuf would merge, overwrite or keep it aside; kaspad
// never sends one). It does not check the UTF-8 of string fields it skips.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "l1/chain.hpp"

namespace basalt::l1::protowire {

// The field that carries this answer in a KaspadResponse.
inline constexpr std::uint32_t kChainV2ResponseField = 1115;

// One added chain block: its header's fields and the transactions it accepted (all lanes, in
// consensus order; merge_idx is the position, the selected parent's coinbase first).
struct ChainBlockRead {
  kaspa::BlockHash hash;
  std::uint64_t timestamp = 0;
  std::uint64_t daa_score = 0;
  std::uint64_t blue_score = 0;
  kaspa::SeqCommit seq_commit;  // acceptedIdMerkleRoot
  std::vector<AcceptedTx> accepted;
};
struct ChainRead {
  std::vector<kaspa::BlockHash> removed;  // highest first
  std::vector<ChainBlockRead> added;      // lowest first
};

// Every added block must come with its header (its hash the added one's) and the fields FULL
// verbosity fills; every hash, number, script and count is checked as protowire/convert.hpp
// checks them, signature scripts against `max_signature_script`; a transaction's reported id
// must be its own (ids are computed here, side by side). Errors: kInvalid, "kaspad: …" for its
// RPCError, "kaspad's answer: …" naming what is malformed.
core::Result<ChainRead> read_chain_v2(std::string_view message, std::uint64_t max_signature_script);

// The added blocks' hashes, read ahead of the rest (their lane proofs can be asked for while the
// rest is read): as many as are well-formed, in order.
std::vector<kaspa::BlockHash> peek_added(std::string_view message);

struct ChainBlockOut {
  BlockHeader header;  // parents go out as one level-0 run
  std::span<const AcceptedTx> accepted;
};
// The answer kaspad gives for these removed and added blocks at FULL verbosity.
std::string write_chain_v2(std::span<const kaspa::BlockHash> removed,
                           std::span<const ChainBlockOut> added,
                           const kaspa::BlockHash& pruning_point);

}  // namespace basalt::l1::protowire
