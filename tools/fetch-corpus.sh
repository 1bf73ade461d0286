#!/usr/bin/env bash
# Assembles codepulse's benchmark corpus: real, pinned, third-party sources in all nine languages,
# fetched at run time from crates.io, PyPI, npm and Debian (never committed).
#
#   tools/fetch-corpus.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to ${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus}. Idempotent: each
# package is fetched once (a marker in CORPUS_DIR/.fetched/); delete the marker or the package's
# directory to fetch it again. Needs: cargo, pip, npm, apt-get + dpkg-deb (Debian), unzip.
# Prints the per-language file/line counts at the end (tools/corpus-stats.sh).
#
# The corpus is pruned so that every tool compared in tools/compare.sh sees the same files: no
# hidden files or directories, none of the directories codepulse skips (node_modules, vendor,
# third_party, site-packages, venv, target, build, dist, out, __pycache__, ...),
# no TypeScript declaration files, minified bundles or source maps.
set -euo pipefail

CORPUS="${1:-${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus}}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$CORPUS/.fetched"
CORPUS="$(cd "$CORPUS" && pwd)"
MANIFEST="$CORPUS/MANIFEST.tsv"
[[ -f $MANIFEST ]] || printf 'language\tpackage\tversion\torigin\tsubset\n' >"$MANIFEST"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

log() { printf '==> %s\n' "$*" >&2; }
done_already() { [[ -f "$CORPUS/.fetched/$1" ]]; }
# mark KEY LANGUAGE PACKAGE VERSION ORIGIN SUBSET
mark() {
    local key=$1
    shift
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$MANIFEST"
    touch "$CORPUS/.fetched/$key"
}

# Removes what the tools would treat differently (see the header).
prune() {
    local dir=$1
    find "$dir" -mindepth 1 -name '.*' -prune -exec rm -rf {} +
    find "$dir" -type d \( -name node_modules -o -name bower_components -o -name jspm_packages \
        -o -name vendor -o -name third_party -o -name site-packages -o -name venv -o -name target \
        -o -name build -o -name dist -o -name out -o -name __pycache__ \) -prune -exec rm -rf {} +
    find "$dir" -type f \( -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' -o -name '*.min.js' \
        -o -name '*.map' \) -delete
    find "$dir" -type d -empty -delete 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# Rust (and the C/C++ that -sys crates vendor): crates.io via a throwaway project + cargo fetch.
# name version language subset(space-separated paths inside the crate, or "." for all)
CRATES=(
    "serde 1.0.229 rust ."
    "serde_json 1.0.154 rust ."
    "regex 1.13.2 rust ."
    "regex-syntax 0.8.12 rust ."
    "regex-automata 0.4.19 rust ."
    "tokio 1.54.1 rust ."
    "syn 2.0.119 rust ."
    "clap_builder 4.6.7 rust ."
    "libz-sys 1.1.31 c src/zlib"
    "zstd-sys 2.1.3+zstd.1.5.7 c zstd/lib"
    "cxx 1.0.205 cpp src include"
)

fetch_crates() {
    local missing=() line name version lang subset
    for line in "${CRATES[@]}"; do
        read -r name version lang subset <<<"$line"
        done_already "crate-$name-$version" || missing+=("$line")
    done
    ((${#missing[@]})) || return 0
    log "crates.io: ${#missing[@]} crate(s)"
    local proj="$WORK/cargo-proj"
    mkdir -p "$proj/src"
    : >"$proj/src/lib.rs"
    {
        printf '[package]\nname = "codepulse-corpus"\nversion = "0.0.0"\nedition = "2021"\n\n'
        printf '[workspace]\n\n[dependencies]\n'
        for line in "${missing[@]}"; do
            read -r name version lang subset <<<"$line"
            printf '%s = { version = "=%s", default-features = false }\n' "$name" "$version"
        done
    } >"$proj/Cargo.toml"
    (cd "$proj" && cargo fetch --quiet)
    local cargo_home="${CARGO_HOME:-$HOME/.cargo}"
    for line in "${missing[@]}"; do
        read -r name version lang subset <<<"$line"
        local crate_file
        crate_file="$(find "$cargo_home"/registry/cache -name "$name-$version.crate" | head -1)"
        [[ -n $crate_file ]] || { echo "not in the cargo cache after fetch: $name-$version" >&2; exit 1; }
        local dest="$CORPUS/$lang/$name-$version"
        rm -rf "$dest" "$WORK/x"
        mkdir -p "$WORK/x" "$dest"
        tar -xzf "$crate_file" -C "$WORK/x"
        local p
        for p in $subset; do
            mkdir -p "$dest/$(dirname "$p")"
            cp -a "$WORK/x/$name-$version/$p" "$dest/$p"
        done
        prune "$dest"
        mark "crate-$name-$version" "$lang" "$name" "$version" "crates.io" "$subset"
    done
}

# ---------------------------------------------------------------------------------------------
# Python (and a C++ extension): PyPI source distributions.
# name version language subset
SDISTS=(
    "django 4.2.17 python django"
    "flask 3.1.0 python src"
    "werkzeug 3.1.3 python src"
    "click 8.1.8 python src"
    "requests 2.32.3 python src"
    "rich 13.9.4 python rich"
    "greenlet 3.1.1 cpp src"
)

fetch_sdists() {
    local line name version lang subset
    for line in "${SDISTS[@]}"; do
        read -r name version lang subset <<<"$line"
        done_already "pypi-$name-$version" && continue
        log "PyPI: $name==$version"
        local dl="$WORK/pip-$name"
        mkdir -p "$dl"
        # pip prepares the sdist's metadata (in an isolated build environment from PyPI).
        pip download --quiet --no-deps --no-binary :all: -d "$dl" "$name==$version"
        local archive
        archive="$(find "$dl" -maxdepth 1 -type f \( -name '*.tar.gz' -o -name '*.zip' \) | head -1)"
        rm -rf "$WORK/x"
        mkdir -p "$WORK/x"
        case $archive in
            *.zip) unzip -q "$archive" -d "$WORK/x" ;;
            *) tar -xzf "$archive" -C "$WORK/x" ;;
        esac
        local root
        root="$(find "$WORK/x" -mindepth 1 -maxdepth 1 -type d | head -1)"
        local dest="$CORPUS/$lang/$name-$version"
        rm -rf "$dest"
        mkdir -p "$dest"
        local p
        for p in $subset; do
            mkdir -p "$dest/$(dirname "$p")"
            cp -a "$root/$p" "$dest/$p"
        done
        prune "$dest"
        mark "pypi-$name-$version" "$lang" "$name" "$version" "PyPI sdist" "$subset"
    done
}

# ---------------------------------------------------------------------------------------------
# JavaScript / TypeScript / TSX: npm tarballs.
# name version directory subset
NPM=(
    "eslint 9.17.0 js lib"
    "lodash 4.17.21 js ."
    "express 4.21.2 js lib"
    "rxjs 7.8.1 ts src"
    "@tanstack/query-core 5.62.0 ts src"
    "@tanstack/react-query 5.62.0 tsx src"
    "@tanstack/react-router 1.170.46 tsx src"
)

fetch_npm() {
    local line name version dir subset
    for line in "${NPM[@]}"; do
        read -r name version dir subset <<<"$line"
        local key="npm-${name//\//+}-$version"
        done_already "$key" && continue
        log "npm: $name@$version"
        local dl="$WORK/npm-${name//\//+}"
        mkdir -p "$dl"
        (cd "$dl" && npm pack --silent "$name@$version" >/dev/null 2>&1)
        rm -rf "$WORK/x"
        mkdir -p "$WORK/x"
        tar -xzf "$dl"/*.tgz -C "$WORK/x"
        local dest="$CORPUS/$dir/${name//\//+}-$version"
        rm -rf "$dest"
        mkdir -p "$dest"
        local p
        for p in $subset; do
            mkdir -p "$dest/$(dirname "$p")"
            cp -a "$WORK/x/package/$p" "$dest/$p"
        done
        prune "$dest"
        mark "$key" "$dir" "$name" "$version" "npm" "$subset"
    done
}

# ---------------------------------------------------------------------------------------------
# Go, Java, C++: Debian packages (bookworm). Debian may replace a version with a security update;
# then the candidate version is used and recorded in MANIFEST.tsv (a warning says so).
# package version language member-of-the-deb subset
DEBS=(
    "golang-1.19-src 1.19.8-2 go usr/share/go-1.19/src net/http encoding go/ast go/parser go/printer go/scanner go/token go/types"
    "openjdk-17-source 17.0.21.1+2-1~deb12u1 java usr/lib/jvm/openjdk-17/lib/src.zip java.base/java/util"
    "googletest 1.12.1-0.2 cpp usr/src/googletest googletest googlemock"
)

apt_updated=0
fetch_debs() {
    local line pkg version lang member subset
    for line in "${DEBS[@]}"; do
        read -r pkg version lang member subset <<<"$line"
        local key="deb-$pkg"
        done_already "$key" && continue
        if ((apt_updated == 0)); then
            log "apt-get update"
            apt-get update -qq >/dev/null 2>&1 || apt-get update -qq
            apt_updated=1
        fi
        log "Debian: $pkg=$version"
        local dl="$WORK/deb-$pkg"
        mkdir -p "$dl"
        local got=$version
        if ! (cd "$dl" && apt-get download -qq "$pkg=$version" >/dev/null 2>&1); then
            got="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
            echo "WARNING: $pkg=$version is no longer in the archive; using $got" >&2
            (cd "$dl" && apt-get download -qq "$pkg=$got")
        fi
        rm -rf "$WORK/x"
        mkdir -p "$WORK/x"
        dpkg-deb -x "$dl"/*.deb "$WORK/x"
        local src="$WORK/x/$member"
        if [[ $member == *.zip ]]; then
            mkdir -p "$WORK/zip"
            local s
            for s in $subset; do unzip -q -o "$src" "$s/*" -d "$WORK/zip"; done
            src="$WORK/zip"
        fi
        local dest="$CORPUS/$lang/$pkg-$got"
        rm -rf "$dest"
        mkdir -p "$dest"
        local p
        for p in $subset; do
            mkdir -p "$dest/$(dirname "$p")"
            cp -a "$src/$p" "$dest/$p"
        done
        prune "$dest"
        mark "$key" "$lang" "$pkg" "$got" "Debian bookworm" "$subset"
    done
}

fetch_crates
fetch_sdists
fetch_npm
fetch_debs

echo "corpus: $CORPUS"
"$HERE/corpus-stats.sh" "$CORPUS"
