// The node's index beside the state store, in its own RocksDB: what the API answers from (each
// transaction's result, each batch's block and root, receipts), the settlements the node made and
// the user submissions it follows. Safe to use from any thread.
//
// Keys: 't' tx id → TxRecord; 'b' u64be batch → BatchRow; 'a' u64be batch → the batch's
// lane-activity record (da/archive.hpp); 'h' block hash → u64be batch; 'r' tx id → receipt; 'B'
// u64be batch → batch receipt; 'f' tx id → (empty): a submission the node accepted that is neither
// executed nor refused yet; 'S' u64be settlement → SettlementRecord; 'A' u64be settlement →
// aggregate receipt; 'x' tx id → why L1 refused a submission the node accepted (text); "proven" →
// u64le; "confirmed" → u64le settlements confirmed; "covenant" → covenant id ‖ initial root. A
// batch row or activity record above the executed tip never stays: rollback() deletes them. A tx
// record or receipt of a rolled-back batch may stay; `tx` checks it against the block → batch
// mapping, and a batch receipt counts only up to the proven tip (re-proving overwrites it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"
#include "settle/covenant.hpp"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace basalt::node {

struct TxRecord {
  kaspa::TxId id;
  std::uint64_t batch = 0;
  kaspa::BlockHash block;
  std::uint32_t merge_idx = 0;
  bool ok = false;
  std::string reason;  // the failure's label ("" when ok)
  std::string detail;
  std::uint64_t cycles = 0;
  core::Bytes journal;
};

struct BatchRow {
  std::uint64_t id = 0;
  kaspa::BlockHash block;
  std::uint64_t blue_score = 0;
  std::uint64_t step = 0;
  std::uint32_t txs = 0;
  std::uint32_t failed = 0;
  std::optional<core::Hash32> root;  // once committed
  std::vector<kaspa::TxId> tx_ids;   // merge_idx order
};

enum class SettlementStatus : std::uint8_t {
  kSubmitted = 0,   // in the mempool (again, after a reorg undid its acceptance)
  kAccepted = 1,    // accepted by a chain block, not yet deep enough
  kConfirmed = 2,   // final: `confirmations` chain blocks on the accepting one
  kRefused = 3,     // final: L1 refused it (reason in detail)
  kSuperseded = 4,  // final: the covenant moved on without it
};
const char* settlement_status_name(SettlementStatus s);

// One settlement the node submitted, as L1 treats it.
struct SettlementRecord {
  std::uint64_t seq = 0;  // 1, 2, ... in submission order
  std::uint64_t first_batch = 0;
  std::uint64_t last_batch = 0;
  kaspa::BlockHash anchor;
  kaspa::TxId tx_id;  // the latest transaction (fee bumps replace it)
  std::uint64_t fee = 0;
  std::uint32_t bumps = 0;
  SettlementStatus status = SettlementStatus::kSubmitted;
  std::uint64_t submitted_step = 0;
  std::optional<kaspa::BlockHash> accepted_in;
  std::uint64_t accepted_step = 0;
  std::uint64_t final_step = 0;  // the step it became final
  std::uint64_t latency_ms = 0;  // last batch executed → confirmed, measured live; 0: unknown
  std::string detail;
  core::Bytes journal;             // the 320-byte StateTransition
  kaspa::Outpoint covenant_input;  // the covenant output it spends
};

// What L1 did to a settlement's exit output in one chain block: the settlement that creates it
// was accepted (kAppeared: `tx_id`:`index` is the exit output), or a claim spent it (kClaimed:
// `tx_id` is the claim, `index` the exit it paid, the rest now at `tx_id`:1; kClaimedLast: the
// same for the last exit, which leaves nothing). `position`: the batch of that block.
struct ExitEvent {
  enum class Kind : std::uint8_t { kAppeared = 1, kClaimed = 2, kClaimedLast = 3 };
  Kind kind = Kind::kAppeared;
  std::uint64_t position = 0;
  kaspa::TxId tx_id;
  std::uint32_t index = 0;
  bool operator==(const ExitEvent&) const = default;
};

class NodeIndex {
 public:
  // Errors: kIo.
  static core::Result<std::unique_ptr<NodeIndex>> open(const std::string& dir);
  ~NodeIndex();

  // One batch, its transactions and (when the node keeps the archive) its lane-activity record,
  // written together (not synced: a lost tail is re-executed, Node::align_index).
  core::Status put_batch(const BatchRow& row, const std::vector<TxRecord>& txs,
                         core::ByteSpan activity = {});
  core::Status set_root(std::uint64_t batch, const core::Hash32& root);
  // Deletes the batch rows above `target`.
  core::Status rollback(std::uint64_t target, std::uint64_t executed_tip);
  core::Result<std::optional<BatchRow>> batch(std::uint64_t id) const;
  core::Result<std::optional<BatchRow>> batch_by_block(const kaspa::BlockHash& block) const;
  // The batch's lane-activity record (da/archive.hpp), as stored.
  core::Result<std::optional<core::Bytes>> activity(std::uint64_t batch) const;
  // The transaction's record if its batch is still on the executed chain.
  core::Result<std::optional<TxRecord>> tx(const kaspa::TxId& id) const;

  core::Result<std::optional<core::Bytes>> receipt(const kaspa::TxId& id) const;
  // Why L1 refused a transaction the node had accepted (it will never execute).
  core::Status put_refusal(const kaspa::TxId& id, const std::string& why);
  core::Result<std::optional<std::string>> refusal(const kaspa::TxId& id) const;
  core::Status set_proven(std::uint64_t batch);
  core::Result<std::uint64_t> proven() const;

  // Submissions the node accepted, followed until executed or refused (synced before it returns:
  // an acknowledged one is never lost from sight).
  core::Status put_in_flight(const std::vector<kaspa::TxId>& ids);
  core::Status resolve_in_flight(const kaspa::TxId& id);
  core::Result<std::vector<kaspa::TxId>> in_flight() const;

  // A new settlement's record with its aggregate receipt (when not empty), in one synced write.
  core::Status log_settlement(const SettlementRecord& record, core::ByteSpan receipt);
  // Updates a record (not synced: a restart follows the open ones again from the chain).
  core::Status put_settlement(const SettlementRecord& record);
  core::Result<std::optional<SettlementRecord>> settlement(std::uint64_t seq) const;
  // Settlements whose record reached kConfirmed.
  core::Result<std::uint64_t> confirmed_settlements() const;
  // Up to `limit` records with seq below `before`, newest first.
  core::Result<std::vector<SettlementRecord>> settlements(std::uint64_t before,
                                                          std::size_t limit) const;
  core::Result<std::optional<core::Bytes>> settlement_receipt(std::uint64_t seq) const;

  // A proven batch's receipt with the receipts of its transactions.
  core::Status put_batch_receipt(std::uint64_t batch, core::ByteSpan receipt,
                                 const std::vector<std::pair<kaspa::TxId, core::Bytes>>& txs);
  core::Result<std::optional<core::Bytes>> batch_receipt(std::uint64_t batch) const;

  // The app's covenant, once created (synced).
  // A settlement's exit events, numbered 0, 1, ... in the order they happened.
  core::Status put_exit_event(std::uint64_t seq, std::uint64_t n, const ExitEvent& e);
  core::Result<std::vector<ExitEvent>> exit_events(std::uint64_t seq) const;
  // Deletes settlement seq's events from number n on.
  core::Status drop_exit_events(std::uint64_t seq, std::uint64_t n);
  // The settlements with exit events, and their events.
  core::Result<std::map<std::uint64_t, std::vector<ExitEvent>>> all_exit_events() const;
  core::Status log_covenant(const settle::CovenantOrigin& origin);
  core::Result<std::optional<settle::CovenantOrigin>> covenant() const;

  std::uint64_t disk_bytes() const;

 private:
  NodeIndex() = default;
  core::Result<std::optional<core::Bytes>> get(const std::string& key) const;
  core::Status write(rocksdb::WriteBatch& wb, bool sync, const std::string& what);
  std::unique_ptr<rocksdb::DB> db_;
  std::string dir_;
};

}  // namespace basalt::node
