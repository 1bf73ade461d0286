//! The live engine's wire protocol (docs/protocol.md), its pure part: one JSON line from an
//! editor parsed into a typed [`Envelope`] (with simd-json, in place), an edit's changes
//! resolved against a document's text into the sequential [`TextEdit`]s that
//! `codepulse_systems::apply_text_edits` applies, and the reply lines.
//!
//! No I/O, no threads, no ECS: the transport (socket, stdin) and the versions of documents are
//! the engine's. Every malformed input is a [`Rejection`] or an error string naming the field or
//! the change and the value; nothing here panics on input.
//!
//! The changes of one `edit` all refer to the text at the previous version (like LSP's
//! `TextEdit[]`, not like `didChange`'s sequential `contentChanges`): they must not overlap, and
//! [`resolve_changes`] sorts them by position and shifts each by the length change of the ones
//! before it.

use std::fmt::Write as _;

use codepulse_components::TextEdit;
use serde_json::{Map, Value as JsonValue};
use simd_json::prelude::*;
use simd_json::{BorrowedValue, StaticNode};

/// The operations a message may name in `op`.
pub const OPS: [&str; 7] = ["open", "edit", "close", "save", "stats", "query", "context"];

/// Keys every reply sets itself; `reply_ok` ignores fields with these names.
const RESERVED_REPLY_KEYS: [&str; 4] = ["id", "ok", "op", "error"];

/// At most this many characters of a client's string are quoted back in a reason.
const QUOTE_CHARS: usize = 40;

/// A request's `id`, echoed in its reply: a JSON integer or string.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Id {
    Number(i64),
    String(String),
}

impl Id {
    /// The id as JSON (a number or a string).
    pub fn to_json(&self) -> JsonValue {
        match self {
            Id::Number(n) => JsonValue::from(*n),
            Id::String(s) => JsonValue::from(s.as_str()),
        }
    }
}

/// One parsed message: its optional `id` and the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub id: Option<Id>,
    pub request: Request,
}

/// What an editor asks of the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// The editor opened a document: its full text at `version`.
    Open {
        path: String,
        version: u32,
        text: String,
    },
    /// The document changed to `version` (previous version + 1): `changes` (at least one)
    /// all refer to the text at the previous version.
    Edit {
        path: String,
        version: u32,
        changes: Vec<Change>,
    },
    /// The editor closed the document: the file on disk is the truth again.
    Close { path: String },
    /// The editor wrote the document to disk.
    Save { path: String },
    /// The engine's counters.
    Stats,
    /// A question to the symbol graph: the words of `codepulse query` (docs/graph.md,
    /// "Queries"), checked when the message is read.
    Query(codepulse_systems::graph::Request),
    /// The context brief of a symbol (docs/graph.md, "The context brief").
    Context {
        symbol: String,
        budget: Option<usize>,
        json: bool,
    },
}

impl Request {
    /// The request's `op`, as in the message.
    pub fn op(&self) -> &'static str {
        match self {
            Request::Open { .. } => "open",
            Request::Edit { .. } => "edit",
            Request::Close { .. } => "close",
            Request::Save { .. } => "save",
            Request::Stats => "stats",
            Request::Query(_) => "query",
            Request::Context { .. } => "context",
        }
    }
}

/// One change of an `edit`, its range in the text at the previous version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Bytes `start..end` of the UTF-8 text are replaced by `text`.
    Bytes {
        start: usize,
        end: usize,
        text: String,
    },
    /// The LSP range `start..end` (0-based lines, UTF-16 code units) is replaced by `text`.
    Lsp {
        start: LspPosition,
        end: LspPosition,
        text: String,
    },
    /// The whole text is replaced by `text` (the message's only change).
    Full { text: String },
}

/// An LSP position: 0-based line, and `character` in UTF-16 code units within the line.
/// Ordered by line, then character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LspPosition {
    pub line: u32,
    pub character: u32,
}

/// A rejected message: its id and op where they could be read (the op only if it is one of
/// [`OPS`]), and why, in one sentence naming the field and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Rejection {
    pub id: Option<Id>,
    pub op: Option<String>,
    pub reason: String,
}

impl Rejection {
    /// The reply line for this rejection.
    pub fn reply(&self) -> String {
        reply_error(self.id.as_ref(), self.op.as_deref(), &self.reason)
    }
}

/// Parses one line (without the newline). simd-json parses in place, so it takes `&mut [u8]`
/// (the line's bytes are garbage afterwards).
pub fn parse_line(line: &mut [u8]) -> Result<Envelope, Rejection> {
    let reject = |id: Option<Id>, op: Option<&str>, reason: String| Rejection {
        id,
        op: op.map(str::to_owned),
        reason,
    };
    let value = simd_json::to_borrowed_value(line)
        .map_err(|e| reject(None, None, format!("not valid JSON: {e}")))?;
    let BorrowedValue::Object(message) = &value else {
        return Err(reject(
            None,
            None,
            format!("a message must be a JSON object, got {}", describe(&value)),
        ));
    };
    let message = Fields(message);
    let op = message.get("op");
    let known_op = op
        .and_then(as_str)
        .and_then(|op| OPS.iter().copied().find(|known| *known == op));
    let id = match message.get("id").map(parse_id).transpose() {
        Ok(id) => id,
        Err(reason) => return Err(reject(None, known_op, reason)),
    };
    let request = match (op, known_op) {
        (None, _) => Err(format!("missing field `op` (one of {})", OPS.join(", "))),
        (Some(op), None) => Err(match as_str(op) {
            Some(op) => format!("unknown op {} (known: {})", quote(op), OPS.join(", ")),
            None => format!(
                "`op` must be a string (one of {}), got {}",
                OPS.join(", "),
                describe(op)
            ),
        }),
        (Some(_), Some(op)) => parse_request(op, &message),
    };
    match request {
        Ok(request) => Ok(Envelope { id, request }),
        Err(reason) => Err(reject(id, known_op, reason)),
    }
}

/// The request named by the known `op`, from the message's fields.
fn parse_request(op: &str, message: &Fields<'_, '_>) -> Result<Request, String> {
    Ok(match op {
        "open" => Request::Open {
            path: path_field(message)?,
            version: u32_field(message, "version", "")?,
            text: string_field(message, "text", "")?,
        },
        "edit" => Request::Edit {
            path: path_field(message)?,
            version: u32_field(message, "version", "")?,
            changes: changes_field(message)?,
        },
        "close" => Request::Close {
            path: path_field(message)?,
        },
        "save" => Request::Save {
            path: path_field(message)?,
        },
        "query" => Request::Query(query_field(message)?),
        "context" => Request::Context {
            symbol: string_field(message, "symbol", "")?,
            budget: match message.get("budget") {
                None => None,
                Some(value) => Some(
                    integer(value)
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or_else(|| {
                            format!(
                                "`budget` must be a non-negative integer (tokens), got {}",
                                describe(value)
                            )
                        })?,
                ),
            },
            json: match message.get("format").map(|v| (as_str(v), v)) {
                None | Some((Some("json"), _)) => true,
                Some((Some("text"), _)) => false,
                Some((_, value)) => {
                    return Err(format!(
                        "`format` must be \"json\" or \"text\", got {}",
                        describe(value)
                    ));
                }
            },
        },
        // `stats`, the one known op left.
        _ => Request::Stats,
    })
}

/// The fields of a JSON object. With repeated keys the last one counts (as in serde_json and
/// `JSON.parse`); simd-json keeps repeats in small objects, so lookups walk all entries.
struct Fields<'o, 'v>(&'o simd_json::borrowed::Object<'v>);

impl<'o, 'v> Fields<'o, 'v> {
    fn get(&self, key: &str) -> Option<&'o BorrowedValue<'v>> {
        let map: &'o simd_json::borrowed::Object<'v> = self.0;
        map.iter()
            .filter(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v)
            .last()
    }

    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

fn as_str<'a>(value: &'a BorrowedValue<'_>) -> Option<&'a str> {
    match value {
        BorrowedValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// A value as a reason names it: `null`, `true`, `-1`, `1.5`, `a string`, `an array`, ...
fn describe(value: &BorrowedValue<'_>) -> String {
    match value {
        BorrowedValue::Static(StaticNode::F64(f)) => format!("{f:?}"),
        BorrowedValue::Static(node) => node.to_string(),
        BorrowedValue::String(s) if s.is_empty() => "an empty string".to_string(),
        BorrowedValue::String(_) => "a string".to_string(),
        BorrowedValue::Array(_) => "an array".to_string(),
        BorrowedValue::Object(_) => "an object".to_string(),
    }
}

/// A client's string quoted in a reason, cut after [`QUOTE_CHARS`] characters.
fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("`{}…`", &s[..cut]),
        None => format!("`{s}`"),
    }
}

fn parse_id(value: &BorrowedValue<'_>) -> Result<Id, String> {
    match value {
        BorrowedValue::String(s) => Ok(Id::String(s.to_string())),
        BorrowedValue::Static(node) => node.as_i64().map(Id::Number).ok_or_else(|| {
            format!(
                "`id` must be an integer (fitting 64 bits) or a string, got {}",
                describe(value)
            )
        }),
        _ => Err(format!(
            "`id` must be an integer (fitting 64 bits) or a string, got {}",
            describe(value)
        )),
    }
}

fn missing(name: &str, what: &str) -> String {
    format!("missing field `{name}` ({what})")
}

/// `path`: a non-empty string.
fn path_field(message: &Fields<'_, '_>) -> Result<String, String> {
    const WHAT: &str = "a non-empty string: a path relative to the workspace root, or absolute";
    let value = message.get("path").ok_or_else(|| missing("path", WHAT))?;
    match as_str(value) {
        Some(path) if !path.is_empty() => Ok(path.to_string()),
        _ => Err(format!("`path` must be {WHAT}, got {}", describe(value))),
    }
}

/// A required string field; `prefix` is the field's path in the message (`changes[0].`).
fn string_field(fields: &Fields<'_, '_>, name: &str, prefix: &str) -> Result<String, String> {
    let value = fields
        .get(name)
        .ok_or_else(|| missing(&format!("{prefix}{name}"), "a string"))?;
    as_str(value)
        .map(str::to_string)
        .ok_or_else(|| format!("`{prefix}{name}` must be a string, got {}", describe(value)))
}

/// A required non-negative integer fitting u32.
fn u32_field(fields: &Fields<'_, '_>, name: &str, prefix: &str) -> Result<u32, String> {
    const WHAT: &str = "a non-negative integer fitting u32 (0..=4294967295)";
    let value = fields
        .get(name)
        .ok_or_else(|| missing(&format!("{prefix}{name}"), WHAT))?;
    integer(value)
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("`{prefix}{name}` must be {WHAT}, got {}", describe(value)))
}

/// A required byte offset: a non-negative integer.
fn offset_field(fields: &Fields<'_, '_>, name: &str, prefix: &str) -> Result<usize, String> {
    const WHAT: &str = "a non-negative integer: a byte offset";
    let value = fields
        .get(name)
        .ok_or_else(|| missing(&format!("{prefix}{name}"), WHAT))?;
    integer(value)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| format!("`{prefix}{name}` must be {WHAT}, got {}", describe(value)))
}

/// A JSON integer that is not negative (floats such as `1.0` are not integers here).
fn integer(value: &BorrowedValue<'_>) -> Option<u64> {
    match value {
        BorrowedValue::Static(node) => node.as_u64(),
        _ => None,
    }
}

/// `changes`: a non-empty array of changes.
/// The `args` of a `query`: the words of `codepulse query` (`["callers", "Shape::area"]`).
fn query_field(message: &Fields<'_, '_>) -> Result<codepulse_systems::graph::Request, String> {
    const WHAT: &str = "an array of strings (the words of `codepulse query`)";
    let value = message.get("args").ok_or_else(|| missing("args", WHAT))?;
    let BorrowedValue::Array(items) = value else {
        return Err(format!("`args` must be {WHAT}, got {}", describe(value)));
    };
    let words = items
        .iter()
        .enumerate()
        .map(|(i, w)| {
            as_str(w)
                .map(str::to_string)
                .ok_or_else(|| format!("`args[{i}]` must be a string, got {}", describe(w)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    codepulse_systems::graph::Request::parse(&words).map_err(|e| format!("`args`: {e}"))
}

fn changes_field(message: &Fields<'_, '_>) -> Result<Vec<Change>, String> {
    const WHAT: &str = "a non-empty array of changes";
    let value = message
        .get("changes")
        .ok_or_else(|| missing("changes", WHAT))?;
    let BorrowedValue::Array(items) = value else {
        return Err(format!("`changes` must be {WHAT}, got {}", describe(value)));
    };
    if items.is_empty() {
        return Err(format!("`changes` must be {WHAT}, got an empty array"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_change(i, item))
        .collect()
}

fn parse_change(i: usize, item: &BorrowedValue<'_>) -> Result<Change, String> {
    let BorrowedValue::Object(fields) = item else {
        return Err(format!(
            "`changes[{i}]` must be an object, got {}",
            describe(item)
        ));
    };
    let fields = Fields(fields);
    let prefix = format!("changes[{i}].");
    let text = string_field(&fields, "text", &prefix)?;
    let (has_start, has_end) = (fields.has("start"), fields.has("end"));
    match (fields.get("range"), has_start || has_end) {
        (Some(_), true) => Err(format!(
            "`changes[{i}]` has both a byte range (`start`/`end`) and an LSP `range`; \
             give one of them"
        )),
        (Some(range), false) => {
            let BorrowedValue::Object(range) = range else {
                return Err(format!(
                    "`changes[{i}].range` must be an object with `start` and `end` positions, \
                     got {}",
                    describe(range)
                ));
            };
            let range = Fields(range);
            let prefix = format!("changes[{i}].range.");
            Ok(Change::Lsp {
                start: position_field(&range, "start", &prefix)?,
                end: position_field(&range, "end", &prefix)?,
                text,
            })
        }
        (None, true) if !(has_start && has_end) => {
            let (given, absent) = if has_start {
                ("start", "end")
            } else {
                ("end", "start")
            };
            Err(format!(
                "`changes[{i}]` has `{given}` without `{absent}`; a byte range needs both"
            ))
        }
        (None, true) => Ok(Change::Bytes {
            start: offset_field(&fields, "start", &prefix)?,
            end: offset_field(&fields, "end", &prefix)?,
            text,
        }),
        (None, false) => Ok(Change::Full { text }),
    }
}

/// An LSP position `{"line":L,"character":C}`.
fn position_field(range: &Fields<'_, '_>, name: &str, prefix: &str) -> Result<LspPosition, String> {
    const WHAT: &str = "an object with `line` and `character`";
    let value = range
        .get(name)
        .ok_or_else(|| missing(&format!("{prefix}{name}"), WHAT))?;
    let BorrowedValue::Object(position) = value else {
        return Err(format!(
            "`{prefix}{name}` must be {WHAT}, got {}",
            describe(value)
        ));
    };
    let position = Fields(position);
    let prefix = format!("{prefix}{name}.");
    Ok(LspPosition {
        line: u32_field(&position, "line", &prefix)?,
        character: u32_field(&position, "character", &prefix)?,
    })
}

/// Converts one message's `changes` against `text` (the document at the previous version) into
/// sequential [`TextEdit`]s for `apply_text_edits`: sorted by start (pure insertions at one
/// offset in message order, before a range starting there), each shifted by the length change
/// of the edits before it. LSP positions are converted in one sweep over the text up to the
/// last position.
///
/// Errors (a reason naming the change): no changes, a full replacement that is not the only
/// change, a range past the end of the text, start after end, a byte offset inside a UTF-8
/// character, an LSP character inside a UTF-16 surrogate pair, overlapping ranges.
pub fn resolve_changes(text: &str, changes: &[Change]) -> Result<Vec<TextEdit>, String> {
    if changes.is_empty() {
        return Err("no changes: an edit needs at least one".to_string());
    }
    if changes.len() > 1
        && let Some(i) = changes
            .iter()
            .position(|c| matches!(c, Change::Full { .. }))
    {
        return Err(format!(
            "`changes[{i}]` replaces the whole text (no `start`/`end` or `range`), which must \
             be the only change of a message; this one has {}",
            changes.len()
        ));
    }
    let lsp = lsp_offsets(text, changes)?;
    let mut ranges = Vec::with_capacity(changes.len());
    for (i, change) in changes.iter().enumerate() {
        let (start, end, new_text) = match change {
            Change::Full { text: new_text } => (0, text.len(), new_text),
            Change::Bytes {
                start,
                end,
                text: new_text,
            } => {
                check_bytes(text, i, *start, *end)?;
                (*start, *end, new_text)
            }
            Change::Lsp {
                start,
                end,
                text: new_text,
            } => {
                if start > end {
                    return Err(format!(
                        "`changes[{i}]`: start (line {}, character {}) is after end (line {}, \
                         character {})",
                        start.line, start.character, end.line, end.character
                    ));
                }
                let (start, end) = lsp[i].unwrap_or((0, 0));
                (start, end, new_text)
            }
        };
        ranges.push((start, end, i, new_text));
    }
    // Stable: insertions at one offset stay in message order, and come before a range that
    // starts there (`end` is larger).
    ranges.sort_by_key(|&(start, end, _, _)| (start, end));
    for pair in ranges.windows(2) {
        let ((_, prev_end, prev, _), (start, _, cur, _)) = (pair[0], pair[1]);
        if start < prev_end {
            let (a, b) = (prev.min(cur), prev.max(cur));
            let name = |i: usize| {
                let (s, e) = ranges
                    .iter()
                    .find(|r| r.2 == i)
                    .map_or((0, 0), |r| (r.0, r.1));
                describe_change(i, &changes[i], s, e)
            };
            return Err(format!("{} and {} overlap", name(a), name(b)));
        }
    }
    let (mut removed, mut added) = (0usize, 0usize);
    Ok(ranges
        .into_iter()
        .map(|(start, end, _, new_text)| {
            // Every earlier range ends at or before `start`, so `removed <= start`.
            let shifted = start - removed + added;
            removed += end - start;
            added += new_text.len();
            TextEdit {
                start: shifted,
                end: shifted + (end - start),
                text: new_text.clone(),
            }
        })
        .collect())
}

/// A byte range must be ordered, inside the text and on character boundaries.
fn check_bytes(text: &str, i: usize, start: usize, end: usize) -> Result<(), String> {
    if start > end {
        return Err(format!("`changes[{i}]`: start {start} is after end {end}"));
    }
    if end > text.len() {
        return Err(format!(
            "`changes[{i}]`: byte range {start}..{end} is past the end of the text ({} bytes)",
            text.len()
        ));
    }
    for (name, offset) in [("start", start), ("end", end)] {
        if !text.is_char_boundary(offset) {
            let (at, ch) = text
                .char_indices()
                .take_while(|&(at, _)| at < offset)
                .last()
                .unwrap_or((0, '\u{fffd}'));
            return Err(format!(
                "`changes[{i}]`: {name} {offset} is not on a UTF-8 character boundary (it is \
                 inside {ch:?}, bytes {at}..{})",
                at + ch.len_utf8()
            ));
        }
    }
    Ok(())
}

/// How an overlap error names a change.
fn describe_change(i: usize, change: &Change, start: usize, end: usize) -> String {
    match change {
        Change::Lsp {
            start: s, end: e, ..
        } => format!(
            "`changes[{i}]` (line {} character {} to line {} character {}: bytes {start}..{end})",
            s.line, s.character, e.line, e.character
        ),
        _ => format!("`changes[{i}]` (bytes {start}..{end})"),
    }
}

/// The byte ranges of the LSP changes (`None` for the others), converted in one sweep: all
/// positions sorted, then one cursor moving forward through the text.
fn lsp_offsets(text: &str, changes: &[Change]) -> Result<Vec<Option<(usize, usize)>>, String> {
    let mut positions: Vec<(LspPosition, usize, bool)> = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        if let Change::Lsp { start, end, .. } = change {
            positions.push((*start, i, false));
            positions.push((*end, i, true));
        }
    }
    let mut out = vec![None; changes.len()];
    if positions.is_empty() {
        return Ok(out);
    }
    positions.sort_unstable();
    let mut cursor = LspCursor::new(text);
    for (position, i, is_end) in positions {
        let which = if is_end { "end" } else { "start" };
        let offset = cursor.seek(position).map_err(|e| match e {
            PositionError::PastEnd { lines } => format!(
                "`changes[{i}].range.{which}`: line {} is past the end of the text ({lines} \
                 {}, 0..={})",
                position.line,
                if lines == 1 { "line" } else { "lines" },
                lines - 1
            ),
            PositionError::InSurrogatePair { ch } => format!(
                "`changes[{i}].range.{which}`: character {} of line {} is between the two \
                 UTF-16 code units of {ch:?}",
                position.character, position.line
            ),
        })?;
        let range = out[i].get_or_insert((offset, offset));
        if is_end {
            range.1 = offset;
        } else {
            range.0 = offset;
        }
    }
    Ok(out)
}

/// Why an LSP position has no byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PositionError {
    /// The line does not exist; the text has `lines` lines.
    PastEnd { lines: usize },
    /// The character falls between the two UTF-16 units of `ch`.
    InSurrogatePair { ch: char },
}

/// Converts LSP positions, given in increasing order, to byte offsets, moving forward only:
/// the positions of one message cost one pass over the text up to the last of them.
#[derive(Debug)]
struct LspCursor<'t> {
    text: &'t str,
    /// The byte offset reached; always on a character boundary.
    byte: usize,
    /// The line of `byte`.
    line: u32,
    /// UTF-16 units from the line's start to `byte`.
    column: u64,
}

impl<'t> LspCursor<'t> {
    fn new(text: &'t str) -> Self {
        LspCursor {
            text,
            byte: 0,
            line: 0,
            column: 0,
        }
    }

    /// The byte offset of `position`, which must not be before the previous one. A character
    /// past the line's end (`\r\n` and `\n` are not part of it) clamps to the end.
    fn seek(&mut self, position: LspPosition) -> Result<usize, PositionError> {
        let bytes = self.text.as_bytes();
        while self.line < position.line {
            let rest = bytes.get(self.byte..).unwrap_or_default();
            match rest.iter().position(|&b| b == b'\n') {
                Some(newline) => {
                    self.byte += newline + 1;
                    self.line += 1;
                    self.column = 0;
                }
                None => {
                    return Err(PositionError::PastEnd {
                        lines: self.line as usize + 1,
                    });
                }
            }
        }
        let target = u64::from(position.character);
        while self.column < target {
            let rest = self.text.get(self.byte..).unwrap_or_default();
            let Some(ch) = rest.chars().next() else { break };
            if ch == '\n' || rest.starts_with("\r\n") {
                break;
            }
            let units = ch.len_utf16() as u64;
            if self.column + units > target {
                return Err(PositionError::InSurrogatePair { ch });
            }
            self.column += units;
            self.byte += ch.len_utf8();
        }
        Ok(self.byte)
    }
}

/// A success reply: `{"id":..,"ok":true,"op":"edit",...fields}`, without a newline. `id` is
/// left out when the request had none; fields named `id`, `ok`, `op` or `error` are ignored.
pub fn reply_ok(id: Option<&Id>, op: &str, fields: Map<String, JsonValue>) -> String {
    let mut out = reply_head(id, true, Some(op));
    for (key, value) in &fields {
        if RESERVED_REPLY_KEYS.contains(&key.as_str()) {
            continue;
        }
        let _ = write!(out, ",{}:{value}", JsonValue::from(key.as_str()));
    }
    out.push('}');
    out
}

/// An error reply: `{"id":..,"ok":false,"op":"edit","error":"..."}`, without a newline. `id`
/// and `op` are left out when unknown.
pub fn reply_error(id: Option<&Id>, op: Option<&str>, reason: &str) -> String {
    let mut out = reply_head(id, false, op);
    let _ = write!(out, ",\"error\":{}}}", JsonValue::from(reason));
    out
}

/// `{"id":..,"ok":..,"op":..` (no closing brace).
fn reply_head(id: Option<&Id>, ok: bool, op: Option<&str>) -> String {
    let mut out = String::with_capacity(96);
    out.push('{');
    if let Some(id) = id {
        let _ = write!(out, "\"id\":{},", id.to_json());
    }
    let _ = write!(out, "\"ok\":{ok}");
    if let Some(op) = op {
        let _ = write!(out, ",\"op\":{}", JsonValue::from(op));
    }
    out
}

#[cfg(test)]
mod tests;
