// Internal to dag: a small max-flow network (Edmonds-Karp) with residual reachability, for the
// witness cuts. Capacities are integers; kInf marks an arc no cut may use.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

namespace basalt::dag::detail {

constexpr std::int64_t kInf = std::numeric_limits<std::int64_t>::max() / 4;

// A small max-flow network with residual capacities on paired edges (edge i and i ^ 1).
class FlowNetwork {
 public:
  explicit FlowNetwork(std::size_t nodes) : adj_(nodes) {}
  void add_edge(std::size_t from, std::size_t to, std::int64_t cap) {
    adj_[from].push_back(to_.size());
    to_.push_back(to);
    cap_.push_back(cap);
    adj_[to].push_back(to_.size());
    to_.push_back(from);
    cap_.push_back(0);
  }
  // Edmonds-Karp; stops once the flow reaches kInf (an uncuttable path).
  std::int64_t max_flow(std::size_t s, std::size_t t) {
    std::int64_t flow = 0;
    for (;;) {
      std::vector<std::size_t> via(adj_.size(), SIZE_MAX);
      std::deque<std::size_t> queue = {s};
      std::vector<bool> seen(adj_.size(), false);
      seen[s] = true;
      while (!queue.empty() && !seen[t]) {
        std::size_t u = queue.front();
        queue.pop_front();
        for (std::size_t e : adj_[u]) {
          if (cap_[e] > 0 && !seen[to_[e]]) {
            seen[to_[e]] = true;
            via[to_[e]] = e;
            queue.push_back(to_[e]);
          }
        }
      }
      if (!seen[t]) return flow;
      std::int64_t push = kInf;
      for (std::size_t v = t; v != s; v = to_[via[v] ^ 1]) push = std::min(push, cap_[via[v]]);
      for (std::size_t v = t; v != s; v = to_[via[v] ^ 1]) {
        cap_[via[v]] -= push;
        cap_[via[v] ^ 1] += push;
      }
      flow += push;
      if (flow >= kInf) return flow;
    }
  }
  std::vector<bool> residual_reachable(std::size_t s) const {
    std::vector<bool> seen(adj_.size(), false);
    std::vector<std::size_t> stack = {s};
    seen[s] = true;
    while (!stack.empty()) {
      std::size_t u = stack.back();
      stack.pop_back();
      for (std::size_t e : adj_[u]) {
        if (cap_[e] > 0 && !seen[to_[e]]) {
          seen[to_[e]] = true;
          stack.push_back(to_[e]);
        }
      }
    }
    return seen;
  }

 private:
  std::vector<std::vector<std::size_t>> adj_;
  std::vector<std::size_t> to_;
  std::vector<std::int64_t> cap_;
};

}  // namespace basalt::dag::detail
