// Where basalt's own files are, and `basalt guest build`. An install puts the binary in
// <prefix>/bin and its guests and the guest SDK in <prefix>/share/basalt; the build tree stages the
// same files in build/share/basalt. The binary looks for them relative to itself, never through a
// path compiled in from the build machine; [app] guest_dir and --guest-dir override.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace basalt::cli {

// <prefix>/share/basalt for the running binary: the first of <exe>/../share/basalt (an install)
// and <exe>/../../share/basalt (the build tree) that holds guests/counter.elf; the first when
// neither does, so that an error names where the files were expected.
std::string share_dir();
// share_dir() + "/guests".
std::string guest_dir();

struct GuestBuildOptions {
  std::vector<std::string> sources;  // C files of the app (the SDK is linked in)
  std::string out;                   // the ELF to write
  std::vector<std::string> include_dirs;
  std::string sdk;  // empty: share_dir() + "/sdk"
  std::string cc = "clang";
};
// Compiles and links an app with the system clang and lld against the SDK, then loads the ELF as
// the VM would and prints its image id. Returns 0; 1 when clang fails or the ELF does not load; 2
// when the SDK or a source is missing (each says why on `log`).
int guest_build(const GuestBuildOptions& o, std::ostream& out, std::ostream& log);

}  // namespace basalt::cli
