//! Tests of the protocol: tables of lines and their envelopes or reasons, LSP positions,
//! overlaps, reply strings, and properties (no panic on any input; changes agree with a naive
//! reference).

use super::*;
use codepulse_systems::apply_text_edits;
use proptest::prelude::*;
use serde_json::json;

fn parse(line: &str) -> Result<Envelope, Rejection> {
    parse_line(&mut line.as_bytes().to_vec())
}

fn num(id: i64) -> Option<Id> {
    Some(Id::Number(id))
}

fn string_id(id: &str) -> Option<Id> {
    Some(Id::String(id.to_string()))
}

fn pos(line: u32, character: u32) -> LspPosition {
    LspPosition { line, character }
}

fn bytes(start: usize, end: usize, text: &str) -> Change {
    Change::Bytes {
        start,
        end,
        text: text.to_string(),
    }
}

fn lsp(start: (u32, u32), end: (u32, u32), text: &str) -> Change {
    Change::Lsp {
        start: pos(start.0, start.1),
        end: pos(end.0, end.1),
        text: text.to_string(),
    }
}

fn full(text: &str) -> Change {
    Change::Full {
        text: text.to_string(),
    }
}

fn open(path: &str, version: u32, text: &str) -> Request {
    Request::Open {
        path: path.to_string(),
        version,
        text: text.to_string(),
    }
}

fn edit(path: &str, version: u32, changes: Vec<Change>) -> Request {
    Request::Edit {
        path: path.to_string(),
        version,
        changes,
    }
}

#[test]
fn valid_lines_parse_to_their_envelopes() {
    let cases: Vec<(&str, Option<Id>, Request)> = vec![
        (
            r#"{"id":1,"op":"open","path":"src/a.rs","version":0,"text":"fn f() {}\n"}"#,
            num(1),
            open("src/a.rs", 0, "fn f() {}\n"),
        ),
        (
            r#"{"op":"open","path":"/w/a.py","version":4294967295,"text":"","id":"r-1","extra":{"x":[1]}}"#,
            string_id("r-1"),
            open("/w/a.py", u32::MAX, ""),
        ),
        (
            r#"{"op":"open","path":"a.rs","version":1,"text":"\u00e9\t\"\\\ud83d\ude00"}"#,
            None,
            open("a.rs", 1, "é\t\"\\😀"),
        ),
        (
            r#"{"id":-5,"op":"edit","path":"a.rs","version":2,"changes":[{"start":0,"end":3,"text":"x"}]}"#,
            num(-5),
            edit("a.rs", 2, vec![bytes(0, 3, "x")]),
        ),
        (
            r#"{"op":"edit","path":"a.rs","version":3,"changes":[{"range":{"start":{"line":1,"character":2},"end":{"line":3,"character":0}},"rangeLength":9,"text":""},{"text":"all","future":true}]}"#,
            None,
            edit("a.rs", 3, vec![lsp((1, 2), (3, 0), ""), full("all")]),
        ),
        (
            r#"{"id":9223372036854775807,"op":"close","path":"a.rs"}"#,
            num(i64::MAX),
            Request::Close {
                path: "a.rs".to_string(),
            },
        ),
        (
            r#"{"id":-9223372036854775808,"op":"save","path":"b/c.go"}"#,
            num(i64::MIN),
            Request::Save {
                path: "b/c.go".to_string(),
            },
        ),
        (r#"{"op":"stats"}"#, None, Request::Stats),
        (
            " \t{\"op\" : \"stats\", \"id\" : \"\"}\r",
            string_id(""),
            Request::Stats,
        ),
        // A repeated key: the last one counts.
        (
            r#"{"op":"close","path":"first","path":"last"}"#,
            None,
            Request::Close {
                path: "last".to_string(),
            },
        ),
        // Fields of other ops are ignored too.
        (
            r#"{"op":"stats","path":3,"changes":null}"#,
            None,
            Request::Stats,
        ),
    ];
    for (line, id, request) in cases {
        assert_eq!(parse(line), Ok(Envelope { id, request }), "line: {line}");
    }
}

/// A line, the id and op its rejection carries, and a substring of the reason.
type RejectedLine = (
    &'static [u8],
    Option<Id>,
    Option<&'static str>,
    &'static str,
);

#[test]
fn invalid_lines_are_rejected_with_their_reason() {
    let cases: Vec<RejectedLine> = vec![
        (b"", None, None, "not valid JSON"),
        (b"{\"op\":", None, None, "not valid JSON: "),
        (b"{\"op\":\"stats\"} x", None, None, "not valid JSON"),
        (b"{\"op\":\"open\",\"path\":\"\xff\"}", None, None, "not valid JSON"),
        (b"{\"id\":1,\"id\":99999999999999999999,\"op\":\"stats\"}", None, None, "not valid JSON"),
        (b"[1]", None, None, "a message must be a JSON object, got an array"),
        (b"\"open\"", None, None, "a message must be a JSON object, got a string"),
        (b"null", None, None, "got null"),
        (b"{}", None, None, "missing field `op` (one of open, edit, close, save, stats, query, context)"),
        (b"{\"id\":3}", num(3), None, "missing field `op`"),
        (b"{\"id\":3,\"op\":\"opne\"}", num(3), None, "unknown op `opne` (known: open, edit, close, save, stats, query, context)"),
        (b"{\"op\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", None, None, "unknown op `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…`"),
        (b"{\"op\":3}", None, None, "`op` must be a string (one of open, edit, close, save, stats, query, context), got 3"),
        (b"{\"op\":null}", None, None, "`op` must be a string (one of open, edit, close, save, stats, query, context), got null"),
        (b"{\"id\":1.5,\"op\":\"stats\"}", None, Some("stats"), "`id` must be an integer (fitting 64 bits) or a string, got 1.5"),
        (b"{\"id\":2.0,\"op\":\"stats\"}", None, Some("stats"), "got 2.0"),
        (b"{\"id\":null,\"op\":\"stats\"}", None, Some("stats"), "`id` must be an integer (fitting 64 bits) or a string, got null"),
        (b"{\"id\":[1],\"op\":\"stats\"}", None, Some("stats"), "got an array"),
        (b"{\"id\":true,\"op\":\"stats\"}", None, Some("stats"), "got true"),
        (b"{\"id\":9223372036854775808,\"op\":\"stats\"}", None, Some("stats"), "got 9223372036854775808"),
        (b"{\"id\":7,\"op\":\"open\",\"version\":1,\"text\":\"\"}", num(7), Some("open"), "missing field `path` (a non-empty string"),
        (b"{\"id\":\"x\",\"op\":\"open\",\"path\":\"\",\"version\":1,\"text\":\"\"}", string_id("x"), Some("open"), "`path` must be a non-empty string: a path relative to the workspace root, or absolute, got an empty string"),
        (b"{\"op\":\"close\",\"path\":[\"a\"]}", None, Some("close"), "`path` must be a non-empty string: a path relative to the workspace root, or absolute, got an array"),
        (b"{\"op\":\"save\"}", None, Some("save"), "missing field `path`"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"text\":\"\"}", None, Some("open"), "missing field `version` (a non-negative integer fitting u32 (0..=4294967295))"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"version\":-1,\"text\":\"\"}", None, Some("open"), "`version` must be a non-negative integer fitting u32 (0..=4294967295), got -1"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"version\":1.0,\"text\":\"\"}", None, Some("open"), "`version` must be a non-negative integer fitting u32 (0..=4294967295), got 1.0"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"version\":4294967296,\"text\":\"\"}", None, Some("open"), "got 4294967296"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"version\":\"3\",\"text\":\"\"}", None, Some("open"), "got a string"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"version\":1}", None, Some("open"), "missing field `text` (a string)"),
        (b"{\"op\":\"open\",\"path\":\"a\",\"version\":1,\"text\":null}", None, Some("open"), "`text` must be a string, got null"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1}", None, Some("edit"), "missing field `changes` (a non-empty array of changes)"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[]}", None, Some("edit"), "`changes` must be a non-empty array of changes, got an empty array"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":{\"text\":\"\"}}", None, Some("edit"), "`changes` must be a non-empty array of changes, got an object"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"text\":\"\"},2]}", None, Some("edit"), "`changes[1]` must be an object, got 2"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":0,\"end\":1}]}", None, Some("edit"), "missing field `changes[0].text` (a string)"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":0,\"end\":1,\"text\":5}]}", None, Some("edit"), "`changes[0].text` must be a string, got 5"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":0,\"end\":1,\"range\":{},\"text\":\"\"}]}", None, Some("edit"), "`changes[0]` has both a byte range (`start`/`end`) and an LSP `range`"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"end\":1,\"range\":{},\"text\":\"\"}]}", None, Some("edit"), "has both a byte range"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":0,\"text\":\"\"}]}", None, Some("edit"), "`changes[0]` has `start` without `end`; a byte range needs both"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"text\":\"\"},{\"end\":0,\"text\":\"\"}]}", None, Some("edit"), "`changes[1]` has `end` without `start`"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":-1,\"end\":1,\"text\":\"\"}]}", None, Some("edit"), "`changes[0].start` must be a non-negative integer: a byte offset, got -1"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":0,\"end\":1.5,\"text\":\"\"}]}", None, Some("edit"), "`changes[0].end` must be a non-negative integer: a byte offset, got 1.5"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"start\":0,\"end\":\"2\",\"text\":\"\"}]}", None, Some("edit"), "`changes[0].end` must be a non-negative integer: a byte offset, got a string"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"range\":[0,1],\"text\":\"\"}]}", None, Some("edit"), "`changes[0].range` must be an object with `start` and `end` positions, got an array"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"range\":{\"start\":{\"line\":0,\"character\":0}},\"text\":\"\"}]}", None, Some("edit"), "missing field `changes[0].range.end` (an object with `line` and `character`)"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"range\":{\"start\":3,\"end\":4},\"text\":\"\"}]}", None, Some("edit"), "`changes[0].range.start` must be an object with `line` and `character`, got 3"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"range\":{\"start\":{\"line\":-1,\"character\":0},\"end\":{\"line\":0,\"character\":0}},\"text\":\"\"}]}", None, Some("edit"), "`changes[0].range.start.line` must be a non-negative integer fitting u32 (0..=4294967295), got -1"),
        (b"{\"op\":\"edit\",\"path\":\"a\",\"version\":1,\"changes\":[{\"range\":{\"start\":{\"line\":0,\"character\":0},\"end\":{\"line\":0}},\"text\":\"\"}]}", None, Some("edit"), "missing field `changes[0].range.end.character`"),
    ];
    for (line, id, op, reason) in cases {
        let shown = String::from_utf8_lossy(line).into_owned();
        let rejection = parse_line(&mut line.to_vec()).expect_err(&shown);
        assert!(
            rejection.reason.contains(reason),
            "line: {shown}\nreason: {}\nexpected: {reason}",
            rejection.reason
        );
        assert_eq!(
            (rejection.id.as_ref(), rejection.op.as_deref()),
            (id.as_ref(), op),
            "line: {shown}"
        );
    }
}

#[test]
fn lsp_positions_become_byte_offsets() {
    // (text, line, character, byte offset or a substring of the error)
    let cases: Vec<(&str, u32, u32, Result<usize, &str>)> = vec![
        ("abc\ndef", 0, 0, Ok(0)),
        ("abc\ndef", 0, 3, Ok(3)),
        ("abc\ndef", 0, 9, Ok(3)), // clamped to the line's end
        ("abc\ndef", 1, 0, Ok(4)),
        ("abc\ndef", 1, 3, Ok(7)),
        ("abc\ndef", 1, 4, Ok(7)),
        (
            "abc\ndef",
            2,
            0,
            Err("line 2 is past the end of the text (2 lines, 0..=1)"),
        ),
        // End of document: the line after the last `\n` is the last (empty) line.
        ("abc\n", 1, 0, Ok(4)),
        ("abc\n", 1, 5, Ok(4)),
        (
            "abc\n",
            2,
            0,
            Err("line 2 is past the end of the text (2 lines, 0..=1)"),
        ),
        ("", 0, 0, Ok(0)),
        ("", 0, 3, Ok(0)),
        (
            "",
            1,
            0,
            Err("line 1 is past the end of the text (1 line, 0..=0)"),
        ),
        ("a\n\n\n", 3, 0, Ok(4)),
        ("a\n\n\n", 99, 0, Err("(4 lines, 0..=3)")),
        // CRLF: `\r` before `\n` is not part of the line.
        ("ab\r\ncd\r\n", 0, 2, Ok(2)),
        ("ab\r\ncd\r\n", 0, 3, Ok(2)),
        ("ab\r\ncd\r\n", 1, 0, Ok(4)),
        ("ab\r\ncd\r\n", 1, 2, Ok(6)),
        ("ab\r\ncd\r\n", 1, 9, Ok(6)),
        ("ab\r\ncd\r\n", 2, 0, Ok(8)),
        // A lone `\r` is an ordinary character.
        ("a\rb", 0, 2, Ok(2)),
        ("a\rb", 0, 3, Ok(3)),
        ("a\r", 0, 5, Ok(2)),
        // é: 2 bytes, 1 UTF-16 unit; 中: 3 bytes, 1 unit.
        ("é=1", 0, 1, Ok(2)),
        ("é=1", 0, 2, Ok(3)),
        ("x\n中文", 1, 1, Ok(5)),
        ("x\n中文", 1, 2, Ok(8)),
        // 😀: 4 bytes, a surrogate pair of 2 UTF-16 units.
        ("a😀b", 0, 1, Ok(1)),
        (
            "a😀b",
            0,
            2,
            Err("character 2 of line 0 is between the two UTF-16 code units of '😀'"),
        ),
        ("a😀b", 0, 3, Ok(5)),
        ("a😀b", 0, 4, Ok(6)),
        ("a😀b", 0, 5, Ok(6)),
        ("😀😀\n", 0, 4, Ok(8)),
        ("😀😀\n", 0, 3, Err("between the two UTF-16 code units")),
    ];
    for (text, line, character, expected) in cases {
        let changes = [lsp((line, character), (line, character), "")];
        let got = resolve_changes(text, &changes).map(|edits| edits[0].start);
        match expected {
            Ok(offset) => assert_eq!(got, Ok(offset), "{text:?} {line}:{character}"),
            Err(reason) => {
                let err = got.expect_err(text);
                assert!(err.contains(reason), "{text:?} {line}:{character}: {err}");
            }
        }
    }
}

#[test]
fn several_lsp_changes_resolve_in_one_sweep() {
    let text = "fn a() {}\r\nfn bé() {}\nfn 😀() {}\n";
    let changes = [
        lsp((2, 3), (2, 5), "c"),
        lsp((0, 3), (0, 4), "x"),
        lsp((1, 3), (1, 5), "y"),
        lsp((3, 0), (3, 0), "// end\n"),
    ];
    let edits = resolve_changes(text, &changes).expect("fits");
    let (new_text, _) = apply_text_edits(text, &edits).expect("applies");
    assert_eq!(new_text, "fn x() {}\r\nfn y() {}\nfn c() {}\n// end\n");
    assert_eq!(
        edits,
        vec![
            TextEdit {
                start: 3,
                end: 4,
                text: "x".to_string()
            },
            TextEdit {
                start: 14,
                end: 17,
                text: "y".to_string()
            },
            TextEdit {
                start: 24,
                end: 28,
                text: "c".to_string()
            },
            TextEdit {
                start: 31,
                end: 31,
                text: "// end\n".to_string()
            },
        ]
    );
}

#[test]
fn changes_resolve_against_the_previous_text() {
    // (text, changes, the text after them or a substring of the error)
    let cases: Vec<(&str, Vec<Change>, Result<&str, &str>)> = vec![
        ("hello world", vec![bytes(0, 5, "bye")], Ok("bye world")),
        // Ranges refer to the original text, whatever their order in the message.
        (
            "0123456789",
            vec![bytes(8, 9, "EIGHT"), bytes(1, 2, "one"), bytes(4, 6, "")],
            Ok("0one2367EIGHT9"),
        ),
        ("abcd", vec![bytes(0, 2, "X"), bytes(2, 4, "Y")], Ok("XY")),
        ("abcd", vec![bytes(2, 4, "Y"), bytes(0, 2, "X")], Ok("XY")),
        // Insertions at a range's start go before it, at its end after it.
        ("abcd", vec![bytes(1, 3, "R"), bytes(1, 1, "<")], Ok("a<Rd")),
        ("abcd", vec![bytes(1, 3, "R"), bytes(3, 3, ">")], Ok("aR>d")),
        (
            "abcd",
            vec![bytes(3, 3, ">"), bytes(1, 3, "R"), bytes(1, 1, "<")],
            Ok("a<R>d"),
        ),
        // Insertions at one offset: in message order.
        (
            "ab",
            vec![bytes(1, 1, "1"), bytes(1, 1, "2"), bytes(1, 1, "3")],
            Ok("a123b"),
        ),
        ("ab", vec![bytes(2, 2, "!"), bytes(0, 0, "¡")], Ok("¡ab!")),
        ("", vec![bytes(0, 0, "new")], Ok("new")),
        (
            "é中😀",
            vec![bytes(2, 5, "z"), lsp((0, 4), (0, 4), "|")],
            Ok("éz😀|"),
        ),
        (
            "a\nb",
            vec![lsp((0, 1), (1, 0), " "), bytes(3, 3, "c")],
            Ok("a bc"),
        ),
        ("old\ntext", vec![full("new")], Ok("new")),
        ("", vec![full("")], Ok("")),
        // Errors.
        ("abc", vec![], Err("no changes: an edit needs at least one")),
        (
            "abc",
            vec![bytes(0, 1, ""), full("x")],
            Err(
                "`changes[1]` replaces the whole text (no `start`/`end` or `range`), which must be the only change of a message; this one has 2",
            ),
        ),
        (
            "abc",
            vec![bytes(3, 1, "")],
            Err("`changes[0]`: start 3 is after end 1"),
        ),
        (
            "abc",
            vec![bytes(0, 0, ""), bytes(2, 4, "")],
            Err("`changes[1]`: byte range 2..4 is past the end of the text (3 bytes)"),
        ),
        (
            "é",
            vec![bytes(1, 2, "")],
            Err(
                "`changes[0]`: start 1 is not on a UTF-8 character boundary (it is inside 'é', bytes 0..2)",
            ),
        ),
        (
            "a😀",
            vec![bytes(0, 3, "")],
            Err(
                "`changes[0]`: end 3 is not on a UTF-8 character boundary (it is inside '😀', bytes 1..5)",
            ),
        ),
        (
            "abc\nd",
            vec![lsp((0, 2), (0, 1), "")],
            Err("`changes[0]`: start (line 0, character 2) is after end (line 0, character 1)"),
        ),
        ("abc\nd", vec![lsp((1, 0), (0, 9), "")], Err("is after end")),
        (
            "abc\nd",
            vec![lsp((0, 0), (2, 0), "")],
            Err("`changes[0].range.end`: line 2 is past the end of the text (2 lines, 0..=1)"),
        ),
        (
            "😀",
            vec![lsp((0, 1), (0, 2), "")],
            Err(
                "`changes[0].range.start`: character 1 of line 0 is between the two UTF-16 code units of '😀'",
            ),
        ),
        // Overlaps.
        (
            "abcdef",
            vec![bytes(0, 3, ""), bytes(2, 5, "")],
            Err("`changes[0]` (bytes 0..3) and `changes[1]` (bytes 2..5) overlap"),
        ),
        (
            "abcdef",
            vec![bytes(2, 5, ""), bytes(0, 3, "")],
            Err("`changes[0]` (bytes 2..5) and `changes[1]` (bytes 0..3) overlap"),
        ),
        (
            "abcdef",
            vec![bytes(1, 2, "x"), bytes(1, 2, "y")],
            Err("`changes[0]` (bytes 1..2) and `changes[1]` (bytes 1..2) overlap"),
        ),
        (
            "abcdef",
            vec![bytes(0, 6, ""), bytes(3, 3, "in")],
            Err("`changes[0]` (bytes 0..6) and `changes[1]` (bytes 3..3) overlap"),
        ),
        (
            "abcdef",
            vec![bytes(5, 6, ""), bytes(0, 1, ""), bytes(0, 4, "")],
            Err("`changes[1]` (bytes 0..1) and `changes[2]` (bytes 0..4) overlap"),
        ),
        (
            "ab\ncd",
            vec![bytes(4, 5, ""), lsp((0, 1), (1, 2), "")],
            Err(
                "`changes[0]` (bytes 4..5) and `changes[1]` (line 0 character 1 to line 1 character 2: bytes 1..5) overlap",
            ),
        ),
    ];
    for (text, changes, expected) in cases {
        let got = resolve_changes(text, &changes).map(|edits| {
            apply_text_edits(text, &edits)
                .expect("resolved edits apply")
                .0
        });
        match expected {
            Ok(after) => assert_eq!(got.as_deref(), Ok(after), "{text:?} {changes:?}"),
            Err(reason) => {
                let err = got.expect_err(text);
                assert!(
                    err.contains(reason),
                    "{text:?} {changes:?}:\n{err}\n{reason}"
                );
            }
        }
    }
}

#[test]
fn replies_are_exact_json_lines() {
    let mut fields = Map::new();
    fields.insert("tick".to_string(), json!(12));
    fields.insert("version".to_string(), json!(3));
    let mut stats = Map::new();
    stats.insert(
        "latency_us".to_string(),
        json!({"count": 2, "max": 900, "p50": 410}),
    );
    let mut reserved = Map::new();
    reserved.insert("error".to_string(), json!("no"));
    reserved.insert("files".to_string(), json!(1));
    reserved.insert("id".to_string(), json!(5));
    reserved.insert("ok".to_string(), json!(false));
    reserved.insert("op".to_string(), json!("x"));
    let cases: Vec<(String, &str)> = vec![
        (
            reply_ok(Some(&Id::Number(7)), "edit", fields),
            r#"{"id":7,"ok":true,"op":"edit","tick":12,"version":3}"#,
        ),
        (
            reply_ok(None, "stats", stats),
            r#"{"ok":true,"op":"stats","latency_us":{"count":2,"max":900,"p50":410}}"#,
        ),
        (
            reply_ok(Some(&Id::String("a\"b\n".to_string())), "close", Map::new()),
            r#"{"id":"a\"b\n","ok":true,"op":"close"}"#,
        ),
        (
            reply_ok(Some(&Id::Number(-1)), "stats", reserved),
            r#"{"id":-1,"ok":true,"op":"stats","files":1}"#,
        ),
        (
            reply_error(
                Some(&Id::Number(3)),
                Some("edit"),
                "stale version 2 (\"a.rs\" is at 4)",
            ),
            r#"{"id":3,"ok":false,"op":"edit","error":"stale version 2 (\"a.rs\" is at 4)"}"#,
        ),
        (
            reply_error(None, None, "not valid JSON: Eof at character 0"),
            r#"{"ok":false,"error":"not valid JSON: Eof at character 0"}"#,
        ),
        (
            reply_error(Some(&Id::String("é".to_string())), None, "tab\there"),
            r#"{"id":"é","ok":false,"error":"tab\there"}"#,
        ),
        (
            parse(r#"{"id":"q","op":"open","path":"a"}"#)
                .expect_err("no version")
                .reply(),
            r#"{"id":"q","ok":false,"op":"open","error":"missing field `version` (a non-negative integer fitting u32 (0..=4294967295))"}"#,
        ),
    ];
    for (got, expected) in cases {
        assert_eq!(got, expected);
        serde_json::from_str::<JsonValue>(&got).expect("a reply is JSON");
    }
}

#[test]
fn requests_name_their_op() {
    let cases = [
        (open("a", 0, ""), "open"),
        (edit("b", 1, vec![full("")]), "edit"),
        (
            Request::Close {
                path: "c".to_string(),
            },
            "close",
        ),
        (
            Request::Save {
                path: "d".to_string(),
            },
            "save",
        ),
        (Request::Stats, "stats"),
    ];
    for (request, op) in cases {
        assert_eq!(request.op(), op);
        assert!(OPS.contains(&op));
    }
}

/// The message an editor would send for `envelope` (the reverse of `parse_line`).
fn to_json(envelope: &Envelope) -> JsonValue {
    let change = |c: &Change| match c {
        Change::Bytes { start, end, text } => json!({"start": start, "end": end, "text": text}),
        Change::Lsp { start, end, text } => json!({
            "range": {
                "start": {"line": start.line, "character": start.character},
                "end": {"line": end.line, "character": end.character},
            },
            "text": text,
        }),
        Change::Full { text } => json!({ "text": text }),
    };
    let mut message = match &envelope.request {
        Request::Open {
            path,
            version,
            text,
        } => json!({"op": "open", "path": path, "version": version, "text": text}),
        Request::Edit {
            path,
            version,
            changes,
        } => json!({
            "op": "edit", "path": path, "version": version,
            "changes": changes.iter().map(change).collect::<Vec<_>>(),
        }),
        Request::Close { path } => json!({"op": "close", "path": path}),
        Request::Save { path } => json!({"op": "save", "path": path}),
        Request::Stats => json!({"op": "stats"}),
        Request::Query(request) => json!({"op": "query", "args": words(request)}),
        Request::Context {
            symbol,
            budget,
            json,
        } => {
            let mut m = json!({"op": "context", "symbol": symbol,
                "format": if *json { "json" } else { "text" }});
            if let Some(b) = budget {
                m["budget"] = json!(b);
            }
            m
        }
    };
    if let (Some(id), Some(object)) = (&envelope.id, message.as_object_mut()) {
        object.insert("id".to_string(), id.to_json());
    }
    message
}

/// The words of `codepulse query` asking `request`.
fn words(request: &codepulse_systems::graph::Request) -> Vec<String> {
    use codepulse_systems::graph::Query;
    let mut w: Vec<String> = vec![request.query.name().to_string()];
    match &request.query {
        Query::WhatImplements { symbol, transitive } => {
            w.push(symbol.clone());
            if *transitive {
                w.push("--transitive".into());
            }
        }
        Query::Callers { symbol } | Query::Callees { symbol } => w.push(symbol.clone()),
        Query::WhereDefined { name } => w.push(name.clone()),
        Query::BlastRadius { symbol, depth } => {
            w.extend([symbol.clone(), "--depth".into(), depth.to_string()]);
        }
        Query::FindCycles => {}
    }
    if let Some(min) = request.min_confidence {
        w.extend(["--min-confidence".into(), min.name().into()]);
    }
    w
}

fn arb_query() -> impl Strategy<Value = codepulse_systems::graph::Request> {
    use codepulse_systems::graph::{Confidence, Query, Request as Ask};
    let symbol = "[A-Za-z_][A-Za-z0-9_:.]{0,12}";
    let query = prop_oneof![
        (symbol, any::<bool>())
            .prop_map(|(symbol, transitive)| Query::WhatImplements { symbol, transitive }),
        symbol.prop_map(|symbol| Query::Callers { symbol }),
        symbol.prop_map(|symbol| Query::Callees { symbol }),
        symbol.prop_map(|name| Query::WhereDefined { name }),
        (symbol, 0u32..100).prop_map(|(symbol, depth)| Query::BlastRadius { symbol, depth }),
        Just(Query::FindCycles),
    ];
    let min = prop::option::of(prop::sample::select(Confidence::ALL.to_vec()));
    (query, min).prop_map(|(query, min_confidence)| Ask {
        query,
        min_confidence,
    })
}

fn arb_id() -> impl Strategy<Value = Option<Id>> {
    prop_oneof![
        Just(None),
        any::<i64>().prop_map(|n| Some(Id::Number(n))),
        any::<String>().prop_map(|s| Some(Id::String(s))),
    ]
}

fn arb_change() -> impl Strategy<Value = Change> {
    let position = (any::<u32>(), any::<u32>()).prop_map(|(line, character)| pos(line, character));
    prop_oneof![
        (any::<usize>(), any::<usize>(), any::<String>())
            .prop_map(|(start, end, text)| Change::Bytes { start, end, text }),
        (position.clone(), position, any::<String>()).prop_map(|(start, end, text)| Change::Lsp {
            start,
            end,
            text
        }),
        any::<String>().prop_map(|text| Change::Full { text }),
    ]
}

fn arb_request() -> impl Strategy<Value = Request> {
    let path = ".+";
    prop_oneof![
        (path, any::<u32>(), any::<String>()).prop_map(|(path, version, text)| Request::Open {
            path,
            version,
            text
        }),
        (
            path,
            any::<u32>(),
            prop::collection::vec(arb_change(), 1..4)
        )
            .prop_map(|(path, version, changes)| Request::Edit {
                path,
                version,
                changes
            }),
        path.prop_map(|path| Request::Close { path }),
        path.prop_map(|path| Request::Save { path }),
        Just(Request::Stats),
        arb_query().prop_map(Request::Query),
        (".*", prop::option::of(any::<u32>()), any::<bool>()).prop_map(|(symbol, budget, json)| {
            Request::Context {
                symbol,
                budget: budget.map(|b| b as usize),
                json,
            }
        }),
    ]
}

/// JSON values shaped like messages: the protocol's keys and values near its limits.
fn arb_jsonish() -> impl Strategy<Value = JsonValue> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "id",
            "op",
            "path",
            "version",
            "text",
            "changes",
            "start",
            "end",
            "range",
            "line",
            "character",
        ])
        .prop_map(str::to_string),
        "[a-z]{0,3}",
    ];
    let leaf = prop_oneof![
        Just(JsonValue::Null),
        any::<bool>().prop_map(JsonValue::from),
        any::<i64>().prop_map(JsonValue::from),
        any::<u64>().prop_map(JsonValue::from),
        prop::sample::select(vec![0i64, 1, 2, -1, 4294967295, 4294967296])
            .prop_map(JsonValue::from),
        any::<f64>().prop_map(JsonValue::from),
        prop::sample::select(vec!["open", "edit", "close", "save", "stats", "", "a.rs"])
            .prop_map(JsonValue::from),
        any::<String>().prop_map(JsonValue::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(JsonValue::from),
            prop::collection::vec((key.clone(), inner), 0..6)
                .prop_map(|fields| JsonValue::Object(fields.into_iter().collect())),
        ]
    })
}

/// Texts with the characters that matter: ASCII, newlines, `\r`, 2-, 3- and 4-byte chars.
fn arb_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!['a', 'b', ' ', '\n', '\r', 'é', '中', '😀']),
        0..40,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

/// The LSP position of a byte offset, counted naively; `None` between `\r` and `\n` (no
/// position addresses it).
fn naive_position(text: &str, offset: usize) -> Option<LspPosition> {
    let before = &text[..offset];
    if before.ends_with('\r') && text[offset..].starts_with('\n') {
        return None;
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Some(pos(
        before.matches('\n').count() as u32,
        text[line_start..offset].encode_utf16().count() as u32,
    ))
}

/// Whether `offset` ends its line (before `\n`, `\r\n` or the end of the text).
fn at_line_end(text: &str, offset: usize) -> bool {
    let rest = &text[offset..];
    rest.is_empty() || rest.starts_with('\n') || rest.starts_with("\r\n")
}

/// The reference: byte edits on the original text, applied from the end backwards (at one
/// offset, insertions in message order, before a range starting there).
fn naive_apply(text: &str, ranges: &[(usize, usize, String)]) -> String {
    let mut order: Vec<usize> = (0..ranges.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse((ranges[i].0, ranges[i].1, i)));
    let mut out = text.to_string();
    for i in order {
        let (start, end, new_text) = &ranges[i];
        out.replace_range(*start..*end, new_text);
    }
    out
}

/// Whether two byte ranges conflict: they share a byte, or one is an insertion strictly
/// inside the other.
fn conflict(a: (usize, usize), b: (usize, usize)) -> bool {
    let inside = |p: usize, r: (usize, usize)| r.0 < p && p < r.1;
    a.0.max(b.0) < a.1.min(b.1) || (a.0 == a.1 && inside(a.0, b)) || (b.0 == b.1 && inside(b.0, a))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parse_line_never_panics_on_bytes(mut line in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Err(rejection) = parse_line(&mut line) {
            prop_assert!(!rejection.reason.is_empty());
        }
    }

    #[test]
    fn parse_line_never_panics_on_jsonish_text(line in "[{}\\[\\]\":,0-9a-z .eE+\\-\\\\]{0,80}") {
        if let Err(rejection) = parse_line(&mut line.into_bytes()) {
            prop_assert!(!rejection.reason.is_empty());
        }
    }

    #[test]
    fn parsed_messages_round_trip(value in arb_jsonish()) {
        let line = value.to_string();
        match parse_line(&mut line.clone().into_bytes()) {
            Ok(envelope) => {
                let again = to_json(&envelope).to_string();
                prop_assert_eq!(parse_line(&mut again.into_bytes()), Ok(envelope));
            }
            Err(rejection) => prop_assert!(!rejection.reason.is_empty(), "{}", line),
        }
    }

    #[test]
    fn every_envelope_is_read_back(id in arb_id(), request in arb_request()) {
        let envelope = Envelope { id, request };
        let line = to_json(&envelope).to_string();
        prop_assert_eq!(parse_line(&mut line.into_bytes()), Ok(envelope));
    }

    #[test]
    fn resolved_changes_match_the_reference(
        text in arb_text(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..6),
        texts in prop::collection::vec("[xé😀\n]{0,3}", 6),
        as_lsp in prop::collection::vec(any::<bool>(), 6),
        overshoot in prop::collection::vec(0u32..3, 12),
        order in Just((0..6).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let mut offsets: Vec<usize> = picks
            .iter()
            .flat_map(|(a, b)| [a.get(&boundaries), b.get(&boundaries)])
            .copied()
            .collect();
        offsets.sort_unstable();
        // Consecutive pairs of sorted offsets: ranges that do not overlap (they may touch).
        let sorted: Vec<(usize, usize, String)> = offsets
            .chunks(2)
            .enumerate()
            .map(|(i, pair)| (pair[0], pair[1], texts[i].clone()))
            .collect();
        // The message lists them in a random order (the reference takes insertions at one
        // offset in message order too).
        let ranges: Vec<(usize, usize, String)> = order
            .into_iter()
            .filter(|&i| i < sorted.len())
            .map(|i| sorted[i].clone())
            .collect();
        let changes: Vec<Change> = ranges
            .iter()
            .enumerate()
            .map(|(i, (start, end, new_text))| {
                let positions = (naive_position(&text, *start), naive_position(&text, *end));
                match positions {
                    (Some(mut s), Some(mut e)) if as_lsp[i] => {
                        if at_line_end(&text, *start) {
                            s.character += overshoot[2 * i];
                        }
                        if at_line_end(&text, *end) {
                            e.character += overshoot[2 * i + 1];
                        }
                        if s.line == e.line {
                            e.character = e.character.max(s.character);
                        }
                        Change::Lsp { start: s, end: e, text: new_text.clone() }
                    }
                    _ => Change::Bytes { start: *start, end: *end, text: new_text.clone() },
                }
            })
            .collect();
        let edits = resolve_changes(&text, &changes).map_err(TestCaseError::fail)?;
        let (got, _) = apply_text_edits(&text, &edits).map_err(TestCaseError::fail)?;
        prop_assert_eq!(got, naive_apply(&text, &ranges), "changes: {:?}", changes);
    }

    #[test]
    fn overlaps_are_rejected_exactly(
        text in arb_text(),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..5),
    ) {
        let boundaries: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
        let ranges: Vec<(usize, usize, String)> = picks
            .iter()
            .enumerate()
            .map(|(i, (a, b))| {
                let (a, b) = (*a.get(&boundaries), *b.get(&boundaries));
                (a.min(b), a.max(b), i.to_string())
            })
            .collect();
        let changes: Vec<Change> = ranges
            .iter()
            .map(|(start, end, new_text)| bytes(*start, *end, new_text))
            .collect();
        let any_conflict = (0..ranges.len()).any(|i| {
            (i + 1..ranges.len()).any(|j| conflict((ranges[i].0, ranges[i].1), (ranges[j].0, ranges[j].1)))
        });
        match resolve_changes(&text, &changes) {
            Ok(edits) => {
                prop_assert!(!any_conflict, "accepted {:?}", ranges);
                let (got, _) = apply_text_edits(&text, &edits).map_err(TestCaseError::fail)?;
                prop_assert_eq!(got, naive_apply(&text, &ranges));
            }
            Err(reason) => {
                prop_assert!(any_conflict, "rejected {:?}: {}", ranges, reason);
                prop_assert!(reason.ends_with("overlap"), "{}", reason);
            }
        }
    }
}

#[test]
fn deep_nesting_is_rejected_not_a_crash() {
    // (nesting depth of an ignored field, accepted)
    for (depth, accepted) in [(1_000, true), (100_000, false), (1_000_000, false)] {
        let line = format!(
            r#"{{"op":"stats","x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        match parse(&line) {
            Ok(envelope) => assert!(accepted && envelope.request == Request::Stats, "{depth}"),
            Err(rejection) => assert!(
                !accepted
                    && rejection
                        .reason
                        .starts_with("not valid JSON: DepthLimitExceeded"),
                "{depth}: {}",
                rejection.reason
            ),
        }
    }
}

#[test]
fn repeated_keys_count_last_in_objects_of_any_size() {
    // simd-json keeps repeats in objects of up to 32 keys and dedupes larger ones.
    for padding in [0, 10, 40] {
        let extra: String = (0..padding).map(|i| format!(r#""k{i}":{i},"#)).collect();
        let line = format!(r#"{{{extra}"op":"close","path":"first","path":"last"}}"#);
        assert_eq!(
            parse(&line).map(|e| e.request),
            Ok(Request::Close {
                path: "last".to_string()
            }),
            "{padding} extra keys"
        );
    }
}
