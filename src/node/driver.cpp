#include "node/driver.hpp"

#include <chrono>

#include "core/byte_reader.hpp"
#include "core/byte_writer.hpp"

namespace basalt::node {

namespace {

using core::Error;
using core::ErrorCode;

// What the source could not do or gave wrong, as Driver::step reports it.
Error from_l1(const Error& e) {
  return Error{ErrorCode::kUnavailable, "L1: " + e.to_string()};
}

}  // namespace

core::Bytes encode_batch_extra(const BatchRecordExtra& r) {
  core::ByteWriter w(56);
  w.u64_le(r.step);
  w.u64_le(r.blue_score);
  w.hash(r.lane_tip.hash());
  w.u64_le(r.lane_blue_score);
  return w.take();
}

core::Result<BatchRecordExtra> decode_batch_extra(core::ByteSpan b) {
  core::ByteReader r(b);
  BatchRecordExtra d;
  BASALT_ASSIGN_OR_RETURN(d.step, r.read_u64_le("driver step"));
  BASALT_ASSIGN_OR_RETURN(d.blue_score, r.read_u64_le("driver blue score"));
  BASALT_ASSIGN_OR_RETURN(const core::Hash32 tip, r.read_hash32("driver lane tip"));
  d.lane_tip = kaspa::LaneTip(tip);
  BASALT_ASSIGN_OR_RETURN(d.lane_blue_score, r.read_u64_le("driver lane blue score"));
  BASALT_TRY(r.expect_end("driver record"));
  return d;
}

kaspa::LaneId app_lane() {
  return kaspa::LaneId::from_namespace({'b', 's', 'l', 1});
}

exec::BlockInput block_input(const l1::ChainBlockInfo& info) {
  exec::BlockInput in;
  in.hash = info.hash;
  in.blue_score = info.blue_score;
  in.daa_score = info.daa_score;
  in.prev_timestamp = info.selected_parent_timestamp;
  for (const auto& a : info.accepted) {
    if (a.lane == app_lane()) in.txs.push_back({a.tx_id, a.merge_idx, a.tx});
  }
  return in;
}

Driver::Driver(const DriverOptions& options, exec::Executor& executor, l1::ChainSource& source,
               l1::BlockProducer* producer)
    : options_(options),
      executor_(executor),
      source_(source),
      producer_(producer),
      follower_(options.finality_depth, {app_lane()}),
      lane_key_(kaspa::lane_key(app_lane())) {}

core::Result<std::unique_ptr<Driver>> Driver::open(const DriverOptions& o, state::StateStore& store,
                                                   exec::Executor& executor,
                                                   l1::ChainSource& source,
                                                   l1::BlockProducer* producer) {
  std::unique_ptr<Driver> d(new Driver(o, executor, source, producer));
  const std::uint64_t tip = store.tip().value;
  if (tip == 0) return d;
  const std::uint64_t floor = std::max<std::uint64_t>(store.rollback_floor().value, 1);
  d->chain_.resize(tip);
  d->chain_.forget_before(floor - 1);
  for (std::uint64_t p = floor; p <= tip; ++p) {
    BASALT_ASSIGN_OR_RETURN(const exec::BatchMeta meta, executor.batch_meta({p}));
    auto rec = decode_batch_extra(meta.extra);
    if (!rec.ok()) {
      return Error{ErrorCode::kCorrupt, "the state store's record of batch " + std::to_string(p) +
                                            ": " + rec.error().to_string()};
    }
    Position& pos = d->chain_[p - 1];
    pos.info.hash = meta.block;
    pos.info.blue_score = rec->blue_score;
    pos.record = *rec;
  }
  d->step_ = d->chain_.back().record.step;
  d->restore_follower();
  return d;
}

void Driver::restore_follower() {
  if (chain_.size() == 0) {
    follower_ = l1::Follower(options_.finality_depth, {app_lane()});
    return;
  }
  const Position& tip = chain_.back();
  std::map<kaspa::LaneKey, l1::LaneState> lanes;
  if (tip.record.lane_tip.hash() != core::Hash32::zero())
    lanes[lane_key_] = {tip.record.lane_tip, tip.record.lane_blue_score};
  follower_.restore(chain_.size(), tip.info.hash, tip.info.blue_score, std::move(lanes));
}

void Driver::forget_before(std::uint64_t p) {
  const std::uint64_t f = options_.finality_depth;
  p = std::min({p, executor_.rollback_floor().value, chain_.size() > f ? chain_.size() - f : 0});
  if (p <= 1) return;
  chain_.forget_before(p - 1);
}

core::Status Driver::roll_back_to(std::uint64_t keep, StepReport& report) {
  if (keep < chain_.first() + (chain_.first() > 0 ? 1 : 0) ||
      keep < executor_.rollback_floor().value) {
    return Error{ErrorCode::kInvalid, "a reorg reaches below batch " + std::to_string(keep + 1) +
                                          ", under the rollback window"};
  }
  chain_.resize(keep);
  restore_follower();
  const std::uint64_t tip = executor_.executed_tip().value;
  if (keep < tip) {
    // Executed batches may still be queued for commit: the executor cancels those.
    BASALT_TRY(executor_.rollback_to({keep}));
    report.rolled_back = tip - keep;
    report.rolled_back_to = keep;
  }
  return core::Status::Ok();
}

core::Result<StepReport> Driver::step() {
  // Positions F deep, executed and handed on by earlier steps, keep only their header fields:
  // their transactions are never needed again.
  const std::uint64_t f = options_.finality_depth;
  for (trimmed_ = std::max<std::uint64_t>(trimmed_, chain_.first()); trimmed_ + f < chain_.size();
       ++trimmed_) {
    chain_[trimmed_].info.accepted.clear();
  }
  StepReport report;
  report.step = ++step_;
  const bool produced = producer_ != nullptr && !behind_;
  if (produced) BASALT_TRY(producer_->produce_block());
  const std::optional<kaspa::BlockHash> from =
      chain_.size() == 0 ? std::nullopt : std::optional(chain_.back().info.hash);
  auto change_read = source_.chain_from(from, options_.max_blocks_per_step);
  if (!change_read.ok()) {
    if (!produced) --step_;  // nothing happened in this step
    return from_l1(change_read.error());
  }
  report.change = std::move(*change_read);
  const l1::ChainChanged& change = report.change;
  behind_ = report.behind = change.added.size() >= options_.max_blocks_per_step;
  const std::size_t removed = change.removed.size();
  for (std::size_t i = 0; i < removed; ++i) {
    if (i >= chain_.size() || change.removed[i] != chain_[chain_.size() - 1 - i].info.hash)
      return from_l1(
          Error{ErrorCode::kInvalid, "the source removed a block the driver did not follow"});
  }
  if (removed > 0) BASALT_TRY(roll_back_to(chain_.size() - removed, report));
  for (const auto& info : change.added) {
    if (auto st = follower_.apply({{}, {info}}); !st.ok()) return from_l1(st.error());
    Position pos;
    pos.info = info;
    pos.record.blue_score = info.blue_score;
    if (auto lane = follower_.last(lane_key_)) {
      pos.record.lane_tip = lane->tip;
      pos.record.lane_blue_score = lane->last_blue_score;
    }
    chain_.push_back(std::move(pos));
  }
  BASALT_TRY(execute(report));
  return report;
}

core::Status Driver::execute(StepReport& report) {
  for (std::uint64_t p = executor_.executed_tip().value + 1; p <= chain_.size(); ++p) {
    Position& pos = chain_[p - 1];
    pos.record.step = step_;
    exec::BlockInput in = block_input(pos.info);
    in.extra = encode_batch_extra(pos.record);
    const auto t0 = std::chrono::steady_clock::now();
    BASALT_ASSIGN_OR_RETURN(exec::BatchResult r, executor_.submit(in));
    report.exec_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.executed.push_back(std::move(r));
  }
  return core::Status::Ok();
}

}  // namespace basalt::node
