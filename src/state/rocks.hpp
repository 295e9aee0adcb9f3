// What basalt's RocksDB databases (the state store, the node's index) share: byte conversions,
// big-endian integer keys (so that keys sort by number), the translation of RocksDB's status into
// basalt's errors, and the options they are opened with (damage is an error, memory and files are
// bounded).
#pragma once

#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/status.h>
#include <rocksdb/table.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace basalt::state::rocks {

inline rocksdb::Slice slice(core::ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline core::ByteSpan span(const rocksdb::Slice& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
std::string be64(std::uint64_t v);
// The first 8 bytes as a big-endian integer (fewer: those there are).
std::uint64_t read_be64(const rocksdb::Slice& s);

// RocksDB finding its own files damaged is corruption of ours (kCorrupt), anything else kIo.
core::Error error(const rocksdb::Status& s, const std::string& what);

// Creates a missing database; checks what it reads (damage is an error, never data dropped in
// silence); keeps memtables at 8 MiB and at most `max_open_files` descriptors.
rocksdb::Options base_options(int max_open_files);
// Tables read through a block cache of `cache_bytes`, with a Bloom filter of 10 bits per key; with
// `bounded_index`, their index and filter blocks live in that cache too, so that memory does not
// grow with the data (at some cost per read when the cache is small).
rocksdb::BlockBasedTableOptions table_options(std::size_t cache_bytes, bool bounded_index);

}  // namespace basalt::state::rocks
