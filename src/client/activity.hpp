// A node's lane-activity archive (GET /v1/da/activity) as a client takes it: downloaded page by
// page, every record decoded and the whole range checked (da::check_activity), and its ends
// compared with an L1 that still holds them.
#pragma once

#include <cstdint>
#include <vector>

#include "client/api_client.hpp"
#include "da/archive.hpp"
#include "l1/chain.hpp"

namespace basalt::client {

struct FetchedActivity {
  kaspa::LaneId lane;                 // as the node names its app's lane
  std::uint64_t activity_window = 0;  // L1's F, as the node names it
  std::vector<da::ActivityRecord> records;
  da::CheckedActivity checked;
};

// Batches from `from` on, `count` at most (fewer when the node holds fewer). Errors: kNotFound when
// the node keeps no record of `from`; kInvalid naming the batch of a record that does not decode
// or a range that does not check out; kUnavailable.
core::Result<FetchedActivity> fetch_activity(const ApiClient& api, std::uint64_t from,
                                             std::uint64_t count);

// Whether L1 agrees with a checked point: the block's header carries its SeqCommit, and the lane
// proof there shows its lane state. Errors: kVerifyFailed saying what differs; the source's.
core::Status check_on_l1(const l1::ChainSource& l1, const kaspa::LaneId& lane,
                         const da::ActivityPoint& point);

}  // namespace basalt::client
