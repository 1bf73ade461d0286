#!/usr/bin/env bash
# Warm restart of the live engine from its snapshot (docs/snapshot.md) against a cold start:
#
#   tools/warm-restart.sh [--write-docs] [--runs N] [--threads N] [--no-corpus]
#
# 1. assembles the ~100k-line workspace of the load test (tools/loadgen.sh --workspace-only)
#    and, unless --no-corpus, takes the whole benchmark corpus (tools/fetch-corpus.sh,
#    ${CODEPULSE_CORPUS:-~/.cache/codepulse/corpus}) as a real tree;
# 2. builds codepulse in release mode (and runs a copy);
# 3. per tree: N cold starts (no snapshot yet), each stopped with SIGTERM, which writes the
#    snapshot; then N warm restarts from the last one. Each run: the wall time from starting
#    the process to its `codepulse: watching` line (the end of the warm-up: the initial
#    payloads are in the ring and the socket answers), the files restored and parsed (from
#    that line), VmHWM then; and for cold runs the snapshot's size and the time to encode and
#    write it (the shutdown line). The file watcher is on, as in use; the page cache is warm
#    (every run reads the same files); the snapshots are written in the cache directory
#    (${XDG_CACHE_HOME:-~/.cache}/codepulse/warm-restart.*, removed at the end), so `fsync`
#    costs what it does there;
# 4. prints a table of medians against the target (warm restart of the 100k-line workspace
#    <= 1 s); --write-docs replaces the section between `<!-- warm-restart:begin -->` and
#    `<!-- warm-restart:end -->` of docs/benchmarks.md.
#
# Run it on a quiet machine: it prints the load average before and after.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"
CORPUS="${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus}"
write_docs=0 runs=5 threads=2 corpus=1
while (($#)); do
    case $1 in
        --write-docs) write_docs=1 ;;
        --runs) runs=$2; shift ;;
        --threads) threads=$2; shift ;;
        --no-corpus) corpus=0 ;;
        -h | --help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "warm-restart.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf '==> %s\n' "$*" >&2; }

# --- 1. trees ---------------------------------------------------------------------------------
WS="$("$ROOT/tools/loadgen.sh" --workspace-only)"
TREES=("$WS")
((corpus)) && [[ -d $CORPUS ]] && TREES+=("$CORPUS")
lines_of() { "$ROOT/tools/corpus-stats.sh" "$1" | awk -F'|' '/\*\*total\*\*/ { gsub(/ /, "", $3); gsub(/ /, "", $4); print $3 " files, " $4 " lines" }'; }

# --- 2. build ---------------------------------------------------------------------------------
log "building codepulse (release)"
(cd "$ROOT" && cargo build --release --quiet -p codepulse)
TARGET_DIR="$(target_dir)"
TMP="$(private_tmp codepulse-warm)"
# The snapshots go where they go by default (the cache directory's file system, so its fsync),
# in a directory of their own.
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/codepulse"
mkdir -p "$CACHE"
SNAPSHOTS="$(mktemp -d "$CACHE/warm-restart.XXXXXX")"
trap 'rm -rf "$TMP" "$SNAPSHOTS"' EXIT
cp "$TARGET_DIR/release/codepulse" "$TMP/"
mkdir -m 700 "$TMP/ring"

# --- 3. runs ----------------------------------------------------------------------------------
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "load average before: $LOAD_BEFORE"
RESULTS="$TMP/results.json"
: >"$RESULTS"
for tree in "${TREES[@]}"; do
    desc="$(lines_of "$tree")"
    log "$tree: $desc; $runs cold starts, then $runs warm restarts"
    CODEPULSE_RING_DIR="$TMP/ring" python3 - "$TMP/codepulse" "$tree" "$desc" "$SNAPSHOTS" "$runs" "$threads" >>"$RESULTS" <<'PY'
import json, os, re, signal, subprocess, sys, time
binary, tree, desc, snapdir, runs, threads = sys.argv[1:7]
runs = int(runs)

def run(snapshot):
    start = time.monotonic()
    p = subprocess.Popen(
        [binary, "watch", "--threads", threads, "--snapshot", snapshot, tree],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in p.stderr:
        seen.append(line)
        if line.startswith("codepulse: watching"):
            wall = time.monotonic() - start
            break
    else:
        p.wait()
        sys.exit("the engine exited before its warm-up ended:\n" + "".join(seen))
    with open(f"/proc/{p.pid}/status") as f:
        hwm = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
    p.send_signal(signal.SIGTERM)
    rest = p.stderr.read()
    p.wait()
    m = re.search(r"in ([\d.]+) s \((\d+) files restored from the snapshot, (\d+) parsed\)", line)
    w = re.search(r"snapshot of (\d+) files \((\d+) KiB\) written to .* in (\d+) ms \(collected in ([\d.]+) ms\)", rest)
    warnings = [l.strip() for l in seen + rest.splitlines() if "warning: snapshot" in l]
    return {
        "wall_s": wall, "engine_s": float(m.group(1)), "restored": int(m.group(2)),
        "parsed": int(m.group(3)), "hwm": hwm, "warnings": warnings,
        "written_kib": int(w.group(2)) if w else None, "write_ms": int(w.group(3)) if w else None,
        "collect_ms": float(w.group(4)) if w else None,
    }

name = os.path.basename(os.path.normpath(tree))
cold = []
for i in range(runs):
    snapshot = os.path.join(snapdir, f"{name}-cold-{i}")
    cold.append(run(snapshot))
    print(f"  cold {i + 1}: {cold[-1]['wall_s']:.3f} s", file=sys.stderr)
size = os.path.getsize(snapshot)
warm = []
for i in range(runs):
    warm.append(run(snapshot))
    print(f"  warm {i + 1}: {warm[-1]['wall_s']:.3f} s ({warm[-1]['restored']} restored, {warm[-1]['parsed']} parsed)", file=sys.stderr)
print(json.dumps({"tree": tree, "desc": desc, "cold": cold, "warm": warm, "snapshot_bytes": size}))
PY
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 4. report --------------------------------------------------------------------------------
TABLE="$(python3 - "$RESULTS" "$WS" <<'PY'
import json, statistics, sys
results = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ws = sys.argv[2]
med = lambda xs: statistics.median(xs)
mib = lambda b: f"{b / 1048576:.0f}"
print("| tree | start | wall time to warm (median; min–max) | restored / parsed | VmHWM warm (MiB) | snapshot |")
print("|---|---|---|---|---:|---|")
verdict = None
for r in results:
    name = "loadgen workspace" if r["tree"] == ws else "benchmark corpus"
    for kind in ("cold", "warm"):
        runs = r[kind]
        walls = [x["wall_s"] for x in runs]
        snap = "—"
        if kind == "cold":
            ms = med([x["write_ms"] for x in runs if x["write_ms"] is not None])
            collect = med([x["collect_ms"] for x in runs if x["collect_ms"] is not None])
            snap = f"{r['snapshot_bytes'] / 1048576:.1f} MiB; on shutdown: collected in {collect:.1f} ms, encoded and written (fsync) in {ms:.0f} ms"
        print(f"| {name} ({r['desc']}) | {kind} | {med(walls):.3f} s; {min(walls):.3f}–{max(walls):.3f} | {runs[0]['restored']} / {runs[0]['parsed']} | {mib(med([x['hwm'] for x in runs]))} | {snap} |")
    if r["tree"] == ws:
        w = med([x["wall_s"] for x in r["warm"]])
        c = med([x["wall_s"] for x in r["cold"]])
        verdict = (w, c, all(x["parsed"] == 0 for x in r["warm"]))
    for kind in ("cold", "warm"):
        for x in r[kind]:
            for warning in x["warnings"]:
                print(f"\nwarning in a {kind} run: {warning}")
if verdict:
    w, c, none_parsed = verdict
    ok = w <= 1.0 and none_parsed
    print()
    print(f"Target: warm restart of the 100k-line workspace ≤ 1 s: {w:.3f} s ({c / w:.1f}× faster than cold, {'no file parsed' if none_parsed else '**files parsed**'}): {'met' if ok else '**not met**'}.")
PY
)"
echo
echo "codepulse $(code_rev), $(machine); load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo
echo "$TABLE"

if ((write_docs)); then
    CMD="tools/warm-restart.sh"
    ((runs == 5)) || CMD+=" --runs $runs"
    ((threads == 2)) || CMD+=" --threads $threads"
    ((corpus)) || CMD+=" --no-corpus"
    SECTION="$TMP/section.md"
    {
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(code_rev), on: $(machine)."
        echo "Load average (1/5/15 min) before the runs: $LOAD_BEFORE; after: $LOAD_AFTER."
        echo "Engine: \`codepulse watch --threads $threads --snapshot PATH\`, file watcher on, page cache warm;"
        echo "$runs cold starts, then $runs warm restarts from the last cold start's snapshot."
        echo
        echo '```sh'
        echo "$CMD --write-docs"
        echo '```'
        echo
        echo "$TABLE"
    } >"$SECTION"
    "$ROOT/tools/docs-section.py" "$ROOT/docs/benchmarks.md" warm-restart "$SECTION"
    log "rewrote the warm-restart section of docs/benchmarks.md"
fi
