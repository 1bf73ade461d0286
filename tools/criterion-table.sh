#!/usr/bin/env bash
# Runs the criterion benches (benches/analyze.rs) and prints a markdown table per language:
# sample size, parse time, parse+measure time, their ratio and throughputs.
#
#   tools/criterion-table.sh [CRITERION_ARGS...]      # default: --quick
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
args=("$@")
((${#args[@]})) || args=(--quick)
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
(cd "$ROOT" && cargo bench -q -p codepulse-systems --bench analyze -- "${args[@]}") >"$LOG" 2>&1 || {
    cat "$LOG" >&2
    exit 1
}
python3 - "$LOG" "$ROOT/benches/samples" <<'PY'
import os, re, sys
log, samples = open(sys.argv[1]).read(), sys.argv[2]
unit = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
times = {}
for m in re.finditer(r"^(\w+)/(parse\+measure|parse)\s*\n?\s*time:\s+\[\S+ \S+ (\S+) (\S+) ", log, re.M):
    times[(m.group(1), m.group(2))] = float(m.group(3)) * unit[m.group(4)]
files = {os.path.splitext(f)[0]: os.path.getsize(os.path.join(samples, f)) for f in os.listdir(samples)}
print("| language | sample (bytes) | parse (µs) | parse+measure (µs) | ratio | parse MiB/s | parse+measure MiB/s |")
print("|---|---:|---:|---:|---:|---:|---:|")
for lang in ["rust", "python", "javascript", "typescript", "tsx", "c", "cpp", "go", "java"]:
    p, pm, size = times.get((lang, "parse")), times.get((lang, "parse+measure")), files.get(lang)
    if p is None or pm is None or size is None:
        print(f"| {lang} | {size or '?'} | ? | ? | ? | ? | ? |")
        continue
    mib = lambda us: size / (us * 1e-6) / 2**20
    print(f"| {lang} | {size} | {p:.0f} | {pm:.0f} | {pm / p:.2f} | {mib(p):.2f} | {mib(pm):.2f} |")
PY
