#!/usr/bin/env bash
# Runs the symbol-graph benches (benches/graph.rs: a graph of the benchmark corpus plus the
# bevy_ecs/bevy_reflect sources, over 100k symbols) and prints a markdown table against issue
# 6's targets, with the corpus' size and the load average before and after (the machine is
# shared: other work running inflates every figure).
#
#   tools/graph-bench.sh [--write-docs] [CRITERION_ARGS...]
#
# CRITERION_ARGS default to `--warm-up-time 1 --measurement-time 5`. The corpus comes from
# tools/fetch-corpus.sh and `cargo fetch` (see benches/graph.rs; CODEPULSE_GRAPH_CORPUS
# overrides it). --write-docs replaces the section between `<!-- graph:begin -->` and
# `<!-- graph:end -->` of docs/benchmarks.md (with the command, machine, date and commit).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"
split_write_docs "$@"
((${#args[@]})) || args=(--warm-up-time 1 --measurement-time 5)
LOG="$(mktemp)"
OUT="$(mktemp)"
trap 'rm -f "$LOG" "$OUT"' EXIT
(cd "$ROOT" && cargo bench -q -p codepulse-systems --bench graph --no-run) >"$LOG" 2>&1 || {
    cat "$LOG" >&2
    exit 1
}
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$ROOT" && cargo bench -q -p codepulse-systems --bench graph -- "${args[@]}") >"$LOG" 2>&1 || {
    cat "$LOG" >&2
    exit 1
}
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$LOG" "$load_before" "$load_after" >"$OUT" <<'PY'
import re, sys
log, load_before, load_after = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3]
unit = {"ps": 1e-6, "ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}
times = {}
for m in re.finditer(r"^(graph/[\w/+-]+)\s*\n?\s*time:\s+\[\S+ \S+ (\S+) (\S+) ", log, re.M):
    times[m.group(1)] = float(m.group(2)) * unit[m.group(3)]
corpus = re.search(r"^graph corpus .*?: (\d+) files, (\d+) symbols, (\d+) edges \((\d+) exact, (\d+) inferred, (\d+) name-only; (\d+) between languages\); parse\+extract ([\d.]+) s", log, re.M)
stored = re.search(r"stored: (\d+) edges and (\d+) name-only references", log)
edited = re.search(r"^edited file: (\S+) \((\d+) definitions, (\d+) references, (\d+) lines, (\d+) outgoing edges\)", log, re.M)
def fmt(us):
    if us is None:
        return "?"
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1e3:
        return f"{us / 1e3:.2f} ms"
    return f"{us:.1f} µs"
def target(us, limit_us):
    if us is None:
        return "?"
    return "met" if us <= limit_us else "**not met**"
if corpus:
    f, s, e, ex, inf, no, cross, extract = corpus.groups()
    print(f"Graph: {int(f):,} files, {int(s):,} symbols, {int(e):,} edges ({int(ex):,} exact, "
          f"{int(inf):,} inferred, {int(no):,} name-only; {int(cross):,} between languages of one "
          f"scope kind). Parsing and extracting the corpus (not measured below) took {extract} s.")
if stored:
    e, r = stored.groups()
    print(f"Stored: {int(e):,} edges and {int(r):,} name-only references, whose edges the graph "
          f"implies when asked for (docs/graph.md, \"Confidence\").")
if edited:
    path, d, r, l, o = edited.groups()
    print(f"The edited file: `{path}` ({d} definitions, {r} references, {l} lines, {o} outgoing edges).")
print(f"Load average before / after the run: {load_before} / {load_after}.")
print()
t = times.get
rows = [
    ("cold build (`SymbolGraph::build`, extraction excluded)", t("graph/cold-build"), None),
    ("one-line edit: `replace_file`", t("graph/update/replace-file/edit-line"), 1000),
    ("one-line edit: `extract_symbols` of the file", t("graph/update/extract"), None),
    ("one-line edit: `extract_symbols` (whole file) + `replace_file`", t("graph/update/extract+replace/edit-line"), None),
    ("one-line edit: `reextract_symbols` (the touched item, spliced) + `replace_file`: the engine's graph update", t("graph/update/reextract+replace/edit-line"), 1000),
    ("a function added: `replace_file`", t("graph/update/replace-file/add-function"), 1000),
    ("a function added: `extract_symbols` (whole file) + `replace_file`", t("graph/update/extract+replace/add-function"), None),
    ("blast radius, depth 3 (min inferred; mean over 256 symbols)", t("graph/blast-radius-3"), 100),
    ("what-implements (direct; mean over 256 symbols)", t("graph/what-implements"), 10),
    ("callers (all confidences; mean over 256 symbols)", t("graph/callers"), 1000),
    ("find-cycles, min inferred (the default)", t("graph/find-cycles/inferred"), 100_000),
    ("find-cycles, every edge (name-only too)", t("graph/find-cycles/name-only"), 100_000),
]
print("| operation | time | target (issue 6) |")
print("|---|---:|---|")
for name, us, limit in rows:
    goal = "—" if limit is None else f"≤ {fmt(limit)}: {target(us, limit)}"
    print(f"| {name} | {fmt(us)} | {goal} |")
PY
cat "$OUT"
if ((write_docs)); then
    DOC="$ROOT/docs/benchmarks.md"
    SECTION="$(mktemp)"
    {
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(code_rev), $(machine):"
        echo
        echo '```sh'
        echo "tools/graph-bench.sh --write-docs ${args[*]}"
        echo '```'
        echo
        cat "$OUT"
    } >"$SECTION"
    "$ROOT/tools/docs-section.py" "$DOC" graph "$SECTION"
    rm -f "$SECTION"
    echo "rewrote the graph section of $DOC" >&2
fi
