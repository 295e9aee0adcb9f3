#include "dag/commitment.hpp"

#include <algorithm>
#include <optional>

#include "crypto/sha256.hpp"

namespace basalt::dag {

namespace {

using core::Error;
using core::ErrorCode;
using core::Hash32;

Hash32 account_leaf(const AccountState& s) {
  crypto::Sha256 h;
  const std::uint8_t head[5] = {
      0x00, static_cast<std::uint8_t>(s.account.v), static_cast<std::uint8_t>(s.account.v >> 8),
      static_cast<std::uint8_t>(s.account.v >> 16), static_cast<std::uint8_t>(s.account.v >> 24)};
  h.update(head);
  h.update(s.value.span());
  return h.finalize();
}

Hash32 step_leaf(std::uint64_t round, const Hash32& step_root) {
  crypto::Sha256 h;
  std::uint8_t head[9] = {0x01};
  for (int i = 0; i < 8; ++i) head[1 + i] = static_cast<std::uint8_t>(round >> (8 * i));
  h.update(head);
  h.update(step_root.span());
  return h.finalize();
}

Hash32 node(const Hash32& l, const Hash32& r) {
  crypto::Sha256 h;
  const std::uint8_t tag = 0x02;
  h.update({&tag, 1});
  h.update(l.span());
  h.update(r.span());
  return h.finalize();
}

Hash32 root_of(std::vector<Hash32> level) {
  if (level.empty()) return {};
  while (level.size() > 1) {
    std::vector<Hash32> up;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2)
      up.push_back(node(level[i], level[i + 1]));
    if (level.size() % 2 == 1) up.push_back(level.back());
    level = std::move(up);
  }
  return level[0];
}

MerklePath path_of(std::vector<Hash32> level, std::uint32_t index) {
  MerklePath p{index, static_cast<std::uint32_t>(level.size()), {}};
  std::size_t i = index;
  while (level.size() > 1) {
    if ((i ^ 1) < level.size()) p.siblings.push_back(level[i ^ 1]);
    std::vector<Hash32> up;
    for (std::size_t k = 0; k + 1 < level.size(); k += 2)
      up.push_back(node(level[k], level[k + 1]));
    if (level.size() % 2 == 1) up.push_back(level.back());
    level = std::move(up);
    i /= 2;
  }
  return p;
}

// The root a path leads to from `leaf`; nullopt when the path's shape does not fit its count.
std::optional<Hash32> climb(Hash32 leaf, const MerklePath& p) {
  if (p.count == 0 || p.index >= p.count) return std::nullopt;
  std::size_t i = p.index, n = p.count, used = 0;
  while (n > 1) {
    if ((i ^ 1) < n) {
      if (used == p.siblings.size()) return std::nullopt;
      const Hash32& s = p.siblings[used++];
      leaf = (i & 1) ? node(s, leaf) : node(leaf, s);
    }
    i /= 2;
    n = (n + 1) / 2;
  }
  if (used != p.siblings.size()) return std::nullopt;
  return leaf;
}

}  // namespace

core::Status HistoryBuilder::add_round(std::uint64_t round, std::vector<AccountState> states) {
  if (!rounds_.empty() && round != first_round_ + rounds_.size()) {
    return Error{ErrorCode::kInvalid, "history: rounds must be consecutive"};
  }
  for (std::size_t i = 1; i < states.size(); ++i) {
    if (!(states[i - 1].account < states[i].account)) {
      return Error{ErrorCode::kInvalid, "history: accounts not strictly ascending"};
    }
  }
  if (rounds_.empty()) first_round_ = round;
  std::vector<Hash32> leaves;
  for (const auto& s : states) leaves.push_back(account_leaf(s));
  step_roots_.push_back(root_of(std::move(leaves)));
  rounds_.push_back(std::move(states));
  return core::Status::Ok();
}

HistoryCommitment HistoryBuilder::commitment() const {
  std::vector<Hash32> leaves;
  for (std::size_t j = 0; j < step_roots_.size(); ++j) {
    leaves.push_back(step_leaf(first_round_ + j, step_roots_[j]));
  }
  return {first_round_, first_round_ + rounds_.size() - (rounds_.empty() ? 0 : 1),
          root_of(std::move(leaves))};
}

core::Result<StateWitness> HistoryBuilder::witness(std::uint64_t round, AccountId account) const {
  if (round < first_round_ || round >= first_round_ + rounds_.size()) {
    return Error{ErrorCode::kNotFound, "history: round not covered"};
  }
  const std::size_t j = round - first_round_;
  const auto& states = rounds_[j];
  auto it = std::lower_bound(states.begin(), states.end(), account,
                             [](const AccountState& s, AccountId a) { return s.account < a; });
  if (it == states.end() || it->account != account) {
    return Error{ErrorCode::kNotFound, "history: account not in this vProg's state"};
  }
  StateWitness w;
  w.round = round;
  w.state = *it;
  std::vector<Hash32> leaves;
  for (const auto& s : states) leaves.push_back(account_leaf(s));
  w.in_step = path_of(std::move(leaves), static_cast<std::uint32_t>(it - states.begin()));
  w.step_root = step_roots_[j];
  std::vector<Hash32> steps;
  for (std::size_t k = 0; k < step_roots_.size(); ++k)
    steps.push_back(step_leaf(first_round_ + k, step_roots_[k]));
  w.in_history = path_of(std::move(steps), static_cast<std::uint32_t>(j));
  return w;
}

core::Status verify_witness(const HistoryCommitment& c, const StateWitness& w) {
  if (w.round < c.first_round || w.round > c.last_round ||
      w.in_history.index != w.round - c.first_round ||
      w.in_history.count != c.last_round - c.first_round + 1) {
    return Error{ErrorCode::kVerifyFailed, "witness: round outside the commitment"};
  }
  const auto step = climb(account_leaf(w.state), w.in_step);
  if (!step || *step != w.step_root) {
    return Error{ErrorCode::kVerifyFailed, "witness: state not in the step root"};
  }
  const auto root = climb(step_leaf(w.round, w.step_root), w.in_history);
  if (!root || *root != c.root) {
    return Error{ErrorCode::kVerifyFailed, "witness: step root not in the commitment"};
  }
  return core::Status::Ok();
}

}  // namespace basalt::dag
