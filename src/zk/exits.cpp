#include "zk/exits.hpp"

#include <array>

#include "crypto/blake2b.hpp"
#include "crypto/sha256.hpp"
#include "kaspa/script.hpp"

namespace basalt::zk {

namespace {

namespace op = kaspa::op;
using core::Bytes;

constexpr std::uint8_t kLeafTag = 0, kBranchTag = 1, kEmptyTag = 2, kCommitmentTag = 3;

core::Hash32 branch(const core::Hash32& l, const core::Hash32& r) {
  Bytes b{kBranchTag};
  b.insert(b.end(), l.bytes.begin(), l.bytes.end());
  b.insert(b.end(), r.bytes.begin(), r.bytes.end());
  return crypto::sha256(b);
}

void ops(Bytes& s, std::initializer_list<std::uint8_t> codes) {
  s.insert(s.end(), codes.begin(), codes.end());
}
void push(Bytes& s, core::ByteSpan data) {
  kaspa::push_data(s, data);
}

// One level of the claim's walk: [.. sibling dir old new] -> [.. old' new'], the old leaf's and
// the emptied leaf's hashes one level up along the same path; dir 1: they are right children.
void walk_level(Bytes& s) {
  static_assert(kBranchTag == 1);  // OP_1 pushes it
  const Bytes hash_up{op::kCat, op::kTrue, op::kSwap, op::kCat, op::kSha256};
  ops(s, {op::kRot, op::kIf, op::kRot, op::kDup, op::kToAltStack, op::kSwap});
  s.insert(s.end(), hash_up.begin(), hash_up.end());
  ops(s, {op::kSwap, op::kFromAltStack, op::kSwap});
  s.insert(s.end(), hash_up.begin(), hash_up.end());
  ops(s, {op::kSwap, op::kElse, op::kRot, op::kDup, op::kToAltStack});
  s.insert(s.end(), hash_up.begin(), hash_up.end());
  ops(s, {op::kSwap, op::kFromAltStack});
  s.insert(s.end(), hash_up.begin(), hash_up.end());
  ops(s, {op::kSwap, op::kEndIf});
}

// The body for a given own length (it reads itself back from the signature script to rebuild its
// continuation, so it embeds its length; exit_script_body() finds the fixed point).
Bytes body_with_length(std::int64_t length) {
  Bytes s;
  // Witness, bottom to top: (sibling, dir) from the root's level down to the leaf's, the leaf's
  // spk and amount, the root; the prefix pushed the commitment.
  ops(s, {op::kTxInputIndex, op::kFalse, op::kEqualVerify});
  // The commitment covers the root and this output's own value.
  ops(s, {op::kOver});
  push(s, Bytes{kCommitmentTag});
  ops(s, {op::kSwap, op::kCat, op::kFalse, op::kTxInputAmount, op::kCat, op::kSha256,
          op::kEqualVerify, op::kToAltStack});
  // Output 0 pays the leaf.
  ops(s, {op::kDup, op::kFalse, op::kTxOutputAmount, op::kEqualVerify});
  ops(s, {op::kOver, op::kFalse, op::kTxOutputSpk, op::kEqualVerify});
  ops(s, {op::kDup, op::kToAltStack, op::kCat});
  push(s, Bytes{kLeafTag});
  ops(s, {op::kSwap, op::kCat, op::kSha256});
  push(s, exit_empty(0).bytes);
  for (unsigned l = 0; l < kExitTreeDepth; ++l) walk_level(s);
  // [old_root new_root], alt [root amount]: the old root must be the committed one.
  ops(s, {op::kSwap, op::kFromAltStack, op::kFromAltStack, op::kRot, op::kEqualVerify});
  ops(s, {op::kSwap, op::kDup});
  push(s, exit_empty(kExitTreeDepth).bytes);
  ops(s, {op::kEqual, op::kIf});
  // The last exit: nothing continues, and nothing is left over.
  ops(s, {op::kDrop, op::kFalse, op::kTxInputAmount, op::kEqualVerify});
  ops(s, {op::kElse});
  // Output 1: the rest, under the same script with the new root and total.
  ops(s, {op::kSwap, op::kFalse, op::kTxInputAmount, op::kSwap, op::kSub});
  ops(s, {op::kDup, op::kTrue, op::kTxOutputAmount, op::kEqualVerify});
  emit_exit_prefix(s);
  kaspa::emit_cat_own_tail(s, length);
  ops(s, {op::kBlake2b});
  kaspa::emit_p2sh_spk_of_hash(s);
  ops(s, {op::kTrue, op::kTxOutputSpk, op::kEqualVerify});
  ops(s, {op::kEndIf, op::kTrue});
  return s;
}

}  // namespace

void emit_exit_prefix(core::Bytes& s) {
  ops(s, {op::kSwap});
  push(s, Bytes{kCommitmentTag});
  ops(s, {op::kSwap, op::kCat, op::kSwap, op::kCat, op::kSha256});
  push(s, Bytes{0x20});
  ops(s, {op::kSwap, op::kCat});
}

core::Bytes exit_spk_bytes(const exec::Exit& e) {
  return kaspa::spk_introspection_bytes(exec::exit_script_public_key(e));
}

core::Hash32 exit_leaf(const exec::Exit& e) {
  Bytes b{kLeafTag};
  const Bytes spk = exit_spk_bytes(e);
  const Bytes amount = kaspa::script_number(static_cast<std::int64_t>(e.amount));
  b.insert(b.end(), spk.begin(), spk.end());
  b.insert(b.end(), amount.begin(), amount.end());
  return crypto::sha256(b);
}

const core::Hash32& exit_empty(unsigned level) {
  static const std::array<core::Hash32, kExitTreeDepth + 1> kEmpty = [] {
    std::array<core::Hash32, kExitTreeDepth + 1> e;
    e[0] = crypto::sha256(Bytes{kEmptyTag});
    for (unsigned l = 0; l < kExitTreeDepth; ++l) e[l + 1] = branch(e[l], e[l]);
    return e;
  }();
  return kEmpty[level];
}

core::Hash32 exit_commitment(const core::Hash32& root, std::uint64_t total) {
  Bytes b{kCommitmentTag};
  b.insert(b.end(), root.bytes.begin(), root.bytes.end());
  const Bytes n = kaspa::script_number(static_cast<std::int64_t>(total));
  b.insert(b.end(), n.begin(), n.end());
  return crypto::sha256(b);
}

const core::Bytes& exit_script_body() {
  static const Bytes kBody = [] {
    std::int64_t length = 0;
    for (;;) {
      Bytes b = body_with_length(length);
      if (static_cast<std::int64_t>(b.size()) == length) return b;
      length = static_cast<std::int64_t>(b.size());
    }
  }();
  return kBody;
}

core::Bytes exit_redeem(const core::Hash32& root, std::uint64_t total) {
  Bytes r;
  push(r, exit_commitment(root, total).bytes);
  const Bytes& body = exit_script_body();
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

core::Result<ExitTree> ExitTree::build(std::vector<exec::Exit> exits) {
  ExitTree t;
  for (const auto& e : exits) {
    if (e.amount > exec::kMaxExitAmount - t.total_) {
      return core::Error{core::ErrorCode::kOutOfRange,
                         "exits total more than " + std::to_string(exec::kMaxExitAmount)};
    }
    t.total_ += e.amount;
  }
  t.exits_ = std::move(exits);
  t.claimed_.assign(t.exits_.size(), false);
  t.rebuild();
  return t;
}

void ExitTree::rebuild() {
  levels_.assign(1, {});
  for (std::size_t i = 0; i < exits_.size(); ++i)
    levels_[0].push_back(claimed_[i] ? exit_empty(0) : exit_leaf(exits_[i]));
  while (levels_.back().size() > 1) {
    const unsigned l = static_cast<unsigned>(levels_.size() - 1);
    std::vector<core::Hash32> up;
    for (std::size_t i = 0; i < levels_[l].size(); i += 2)
      up.push_back(branch(node(l, i), node(l, i + 1)));
    levels_.push_back(std::move(up));
  }
}

core::Hash32 ExitTree::node(unsigned level, std::size_t i) const {
  if (level < levels_.size() && i < levels_[level].size()) return levels_[level][i];
  return exit_empty(level);
}

core::Hash32 ExitTree::root() const {
  core::Hash32 h = node(static_cast<unsigned>(levels_.size() - 1), 0);
  for (unsigned l = static_cast<unsigned>(levels_.size() - 1); l < kExitTreeDepth; ++l)
    h = branch(h, exit_empty(l));
  return h;
}

core::Hash32 ExitTree::permission_spk_hash() const {
  if (exits_.empty()) return core::Hash32::zero();
  return crypto::blake2b_256(redeem());
}

core::Bytes ExitTree::claim_witness(std::size_t i) const {
  Bytes s;
  for (unsigned l = kExitTreeDepth; l-- > 0;) {
    push(s, node(l, (i >> l) ^ 1).bytes);
    push(s, ((i >> l) & 1) ? Bytes{1} : Bytes{});
  }
  const exec::Exit& e = exits_[i];
  push(s, exit_spk_bytes(e));
  push(s, kaspa::script_number(static_cast<std::int64_t>(e.amount)));
  push(s, root().bytes);
  push(s, redeem());
  return s;
}

void ExitTree::claim(std::size_t i) {
  if (claimed_[i]) return;
  claimed_[i] = true;
  total_ -= exits_[i].amount;
  rebuild();
}

core::Result<core::Hash32> permission_spk_hash(std::vector<exec::Exit> exits) {
  BASALT_ASSIGN_OR_RETURN(const ExitTree t, ExitTree::build(std::move(exits)));
  return t.permission_spk_hash();
}

}  // namespace basalt::zk
