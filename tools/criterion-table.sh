#!/usr/bin/env bash
# Runs the criterion benches of the per-language analysis (benches/analyze.rs) and of the stage
# histograms (benches/observe.rs) and prints markdown tables: per language, the sample size, bare
# parsing, measuring a parsed tree, both, and the incremental reparse after one keystroke; then
# the cost of recording one duration into a stage histogram and of a scrape's snapshot.
#
#   tools/criterion-table.sh [--write-docs] [CRITERION_ARGS...]      # default: --quick
#
# --write-docs replaces the section between `<!-- criterion:begin -->` and
# `<!-- criterion:end -->` of docs/benchmarks.md (with the command, machine, date and commit).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"
split_write_docs "$@"
((${#args[@]})) || args=(--quick)
LOG="$(mktemp)"
OUT="$(mktemp)"
trap 'rm -f "$LOG" "$OUT"' EXIT
(cd "$ROOT" && cargo bench -q -p codepulse-systems --bench analyze -- "${args[@]}" &&
    cargo bench -q -p codepulse-observe --bench observe -- "${args[@]}") >"$LOG" 2>&1 || {
    cat "$LOG" >&2
    exit 1
}
python3 - "$LOG" "$ROOT/benches/samples" >"$OUT" <<'PY'
import os, re, sys
log, samples = open(sys.argv[1]).read(), sys.argv[2]
unit = {"ps": 1e-6, "ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
times = {}
for m in re.finditer(r"^([a-z][\w/ +-]*?)\s*\n?\s*time:\s+\[\S+ \S+ (\S+) (\S+) ", log, re.M):
    times[m.group(1).strip()] = float(m.group(2)) * unit[m.group(3)]
files = {os.path.splitext(f)[0]: os.path.getsize(os.path.join(samples, f)) for f in os.listdir(samples)}
print("| language | sample (bytes) | parse (µs) | measure (µs) | parse+measure (µs) | measure / parse | parse MiB/s | reparse after one keystroke (µs) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for lang in ["rust", "python", "javascript", "typescript", "tsx", "c", "cpp", "go", "java"]:
    get = lambda what: times.get(f"{lang}/{what}")
    p, m, pm, r, size = get("parse"), get("measure"), get("parse+measure"), get("reparse-one-char"), files.get(lang)
    f = lambda v, fmt="{:.0f}": "?" if v is None else fmt.format(v)
    ratio = None if p is None or m is None else m / p
    mib = None if p is None or size is None else size / (p * 1e-6) / 2**20
    print(f"| {lang} | {size or '?'} | {f(p)} | {f(m)} | {f(pm)} | {f(ratio, '{:.2f}')} | {f(mib, '{:.2f}')} | {f(r, '{:.1f}')} |")
print()
rec = times.get("observe/record one stage duration")
snap = times.get("observe/snapshot and render")
print("| histogram operation | time | target |")
print("|---|---:|---|")
print(f"| record one stage duration (engine thread, per record) | {'?' if rec is None else f'{rec * 1000:.1f} ns'} | ≤ 25 ns (< 100 ns in the background document): {'?' if rec is None else ('met' if rec * 1000 <= 25 else '**not met**')} |")
print(f"| snapshot + render for a scrape (off the tick) | {'?' if snap is None else f'{snap:.0f} µs'} | — |")
PY
cat "$OUT"
if ((write_docs)); then
    DOC="$ROOT/docs/benchmarks.md"
    SECTION="$(mktemp)"
    {
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(code_rev), $(machine):"
        echo
        echo '```sh'
        echo "tools/criterion-table.sh --write-docs ${args[*]}"
        echo '```'
        echo
        cat "$OUT"
    } >"$SECTION"
    "$ROOT/tools/docs-section.py" "$DOC" criterion "$SECTION"
    rm -f "$SECTION"
    echo "rewrote the criterion section of $DOC" >&2
fi
