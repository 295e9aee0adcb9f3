#include "node/snapshots.hpp"

#include <vector>

namespace basalt::node {

SnapshotKeeper::SnapshotKeeper(SnapshotOptions options, const settle::CovenantPins& pins,
                               Logger& log)
    : options_(std::move(options)), script_(pins), log_(log), store_(options_.dir) {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) log_.warn("cannot create " + options_.dir.string() + ": " + ec.message());
  const std::vector<std::uint64_t> kept = store_.batches();
  if (!kept.empty()) covenant_batch_ = kept.back();
}

SnapshotKeeper::~SnapshotKeeper() {
  if (writer_.joinable()) writer_.join();
}

void SnapshotKeeper::committed(std::uint64_t batch, const core::Hash32& root,
                               const kaspa::LaneTip& lane_tip, const kaspa::BlockHash& block) {
  const settle::CovenantState state{root, lane_tip};
  // Batches without lane activity repeat the state before them: the covenant cannot tell them
  // apart, and their snapshots would be the same.
  const std::optional<settle::CovenantState>& before =
      candidates_.empty() ? found_state_ : candidates_.rbegin()->second.state;
  if (before == state) return;
  candidates_[batch] = Candidate{state, block, script_.spk(state)};
}

void SnapshotKeeper::rolled_back_to(std::uint64_t batch) {
  candidates_.erase(candidates_.upper_bound(batch), candidates_.end());
}

std::optional<std::uint64_t> SnapshotKeeper::covenant_batch() const {
  std::lock_guard lk(m_);
  return covenant_batch_;
}

core::Result<SnapshotKeeper::Witness> SnapshotKeeper::witness(
    std::uint64_t batch, std::span<const state::ResourceId> ids) const {
  std::shared_ptr<const da::SnapshotState> state;
  {
    std::lock_guard lk(loaded_m_);
    if (!loaded_ || loaded_->first != batch) {
      BASALT_ASSIGN_OR_RETURN(da::SnapshotState s, store_.load(batch));
      loaded_.emplace(batch, std::make_shared<const da::SnapshotState>(std::move(s)));
    }
    state = loaded_->second;
  }
  Witness w;
  for (const state::ResourceId& id : ids) w.values.push_back(state->value(id));
  w.root = state->tree.root();
  BASALT_ASSIGN_OR_RETURN(w.proof, state->tree.prove(ids));
  return w;
}

core::Status SnapshotKeeper::step(const l1::ChainSource& l1, const state::StateStore& store) {
  const auto now = std::chrono::steady_clock::now();
  if (candidates_.empty() || writing_ || now < next_poll_) return core::Status::Ok();
  next_poll_ = now + options_.poll_interval;
  // Only what is still in the rollback window can be read as it was.
  candidates_.erase(candidates_.begin(), candidates_.lower_bound(store.rollback_floor().value));
  std::vector<kaspa::ScriptPublicKey> spks;
  for (const auto& [batch, c] : candidates_) spks.push_back(c.spk);
  BASALT_ASSIGN_OR_RETURN(const auto utxo, l1.covenant_utxo(options_.covenant_id, spks));
  if (!utxo) return core::Status::Ok();
  auto found = candidates_.begin();
  while (found != candidates_.end() && found->second.spk != utxo->second.script_public_key) ++found;
  if (found == candidates_.end()) return core::Status::Ok();
  const std::uint64_t batch = found->first;
  Candidate c = found->second;
  candidates_.erase(candidates_.begin(), std::next(found));
  found_state_ = c.state;
  {
    std::lock_guard lk(m_);
    if (covenant_batch_ && *covenant_batch_ >= batch) return core::Status::Ok();
    covenant_batch_ = batch;
  }
  auto view = store.view({batch});
  if (!view.ok()) {
    log_.warn("no snapshot of settled batch " + std::to_string(batch) + ": " +
              view.error().to_string());
    return core::Status::Ok();
  }
  if (writer_.joinable()) writer_.join();
  writing_ = true;
  writer_ = std::thread([this, v = std::move(*view), c]() mutable { write(std::move(v), c); });
  return core::Status::Ok();
}

void SnapshotKeeper::write(std::unique_ptr<state::StateStore::View> view, Candidate c) {
  const std::uint64_t batch = view->batch().value;
  auto m = store_.write(*view, c.block, c.state.lane_tip, options_.covenant_id,
                        options_.chunk_resources);
  view.reset();  // lets RocksDB drop what only the view still held
  if (m.ok()) {
    store_.prune(options_.keep);
    log_.info("snapshot of settled batch " + std::to_string(batch) + ": " +
              std::to_string(m->resources) + " resources in " +
              std::to_string(m->chunk_hashes.size()) + " chunks, root " +
              m->state_root.hex().substr(0, 16));
  } else {
    log_.error("snapshot of settled batch " + std::to_string(batch) + ": " + m.error().to_string());
  }
  writing_ = false;
}

}  // namespace basalt::node
