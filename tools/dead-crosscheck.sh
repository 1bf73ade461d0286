#!/usr/bin/env bash
# Cross-checks codepulse's dead Rust symbols against rustc's dead-code warnings, on this
# repository and on a copy of it with unused items injected:
#
#   codepulse analyze --format json DIR            (files[].dead_symbols of the .rs files)
#   cargo check --workspace --all-targets --message-format json   (the `dead_code` warnings)
#
#   tools/dead-crosscheck.sh [--keep]
#
# Both sides list (file, name, line). A codepulse symbol and a rustc warning agree when they
# are in the same file, bear the same name and the warning's line is within the symbol's span.
# For each run the script prints the symbols both flag, those only codepulse flags (candidate
# false positives, listed) and those only rustc flags (misses, listed). Fixture projects and
# benchmark samples are not compiled by cargo and are left out of the codepulse side.
#
# The second run copies the tracked files to a temporary directory and appends unused private
# items to a library module, a binary module and an integration test: a function, a struct, a
# constant, and a dead function calling a helper used by nothing else (rustc, transitive,
# flags both; codepulse flags the caller only: the helper is referenced). It fails unless both
# tools flag every injected item they are expected to. --keep leaves the copy in place.
# The copy is checked in target/dead-crosscheck: cargo names a workspace's own crates by their
# path inside the workspace, so in one target directory the copy's results would be taken for
# the repository's (and replayed by its next check).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
keep=0
while (($#)); do
    case $1 in
        --keep) keep=1 ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "dead-crosscheck.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

target="${CARGO_TARGET_DIR:-$ROOT/target}"
echo "building codepulse (release)..." >&2
CARGO_TARGET_DIR="$target" cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" \
    -p codepulse --bin codepulse
CODEPULSE="$target/release/codepulse"

work="$(mktemp -d)"
cleanup() { if ((keep)); then echo "kept $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

# One side each: codepulse's JSON report and rustc's messages of a tree.
run_tools() {
    local dir=$1 out=$2 check_target=$3
    "$CODEPULSE" analyze --format json "$dir" >"$out.codepulse.json" || true
    (cd "$dir" && CARGO_TARGET_DIR="$check_target" cargo check --quiet --workspace --all-targets \
        --message-format json >"$out.rustc.json" 2>/dev/null) || true
}

compare() {
    local dir=$1 out=$2 injected=${3:-}
    python3 - "$dir" "$out" "$injected" <<'PY'
import json, os, sys

root, out, injected = sys.argv[1], sys.argv[2], sys.argv[3]
root = os.path.realpath(root)

def rel(path):
    path = os.path.realpath(os.path.join(root, path))
    return os.path.relpath(path, root)

def skipped(path):
    return "/fixtures/" in f"/{path}" or path.startswith("benches/samples/")

report = json.load(open(out + ".codepulse.json"))
if not all("dead_symbols" in f for f in report["files"]):
    sys.exit("codepulse's JSON report has no files[].dead_symbols: a binary without dead symbols?")
ours = []
for f in report["files"]:
    path = rel(f["path"])
    if not path.endswith(".rs") or skipped(path):
        continue
    for d in f["dead_symbols"]:
        ours.append((path, d["name"], d["start_line"], d["end_line"], d["kind"]))

theirs = []
for line in open(out + ".rustc.json"):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-message":
        continue
    msg = m["message"]
    if (msg.get("code") or {}).get("code") != "dead_code":
        continue
    for span in msg["spans"]:
        if not span["is_primary"]:
            continue
        text = span["text"][0] if span["text"] else None
        name = text["text"][text["highlight_start"] - 1:text["highlight_end"] - 1] if text else "?"
        theirs.append((rel(span["file_name"]), name, span["line_start"], msg["message"]))
theirs = sorted(set(theirs))

def agrees(o, t):
    return o[0] == t[0] and o[1] == t[1] and o[2] <= t[2] <= o[3]

both = [o for o in ours if any(agrees(o, t) for t in theirs)]
only_ours = [o for o in ours if not any(agrees(o, t) for t in theirs)]
only_theirs = [t for t in theirs if not any(agrees(o, t) for o in ours)]
print(f"  codepulse flags {len(ours)}, rustc flags {len(theirs)}: both {len(both)}, "
      f"only codepulse {len(only_ours)}, only rustc {len(only_theirs)}")
for o in only_ours:
    print(f"    only codepulse: {o[0]}:{o[2]} {o[4]} {o[1]}")
for t in only_theirs:
    print(f"    only rustc:     {t[0]}:{t[2]} {t[1]} ({t[3]})")

if injected:
    failed = False
    for item in json.loads(injected):
        path, name, expect_ours = item["path"], item["name"], item["codepulse"]
        got_ours = any(o[0] == path and o[1] == name for o in ours)
        got_theirs = any(t[0] == path and t[1] == name for t in theirs)
        ok = got_theirs and got_ours == expect_ours
        failed |= not ok
        print(f"  injected {path} {name}: codepulse {'flags' if got_ours else 'does not flag'}"
              f" (expected {'flag' if expect_ours else 'no flag'}), rustc "
              f"{'flags' if got_theirs else 'does not flag'}{'' if ok else '  <-- MISMATCH'}")
    sys.exit(1 if failed else 0)
PY
}

echo "== this repository ($(git -C "$ROOT" rev-parse --short HEAD))"
run_tools "$ROOT" "$work/repo" "$target"
compare "$ROOT" "$work/repo"

echo "== a copy with unused items injected"
copy="$work/copy"
mkdir -p "$copy"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$copy")
injected="["
sep=""
n=0
for file in systems/src/graph/dead.rs engine/src/world.rs systems/tests/graph.rs; do
    [[ -f "$copy/$file" ]] || continue
    n=$((n + 1))
    cat >>"$copy/$file" <<EOF

fn crosscheck_unused_fn_$n() -> u32 {
    7
}

struct CrosscheckUnusedStruct$n;

const CROSSCHECK_UNUSED_CONST_$n: u32 = 1;

fn crosscheck_dead_caller_$n() {
    crosscheck_helper_$n();
}

fn crosscheck_helper_$n() {}
EOF
    for item in "crosscheck_unused_fn_$n true" "CrosscheckUnusedStruct$n true" \
        "CROSSCHECK_UNUSED_CONST_$n true" "crosscheck_dead_caller_$n true" \
        "crosscheck_helper_$n false"; do
        read -r name ours <<<"$item"
        injected+="$sep{\"path\": \"$file\", \"name\": \"$name\", \"codepulse\": $ours}"
        sep=", "
    done
done
injected+="]"
run_tools "$copy" "$work/copy" "$target/dead-crosscheck"
compare "$copy" "$work/copy" "$injected"
