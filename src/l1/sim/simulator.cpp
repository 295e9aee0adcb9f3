#include "l1/sim/simulator.hpp"

#include <algorithm>
#include <string>

#include "core/assert.hpp"
#include "crypto/domain.hpp"
#include "kaspa/covenant.hpp"
#include "kaspa/mass.hpp"

namespace basalt::l1::sim {

using core::Hash32;
using kaspa::LaneId;
using kaspa::LaneKey;
using kaspa::Transaction;

namespace {

constexpr std::uint64_t kWorkPerBlock = 1'000'000;
constexpr std::uint64_t kGenesisDaaScore = 1'000'000;

Hash32 seeded_hash(std::string_view tag, std::uint64_t seed) {
  crypto::DomainHasher h(crypto::Domain::kBlockHash);
  h.update({reinterpret_cast<const std::uint8_t*>(tag.data()), tag.size()}).update_u64_le(seed);
  return h.finalize();
}

core::Bytes ascii(const std::string& s) {
  return core::Bytes(s.begin(), s.end());
}

}  // namespace

Simulator::Simulator(SimParams params) : params_(params), rng_(params.seed) {
  Block g;
  g.hash = BlockHash(seeded_hash("basalt-sim genesis hash", params_.seed));
  g.seq_commit = SeqCommit(seeded_hash("basalt-sim genesis seq_commit", params_.seed));
  g.daa_score = kGenesisDaaScore;
  g.blue_work = kWorkPerBlock;
  g.timestamp = params_.genesis_timestamp;
  g.chain = true;
  Transaction cb;
  cb.version = kaspa::kTxVersionToccata;
  cb.subnetwork_id = kaspa::kCoinbaseLaneId;
  cb.payload = ascii("basalt-sim genesis");
  // The faucet: a key derived from the seed owns the genesis outputs.
  Hash32 sk = seeded_hash("basalt-sim faucet key", params_.seed);
  sk.bytes[0] &= 0x7f;  // below the group order
  faucet_key_ = std::move(crypto::SecretKey::from_bytes(sk.bytes)).value();
  const kaspa::ScriptPublicKey faucet_spk = kaspa::p2pk_script(faucet_key_->public_key());
  for (std::uint32_t i = 0; i < params_.faucet_outputs; ++i) {
    cb.outputs.push_back({params_.faucet_amount, faucet_spk, std::nullopt});
  }
  g.txs.push_back(cb);
  for (std::uint32_t i = 0; i < params_.faucet_outputs; ++i) {
    utxos_[{kaspa::tx_id(cb), i}] = {params_.faucet_amount, faucet_spk, true, std::nullopt};
  }
  g.tx_ids.push_back(kaspa::tx_id(cb));
  genesis_ = g.hash;
  tips_ = {g.hash};
  chain_commits_.emplace_back(0, g.seq_commit);
  blocks_.emplace(g.hash, std::move(g));
}

BlockHash Simulator::new_hash() {
  Hash32 h;
  for (std::size_t i = 0; i < 32; i += 8) {
    std::uint64_t v = rng_();
    for (int j = 0; j < 8; ++j) h.bytes[i + j] = static_cast<std::uint8_t>(v >> (8 * j));
  }
  return BlockHash(h);
}

bool Simulator::less_work(const BlockHash& x, const BlockHash& y) const {
  // Kaspa's order of blocks: blue work, then hash (kip21 §3.1 step 1).
  const std::uint64_t wx = blocks_.at(x).blue_work, wy = blocks_.at(y).blue_work;
  return wx != wy ? wx < wy : x < y;
}

bool Simulator::is_ancestor(const BlockHash& a, const BlockHash& b) const {
  // Depth-first from b through parents; an ancestor's blue score is strictly lower, which bounds
  // the search to the few blocks between the two.
  const std::uint64_t floor = blocks_.at(a).blue_score;
  std::vector<BlockHash> stack = {b};
  std::map<BlockHash, bool> seen;
  while (!stack.empty()) {
    BlockHash x = stack.back();
    stack.pop_back();
    if (x == a) return true;
    if (seen[x]) continue;
    seen[x] = true;
    for (const auto& p : blocks_.at(x).parents) {
      if (blocks_.at(p).blue_score >= floor) stack.push_back(p);
    }
  }
  return false;
}

std::vector<BlockHash> Simulator::mergeset_of(const Block& b) const {
  const BlockHash& sp = b.parents.front();
  std::vector<BlockHash> others;
  std::vector<BlockHash> stack(b.parents.begin() + 1, b.parents.end());
  while (!stack.empty()) {
    BlockHash x = stack.back();
    stack.pop_back();
    if (x == sp || std::find(others.begin(), others.end(), x) != others.end() || is_ancestor(x, sp))
      continue;
    others.push_back(x);
    for (const auto& p : blocks_.at(x).parents) stack.push_back(p);
  }
  // kip21 §3.1 step 1: the selected parent, then the rest by ascending (blue_work, hash).
  std::sort(others.begin(), others.end(),
            [&](const BlockHash& x, const BlockHash& y) { return less_work(x, y); });
  std::vector<BlockHash> out = {sp};
  out.insert(out.end(), others.begin(), others.end());
  return out;
}

Block Simulator::make_block(const std::vector<BlockHash>& parents, std::uint64_t step) {
  Block b;
  b.hash = new_hash();
  // The selected parent has the highest (blue_work, hash); it is listed first.
  b.parents = parents;
  auto sp =
      std::max_element(b.parents.begin(), b.parents.end(),
                       [&](const BlockHash& x, const BlockHash& y) { return less_work(x, y); });
  std::iter_swap(b.parents.begin(), sp);
  std::sort(b.parents.begin() + 1, b.parents.end());
  const Block& spb = blocks_.at(b.parents.front());
  b.mergeset = mergeset_of(b);
  const std::size_t merged = b.mergeset.size();
  b.blue_score = spb.blue_score + merged;
  b.daa_score = spb.daa_score + merged;
  b.blue_work = spb.blue_work + merged * kWorkPerBlock;
  b.timestamp = params_.genesis_timestamp + step * params_.block_interval_ms + (rng_() % 7);

  Transaction cb;
  cb.version = kaspa::kTxVersionToccata;
  cb.subnetwork_id = kaspa::kCoinbaseLaneId;
  cb.payload =
      ascii("basalt-sim miner " + std::to_string(rng_() % 1000) + " " + b.hash.hex().substr(0, 16));
  b.txs.push_back(std::move(cb));
  // Submitted transactions go into the next block produced, unless they pay below the fee floor.
  std::vector<Transaction> waiting;
  for (auto& tx : mempool_) {
    if (fee_floor_ > 0 && fee_rate(tx) < fee_floor_) {
      waiting.push_back(std::move(tx));
    } else {
      b.txs.push_back(std::move(tx));
    }
  }
  mempool_ = std::move(waiting);
  mempool_spent_.clear();
  for (const auto& tx : mempool_)
    for (const auto& in : tx.inputs) mempool_spent_.insert(in.previous_outpoint);
  if (load_) {
    for (auto& tx : load_(step)) b.txs.push_back(std::move(tx));
    for (const auto& tx : b.txs) b.tx_ids.push_back(kaspa::tx_id(tx));
    return b;
  }
  std::uniform_int_distribution<std::uint32_t> permille(0, 999);
  for (std::uint32_t lane = 0; lane < params_.lanes; ++lane) {
    if (permille(rng_) < params_.lane_skip_permille) continue;
    std::uint32_t n = params_.tx_per_block / std::max<std::uint32_t>(params_.lanes, 1);
    if (lane < params_.tx_per_block % std::max<std::uint32_t>(params_.lanes, 1)) ++n;
    for (std::uint32_t k = 0; k < n; ++k) {
      Transaction tx;
      tx.version = kaspa::kTxVersionToccata;
      tx.subnetwork_id = LaneId::from_namespace({0, 0, 1, static_cast<std::uint8_t>(lane)});
      std::string body =
          "op " + std::to_string(++tx_nonce_) + " " + std::to_string(rng_() % 100000);
      tx.payload = ascii(body);
      b.txs.push_back(std::move(tx));
    }
  }
  for (const auto& tx : b.txs) b.tx_ids.push_back(kaspa::tx_id(tx));
  return b;
}

void Simulator::refuse(const kaspa::TxId& id, std::string why) {
  if (refusals_.emplace(id, std::move(why)).second) refusal_order_.push_back(id);
  if (refusal_order_.size() > kRefusalsKept) {
    refusals_.erase(refusal_order_.front());
    refusal_order_.pop_front();
  }
}

ChainBlock Simulator::commit_chain_block(const Block& b) {
  const Block& sp = blocks_.at(b.parents.front());
  const std::uint64_t f = params_.finality_depth;
  ChainBlock c;
  c.hash = b.hash;
  c.selected_parent = sp.hash;
  c.mergeset = b.mergeset;
  c.parent_seq_commit = sp.seq_commit;

  // kip21 §3.1 steps 2-3: accepted transactions in mergeset order with one global merge_idx; the
  // selected parent's coinbase first, other coinbases never; an id already accepted is not again.
  std::map<LaneId, std::vector<Hash32>> leaves;
  std::uint32_t merge_idx = 0;
  for (std::size_t m = 0; m < c.mergeset.size(); ++m) {
    const Block& x = blocks_.at(c.mergeset[m]);
    for (std::size_t t = (m == 0 ? 0 : 1); t < x.txs.size(); ++t) {
      const Transaction& tx = x.txs[t];
      const kaspa::TxId& id = x.tx_ids[t];
      if (accepted_ids_.count(id)) continue;
      // A transaction whose input is missing or already spent (a double spend) is not accepted.
      bool inputs_unspent = true;
      for (const auto& in : tx.inputs) inputs_unspent &= utxos_.count(in.previous_outpoint) > 0;
      if (!inputs_unspent) {
        refuse(id, "an input was missing or already spent when a chain block merged it");
        continue;
      }
      // Script spends are checked again here: their outcome may depend on the chain (the context
      // selected parent is this block's, which the chain still ends at).
      if (auto st = check_script_spends(tx); !st.ok()) {
        refuse(id, st.error().context());
        continue;
      }
      accepted_ids_.insert(id);
      Undo& undo = undo_.back();
      for (const auto& in : tx.inputs) {
        auto it = utxos_.find(in.previous_outpoint);
        undo.spent.emplace_back(it->first, it->second);
        utxos_.erase(it);
      }
      for (std::uint32_t o = 0; o < tx.outputs.size(); ++o) {
        kaspa::Outpoint op{id, o};
        const auto& cov = tx.outputs[o].covenant;
        utxos_[op] = {tx.outputs[o].value, tx.outputs[o].script_public_key, m == 0 && t == 0,
                      cov ? std::optional(cov->covenant_id) : std::nullopt};
        undo.created.push_back(op);
      }
      c.accepted.push_back({id, tx.version, tx.subnetwork_id, merge_idx, tx});
      leaves[tx.subnetwork_id].push_back(kaspa::activity_leaf(id, tx.version, merge_idx));
      ++merge_idx;
    }
  }

  // Step 4: the selected parent's timestamp with this block's DAA and blue scores.
  c.context = {sp.timestamp, b.daa_score, b.blue_score};
  const Hash32 ctx_hash = kaspa::mergeset_context_hash(c.context);

  // Step 6 first: lanes whose last touch is more than F blue score back leave the SMT. A lane
  // touched in this block is handled by step 5, as a new lane when it had expired.
  const auto active = [&](const LaneState& s) { return s.last_bs + f >= b.blue_score; };
  for (auto it = lanes_.begin(); it != lanes_.end();) {
    if (!active(it->second) && !leaves.count(touched_.at(it->first))) {
      smt_.remove(it->first);
      it = lanes_.erase(it);
    } else {
      ++it;
    }
  }
  // Step 5: the touched lanes' new tips; an inactive or new lane anchors on the parent SeqCommit.
  for (const auto& [lane, lane_leaves] : leaves) {
    LaneKey key = kaspa::lane_key(lane);
    auto it = lanes_.find(key);
    Hash32 parent_ref =
        it != lanes_.end() && active(it->second) ? it->second.tip.hash() : sp.seq_commit.hash();
    kaspa::LaneTip tip =
        kaspa::lane_tip_next(parent_ref, key, kaspa::activity_digest_lane(lane_leaves), ctx_hash);
    lanes_[key] = {tip, b.blue_score};
    touched_[key] = lane;
    smt_.insert(key, kaspa::smt_leaf_hash(tip, b.blue_score));
  }

  // Step 7: one miner payload leaf per mergeset block.
  std::vector<Hash32> payload_leaves;
  for (const auto& h : c.mergeset) {
    const Block& x = blocks_.at(h);
    payload_leaves.push_back(
        kaspa::miner_payload_leaf(h, kaspa::BlueWork::from_u64(x.blue_work), x.txs[0].payload));
  }
  c.miner_payload_root = kaspa::miner_payload_root(payload_leaves);
  c.payload_and_ctx_digest = kaspa::payload_and_context_digest(ctx_hash, c.miner_payload_root);

  // Step 8: the SeqCommit of the highest chain block with blue score <= bs - F - 1 (genesis early
  // on).
  c.inactivity_shortcut = chain_commits_.front().second;
  if (b.blue_score >= f + 1) {
    const std::uint64_t target = b.blue_score - f - 1;
    auto it = std::upper_bound(chain_commits_.begin(), chain_commits_.end(), target,
                               [](std::uint64_t v, const auto& e) { return v < e.first; });
    c.inactivity_shortcut = std::prev(it)->second;
  }

  // Step 9.
  const Hash32 lanes_root = smt_.root();
  c.activity_root = kaspa::activity_root_hash(c.inactivity_shortcut, lanes_root);
  c.seq_commit = kaspa::seq_commit(
      sp.seq_commit, kaspa::seq_state_root(c.activity_root, c.payload_and_ctx_digest));
  chain_commits_.emplace_back(b.blue_score, c.seq_commit);

  for (const auto& [key, state] : lanes_)
    c.lane_leaves.emplace_back(key, kaspa::smt_leaf_hash(state.tip, state.last_bs));
  for (const auto& [key, lane] : touched_) {
    LaneProof p;
    p.lane_key = key;
    if (auto it = lanes_.find(key); it != lanes_.end()) {
      p.lane_tip = it->second.tip;
      p.lane_blue_score = it->second.last_bs;
    }
    p.smt_proof = smt_.prove(key);
    p.payload_and_ctx_digest = c.payload_and_ctx_digest;
    p.parent_seq_commit = c.parent_seq_commit;
    p.inactivity_shortcut = c.inactivity_shortcut;
    c.lane_proofs.push_back(std::move(p));
  }
  return c;
}

const ChainBlock& Simulator::step() {
  if (params_.reorg_every > 0 && steps_ > 0 && steps_ % params_.reorg_every == 0) {
    std::uint64_t max_depth =
        std::min<std::uint64_t>({params_.reorg_depth, params_.finality_depth - 1, chain_.size()});
    if (max_depth >= 1)
      reorg(1 + rng_() % max_depth).ignore();  // the depth is within range by construction
  }
  ++steps_;
  const std::uint32_t parallel = static_cast<std::uint32_t>(rng_() % (params_.max_parallel + 1));
  std::vector<BlockHash> produced;
  for (std::uint32_t i = 0; i <= parallel; ++i) {
    Block b = make_block(tips_, steps_);
    // Now and then a parallel block carries a transaction of its sibling: accepted once only. Its
    // sibling's last one, from the generated load when there is any: what the mempool held (a
    // node's settlements, whose timing is the node's) then changes neither the draws nor which
    // lane transaction is carried twice, so the chain's lanes do not depend on it.
    if (!produced.empty() && b.txs.size() > 1 && rng_() % 4 == 0) {
      const Block& sibling = blocks_.at(produced.front());
      if (sibling.txs.size() > 1) {
        b.txs.push_back(sibling.txs.back());
        b.tx_ids.push_back(sibling.tx_ids.back());
      }
    }
    produced.push_back(b.hash);
    blocks_.emplace(b.hash, std::move(b));
  }
  // The chain continues through the produced block with the highest (blue_work, hash); the others
  // are merged by the next step's blocks.
  BlockHash chain_tip =
      *std::max_element(produced.begin(), produced.end(),
                        [&](const BlockHash& x, const BlockHash& y) { return less_work(x, y); });
  extend_chain(blocks_.at(chain_tip));
  tips_ = produced;
  prune();
  return chain_.back();
}

void Simulator::prune() {
  const BlockHash pp = pruning_point();
  if (pp == genesis_ || params_.keep_history) return;
  // Every block still needed lies above the pruning point: reorgs are shallower than F, mergesets
  // reach back a few blocks, and SeqCommit lookups (inactivity shortcuts at F + 1) stay above it.
  const std::uint64_t floor = blocks_.at(pp).blue_score;
  std::erase_if(blocks_,
                [&](const auto& e) { return e.second.blue_score < floor && e.first != genesis_; });
  while (!chain_.empty() && chain_.front().context.blue_score < floor) {
    chain_index_.erase(chain_.front().hash);
    chain_.forget_before(chain_.first() + 1);
  }
  while (!chain_commits_.empty() && chain_commits_.front().first < floor)
    chain_commits_.pop_front();
}

void Simulator::extend_chain(Block& tip) {
  BASALT_ASSERT(tip.parents.front() == (chain_.empty() ? genesis_ : chain_.back().hash));
  if (undo_.size() >= params_.finality_depth) {
    for (const auto& id : undo_.front().accepted) accepted_ids_.erase(id);
    undo_.pop_front();
  }
  undo_.push_back(Undo{lanes_, {}, {}, {}});
  tip.chain = true;
  chain_.push_back(commit_chain_block(tip));
  const ChainBlock& c = chain_.back();
  for (const auto& a : c.accepted) undo_.back().accepted.push_back(a.tx_id);
  tip.seq_commit = c.seq_commit;
  chain_index_[tip.hash] = chain_.size() - 1;
  pending_.added.push_back(info_of(c));
}

ChainBlockInfo Simulator::info_of(const ChainBlock& c) {
  return {c.hash,
          c.selected_parent,
          c.parent_seq_commit,
          c.context.timestamp,
          c.context.blue_score,
          c.context.daa_score,
          c.seq_commit,
          c.activity_root,
          c.payload_and_ctx_digest,
          c.accepted,
          {}};
}

void Simulator::rebuild_smt() {
  smt_ = kaspa::LaneSmt();
  for (const auto& [key, state] : lanes_)
    smt_.insert(key, kaspa::smt_leaf_hash(state.tip, state.last_bs));
}

core::Status Simulator::reorg(std::uint64_t depth) {
  if (depth == 0 || depth >= params_.finality_depth || depth > chain_.size()) {
    return core::Error{core::ErrorCode::kOutOfRange,
                       "reorg depth must be in [1, F) and within the chain"};
  }
  const std::uint64_t old_work = blocks_.at(chain_.back().hash).blue_work;
  // What the removed blocks accepted goes back to the mempool, ahead of what waits there and in
  // the order it was accepted, as kaspad does: the competing branch's first block takes it again.
  std::vector<Transaction> returned;
  for (std::uint64_t i = depth; i > 0; --i) {
    for (const auto& a : chain_[chain_.size() - i].accepted) {
      if (a.lane != kaspa::kCoinbaseLaneId) returned.push_back(a.tx);
    }
  }
  // The last step's blocks (the chain tip among them) were not merged by anything yet.
  for (const auto& t : tips_) {
    const Block& b = blocks_.at(t);
    returned.insert(returned.end(), b.txs.begin() + 1, b.txs.end());
  }
  // Undo the top blocks, highest first; the event lists them in that order.
  for (std::uint64_t i = 0; i < depth; ++i) {
    const ChainBlock& c = chain_.back();
    pending_.removed.push_back(c.hash);
    blocks_.at(c.hash).chain = false;
    lanes_ = undo_.back().lanes_before;
    for (const auto& op : undo_.back().created) utxos_.erase(op);
    for (const auto& [op, entry] : undo_.back().spent) utxos_[op] = entry;
    for (const auto& id : undo_.back().accepted) accepted_ids_.erase(id);
    chain_index_.erase(c.hash);
    chain_commits_.pop_back();
    chain_.pop_back();
    undo_.pop_back();
  }
  rebuild_smt();
  for (const auto& tx : returned) {
    for (const auto& in : tx.inputs) mempool_spent_.insert(in.previous_outpoint);
  }
  mempool_.insert(mempool_.begin(), std::make_move_iterator(returned.begin()),
                  std::make_move_iterator(returned.end()));
  // Grow the competing branch one block at a time until it carries more blue work.
  BlockHash parent = chain_.empty() ? genesis_ : chain_.back().hash;
  for (;;) {
    ++steps_;
    Block b = make_block({parent}, steps_);
    BlockHash h = b.hash;
    blocks_.emplace(h, std::move(b));
    extend_chain(blocks_.at(h));
    parent = h;
    if (blocks_.at(h).blue_work > old_work) break;
  }
  tips_ = {parent};
  ++reorgs_;
  return core::Status::Ok();
}

core::Status Simulator::produce_block() {
  step();
  pending_ = {};
  return core::Status::Ok();
}

core::Result<ChainChanged> Simulator::next_chain_changes() {
  ChainChanged out = std::move(pending_);
  pending_ = {};
  return out;
}

core::Result<Simulator::ChainPath> Simulator::path_from(
    const std::optional<BlockHash>& start) const {
  ChainPath out;
  if (start && *start != genesis_) {
    // Off the chain: walk down the abandoned branch to where it left the chain.
    BlockHash h = *start;
    for (;;) {
      auto it = blocks_.find(h);
      if (it == blocks_.end()) {
        return core::Error{core::ErrorCode::kNotFound,
                           "block " + start->hex() + " is unknown or pruned"};
      }
      if (it->second.chain || h == genesis_) break;
      out.removed.push_back(h);
      h = it->second.parents.front();
    }
    if (h != genesis_) out.next = chain_index_.at(h) + 1;
  }
  if (out.next < chain_.first()) {
    return core::Error{core::ErrorCode::kNotFound,
                       "the chain after the start block is pruned (below the pruning point)"};
  }
  return out;
}

core::Result<ChainChanged> Simulator::chain_from(const std::optional<BlockHash>& start,
                                                 std::size_t max_added) const {
  BASALT_ASSIGN_OR_RETURN(ChainPath path, path_from(start));
  ChainChanged out;
  out.removed = std::move(path.removed);
  for (std::size_t i = path.next; i < chain_.size() && out.added.size() < max_added; ++i)
    out.added.push_back(info_of(chain_[i]));
  return out;
}

core::Result<LaneProof> Simulator::lane_proof(const BlockHash& block,
                                              const kaspa::LaneKey& key) const {
  // Genesis commits no lane: every key is absent from its (empty) lane SMT.
  if (block == genesis_)
    return LaneProof{key, std::nullopt, std::nullopt, kaspa::LaneSmt().prove(key), {}, {}, {}};
  auto it = chain_index_.find(block);
  if (it == chain_index_.end())
    return core::Error{core::ErrorCode::kNotFound, "block is not on the selected chain"};
  if (blocks_.at(block).blue_score < blocks_.at(pruning_point()).blue_score) {
    return core::Error{core::ErrorCode::kNotFound, "block is below the pruning point"};
  }
  const ChainBlock& c = chain_[it->second];
  for (const auto& p : c.lane_proofs) {
    if (p.lane_key == key) return p;
  }
  // A lane never touched: not in the block's lane SMT.
  kaspa::LaneSmt smt;
  for (const auto& [k, leaf] : c.lane_leaves) smt.insert(k, leaf);
  return LaneProof{key,
                   std::nullopt,
                   std::nullopt,
                   smt.prove(key),
                   c.payload_and_ctx_digest,
                   c.parent_seq_commit,
                   c.inactivity_shortcut};
}

std::optional<kaspa::UtxoEntry> Simulator::utxo(const kaspa::Outpoint& op) const {
  auto it = utxos_.find(op);
  if (it == utxos_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> Simulator::unspent(
    const kaspa::ScriptPublicKey& spk) const {
  std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> out;
  for (const auto& [op, e] : utxos_) {
    if (e.script_public_key == spk) out.emplace_back(op, e);
  }
  return out;
}

core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Simulator::spendable(
    const kaspa::ScriptPublicKey& spk) const {
  const std::set<kaspa::Outpoint> in_blocks = spent_by_waiting_blocks();
  std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> out;
  for (const auto& [op, e] : utxos_) {
    if (e.script_public_key == spk && !mempool_spent_.count(op) && !in_blocks.count(op))
      out.emplace_back(op, e);
  }
  return out;
}

std::set<kaspa::Outpoint> Simulator::spent_by_waiting_blocks() const {
  std::set<kaspa::Outpoint> out;
  for (const auto& t : tips_) {
    const Block& b = blocks_.at(t);
    for (std::size_t i = 1; i < b.txs.size(); ++i)
      for (const auto& in : b.txs[i].inputs) out.insert(in.previous_outpoint);
  }
  return out;
}

bool Simulator::in_waiting_block(const kaspa::TxId& id) const {
  for (const auto& t : tips_) {
    const Block& b = blocks_.at(t);
    if (std::find(b.tx_ids.begin() + 1, b.tx_ids.end(), id) != b.tx_ids.end()) return true;
  }
  return false;
}

core::Status Simulator::submit_transaction(const Transaction& tx) {
  using core::Error;
  using core::ErrorCode;
  // Everything is checked before anything changes: a rejected transaction leaves no trace.
  if (auto st = kaspa::check_transaction_in_isolation(tx); !st.ok()) return st;
  if (tx.inputs.empty())
    return Error{ErrorCode::kInvalid, "a submitted transaction needs an input"};
  const kaspa::TxId id = kaspa::tx_id(tx);
  if (accepted_ids_.count(id)) return Error{ErrorCode::kInvalid, "transaction already accepted"};
  for (const auto& m : mempool_) {
    if (kaspa::tx_id(m) == id)
      return Error{ErrorCode::kInvalid, "transaction already in the mempool"};
  }
  if (in_waiting_block(id))
    return Error{ErrorCode::kInvalid, "transaction already in a block awaiting acceptance"};
  // What the blocks awaiting acceptance spend is spent already: the chain block that merges them
  // accepts those first, and a second spend would silently never be accepted (kaspad's virtual
  // merges its tips the same way).
  const std::set<kaspa::Outpoint> awaiting = spent_by_waiting_blocks();
  std::set<kaspa::Outpoint> own;
  std::uint64_t in_sum = 0;
  for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) {
    const std::string where = "input " + std::to_string(i) + ": ";
    const kaspa::Outpoint& op = tx.inputs[i].previous_outpoint;
    if (!own.insert(op).second) return Error{ErrorCode::kInvalid, where + "outpoint spent twice"};
    auto it = utxos_.find(op);
    if (it == utxos_.end()) return Error{ErrorCode::kNotFound, where + "missing or spent outpoint"};
    if (mempool_spent_.count(op)) {
      return Error{ErrorCode::kInvalid,
                   where + "double spend of an outpoint a mempool transaction spends"};
    }
    if (awaiting.count(op)) {
      return Error{ErrorCode::kInvalid,
                   where + "double spend of an outpoint a block awaiting acceptance spends"};
    }
    if (in_sum + it->second.amount < in_sum)
      return Error{ErrorCode::kInvalid, "input amounts overflow"};
    in_sum += it->second.amount;
  }
  std::uint64_t out_sum = 0;
  for (const auto& o : tx.outputs) {
    if (out_sum + o.value < out_sum) return Error{ErrorCode::kInvalid, "output amounts overflow"};
    out_sum += o.value;
  }
  if (out_sum > in_sum) return Error{ErrorCode::kInvalid, "outputs exceed inputs"};
  BASALT_TRY(check_relay_fee(tx, in_sum - out_sum));
  BASALT_TRY(check_covenant_bindings(tx));
  kaspa::SighashCache sighashes(tx);
  for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) {
    const kaspa::UtxoEntry& e = utxos_.at(tx.inputs[i].previous_outpoint);
    if (!kaspa::p2pk_key(e.script_public_key)) continue;
    if (auto st = kaspa::verify_p2pk_input(tx, i, e, sighashes); !st.ok()) {
      return Error{st.error().code(), "input " + std::to_string(i) + ": " + st.error().context()};
    }
  }
  BASALT_TRY(check_script_spends(tx));
  mempool_.push_back(tx);
  mempool_spent_.insert(own.begin(), own.end());
  return core::Status::Ok();
}

core::Status Simulator::check_covenant_bindings(const Transaction& tx) const {
  using core::Error;
  using core::ErrorCode;
  // KIP-20: an output bound to a covenant continues it when its authorizing input spends an output
  // of the same covenant; otherwise it is a genesis, and the outputs of one (input, covenant) group
  // must hash, with the input's outpoint, to the covenant id.
  std::map<std::pair<std::uint16_t, kaspa::CovenantId>, std::vector<kaspa::AuthorizedOutput>>
      genesis;
  for (std::uint32_t o = 0; o < tx.outputs.size(); ++o) {
    const auto& cov = tx.outputs[o].covenant;
    if (!cov) continue;
    if (cov->authorizing_input >= tx.inputs.size()) {
      return Error{ErrorCode::kInvalid,
                   "output " + std::to_string(o) + ": covenant authorizing input out of range"};
    }
    const kaspa::UtxoEntry& auth = utxos_.at(tx.inputs[cov->authorizing_input].previous_outpoint);
    if (auth.covenant_id == cov->covenant_id) continue;
    genesis[{cov->authorizing_input, cov->covenant_id}].push_back(
        {o, tx.outputs[o].value, tx.outputs[o].script_public_key});
  }
  for (const auto& [group, outputs] : genesis) {
    const kaspa::Outpoint& op = tx.inputs[group.first].previous_outpoint;
    if (kaspa::covenant_id(op, outputs) != group.second) {
      return Error{ErrorCode::kInvalid,
                   "wrong genesis covenant id for input " + std::to_string(group.first)};
    }
  }
  return core::Status::Ok();
}

core::Status Simulator::check_script_spends(const Transaction& tx) const {
  std::vector<kaspa::UtxoEntry> spent;
  spent.reserve(tx.inputs.size());
  for (const auto& in : tx.inputs) {
    auto it = utxos_.find(in.previous_outpoint);
    if (it == utxos_.end())
      return core::Error{core::ErrorCode::kNotFound, "missing or spent outpoint"};
    spent.push_back(it->second);
  }
  kaspa::ScriptContext ctx;
  ctx.seq_commits = this;
  ctx.zk = zk_;
  ctx.tx = &tx;
  ctx.spent = spent;
  for (std::uint32_t i = 0; i < tx.inputs.size(); ++i) {
    if (kaspa::p2pk_key(spent[i].script_public_key)) continue;
    ctx.input_index = i;
    const kaspa::ScriptOutcome out =
        kaspa::verify_spend(tx.inputs[i].signature_script, spent[i].script_public_key.script, ctx);
    if (!out.ok()) {
      return core::Error{core::ErrorCode::kVerifyFailed,
                         "input " + std::to_string(i) + ": script failed: " +
                             kaspa::script_error_name(out.error) + " (" + out.detail + ")"};
    }
  }
  return core::Status::Ok();
}

// kaspad's minimum relay fee, worded as kaspad words its refusal.
core::Status Simulator::check_relay_fee(const Transaction& tx, std::uint64_t fee) const {
  const kaspa::TransactionMass mass = kaspa::non_contextual_mass(tx);
  const std::uint64_t charged = kaspa::fee_mass(mass);
  const std::uint64_t minimum = kaspa::minimum_relay_fee(charged);
  if (fee >= minimum) return core::Status::Ok();
  const bool compute = mass.compute >= charged;
  return core::Error{core::ErrorCode::kInvalid,
                     "transaction has " + std::to_string(fee) +
                         " fees which is under the required amount of " + std::to_string(minimum) +
                         (compute ? " for compute mass " : " for normalized transient mass ") +
                         std::to_string(charged)};
}

std::uint64_t Simulator::fee_rate(const Transaction& tx) const {
  std::uint64_t in = 0, out = 0;
  for (const auto& i : tx.inputs) {
    auto it = utxos_.find(i.previous_outpoint);
    if (it == utxos_.end()) return 0;
    in += it->second.amount;
  }
  for (const auto& o : tx.outputs) out += o.value;
  const std::uint64_t mass = kaspa::fee_mass(kaspa::non_contextual_mass(tx));
  return in > out ? (in - out) / std::max<std::uint64_t>(mass, 1) : 0;
}

core::Status Simulator::submit_transaction_replacement(const Transaction& tx) {
  std::set<kaspa::Outpoint> spends;
  for (const auto& in : tx.inputs) spends.insert(in.previous_outpoint);
  std::vector<Transaction> kept, replaced;
  for (auto& m : mempool_) {
    bool conflicts = false;
    for (const auto& in : m.inputs) conflicts |= spends.count(in.previous_outpoint) > 0;
    (conflicts ? replaced : kept).push_back(m);
  }
  if (replaced.empty())
    return core::Error{core::ErrorCode::kInvalid, "replacement: no mempool transaction to replace"};
  const std::uint64_t rate = fee_rate(tx);
  for (const auto& r : replaced) {
    if (rate <= fee_rate(r)) {
      return core::Error{core::ErrorCode::kInvalid,
                         "replacement: fee rate " + std::to_string(rate) +
                             " does not exceed the replaced transaction's " +
                             std::to_string(fee_rate(r))};
    }
  }
  const std::vector<Transaction> before = mempool_;
  const std::set<kaspa::Outpoint> spent_before = mempool_spent_;
  mempool_ = std::move(kept);
  mempool_spent_.clear();
  for (const auto& m : mempool_)
    for (const auto& in : m.inputs) mempool_spent_.insert(in.previous_outpoint);
  if (auto st = submit_transaction(tx); !st.ok()) {
    mempool_ = before;
    mempool_spent_ = spent_before;
    return st;
  }
  for (const auto& r : replaced)
    refuse(kaspa::tx_id(r),
           "replaced in the mempool by " + kaspa::tx_id(tx).hex() + " (a higher fee rate)");
  return core::Status::Ok();
}

core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Simulator::covenant_utxo(
    const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const {
  auto out = covenant_utxo(id);
  if (out && std::find(at.begin(), at.end(), out->second.script_public_key) == at.end())
    out.reset();
  return out;
}

std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>> Simulator::covenant_utxo(
    const kaspa::CovenantId& id) const {
  for (const auto& [op, e] : utxos_) {
    if (e.covenant_id == id) return std::pair{op, e};
  }
  return std::nullopt;
}

std::string Simulator::refusal(const kaspa::TxId& id) const {
  auto it = refusals_.find(id);
  return it == refusals_.end() ? std::string() : it->second;
}

core::Result<FeeEstimate> Simulator::fee_estimate() const {
  constexpr std::uint64_t kMinimumRelayRate = 100;  // sompi per gram (kip21 §7.4)
  const std::uint64_t normal = kMinimumRelayRate * (1 + mempool_.size() / 100);
  return FeeEstimate{2 * normal, normal, kMinimumRelayRate};
}

kaspa::SeqCommitAccessor::Answer Simulator::seq_commit(const BlockHash& block) const {
  using kaspa::ScriptError;
  auto b = blocks_.find(block);
  if (b == blocks_.end() || b->second.blue_score < blocks_.at(pruning_point()).blue_score)
    return {ScriptError::kBlockAlreadyPruned, {}};
  if (block != genesis_ && !chain_index_.contains(block))
    return {ScriptError::kBlockNotSelected, {}};
  const std::uint64_t tip_bs = chain_.empty() ? 0 : blocks_.at(chain_.back().hash).blue_score;
  if (!(b->second.blue_score + params_.finality_depth > tip_bs))
    return {ScriptError::kBlockIsTooDeep, {}};
  return {ScriptError::kNone, b->second.seq_commit};
}

BlockHash Simulator::pruning_point() const {
  if (chain_.empty()) return genesis_;
  const std::uint64_t tip_bs = chain_.back().context.blue_score;
  const std::uint64_t f = params_.finality_depth;
  const std::uint64_t depth =
      std::max(params_.pruning_depth != 0 ? params_.pruning_depth : f * 5 / 2, f + 1);
  if (tip_bs < depth) return genesis_;
  const std::uint64_t target = tip_bs - depth;
  auto it = std::upper_bound(
      chain_.begin(), chain_.end(), target,
      [](std::uint64_t v, const ChainBlock& c) { return v < c.context.blue_score; });
  if (it != chain_.begin()) return std::prev(it)->hash;
  // Nothing held is that deep: genesis while nothing was let go, else the oldest held (the
  // pruning point never moves down).
  return chain_.first() == 0 ? genesis_ : chain_.front().hash;
}

core::Result<BlockHeader> Simulator::header(const BlockHash& block) const {
  auto it = blocks_.find(block);
  if (it == blocks_.end()) return core::Error{core::ErrorCode::kNotFound, "unknown block"};
  const Block& b = it->second;
  return BlockHeader{
      b.hash,      b.parents,    b.blue_score, b.daa_score, kaspa::BlueWork::from_u64(b.blue_work),
      b.timestamp, b.seq_commit, b.chain};
}

}  // namespace basalt::l1::sim
