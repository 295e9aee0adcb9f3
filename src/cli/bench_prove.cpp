#include "cli/bench_prove.hpp"

#include <chrono>
#include <thread>

#include "cli/settle_command.hpp"

namespace basalt::cli {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs f(i) for i in [0, n) on `threads` threads; returns the wall time.
template <typename F>
double parallel(std::size_t n, unsigned threads, F f) {
  const auto t0 = Clock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (std::size_t i = t; i < n; i += threads) f(i);
    });
  }
  for (auto& th : pool) th.join();
  return seconds_since(t0);
}

}  // namespace

int bench_prove(const BenchProveOptions& o, std::ostream& out) {
  SettleOptions so;
  so.app = o.app;
  so.blocks = o.blocks;
  so.tx_per_block = o.tx_per_block;
  so.bundle_size = o.bundle_size;
  so.threads = o.threads;
  so.guest_dir = o.guest_dir;
  auto rig = make_settle_rig(so);
  if (!rig.ok()) {
    out << "basalt: " << rig.error().to_string() << "\n";
    return 1;
  }
  SettleRig& r = **rig;
  // A settled run first: the receipts it keeps are what the stages below prove again and verify.
  std::uint64_t confirmed = 0, latency = 0, latency_max = 0;
  while (r.driver->chain_length() < o.blocks) {
    auto step = r.driver->step();
    auto rep = step.ok() ? r.pipeline->after_step(*step)
                         : core::Result<node::SettlementReport>(step.error());
    if (!rep.ok()) {
      out << "basalt: " << rep.error().to_string() << "\n";
      return 1;
    }
    for (const auto& e : rep->events) {
      if (e.kind != settle::SettlerEvent::Kind::kConfirmed) continue;
      ++confirmed;
      latency += e.blocks;
      latency_max = std::max(latency_max, e.blocks);
    }
  }
  if (auto st = r.pipeline->wait_proven(); !st.ok()) {
    out << "basalt: " << st.error().to_string() << "\n";
    return 1;
  }
  std::vector<const zk::Receipt*> batches, txs;
  for (std::uint64_t b = 1; b <= r.pipeline->proven_batch(); ++b) {
    if (const zk::Receipt* br = r.pipeline->batch_receipt(b)) {
      batches.push_back(br);
      for (const auto& a : br->assumptions) txs.push_back(&a);
    }
  }
  zk::ProofSystem& prover = *r.runtime->proof_system();
  const zk::ProofSystem& sys = prover;
  const zk::Guests& g = *r.runtime->guests();
  bool ok = true;
  // The stages are proven again from the kept receipts: a re-execution receipt's seal is its
  // guest's input.
  const double tx_prove = parallel(txs.size(), o.threads, [&](std::size_t i) {
    ok &= prover.prove(*g.tx.program, txs[i]->seal, {}, g.tx.limits).ok();
  });
  const double tx_verify = parallel(txs.size(), o.threads, [&](std::size_t i) {
    ok &= sys.verify(*txs[i], txs[i]->image_id).ok();
  });
  const double batch_prove = parallel(batches.size(), o.threads, [&](std::size_t i) {
    ok &= prover.prove(*g.batch.program, batches[i]->seal, batches[i]->assumptions, g.batch.limits)
              .ok();
  });
  const double batch_verify = parallel(batches.size(), o.threads, [&](std::size_t i) {
    ok &= sys.verify(*batches[i], batches[i]->image_id).ok();
  });
  // Aggregates of consecutive bundles, as the pipeline builds them (the last block of a bundle
  // must hold the lane; bundles that end elsewhere are skipped here).
  std::vector<zk::Receipt> aggregates;
  double agg_prove = 0;
  for (std::size_t first = 0; first + o.bundle_size <= batches.size(); first += o.bundle_size) {
    const std::uint64_t last = first + o.bundle_size;  // batch numbers are 1-based
    auto lp =
        r.driver->source().lane_proof(r.driver->block(last).hash, r.pipeline->pins().lane_key);
    if (!lp.ok() || !lp->lane_tip) continue;
    std::vector<zk::Receipt> in;
    for (std::size_t b = first; b < first + o.bundle_size; ++b) in.push_back(*batches[b]);
    const auto t0 = Clock::now();
    auto agg =
        r.pipeline->aggregate(std::move(in), lp->smt_proof.to_bytes(), lp->inactivity_shortcut);
    agg_prove += seconds_since(t0);
    if (!agg.ok()) {
      ok = false;
      continue;
    }
    aggregates.push_back(std::move(*agg));
  }
  const double agg_verify = parallel(aggregates.size(), o.threads, [&](std::size_t i) {
    ok &= sys.verify(aggregates[i], aggregates[i].image_id).ok();
  });
  if (!ok) {
    out << "basalt: a receipt failed to prove or verify\n";
    return 1;
  }
  const auto row = [&](const char* stage, std::size_t n, double prove, double verify) {
    out << "  " << stage << std::string(12 - std::string(stage).size(), ' ') << n << " receipts  "
        << (prove > 0 ? static_cast<double>(n) / prove : 0) << " /s proven  "
        << (n ? verify / static_cast<double>(n) * 1e3 : 0) << " ms to verify one\n";
  };
  out << "basalt bench prove: " << o.app << ", " << o.blocks << " chain blocks, " << o.tx_per_block
      << " tx per block, bundle " << o.bundle_size << ", " << o.threads << " threads\n"
      << "re-execution receipts (not succinct, not zero-knowledge): verifying one re-runs it and "
         "everything it rests on\n";
  row("transaction", txs.size(), tx_prove, tx_verify);
  row("batch", batches.size(), batch_prove, batch_verify);
  row("aggregate", aggregates.size(), agg_prove, agg_verify);
  out << "  (aggregates are proven one at a time; transactions and batches on " << o.threads
      << " threads)\n";
  out << "settlement latency: " << confirmed << " settlements confirmed, "
      << (confirmed ? static_cast<double>(latency) / static_cast<double>(confirmed) : 0)
      << " chain blocks mean, " << latency_max << " max (submission to acceptance)\n";
  return 0;
}

}  // namespace basalt::cli
