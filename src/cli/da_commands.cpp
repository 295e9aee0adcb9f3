#include "cli/da_commands.hpp"

#include "client/activity.hpp"
#include "client/snapshot.hpp"
#include "l1/kaspad/source.hpp"

namespace basalt::cli {

namespace {

void print_point(std::ostream& out, const char* name, const da::ActivityPoint& p) {
  out << name << ": batch " << p.batch << ", block " << p.block.hex() << ", SeqCommit "
      << p.seq_commit.hex() << ", lane ";
  if (p.lane) {
    out << "tip " << p.lane->tip.hex() << " (blue score " << p.lane->last_blue_score << ")\n";
  } else {
    out << "not in L1's lane tree\n";
  }
}

// 0 when L1 agrees with both ends; 1 when it does not; 2 when it cannot be asked.
int anchor(const DaActivityOptions& o, const client::ApiClient& api,
           const client::FetchedActivity& a, std::ostream& out, std::ostream& log) {
  auto info = client::node_info(api);
  if (!info.ok()) {
    log << "basalt: " << info.error().to_string() << "\n";
    return 2;
  }
  l1::kaspad::SourceOptions so;
  so.target = o.l1;
  so.network = info->network;
  so.lanes = {kaspa::lane_key(a.lane)};
  auto l1 = l1::kaspad::Source::open(so);
  if (!l1.ok()) {
    log << "basalt: L1 at " << o.l1 << ": " << l1.error().to_string() << "\n";
    return 2;
  }
  for (const da::ActivityPoint* p : {&a.checked.first, &a.checked.last}) {
    if (auto st = client::check_on_l1(**l1, a.lane, *p); !st.ok()) {
      log << "basalt: the archive disagrees with L1: " << st.error().to_string() << "\n";
      return st.error().code() == core::ErrorCode::kVerifyFailed ? 1 : 2;
    }
  }
  out << "L1 at " << o.l1 << ": both ends match its headers and lane proofs\n";
  return 0;
}

}  // namespace

int da_activity(const DaActivityOptions& o, std::ostream& out, std::ostream& log) {
  const client::ApiClient api(o.api);
  auto a = client::fetch_activity(api, o.from, o.count);
  if (!a.ok()) {
    log << "basalt: " << a.error().to_string() << "\n";
    return a.error().code() == core::ErrorCode::kInvalid ? 1 : 2;
  }
  out << "batches " << a->checked.first.batch << ".." << a->checked.last.batch << " of lane "
      << a->lane.hex() << ": " << a->checked.lane_txs
      << " lane transactions after the first; SeqCommits and lane tips check out\n";
  print_point(out, "first", a->checked.first);
  print_point(out, "last", a->checked.last);
  if (o.l1.empty()) {
    out << "not anchored (no --l1): compare the ends with a settlement or an L1\n";
    return 0;
  }
  return anchor(o, api, *a, out, log);
}

int da_snapshot(const DaSnapshotOptions& o, std::ostream& out, std::ostream& log) {
  const auto refused = [&](const core::Error& e) {
    log << "basalt: " << e.to_string() << "\n";
    const core::ErrorCode c = e.code();
    return c == core::ErrorCode::kUnavailable || c == core::ErrorCode::kNotFound ? 2 : 1;
  };
  std::optional<core::Hash32> expected;
  if (!o.root.empty()) {
    auto r = core::Hash32::from_hex(o.root);
    if (!r.ok())
      return refused(core::Error{core::ErrorCode::kInvalid, "--root: not 64 hex digits"});
    expected = *r;
  }
  const client::ApiClient api(o.api);
  std::uint64_t batch = 0;
  if (o.batch) {
    batch = *o.batch;
  } else {
    auto batches = client::snapshot_batches(api);
    if (!batches.ok()) return refused(batches.error());
    if (batches->empty())
      return refused(core::Error{core::ErrorCode::kNotFound, "the node offers no snapshot yet"});
    batch = batches->back();
  }
  auto s = client::fetch_snapshot(api, batch);
  if (!s.ok()) return refused(s.error());
  const da::SnapshotManifest& m = s->manifest;
  out << "snapshot of batch " << m.batch << " (block " << m.block.hex() << "): " << m.resources
      << " resources in " << m.chunk_hashes.size()
      << " chunks; every chunk matches the manifest and they rebuild its state root "
      << m.state_root.hex() << "\n";
  out << "lane tip " << m.lane_tip.hex() << ", covenant " << m.covenant_id.hex() << "\n";
  if (!expected) {
    out << "not anchored (no --root): compare the state root with the state the covenant holds\n";
    return 0;
  }
  if (*expected != m.state_root) {
    return refused(core::Error{
        core::ErrorCode::kVerifyFailed,
        "the snapshot's state root " + m.state_root.hex() + " is not " + expected->hex()});
  }
  out << "the state root is the one expected\n";
  return 0;
}

}  // namespace basalt::cli
