// Helpers for executor tests: apps from the built guests, blocks of lane transactions, and a
// store in a temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "exec/executor.hpp"
#include "kaspa/limits.hpp"
#include "state/store.hpp"
#include "test_util.hpp"
#include "users/workload.hpp"

namespace basalt::exec::test_util {

inline App app(const std::string& name) {
  const std::string path =
      name.find('/') == std::string::npos
          ? name
          : std::string(BASALT_GUEST_DIR) + "/" + name.substr(name.find('/') + 1);
  auto a = load_app(path, BASALT_GUEST_DIR);
  EXPECT_TRUE(a.ok()) << a.error().to_string();
  return std::move(*a);
}

inline kaspa::LaneId test_lane() {
  return kaspa::LaneId::from_namespace({0xba, 0x5a, 0x17, 0x01});
}

inline LaneTx lane_tx(core::Bytes payload, std::uint32_t merge_idx) {
  LaneTx t;
  t.tx.version = kaspa::kTxVersionToccata;
  t.tx.subnetwork_id = test_lane();
  t.tx.payload = std::move(payload);
  t.id = kaspa::tx_id(t.tx);
  t.merge_idx = merge_idx;
  return t;
}

inline BlockInput block(std::uint64_t n, std::vector<core::Bytes> payloads) {
  BlockInput b;
  b.hash = kaspa::BlockHash(core::Hash32::from_u64_word(n));
  b.blue_score = n;
  b.daa_score = n + 10;
  b.prev_timestamp = 1000 * n;
  std::uint32_t m = 1;
  for (auto& p : payloads) b.txs.push_back(lane_tx(std::move(p), m++));
  return b;
}

inline std::unique_ptr<state::StateStore> open_store(const std::string& dir) {
  state::StoreOptions o;
  o.sync = false;
  auto s = state::StateStore::open(dir, o);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return std::move(*s);
}

}  // namespace basalt::exec::test_util
