#!/usr/bin/env bash
# Cross-process benchmark of the ring (docs/ring.md): `ringprobe produce` and `ringprobe consume`
# run as two processes pinned to different cores (taskset) on a ring in /dev/shm.
#
# - throughput: N payloads, lossless (the producer waits for room), consumer busy-polling; the
#   rate is the consumer's (first to last payload received). Once with the producer publishing
#   its head every BATCH payloads, once per payload (BATCH=1).
# - latency: LAT_N payloads paced one every PACE_NS ns, each stamped with CLOCK_MONOTONIC just
#   before its push; the consumer, busy-polling, takes now − timestamp when it pops it (one-way
#   latency, both clocks the same). Percentiles over all payloads.
#
# Each measurement runs REPEAT times; the script prints a Markdown table (one row per run).
# NICE=1 runs both processes at nice -20 (root), so other tasks on the two cores take little
# of their time. (Not SCHED_FIFO: RT throttling would stall a busy-polling consumer for 50 ms
# every second.)
# Usage: tools/ring-bench.sh   (env: N, CAP, BATCH, LAT_N, PACE_NS, REPEAT, PCORE, CCORE, NICE)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-20000000}
CAP=${CAP:-65536}
BATCH=${BATCH:-256}
LAT_N=${LAT_N:-200000}
PACE_NS=${PACE_NS:-5000}
REPEAT=${REPEAT:-3}
PCORE=${PCORE:-0}
CCORE=${CCORE:-1}
NICE=${NICE:-0}

command -v taskset >/dev/null || { echo "ring-bench: taskset (util-linux) is needed" >&2; exit 2; }
cargo build --release -q -p codepulse-ringprobe
P=target/release/ringprobe
prio=()
[ "$NICE" = 1 ] && prio=(nice -n -20)
base=/dev/shm
[ -d "$base" ] || base=${TMPDIR:-/tmp}
dir=$(mktemp -d "$base/ring-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
chmod 700 "$dir"

# run NAME "producer args" "consumer args": prints the consumer's JSON summary.
run() {
  local name=$1 pargs=$2 cargs=$3
  rm -f "$dir/$name" "$dir/$name.paths"
  # shellcheck disable=SC2086
  taskset -c "$CCORE" "${prio[@]}" "$P" consume --ring "$dir/$name" --spin --deadline-s 120 $cargs >"$dir/$name.c" &
  local cpid=$!
  # shellcheck disable=SC2086
  taskset -c "$PCORE" "${prio[@]}" "$P" produce --ring "$dir/$name" --deadline-s 120 $pargs >"$dir/$name.p"
  wait "$cpid"
  cat "$dir/$name.c"
}

echo "ring-bench: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), NICE=$NICE" >&2
echo "| run | what | payloads | rate (M payloads/s) | P50 (ns) | P90 (ns) | P99 (ns) | P99.9 (ns) | max (ns) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
tp_row='import json,sys; s=json.loads(sys.stdin.readline()); assert s["contiguous"] and s["received"]==int(sys.argv[1]), s; print("| %s | %s | %d | %.1f | | | | | |" % (sys.argv[2], sys.argv[3], s["received"], s["rate_per_s"]/1e6))'
lat_row='import json,sys; s=json.loads(sys.stdin.readline()); l=s["latency_ns"]; assert s["contiguous"], s; print("| %s | %s | %d | | %d | %d | %d | %d | %d |" % (sys.argv[1], sys.argv[2], s["received"], l["p50"], l["p90"], l["p99"], l["p999"], l["max"]))'
for r in $(seq 1 "$REPEAT"); do
  run tp "$N --capacity $CAP --batch $BATCH" "--batch 4096" |
    python3 -c "$tp_row" "$N" "$r" "throughput, $CAP slots, head published every $BATCH"
  run tp1 "$N --capacity $CAP --batch 1" "--batch 4096" |
    python3 -c "$tp_row" "$N" "$r" "throughput, $CAP slots, head published every payload"
  run tp1n "$N --capacity $CAP --batch 1 --no-timestamps" "--batch 4096" |
    python3 -c "$tp_row" "$N" "$r" "same, no clock read per payload"
  run lat "$LAT_N --capacity 4096 --batch 1 --pace-ns $PACE_NS" "--batch 1 --latency" |
    python3 -c "$lat_row" "$r" "one-way latency, 1 payload every $PACE_NS ns"
done
