// The settlement journal: the seed's 320-byte StateTransition (seed 004), ten 32-byte fields in
// this order, raw concatenation: prev_state, prev_lane_tip, new_state, new_lane_tip,
// new_seq_commit, covenant_id, tx_image_id, batch_image_id, permission_spk_hash (zero when there
// are no exits), lane_key. (The reference has since added a deposit hash, 352 bytes; basalt keeps
// the seed's ten fields and would version the covenant to add one.)
#pragma once

#include <array>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace basalt::zk {

struct StateTransition {
  static constexpr std::size_t kFields = 10;
  static constexpr std::size_t kSize = kFields * 32;
  static const std::array<std::string_view, kFields> kFieldNames;

  core::Hash32 prev_state;
  core::Hash32 prev_lane_tip;
  core::Hash32 new_state;
  core::Hash32 new_lane_tip;
  core::Hash32 new_seq_commit;
  core::Hash32 covenant_id;
  core::Hash32 tx_image_id;
  core::Hash32 batch_image_id;
  core::Hash32 permission_spk_hash;
  core::Hash32 lane_key;

  // The fields in journal order, as member pointers (t.*kMembers[i]).
  static const std::array<core::Hash32 StateTransition::*, kFields> kMembers;
  bool operator==(const StateTransition&) const = default;
};

core::Bytes encode_state_transition(const StateTransition& t);
// Errors: kTruncated below 320 bytes, kTrailingBytes above.
core::Result<StateTransition> decode_state_transition(core::ByteSpan journal);

}  // namespace basalt::zk
