#!/usr/bin/env bash
# `basalt sim serve` as a devnet L1 shared by several `basalt node` processes over loopback gRPC:
# a settling node (killed with -9 and restarted), an observer without a prover (a mirror: it keeps
# the lane-activity archive and never settles) and a node on the embedded simulator with the same
# settings reach the same roots, through seeded reorgs and a restart of the server (every node's
# connection drops and comes back). The mirror's archive, downloaded with `basalt da activity`,
# checks out over the whole run and against the served L1's headers and lane proofs. Bounded: each wait has a
# deadline that fails the test; every process started is stopped by its pid.
# Usage: sim_serve.sh <basalt binary> <work dir>
set -euo pipefail
basalt=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log; do echo "== $f" >&2; tail -5 "$f" >&2; done; exit 1; }
# wait_for <file> <pattern> <seconds>
wait_for() {
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "no \"$2\" in $1 within $3 s"
}
# http_get <port> <path>: the body of a GET on loopback.
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
  sed '1,/^\r$/d' <&3
  exec 3<&-
}
api_port() { grep -o 'listening on http://127.0.0.1:[0-9]*' "$1" | tail -1 | sed 's/.*://'; }
root_at() { http_get "$1" "/v1/batches/$2" | grep -o '"root":"[0-9a-f]*"' | sed 's/.*:"\(.*\)"/\1/'; }
executed() { http_get "$1" /v1/status | grep -o '"executed":[0-9]*' | head -1 | sed 's/.*://'; }

# Ten blocks a second, as Kaspa: a settling node slowed by sanitizers on a busy machine still
# proves as fast as the served L1 grows (its anchors must stay within F of the tip). F = 60 keeps
# 150 blue score (about 75 blocks, 7 s) above the pruning point.
sim_args=(--seed 5 --finality-depth 60 --reorg-every 9 --reorg-depth 3 --users-tx-per-block 3
  --block-interval-ms 100 --no-sync)
serve() {  # serve <listen> <log>
  "$basalt" sim serve "${sim_args[@]}" --data-dir "$work/sim" --listen "$1" --faucet-key-out "$work/faucet.key" 2>> "$2" &
  pids+=($!)
  server=$!
}
serve 127.0.0.1:0 "$work/serve.log"
wait_for "$work/serve.log" 'gRPC on port' 20
port=$(grep -o 'gRPC on port [0-9]*' "$work/serve.log" | sed 's/.* //')

config() {  # config <name> <l1 section> <extra>
  cat > "$work/$1.toml" <<TOML
[node]
data_dir = "$work/$1"
sync = false
[l1]
$2
[sim]
seed = 5
finality_depth = 60
reorg_every = 9
reorg_depth = 3
users_tx_per_block = 3
block_interval_ms = 100
[settle]
bundle_size = 5
$3
[api]
listen = "127.0.0.1:0"
TOML
}
kaspad="source = \"kaspad\"
network = \"devnet\"
url = \"127.0.0.1:$port\""
config settler "$kaspad" "key = \"$(cat "$work/faucet.key")\""
config observer "$kaspad" ""
config embedded 'source = "sim"
network = "devnet"' ""

start() {  # start <name>; sets pid_<name>
  "$basalt" node --config "$work/$1.toml" 2>> "$work/$1.log" &
  pids+=($!)
  eval "pid_$1=$!"
}
start settler
# The mirror watches the operator's covenant (from its log) for settled checkpoints to snapshot.
wait_for "$work/settler.log" 'covenant [0-9a-f]* created' 60
covenant=$(grep -o 'covenant [0-9a-f]* created' "$work/settler.log" | head -1 | cut -d' ' -f2)
printf '[prover]\nenabled = false\n[da]\nrole = "mirror"\ncovenant = "%s"\nsnapshot_chunk = 64\n' \
  "$covenant" >> "$work/observer.toml"
start observer
start embedded
wait_for "$work/settler.log" 'settlement 1 of batches' 60

# kill -9 the settling node, restart it on its data directory.
kill -KILL "$pid_settler"
wait "$pid_settler" || true
start settler
# Restart the server: the nodes' streams break and they reconnect.
sleep 1
kill -TERM "$server"
wait "$server" || fail "sim serve did not stop cleanly on SIGTERM"
grep -q 'stopped serving' "$work/serve.log" || fail "no clean stop line"
sleep 1
serve "127.0.0.1:$port" "$work/serve.log"

# Everyone goes on: a settlement confirmed after the restarts, and batch 170 executed everywhere.
settled_before=$(grep -c 'confirmed$' "$work/settler.log" || true)
for _ in $(seq 1 1800); do
  s=$(grep -c 'confirmed$' "$work/settler.log" || true)
  a=$(executed "$(api_port "$work/settler.log")" 2>/dev/null || echo 0)
  b=$(executed "$(api_port "$work/observer.log")" 2>/dev/null || echo 0)
  c=$(executed "$(api_port "$work/embedded.log")" 2>/dev/null || echo 0)
  if [ "$s" -gt "$settled_before" ] && [ "${a:-0}" -ge 170 ] && [ "${b:-0}" -ge 170 ] && [ "${c:-0}" -ge 170 ]; then
    break
  fi
  sleep 0.1
done
[ "$s" -gt "$settled_before" ] || fail "no settlement confirmed after the restarts"
[ "${a:-0}" -ge 170 ] && [ "${b:-0}" -ge 170 ] && [ "${c:-0}" -ge 170 ] ||
  fail "not every node reached batch 170 (settler $a, observer $b, embedded $c)"
grep -q 'keyless observer' "$work/observer.log" && fail "basalt sim serve is not a keyless-observer L1"
grep -q 'L1: kaspad at 127.0.0.1:' "$work/settler.log" || fail "no L1 line"

# Batch 100 lies more than F below every tip: final, and the same block everywhere.
ra=$(root_at "$(api_port "$work/settler.log")" 100)
rb=$(root_at "$(api_port "$work/observer.log")" 100)
rc=$(root_at "$(api_port "$work/embedded.log")" 100)
echo "batch 100: settler $ra, observer $rb, embedded $rc"
[ -n "$ra" ] && [ "$ra" = "$rb" ] && [ "$ra" = "$rc" ] || fail "roots differ at batch 100"

# A port in use is a clear error at start (exit 2), never a shared port.
set +e
"$basalt" sim serve "${sim_args[@]}" --data-dir "$work/sim2" --listen "127.0.0.1:$port" 2> "$work/busy.log"
rc_busy=$?
set -e
[ $rc_busy -eq 2 ] || fail "a second server on a port in use exited $rc_busy"
grep -q "127.0.0.1:$port" "$work/busy.log" || fail "the port-in-use error does not name the address"
# The mirror: never settles, serves its archive; the operator keeps none by default.
mport=$(api_port "$work/observer.log")
http_get "$mport" /v1/info | grep -q '"role":"mirror"' || fail "the mirror does not say it is one"
http_get "$mport" /v1/settlements | grep -q '"settlements":\[\]' || fail "the mirror settled"
http_get "$(api_port "$work/settler.log")" "/v1/da/activity?from=1" |
  grep -q 'keeps no lane-activity archive' || fail "the operator serves an archive it does not keep"
# The whole archive checks out, through the reorgs and both restarts.
"$basalt" da activity --api "http://127.0.0.1:$mport" --from 1 --count 160 > "$work/activity.out" 2>&1 ||
  fail "the mirror's archive does not check out: $(cat "$work/activity.out")"
grep -q '^batches 1\.\.160 ' "$work/activity.out" || fail "not batches 1..160: $(cat "$work/activity.out")"
# A recent range, above the served L1's pruning point: both ends are L1's.
"$basalt" da activity --api "http://127.0.0.1:$mport" --from 120 --count 40 --l1 "127.0.0.1:$port" \
  > "$work/anchored.out" 2>&1 || fail "the archive is not anchored on L1: $(cat "$work/anchored.out")"
grep -q 'both ends match' "$work/anchored.out" || fail "no anchoring line: $(cat "$work/anchored.out")"
# A snapshot at a settled checkpoint: its chunks rebuild the state the operator had at that batch.
wait_for "$work/observer.log" 'snapshot of settled batch' 60
snap=$(grep -o 'snapshot of settled batch [0-9]*' "$work/observer.log" | tail -1 | sed 's/.* //')
http_get "$mport" /v1/da/snapshots | grep -q "\"batch\":$snap" || fail "batch $snap's snapshot is not listed"
http_get "$mport" /v1/status | grep -q '"disk":{[^}]*"role":"mirror"[^}]*"snapshots":[1-9]' ||
  fail "the mirror's status shows no bytes of snapshots: $(http_get "$mport" /v1/status)"
"$basalt" da snapshot --api "http://127.0.0.1:$mport" --batch "$snap" \
  --root "$(root_at "$(api_port "$work/settler.log")" "$snap")" > "$work/snapshot.out" 2>&1 ||
  fail "the mirror's snapshot of batch $snap does not check out: $(cat "$work/snapshot.out")"
grep -q 'the state root is the one expected' "$work/snapshot.out" || fail "$(cat "$work/snapshot.out")"
# A witness against that settled root, from the snapshot (the mirror's `at=settled` is it).
absent=$(printf 'f%.0s' $(seq 64))
"$basalt" state get --api "http://127.0.0.1:$mport" --at settled "$absent" > /dev/null 2> "$work/witness.out" ||
  fail "no verified witness from the mirror's snapshot: $(cat "$work/witness.out")"
grep -q "root $(root_at "$(api_port "$work/settler.log")" "$(sed -n 's/^batch \([0-9]*\),.*/\1/p' "$work/witness.out")")" \
  "$work/witness.out" || fail "the witness is not against the operator's root: $(cat "$work/witness.out")"
set +e
"$basalt" da snapshot --api "http://127.0.0.1:$mport" --root "$(printf '0%.0s' $(seq 64))" \
  > "$work/snapshot_wrong.out" 2>&1
rc_wrong=$?
set -e
[ $rc_wrong -eq 1 ] || fail "a snapshot against another root exited $rc_wrong"
# The operator stops; L1 goes on and prunes the app's history below the covenant's state. A new
# node cannot follow the app from L1 alone any more, and one started from the mirror can: the
# mirror's snapshot (checked against the covenant on L1), its archive since (checked, anchored on
# L1), then L1 live, to the same roots.
kill -KILL "$pid_settler"
wait "$pid_settler" || true
settled_at=""
for _ in $(seq 1 100); do
  settled_at=$(http_get "$mport" /v1/da/snapshots | grep -o '"covenant_batch":[0-9]*' | sed 's/.*://' || true)
  [ -n "$settled_at" ] && break
  sleep 0.1
done
[ -n "$settled_at" ] || fail "the mirror knows no settled batch"
past=$(( settled_at + 90 ))  # about 2.5 F of blue score above it: pruned on the served L1
for _ in $(seq 1 600); do [ "$(executed "$mport")" -ge "$past" ] && break; sleep 0.1; done
[ "$(executed "$mport")" -ge "$past" ] || fail "L1 did not move $past batches on"
mirror_config() {  # mirror_config <name>
  config "$1" "$kaspad" ""
  printf '[prover]\nenabled = false\n[da]\nrole = "mirror"\ncovenant = "%s"\n' "$covenant" >> "$work/$1.toml"
}
mirror_config fresh
start fresh
wait_for "$work/fresh.log" "active at kaspad's pruning point" 30
kill -KILL "$pid_fresh"
mirror_config late
"$basalt" node --config "$work/late.toml" --sync-from "http://127.0.0.1:1,http://127.0.0.1:$mport" \
  2>> "$work/late.log" &
pids+=($!)
wait_for "$work/late.log" "snapshot of batch [0-9]*: .* is the state the covenant holds on L1" 60
wait_for "$work/late.log" "checked and anchored on L1" 30
grep -q "mirror http://127.0.0.1:1" "$work/late.log" || fail "the unreachable mirror is not named"
wait_for "$work/late.log" "listening on http" 60
lport=$(api_port "$work/late.log")
target=$(( $(executed "$mport" || echo 0) + 5 ))
for _ in $(seq 1 900); do
  [ "$(executed "$lport" 2>/dev/null || echo 0)" -ge $((target + 35)) ] &&
    [ "$(executed "$mport")" -ge $((target + 35)) ] && break
  sleep 0.1
done
rl=$(root_at "$lport" "$target" || true)
rm=$(root_at "$mport" "$target" || true)
echo "batch $target: synced node $rl, mirror $rm"
[ -n "$rl" ] && [ "$rl" = "$rm" ] || fail "the synced node's root at batch $target differs"
echo "sim serve: three nodes agree; restarts survived; the mirror's archive and snapshot check out; a late node syncs past L1's pruning"
