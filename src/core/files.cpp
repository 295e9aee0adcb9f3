#include "core/files.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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
  // errno's words say why (missing, not permitted, a directory), which std::ifstream hides.
  const auto failed = [&path](int err) {
    return Error{err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                 "cannot read " + path + ": " + std::strerror(err)};
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(errno);
  Bytes out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return failed(err);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::uint64_t>(n) > max_bytes) {
      ::close(fd);
      return Error{ErrorCode::kOutOfRange,
                   path + " is larger than " + std::to_string(max_bytes) + " bytes"};
    }
    out.insert(out.end(), buf, buf + n);
  }
  ::close(fd);
  return out;
}

Status write_file(const std::string& path, ByteSpan bytes) {
  const auto failed = [&path](int err) {
    return Error{ErrorCode::kIo, "cannot write " + path + ": " + std::strerror(err)};
  };
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return failed(errno);
  for (std::size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return failed(err);
    }
    at += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return failed(errno);
  return Status::Ok();
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
