// `basalt node --sync-from URL[,URL…]` (docs/da.md): a new mirror whose app is older than L1's
// pruning window starts from other mirrors. It takes the newest snapshot whose state the app's
// covenant holds on L1 (client/sync.hpp), then the archived lane activity from that batch up to a
// block final on L1, checked record by record (da::check_activity) and anchored at both ends (the
// snapshot's block and lane tip; L1's header and lane proof), imports the snapshot into its empty
// state store and gives the driver the archived blocks before L1's (da::ArchiveSource). Nothing is
// committed before it is checked; a mirror that sends what does not check out is named in the log
// and skipped. The checked archive stays in the data directory until the driver has executed it,
// so a node stopped meanwhile goes on from where it was.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "da/archive_source.hpp"
#include "node/log.hpp"
#include "settle/covenant.hpp"
#include "state/store.hpp"

namespace basalt::client {

struct NodeSyncOptions {
  std::vector<std::string> mirrors;  // their API URLs
  std::filesystem::path dir;         // the node's `<data_dir>/sync`
  kaspa::CovenantId covenant;        // the app's, on L1
  settle::CovenantPins pins;
  kaspa::LaneId lane;
  std::uint64_t finality_depth = 0;  // L1's F: the archive ends F blue score below L1's tip
};

// With an empty store: syncs and imports. Then, while archived blocks above the store's tip wait to
// be executed, returns the source serving them before `l1` (nullptr: follow L1 itself). Errors:
// kNotFound / kUnavailable when the mirrors give nothing that checks out (verified snapshot chunks
// are kept for the next try); L1's; kCorrupt for a kept archive that no longer decodes or checks.
core::Result<std::unique_ptr<l1::ChainSource>> sync_node(const NodeSyncOptions& options,
                                                         state::StateStore& store,
                                                         l1::ChainSource& l1, node::Logger& log);

}  // namespace basalt::client
