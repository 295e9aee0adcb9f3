// Small builders shared by the dag tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "dag/graph.hpp"

namespace basalt::dag::testing {

inline AccountId acc(std::uint32_t v) {
  return AccountId{v};
}

// Adds a transaction writing `a` and reading `a` plus `extra_reads`; returns the created vertex.
inline VertexId write(ComputationDag& g, std::uint32_t a, std::vector<std::uint32_t> extra_reads) {
  std::vector<AccountId> reads = {acc(a)};
  for (auto r : extra_reads) reads.push_back(acc(r));
  std::sort(reads.begin(), reads.end());
  auto tx = g.add(g.transaction_count(), reads, {acc(a)});
  EXPECT_TRUE(tx.ok());
  return g.transaction(*tx).created[0];
}

}  // namespace basalt::dag::testing
