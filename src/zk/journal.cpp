#include "zk/journal.hpp"

#include "core/byte_reader.hpp"

namespace basalt::zk {

const std::array<std::string_view, StateTransition::kFields> StateTransition::kFieldNames = {
    "prev_state",  "prev_lane_tip", "new_state",      "new_lane_tip",        "new_seq_commit",
    "covenant_id", "tx_image_id",   "batch_image_id", "permission_spk_hash", "lane_key"};

const std::array<core::Hash32 StateTransition::*, StateTransition::kFields>
    StateTransition::kMembers = {
        &StateTransition::prev_state,          &StateTransition::prev_lane_tip,
        &StateTransition::new_state,           &StateTransition::new_lane_tip,
        &StateTransition::new_seq_commit,      &StateTransition::covenant_id,
        &StateTransition::tx_image_id,         &StateTransition::batch_image_id,
        &StateTransition::permission_spk_hash, &StateTransition::lane_key};

core::Bytes encode_state_transition(const StateTransition& t) {
  core::Bytes b;
  b.reserve(StateTransition::kSize);
  for (auto m : StateTransition::kMembers)
    b.insert(b.end(), (t.*m).bytes.begin(), (t.*m).bytes.end());
  return b;
}

core::Result<StateTransition> decode_state_transition(core::ByteSpan journal) {
  core::ByteReader r(journal);
  StateTransition t;
  for (std::size_t i = 0; i < StateTransition::kFields; ++i) {
    BASALT_ASSIGN_OR_RETURN(t.*StateTransition::kMembers[i],
                            r.read_hash32(StateTransition::kFieldNames[i]));
  }
  BASALT_TRY(r.expect_end("StateTransition journal"));
  return t;
}

}  // namespace basalt::zk
