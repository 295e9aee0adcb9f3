// The conformance runner passes the golden vectors, notices a change to any expected value, and
// turns every malformed vector into a FAIL rather than a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/conformance.hpp"

namespace basalt::conformance {
namespace {

using Json = nlohmann::ordered_json;

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

const std::string kVendored = std::string(BASALT_TEST_DATA_DIR) + "/kip21-vectors.json";
const std::string kShared = std::string(BASALT_SHARED_DIR) + "/conformance/kip21-vectors.json";

TEST(Conformance, GoldenVectorsPass) {
  auto report = run_kip21_conformance(read_file(kVendored));
  ASSERT_TRUE(report.file_error.empty()) << report.file_error;
  for (const auto& r : report.results) {
    EXPECT_NE(r.verdict, VectorVerdict::kFail) << r.name << ": " << r.detail;
  }
  EXPECT_EQ(report.failed, 0);
  EXPECT_EQ(report.skipped, 2);  // the two ZK fixtures
  EXPECT_EQ(report.passed + report.skipped, static_cast<int>(report.results.size()));
  std::ostringstream out;
  print_report(report, out);
  EXPECT_NE(out.str().find("\n" + std::to_string(report.passed) + " passed, 0 failed, 2 skipped\n"),
            std::string::npos);
}

TEST(Conformance, VendoredCopyIsTheSharedFile) {
  if (!std::filesystem::exists(kShared)) GTEST_SKIP() << "no shared/ beside this checkout";
  EXPECT_EQ(read_file(kVendored), read_file(kShared))
      << "tests/data/kip21-vectors.json differs from shared/conformance: copy it again";
}

// Visits every string inside `j`, letting `f` mutate a copy of the whole document.
void for_each_string(Json& j, const std::function<void(Json&)>& f) {
  if (j.is_string()) {
    f(j);
  } else if (j.is_array() || j.is_object()) {
    for (auto& child : j) for_each_string(child, f);
  }
}

VectorResult run_one(const Json& vector) {
  Json doc = Json::array({vector});
  auto report = run_kip21_conformance(doc.dump());
  EXPECT_TRUE(report.file_error.empty());
  EXPECT_EQ(report.results.size(), 1u);
  return report.results.empty() ? VectorResult{} : report.results[0];
}

TEST(Conformance, EveryExpectedValueIsChecked) {
  Json all = Json::parse(read_file(kVendored));
  int mutations = 0;
  for (const auto& v : all) {
    if (run_one(v).verdict != VectorVerdict::kPass) continue;
    Json expected = v.at("expected");
    // Flip the last character of each hex string in `expected`, one at a time.
    std::vector<Json*> strings;
    for_each_string(expected, [&](Json& s) { strings.push_back(&s); });
    // The key of a non-inclusion proof is a query, not a result: another absent key can have the
    // very same proof, so changing it may leave the vector true.
    if (expected.contains("proofs")) {
      for (auto& p : expected["proofs"]) {
        if (!p.value("inclusion", true)) std::erase(strings, &p["key"]);
      }
    }
    for (Json* s : strings) {
      std::string orig = s->get<std::string>();
      if (orig.empty()) continue;
      std::string changed = orig;
      char& last = changed.back();
      last = last == '0' ? '1' : (last == '1' ? '0' : (std::isxdigit(last) ? '0' : 'x'));
      *s = changed;
      Json mutated = v;
      mutated["expected"] = expected;
      auto r = run_one(mutated);
      EXPECT_EQ(r.verdict, VectorVerdict::kFail)
          << v.at("name") << ": change to " << orig << " unnoticed";
      *s = orig;
      ++mutations;
    }
  }
  EXPECT_GT(mutations, 400);
}

TEST(Conformance, AnExpectedFieldNobodyEvaluatesIsAFailure) {
  Json all = Json::parse(read_file(kVendored));
  Json v = all[15];
  ASSERT_EQ(run_one(v).verdict, VectorVerdict::kPass);
  v["expected"]["surprise"] = "00";
  auto r = run_one(v);
  EXPECT_EQ(r.verdict, VectorVerdict::kFail);
  EXPECT_NE(r.detail.find("surprise"), std::string::npos);
}

TEST(Conformance, MalformedVectorsFailWithoutCrashing) {
  Json all = Json::parse(read_file(kVendored));
  for (const auto& v : all) {
    // Drop each input, and replace each input with a number or a non-hex string.
    for (const auto& [key, value] : v.at("inputs").items()) {
      for (int variant = 0; variant < 3; ++variant) {
        Json m = v;
        if (variant == 0) m["inputs"].erase(key);
        if (variant == 1) m["inputs"][key] = 12345;
        if (variant == 2) m["inputs"][key] = "zz";
        auto r = run_one(m);
        if (r.verdict == VectorVerdict::kFail) {
          EXPECT_FALSE(r.detail.empty());
        }
      }
    }
    Json no_expected = v;
    no_expected.erase("expected");
    if (run_one(v).verdict != VectorVerdict::kSkip) {
      EXPECT_EQ(run_one(no_expected).verdict, VectorVerdict::kFail);
    }
  }
  Json unknown = {{"name", "x"},
                  {"function", "no_such_function"},
                  {"inputs", Json::object()},
                  {"expected", Json::object()}};
  auto r = run_one(unknown);
  EXPECT_EQ(r.verdict, VectorVerdict::kFail);
  EXPECT_NE(r.detail.find("unknown function"), std::string::npos);
  EXPECT_EQ(run_one(Json(42)).verdict, VectorVerdict::kFail);
}

TEST(Conformance, FileLevelErrors) {
  EXPECT_FALSE(run_kip21_conformance("not json").file_error.empty());
  EXPECT_FALSE(run_kip21_conformance("{}").file_error.empty());
  auto empty = run_kip21_conformance("[]");
  EXPECT_TRUE(empty.file_error.empty());
  std::ostringstream out;
  print_report(empty, out);
  EXPECT_EQ(out.str(), "0 passed, 0 failed, 0 skipped\n");
}

}  // namespace
}  // namespace basalt::conformance
