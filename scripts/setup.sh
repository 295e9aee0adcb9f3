#!/usr/bin/env bash
# Installs, only if missing, every Debian package basalt needs to build, test, fuzz and run.
# Idempotent: a second run installs nothing and exits 0. Needs root (or sudo) only when something
# is missing.
set -euo pipefail

packages=(
  # toolchains: host build (gcc), RISC-V guests and libFuzzer (clang, lld, compiler-rt)
  build-essential cmake ninja-build ccache pkg-config git
  clang lld libclang-rt-14-dev clang-format
  # libraries
  libssl-dev libb2-dev librocksdb-dev libsecp256k1-dev
  libboost-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libtomlplusplus-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # differential peers used by the tests and benchmarks
  b3sum qemu-user
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
