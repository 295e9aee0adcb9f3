// The KIP-21 conformance runner: evaluates each vector of a kip21-vectors.json file by its
// `function` and `inputs` with basalt's own implementation and compares every `expected` field.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace basalt::conformance {

enum class VectorVerdict { kPass, kFail, kSkip };

struct VectorResult {
  std::string name;
  VectorVerdict verdict = VectorVerdict::kFail;
  std::string detail;  // the failing field or the skip reason
};

struct ConformanceReport {
  std::vector<VectorResult> results;
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::string file_error;  // set when the file itself cannot be read or is not a JSON array
};

// Never throws: a vector that cannot be parsed is a FAIL with the reason.
ConformanceReport run_kip21_conformance(const std::string& json_text);

// One line per vector (PASS/FAIL/SKIP), then exactly "N passed, M failed, K skipped".
void print_report(const ConformanceReport& report, std::ostream& out);

}  // namespace basalt::conformance
