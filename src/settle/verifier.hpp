// The ZK verifier behind OpZkPrecompile for basalt's tag: decodes a re-execution receipt and
// verifies it with a proof system (re-running the guests), for the simulator's script engine.
// The simulator checks a settlement when it is submitted and again when a block accepts it; the
// verifier remembers the digests of the last claims that verified (image id, journal digest and
// proof bytes: verification depends on nothing else), so the second check does not re-run the
// guests. A claim that failed is checked again every time.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <set>

#include "kaspa/script.hpp"
#include "zk/proof_system.hpp"

namespace basalt::settle {

class ReceiptVerifier final : public kaspa::ZkVerifier {
 public:
  explicit ReceiptVerifier(const zk::ProofSystem& system) : system_(system) {}
  std::string verify(std::uint8_t tag, const kaspa::Hash32& image_id,
                     const kaspa::Hash32& journal_digest, core::ByteSpan proof) const override;
  // Claims answered from the remembered ones.
  std::uint64_t remembered_hits() const;

 private:
  static constexpr std::size_t kRemembered = 256;
  const zk::ProofSystem& system_;
  mutable std::mutex mutex_;
  mutable std::set<core::Hash32> verified_;
  mutable std::deque<core::Hash32> order_;  // oldest first, for eviction
  mutable std::uint64_t hits_ = 0;
};

}  // namespace basalt::settle
