#include "l1/kaspad/source.hpp"

#include <algorithm>
#include <utility>

#include "kaspa/address.hpp"
#include "kaspa/seq_commit.hpp"
#include "l1/protowire/convert.hpp"
#include "l1/seq_check.hpp"

namespace basalt::l1::kaspad {

using core::Error;
using core::ErrorCode;

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{250};
constexpr std::chrono::milliseconds kMaxBackoff{30000};

Error bad_block(const ChainBlockRead& b, const std::string& why) {
  return Error{ErrorCode::kInvalid, "kaspad's chain block " + b.hash.hex() + ": " + why};
}

}  // namespace

core::Result<core::Hash32> check_block(const ChainBlockRead& block,
                                       const kaspa::SeqCommit& parent_seq_commit,
                                       const std::vector<LaneProof>& proofs) {
  auto root = check_seq_commit(block.seq_commit, parent_seq_commit, proofs);
  if (!root.ok()) return bad_block(block, root.error().context());
  return root;
}

Source::Source(SourceOptions options) : options_(std::move(options)) {}

Source::~Source() {
  forget_ahead();
  // The reader thread calls back into this object: stop it first.
  calls_.reset();
  client_.reset();
}

core::Result<std::unique_ptr<Source>> Source::open(SourceOptions options) {
  if (options.lanes.empty())
    return Error{ErrorCode::kInvalid, "a kaspad source needs a lane to check blocks with"};
  std::unique_ptr<Source> s(new Source(std::move(options)));
  std::lock_guard lk(s->m_);
  BASALT_TRY(s->reconnect());
  return s;
}

core::Status Source::reconnect() const {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) {
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_attempt_ - now);
    return Error{ErrorCode::kUnavailable, "kaspad at " + options_.target +
                                              " is not reachable; next attempt in " +
                                              std::to_string(wait.count()) + " ms"};
  }
  forget_ahead();
  calls_.reset();
  client_.reset();
  next_attempt_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  protowire::RpcClient::Options o;
  o.target = options_.target;
  o.connect_timeout = options_.connect_timeout;
  o.call_timeout = options_.call_timeout;
  o.max_message_bytes = options_.max_message_bytes;
  o.on_notification = [this](const protowire::Response& r) {
    if (!r.has_virtualchainchangednotification()) return;
    std::lock_guard lk(notify_m_);
    ++notifications_;
    notify_cv_.notify_all();
  };
  // Kept only once the server passed its checks: a connection that failed them is never used.
  BASALT_ASSIGN_OR_RETURN(std::unique_ptr<protowire::RpcClient> client,
                          protowire::RpcClient::connect(std::move(o)));
  auto calls = std::make_unique<RpcCalls>(*client);
  BASALT_ASSIGN_OR_RETURN(ServerInfo server, calls->server_info());
  BASALT_TRY(calls->check_server(options_.network));
  BASALT_TRY(calls->subscribe_chain_changes());
  client_ = std::move(client);
  calls_ = std::move(calls);
  server_ = std::move(server);
  next_attempt_ = now;
  backoff_ = kFirstBackoff;
  return core::Status::Ok();
}

core::Result<RpcCalls*> Source::calls() const {
  if (!client_ || !client_->connected()) BASALT_TRY(reconnect());
  return calls_.get();
}

core::Result<Source::Parent> Source::parent_of(RpcCalls& rpc, const kaspa::BlockHash& start,
                                               const std::vector<kaspa::BlockHash>& removed) const {
  kaspa::BlockHash hash = start;
  if (!removed.empty()) {
    // The chain goes on from where the removed branch left it: the last one's selected parent.
    BASALT_ASSIGN_OR_RETURN(const BlockHeader fork_child, rpc.block_header(removed.back()));
    if (fork_child.parents.empty())
      return Error{ErrorCode::kInvalid,
                   "kaspad's removed block " + removed.back().hex() + " has no parents"};
    hash = fork_child.parents.front();
  } else if (start == ahead_parent_.hash) {
    return ahead_parent_;
  }
  BASALT_ASSIGN_OR_RETURN(const BlockHeader h, rpc.block_header(hash));
  return Parent{h.hash, h.timestamp, h.accepted_id_merkle_root};
}

core::Result<ChainBlockInfo> Source::checked(ChainBlockRead& b, const Parent& parent,
                                             std::vector<LaneProof> proofs) const {
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 activity_root,
                          check_block(b, parent.seq_commit, proofs));
  ChainBlockInfo info;
  info.hash = b.hash;
  info.selected_parent = parent.hash;
  info.selected_parent_seq_commit = parent.seq_commit;
  info.selected_parent_timestamp = parent.timestamp;
  info.blue_score = b.blue_score;
  info.daa_score = b.daa_score;
  info.seq_commit = b.seq_commit;
  info.activity_root = activity_root;
  info.payload_and_ctx_digest = proofs.front().payload_and_ctx_digest;
  info.accepted = std::move(b.accepted);
  info.lane_proofs = std::move(proofs);
  return info;
}

core::Result<ChainChanged> Source::chain_from(const std::optional<kaspa::BlockHash>& start,
                                              std::size_t max_added) const {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  if (!start && !origin_) {
    BASALT_ASSIGN_OR_RETURN(const DagInfo dag, rpc->dag_info());
    // What a lane did below the pruning point is gone: a lane active there cannot be followed
    // from it (its tip, and the app's state, would have to come from elsewhere).
    for (const kaspa::LaneKey& key : options_.lanes) {
      BASALT_ASSIGN_OR_RETURN(const LaneProof p, rpc->lane_proof(dag.pruning_point, key));
      if (p.lane_tip) {
        return Error{ErrorCode::kInvalid,
                     "lane " + key.hex() + " is active at kaspad's pruning point " +
                         dag.pruning_point.hex() +
                         ", where a new node starts following: what it did before is pruned"};
      }
    }
    origin_ = dag.pruning_point;
  }
  const kaspa::BlockHash from = start ? *start : *origin_;
  ChainChanged out;
  const bool left_over = ahead_parent_.hash == from && (!ahead_.empty() || next_chunk_.valid());
  if (!left_over) {
    forget_ahead();
    BASALT_ASSIGN_OR_RETURN(
        Chunk c,
        read_chunk(*rpc, rpc->ask_chain_from(from, options_.min_confirmations), max_added));
    BASALT_TRY(take_in(*rpc, from, false, std::move(c), max_added, out));
  } else if (ahead_.size() < max_added && next_chunk_.valid()) {
    // The rest of an earlier chunk ends where that chunk did, not where the chain does: take the
    // next one too, so that a catch-up step is full.
    core::Result<Chunk> c = next_chunk_.get();
    if (!c.ok()) {
      forget_ahead();
      return c.error();
    }
    BASALT_TRY(take_in(*rpc, from, true, std::move(*c), max_added, out));
  }
  const std::size_t n = std::min(max_added, ahead_.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto info = checked(ahead_.front().block, ahead_parent_, std::move(ahead_.front().proofs));
    if (!info.ok()) {
      forget_ahead();
      ahead_parent_ = {};
      return info.error();
    }
    const ChainBlockRead& b = ahead_.front().block;
    ahead_parent_ = {b.hash, b.timestamp, b.seq_commit};
    ahead_.pop_front();
    out.added.push_back(std::move(*info));
  }
  return out;
}

core::Result<Source::Chunk> Source::read_chunk(RpcCalls& rpc, protowire::RpcClient::Batch asked,
                                               std::size_t max_added) const {
  BASALT_ASSIGN_OR_RETURN(const protowire::Answer a, rpc.take_chain_answer(std::move(asked)));
  RpcCalls::LaneProofAsked proofs_asked;
  for (const kaspa::BlockHash& hash : protowire::peek_added(a.chain_v2())) {
    for (const kaspa::LaneKey& key : options_.lanes) proofs_asked.emplace_back(hash, key);
  }
  protowire::RpcClient::Batch proofs = rpc.ask_lane_proofs(proofs_asked);
  Chunk c;
  const std::size_t blocks = proofs_asked.size() / options_.lanes.size();
  if (blocks > 0 && blocks >= max_added) {
    c.next_from = proofs_asked.back().first;
    c.next = rpc.ask_chain_from(c.next_from, options_.min_confirmations);
  }
  BASALT_ASSIGN_OR_RETURN(
      ChainRead read, protowire::read_chain_v2(a.chain_v2(), protowire::kMaxSimSignatureScript));
  BASALT_ASSIGN_OR_RETURN(c.proofs, rpc.take_lane_proofs(std::move(proofs), proofs_asked));
  c.removed = std::move(read.removed);
  c.added = std::move(read.added);
  return c;
}

core::Status Source::take_in(RpcCalls& rpc, const kaspa::BlockHash& from, bool left_over, Chunk c,
                             std::size_t max_added, ChainChanged& out) const {
  // A chunk read ahead may be older than the chain: with blocks of its own left, removals do not
  // fit (they wait for a fresh read once those are handed on); an empty one is read again.
  if (left_over && (!c.removed.empty() || c.added.empty())) {
    if (!ahead_.empty()) return core::Status::Ok();
    forget_ahead();
    BASALT_ASSIGN_OR_RETURN(
        c, read_chunk(rpc, rpc.ask_chain_from(from, options_.min_confirmations), max_added));
  }
  if (!left_over || !c.removed.empty()) {
    BASALT_ASSIGN_OR_RETURN(ahead_parent_, parent_of(rpc, from, c.removed));
  }
  out.removed = std::move(c.removed);
  const std::size_t lanes = options_.lanes.size();
  for (std::size_t i = 0; i < c.added.size(); ++i) {
    Ahead a{std::move(c.added[i]), {}};
    for (std::size_t k = 0; k < lanes; ++k) a.proofs.push_back(std::move(c.proofs[i * lanes + k]));
    ahead_.push_back(std::move(a));
  }
  if (!c.next.empty()) {
    next_from_ = c.next_from;
    next_chunk_ =
        std::async(std::launch::async, [this, &rpc, next = std::move(c.next), max_added]() mutable {
          return read_chunk(rpc, std::move(next), max_added);
        });
  }
  return core::Status::Ok();
}

void Source::forget_ahead() const {
  ahead_.clear();
  next_chunk_ = {};  // waits for its thread
  next_from_ = {};
}

core::Result<LaneProof> Source::lane_proof(const kaspa::BlockHash& block,
                                           const kaspa::LaneKey& key) const {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  return rpc->lane_proof(block, key);
}

core::Status Source::submit_transaction(const kaspa::Transaction& tx) {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  auto id = rpc->submit(tx);
  if (!id.ok()) return id.error();
  return core::Status::Ok();
}

core::Status Source::submit_transaction_replacement(const kaspa::Transaction& tx) {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  auto id = rpc->submit_replacement(tx);
  if (!id.ok()) return id.error();
  return core::Status::Ok();
}

core::Result<FeeEstimate> Source::fee_estimate() const {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  return rpc->fee_estimate();
}

core::Result<std::vector<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Source::spendable(
    const kaspa::ScriptPublicKey& spk) const {
  BASALT_ASSIGN_OR_RETURN(
      const kaspa::Address address,
      kaspa::Address::from_script(kaspa::address_prefix(options_.network), spk));
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  BASALT_ASSIGN_OR_RETURN(std::vector<Utxo> utxos, rpc->utxos({address}));
  std::erase_if(utxos, [&](const Utxo& u) { return u.second.script_public_key != spk; });
  return utxos;
}

core::Result<std::optional<std::pair<kaspa::Outpoint, kaspa::UtxoEntry>>> Source::covenant_utxo(
    const kaspa::CovenantId& id, std::span<const kaspa::ScriptPublicKey> at) const {
  std::vector<kaspa::Address> addresses;
  for (const kaspa::ScriptPublicKey& spk : at) {
    BASALT_ASSIGN_OR_RETURN(kaspa::Address a, kaspa::Address::from_script(
                                                  kaspa::address_prefix(options_.network), spk));
    if (std::find(addresses.begin(), addresses.end(), a) == addresses.end())
      addresses.push_back(std::move(a));
  }
  using Found = std::optional<Utxo>;
  if (addresses.empty()) return Found();
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  BASALT_ASSIGN_OR_RETURN(const std::vector<Utxo> utxos, rpc->utxos(addresses));
  for (const Utxo& u : utxos) {
    if (u.second.covenant_id == id &&
        std::find(at.begin(), at.end(), u.second.script_public_key) != at.end())
      return Found(u);
  }
  return Found();
}

core::Result<BlockHeader> Source::header(const kaspa::BlockHash& block) const {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  return rpc->block_header(block);
}

core::Result<std::uint64_t> Source::mempool_size() const {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  return rpc->mempool_size();
}

core::Result<std::uint64_t> Source::sink_blue_score() const {
  std::lock_guard lk(m_);
  BASALT_ASSIGN_OR_RETURN(RpcCalls * rpc, calls());
  BASALT_ASSIGN_OR_RETURN(const DagInfo dag, rpc->dag_info());
  BASALT_ASSIGN_OR_RETURN(const BlockHeader sink, rpc->block_header(dag.sink));
  return sink.blue_score;
}

bool Source::wait_for_change(std::chrono::milliseconds timeout) {
  std::unique_lock lk(notify_m_);
  const bool notified =
      notify_cv_.wait_for(lk, timeout, [&] { return notifications_ != consumed_; });
  consumed_ = notifications_;
  return notified;
}

ServerInfo Source::server() const {
  std::lock_guard lk(m_);
  return server_;
}

}  // namespace basalt::l1::kaspad
