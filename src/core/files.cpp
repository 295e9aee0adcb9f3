#include "core/files.hpp"

#include <malloc.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>

namespace basalt::core {

std::uint64_t directory_bytes(const std::string& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

Result<Bytes> read_file(const std::string& path, std::uint64_t max_bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error{ErrorCode::kNotFound, "cannot read " + path};
  Bytes out;
  char buf[1 << 16];
  while (f.read(buf, sizeof buf) || f.gcount() > 0) {
    if (out.size() + static_cast<std::uint64_t>(f.gcount()) > max_bytes) {
      return Error{ErrorCode::kOutOfRange,
                   path + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
    out.insert(out.end(), buf, buf + f.gcount());
  }
  if (f.bad()) return Error{ErrorCode::kNotFound, "cannot read " + path};
  return out;
}

void raise_open_file_limit() {
  rlimit l{};
  if (::getrlimit(RLIMIT_NOFILE, &l) != 0 || l.rlim_cur >= l.rlim_max) return;
  l.rlim_cur = l.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &l);  // best effort: the server refuses what it cannot open
}

void limit_allocator_retention() {
  // A fixed threshold also stops glibc from raising it after each large free. At 1 MiB a node's
  // RSS still crept up (`basalt bench memory`); at 128 KiB it stays flat.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  mallopt(M_TRIM_THRESHOLD, 128 * 1024);
}

void release_free_memory() {
  malloc_trim(0);
}

}  // namespace basalt::core
