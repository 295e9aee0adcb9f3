// ProofSystem: prove(guest, input, assumptions) -> receipt, verify(receipt, image_id). Backends
// differ in their seal; journals and image ids do not, so a STARK backend can replace the first one
// without changing anything a receipt claims.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "core/result.hpp"
#include "vm/machine.hpp"
#include "zk/receipt.hpp"

namespace basalt::zk {

class ProofSystem {
 public:
  virtual ~ProofSystem() = default;
  virtual ReceiptKind kind() const = 0;
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

// The re-execution backend: a re-execution receipt (not succinct, not zero-knowledge). Its seal is
// the input and the assumptions' receipts; verifying re-runs the guest in the VM, compares the
// journal and verifies every assumption the same way. It can verify only guests registered with it.
class ReexecProofSystem final : public ProofSystem {
 public:
  // Names a guest's exit codes in error messages.
  using ExitNamer = const char* (*)(std::uint32_t code);
  // The limits bound what a verification may spend on this guest.
  void register_guest(std::shared_ptr<const vm::Program> program, const vm::RunLimits& limits,
                      ExitNamer exit_names = nullptr);

  ReceiptKind kind() const override { return ReceiptKind::kReexecution; }
  core::Result<Receipt> prove(const vm::Program& guest, core::ByteSpan input,
                              std::vector<Receipt> assumptions,
                              const vm::RunLimits& limits) override;
  core::Status verify(const Receipt& receipt, const vm::ImageId& image_id) const override;

 private:
  struct Registered {
    std::shared_ptr<const vm::Program> program;
    vm::RunLimits limits;
    ExitNamer exit_names = nullptr;
  };
  std::string run_failure(const vm::RunResult& run, const vm::ImageId& image) const;
  core::Status verify_at(const Receipt& receipt, const vm::ImageId& image_id, int depth) const;
  std::map<vm::ImageId, Registered> guests_;
};

}  // namespace basalt::zk
