// The re-execution backend: a re-execution receipt (not succinct, not zero-knowledge). Its seal is
// the guest's input, and its assumptions are the receipts of the run's verify() calls; verifying
// re-runs the guest in the VM, compares the journal and verifies every assumption the same way. It
// can verify only guests registered with it.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "zk/proof_system.hpp"

namespace basalt::zk {

class ReexecProofSystem final : public ProofSystem {
 public:
  // Names a guest's exit codes in error messages.
  using ExitNamer = const char* (*)(std::uint32_t code);
  // The limits bound what a verification may spend on this guest.
  void register_guest(std::shared_ptr<const vm::Program> program, const vm::RunLimits& limits,
                      ExitNamer exit_names = nullptr);

  ProofSystemId id() const override { return ProofSystemId::kReexecution; }
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
