#!/usr/bin/env python3
"""Replaces a generated section of a document: the text between `<!-- NAME:begin -->` and
`<!-- NAME:end -->` becomes the contents of SECTION_FILE. The benchmark scripts' --write-docs
(compare.sh, criterion-table.sh, loadgen.sh) use it on docs/benchmarks.md.

    tools/docs-section.py DOC NAME SECTION_FILE
"""
import sys

if len(sys.argv) != 4:
    sys.exit(__doc__.strip())
doc, name, section_file = sys.argv[1:]
section = open(section_file).read()
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
text = open(doc).read()
if begin not in text or end not in text:
    sys.exit(f"{doc}: markers {begin} / {end} not found")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, "w").write(head + begin + "\n" + section.rstrip("\n") + "\n" + end + tail)
