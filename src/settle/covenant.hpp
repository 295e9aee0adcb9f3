// basalt's settlement covenant (version 1): a P2SH UTXO bound to a KIP-20 covenant whose redeem
// script carries the app's state commitment and, when spent, lets it advance only along a proven
// StateTransition. Layout, byte by byte, in docs/settlement.md:
//
//   redeem = 0x20 <lane_tip> 0x20 <state> || body
//   body   = checks below, with the lane key and the three image ids as constants
//
// A spend's signature script pushes, bottom to top: receipt, exit root, exit total, new_lane_tip,
// new_state, anchor block hash, redeem (root and total empty without exits). The body
//   - takes the anchor's SeqCommit with OpChainblockSeqCommit (selected chain, within F),
//   - requires output 0 to be P2SH(0x20 <new_lane_tip> 0x20 <new_state> || body) — the same
//     covenant with the new state — bound to the same covenant id and the only output bound to it,
//   - without exits: output 0 keeps the covenant's value; with exits: output 1 is the exit output
//     (zk/exits.hpp) for the witnessed root and total, holding the total, and output 0 the rest,
//   - rebuilds the 320-byte journal (prev_state and prev_lane_tip from its own prefix, the new
//     values from the witness, new_seq_commit from the anchor, its covenant id by introspection,
//     the pinned image ids, the exit output's P2SH hash or zero, the pinned lane key), hashes it
//     with SHA-256,
//   - verifies the receipt for the aggregator's image id with OpZkPrecompile (basalt's tag),
//   - requires the covenant to be input 0.
#pragma once

#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "crypto/schnorr.hpp"
#include "kaspa/signing.hpp"
#include "kaspa/transaction.hpp"
#include "kaspa/types.hpp"
#include "vm/image_id.hpp"
#include "zk/exits.hpp"
#include "zk/journal.hpp"

namespace basalt::settle {

// What a covenant pins for its whole life.
struct CovenantPins {
  kaspa::LaneKey lane_key;
  vm::ImageId tx_image_id;
  vm::ImageId batch_image_id;
  vm::ImageId aggregate_image_id;
};

// What it carries: the app's state root and the lane tip that state reflects.
// Where a covenant comes from: its id and its first state root (the lane tip starts at zero).
struct CovenantOrigin {
  kaspa::CovenantId id;
  core::Hash32 initial_root;
};

struct CovenantState {
  core::Hash32 state;
  kaspa::LaneTip lane_tip;
  bool operator==(const CovenantState&) const = default;
};

// The covenant's scripts for one set of pins. The body is built once: every state's redeem script
// is the state's prefix followed by it.
class CovenantScript {
 public:
  explicit CovenantScript(const CovenantPins& pins);
  const CovenantPins& pins() const { return pins_; }
  core::Bytes redeem(const CovenantState& s) const;
  kaspa::ScriptPublicKey spk(const CovenantState& s) const;

 private:
  CovenantPins pins_;
  core::Bytes body_;
};

// The transaction creating a covenant: spends a P2PK `funding` output of `key`, puts `value` into
// the covenant (genesis binding, KIP-20) and the rest minus `fee` back to the key. The covenant id
// follows from the funding outpoint and the covenant output.
struct Genesis {
  kaspa::Transaction tx;
  kaspa::CovenantId covenant_id;
};
Genesis genesis_transaction(const CovenantScript& covenant, const CovenantState& initial,
                            std::uint64_t value, const kaspa::Outpoint& funding,
                            const kaspa::UtxoEntry& funding_entry, const crypto::SecretKey& key,
                            std::uint64_t fee);

// One settlement: the covenant UTXO it spends, the proof and what it moves to.
struct SettlementSpend {
  kaspa::Outpoint covenant;
  kaspa::UtxoEntry covenant_entry;
  CovenantState from;
  zk::StateTransition journal;
  core::Bytes receipt;  // the aggregate receipt's encoding
  kaspa::BlockHash anchor;
  core::Hash32 exit_root;        // of the bundle's exits (zk::ExitTree)
  std::uint64_t exit_total = 0;  // 0: no exits
};
// The settlement transaction: input 0 the covenant (witness as above), input 1 the fee output of
// `fee_key`, output 0 the continuation, then the exit output when there are exits, then the
// change.
kaspa::Transaction settlement_transaction(const CovenantScript& covenant,
                                          kaspa::CovenantId covenant_id, const SettlementSpend& s,
                                          const kaspa::Outpoint& fee_utxo,
                                          const kaspa::UtxoEntry& fee_entry,
                                          const crypto::SecretKey& fee_key, std::uint64_t fee);

// A claim of exit i from the exit output that holds `tree` (zk/exits.hpp): input 0 the exit
// output (witness: tree.claim_witness(i)), input 1 the fee output of `fee_key`; output 0 pays the
// exit, output 1 carries the rest in the exit script with exit i emptied (none after the last
// claim), the last output is the change. Requires: exit i unclaimed in `tree`.
kaspa::Transaction exit_claim_transaction(const zk::ExitTree& tree, std::size_t i,
                                          const kaspa::Outpoint& exit_output,
                                          const kaspa::Outpoint& fee_utxo,
                                          const kaspa::UtxoEntry& fee_entry,
                                          const crypto::SecretKey& fee_key, std::uint64_t fee);

// Which exit a transaction spending the exit output that holds `tree` claims: the unclaimed exit
// it pays in output 0 whose emptied tree its output 1 carries on (none after the last claim).
// nullopt when it is no such claim (the exit script admits nothing else).
std::optional<std::size_t> claimed_exit(const zk::ExitTree& tree, const kaspa::Transaction& tx);

}  // namespace basalt::settle
