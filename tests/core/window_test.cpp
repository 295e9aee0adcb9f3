#include "core/window.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace basalt::core {
namespace {

TEST(Window, IndicesStayAbsoluteWhenTheOldestAreLetGo) {
  Window<int> w;
  for (int i = 0; i < 10; ++i) w.push_back(i * 10);
  w.forget_before(4);
  EXPECT_EQ(w.size(), 10u);
  EXPECT_EQ(w.first(), 4u);
  EXPECT_EQ(w[4], 40);
  EXPECT_EQ(w[9], 90);
  EXPECT_EQ(w.front(), 40);
  EXPECT_EQ(std::vector<int>(w.begin(), w.end()), (std::vector<int>{40, 50, 60, 70, 80, 90}));
  w.pop_back();
  w.resize(7);
  w.push_back(7);
  EXPECT_EQ(w.size(), 8u);
  EXPECT_EQ(w[7], 7);
  w.resize(9);  // grows with default values
  EXPECT_EQ(w[8], 0);
  w.forget_before(100);  // past the end: everything let go, the count stays
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.first(), 9u);
  EXPECT_EQ(w.size(), 9u);
  w.push_back(5);
  EXPECT_EQ(w[9], 5);
}

TEST(WindowDeathTest, AnIndexLetGoIsACallersError) {
  Window<int> w;
  for (int i = 0; i < 5; ++i) w.push_back(i);
  w.forget_before(2);
  EXPECT_DEATH((void)w[1], "assertion failed");
}

}  // namespace
}  // namespace basalt::core
