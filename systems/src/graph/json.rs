//! A small JSON writer for the query answers: keys in the order written (so the output does
//! not depend on a map's ordering), strings escaped as RFC 8259 requires.

use std::fmt::Write as _;

/// Writes one JSON value into a string, compactly (no spaces).
#[derive(Debug, Default)]
pub(crate) struct JsonWriter {
    out: String,
    /// Per open container: whether the next value is its first.
    first: Vec<bool>,
    /// A key was just written: the value follows without a separator.
    after_key: bool,
}

impl JsonWriter {
    pub(crate) fn new() -> JsonWriter {
        JsonWriter::default()
    }

    pub(crate) fn finish(self) -> String {
        debug_assert!(self.first.is_empty(), "unclosed JSON container");
        self.out
    }

    fn separate(&mut self) {
        if self.after_key {
            self.after_key = false;
            return;
        }
        if let Some(first) = self.first.last_mut() {
            if !*first {
                self.out.push(',');
            }
            *first = false;
        }
    }

    pub(crate) fn begin_object(&mut self) -> &mut Self {
        self.separate();
        self.out.push('{');
        self.first.push(true);
        self
    }

    pub(crate) fn end_object(&mut self) -> &mut Self {
        self.first.pop();
        self.out.push('}');
        self
    }

    pub(crate) fn begin_array(&mut self) -> &mut Self {
        self.separate();
        self.out.push('[');
        self.first.push(true);
        self
    }

    pub(crate) fn end_array(&mut self) -> &mut Self {
        self.first.pop();
        self.out.push(']');
        self
    }

    pub(crate) fn key(&mut self, key: &str) -> &mut Self {
        self.separate();
        escape_into(&mut self.out, key);
        self.out.push(':');
        self.after_key = true;
        self
    }

    pub(crate) fn string(&mut self, value: &str) -> &mut Self {
        self.separate();
        escape_into(&mut self.out, value);
        self
    }

    pub(crate) fn number(&mut self, value: u64) -> &mut Self {
        self.separate();
        let _ = write!(self.out, "{value}");
        self
    }

    pub(crate) fn boolean(&mut self, value: bool) -> &mut Self {
        self.separate();
        self.out.push_str(if value { "true" } else { "false" });
        self
    }

    /// `"key":"value"`.
    pub(crate) fn field(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key).string(value)
    }

    /// `"key":n`.
    pub(crate) fn field_number(&mut self, key: &str, value: u64) -> &mut Self {
        self.key(key).number(value)
    }
}

/// Appends `s` as a JSON string literal: `"` and `\` escaped, control characters as `\n`,
/// `\t`, `\r` or `\u00XX`.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped() {
        let mut out = String::new();
        escape_into(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001é""#);
    }

    #[test]
    fn containers_separate_their_values() {
        let mut w = JsonWriter::new();
        w.begin_object().field("a", "x").key("b").begin_array();
        w.number(1).boolean(true).begin_object().end_object();
        w.end_array().field_number("c", 2).end_object();
        assert_eq!(w.finish(), r#"{"a":"x","b":[1,true,{}],"c":2}"#);
    }
}
