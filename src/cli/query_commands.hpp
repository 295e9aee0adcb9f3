// Asking a running node from the command line: `basalt status` (where it stands, optionally
// waiting for it to answer) and `basalt state get` (a resource's value, its multiproof checked
// against the root the node names).
#pragma once

#include <ostream>
#include <string>

namespace basalt::cli {

// Prints one line per stage: L1, batches, settlement. `wait_s` > 0: waits that long for the node
// to answer (a node just started). 0, or 2 when the node cannot be reached.
int status(const std::string& api, double wait_s, std::ostream& out, std::ostream& log);

// Prints the resource's value (hex) at `at` (committed, settled or a batch number) once its proof
// verifies against the batch's root. 0; 1 when the proof does not verify or the node has no such
// state; 2 for a malformed id or an unreachable node.
int state_get(const std::string& api, const std::string& id, const std::string& at,
              std::ostream& out, std::ostream& log);

// Prints L1's unspent outputs paying `address` (one line each, then the total). `wait_s` > 0:
// waits that long for the address to hold at least one. 0; 1 when it holds none; 2 for an
// address the node refuses or an unreachable node.
int l1_outputs(const std::string& api, const std::string& address, double wait_s, std::ostream& out,
               std::ostream& log);

}  // namespace basalt::cli
