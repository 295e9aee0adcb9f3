#include "state/rocks.hpp"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

namespace basalt::state::rocks {

std::string be64(std::uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[static_cast<std::size_t>(i)] = static_cast<char>(v);
  return s;
}

std::uint64_t read_be64(const rocksdb::Slice& s) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < s.size(); ++i) v = v << 8 | static_cast<std::uint8_t>(s[i]);
  return v;
}

core::Error error(const rocksdb::Status& s, const std::string& what) {
  return core::Error{s.IsCorruption() ? core::ErrorCode::kCorrupt : core::ErrorCode::kIo,
                     what + ": " + s.ToString()};
}

rocksdb::Options base_options(int max_open_files) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.paranoid_checks = true;
  o.max_open_files = max_open_files;
  o.write_buffer_size = 8u << 20;
  return o;
}

rocksdb::BlockBasedTableOptions table_options(std::size_t cache_bytes, bool bounded_index) {
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = rocksdb::NewLRUCache(cache_bytes);
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.cache_index_and_filter_blocks = bounded_index;
  t.pin_l0_filter_and_index_blocks_in_cache = bounded_index;
  return t;
}

}  // namespace basalt::state::rocks
