# What the tools/ scripts share about where a measurement was taken. Sourced (after ROOT is
# set to the checkout): `. "$ROOT/tools/lib.sh"`.

# The commit measured, "-dirty" when the given paths (default: the code, not docs or tools)
# have uncommitted changes.
code_rev() {
    local rev
    rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" || { echo '?'; return; }
    (($#)) || set -- Cargo.toml Cargo.lock components systems engine
    [[ -z "$(git -C "$ROOT" status --porcelain -- "$@" 2>/dev/null)" ]] || rev+="-dirty"
    echo "$rev"
}

# The machine: cores, CPU model, memory, kernel.
machine() {
    local cpu mem
    cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    mem="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "nproc $(nproc), CPU \"$cpu\", RAM $mem, $(uname -sr)"
}

# Splits the arguments into `write_docs` (1 when --write-docs is among them) and `args` (the
# others), both globals of the calling script.
split_write_docs() {
    write_docs=0
    args=()
    local a
    for a in "$@"; do
        if [[ $a == --write-docs ]]; then write_docs=1; else args+=("$a"); fi
    done
}

# Cargo's target directory for the checkout.
target_dir() {
    (cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
}

# A new directory only this user can read, in memory when /dev/shm is writable: `private_tmp NAME`.
private_tmp() {
    local base=/dev/shm dir
    [[ -d $base && -w $base ]] || base=${TMPDIR:-/tmp}
    dir="$(mktemp -d "$base/$1.XXXXXX")"
    chmod 700 "$dir"
    echo "$dir"
}
