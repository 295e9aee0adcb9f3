// ProofSystem: prove(guest, input, assumptions) -> receipt, verify(receipt, image_id). Backends
// live in folders of their own (zk/reexec/; a STARK one to come) and differ only in their id and
// their seal; journals and image ids do not, so a backend can replace another without changing
// anything a receipt claims or any user of receipts.
#pragma once

#include <vector>

#include "core/result.hpp"
#include "vm/machine.hpp"
#include "zk/receipt.hpp"

namespace basalt::zk {

class ProofSystem {
 public:
  virtual ~ProofSystem() = default;
  virtual ProofSystemId id() const = 0;
  // Runs the guest and returns a receipt for its journal; `assumptions` discharge the run's
  // verify() calls, in order. Errors: kInvalid when the guest does not exit with 0, or when the
  // assumptions do not match the calls (count, image id, journal digest).
  virtual core::Result<Receipt> prove(const vm::Program& guest, core::ByteSpan input,
                                      std::vector<Receipt> assumptions,
                                      const vm::RunLimits& limits) = 0;
  // kVerifyFailed unless the receipt proves a run of `image_id` with its journal, every
  // assumption included.
  virtual core::Status verify(const Receipt& receipt, const vm::ImageId& image_id) const = 0;
};

}  // namespace basalt::zk
