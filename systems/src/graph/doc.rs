//! A definition's documentation, read from the text around its span by the comment markers of
//! its language (`lang::DocComments`, data in each `lang/<language>.rs`): the doc comment on the
//! lines directly above (`///`, `/** */`, Go `//`, Python `#`), past attribute, decorator and
//! annotation lines; or the documentation inside it (Python's docstring, Rust's `//!`), which
//! comes first. Pure text scanning: the context brief's engine side calls it with the file text.

use codepulse_components::Language;

use crate::lang::{DocComments, InnerDoc, doc_comments};

/// The documentation of the definition starting at `start_byte` of `text`, markers stripped
/// and indentation removed, or `None` when it has none.
pub fn doc_comment_above(language: Language, text: &str, start_byte: usize) -> Option<String> {
    let rules = doc_comments(language);
    let start = floor_char_boundary(text, start_byte.min(text.len()));
    let inner = match rules.inner {
        InnerDoc::None => None,
        InnerDoc::Docstring => docstring(&text[start..], rules.skip),
        InnerDoc::LineComments(prefixes) => inner_lines(&text[start..], prefixes),
    };
    inner.or_else(|| above(rules, &text[..start]))
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The doc comment ending on the line above `before`'s last line (the definition's line).
fn above(rules: &DocComments, before: &str) -> Option<String> {
    // The lines above the definition's line, nearest first.
    let head = before.rfind('\n').map_or("", |i| &before[..i]);
    let mut lines = head.split('\n').rev().peekable();
    while lines
        .peek()
        .is_some_and(|l| rules.skip.iter().any(|s| l.trim_start().starts_with(s)))
    {
        lines.next();
    }
    let first = lines.peek()?.trim();
    if first.is_empty() {
        return None;
    }
    if rules.line.iter().any(|p| first.starts_with(p)) {
        let mut taken: Vec<&str> = Vec::new();
        for l in lines {
            let t = l.trim_start();
            match rules.line.iter().find(|p| t.starts_with(*p)) {
                Some(p) => taken.push(&t[p.len()..]),
                None => break,
            }
        }
        taken.reverse();
        return clean(taken.into_iter().map(strip_one_space));
    }
    if !rules.block.iter().any(|(_, close)| first.ends_with(close)) {
        return None;
    }
    // The comment's lines, nearest first, up to the one that opens it.
    let mut taken: Vec<&str> = Vec::new();
    for l in lines {
        taken.push(l);
        if l.contains("/*") {
            break;
        }
    }
    taken.reverse();
    let joined = taken.join("\n");
    let joined = joined.trim();
    if joined.rfind("/*") != Some(0) {
        return None;
    }
    let (open, close) = rules
        .block
        .iter()
        .find(|(open, close)| joined.starts_with(open) && joined.ends_with(close))?;
    let body = joined.get(open.len()..joined.len() - close.len())?;
    clean(body.split('\n').map(|l| {
        let t = l.trim_start();
        match t.strip_prefix('*') {
            Some(rest) => strip_one_space(rest),
            None => t,
        }
    }))
}

fn strip_one_space(s: &str) -> &str {
    s.strip_prefix(' ').unwrap_or(s)
}

/// Trailing whitespace and blank first and last lines dropped, the common indentation
/// removed; `None` when nothing is left.
fn clean<'a>(lines: impl Iterator<Item = &'a str>) -> Option<String> {
    let lines: Vec<&str> = lines.map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty())?;
    let last = lines.iter().rposition(|l| !l.is_empty())?;
    let lines = &lines[first..=last];
    let indent = lines
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let out: Vec<&str> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .collect();
    Some(out.join("\n"))
}

/// How a header scan ends.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// Just after the `stop` character.
    Stop(usize),
    /// At an `abort` character (a definition without a body: `mod m;`, `x = 1`).
    Abort(usize),
}

/// Scans a definition's header from its start for the first `stop` character outside
/// parentheses, brackets (and braces, when `stop` is not one) and string literals (`quotes`);
/// an `abort` character met at that level ends the scan first. A backslash escapes the next
/// character (Python line continuations).
fn scan_header(def: &str, stop: char, abort: &[char], quotes: &[char]) -> Option<Scan> {
    let mut depth = 0usize;
    let mut chars = def.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' | '[' => depth += 1,
            '{' if stop != '{' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '}' if stop != '{' => depth = depth.saturating_sub(1),
            '\\' => {
                chars.next();
            }
            q if quotes.contains(&q) => {
                // Skip the literal, escapes included.
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == q {
                        break;
                    }
                }
            }
            c if depth == 0 && c == stop => return Some(Scan::Stop(i + c.len_utf8())),
            c if depth == 0 && abort.contains(&c) => return Some(Scan::Abort(i)),
            _ => {}
        }
    }
    None
}

/// Rust `//!` (or other inner line comments) first in the body.
fn inner_lines(def: &str, prefixes: &[&str]) -> Option<String> {
    let Scan::Stop(at) = scan_header(def, '{', &[';'], &['"'])? else {
        return None;
    };
    let body = &def[at..];
    let mut taken = Vec::new();
    // The rest of the brace's line, then the following lines.
    for l in body.split('\n') {
        let t = l.trim_start();
        if t.is_empty() && taken.is_empty() {
            continue;
        }
        match prefixes.iter().find(|p| t.starts_with(*p)) {
            Some(p) => taken.push(strip_one_space(&t[p.len()..])),
            None => break,
        }
    }
    clean(taken.into_iter())
}

/// Python: the string literal that is the first statement of the body.
fn docstring(def: &str, skip: &[&str]) -> Option<String> {
    // Decorators first (when the definition's span starts at them), one logical line each.
    let mut def = def;
    while skip.iter().any(|s| def.starts_with(s)) {
        let at = match scan_header(def, '\n', &[], &['"', '\'']) {
            Some(Scan::Stop(at) | Scan::Abort(at)) => at,
            None => def.len(),
        };
        def = def[at..].trim_start();
    }
    let Scan::Stop(at) = scan_header(def, ':', &['\n'], &['"', '\''])? else {
        return None;
    };
    let mut rest = &def[at..];
    // Blank lines and comments before the first statement.
    loop {
        let t = rest.trim_start();
        if let Some(comment) = t.strip_prefix('#') {
            rest = comment.find('\n').map_or("", |i| &comment[i..]);
        } else {
            rest = t;
            break;
        }
    }
    let prefix_len = rest
        .chars()
        .take_while(|c| matches!(c, 'r' | 'R' | 'u' | 'U' | 'b' | 'B'))
        .count();
    if prefix_len > 2 {
        return None;
    }
    let literal = &rest[prefix_len..];
    let quote = ["\"\"\"", "'''", "\"", "'"]
        .into_iter()
        .find(|q| literal.starts_with(q))?;
    let inside = &literal[quote.len()..];
    let mut end = None;
    let mut i = 0;
    let bytes = inside.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if inside[i..].starts_with(quote) {
            end = Some(i);
            break;
        }
        if quote.len() == 1 && bytes[i] == b'\n' {
            return None;
        }
        i += 1;
    }
    let content = &inside[..end?];
    // inspect.cleandoc: the first line stripped, the others dedented together.
    let mut lines = content.split('\n');
    let first = lines.next().unwrap_or("").trim();
    let rest: Vec<&str> = lines.collect();
    let mut all = vec![first];
    all.extend(rest);
    clean_docstring(&all)
}

fn clean_docstring(lines: &[&str]) -> Option<String> {
    let indent = lines[1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    out.push(lines[0].trim_end());
    for l in &lines[1..] {
        let l = l.trim_end();
        out.push(l.get(indent..).unwrap_or_else(|| l.trim_start()));
    }
    let first = out.iter().position(|l| !l.is_empty())?;
    let last = out.iter().rposition(|l| !l.is_empty())?;
    Some(out[first..=last].join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(language: Language, text: &str, marker: &str) -> Option<String> {
        doc_comment_above(language, text, text.find(marker).expect("marker"))
    }

    #[test]
    fn headers_end_outside_parentheses_and_strings() {
        let py = |s: &str| scan_header(s, ':', &['\n'], &['"', '\'']);
        assert_eq!(py("def f(a: int = ':') -> X:\n"), Some(Scan::Stop(25)));
        assert_eq!(py("X = {1: 2}\ndef g():"), Some(Scan::Abort(10)));
        assert_eq!(py("def f(a,\n      b):"), Some(Scan::Stop(18)));
        let rs = |s: &str| scan_header(s, '{', &[';'], &['"']);
        assert_eq!(rs("fn f() -> [u8; 2] { 1 }"), Some(Scan::Stop(19)));
        assert_eq!(rs("fn f<'a>(x: &'a str) {"), Some(Scan::Stop(22)));
        assert_eq!(rs("mod m;\nfn g() {"), Some(Scan::Abort(5)));
    }

    #[test]
    fn a_blank_line_or_code_ends_a_comment() {
        let text = "/// a\n\nfn f() {}\n";
        assert_eq!(doc(Language::Rust, text, "fn f"), None);
        let text = "// not a doc\nfn f() {}\n";
        assert_eq!(doc(Language::Rust, text, "fn f"), None);
        let text = "/* plain */\nint f(void) { return 0; }\n";
        assert_eq!(doc(Language::C, text, "int f"), None);
    }

    #[test]
    fn single_quoted_docstrings_stop_at_the_line() {
        assert_eq!(
            doc(Language::Python, "def f():\n    'Doc.'\n", "def f"),
            Some("Doc.".to_string())
        );
        assert_eq!(doc(Language::Python, "def f(): return 'x\n", "def f"), None);
    }
}
