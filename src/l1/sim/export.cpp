#include "l1/sim/export.hpp"

#include <nlohmann/json.hpp>

namespace basalt::l1::sim {

namespace {

using Json = nlohmann::ordered_json;

// Integers above 2^53 are written as decimal strings, so that JSON readers using doubles keep them.
Json u64_json(std::uint64_t v) {
  if (v > (1ull << 53)) return std::to_string(v);
  return v;
}

}  // namespace

std::string export_json(const Simulator& sim) {
  BASALT_ASSERT(sim.params().keep_history || sim.chain().first() == 0);
  Json doc;
  doc["params"] = {{"finality_depth", u64_json(sim.params().finality_depth)}};
  const Block& g = sim.genesis();
  doc["genesis"] = {{"hash", g.hash.hex()},
                    {"seq_commit", g.seq_commit.hex()},
                    {"blue_score", 0},
                    {"timestamp", u64_json(g.timestamp)}};
  Json chain = Json::array();
  for (const auto& c : sim.chain()) {
    const Block& b = sim.block(c.hash);
    Json e;
    e["hash"] = c.hash.hex();
    e["selected_parent"] = c.selected_parent.hex();
    e["blue_score"] = u64_json(b.blue_score);
    e["daa_score"] = u64_json(b.daa_score);
    e["timestamp"] = u64_json(b.timestamp);
    e["parent_seq_commit"] = c.parent_seq_commit.hex();
    e["seq_commit"] = c.seq_commit.hex();
    Json mergeset = Json::array();
    for (const auto& h : c.mergeset) {
      const Block& x = sim.block(h);
      mergeset.push_back({{"hash", h.hex()},
                          {"blue_work", core::to_hex(kaspa::BlueWork::from_u64(x.blue_work).be)},
                          {"coinbase_payload", core::to_hex(x.txs[0].payload)}});
    }
    e["mergeset"] = std::move(mergeset);
    Json accepted = Json::array();
    for (const auto& a : c.accepted) {
      accepted.push_back({{"tx_id", a.tx_id.hex()},
                          {"version", a.version},
                          {"subnetwork_id", a.lane.hex()},
                          {"merge_idx", a.merge_idx}});
    }
    e["accepted"] = std::move(accepted);
    Json proofs = Json::array();
    for (const auto& p : c.lane_proofs) {
      proofs.push_back(
          {{"lane_key", p.lane_key.hex()},
           {"lane_tip", p.lane_tip ? Json(p.lane_tip->hex()) : Json(nullptr)},
           {"lane_blue_score", p.lane_blue_score ? u64_json(*p.lane_blue_score) : Json(nullptr)},
           {"smt_proof", core::to_hex(p.smt_proof.to_bytes())},
           {"payload_and_ctx_digest", p.payload_and_ctx_digest.hex()},
           {"inactivity_shortcut", p.inactivity_shortcut.hex()}});
    }
    e["lane_proofs"] = std::move(proofs);
    chain.push_back(std::move(e));
  }
  doc["chain"] = std::move(chain);
  return doc.dump();
}

}  // namespace basalt::l1::sim
