// The basalt command. Subcommands parse their options here and call into the modules; this file is
// the only place that turns errors into exit codes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/conformance.hpp"

namespace {

int run_conformance_kip21(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "basalt: cannot read " << path << "\n";
    return 2;
  }
  std::stringstream buf;
  buf << f.rdbuf();
  auto report = basalt::cli::run_kip21_conformance(buf.str());
  if (!report.file_error.empty()) {
    std::cerr << "basalt: " << path << ": " << report.file_error << "\n";
    return 2;
  }
  basalt::cli::print_report(report, std::cout);
  return report.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App app{"basalt: a runtime for based apps (vProgs) on Kaspa"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "basalt 0.1.0");

    auto* conformance = app.add_subcommand("conformance", "check basalt against golden vectors");
    conformance->require_subcommand(1);
    std::string vectors_path;
    auto* kip21 = conformance->add_subcommand(
        "kip21", "evaluate every vector of a KIP-21 vector file; prints PASS/FAIL/SKIP per vector");
    kip21->add_option("vectors", vectors_path, "path to kip21-vectors.json")->required();

    CLI11_PARSE(app, argc, argv);
    if (kip21->parsed()) return run_conformance_kip21(vectors_path);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "basalt: fatal: " << e.what() << "\n";
    return 3;
  }
}
