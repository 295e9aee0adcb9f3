// A seeded synthetic workload over History: vProgs owning accounts, transactions that write their
// own accounts and sometimes read another vProg's, periodic finalized proofs, a moving pruning
// point and the Δ/Γ rules. Reports per window of rounds: stored and discarded vertices, scope
// sizes, witnesses used, and transactions rejected by reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace basalt::dag {

struct SimulationParams {
  std::uint64_t seed = 1;
  std::uint32_t vprogs = 8;
  std::uint32_t accounts_per_vprog = 32;
  std::uint32_t tx_per_round = 20;
  std::uint32_t cross_read_permille =
      200;  // chance that a transaction also reads another vProg's account
  std::uint64_t proof_interval = 50;  // rounds between two proofs of one vProg
  std::optional<std::uint64_t> delta =
      500;  // nullopt: Δ disabled (only the pruning point discards)
  std::optional<std::uint64_t> gamma = 50;  // nullopt: Γ disabled
  std::uint64_t pruning_depth = 2000;
  std::uint64_t rounds = 5000;
  std::uint64_t window = 500;
  std::size_t max_scope = 5000;  // a transaction whose scope is larger is rejected (it cannot pay)
};

struct WindowStats {
  std::uint64_t first_round = 0, last_round = 0;
  std::uint64_t stored = 0, discarded = 0;  // at the end of the window
  std::uint64_t accepted = 0, rejected_pruned = 0, rejected_discarded = 0, rejected_scope = 0;
  std::uint64_t scope_sum = 0, scope_p99 = 0, witnesses = 0;  // over accepted transactions
};

std::vector<WindowStats> simulate(const SimulationParams& params);

}  // namespace basalt::dag
