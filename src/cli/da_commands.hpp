// `basalt da …`: data availability from the command line. `da activity` downloads a node's
// lane-activity archive, checks it and, given an L1, anchors both ends there; `da snapshot`
// downloads a settled snapshot, checks every chunk and the state root it rebuilds.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

namespace basalt::cli {

struct DaActivityOptions {
  std::string api;         // the node (a mirror, or an operator keeping the archive)
  std::uint64_t from = 1;  // the first batch
  std::uint64_t count = 256;
  std::string l1;  // kaspad's (or `basalt sim serve`'s) host:port; empty: no anchoring
};

// Prints the range checked and its two ends; with an L1, whether L1 agrees with both. 0 when all
// checks pass; 1 when a record, the range or an anchor is refused (the reason names the batch); 2
// when the node or L1 cannot be reached or holds no such records.
int da_activity(const DaActivityOptions& o, std::ostream& out, std::ostream& log);

struct DaSnapshotOptions {
  std::string api;                     // a node keeping settled snapshots (a mirror)
  std::optional<std::uint64_t> batch;  // default: the newest it offers
  std::string root;  // the state root expected (64 hex digits), e.g. the covenant's; empty: none
};

// Prints what the snapshot is of and whether it checks out. 0 when every chunk matches the
// manifest, they rebuild its state root and that is `root` when given; 1 when any of that fails
// (the reason names the chunk or the roots); 2 when the node cannot be reached or has no snapshot.
int da_snapshot(const DaSnapshotOptions& o, std::ostream& out, std::ostream& log);

}  // namespace basalt::cli
