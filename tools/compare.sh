#!/usr/bin/env bash
# Cold analysis of one corpus by codepulse and its peers, with the same thread count:
#
#   codepulse analyze --threads N --format json CORPUS
#   rust-code-analysis-cli -m -O json -p CORPUS -j N+2   (N analysis threads, see below)
#   rust-code-analysis-cli -m -O json -p CORPUS -j N     (as written; 1 analysis thread for N <= 3)
#   lizard -t N -l <the nine languages> CORPUS
#   bareparse --threads N CORPUS          (bare tree-sitter parsing of the same files)
#
#   tools/compare.sh [--write-docs] [--runs R] [CORPUS] [THREADS]
#
# CORPUS defaults to ${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus} (tools/fetch-corpus.sh),
# THREADS to nproc, R to 3. Each tool runs R times, round-robin, under GNU time (/usr/bin/time -v);
# the table shows the median wall time, the median user+sys CPU time and the median peak RSS.
# The page cache is warmed first (every file is read once), so the runs measure the tools, not
# the disk. rust-code-analysis-cli 0.0.25 subtracts one from -j twice (cli main.rs:
# `max(2, j) - 1`, then ConcurrentRunner::new: `max(2, j) - 1` worker threads, plus a walker
# thread), so `-j N+2` is what gives it N analysis threads like the others; the targets use that
# row, and the literal `-j N` is shown too. With --write-docs the "Cold analysis vs peers"
# section of docs/benchmarks.md (between its markers) is rewritten with the machine, date,
# commands and table.
set -euo pipefail

LIZARD_VERSION=1.24.3
RCA_VERSION=0.0.25

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/lib.sh
. "$ROOT/tools/lib.sh"
write_docs=0
runs=3
positional=()
while (($#)); do
    case $1 in
        --write-docs) write_docs=1 ;;
        --runs) runs=$2; shift ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
        *) positional+=("$1") ;;
    esac
    shift
done
CORPUS="${positional[0]:-${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus}}"
THREADS="${positional[1]:-$(nproc)}"
[[ -d $CORPUS ]] || { echo "compare.sh: no corpus at $CORPUS (run tools/fetch-corpus.sh)" >&2; exit 2; }
CORPUS="$(cd "$CORPUS" && pwd)"

log() { printf '==> %s\n' "$*" >&2; }

# --- tools ------------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (Debian package time)"
    apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi
if [[ "$(lizard --version 2>/dev/null || true)" != "$LIZARD_VERSION" ]]; then
    log "installing lizard==$LIZARD_VERSION"
    pip install --quiet "lizard==$LIZARD_VERSION"
fi
if ! command -v rust-code-analysis-cli >/dev/null; then
    log "installing rust-code-analysis-cli $RCA_VERSION (cargo install, a few minutes)"
    cargo install --locked --quiet rust-code-analysis-cli --version "$RCA_VERSION"
fi
log "building codepulse and bareparse (release)"
(cd "$ROOT" && cargo build --release --quiet -p codepulse -p bareparse)
TARGET_DIR="$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Copies, so that a rebuild by someone else during the runs does not change what is measured.
cp "$TARGET_DIR/release/codepulse" "$TARGET_DIR/release/bareparse" "$TMP/"
CODEPULSE="$TMP/codepulse"
BAREPARSE="$TMP/bareparse"

TOOLS=(codepulse rca rcaj lizard bareparse)
declare -A CMD
CMD[codepulse]="$CODEPULSE analyze --threads $THREADS --format json $CORPUS"
CMD[rca]="rust-code-analysis-cli -m -O json -p $CORPUS -j $((THREADS + 2))"
CMD[rcaj]="rust-code-analysis-cli -m -O json -p $CORPUS -j $THREADS"
CMD[lizard]="lizard -t $THREADS -l cpp -l java -l javascript -l python -l go -l rust -l typescript -l tsx $CORPUS"
CMD[bareparse]="$BAREPARSE --threads $THREADS $CORPUS"
# How the table shows each command (paths shortened).
declare -A SHOW
SHOW[codepulse]="codepulse analyze --threads $THREADS --format json \$CORPUS"
SHOW[rca]="rust-code-analysis-cli -m -O json -p \$CORPUS -j $((THREADS + 2))"
SHOW[rcaj]="rust-code-analysis-cli -m -O json -p \$CORPUS -j $THREADS"
SHOW[lizard]="lizard -t $THREADS -l cpp -l java -l javascript -l python -l go -l rust -l typescript -l tsx \$CORPUS"
SHOW[bareparse]="bareparse --threads $THREADS \$CORPUS"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "warming the page cache"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null

# run TOOL I: one timed run; stdout goes to a temp file that is reduced to a file count, except
# rust-code-analysis-cli's (hundreds of MB of JSON), which is counted on the fly (one line a file).
run() {
    local tool=$1 i=$2
    local t="$TMP/$tool.$i.time" out="$TMP/$tool.out" st="$TMP/$tool.$i.status"
    # shellcheck disable=SC2086
    if [[ $tool == rca* ]]; then
        { set +e; /usr/bin/time -v -o "$t" ${CMD[$tool]} 2>"$TMP/$tool.err"; echo $? >"$st"; } |
            awk 'END { print NR, "—" }' >"$TMP/$tool.files"
    else
        { set +e; /usr/bin/time -v -o "$t" ${CMD[$tool]} >"$out" 2>"$TMP/$tool.err"; echo $? >"$st"; }
    fi
    if [[ $i == 1 ]]; then
        case $tool in
            codepulse)
                python3 -c '
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    print(len(d["files"]), sum(len(f.get("functions", [])) for f in d["files"]))
except Exception:
    print("? ?")' "$out" >"$TMP/$tool.files" ;;
            lizard)
                awk '/file analyzed/ { f = $1 } /^Total nloc/ { t = NR + 2 } NR == t { n = $5 }
                     END { print (f == "" ? "?" : f), (n == "" ? "?" : n) }' "$out" >"$TMP/$tool.files" ;;
            bareparse)
                awk '{ print $2, "—" }' "$out" >"$TMP/$tool.files" ;;
        esac
    fi
    rm -f "$out"
}

for ((i = 1; i <= runs; i++)); do
    for tool in "${TOOLS[@]}"; do
        log "run $i/$runs: $tool"
        run "$tool" "$i"
    done
done

# field TIMEFILE: wall seconds, user+sys seconds, peak RSS KiB
fields() {
    awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (k = 1; k <= n; k++) w = w * 60 + p[k] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
        END { printf "%.3f %.3f %d\n", w, u + s, r }' "$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A WALL CPU RSS FILES STATUS
for tool in "${TOOLS[@]}"; do
    for ((i = 1; i <= runs; i++)); do fields "$TMP/$tool.$i.time"; done >"$TMP/$tool.fields"
    WALL[$tool]=$(awk '{print $1}' "$TMP/$tool.fields" | median)
    CPU[$tool]=$(awk '{print $2}' "$TMP/$tool.fields" | median)
    RSS[$tool]=$(awk '{print $3}' "$TMP/$tool.fields" | median)
    FILES[$tool]=$(cat "$TMP/$tool.files" 2>/dev/null || echo '? ?')
    STATUS[$tool]=$(cat "$TMP/$tool".*.status | sort -u | paste -sd, -)
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
    if (v == "n/a") { print "n/a"; exit }
    ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "met" : "**not met**" }'; }

cp_ok=1
[[ ${STATUS[codepulse]} == 0 ]] || cp_ok=0
r_rca=$(ratio "${WALL[rca]}" "${WALL[codepulse]}")
r_liz=$(ratio "${WALL[lizard]}" "${WALL[codepulse]}")
r_cpu=$(ratio "${CPU[codepulse]}" "${CPU[bareparse]}")
if ((cp_ok == 0)); then r_rca=n/a r_liz=n/a r_cpu=n/a; fi

table() {
    echo "| tool | files | functions | wall (s, median of $runs) | CPU user+sys (s) | peak RSS (MiB) | wall vs codepulse | exit |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    local tool label
    for tool in "${TOOLS[@]}"; do
        case $tool in
            codepulse) label="codepulse $(code_rev)" ;;
            rca) label="rust-code-analysis-cli $(rust-code-analysis-cli --version 2>/dev/null | awk '{print $2}') -j $((THREADS + 2))" ;;
            rcaj) label="rust-code-analysis-cli $(rust-code-analysis-cli --version 2>/dev/null | awk '{print $2}') -j $THREADS" ;;
            lizard) label="lizard $(lizard --version 2>/dev/null)" ;;
            bareparse) label="bareparse (tree-sitter only)" ;;
        esac
        printf '| %s | %s | %s | %.2f | %.2f | %.0f | %s | %s |\n' "$label" ${FILES[$tool]} "${WALL[$tool]}" \
            "${CPU[$tool]}" "$(awk -v r="${RSS[$tool]}" 'BEGIN { print r / 1024 }')" \
            "$(ratio "${WALL[$tool]}" "${WALL[codepulse]}")×" "${STATUS[$tool]}"
    done
    echo
    echo "| target (issue 2) | measured | |"
    echo "|---|---:|---|"
    echo "| rust-code-analysis-cli wall / codepulse wall ≥ 5 | $r_rca | $(verdict "$r_rca" 5 '>=') |"
    echo "| lizard wall / codepulse wall ≥ 3.5 | $r_liz | $(verdict "$r_liz" 3.5 '>=') |"
    echo "| codepulse CPU / bareparse CPU ≤ 1.3 | $r_cpu | $(verdict "$r_cpu" 1.3 '<=') |"
}

TABLE="$(table)"
echo
echo "corpus: $CORPUS, threads: $THREADS, runs: $runs"
echo "load average (1/5/15 min) before the runs: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(machine)"
echo
echo "$TABLE"
if grep -q . "$TMP/codepulse.err" 2>/dev/null && ((cp_ok == 0)); then
    echo
    echo "codepulse failed; its stderr:"
    head -5 "$TMP/codepulse.err"
fi

if ((write_docs)); then
    DOC="$ROOT/docs/benchmarks.md"
    SECTION="$TMP/section.md"
    {
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on: $(machine)."
        echo "Threads: $THREADS for every tool; each tool run $runs times round-robin with a warm page"
        echo "cache; median wall, median CPU (user+sys, children included) and median peak RSS (of the"
        echo "largest single process) from \`/usr/bin/time -v\`. Load average (1/5/15 min) before the"
        echo "runs: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine shows here)."
        echo
        echo "Reproduce:"
        echo
        echo '```sh'
        echo "tools/fetch-corpus.sh          # once; pinned versions, see the corpus table below"
        echo "tools/compare.sh --write-docs \"\$CORPUS\" $THREADS"
        echo '```'
        echo
        echo "The commands timed (\`\$CORPUS\` = \`${CORPUS/#$HOME/\~}\`):"
        echo
        for tool in "${TOOLS[@]}"; do echo "- \`${SHOW[$tool]}\`"; done
        echo
        echo "$TABLE"
        echo
        cat <<'NOTES'
Notes: rust-code-analysis-cli has no Go support and skips the Go files (and a few other
extensions), so its file count is lower and its job smaller. `-j N+2` gives it N analysis
threads (it subtracts one from -j twice); the targets use that row. lizard's exit status 1
means "functions above its CCN threshold were found", not a failure; its `-t N` runs a pool
of N worker processes (their CPU time is included).
Functions: codepulse's JSON and lizard's "Fun Cnt" (each tool's own idea of a function).

NOTES
        echo "Corpus (\`tools/corpus-stats.sh\`):"
        echo
        "$ROOT/tools/corpus-stats.sh" "$CORPUS" | sed '/^packages/,$d'
        if [[ -f $CORPUS/MANIFEST.tsv ]]; then
            echo "Packages: $(awk -F'\t' 'NR > 1 { printf "%s%s %s", sep, $2, $3; sep = ", " }' "$CORPUS/MANIFEST.tsv")."
        fi
    } >"$SECTION"
    "$ROOT/tools/docs-section.py" "$DOC" cold-analysis "$SECTION"
    log "rewrote the cold-analysis section of $DOC"
fi
