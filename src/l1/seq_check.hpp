// The SeqCommit equation of kip21 §3, checked from lane proofs: what a follower of kaspad and a
// reader of the lane-activity archive both rely on.
#pragma once

#include <span>

#include "core/result.hpp"
#include "l1/chain.hpp"

namespace basalt::l1 {

// Checks a chain block's header SeqCommit against lane proofs taken at that block (one or more) and
// its selected parent's SeqCommit: every proof names that parent SeqCommit and the same digest and
// shortcut, and the activity root they imply gives `seq_commit`. Returns that activity root.
// Errors: kInvalid saying which check failed.
core::Result<core::Hash32> check_seq_commit(const kaspa::SeqCommit& seq_commit,
                                            const kaspa::SeqCommit& parent_seq_commit,
                                            std::span<const LaneProof> proofs);

}  // namespace basalt::l1
