// The settler: turns a proven bundle into a settlement transaction, pays its fee from a funded
// key, submits it, and follows it on L1 until it is confirmed. It bumps the fee (Kaspa's
// transaction replacement) when the settlement waits too long, gives the bundle back when L1
// refuses it or its anchor leaves the selected chain or the access window (the caller proves a new
// aggregate), and never spends a covenant state twice: a settlement is built only against the
// covenant UTXO L1 has now, and a second one for the same UTXO is refused by L1 as a double spend.
// It keeps only the settlement in flight, in memory; after a restart the covenant UTXO says where
// settlement stands, and a settlement still on its way is noticed when L1 moves the covenant.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/schnorr.hpp"
#include "exec/abi.hpp"
#include "l1/chain.hpp"
#include "settle/covenant.hpp"
#include "zk/receipt.hpp"

namespace basalt::settle {

// Which of L1's fee estimates a settlement starts with.
enum class FeeLevel : std::uint8_t { kLow, kNormal, kPriority };

struct SettlerOptions {
  std::uint32_t bump_after_blocks = 5;     // chain blocks without acceptance before a fee bump
  std::uint32_t confirmations = 3;         // chain blocks on the accepting one before "confirmed"
  std::uint64_t fee_rate = 0;              // sompi per gram to start with; 0: L1's estimate at
  FeeLevel fee_level = FeeLevel::kNormal;  // ... this level
  std::uint64_t finality_depth = 100;      // F: an anchor this deep can no longer be used
  // Give an anchor up when it is within this many blue score of F deep (time to get accepted).
  std::uint64_t anchor_margin = 10;
};

// A proven bundle of consecutive batches.
struct Bundle {
  std::uint64_t first_batch = 0;
  std::uint64_t last_batch = 0;
  kaspa::BlockHash anchor;  // the last batch's chain block
  std::uint64_t anchor_blue_score = 0;
  zk::Receipt receipt;  // the aggregate receipt
  zk::StateTransition journal;
  std::vector<exec::Exit> exits;  // of its batches, in order (zk::bundle_exits)
};

// Follows one transaction through chain changes: the chain block that accepted it, how many chain
// blocks lie on that one, and how many went by without acceptance.
struct Acceptance {
  std::optional<kaspa::BlockHash> accepted_in;
  std::uint64_t depth = 0;   // chain blocks on the accepting one
  std::uint64_t waited = 0;  // chain blocks without acceptance (since the last reset)

  enum class Change : std::uint8_t { kNone, kAccepted, kUnaccepted };
  struct Step {
    Change change = Change::kNone;
    kaspa::BlockHash block;  // the accepting block, or the removed one
    kaspa::TxId tx;          // kAccepted: which of the versions
  };
  // Applies one chain change for a transaction that exists in `versions` (the original and its
  // fee bumps: any one of them may be the one a block took); returns what happened, in order.
  std::vector<Step> follow(const l1::ChainChanged& change, std::span<const kaspa::TxId> versions);
};

struct SettlerEvent {
  enum class Kind : std::uint8_t {
    kSubmitted,
    kBumped,      // resubmitted with a higher fee
    kAccepted,    // accepted by a chain block
    kUnaccepted,  // a reorg removed the accepting block
    kConfirmed,   // `confirmations` chain blocks deep: done
    kAbandoned,   // refused by L1 or the anchor is no longer usable: the bundle is given back
  };
  Kind kind = Kind::kSubmitted;
  std::uint64_t first_batch = 0;
  std::uint64_t last_batch = 0;
  kaspa::TxId tx_id;
  std::uint64_t fee = 0;
  std::uint64_t blocks = 0;  // kConfirmed: chain blocks from submission to acceptance
  std::string detail;
  kaspa::Transaction tx;  // kSubmitted, kBumped: the transaction sent to L1
};
const char* settler_event_name(SettlerEvent::Kind k);

class Settler {
 public:
  Settler(l1::ChainSource& l1, const CovenantScript& covenant, const kaspa::CovenantId& id,
          const crypto::SecretKey& fee_key, const SettlerOptions& options);

  // A settlement is in flight (submitted, not yet confirmed or abandoned).
  bool busy() const { return pending_.has_value(); }
  const kaspa::CovenantId& covenant_id() const { return id_; }
  // The covenant UTXO as L1 has it, if it is at one of the states `at`. Errors: the source's.
  core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> covenant(
      std::span<const CovenantState> at) const;

  // Builds, funds and submits the settlement of `b` from the covenant's current state `from`:
  // kSubmitted, or kAbandoned with L1's reason when L1 refuses it (nothing is pending then).
  // Errors: kInvalid when the journal does not start at `from`, the covenant UTXO is not at
  // `from`, the bundle's exits are not the journal's or more than the covenant holds; kUnavailable
  // when another settlement of this covenant waits in the mempool (try later) or no fee output is
  // spendable.
  core::Result<SettlerEvent> settle(Bundle b, const CovenantState& from);
  // Follows one chain change; returns what happened to the settlement in flight.
  std::vector<SettlerEvent> on_chain(const l1::ChainChanged& change);

 private:
  struct Pending {
    Bundle bundle;
    CovenantState from;
    kaspa::Outpoint covenant;
    kaspa::UtxoEntry covenant_entry;
    core::Hash32 exit_root;
    std::uint64_t exit_total = 0;
    kaspa::Transaction tx;
    kaspa::TxId tx_id;
    std::vector<kaspa::TxId> versions;  // every transaction submitted for it, tx_id last
    std::uint64_t fee_rate = 0;
    std::uint64_t fee = 0;
    Acceptance acceptance;  // `waited` restarts at every bump
    std::uint64_t blocks_to_accept = 0;
  };
  // Builds and funds the transaction at `rate`; sets p.tx, p.tx_id, p.fee.
  core::Status build(Pending& p, std::uint64_t rate) const;
  SettlerEvent event(SettlerEvent::Kind k, std::string detail = {}) const;

  l1::ChainSource& l1_;
  CovenantScript covenant_;
  kaspa::CovenantId id_;
  crypto::SecretKey fee_key_;
  SettlerOptions options_;
  std::optional<Pending> pending_;
  std::uint64_t tip_blue_score_ = 0;
};

}  // namespace basalt::settle
