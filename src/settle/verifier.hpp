// The ZK verifier behind OpZkPrecompile for basalt's tag: decodes a re-execution receipt and
// verifies it with a proof system (re-running the guests), for the simulator's script engine.
#pragma once

#include "kaspa/script.hpp"
#include "zk/proof_system.hpp"

namespace basalt::settle {

class ReceiptVerifier final : public kaspa::ZkVerifier {
 public:
  explicit ReceiptVerifier(const zk::ProofSystem& system) : system_(system) {}
  std::string verify(std::uint8_t tag, const kaspa::Hash32& image_id,
                     const kaspa::Hash32& journal_digest, core::ByteSpan proof) const override;

 private:
  const zk::ProofSystem& system_;
};

}  // namespace basalt::settle
