// BASALT_ASSERT: checks an invariant that basalt's own code guarantees. On in every build; a
// failure aborts with file and line. Never use it on data from outside (L1, RPC, guests, disk,
// config): such data gets a Result with an error instead.
#pragma once

namespace basalt::core::detail {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line);
}  // namespace basalt::core::detail

#define BASALT_ASSERT(cond) \
  ((cond) ? static_cast<void>(0) : ::basalt::core::detail::assert_fail(#cond, __FILE__, __LINE__))
