// An allocator for large arrays that are read at random (the resource tree's arenas): blocks of
// 2 MiB and more are mapped 2 MiB-aligned and marked for transparent huge pages, so that a walk
// through them misses the TLB far less often. At 10^6 resources a tree update spends most of its
// time in such misses; under a hypervisor each costs a two-level page walk.
#pragma once

#include <cstddef>

namespace basalt::core {

// Requires: alignment ≤ 4096. Throws std::bad_alloc like operator new.
void* allocate_large(std::size_t bytes, std::size_t alignment);
void deallocate_large(void* p, std::size_t bytes, std::size_t alignment);

template <typename T>
struct HugePageAllocator {
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T), alignof(T))); }
  void deallocate(T* p, std::size_t n) { deallocate_large(p, n * sizeof(T), alignof(T)); }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace basalt::core
