// The helper thread runs each task it is handed to completion before wait() returns, one after the
// other, and hands back what a task threw.
#include "core/helper_thread.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <thread>

namespace basalt::core {
namespace {

TEST(HelperThread, RunsTasksOnItsOwnThreadAndWaits) {
  HelperThread h;
  const std::thread::id caller = std::this_thread::get_id();
  int total = 0;
  for (int i = 1; i <= 100; ++i) {
    std::thread::id ran_on;
    auto task = h.start([&, i] {
      ran_on = std::this_thread::get_id();
      total += i;
    });
    task.wait();
    ASSERT_NE(ran_on, caller);
    ASSERT_EQ(total, i * (i + 1) / 2);
  }
}

TEST(HelperThread, WaitRethrowsAndTheThreadGoesOn) {
  HelperThread h;
  auto failing = h.start([] { throw std::runtime_error("task failed"); });
  EXPECT_THROW(failing.wait(), std::runtime_error);
  bool ran = false;
  {
    // A task left without wait() is waited for when it goes out of scope.
    auto task = h.start([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ran = true;
    });
  }
  EXPECT_TRUE(ran);
}

}  // namespace
}  // namespace basalt::core
