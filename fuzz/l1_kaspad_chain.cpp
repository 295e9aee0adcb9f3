// Fuzzes the kaspad source's check of a chain answer against lane proofs: input = u16le length ||
// a GetVirtualChainFromBlockV2 answer of that length || a GetSeqCommitLaneProof answer. No bytes
// from a peer may crash it, and a block it passes must give the SeqCommit it claims.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "kaspa/seq_commit.hpp"
#include "l1/kaspad/source.hpp"
#include "l1/protowire/chain_v2.hpp"
#include "l1/protowire/convert.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size < 2) return 0;
  const std::size_t n = data[0] | static_cast<std::size_t>(data[1]) << 8;
  if (size - 2 < n) return 0;
  ::protowire::GetSeqCommitLaneProofResponseMessage proof_msg;
  if (!proof_msg.ParseFromArray(data + 2 + n, static_cast<int>(size - 2 - n))) return 0;
  auto chain =
      l1::protowire::read_chain_v2(std::string_view(reinterpret_cast<const char*>(data) + 2, n),
                                   l1::protowire::kMaxSimSignatureScript);
  auto proof = l1::kaspad::read_lane_proof(proof_msg, kaspa::LaneKey(core::Hash32::filled(1)));
  if (!chain.ok() || !proof.ok()) return 0;
  for (const auto& b : chain->added) {
    auto root = l1::kaspad::check_block(b, proof->parent_seq_commit, {*proof});
    if (!root.ok()) continue;
    BASALT_ASSERT(kaspa::seq_commit(proof->parent_seq_commit,
                                    kaspa::seq_state_root(*root, proof->payload_and_ctx_digest)) ==
                  b.seq_commit);
  }
  return 0;
}
