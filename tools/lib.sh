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
