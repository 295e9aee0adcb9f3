// `basalt key new | show`: secret key files as every basalt command reads them (64 hex digits),
// with their x-only public key and P2PK address on a network.
#pragma once

#include <ostream>
#include <string>

#include "kaspa/network.hpp"

namespace basalt::cli {

// Writes a fresh key to `path` (a new file, mode 0600; an existing one is never overwritten) and
// prints its public key and address. Returns the exit code: 0; 2 when the file cannot be written
// (it exists, or errno says why); 1 when the system has no randomness (reasons on `log`).
int key_new(const std::string& path, kaspa::Network network, std::ostream& out, std::ostream& log);
// Prints the public key and address of the key in `path`. Returns 0, or 2 when the file cannot be
// read or holds no key.
int key_show(const std::string& path, kaspa::Network network, std::ostream& out, std::ostream& log);

}  // namespace basalt::cli
