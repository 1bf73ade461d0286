//! Keystroke-like edit streams over a real document, and their JSON form (docs/protocol.md).
//!
//! A [`Doc`] plays one "typing session" after another. A session picks a line that looks like
//! code inside a block (indented, not a comment, 3..=160 bytes), deletes its content character
//! by character from the end (backspaces; now and then a whole word at once), then retypes it
//! character by character (now and then a paste of a few characters, a newline or a typo that
//! the next keystroke takes back). Every session ends with the line as it was, so a document
//! never drifts from its original text by more than one line, however long the run.
//!
//! Only the session's line changes, so the generator needs no copy of the whole text: the
//! current text is `original[..content start] + typed prefix + transient + original[content
//! end..]`, and every position (byte offset, or LSP line and UTF-16 character) is computed from
//! the line alone. The tests check each generated change against a full copy of the text.

use std::io::Write;

use crate::rng::Rng;

/// An LSP position: 0-based line, `character` in UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub character: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// Bytes `start..end` of the UTF-8 text.
    Bytes {
        start: usize,
        end: usize,
    },
    Lsp {
        start: Pos,
        end: Pos,
    },
}

/// One change of an `edit` message: the text of `range` (in the previous version) becomes
/// `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub range: Range,
    pub text: String,
}

/// What kind of keystroke a change was (for the statistics and the tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keystroke {
    Backspace,
    DeleteWord,
    Type,
    Paste,
    Newline,
    Typo,
    /// The backspace that takes a newline or a typo back.
    Undo,
}

/// A line that sessions may retype.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// 0-based line number.
    number: u32,
    /// Byte offset where the content (after the indentation) starts.
    start: usize,
    /// Content bytes (without the line's `\r\n`/`\n`).
    len: usize,
    /// UTF-16 length of the indentation.
    indent_utf16: u32,
}

#[derive(Clone, Debug)]
struct Session {
    line: Line,
    /// Bytes of the line's content currently in the text (always a prefix of it).
    typed: usize,
    /// Text inserted after the typed prefix that the next keystroke removes.
    transient: Option<&'static str>,
    /// false while deleting, true while retyping.
    retyping: bool,
    /// Bytes of the content that stay (deletion stops there).
    keep: usize,
}

/// What the edits look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Delete a whole line of code key by key and retype it (with the occasional word delete,
    /// paste, newline and typo): nearly every intermediate text has syntax errors, as when a
    /// person types.
    Keystroke,
    /// Delete the last one or two characters of an identifier-like word (6+ characters, not a
    /// common keyword) and retype them: the text mostly stays free of syntax errors (an
    /// experiment: the engine's incremental path alone).
    Word,
}

/// Probabilities of the occasional keystrokes: (delete a word, paste, newline, typo).
fn extras(style: Style) -> (f64, f64, f64, f64) {
    match style {
        Style::Keystroke => (0.06, 0.06, 0.02, 0.02),
        Style::Word => (0.0, 0.0, 0.0, 0.0),
    }
}

/// One document as the editor (this tool) sees it.
#[derive(Clone, Debug)]
pub struct Doc {
    original: String,
    lines: Vec<Line>,
    version: u32,
    session: Option<Session>,
    rng: Rng,
    /// Fraction of changes sent as LSP ranges (the rest as byte ranges).
    lsp_fraction: f64,
    style: Style,
}

impl Doc {
    /// A document opened with `text` at `version`. `None` when no line qualifies for editing.
    pub fn new(
        text: String,
        version: u32,
        rng: Rng,
        lsp_fraction: f64,
        style: Style,
    ) -> Option<Doc> {
        let lines = match style {
            Style::Keystroke => editable_lines(&text),
            Style::Word => editable_words(&text),
        };
        if lines.is_empty() {
            return None;
        }
        Some(Doc {
            original: text,
            lines,
            version,
            session: None,
            rng,
            lsp_fraction,
            style,
        })
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    /// The text as opened.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// How many lines qualify for editing.
    #[cfg(test)]
    pub fn editable_lines(&self) -> usize {
        self.lines.len()
    }

    /// The current text (materialised, for the tests).
    #[cfg(test)]
    pub fn text(&self) -> String {
        match &self.session {
            None => self.original.clone(),
            Some(s) => {
                let l = s.line;
                let mut t = String::with_capacity(self.original.len() + 8);
                t.push_str(&self.original[..l.start + s.typed]);
                t.push_str(s.transient.unwrap_or(""));
                t.push_str(&self.original[l.start + l.len..]);
                t
            }
        }
    }

    /// The next keystroke: bumps the version and returns it with the change (against the
    /// text of the previous version) and what kind of keystroke it was.
    pub fn next_edit(&mut self) -> (u32, Change, Keystroke) {
        let finished = self
            .session
            .as_ref()
            .is_some_and(|s| s.retyping && s.transient.is_none() && s.typed == s.line.len);
        if finished || self.session.is_none() {
            let line = self.lines[self.rng.below(self.lines.len())];
            let keep = match self.style {
                Style::Keystroke => 0,
                Style::Word => line.len - self.rng.between(1, 2),
            };
            self.session = Some(Session {
                line,
                typed: line.len,
                transient: None,
                retyping: false,
                keep,
            });
        }
        let (p_delete_word, p_paste, p_newline, p_typo) = extras(self.style);
        let lsp = self.rng.chance(self.lsp_fraction);
        let rng = &mut self.rng;
        let Some(s) = self.session.as_mut() else {
            unreachable!("a session was started above")
        };
        let content = &self.original[s.line.start..s.line.start + s.line.len];
        let mut undone = None;
        let (from, to, text, kind) = if let Some(t) = s.transient.take() {
            undone = Some(t);
            (s.typed, s.typed + t.len(), String::new(), Keystroke::Undo)
        } else if !s.retyping && s.typed > s.keep {
            let mut from = prev_boundary(content, s.typed);
            let mut kind = Keystroke::Backspace;
            if rng.chance(p_delete_word) {
                for _ in 1..rng.between(2, 8) {
                    if from == 0 {
                        break;
                    }
                    from = prev_boundary(content, from);
                }
                kind = Keystroke::DeleteWord;
            }
            let to = s.typed;
            s.typed = from;
            if from <= s.keep {
                s.retyping = true;
            }
            (from, to, String::new(), kind)
        } else {
            s.retyping = true;
            let at = s.typed;
            if rng.chance(p_newline) {
                s.transient = Some("\n");
                (at, at, "\n".to_owned(), Keystroke::Newline)
            } else if rng.chance(p_typo) {
                const TYPOS: [&str; 6] = ["x", "q", ";", "(", "{", "\""];
                let t = TYPOS[rng.below(TYPOS.len())];
                s.transient = Some(t);
                (at, at, t.to_owned(), Keystroke::Typo)
            } else {
                let mut end = next_boundary(content, at);
                let mut kind = Keystroke::Type;
                if rng.chance(p_paste) {
                    for _ in 1..rng.between(2, 8) {
                        if end == content.len() {
                            break;
                        }
                        end = next_boundary(content, end);
                    }
                    kind = Keystroke::Paste;
                }
                s.typed = end;
                (at, at, content[at..end].to_owned(), kind)
            }
        };
        let range = if lsp {
            let start = pos_in_line(s.line, content, from);
            let end = match undone {
                // The transient text follows the typed prefix, which ends at `from`.
                Some("\n") => Pos {
                    line: s.line.number + 1,
                    character: 0,
                },
                Some(t) => Pos {
                    line: s.line.number,
                    character: start.character + utf16_len(t),
                },
                None => pos_in_line(s.line, content, to),
            };
            Range::Lsp { start, end }
        } else {
            Range::Bytes {
                start: s.line.start + from,
                end: s.line.start + to,
            }
        };
        self.version += 1;
        (self.version, Change { range, text }, kind)
    }
}

/// The LSP position of offset `at` of a line's content (all of `content[..at]` is in the text:
/// it is the typed prefix, or part of it).
fn pos_in_line(line: Line, content: &str, at: usize) -> Pos {
    Pos {
        line: line.number,
        character: line.indent_utf16 + utf16_len(&content[..at]),
    }
}

fn prev_boundary(s: &str, at: usize) -> usize {
    s[..at].char_indices().next_back().map_or(0, |(i, _)| i)
}

fn next_boundary(s: &str, at: usize) -> usize {
    s[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

pub fn utf16_len(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

/// The lines of `text` a session may retype: indented (so inside some block), content of
/// 3..=160 bytes that is not a comment.
fn editable_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (number, raw) in text.split('\n').enumerate() {
        let line_start = start;
        start += raw.len() + 1;
        let Ok(number) = u32::try_from(number) else {
            break;
        };
        let body = raw.strip_suffix('\r').unwrap_or(raw);
        let content = body.trim_start_matches([' ', '\t']);
        let indent = body.len() - content.len();
        let content = content.trim_end_matches([' ', '\t']);
        if indent == 0
            || !(3..=160).contains(&content.len())
            || content.contains('\r')
            || ["//", "#", "/*", "*", "--"]
                .iter()
                .any(|c| content.starts_with(c))
        {
            continue;
        }
        out.push(Line {
            number,
            start: line_start + indent,
            len: content.len(),
            indent_utf16: indent as u32,
        });
    }
    out
}

/// Identifier-like words (ASCII, 6+ characters, not a common keyword) of the editable lines,
/// each as a [`Line`] of its own (its `start`, `len` and UTF-16 column are the word's).
fn editable_words(text: &str) -> Vec<Line> {
    const KEYWORDS: &[&str] = &[
        "return",
        "static",
        "public",
        "private",
        "protected",
        "struct",
        "switch",
        "default",
        "continue",
        "extern",
        "typedef",
        "sizeof",
        "unsigned",
        "signed",
        "double",
        "import",
        "export",
        "function",
        "package",
        "interface",
        "extends",
        "implements",
        "throws",
        "finally",
        "lambda",
        "assert",
        "delete",
        "typeof",
        "instanceof",
        "namespace",
        "template",
        "typename",
        "virtual",
        "override",
        "abstract",
        "synchronized",
        "native",
        "transient",
        "volatile",
        "register",
        "inline",
        "const",
        "constexpr",
        "nonlocal",
        "global",
        "except",
        "select",
        "fallthrough",
        "unsafe",
        "module",
        "yield",
        "async",
        "await",
        "string",
        "object",
        "boolean",
    ];
    let mut out = Vec::new();
    for line in editable_lines(text) {
        let content = &text[line.start..line.start + line.len];
        let bytes = content.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let word_char = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            if !(bytes[i].is_ascii_alphabetic() || bytes[i] == b'_')
                || (i > 0 && (word_char(bytes[i - 1]) || !bytes[i - 1].is_ascii()))
            {
                i += 1;
                continue;
            }
            let end = (i..bytes.len())
                .find(|&j| !word_char(bytes[j]))
                .unwrap_or(bytes.len());
            let word = &content[i..end];
            let next_ascii = bytes.get(end).is_none_or(|b| b.is_ascii());
            if word.len() >= 6 && next_ascii && !KEYWORDS.contains(&word) {
                out.push(Line {
                    number: line.number,
                    start: line.start + i,
                    len: word.len(),
                    indent_utf16: line.indent_utf16 + utf16_len(&content[..i]),
                });
            }
            i = end;
        }
    }
    out
}

/// Byte offset → LSP position over a whole text (lines split at `\n`; a `\r` before the `\n`
/// is not part of the line). The tests' reference.
#[cfg(test)]
pub fn byte_to_pos(text: &str, offset: usize) -> Pos {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: before.bytes().filter(|&b| b == b'\n').count() as u32,
        character: utf16_len(&before[line_start..]),
    }
}

/// LSP position → byte offset, as docs/protocol.md specifies (a character past the end of its
/// line is the line's end; a position inside a surrogate pair, or a line past the last, is an
/// error). The tests' reference.
#[cfg(test)]
pub fn pos_to_byte(text: &str, pos: Pos) -> Result<usize, String> {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return Err(format!("line {} is past the end of the text", pos.line)),
        }
    }
    let rest = &text[line_start..];
    let mut line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    if let Some(l) = line.strip_suffix('\r')
        && rest.len() > line.len()
    {
        line = l;
    }
    let mut units = 0u32;
    for (i, c) in line.char_indices() {
        if units == pos.character {
            return Ok(line_start + i);
        }
        units += c.len_utf16() as u32;
        if units > pos.character {
            return Err(format!(
                "character {} of line {} is inside a surrogate pair",
                pos.character, pos.line
            ));
        }
    }
    Ok(line_start + line.len())
}

/// Appends `s` as a JSON string (quotes included).
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let mut plain = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..0x20 => None,
            _ => continue,
        };
        out.extend_from_slice(&s.as_bytes()[plain..i]);
        match esc {
            Some(e) => out.extend_from_slice(e),
            None => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        plain = i + 1;
    }
    out.extend_from_slice(&s.as_bytes()[plain..]);
    out.push(b'"');
}

/// Appends one `edit` request line. `path_json` is the path already as a JSON string.
pub fn write_edit(out: &mut Vec<u8>, id: u64, path_json: &str, version: u32, change: &Change) {
    let _ = write!(
        out,
        "{{\"id\":{id},\"op\":\"edit\",\"path\":{path_json},\"version\":{version},\"changes\":[{{"
    );
    match change.range {
        Range::Bytes { start, end } => {
            let _ = write!(out, "\"start\":{start},\"end\":{end}");
        }
        Range::Lsp { start, end } => {
            let _ = write!(
                out,
                "\"range\":{{\"start\":{{\"line\":{},\"character\":{}}},\"end\":{{\"line\":{},\"character\":{}}}}}",
                start.line, start.character, end.line, end.character
            );
        }
    }
    out.extend_from_slice(b",\"text\":");
    json_str(out, &change.text);
    out.extend_from_slice(b"}]}\n");
}

/// Appends one `open` request line.
pub fn write_open(out: &mut Vec<u8>, id: &str, path_json: &str, version: u32, text: &str) {
    out.extend_from_slice(b"{\"id\":");
    json_str(out, id);
    let _ = write!(
        out,
        ",\"op\":\"open\",\"path\":{path_json},\"version\":{version},\"text\":"
    );
    json_str(out, text);
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests;
