// Fuzzes the resource SMT multiproof decoder: 1-8 ascending keys derived from the first bytes, the
// rest as the proof. Nothing may crash; an accepted proof gives a value per key and post-update
// roots for any new values, and re-proving the same keys from a tree with those values (when the
// proof covers the whole tree) is out of reach here, so only totality is checked.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "core/assert.hpp"
#include "state/smt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace basalt;
  if (size < 1) return 0;
  const std::size_t k = 1 + data[0] % 8;
  if (size < 1 + 2 * k) return 0;
  // Key i: byte pair (hi, lo) spread over the first two key bytes, the rest zero; sorted, unique.
  std::vector<state::ResourceId> keys;
  for (std::size_t i = 0; i < k; ++i) {
    core::Hash32 h;
    h.bytes[0] = data[1 + 2 * i];
    h.bytes[1] = data[2 + 2 * i];
    keys.emplace_back(h);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  const core::ByteSpan proof(data + 1 + 2 * k, size - 1 - 2 * k);
  auto p = state::MultiProof::decode(keys, proof);
  if (!p.ok()) return 0;
  BASALT_ASSERT(p->values().size() == keys.size());
  std::vector<state::ValueHash> next(keys.size());
  const core::Hash32 cleared = p->root_after(next);
  for (auto& v : next) v = core::Hash32::filled(0x5a);
  const core::Hash32 filled = p->root_after(next);
  // Setting every queried key leaves a non-empty tree; an unchanged proof root is reproduced.
  BASALT_ASSERT(!filled.is_zero());
  BASALT_ASSERT(p->root_after(p->values()) == p->root());
  (void)cleared;
  return 0;
}
