// Small file-system queries shared by the stores.
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <string>

namespace basalt::core {

// Bytes in the regular files directly inside `dir` (0 for a directory that cannot be read).
std::uint64_t directory_bytes(const std::string& dir);
// The whole file. Errors: kNotFound when it cannot be read.
Result<Bytes> read_file(const std::string& path);

}  // namespace basalt::core
