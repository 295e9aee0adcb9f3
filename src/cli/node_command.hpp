// `basalt node --config FILE [--rebuild-index]`: the node with its API until SIGINT or SIGTERM (or
// the configured number of blocks), then a clean stop; a restart resumes where it stopped.
#pragma once

#include <ostream>
#include <string>

namespace basalt::cli {

// Exit codes: 0 stopped cleanly, 1 the node failed, 2 the configuration is invalid.
// `default_guest_dir` serves [app] guest_dir when the file leaves it empty. `rebuild_index`: see
// node::Config::rebuild_index. `sync_from`: mirrors' API URLs, comma-separated, that an empty data
// directory is filled from (client/node_sync.hpp); empty: none.
int run_node(const std::string& config_path, const std::string& default_guest_dir,
             bool rebuild_index, const std::string& sync_from, std::ostream& log);

}  // namespace basalt::cli
