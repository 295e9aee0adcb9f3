// Random transactions for round-trip and property tests.
#pragma once

#include "kaspa/transaction.hpp"
#include "test_util.hpp"

namespace basalt::kaspa::testing {

inline Transaction random_tx(test::Rng& rng, std::uint16_t version) {
  Transaction tx;
  tx.version = version;
  const bool v1 = version == 1;
  std::size_t n_in = rng.below(4), n_out = rng.below(4);
  for (std::size_t i = 0; i < n_in; ++i) {
    TxInput in;
    in.previous_outpoint = {TxId(rng.hash()), static_cast<std::uint32_t>(rng.u64())};
    in.signature_script = rng.bytes(rng.below(80));
    in.sequence = rng.u64();
    in.compute_commit =
        v1 ? ComputeCommit{ComputeCommit::Kind::kComputeBudget,
                           static_cast<std::uint16_t>(rng.u64())}
           : ComputeCommit{ComputeCommit::Kind::kSigOpCount, static_cast<std::uint8_t>(rng.u64())};
    tx.inputs.push_back(std::move(in));
  }
  for (std::size_t i = 0; i < n_out; ++i) {
    TxOutput out;
    out.value = rng.u64();
    out.script_public_key = {static_cast<std::uint16_t>(rng.below(3)), rng.bytes(rng.below(40))};
    if (v1 && rng.coin())
      out.covenant =
          CovenantBinding{static_cast<std::uint16_t>(rng.below(4)), CovenantId(rng.hash())};
    tx.outputs.push_back(std::move(out));
  }
  tx.lock_time = rng.u64();
  tx.subnetwork_id =
      v1 ? LaneId::from_namespace({static_cast<std::uint8_t>(rng.u64()), 0, 1, 2}) : kNativeLaneId;
  tx.gas = v1 ? rng.below(1000) : 0;
  tx.payload = rng.bytes(rng.below(200));
  tx.storage_mass = rng.coin() ? rng.u64() : 0;
  return tx;
}

}  // namespace basalt::kaspa::testing
