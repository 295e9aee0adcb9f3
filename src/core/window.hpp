// Window<T>: a sequence whose oldest elements can be let go while every element keeps its index.
// For histories a long-running process needs only the recent end of (a chain, its batches): the
// indices stay absolute, so position p means the same element before and after older ones went.
#pragma once

#include <cstddef>
#include <deque>
#include <utility>

#include "core/assert.hpp"

namespace basalt::core {

template <typename T>
class Window {
 public:
  using const_iterator = typename std::deque<T>::const_iterator;

  // One past the newest index: the length of the whole sequence, let-go elements included.
  std::size_t size() const { return first_ + items_.size(); }
  // The oldest index still held.
  std::size_t first() const { return first_; }
  // Whether no element is held.
  bool empty() const { return items_.empty(); }

  const T& operator[](std::size_t i) const { return items_[offset(i)]; }
  T& operator[](std::size_t i) { return items_[offset(i)]; }
  const T& front() const { return items_.front(); }
  const T& back() const { return items_.back(); }
  T& back() { return items_.back(); }
  // The held elements, oldest first.
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }

  void push_back(T v) { items_.push_back(std::move(v)); }
  void pop_back() { items_.pop_back(); }
  // Shrinks to `n` elements, or grows with default values; never below what was let go.
  void resize(std::size_t n) {
    BASALT_ASSERT(n >= first_);
    items_.resize(n - first_);
  }
  // Lets go of every element below index `i` (of all of them when i is past the end).
  void forget_before(std::size_t i) {
    while (first_ < i && !items_.empty()) {
      items_.pop_front();
      ++first_;
    }
  }

 private:
  std::size_t offset(std::size_t i) const {
    BASALT_ASSERT(i >= first_ && i - first_ < items_.size());
    return i - first_;
  }

  std::deque<T> items_;
  std::size_t first_ = 0;
};

}  // namespace basalt::core
