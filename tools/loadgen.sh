#!/usr/bin/env bash
# Load test of the live engine (`codepulse watch`) with tools/loadgen, on a ~100k-line
# multi-language workspace assembled from the benchmark corpus:
#
#   tools/loadgen.sh [--quick] [--write-docs] [--threads N] [--files N] [--seed S]
#   tools/loadgen.sh --soak EDITS [--soak-rate R] [--write-docs]     # the soak instead
#   tools/loadgen.sh --workspace-only     # only 1.: assemble the workspace, print its path
#
# 1. ensures the corpus (tools/fetch-corpus.sh) and copies a pinned choice of its directories
#    into a cache dir (${CODEPULSE_LOADGEN_WS:-~/.cache/codepulse/loadgen-ws}, never the repo),
#    with a low-threshold codepulse.toml so that many edits change what the gate reports;
# 2. builds codepulse and loadgen in release mode (and runs copies of them);
# 3. starts `codepulse watch --threads N --no-snapshot` on it (ring and socket in a private
#    directory; a cold start every time) and waits until it is warm;
# 4. measures: the warm engine's memory (VmRSS, VmHWM; nothing open yet), idle CPU with the
#    documents open (60 s), 10,000 edits/s for 60 s, and a ramp (10k, 20k, 30k, 50k, 70k, 100k
#    edits/s, 10 s each) for the highest rate with P99 <= 5 ms. --quick: 10 s idle, 10 s at
#    10k/s, 3 s steps (a look, not the figures);
# 5. prints a table against the targets; --write-docs replaces the section between
#    `<!-- loadgen:begin -->` and `<!-- loadgen:end -->` of docs/benchmarks.md.
#
# --soak EDITS (e.g. 1000000): instead of 4., sends EDITS edits at R edits/s (default 10,000)
# while sampling the engine's VmRSS every second, and checks the bound of docs/benchmarks.md:
# from 10 % of the soak to its end, VmRSS grows by at most 8 MiB (the performance-monitoring
# document's "no memory growth over 24 h", compressed). --write-docs replaces the section
# between `<!-- soak:begin -->` and `<!-- soak:end -->`.
#
# loadgen sends open loop: latencies are measured from each edit's scheduled time (see
# tools/loadgen/src/main.rs). Exit status: 0 when the runs completed without a rejected edit,
# whether or not the targets are met; 1 otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"
CORPUS="${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus}"
WS="${CODEPULSE_LOADGEN_WS:-$HOME/.cache/codepulse/loadgen-ws}"
quick=0 write_docs=0 threads=2 files=50 seed=1 soak=0 soak_rate=10000 workspace_only=0
while (($#)); do
    case $1 in
        --quick) quick=1 ;;
        --write-docs) write_docs=1 ;;
        --threads) threads=$2; shift ;;
        --files) files=$2; shift ;;
        --seed) seed=$2; shift ;;
        --soak) soak=$2; shift ;;
        --soak-rate) soak_rate=$2; shift ;;
        --workspace-only) workspace_only=1 ;;
        -h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "loadgen.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if ((quick)); then
    IDLE_S=10 RATE_S=10 RATE_WARMUP=2 STEP_S=3 STEP_WARMUP=1
else
    IDLE_S=60 RATE_S=60 RATE_WARMUP=5 STEP_S=10 STEP_WARMUP=2
fi
RATE=10000
RATES=10000,20000,30000,50000,70000,100000
BUDGET_US=5000

# The workspace: pinned directories of the corpus (tools/fetch-corpus.sh pins the versions),
# about 100k lines in the nine languages.
PARTS=(
    "rust/serde_json-1.0.154"
    "python/flask-3.1.0"
    "js/express-4.21.2"
    "ts/@tanstack+query-core-5.62.0"
    "tsx/@tanstack+react-query-5.62.0"
    "c/libz-sys-1.1.31/src/zlib"
    "cpp/greenlet-3.1.1"
    "go/golang-1.19-src-1.19.8-2/encoding/json"
    "java/openjdk-17-source-17.0.21.1+2-1~deb12u1/java.base/java/util/regex"
)

log() { printf '==> %s\n' "$*" >&2; }

# --- 1. corpus and workspace ------------------------------------------------------------------
missing=0
for p in "${PARTS[@]}"; do [[ -d $CORPUS/$p ]] || missing=1; done
if ((missing)); then
    log "fetching the corpus"
    "$ROOT/tools/fetch-corpus.sh" "$CORPUS" >&2
fi
case "$WS" in "$ROOT"/*) echo "loadgen.sh: the workspace must not be inside the repository" >&2; exit 2 ;; esac
log "assembling the workspace in $WS"
rm -rf "$WS"
mkdir -p "$WS"
for p in "${PARTS[@]}"; do
    mkdir -p "$WS/$(dirname "$p")"
    cp -R "$CORPUS/$p" "$WS/$p"
done
# Low thresholds: most functions are at warning or error, so an edit that changes their
# metrics changes what the gate reports and emits a payload (docs/gate.md, docs/config.md).
cat >"$WS/codepulse.toml" <<'TOML'
[emit_server]
ring_buffer_size = 8192

[emit_server.thresholds]
cyclomatic_complexity_warn = 2
cyclomatic_complexity_error = 6
cognitive_complexity_warn = 2
cognitive_complexity_error = 8
TOML
WS_STATS="$("$ROOT/tools/corpus-stats.sh" "$WS" | sed '/^packages/,$d')"
WS_LINES="$(awk -F'|' '/\*\*total\*\*/ { gsub(/ /, "", $4); print $4 }' <<<"$WS_STATS")"
WS_FILES="$(awk -F'|' '/\*\*total\*\*/ { gsub(/ /, "", $3); print $3 }' <<<"$WS_STATS")"
log "workspace: $WS_FILES files, $WS_LINES lines"
echo "$WS_STATS" >&2
if ((workspace_only)); then
    echo "$WS"
    exit 0
fi

# --- 2. build ---------------------------------------------------------------------------------
log "building codepulse and loadgen (release)"
(cd "$ROOT" && cargo build --release --quiet -p codepulse -p codepulse-loadgen)
TARGET_DIR="$(target_dir)"
TMP="$(private_tmp codepulse-loadgen)"
ENGINE_PID=
cleanup() {
    if [[ -n $ENGINE_PID ]] && kill -0 "$ENGINE_PID" 2>/dev/null; then
        kill -INT "$ENGINE_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$ENGINE_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$ENGINE_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
cp "$TARGET_DIR/release/codepulse" "$TARGET_DIR/release/loadgen" "$TMP/"
mkdir -m 700 "$TMP/ring"
# A private ring directory: no other consumer or producer can be on this workspace's ring.
export CODEPULSE_RING_DIR="$TMP/ring"

# --- 3. the engine ----------------------------------------------------------------------------
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "starting codepulse watch --threads $threads (load average $LOAD_BEFORE)"
started=$(date +%s.%N)
"$TMP/codepulse" watch --threads "$threads" --no-snapshot "$WS" 2>"$TMP/engine.err" &
ENGINE_PID=$!
for _ in $(seq 3000); do
    grep -q '^codepulse: watching' "$TMP/engine.err" && break
    kill -0 "$ENGINE_PID" 2>/dev/null || { cat "$TMP/engine.err" >&2; echo "loadgen.sh: the engine exited" >&2; exit 1; }
    sleep 0.1
done
grep -q '^codepulse: watching' "$TMP/engine.err" || { cat "$TMP/engine.err" >&2; echo "loadgen.sh: the engine did not get warm in 300 s" >&2; exit 1; }
WARM_S="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
SOCKET="$(sed -n 's/^codepulse: listening on //p' "$TMP/engine.err" | head -1)"
grep '^codepulse: watching' "$TMP/engine.err" >&2
sleep 2
vm() { awk -v k="$1:" '$1 == k { print $2 * 1024 }' "/proc/$ENGINE_PID/status"; }
WARM_RSS="$(vm VmRSS)"
WARM_HWM="$(vm VmHWM)"
log "warm after ${WARM_S} s: VmRSS $((WARM_RSS / 1048576)) MiB, VmHWM $((WARM_HWM / 1048576)) MiB"

# --- 4. the runs ------------------------------------------------------------------------------
LG=("$TMP/loadgen" --root "$WS" --files "$files" --seed "$seed" --json)
[[ -n $SOCKET ]] && LG+=(--socket "$SOCKET")
ok=1

if ((soak)); then
    duration=$(((soak + soak_rate - 1) / soak_rate))
    log "soak: $soak edits at $soak_rate edits/s ($duration s), VmRSS sampled every second"
    (while kill -0 "$ENGINE_PID" 2>/dev/null; do
        printf '%s %s\n' "$(date +%s.%N)" "$(vm VmRSS)"
        sleep 1
    done) >"$TMP/rss.txt" &
    SAMPLER=$!
    "${LG[@]}" --rate "$soak_rate" --duration "$duration" --warmup 0 >"$TMP/soak.json" || ok=0
    kill "$SAMPLER" 2>/dev/null || true
    wait "$SAMPLER" 2>/dev/null || true
    SOAK_TABLE="$(python3 - "$TMP/rss.txt" "$TMP/soak.json" "$soak" "$soak_rate" <<'PY'
import json, sys
samples = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
run = json.loads(open(sys.argv[2]).read().splitlines()[-1])["run"]
edits, rate = int(sys.argv[3]), int(sys.argv[4])
t0, t1 = samples[0][0], samples[-1][0]
at = lambda frac: min(samples, key=lambda s: abs(s[0] - (t0 + frac * (t1 - t0))))[1]
mib = lambda b: f"{b / 1048576:.1f}"
start, ten, end = samples[0][1], at(0.1), samples[-1][1]
peak_after = max(s[1] for s in samples if s[0] >= t0 + 0.1 * (t1 - t0))
growth = end - ten
bound = 8 * 1048576
r = run["reply_latency_us"]
print("| edits sent | rate (target / achieved) | VmRSS at start / 10 % / end (MiB) | peak after 10 % | growth 10 % → end | bound | reply P50 / P99 / P99.9 (µs) | rejected | unanswered |")
print("|---:|---|---|---:|---:|---:|---|---:|---:|")
print(f"| {run.get('sent', edits):,} | {rate:,} / {run['achieved_rate']:,.0f} | {mib(start)} / {mib(ten)} / {mib(end)} | {mib(peak_after)} | {growth / 1048576:+.1f} MiB | ≤ 8 MiB: {'met' if growth <= bound else '**not met**'} | {r.get('p50')} / {r.get('p99')} / {r.get('p999')} | {run['rejected']} | {run['unanswered']} |")
print()
print(f"{len(samples)} VmRSS samples, one per second.")
PY
)"
    echo
    echo "codepulse $(git -C "$ROOT" rev-parse --short HEAD), soak of $soak edits"
    echo "$SOAK_TABLE"
    if ((write_docs)); then
        DOC="$ROOT/docs/benchmarks.md"
        SECTION="$TMP/soak.md"
        {
            echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD), nproc $(nproc), $(uname -sr); engine \`codepulse watch --threads $threads --no-snapshot\` warm on the loadgen workspace ($WS_FILES files, $WS_LINES lines)."
            echo
            echo '```sh'
            echo "tools/loadgen.sh --soak $soak --soak-rate $soak_rate --write-docs"
            echo '```'
            echo
            echo "$SOAK_TABLE"
        } >"$SECTION"
        "$ROOT/tools/docs-section.py" "$DOC" soak "$SECTION"
        log "rewrote the soak section of $DOC"
    fi
    ((ok)) || { echo "loadgen.sh: the soak failed or had rejected edits" >&2; exit 1; }
    exit 0
fi

log "idle: $IDLE_S s with $files documents open"
"${LG[@]}" --idle "$IDLE_S" >"$TMP/idle.json" || ok=0
log "steady: $RATE edits/s for $RATE_S s (after $RATE_WARMUP s of warm-up)"
"${LG[@]}" --rate "$RATE" --duration "$RATE_S" --warmup "$RATE_WARMUP" >"$TMP/rate.json" || ok=0
log "ramp: $RATES edits/s, $STEP_S s each, P99 budget $BUDGET_US µs"
"${LG[@]}" --rates "$RATES" --step-duration "$STEP_S" --warmup "$STEP_WARMUP" \
    --p99-budget-us "$BUDGET_US" >"$TMP/ramp.json" || ok=0
END_RSS="$(vm VmRSS)"
END_HWM="$(vm VmHWM)"
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 5. report --------------------------------------------------------------------------------
# The engine and the load generator are what is measured.
MEASURED=(Cargo.toml Cargo.lock components systems engine tools/loadgen)
if ((quick)); then CMD="tools/loadgen.sh --quick"; else CMD="tools/loadgen.sh"; fi
((threads == 2)) || CMD+=" --threads $threads"
((files == 50)) || CMD+=" --files $files"
((seed == 1)) || CMD+=" --seed $seed"
TABLES="$(python3 - "$TMP" "$WARM_RSS" "$WARM_HWM" "$END_RSS" "$END_HWM" "$RATE" "$BUDGET_US" "$IDLE_S" "$RATE_S" <<'PY'
import json, sys
tmp, warm_rss, warm_hwm, end_rss, end_hwm = sys.argv[1], *map(int, sys.argv[2:6])
rate, budget, idle_s, rate_s = int(sys.argv[6]), int(sys.argv[7]), sys.argv[8], sys.argv[9]
def load(n):
    try:
        return json.loads(open(f"{tmp}/{n}.json").read().splitlines()[-1])
    except Exception:
        return None
idle, run, ramp = load("idle"), load("rate"), load("ramp")
mib = lambda b: "—" if b is None else f"{b / 1048576:.1f}"
def f(v, fmt="{}"):
    return "—" if v is None else fmt.format(v)
def verdict(ok):
    return "—" if ok is None else ("met" if ok else "**not met**")
rows = []
ms = lambda us: "—" if us is None else f"{us / 1000:.2f} ms"
# Targets.
idle_cpu = idle and idle["idle"]["engine_cpu_percent"]
p99 = run and run["run"]["reply_latency_us"].get("p99")
kept_up = run and run["run"]["unanswered"] == 0 and run["run"]["achieved_rate"] >= 0.95 * rate
best = ramp and ramp.get("best_rate")
print("| target | measured | |")
print("|---|---:|---|")
print(f"| P99 edit-to-emit ≤ 1 ms at {rate} edits/s sustained {rate_s} s | {ms(p99)} (reply; payload P99 {ms(run and run['run']['payload_latency_us'].get('p99'))}) | {verdict(None if p99 is None else p99 <= 1000 and kept_up)} |")
best_s = "—" if ramp is None else ("none" if best is None else f"{best:,.0f} edits/s")
print(f"| highest rate with P99 ≤ {budget / 1000:g} ms ≥ 50,000 edits/s | {best_s} | {verdict(None if ramp is None else (best or 0) >= 50000)} |")
print(f"| idle CPU ≤ 1 % over {idle_s} s | {f(idle_cpu, '{:.2f} %')} | {verdict(None if idle_cpu is None else idle_cpu <= 1.0)} |")
print(f"| RSS ≤ 64 MiB, 100k-line workspace warm | {mib(warm_rss)} MiB (VmRSS; VmHWM {mib(warm_hwm)} MiB) | {verdict(warm_rss <= 64 * 1048576)} |")
print()
print("| run | target edits/s | achieved | reply P50 / P90 / P99 / P99.9 / max (µs) | payload P50 / P99 / P99.9 (µs), count | engine CPU | loadgen CPU | engine RSS / VmHWM (MiB) | rejected | unanswered | drops |")
print("|---|---:|---:|---|---|---:|---:|---|---:|---:|---:|")
def row(name, s, drops):
    r, p, e = s["reply_latency_us"], s["payload_latency_us"], s["engine"]
    rl = "—" if not r.get("count") else f"{r['p50']} / {r['p90']} / {r['p99']} / {r['p999']} / {r['max']}"
    pl = "—" if not p.get("count") else f"{p['p50']} / {p['p99']} / {p['p999']}, {p['count']}"
    print(f"| {name} | {s['target_rate']:.0f} | {s['achieved_rate']:.0f} | {rl} | {pl} | {f(s['engine_cpu_percent'], '{:.0f} %')} | {f(s['loadgen_cpu_percent'], '{:.0f} %')} | {mib(e.get('vm_rss_bytes'))} / {mib(e.get('vm_hwm_bytes'))} | {s['rejected']} | {s['unanswered']} | {f(e.get('dropped'))} |")
if idle:
    i = idle["idle"]; e = i["engine"]
    print(f"| idle {idle_s} s, {idle['files']} documents open | 0 | 0 | — | — | {f(i['engine_cpu_percent'], '{:.2f} %')} | {f(i['loadgen_cpu_percent'], '{:.2f} %')} | {mib(e.get('vm_rss_bytes'))} / {mib(e.get('vm_hwm_bytes'))} | 0 | 0 | {f(e.get('dropped'))} |")
if run:
    row(f"steady {rate_s} s" + (" (cut short)" if run["run"].get("aborted") else ""), run["run"], None)
for s in (ramp or {}).get("steps", []):
    row("ramp" + (" (cut short)" if s.get("aborted") else ""), s, None)
print()
notes = []
for name, r in (("idle", idle), ("steady", run), ("ramp", ramp)):
    if r is None:
        notes.append(f"{name}: loadgen produced no summary (see its stderr above)")
        continue
    rc = r.get("ring_consumer") or {}
    eng = r.get("after_open", {}).get("stats", {})
    notes.append(f"{name}: {r['files']} documents ({r['file_bytes'] // 1024} KiB, " + ", ".join(f"{l} {n}" for l, n in r["languages"].items()) + f"); {r['rejected_total']} rejected; ring: {rc.get('payloads', '—')} payloads seen, {rc.get('matched', '—')} matched to an edit, {rc.get('drops', '—')} dropped" + ("" if rc.get("attached", True) else f" ({rc.get('note')})"))
if run:
    e = run["run"]["engine"]
    lc = e.get("latency_us_cumulative") or {}
    notes.append(f"engine's own edit-to-emit histogram after the steady run (arrival → end of tick; cumulative since it started, {e.get('latency_window_count')} of its {lc.get('count')} messages in the run): P50 {lc.get('p50')} / P90 {lc.get('p90')} / P99 {lc.get('p99')} / P99.9 {lc.get('p999')} / max {lc.get('max')} µs; {e.get('ticks')} ticks for {e.get('edits')} edits")
print("Notes:")
print()
for n in notes:
    print(f"- {n}")
PY
)"
echo
echo "codepulse $(code_rev "${MEASURED[@]}"), $(machine); load average before: $LOAD_BEFORE, after: $LOAD_AFTER"
echo "workspace: $WS_FILES files, $WS_LINES lines; warm in $WARM_S s; engine at the end: VmRSS $((END_RSS / 1048576)) MiB, VmHWM $((END_HWM / 1048576)) MiB"
echo
echo "$TABLES"
for n in idle rate ramp; do [[ -s $TMP/$n.json ]] && cp "$TMP/$n.json" "${TMPDIR:-/tmp}/loadgen-$n.json"; done
echo
echo "(loadgen JSON summaries copied to ${TMPDIR:-/tmp}/loadgen-{idle,rate,ramp}.json)"

if ((write_docs)); then
    DOC="$ROOT/docs/benchmarks.md"
    SECTION="$TMP/section.md"
    {
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(code_rev "${MEASURED[@]}"), on: $(machine)."
        echo "Load average (1/5/15 min) before the runs: $LOAD_BEFORE; after: $LOAD_AFTER."
        echo "Engine: \`codepulse watch --threads $threads --no-snapshot\` on the workspace below (warm in $WARM_S s);"
        echo "loadgen: $files documents (seed $seed), 20 % of the changes as LSP ranges."
        echo
        echo '```sh'
        echo "$CMD --write-docs"
        echo '```'
        echo
        echo "Workspace: $WS_FILES files, $WS_LINES lines, from the corpus (\`tools/fetch-corpus.sh\`):"
        # shellcheck disable=SC2016
        echo "$(printf '`%s`, ' "${PARTS[@]}" | sed 's/, $//')."
        echo
        echo "$WS_STATS"
        echo
        echo "$TABLES"
        echo
        echo "At the end of the runs the engine had VmRSS $((END_RSS / 1048576)) MiB, VmHWM $((END_HWM / 1048576)) MiB."
    } >"$SECTION"
    "$ROOT/tools/docs-section.py" "$DOC" loadgen "$SECTION"
    log "rewrote the loadgen section of $DOC"
fi
((ok)) || { echo "loadgen.sh: a run failed or had rejected edits (see above)" >&2; exit 1; }
