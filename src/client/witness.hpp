// A transaction's witness as GET /v1/txs/{id} gives it (docs/api.md): the resources it accessed,
// after a settled state where there is one, with one multiproof against that state's root. A client
// checks the proof before keeping it: with the root the covenant held, it needs nobody later.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "state/smt.hpp"

namespace basalt::client {

struct CheckedWitness {
  std::uint64_t batch = 0;
  bool settled = false;  // the node's word: the root is the one a settlement put on L1
  core::Hash32 root;
  std::vector<std::pair<state::ResourceId, core::Bytes>> resources;
};

// Errors: kInvalid for a witness that is not one (fields missing, bad hex, ids not ascending) and
// kVerifyFailed when its proof does not give its root from its values.
core::Result<CheckedWitness> check_witness(const nlohmann::json& witness);

}  // namespace basalt::client
