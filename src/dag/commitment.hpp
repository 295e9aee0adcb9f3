// State-history commitments of proof submissions (shared/spec/computation-dag-and-da.md §1.4): a
// proof of vProg p covering rounds [first, last] carries C = the Merkle root over the per-step
// state roots of those rounds, each of which is the Merkle root over p's account states at the end
// of that round. A concise witness for an account's state at an intermediate round is then two
// Merkle paths, checkable against C alone.
//
// Hashing (SHA-256, one-byte domain tags): account leaf = H(0x00 ‖ le_u32 account ‖ value);
// step leaf = H(0x01 ‖ le_u64 round ‖ step root); node = H(0x02 ‖ left ‖ right). A level with an
// odd count carries its last node up unchanged. The empty tree's root is zero.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "dag/graph.hpp"

namespace basalt::dag {

struct AccountState {
  AccountId account;
  core::Hash32 value;  // the hash of the account's data
};

// A Merkle path: the siblings from the leaf up, for leaf `index` of `count`.
struct MerklePath {
  std::uint32_t index = 0;
  std::uint32_t count = 0;
  std::vector<core::Hash32> siblings;
};

struct HistoryCommitment {
  std::uint64_t first_round = 0;
  std::uint64_t last_round = 0;
  core::Hash32 root;
};

// One account's state at the end of one round, with the paths that tie it to a commitment.
struct StateWitness {
  std::uint64_t round = 0;
  AccountState state;
  MerklePath in_step;  // account leaf -> step root
  core::Hash32 step_root;
  MerklePath in_history;  // step leaf -> commitment root
};

// Builds the commitment of one proof, one round at a time.
class HistoryBuilder {
 public:
  // The states of every account of the vProg at the end of `round` (rounds consecutive from the
  // first one added). Errors: kInvalid when accounts are not strictly ascending or a round is
  // skipped.
  core::Status add_round(std::uint64_t round, std::vector<AccountState> states);
  HistoryCommitment commitment() const;
  // Errors: kNotFound for a round or account the builder does not hold.
  core::Result<StateWitness> witness(std::uint64_t round, AccountId account) const;

 private:
  std::uint64_t first_round_ = 0;
  std::vector<std::vector<AccountState>> rounds_;
  std::vector<core::Hash32> step_roots_;
};

// kVerifyFailed unless the witness ties its state to the commitment at its round.
core::Status verify_witness(const HistoryCommitment& c, const StateWitness& w);

}  // namespace basalt::dag
