// Exits on L1 (docs/settlement.md, "Exits"): the exits of a bundle, in (batch, transaction, exit)
// order, are the leaves of a left-packed binary Merkle tree of depth 32; a settlement moves their
// total out of the covenant into one *exit output* whose script releases one leaf per spend to
// the address it names. The aggregator commits the exit output's P2SH hash as the journal's
// permission_spk_hash (zero without exits); the covenant rebuilds it from the witnessed root and
// total, so the exit output the settlement creates is exactly the one the proof describes.
//
//   leaf(e)    = SHA-256(0x00 || spk(e) || n(amount))   spk: u16 version big-endian || script
//   branch     = SHA-256(0x01 || left || right)         n(x): the script number encoding of x
//   empty[0]   = SHA-256(0x02), empty[l + 1] = branch(empty[l], empty[l])
//   commitment = SHA-256(0x03 || root || n(total))
//   redeem     = 0x20 <commitment> || body             (body: exit_script_body())
//
// A claim (ExitTree::claim_witness) proves a leaf under the root and replaces it by empty[0] along
// the same path; output 0 must pay the leaf's amount to its script, and output 1 must carry the
// rest in the exit script with the new root and total — unless the tree is empty then, when nothing
// continues. The script checks its commitment against the UTXO's own value, so it holds exactly
// the total it commits. Anyone may submit a claim (it can only pay the leaf's owner), as input 0.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "exec/abi.hpp"

namespace basalt::zk {

inline constexpr unsigned kExitTreeDepth = 32;

// The exit's script public key as OpTxOutputSpk shows it: u16 version big-endian || script.
core::Bytes exit_spk_bytes(const exec::Exit& e);
core::Hash32 exit_leaf(const exec::Exit& e);
// empty[level], level <= kExitTreeDepth.
const core::Hash32& exit_empty(unsigned level);
core::Hash32 exit_commitment(const core::Hash32& root, std::uint64_t total);
// The exit script after its 33-byte prefix; the same for every exit output.
const core::Bytes& exit_script_body();
core::Bytes exit_redeem(const core::Hash32& root, std::uint64_t total);
// In script: [.. root total] -> [.. 0x20 <commitment>], the exit script's prefix (the covenant
// and the exit script rebuild it).
void emit_exit_prefix(core::Bytes& script);

// A bundle's exits as a tree, with the leaves claimed so far emptied.
class ExitTree {
 public:
  // Errors: kOutOfRange when the total exceeds exec::kMaxExitAmount.
  static core::Result<ExitTree> build(std::vector<exec::Exit> exits);

  const std::vector<exec::Exit>& exits() const { return exits_; }
  bool empty() const { return exits_.empty(); }
  core::Hash32 root() const;
  // What is still unclaimed.
  std::uint64_t total() const { return total_; }
  bool claimed(std::size_t i) const { return claimed_[i]; }
  // The journal's permission_spk_hash: zero without exits, else BLAKE2b-256 of the redeem script.
  core::Hash32 permission_spk_hash() const;
  core::Bytes redeem() const { return exit_redeem(root(), total_); }

  // The signature script that claims exit i from the exit output with the current root (which
  // should be unclaimed; a claimed one gets its old leaf, which the script refuses): the path and
  // the leaf, then the redeem script.
  core::Bytes claim_witness(std::size_t i) const;
  // Marks exit i claimed (after its claim was accepted); once only.
  void claim(std::size_t i);

 private:
  std::vector<exec::Exit> exits_;
  std::vector<bool> claimed_;
  std::vector<std::vector<core::Hash32>> levels_;  // levels_[0]: the leaves; up to one node
  std::uint64_t total_ = 0;

  void rebuild();
  core::Hash32 node(unsigned level, std::size_t i) const;
};

// The permission_spk_hash of exits in order (zero for none). Errors: those of ExitTree::build.
core::Result<core::Hash32> permission_spk_hash(std::vector<exec::Exit> exits);

}  // namespace basalt::zk
