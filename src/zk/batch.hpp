// The host side of the proving guests (docs/abi.md §8, §9): the batch processor's input and its
// BatchTransition journal, and the aggregator's input. The guests (guest/builtin/) read exactly
// these bytes; a change to a layout gets a new version number.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "exec/abi.hpp"
#include "kaspa/types.hpp"
#include "state/smt.hpp"
#include "vm/image_id.hpp"
#include "zk/receipt.hpp"

namespace basalt::zk {

inline constexpr std::uint16_t kBatchAbiVersion = 2;  // the batch processor's input (2: lane SMT)
inline constexpr std::uint16_t kBatchJournalVersion = 2;    // BatchTransition (2: with exits)
inline constexpr std::uint16_t kAggregateInputVersion = 2;  // 2: with the exit script body

// What the batch processor recomputes a chain block's SeqCommit from (kip21 §3): its context, the
// two commitment parts kaspad gives (GetSeqCommitLaneProof), and, when the block touched the lane,
// the lane's SMT proof in it (the context is committed only inside payload_and_ctx_digest and the
// lane tip, so the tip the guest computes with it must be the one the block holds).
struct BlockCommitment {
  std::uint64_t blue_score = 0;
  std::uint64_t daa_score = 0;
  std::uint64_t prev_timestamp = 0;  // the selected parent's
  kaspa::SeqCommit parent_seq_commit;
  core::Hash32 activity_root;
  core::Hash32 payload_and_ctx_digest;
  kaspa::SeqCommit inactivity_shortcut;
  core::Bytes lane_proof;  // kaspa::SmtProof bytes; empty when the block has no lane transaction
};

// Fixed for every batch a covenant settles.
struct BatchPins {
  vm::ImageId tx_image_id;
  kaspa::CovenantId covenant_id;
  kaspa::LaneKey lane_key;
  std::uint64_t finality_depth = 0;
};

// How one lane transaction enters a batch.
enum class BatchTxKind : std::uint8_t {
  kJournal = 0,         // the app guest's journal (success or journaled failure), an assumption
  kPayloadRefused = 1,  // the payload fails decoding: the guest checks that from payload and rest
  kNotV1 = 2,           // a transaction version the app does not run (bound by the activity leaf)
  // The app guest ran but its run cannot be a receipt (it faulted, exited non-zero, or its output
  // stream contradicts its journal): the batch takes the prover's word that it failed.
  kRunFailed = 3,
};

struct BatchTx {
  BatchTxKind kind = BatchTxKind::kJournal;
  kaspa::TxId tx_id;
  std::uint16_t version = 1;
  std::uint32_t merge_idx = 0;
  core::Bytes journal;  // kJournal
  core::Bytes payload;  // kPayloadRefused
  core::Bytes rest;     // kPayloadRefused: the v1 rest preimage
};

struct BatchInput {
  BatchPins pins;
  BlockCommitment block;
  kaspa::LaneTip prev_lane_tip;  // zero: the lane was never active
  std::uint64_t prev_lane_blue_score = 0;
  std::vector<state::ResourceId> keys;  // strictly ascending: every resource a journal names
  core::Bytes proof;                    // multiproof of `keys` in the state before the block
  std::vector<BatchTx> txs;             // merge_idx ascending
};
core::Bytes encode_batch_input(const BatchInput& in);

// The batch processor's journal: a 350-byte header, then u32 n and n exits.
struct BatchTransition {
  static constexpr std::size_t kHeaderSize = 350;
  core::Hash32 prev_state;
  core::Hash32 new_state;
  kaspa::LaneTip prev_lane_tip;
  std::uint64_t prev_lane_blue_score = 0;
  kaspa::LaneTip new_lane_tip;
  std::uint64_t new_lane_blue_score = 0;
  kaspa::SeqCommit parent_seq_commit;
  kaspa::SeqCommit seq_commit;
  core::Hash32 activity_root;
  kaspa::LaneKey lane_key;
  kaspa::CovenantId covenant_id;
  vm::ImageId tx_image_id;
  std::uint64_t finality_depth = 0;
  std::uint32_t tx_count = 0;
  std::vector<exec::Exit> exits;  // of the block's successful transactions, in order
  bool operator==(const BatchTransition&) const = default;
};
core::Bytes encode_batch_transition(const BatchTransition& t);
// Errors: kTruncated, kUnknownTag (version, exit kind), kOutOfRange (exit amount),
// kTrailingBytes.
core::Result<BatchTransition> decode_batch_transition(core::ByteSpan journal);

// The exits of consecutive batch receipts (an aggregate receipt's assumptions), in order. Errors:
// those of decode_batch_transition.
core::Result<std::vector<exec::Exit>> bundle_exits(std::span<const Receipt> batches);

struct AggregateInput {
  vm::ImageId batch_image_id;
  std::vector<core::Bytes> batch_journals;  // consecutive batches, oldest first
  core::Bytes lane_proof;                   // the lane SMT proof at the last batch's block
  kaspa::SeqCommit inactivity_shortcut;     // of that block
  // The exit output's script body (zk/exits.hpp); the covenant, not the aggregator, pins it.
  core::Bytes exit_script_body;
};
core::Bytes encode_aggregate_input(const AggregateInput& in);

// Exit codes of the built-in guests, by name (for failed proofs and re-executions).
const char* batch_exit_name(std::uint32_t code);
const char* aggregate_exit_name(std::uint32_t code);

}  // namespace basalt::zk
