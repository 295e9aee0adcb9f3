// Prometheus metrics: counters and gauges by name and label set, rendered in the text exposition
// format (version 0.0.4). Safe to use from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace basalt::node {

class Metrics {
 public:
  // Declares a metric's help text and type ("counter" or "gauge"); rendered even before a value.
  void describe(const std::string& name, const std::string& type, const std::string& help);
  // labels: Prometheus label pairs without braces, e.g. `reason="guest_fault"` (may be empty).
  void add(const std::string& name, double v, const std::string& labels = {});
  void set(const std::string& name, double v, const std::string& labels = {});
  double get(const std::string& name, const std::string& labels = {}) const;
  std::string render() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, double> values;  // by label set
  };
  mutable std::mutex mutex_;
  std::map<std::string, Family> families_;
};

// Declares everything the node reports (names, types, help) and zeroes the gauges read before the
// first step.
void describe_node_metrics(Metrics& m);

// A label value with \, " and newlines escaped.
std::string label_value(const std::string& s);

}  // namespace basalt::node
