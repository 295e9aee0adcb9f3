#include "zk/reexec/reexec.hpp"

namespace basalt::zk {

namespace {

using core::Error;
using core::ErrorCode;

// The run's verify() calls against the receipts offered for them.
core::Status match_assumptions(const std::vector<vm::Assumption>& calls,
                               const std::vector<Receipt>& receipts, ErrorCode code) {
  if (calls.size() != receipts.size()) {
    return Error{code, "the run made " + std::to_string(calls.size()) + " verify() calls, " +
                           std::to_string(receipts.size()) + " receipts given"};
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (receipts[i].image_id != calls[i].image_id) {
      return Error{code, "assumption " + std::to_string(i) + ": receipt for another image id"};
    }
    if (journal_digest(receipts[i].journal) != calls[i].journal_digest) {
      return Error{code, "assumption " + std::to_string(i) + ": journal digest differs"};
    }
  }
  return core::Status::Ok();
}

}  // namespace

std::string ReexecProofSystem::run_failure(const vm::RunResult& run,
                                           const vm::ImageId& image) const {
  if (run.status == vm::RunResult::Status::kFaulted) {
    return std::string("guest faulted: ") + vm::fault_name(run.fault.kind);
  }
  std::string s = "guest exited with code " + std::to_string(run.exit_code);
  auto g = guests_.find(image);
  if (g != guests_.end() && g->second.exit_names != nullptr)
    s += std::string(" (") + g->second.exit_names(run.exit_code) + ")";
  return s;
}

void ReexecProofSystem::register_guest(std::shared_ptr<const vm::Program> program,
                                       const vm::RunLimits& limits, ExitNamer exit_names) {
  const vm::ImageId id = program->image_id();
  guests_[id] = {std::move(program), limits, exit_names};
}

core::Result<Receipt> ReexecProofSystem::prove(const vm::Program& guest, core::ByteSpan input,
                                               std::vector<Receipt> assumptions,
                                               const vm::RunLimits& limits) {
  const vm::RunResult run = vm::run(guest, input, limits);
  if (run.status != vm::RunResult::Status::kExited || run.exit_code != 0) {
    return Error{ErrorCode::kInvalid, "cannot prove: " + run_failure(run, guest.image_id())};
  }
  BASALT_TRY(match_assumptions(run.assumptions, assumptions, ErrorCode::kInvalid));
  Receipt r;
  r.system = ProofSystemId::kReexecution;
  r.image_id = guest.image_id();
  r.journal = run.journal;
  r.seal.assign(input.begin(), input.end());
  r.assumptions = std::move(assumptions);
  return r;
}

core::Status ReexecProofSystem::verify(const Receipt& receipt, const vm::ImageId& image_id) const {
  return verify_at(receipt, image_id, 0);
}

core::Status ReexecProofSystem::verify_at(const Receipt& receipt, const vm::ImageId& image_id,
                                          int depth) const {
  if (depth > kMaxReceiptDepth) return Error{ErrorCode::kVerifyFailed, "receipt nested too deep"};
  if (receipt.system != ProofSystemId::kReexecution) {
    return Error{ErrorCode::kVerifyFailed, "not a re-execution receipt"};
  }
  if (receipt.image_id != image_id) {
    return Error{ErrorCode::kVerifyFailed,
                 "receipt for image " + receipt.image_id.hex() + ", expected " + image_id.hex()};
  }
  auto g = guests_.find(image_id);
  if (g == guests_.end()) {
    return Error{ErrorCode::kVerifyFailed, "no guest with image " + image_id.hex() + " to re-run"};
  }
  const vm::RunResult run = vm::run(*g->second.program, receipt.seal, g->second.limits);
  if (run.status != vm::RunResult::Status::kExited || run.exit_code != 0) {
    return Error{ErrorCode::kVerifyFailed, "re-execution: " + run_failure(run, image_id)};
  }
  if (run.journal != receipt.journal) {
    return Error{ErrorCode::kVerifyFailed, "re-execution committed another journal"};
  }
  BASALT_TRY(match_assumptions(run.assumptions, receipt.assumptions, ErrorCode::kVerifyFailed));
  for (std::size_t i = 0; i < receipt.assumptions.size(); ++i) {
    if (auto st = verify_at(receipt.assumptions[i], run.assumptions[i].image_id, depth + 1);
        !st.ok()) {
      return Error{ErrorCode::kVerifyFailed,
                   "assumption " + std::to_string(i) + ": " + st.error().context()};
    }
  }
  return core::Status::Ok();
}

}  // namespace basalt::zk
