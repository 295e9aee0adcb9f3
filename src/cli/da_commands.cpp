#include "cli/da_commands.hpp"

#include "client/activity.hpp"
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

}  // namespace basalt::cli
