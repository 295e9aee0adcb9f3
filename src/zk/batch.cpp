#include "zk/batch.hpp"

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace basalt::zk {

core::Bytes encode_batch_input(const BatchInput& in) {
  core::ByteWriter w(512 + in.block.lane_proof.size() + in.keys.size() * 32 + in.proof.size());
  w.u16_le(kBatchAbiVersion);
  w.hash(in.pins.tx_image_id.hash());
  w.hash(in.pins.covenant_id.hash());
  w.hash(in.pins.lane_key.hash());
  w.u64_le(in.pins.finality_depth);
  w.u64_le(in.block.blue_score);
  w.u64_le(in.block.daa_score);
  w.u64_le(in.block.prev_timestamp);
  w.hash(in.block.parent_seq_commit.hash());
  w.hash(in.block.activity_root);
  w.hash(in.block.payload_and_ctx_digest);
  w.hash(in.block.inactivity_shortcut.hash());
  w.u32_le(static_cast<std::uint32_t>(in.block.lane_proof.size()));
  w.bytes(in.block.lane_proof);
  w.hash(in.prev_lane_tip.hash());
  w.u64_le(in.prev_lane_blue_score);
  w.u32_le(static_cast<std::uint32_t>(in.keys.size()));
  for (const auto& k : in.keys) w.hash(k.hash());
  w.u32_le(static_cast<std::uint32_t>(in.proof.size()));
  w.bytes(in.proof);
  w.u32_le(static_cast<std::uint32_t>(in.txs.size()));
  for (const BatchTx& t : in.txs) {
    w.u8(static_cast<std::uint8_t>(t.kind));
    switch (t.kind) {
      case BatchTxKind::kJournal:
        w.hash(t.tx_id.hash());
        w.u32_le(t.merge_idx);
        w.u32_le(static_cast<std::uint32_t>(t.journal.size()));
        w.bytes(t.journal);
        break;
      case BatchTxKind::kPayloadRefused:
        w.u32_le(t.merge_idx);
        w.u32_le(static_cast<std::uint32_t>(t.payload.size()));
        w.bytes(t.payload);
        w.u32_le(static_cast<std::uint32_t>(t.rest.size()));
        w.bytes(t.rest);
        break;
      case BatchTxKind::kNotV1:
        w.hash(t.tx_id.hash());
        w.u16_le(t.version);
        w.u32_le(t.merge_idx);
        break;
      case BatchTxKind::kRunFailed:
        w.hash(t.tx_id.hash());
        w.u32_le(t.merge_idx);
        break;
    }
  }
  return w.take();
}

core::Bytes encode_batch_transition(const BatchTransition& t) {
  core::ByteWriter w(BatchTransition::kHeaderSize + 4 + t.exits.size() * exec::Exit::kSize);
  w.u16_le(kBatchJournalVersion);
  w.hash(t.prev_state);
  w.hash(t.new_state);
  w.hash(t.prev_lane_tip.hash());
  w.u64_le(t.prev_lane_blue_score);
  w.hash(t.new_lane_tip.hash());
  w.u64_le(t.new_lane_blue_score);
  w.hash(t.parent_seq_commit.hash());
  w.hash(t.seq_commit.hash());
  w.hash(t.activity_root);
  w.hash(t.lane_key.hash());
  w.hash(t.covenant_id.hash());
  w.hash(t.tx_image_id.hash());
  w.u64_le(t.finality_depth);
  w.u32_le(t.tx_count);
  w.u32_le(static_cast<std::uint32_t>(t.exits.size()));
  for (const auto& e : t.exits) exec::write_exit(w, e);
  return w.take();
}

core::Result<BatchTransition> decode_batch_transition(core::ByteSpan journal) {
  core::ByteReader r(journal);
  BASALT_ASSIGN_OR_RETURN(const std::uint16_t version, r.read_u16_le("batch journal version"));
  if (version != kBatchJournalVersion) {
    return core::Error{core::ErrorCode::kUnknownTag,
                       "batch journal version " + std::to_string(version)};
  }
  BatchTransition t;
  auto h = [&](const char* what) { return r.read_hash32(what); };
  BASALT_ASSIGN_OR_RETURN(t.prev_state, h("prev_state"));
  BASALT_ASSIGN_OR_RETURN(t.new_state, h("new_state"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 prev_tip, h("prev_lane_tip"));
  t.prev_lane_tip = kaspa::LaneTip(prev_tip);
  BASALT_ASSIGN_OR_RETURN(t.prev_lane_blue_score, r.read_u64_le("prev_lane_blue_score"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 new_tip, h("new_lane_tip"));
  t.new_lane_tip = kaspa::LaneTip(new_tip);
  BASALT_ASSIGN_OR_RETURN(t.new_lane_blue_score, r.read_u64_le("new_lane_blue_score"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 parent, h("parent_seq_commit"));
  t.parent_seq_commit = kaspa::SeqCommit(parent);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 sc, h("seq_commit"));
  t.seq_commit = kaspa::SeqCommit(sc);
  BASALT_ASSIGN_OR_RETURN(t.activity_root, h("activity_root"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 lane, h("lane_key"));
  t.lane_key = kaspa::LaneKey(lane);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 cov, h("covenant_id"));
  t.covenant_id = kaspa::CovenantId(cov);
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 img, h("tx_image_id"));
  t.tx_image_id = vm::ImageId(img);
  BASALT_ASSIGN_OR_RETURN(t.finality_depth, r.read_u64_le("finality_depth"));
  BASALT_ASSIGN_OR_RETURN(t.tx_count, r.read_u32_le("tx_count"));
  BASALT_ASSIGN_OR_RETURN(const std::uint32_t n_exits, r.read_u32_le("exit count"));
  if (n_exits > r.remaining() / exec::Exit::kSize) {
    return core::Error{core::ErrorCode::kTruncated, std::to_string(n_exits) + " exits announced"};
  }
  for (std::uint32_t i = 0; i < n_exits; ++i) {
    BASALT_ASSIGN_OR_RETURN(exec::Exit e, exec::read_exit(r));
    t.exits.push_back(e);
  }
  BASALT_TRY(r.expect_end("batch journal"));
  return t;
}

core::Result<std::vector<exec::Exit>> bundle_exits(std::span<const Receipt> batches) {
  std::vector<exec::Exit> exits;
  for (const Receipt& b : batches) {
    BASALT_ASSIGN_OR_RETURN(const BatchTransition t, decode_batch_transition(b.journal));
    exits.insert(exits.end(), t.exits.begin(), t.exits.end());
  }
  return exits;
}

core::Bytes encode_aggregate_input(const AggregateInput& in) {
  core::ByteWriter w(128 + in.lane_proof.size() + in.batch_journals.size() * 360 +
                     in.exit_script_body.size());
  w.u16_le(kAggregateInputVersion);
  w.hash(in.batch_image_id.hash());
  w.u32_le(static_cast<std::uint32_t>(in.batch_journals.size()));
  for (const auto& j : in.batch_journals) {
    w.u32_le(static_cast<std::uint32_t>(j.size()));
    w.bytes(j);
  }
  w.u32_le(static_cast<std::uint32_t>(in.lane_proof.size()));
  w.bytes(in.lane_proof);
  w.hash(in.inactivity_shortcut.hash());
  w.u32_le(static_cast<std::uint32_t>(in.exit_script_body.size()));
  w.bytes(in.exit_script_body);
  return w.take();
}

const char* batch_exit_name(std::uint32_t code) {
  switch (code) {
    case 1:
      return "malformed_input";
    case 2:
      return "bad_multiproof";
    case 3:
      return "merge_order";
    case 4:
      return "payload_accepted";
    case 5:
      return "version_is_v1";
    case 6:
      return "unproven_key";
    case 7:
      return "lane_not_committed";
  }
  return "unknown";
}

const char* aggregate_exit_name(std::uint32_t code) {
  switch (code) {
    case 1:
      return "malformed_input";
    case 2:
      return "empty_bundle";
    case 3:
      return "bad_batch_journal";
    case 10:
      return "state_chain_broken";
    case 11:
      return "lane_chain_broken";
    case 12:
      return "block_chain_broken";
    case 13:
      return "pins_differ";
    case 14:
      return "bad_lane_proof";
    case 15:
      return "seq_commit_mismatch";
    case 16:
      return "exits_too_large";
  }
  return "unknown";
}

}  // namespace basalt::zk
