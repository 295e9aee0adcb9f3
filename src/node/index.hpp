// The node's index beside the state store, in its own RocksDB: what the API answers from (each
// transaction's result, each batch's block and root, receipts) and the log of accepted submissions
// that a restart replays into the simulator. Safe to use from any thread.
//
// Keys: 't' tx id → TxRecord; 'b' u64be batch → BatchRow; 'h' block hash → u64be batch;
// 'r' tx id → receipt; 's' u64be sequence → u64le step ‖ serialized transaction; "proven" → u64le.
// A batch row above the executed tip never stays: rollback() deletes them. A tx record or receipt
// of a rolled-back batch may stay; `tx` checks it against the block → batch mapping.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"

namespace rocksdb {
class DB;
}

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

struct Submission {
  std::uint64_t step = 0;
  kaspa::Transaction tx;
};

class NodeIndex {
 public:
  // Errors: kIo.
  static core::Result<std::unique_ptr<NodeIndex>> open(const std::string& dir);
  ~NodeIndex();

  // One batch and its transactions, written together (not synced: a lost tail is re-executed).
  core::Status put_batch(const BatchRow& row, const std::vector<TxRecord>& txs);
  core::Status set_root(std::uint64_t batch, const core::Hash32& root);
  // Deletes the batch rows above `target`.
  core::Status rollback(std::uint64_t target, std::uint64_t executed_tip);
  core::Result<std::optional<BatchRow>> batch(std::uint64_t id) const;
  core::Result<std::optional<BatchRow>> batch_by_block(const kaspa::BlockHash& block) const;
  // The transaction's record if its batch is still on the executed chain.
  core::Result<std::optional<TxRecord>> tx(const kaspa::TxId& id) const;

  core::Status put_receipt(const kaspa::TxId& id, core::ByteSpan receipt);
  core::Result<std::optional<core::Bytes>> receipt(const kaspa::TxId& id) const;
  core::Status set_proven(std::uint64_t batch);
  core::Result<std::uint64_t> proven() const;

  // Appends accepted submissions (synced before it returns: an acknowledged one is never lost).
  core::Status log_submissions(const std::vector<Submission>& subs);
  core::Result<std::vector<Submission>> submissions() const;

  std::uint64_t disk_bytes() const;

 private:
  NodeIndex() = default;
  core::Result<std::optional<core::Bytes>> get(const std::string& key) const;
  std::unique_ptr<rocksdb::DB> db_;
  std::string dir_;
  std::uint64_t next_submission_ = 0;
};

}  // namespace basalt::node
