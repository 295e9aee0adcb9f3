#include "core/helper_thread.hpp"

#include <utility>

#include "core/assert.hpp"

namespace basalt::core {

HelperThread::HelperThread() : thread_([this] { loop(); }) {}

HelperThread::~HelperThread() {
  {
    std::lock_guard lk(m_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

HelperThread::Task HelperThread::start(std::function<void()> task) {
  {
    std::lock_guard lk(m_);
    BASALT_ASSERT(!busy_);
    task_ = std::move(task);
    busy_ = true;
  }
  cv_.notify_all();
  return Task(this);
}

std::exception_ptr HelperThread::finish() {
  std::unique_lock lk(m_);
  cv_.wait(lk, [&] { return !busy_; });
  return std::exchange(error_, nullptr);
}

void HelperThread::loop() {
  std::unique_lock lk(m_);
  for (;;) {
    cv_.wait(lk, [&] { return stop_ || (busy_ && task_); });
    if (stop_) return;
    std::function<void()> task = std::move(task_);
    task_ = nullptr;
    lk.unlock();
    std::exception_ptr error;
    try {
      task();
    } catch (...) {
      error = std::current_exception();
    }
    lk.lock();
    error_ = error;
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace basalt::core
