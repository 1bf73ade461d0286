//! The code-dump format (docs/ingest.md): files concatenated, each introduced by a marker line
//! `FILE: <name>`. Pure: the dump's bytes in, its sections and its problems out; nothing is read
//! or written, and a name is never resolved against any directory.
//!
//! - A **marker** is a line that starts with `FILE:` followed by whitespace or the end of the
//!   line (`FILE: src/lib.rs`, `FILE:\tsrc/lib.rs`, a bare `FILE:`). `FILE:` anywhere else in a
//!   line, or after leading whitespace, is text. Lines end at `\n`; a `\r` before it (CRLF) is
//!   not part of the name.
//! - A section's **text** is exactly the bytes between its marker line and the next marker line
//!   (or the end of the dump): line endings are kept and nothing is added or removed, so
//!   `printf 'FILE: %s\n' "$f"; cat "$f"` for each file gives every file back byte for byte when
//!   each ends with a newline. An empty section is an empty file.
//! - Text before the first marker belongs to no file: reported if it is not blank, and ignored.
//!   A leading UTF-8 byte-order mark is ignored.
//! - A **name** is trimmed of surrounding whitespace and normalised: `\` is a separator like
//!   `/`, empty and `.` components are dropped (`./src//a.rs` is `src/a.rs`). Rejected (reported
//!   with the marker's line, the section skipped): absolute names (`/x`, `\\server\x`, `C:\x`,
//!   `C:x`), any `..` component, names that are empty after normalising, names with control
//!   characters (NUL included) and names that are not UTF-8.
//! - The **language** comes from the name's extension, as in discovery
//!   ([`Language::from_path`]); a name no language claims is reported and skipped.
//! - A **duplicate** name (after normalising) is reported at its later marker, and the later
//!   section replaces the earlier one, as writing the files out in order would.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use codepulse_components::Language;

/// The start of a marker line.
pub const MARKER: &[u8] = b"FILE:";

/// The UTF-8 byte-order mark, ignored at the start of a dump.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One file of a dump.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The normalised name: relative, `/`-separated, without `.` or `..` components.
    pub name: String,
    pub language: Language,
    /// The line of the marker (1-based).
    pub line: usize,
    /// The section's text: a byte range of the dump.
    pub text: Range<usize>,
}

/// What is wrong with a dump, at which line (1-based; the marker's line for a section).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub kind: ProblemKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The dump holds no marker at all.
    NoMarker,
    /// Lines `1..=lines` come before the first marker and are not all blank.
    Preamble { lines: usize },
    /// A marker's name was rejected: what was written (lossily decoded) and why.
    BadName { written: String, why: BadName },
    /// No language claims the name's extension.
    Unsupported { name: String },
    /// The name was already used by the section at `replaced`, which this one replaces.
    Duplicate { name: String, replaced: usize },
}

/// Why a marker's name was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadName {
    Empty,
    Absolute,
    ParentDir,
    Control,
    NotUtf8,
}

/// A parsed dump: the sections to analyse (in the order of their markers) and the problems (in
/// the order of their lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dump {
    pub sections: Vec<Section>,
    pub problems: Vec<Problem>,
}

impl ProblemKind {
    /// The diagnostic kind of the reports (`dump-format`, `dump-path`, `dump-unsupported`,
    /// `dump-duplicate`).
    pub fn name(&self) -> &'static str {
        match self {
            ProblemKind::NoMarker | ProblemKind::Preamble { .. } => "dump-format",
            ProblemKind::BadName { .. } => "dump-path",
            ProblemKind::Unsupported { .. } => "dump-unsupported",
            ProblemKind::Duplicate { .. } => "dump-duplicate",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::NoMarker => {
                f.write_str("no `FILE: <name>` marker: the dump holds no files")
            }
            ProblemKind::Preamble { lines: 1 } => {
                f.write_str("line 1 comes before the first `FILE:` marker; ignored")
            }
            ProblemKind::Preamble { lines } => write!(
                f,
                "lines 1-{lines} come before the first `FILE:` marker; ignored"
            ),
            ProblemKind::BadName { written, why } => {
                write!(f, "`FILE: {}`: {why}; skipped", shown(written))
            }
            ProblemKind::Unsupported { name } => write!(
                f,
                "`FILE: {name}`: no measured language has this extension; skipped"
            ),
            ProblemKind::Duplicate { name, replaced } => write!(
                f,
                "`FILE: {name}` again: replaces the section at line {replaced}"
            ),
        }
    }
}

impl fmt::Display for BadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BadName::Empty => "an empty name",
            BadName::Absolute => "an absolute name (names are relative to the dump)",
            BadName::ParentDir => "a `..` component (names stay inside the dump)",
            BadName::Control => "a control character in the name",
            BadName::NotUtf8 => "a name that is not UTF-8",
        })
    }
}

/// A rejected name as the messages show it: control characters escaped (`\0`, `\u{1b}`), so
/// a name cannot drive the terminal the warnings go to.
fn shown(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Splits a dump into its sections (see the module documentation).
pub fn parse(dump: &[u8]) -> Dump {
    let start = if dump.starts_with(BOM) { BOM.len() } else { 0 };
    // (marker line, the marker line's start, its name, where its text starts)
    let mut markers: Vec<(usize, usize, &[u8], usize)> = Vec::new();
    let mut at = start;
    let mut line = 1;
    while at < dump.len() {
        let end = dump[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(dump.len(), |i| at + i);
        let next = (end + 1).min(dump.len());
        if let Some(name) = marker_name(&dump[at..end]) {
            markers.push((line, at, name, next));
        }
        at = next;
        line += 1;
    }

    let mut out = Dump::default();
    let first = markers.first().map_or(dump.len(), |m| m.1);
    if markers.is_empty() {
        out.problems.push(Problem {
            line: 1,
            kind: ProblemKind::NoMarker,
        });
    } else if !dump[start..first].iter().all(u8::is_ascii_whitespace) {
        let lines = dump[start..first].iter().filter(|&&b| b == b'\n').count();
        out.problems.push(Problem {
            line: 1,
            kind: ProblemKind::Preamble { lines },
        });
    }

    // Where each name's section is in `sections`, for duplicates.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut sections: Vec<Option<Section>> = Vec::new();
    for (i, &(line, _, written, text_start)) in markers.iter().enumerate() {
        let text_end = markers.get(i + 1).map_or(dump.len(), |m| m.1);
        let name = match normalise(written) {
            Ok(name) => name,
            Err(why) => {
                let written = String::from_utf8_lossy(written.trim_ascii()).into_owned();
                out.problems.push(Problem {
                    line,
                    kind: ProblemKind::BadName { written, why },
                });
                continue;
            }
        };
        let Some(language) = Language::from_path(Path::new(&name)) else {
            out.problems.push(Problem {
                line,
                kind: ProblemKind::Unsupported { name },
            });
            continue;
        };
        if let Some(&earlier) = seen.get(&name) {
            let replaced = sections[earlier].take().map_or(0, |s| s.line);
            out.problems.push(Problem {
                line,
                kind: ProblemKind::Duplicate {
                    name: name.clone(),
                    replaced,
                },
            });
        }
        seen.insert(name.clone(), sections.len());
        sections.push(Some(Section {
            name,
            language,
            line,
            text: text_start..text_end,
        }));
    }
    out.sections = sections.into_iter().flatten().collect();
    out
}

/// The name of a marker line (untrimmed), or `None` if the line is not a marker.
fn marker_name(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(MARKER)?;
    match rest.first() {
        None => Some(rest),
        Some(b) if b.is_ascii_whitespace() => Some(rest),
        Some(_) => None,
    }
}

/// A marker's name, normalised (see the module documentation), or why it is rejected.
pub fn normalise(written: &[u8]) -> Result<String, BadName> {
    let name = std::str::from_utf8(written.trim_ascii()).map_err(|_| BadName::NotUtf8)?;
    if name.chars().any(char::is_control) {
        return Err(BadName::Control);
    }
    let name = name.replace('\\', "/");
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if name.starts_with('/') || drive {
        return Err(BadName::Absolute);
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(BadName::ParentDir),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(BadName::Empty);
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dump, then its sections as (name, language, marker line, text) and its problems as
    /// (line, kind name, message).
    struct Case {
        what: &'static str,
        dump: &'static [u8],
        sections: &'static [(&'static str, Language, usize, &'static [u8])],
        problems: &'static [(usize, &'static str, &'static str)],
    }

    const CASES: &[Case] = &[
        Case {
            what: "two files, text kept byte for byte",
            dump: b"FILE: src/lib.rs\nfn a() {}\n\nFILE: b.py\ndef b():\n    pass\n",
            sections: &[
                ("src/lib.rs", Language::Rust, 1, b"fn a() {}\n\n"),
                ("b.py", Language::Python, 4, b"def b():\n    pass\n"),
            ],
            problems: &[],
        },
        Case {
            what: "FILE: inside a line is text, not a marker (the sketch split there)",
            dump: b"FILE: a.rs\nlet s = \"FILE: x.rs\";\n  FILE: y.rs\nFILE:z.rs\n",
            sections: &[(
                "a.rs",
                Language::Rust,
                1,
                b"let s = \"FILE: x.rs\";\n  FILE: y.rs\nFILE:z.rs\n",
            )],
            problems: &[],
        },
        Case {
            what: "CRLF: the name loses the CR, the text keeps its line endings",
            dump: b"FILE: a.rs\r\nfn a() {}\r\nFILE: b.rs \r\n",
            sections: &[
                ("a.rs", Language::Rust, 1, b"fn a() {}\r\n"),
                ("b.rs", Language::Rust, 3, b""),
            ],
            problems: &[],
        },
        Case {
            what: "no trailing newline; tab after the colon",
            dump: b"FILE:\ta.go\npackage a",
            sections: &[("a.go", Language::Go, 1, b"package a")],
            problems: &[],
        },
        Case {
            what: "a marker on the last line without a newline is an empty file",
            dump: b"FILE: a.rs\nfn a() {}\nFILE: b.rs",
            sections: &[
                ("a.rs", Language::Rust, 1, b"fn a() {}\n"),
                ("b.rs", Language::Rust, 3, b""),
            ],
            problems: &[],
        },
        Case {
            what: "a blank preamble and a byte-order mark are ignored silently",
            dump: b"\xEF\xBB\xBF\n \n\t\nFILE: a.rs\nx\n",
            sections: &[("a.rs", Language::Rust, 4, b"x\n")],
            problems: &[],
        },
        Case {
            what: "a preamble with text is reported",
            dump: b"# my project\n\nFILE: a.rs\nx\n",
            sections: &[("a.rs", Language::Rust, 3, b"x\n")],
            problems: &[(
                1,
                "dump-format",
                "lines 1-2 come before the first `FILE:` marker; ignored",
            )],
        },
        Case {
            what: "no marker at all",
            dump: b"fn a() {}\n",
            sections: &[],
            problems: &[(
                1,
                "dump-format",
                "no `FILE: <name>` marker: the dump holds no files",
            )],
        },
        Case {
            what: "an empty dump",
            dump: b"",
            sections: &[],
            problems: &[(
                1,
                "dump-format",
                "no `FILE: <name>` marker: the dump holds no files",
            )],
        },
        Case {
            what: "names are normalised",
            dump: b"FILE: ./src//a.rs\nFILE: src\\win\\b.rs\nFILE:   c d.py  \nFILE: ~/e.rs\n",
            sections: &[
                ("src/a.rs", Language::Rust, 1, b""),
                ("src/win/b.rs", Language::Rust, 2, b""),
                ("c d.py", Language::Python, 3, b""),
                ("~/e.rs", Language::Rust, 4, b""),
            ],
            problems: &[],
        },
        Case {
            what: "escaping and absolute names are reported, not followed",
            dump: b"FILE: ../escape.rs\nx\nFILE: /etc/passwd\nFILE: a/../../b.rs\n\
                    FILE: C:\\x.rs\nFILE: \\\\server\\share\\y.rs\nFILE: d:z.rs\nFILE: ok.rs\n",
            sections: &[("ok.rs", Language::Rust, 8, b"")],
            problems: &[
                (
                    1,
                    "dump-path",
                    "`FILE: ../escape.rs`: a `..` component (names stay inside the dump); skipped",
                ),
                (
                    3,
                    "dump-path",
                    "`FILE: /etc/passwd`: an absolute name (names are relative to the dump); \
                     skipped",
                ),
                (
                    4,
                    "dump-path",
                    "`FILE: a/../../b.rs`: a `..` component (names stay inside the dump); skipped",
                ),
                (
                    5,
                    "dump-path",
                    "`FILE: C:\\x.rs`: an absolute name (names are relative to the dump); \
                     skipped",
                ),
                (
                    6,
                    "dump-path",
                    "`FILE: \\\\server\\share\\y.rs`: an absolute name (names are relative \
                     to the dump); skipped",
                ),
                (
                    7,
                    "dump-path",
                    "`FILE: d:z.rs`: an absolute name (names are relative to the dump); skipped",
                ),
            ],
        },
        Case {
            what: "empty names, NUL, control characters and invalid UTF-8 in names",
            dump: b"FILE:\nFILE: \r\nFILE: ./\nFILE: a\0.rs\nFILE: a\x1b[2J.rs\nFILE: \xff.rs\n",
            sections: &[],
            problems: &[
                (1, "dump-path", "`FILE: `: an empty name; skipped"),
                (2, "dump-path", "`FILE: `: an empty name; skipped"),
                (3, "dump-path", "`FILE: ./`: an empty name; skipped"),
                (
                    4,
                    "dump-path",
                    "`FILE: a\\0.rs`: a control character in the name; skipped",
                ),
                (
                    5,
                    "dump-path",
                    "`FILE: a\\u{1b}[2J.rs`: a control character in the name; skipped",
                ),
                (
                    6,
                    "dump-path",
                    "`FILE: \u{fffd}.rs`: a name that is not UTF-8; skipped",
                ),
            ],
        },
        Case {
            what: "unsupported extensions are reported and skipped",
            dump: b"FILE: README.md\n# hi\nFILE: Makefile\nFILE: x.d.ts\nFILE: src/\nFILE: a.RS\n",
            sections: &[("a.RS", Language::Rust, 6, b"")],
            problems: &[
                (
                    1,
                    "dump-unsupported",
                    "`FILE: README.md`: no measured language has this extension; skipped",
                ),
                (
                    3,
                    "dump-unsupported",
                    "`FILE: Makefile`: no measured language has this extension; skipped",
                ),
                (
                    4,
                    "dump-unsupported",
                    "`FILE: x.d.ts`: no measured language has this extension; skipped",
                ),
                (
                    5,
                    "dump-unsupported",
                    "`FILE: src`: no measured language has this extension; skipped",
                ),
            ],
        },
        Case {
            what: "duplicates: the later section wins, each repeat is reported",
            dump: b"FILE: a.rs\none\nFILE: b.rs\nFILE: ./a.rs\ntwo\nFILE: a.rs\nthree\n",
            sections: &[
                ("b.rs", Language::Rust, 3, b""),
                ("a.rs", Language::Rust, 6, b"three\n"),
            ],
            problems: &[
                (
                    4,
                    "dump-duplicate",
                    "`FILE: a.rs` again: replaces the section at line 1",
                ),
                (
                    6,
                    "dump-duplicate",
                    "`FILE: a.rs` again: replaces the section at line 4",
                ),
            ],
        },
        Case {
            what: "NUL bytes and invalid UTF-8 in the text are the text's (the load decides)",
            dump: b"FILE: a.rs\n\0\xff\nFILE: b.rs\n",
            sections: &[
                ("a.rs", Language::Rust, 1, b"\0\xff\n"),
                ("b.rs", Language::Rust, 3, b""),
            ],
            problems: &[],
        },
    ];

    #[test]
    fn dumps_parse_into_their_sections_and_problems() {
        for case in CASES {
            let dump = parse(case.dump);
            let sections: Vec<(&str, Language, usize, &[u8])> = dump
                .sections
                .iter()
                .map(|s| {
                    (
                        s.name.as_str(),
                        s.language,
                        s.line,
                        &case.dump[s.text.clone()],
                    )
                })
                .collect();
            assert_eq!(sections, case.sections, "{}: sections", case.what);
            let problems: Vec<(usize, &str, String)> = dump
                .problems
                .iter()
                .map(|p| (p.line, p.kind.name(), p.kind.to_string()))
                .collect();
            let want: Vec<(usize, &str, String)> = case
                .problems
                .iter()
                .map(|&(line, kind, message)| (line, kind, message.to_owned()))
                .collect();
            assert_eq!(problems, want, "{}: problems", case.what);
        }
    }

    /// Concatenating files that end with a newline behind their markers gives them back.
    #[test]
    fn a_dump_of_files_gives_them_back_byte_for_byte() {
        let files: [(&str, &str); 3] = [
            (
                "src/main.rs",
                "fn main() {\r\n    println!(\"FILE: x\");\r\n}\r\n",
            ),
            ("pkg/a.py", "\n\ndef f():\n    return 1\n\n\n"),
            ("empty.c", ""),
        ];
        let mut dump = Vec::new();
        for (name, text) in files {
            dump.extend_from_slice(format!("FILE: {name}\n{text}").as_bytes());
        }
        let parsed = parse(&dump);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let back: Vec<(&str, &[u8])> = parsed
            .sections
            .iter()
            .map(|s| (s.name.as_str(), &dump[s.text.clone()]))
            .collect();
        let want: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
        assert_eq!(back, want);
    }
}
