#!/usr/bin/env bash
# What a person typing commands sees (docs/cli.md): a usage error is exit code 2 and names the flag
# or file at fault, with errno's words for a file; an app that does not exist stops exec (exit code
# 1) before anything is on disk; --help and --version are exit code 0.
# Usage: usage_errors.sh <basalt binary> <work dir>
set -uo pipefail
b=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
fail() { echo "usage_errors.sh: $*" >&2; exit 1; }

expect() {  # expect <code> <text in stderr> <args...>
  local code=$1 text=$2
  shift 2
  "$b" "$@" > "$work/out" 2> "$work/err"
  local got=$?
  [ "$got" -eq "$code" ] || fail "basalt $* exited $got, not $code: $(cat "$work/err")"
  grep -qF -- "$text" "$work/err" || fail "basalt $*: stderr lacks '$text': $(cat "$work/err")"
}

expect 2 "--bogus" key show "$work/k" --bogus
expect 2 "Could not convert: --timeout = soon" tx status --api http://127.0.0.1:1 --timeout soon 00
expect 2 "cannot read $work/none.key: No such file or directory" key show "$work/none.key"
expect 2 "id: a transaction id is 64 hex digits" tx status --api http://127.0.0.1:1 abc
echo 0101010101010101010101010101010101010101010101010101010101010101 > "$work/fee.key"
expect 2 "--tx: a transaction id is 64 hex digits" tx claim --api http://127.0.0.1:1 --tx 00 \
  --fee-key "$work/fee.key"
expect 2 "give --settlement with --exit or --to, or --tx alone" tx claim --api http://127.0.0.1:1 \
  --exit 0 --fee-key "$work/fee.key"
expect 1 "is neither a built-in app" exec --app countr --data-dir "$work/data" --blocks 1
[ ! -e "$work/data" ] || fail "an unknown app created its data directory"
"$b" --help > /dev/null || fail "--help is not exit code 0"
"$b" --version | grep -q "basalt" || fail "--version"
echo "usage_errors.sh: ok"
