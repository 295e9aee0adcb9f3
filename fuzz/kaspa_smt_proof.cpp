// Fuzzes the lane SMT proof parser (kip21 §4.3): no input may crash it; every accepted proof
// re-encodes to exactly the input bytes; computing a root from it never crashes, for any claim.
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "kaspa/lane_smt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  core::ByteSpan in(data, size);
  auto proof = kaspa::SmtProof::from_bytes(in);
  if (!proof.ok()) return 0;
  core::Bytes again = proof->to_bytes();
  BASALT_ASSERT(again.size() == size && std::equal(again.begin(), again.end(), data));
  // Claims derived from the input itself, so the fuzzer can steer them.
  core::Hash32 key_bytes;
  for (std::size_t i = 0; i < 32 && i < size; ++i) key_bytes.bytes[i] = data[size - 1 - i];
  kaspa::LaneKey key(key_bytes);
  auto none = proof->compute_root(key, std::nullopt);
  auto some = proof->compute_root(key, core::Hash32::from_byte(1));
  if (proof->terminal == kaspa::SmtTerminal::kCollapsedOther) {
    auto other = proof->compute_root(proof->other_key, proof->other_leaf);
    (void)other;
  }
  (void)none;
  (void)some;
  return 0;
}
