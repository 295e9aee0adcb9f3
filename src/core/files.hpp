// Small file-system queries shared by the stores.
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <string>

namespace basalt::core {

// Bytes in the regular files directly inside `dir` (0 for a directory that cannot be read).
std::uint64_t directory_bytes(const std::string& dir);
// The whole file, if it holds at most `max_bytes` (a device or a pipe is read up to the bound).
// Errors: kNotFound when it cannot be read, kOutOfRange when it is larger.
Result<Bytes> read_file(const std::string& path, std::uint64_t max_bytes);
// Raises this process's soft limit of open files to its hard limit: a server holds one
// descriptor per connection, and the usual soft limit of 1 024 is below what it is configured for.
void raise_open_file_limit();

}  // namespace basalt::core
