#!/usr/bin/env bash
# Per-language file and line counts of a corpus, by file extension, with the same extension table
# as codepulse (components/src/language.rs); hidden files/directories and .d.ts are not counted.
#
#   tools/corpus-stats.sh [CORPUS_DIR]
set -euo pipefail

CORPUS="${1:-${CODEPULSE_CORPUS:-$HOME/.cache/codepulse/corpus}}"
[[ -d $CORPUS ]] || { echo "no corpus at $CORPUS (run tools/fetch-corpus.sh)" >&2; exit 2; }

find "$CORPUS" -mindepth 1 -name '.*' -prune -o -type f -print0 |
    xargs -0 -r wc -l 2>/dev/null |
    awk '
    BEGIN {
        split("rs", a); for (i in a) lang[a[i]] = "rust"
        split("py pyi", a); for (i in a) lang[a[i]] = "python"
        split("js jsx mjs cjs", a); for (i in a) lang[a[i]] = "javascript"
        split("ts mts cts", a); for (i in a) lang[a[i]] = "typescript"
        lang["tsx"] = "tsx"
        split("c h", a); for (i in a) lang[a[i]] = "c"
        split("cc cpp cxx c++ hh hpp hxx h++ ipp tpp", a); for (i in a) lang[a[i]] = "cpp"
        lang["go"] = "go"; lang["java"] = "java"
        order = "rust python javascript typescript tsx c cpp go java"
    }
    $2 == "total" && NF == 2 { next }
    {
        lines = $1; $1 = ""; path = substr($0, 2)
        name = path; sub(/.*\//, "", name)
        if (name ~ /\.d\.[mc]?ts$/) next
        n = split(name, parts, ".")
        if (n < 2) next
        ext = tolower(parts[n])
        if (!(ext in lang)) next
        l = lang[ext]; files[l]++; count[l] += lines
    }
    END {
        printf "| language | files | lines |\n|---|---:|---:|\n"
        n = split(order, o, " ")
        for (i = 1; i <= n; i++) {
            printf "| %s | %d | %d |\n", o[i], files[o[i]], count[o[i]]
            tf += files[o[i]]; tl += count[o[i]]
        }
        printf "| **total** | %d | %d |\n", tf, tl
    }'

if [[ -f $CORPUS/MANIFEST.tsv ]]; then
    echo
    echo "packages (MANIFEST.tsv):"
    column -t -s $'\t' "$CORPUS/MANIFEST.tsv" 2>/dev/null || cat "$CORPUS/MANIFEST.tsv"
fi
