#!/usr/bin/env bash
# Installs, only if missing, every Debian package basalt needs to build, test, fuzz and run, and
# the npm packages the tests use as independent oracles (tests/oracle, pinned by its lockfile).
# Idempotent: a second run installs nothing and exits 0. Needs root (or sudo) only when a Debian
# package is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  # toolchains: host build (gcc), RISC-V guests and libFuzzer (clang, lld, compiler-rt)
  build-essential cmake ninja-build ccache pkg-config git
  clang lld libclang-rt-14-dev clang-format
  # libraries
  libssl-dev libb2-dev librocksdb-dev libsecp256k1-dev libisal-dev
  libboost-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libtomlplusplus-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # kaspad's RPC protocol: gRPC and protobuf with their code generators
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  # differential peers used by the tests and benchmarks
  b3sum qemu-user
)
# Node.js and npm run the npm oracles; any Node.js from 18 on serves, Debian's or another one.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages present"
else
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm oracles, exactly as the lockfile pins them; reinstalled only when the lockfile changed.
oracle="$root/tests/oracle"
stamp="$oracle/node_modules/.basalt-installed-lock"
if cmp -s "$oracle/package-lock.json" "$stamp"; then
  echo "setup: npm oracles present"
else
  echo "setup: installing the npm oracles (tests/oracle)"
  npm ci --prefix "$oracle" --no-audit --no-fund --loglevel=error
  cp "$oracle/package-lock.json" "$stamp"
fi
echo "setup: done"
