#!/usr/bin/env bash
# The install as a user gets it: `cmake --install` and the Debian package from `cpack` put basalt in
# bin/ and its guests and guest SDK in share/basalt/; the binary finds them relative to itself (also
# after the whole tree is moved), builds an app with the installed SDK to the same image id as the
# build's own, and says where it looked when the files are missing.
# Usage: install.sh <build dir> <source dir> <work dir>
set -euo pipefail
build=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "install.sh: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/usr" > /dev/null
mv "$work/usr" "$work/moved"
b="$work/moved/bin/basalt"
"$b" exec --app counter --blocks 5 --tx-per-block 5 --data-dir "$work/exec" --no-sync --json \
  > "$work/exec.json"
grep -q '"root"' "$work/exec.json" || fail "exec from the moved install printed no root"

want=$("$b" vm image-id "$work/moved/share/basalt/guests/counter.elf")
"$b" guest build "$src/guest/apps/counter.c" -o "$work/counter.elf" > "$work/build.out"
grep -q "image id $want" "$work/build.out" || fail "guest build: $(cat "$work/build.out"), want $want"

mkdir -p "$work/lonely/bin"
cp "$b" "$work/lonely/bin/basalt"
if "$work/lonely/bin/basalt" exec --app counter --blocks 1 --data-dir "$work/lonely/data" \
  2> "$work/lonely.err"; then
  fail "a binary without its guests ran exec"
fi
grep -q "$work/lonely/share/basalt/guests/counter.elf" "$work/lonely.err" ||
  fail "the error does not say where the guests were expected: $(cat "$work/lonely.err")"
[ ! -e "$work/lonely/data" ] || fail "a binary without its guests created its data directory"

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" > "$work/cpack.out" ||
  fail "cpack: $(cat "$work/cpack.out")"
deb=$(ls "$work"/pkg/basalt_*_*.deb)
dpkg-deb -c "$deb" > "$work/deb.list"
for f in ./usr/bin/basalt ./usr/share/basalt/guests/counter.elf ./usr/share/basalt/guests/token.elf \
  ./usr/share/basalt/sdk/include/basalt/tx.h ./usr/share/basalt/sdk/lib/libbasalt_guest_sdk.a; do
  grep -q " $f\$" "$work/deb.list" || fail "the package lacks $f"
done
dpkg-deb -f "$deb" Depends | grep -q librocksdb || fail "the package does not depend on RocksDB"
dpkg-deb -x "$deb" "$work/deb"
"$work/deb/usr/bin/basalt" guest build "$src/guest/apps/counter.c" -o "$work/deb.elf" |
  grep -q "image id $want" || fail "guest build from the package's SDK"
echo "install.sh: ok"
