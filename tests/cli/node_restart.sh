#!/usr/bin/env bash
# basalt node as a user runs it: SIGTERM stops it cleanly (exit 0), SIGKILL at a random moment loses
# nothing, and the restarted node ends with the same root as an uninterrupted run.
# Usage: node_restart.sh <basalt binary> <work dir>
set -euo pipefail
basalt=$1
work=$2
rm -rf "$work"
mkdir -p "$work"

config() {  # config <name> <stop_after_blocks>
  cat > "$work/$1.toml" <<TOML
[node]
data_dir = "$work/$1"
sync = false
stop_after_blocks = $2
[sim]
seed = 5
block_interval_ms = 5
finality_depth = 30
reorg_every = 9
reorg_depth = 3
users_tx_per_block = 15
[api]
listen = "127.0.0.1:0"
TOML
}
root_of() { grep -o 'stopped at batch [0-9]* (root [0-9a-f]*)' "$1" | tail -1 | sed 's/.*root \([0-9a-f]*\))/\1/'; }

# Uninterrupted.
config whole 300
"$basalt" node --config "$work/whole.toml" 2> "$work/whole.log"
whole=$(root_of "$work/whole.log")
test -n "$whole"

# SIGTERM mid-run: exit 0 and a clean stop line.
config part 300
"$basalt" node --config "$work/part.toml" 2> "$work/term.log" &
pid=$!
# Its handlers are set before it logs the app's image id (a slow start under sanitizers and load
# could otherwise meet the signal's default action).
for _ in $(seq 1 300); do
  grep -q 'image id' "$work/term.log" && break
  sleep 0.1
done
sleep 0.4
kill -TERM $pid
wait $pid
grep -q 'stopped at batch' "$work/term.log"

# SIGKILL at two moments, then run to the end.
for pause in 0.3 0.8; do
  "$basalt" node --config "$work/part.toml" 2> "$work/kill.log" &
  pid=$!
  sleep $pause
  kill -KILL $pid 2>/dev/null || true
  wait $pid || true
done
"$basalt" node --config "$work/part.toml" 2> "$work/end.log"
resumed=$(root_of "$work/end.log")
echo "uninterrupted root $whole"
echo "resumed root       $resumed"
test "$whole" = "$resumed"

# An invalid configuration fails at start with the key and the reason (exit 2).
printf '[sim]\nfinality_depth = "ten"\n' > "$work/bad.toml"
set +e
"$basalt" node --config "$work/bad.toml" 2> "$work/bad.log"
rc=$?
set -e
test $rc -eq 2
grep -q 'sim.finality_depth: expected an integer' "$work/bad.log"
rm -rf "$work"
