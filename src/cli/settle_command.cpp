#include "cli/settle_command.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>

#include "core/bytes.hpp"

namespace basalt::cli {

namespace {

using core::Error;
using core::ErrorCode;

void print_submitted(const settle::Bundle& b, const kaspa::TxId& tx_id, bool json,
                     std::ostream& out) {
  const core::Bytes journal = zk::encode_state_transition(b.journal);
  std::uint64_t exit_total = 0;
  for (const auto& e : b.exits) exit_total += e.amount;
  if (json) {
    out << nlohmann::json{{"event", "submitted"},       {"first_batch", b.first_batch},
                          {"last_batch", b.last_batch}, {"anchor", b.anchor.hex()},
                          {"tx_id", tx_id.hex()},       {"journal", core::to_hex(journal)},
                          {"exits", b.exits.size()},    {"exit_total", exit_total}}
               .dump()
        << "\n";
    return;
  }
  out << "settlement batches " << b.first_batch << ".." << b.last_batch << " anchor "
      << b.anchor.hex() << "\n  tx " << tx_id.hex() << "\n  journal " << core::to_hex(journal)
      << "\n";
  if (!b.exits.empty()) {
    out << "  exits " << b.exits.size() << ", " << exit_total
        << " sompi into the exit output (output 1)\n";
  }
}

}  // namespace

SettleRig::~SettleRig() {
  // Everything that uses the data directory goes before it.
  pipeline.reset();
  runtime.reset();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

core::Result<std::unique_ptr<SettleRig>> make_settle_rig(const SettleOptions& o) {
  if (o.bundle_size == 0) return Error{ErrorCode::kInvalid, "--bundle-size must be at least 1"};
  auto rig = std::make_unique<SettleRig>();
  std::string t = (std::filesystem::temp_directory_path() / "basalt-settle-XXXXXX").string();
  if (mkdtemp(t.data()) == nullptr)
    return Error{ErrorCode::kIo, "cannot create a scratch directory"};
  rig->dir = t;
  node::RuntimeOptions ro;
  ro.data_dir = rig->dir;
  ro.app = o.app;
  ro.guest_dir = o.guest_dir;
  ro.threads = o.threads;
  ro.sync = false;
  ro.prove = true;
  ro.finality_depth = o.finality_depth;
  ro.sim_seed = o.sim_seed;
  ro.reorg_every = o.reorg_every;
  ro.reorg_depth = o.reorg_depth;
  ro.users_tx_per_block = o.tx_per_block;
  BASALT_ASSIGN_OR_RETURN(rig->runtime, node::Runtime::open(ro));
  rig->driver = &rig->runtime->driver();
  node::SettlementOptions po;
  po.bundle_size = o.bundle_size;
  po.prover_threads = o.threads;
  po.settler.finality_depth = o.finality_depth;
  const crypto::SecretKey& key = *rig->runtime->dev_key();
  BASALT_ASSIGN_OR_RETURN(
      rig->pipeline, node::SettlementPipeline::create(*rig->driver, *rig->runtime->proof_system(),
                                                      *rig->runtime->guests(),
                                                      rig->runtime->store().smt(), key, key, po));
  return rig;
}

core::Result<SettleSummary> run_settle(const SettleOptions& o, std::ostream& out,
                                       std::ostream& log) {
  BASALT_ASSIGN_OR_RETURN(std::unique_ptr<SettleRig> rig, make_settle_rig(o));
  node::Driver* driver = rig->driver;
  node::SettlementPipeline* pipeline = rig->pipeline.get();
  log << "covenant " << pipeline->covenant_id().hex() << " (re-execution receipts: not succinct, "
      << "not zero-knowledge)\n";

  SettleSummary sum;
  bool in_flight = false;
  for (;;) {
    BASALT_ASSIGN_OR_RETURN(const node::StepReport step, driver->step());
    if (step.rolled_back != 0) ++sum.rollbacks;
    const auto t0 = std::chrono::steady_clock::now();
    const bool more = driver->chain_length() < o.blocks;
    BASALT_ASSIGN_OR_RETURN(const node::SettlementReport r, pipeline->after_step(step, more));
    sum.prove_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::size_t next_submitted = 0;
    for (const settle::SettlerEvent& e : r.events) {
      using K = settle::SettlerEvent::Kind;
      switch (e.kind) {
        case K::kSubmitted:
          ++sum.submitted;
          in_flight = true;
          print_submitted(r.submitted.at(next_submitted++), e.tx_id, o.json, out);
          break;
        case K::kBumped:
          ++sum.bumped;
          break;
        case K::kUnaccepted:
          ++sum.unaccepted;
          break;
        case K::kConfirmed:
          ++sum.confirmed;
          sum.latency_blocks_total += e.blocks;
          sum.latency_blocks_max = std::max(sum.latency_blocks_max, e.blocks);
          in_flight = false;
          break;
        case K::kAbandoned:
          ++sum.abandoned;
          in_flight = false;
          break;
        case K::kAccepted:
          break;
      }
      if (e.kind != K::kSubmitted) {
        if (o.json) {
          out << nlohmann::json{{"event", settle::settler_event_name(e.kind)},
                                {"first_batch", e.first_batch},
                                {"last_batch", e.last_batch},
                                {"tx_id", e.tx_id.hex()},
                                {"detail", e.detail}}
                     .dump()
              << "\n";
        } else {
          out << "  " << settle::settler_event_name(e.kind) << " batches " << e.first_batch << ".."
              << e.last_batch << (e.detail.empty() ? "" : ": " + e.detail) << "\n";
        }
      }
    }
    if (driver->chain_length() >= o.blocks && !in_flight) break;
  }
  sum.chain_length = driver->chain_length();
  sum.proven = pipeline->proven_batch();
  sum.settled_batch = pipeline->settled_batch().value_or(0);
  return sum;
}

void print_settle_summary(const SettleSummary& s, bool json, std::ostream& out) {
  const double mean =
      s.confirmed ? static_cast<double>(s.latency_blocks_total) / static_cast<double>(s.confirmed)
                  : 0.0;
  if (json) {
    out << nlohmann::json{{"chain_length", s.chain_length},
                          {"proven_batch", s.proven},
                          {"settled_batch", s.settled_batch},
                          {"submitted", s.submitted},
                          {"confirmed", s.confirmed},
                          {"bumped", s.bumped},
                          {"abandoned", s.abandoned},
                          {"unaccepted", s.unaccepted},
                          {"rollbacks", s.rollbacks},
                          {"latency_blocks_mean", mean},
                          {"latency_blocks_max", s.latency_blocks_max}}
               .dump()
        << "\n";
    return;
  }
  out << "chain length       " << s.chain_length << "\n";
  out << "proven batch       " << s.proven << "\n";
  out << "settled batch      " << s.settled_batch << "\n";
  out << "settlements        " << s.submitted << " submitted, " << s.confirmed << " confirmed, "
      << s.abandoned << " abandoned, " << s.bumped << " fee bumps, " << s.unaccepted
      << " undone by reorgs\n";
  out << "reorg rollbacks    " << s.rollbacks << "\n";
  out << "settlement latency " << mean << " chain blocks mean, " << s.latency_blocks_max
      << " max (submission to acceptance)\n";
}

}  // namespace basalt::cli
