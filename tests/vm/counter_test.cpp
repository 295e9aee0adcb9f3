#include <gtest/gtest.h>

#include "core/byte_writer.hpp"
#include "guest_util.hpp"
#include "vm/machine.hpp"

namespace basalt::vm {
namespace {

using namespace testing;

struct Resource {
  core::Hash32 id;
  core::Bytes data;
};

core::Bytes counter_input(const std::vector<Resource>& rs) {
  core::ByteWriter w;
  w.u32_le(static_cast<std::uint32_t>(rs.size()));
  for (const auto& r : rs) {
    w.hash(r.id);
    w.u32_le(static_cast<std::uint32_t>(r.data.size()));
    w.bytes(r.data);
  }
  return w.take();
}

TEST(CounterGuest, IncrementsEveryResourceAndCreatesNewOnes) {
  auto p = Program::load(read_file(guest_path("counter.elf")));
  ASSERT_TRUE(p.ok()) << p.error().to_string();
  std::vector<Resource> rs = {{core::Hash32::from_byte(1), {}},
                              {core::Hash32::from_byte(2), {41, 0, 0, 0}},
                              {core::Hash32::from_byte(3), {0xff, 0xff, 0xff, 0xff}}};
  auto r = run(*p, counter_input(rs), {});
  ASSERT_EQ(r.status, RunResult::Status::kExited) << fault_name(r.fault.kind);
  EXPECT_EQ(r.exit_code, 0u);
  core::ByteWriter want;
  const std::uint32_t values[] = {1, 42, 0};  // the u32 wraps
  for (std::size_t i = 0; i < rs.size(); ++i) {
    want.hash(rs[i].id);
    want.u32_le(4);
    want.u32_le(values[i]);
  }
  EXPECT_EQ(r.journal, want.data());
  // Deterministic: the same run gives the same cycles and journal.
  auto again = run(*p, counter_input(rs), {});
  EXPECT_EQ(again.cycles, r.cycles);
  EXPECT_EQ(again.journal, r.journal);
}

TEST(CounterGuest, MalformedInputIsAnExitCodeNotACrash) {
  auto p = Program::load(read_file(guest_path("counter.elf")));
  ASSERT_TRUE(p.ok());
  core::Bytes good = counter_input({{core::Hash32::from_byte(1), {}}});
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = run(*p, core::ByteSpan(good).first(n), {});
    ASSERT_EQ(r.status, RunResult::Status::kExited);
    EXPECT_EQ(r.exit_code, 2u) << "prefix " << n;
  }
  auto odd = run(*p, counter_input({{core::Hash32::from_byte(1), {1, 2, 3}}}), {});
  EXPECT_EQ(odd.exit_code, 3u);
  core::Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(run(*p, trailing, {}).exit_code, 2u);
}

}  // namespace
}  // namespace basalt::vm
