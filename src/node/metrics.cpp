#include "node/metrics.hpp"

#include <cmath>
#include <sstream>

namespace basalt::node {

void Metrics::describe(const std::string& name, const std::string& type, const std::string& help) {
  std::lock_guard lock(mutex_);
  Family& f = families_[name];
  f.type = type;
  f.help = help;
}

void Metrics::add(const std::string& name, double v, const std::string& labels) {
  std::lock_guard lock(mutex_);
  families_[name].values[labels] += v;
}

void Metrics::set(const std::string& name, double v, const std::string& labels) {
  std::lock_guard lock(mutex_);
  families_[name].values[labels] = v;
}

double Metrics::get(const std::string& name, const std::string& labels) const {
  std::lock_guard lock(mutex_);
  auto f = families_.find(name);
  if (f == families_.end()) return 0;
  auto v = f->second.values.find(labels);
  return v == f->second.values.end() ? 0 : v->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out.precision(17);
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out << "# HELP " << name << " " << f.help << "\n";
    if (!f.type.empty()) out << "# TYPE " << name << " " << f.type << "\n";
    for (const auto& [labels, v] : f.values) {
      out << name;
      if (!labels.empty()) out << "{" << labels << "}";
      out << " ";
      if (v == std::floor(v) && std::fabs(v) < 1e15) {
        out << static_cast<long long>(v);
      } else {
        out << v;
      }
      out << "\n";
    }
  }
  return out.str();
}

std::string label_value(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace basalt::node
