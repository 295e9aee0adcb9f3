#include "core/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace basalt::core {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

std::size_t mapped_size(std::size_t bytes) {
  return (bytes + kHugePage - 1) & ~(kHugePage - 1);
}

}  // namespace

void* allocate_large(std::size_t bytes, std::size_t alignment) {
  if (bytes < kHugePage) return ::operator new(bytes, std::align_val_t(alignment));
  const std::size_t size = mapped_size(bytes);
  // Map one huge page more than needed and trim both ends to a 2 MiB boundary.
  void* raw =
      mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePage - 1) & ~std::uintptr_t{kHugePage - 1};
  if (aligned > start) munmap(raw, aligned - start);
  const std::uintptr_t tail = start + size + kHugePage - (aligned + size);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
  // Advice only: without transparent huge pages the mapping works with ordinary pages.
  madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

void deallocate_large(void* p, std::size_t bytes, std::size_t alignment) {
  if (bytes < kHugePage) {
    ::operator delete(p, std::align_val_t(alignment));
    return;
  }
  munmap(p, mapped_size(bytes));
}

}  // namespace basalt::core
