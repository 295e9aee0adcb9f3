// The lane-activity archive: for each chain block a node executed, the app lane's accepted
// transactions with what proves they were the lane's whole activity there (the block's SeqCommit
// parts and the lane's proof). L1 prunes its blocks; a mirror keeps these records past that, and a
// node syncing later checks them (check_activity) between two anchors it trusts: a settled
// checkpoint the covenant holds and a block L1 still has.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "l1/chain.hpp"
#include "l1/follower.hpp"

namespace basalt::da {

// One chain block of the archive, as batch `batch` executed it.
struct ActivityRecord {
  std::uint64_t batch = 0;
  // `accepted` holds the lane's transactions only (their merge_idx as L1 gave them, ids derived
  // from the transactions); `lane_proofs` the lane's one proof; `activity_root` is not stored (the
  // proof gives it).
  l1::ChainBlockInfo block;
};

// Batch `batch`'s record of `lane`, from the chain block it executed and the lane's proof there.
ActivityRecord activity_record(std::uint64_t batch, const l1::ChainBlockInfo& block,
                               const kaspa::LaneId& lane, l1::LaneProof proof);

// Record format version 1 (docs/da.md).
core::Bytes encode_activity_record(const ActivityRecord& r);
// Canonical or refused: kTruncated, kTrailingBytes, kUnknownTag (version), kNonCanonical
// (merge_idx not increasing, a flag other than 0/1), and the transaction decoder's errors. A
// transaction of another lane is kInvalid.
core::Result<ActivityRecord> decode_activity_record(core::ByteSpan bytes);

// Where a checked range of records stands: after block `block` (batch `batch`), with the lane's
// state the proof there shows (nullopt: the lane is not in L1's lane SMT there).
struct ActivityPoint {
  std::uint64_t batch = 0;
  kaspa::BlockHash block;
  kaspa::SeqCommit seq_commit;
  std::optional<l1::LaneState> lane;
};

// The point a record stands for, with the lane state its own proof shows.
ActivityPoint activity_point(const ActivityRecord& r);

struct CheckedActivity {
  ActivityPoint first, last;
  std::uint64_t lane_txs = 0;  // after the first record
};

// Checks consecutive records of lane `lane` on an L1 whose activity window is `finality_depth`
// blue score. The first record is the starting point: its SeqCommit is checked against its own
// proof, and its lane state is where the others start. Each later one must extend the one before
// (batch + 1, selected parent, parent SeqCommit), satisfy the SeqCommit equation with its proof,
// and its lane's transactions must give the lane tip the proof shows. The ends are anchors for the
// caller to compare with what it trusts (a settlement's journal, L1's headers). Errors: kInvalid
// naming the batch and the check that failed.
core::Result<CheckedActivity> check_activity(const kaspa::LaneId& lane,
                                             std::uint64_t finality_depth,
                                             std::span<const ActivityRecord> records);

}  // namespace basalt::da
