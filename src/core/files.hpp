// Small file-system queries, and process settings for long-running servers (open files, the
// allocator's retention), shared by the stores and the commands.
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
// Writes `bytes` as the whole of `path` (created, or truncated first). Errors: kIo.
Status write_file(const std::string& path, ByteSpan bytes);
// Raises this process's soft limit of open files to its hard limit: a server holds one
// descriptor per connection, and the usual soft limit of 1 024 is below what it is configured for.
void raise_open_file_limit();

// For long-running processes: large blocks (receipts, guest memory, database buffers) are mapped
// and unmapped on their own instead of being carved from the heap, and release_free_memory() hands
// what the allocator holds free back to the system. Without them a node's resident memory creeps
// up with the allocator's fragmentation while what it holds stays flat.
void limit_allocator_retention();
void release_free_memory();

}  // namespace basalt::core
