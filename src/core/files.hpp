// Small file-system queries shared by the stores.
#pragma once

#include <cstdint>
#include <string>

namespace basalt::core {

// Bytes in the regular files directly inside `dir` (0 for a directory that cannot be read).
std::uint64_t directory_bytes(const std::string& dir);

}  // namespace basalt::core
