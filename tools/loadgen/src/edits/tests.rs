use super::*;

const RUST: &str = "fn main() {\n    let x = compute(1, 2);\n    if x > 3 && ready() {\n        println!(\"big {x}\");\n    }\n}\n";
const PY_CRLF: &str =
    "def f(a, b):\r\n    # a comment\r\n    if a or b:\r\n        return a\r\n    return b\r\n";
/// Multibyte content on the edited lines: 2-byte (é), 3-byte (中) and 4-byte (😀, a UTF-16
/// surrogate pair) characters, also in the indentation's neighbourhood.
const MULTI: &str = "fn é() {\n    let s = \"héllo 中文 😀 wörld\";\n    let t = '😀'; // ok\n\tlet 变量 = s.len() + t.len_utf8();\n}\n";

/// Applies a generated change to a full copy of the text, checking it is valid per
/// docs/protocol.md, and returns the byte range it covered.
fn apply(text: &mut String, change: &Change) -> (usize, usize) {
    let (start, end) = match change.range {
        Range::Bytes { start, end } => (start, end),
        Range::Lsp { start, end } => {
            assert!(
                (start.line, start.character) <= (end.line, end.character),
                "LSP start after end: {change:?}"
            );
            let s = pos_to_byte(text, start).expect("valid LSP start");
            let e = pos_to_byte(text, end).expect("valid LSP end");
            // The generator never relies on clamping: its positions are exact.
            assert_eq!(byte_to_pos(text, s), start, "{change:?}");
            assert_eq!(byte_to_pos(text, e), end, "{change:?}");
            (s, e)
        }
    };
    assert!(
        start <= end && end <= text.len(),
        "{change:?} on {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{change:?}"
    );
    assert!(
        start != end || !change.text.is_empty(),
        "a no-op change: {change:?}"
    );
    text.replace_range(start..end, &change.text);
    (start, end)
}

fn run(original: &str, seed: u64, lsp_fraction: f64, style: Style, n: usize) -> Vec<Keystroke> {
    let Some(mut doc) = Doc::new(original.to_owned(), 7, Rng::new(seed), lsp_fraction, style)
    else {
        assert_eq!(style, Style::Word, "every sample has editable lines");
        return Vec::new();
    };
    let mut text = original.to_owned();
    let mut kinds = Vec::new();
    let mut restored = 0;
    for i in 0..n {
        let before = doc.version();
        let (version, change, kind) = doc.next_edit();
        assert_eq!(version, before + 1, "versions go up by one");
        apply(&mut text, &change);
        assert_eq!(text, doc.text(), "edit {i} ({kind:?}): {change:?}");
        restored += usize::from(text == original);
        kinds.push(kind);
    }
    assert!(restored > 0, "sessions end with the line as it was");
    kinds
}

#[test]
fn every_edit_is_valid_against_the_tracked_text() {
    for (text, seed) in [(RUST, 1), (PY_CRLF, 2), (MULTI, 3), (MULTI, 4)] {
        for lsp in [0.0, 0.2, 1.0] {
            for style in [Style::Keystroke, Style::Word] {
                run(text, seed, lsp, style, 20_000);
            }
        }
    }
}

#[test]
fn all_keystroke_kinds_and_both_range_forms_occur() {
    let kinds = run(MULTI, 9, 0.2, Style::Keystroke, 50_000);
    for k in [
        Keystroke::Backspace,
        Keystroke::DeleteWord,
        Keystroke::Type,
        Keystroke::Paste,
        Keystroke::Newline,
        Keystroke::Typo,
        Keystroke::Undo,
    ] {
        assert!(kinds.contains(&k), "{k:?} never generated");
    }
    let mut doc = Doc::new(MULTI.to_owned(), 0, Rng::new(5), 0.2, Style::Keystroke).unwrap();
    let (mut bytes, mut lsp) = (0, 0);
    for _ in 0..10_000 {
        match doc.next_edit().1.range {
            Range::Bytes { .. } => bytes += 1,
            Range::Lsp { .. } => lsp += 1,
        }
    }
    assert!(lsp > 1000 && bytes > 6000, "bytes {bytes}, lsp {lsp}");
}

#[test]
fn keystrokes_are_single_characters_mostly() {
    let mut doc = Doc::new(MULTI.to_owned(), 0, Rng::new(11), 0.0, Style::Keystroke).unwrap();
    let mut text = MULTI.to_owned();
    for _ in 0..5000 {
        let (_, change, kind) = doc.next_edit();
        let (s, e) = apply(&mut text, &change);
        match kind {
            Keystroke::Type => assert_eq!(change.text.chars().count(), 1),
            Keystroke::Backspace => {
                assert!(change.text.is_empty());
                // One character of the text before the change.
                assert!((1..=4).contains(&(e - s)));
            }
            Keystroke::Newline => assert_eq!(change.text, "\n"),
            _ => {}
        }
    }
}

#[test]
fn editable_lines_are_indented_code() {
    let doc = Doc::new(RUST.to_owned(), 0, Rng::new(1), 0.0, Style::Keystroke).unwrap();
    // `let x`, `if x`, `println!`: not `fn main() {`, not the lone braces.
    assert_eq!(doc.editable_lines(), 3);
    let doc = Doc::new(PY_CRLF.to_owned(), 0, Rng::new(1), 0.0, Style::Keystroke).unwrap();
    // `if a or b:`, `return a`, `return b`: not the comment, not the unindented def.
    assert_eq!(doc.editable_lines(), 3);
    assert!(
        Doc::new(
            "fn f() {}\n// x\n".to_owned(),
            0,
            Rng::new(1),
            0.0,
            Style::Keystroke
        )
        .is_none()
    );
}

#[test]
fn word_edits_retype_the_end_of_identifiers() {
    let mut doc = Doc::new(MULTI.to_owned(), 0, Rng::new(3), 0.5, Style::Word).unwrap();
    // `wörld` is not ASCII, `len_utf8` is the only 6+ character word.
    assert_eq!(doc.editable_lines(), 1);
    let mut text = MULTI.to_owned();
    for _ in 0..1000 {
        let (_, change, kind) = doc.next_edit();
        apply(&mut text, &change);
        assert!(matches!(kind, Keystroke::Backspace | Keystroke::Type));
        assert!(
            text.contains("t.len_u"),
            "at most two characters go: {text}"
        );
    }
    let doc = Doc::new(RUST.to_owned(), 0, Rng::new(3), 0.5, Style::Word).unwrap();
    // `compute`, `println` (not `return`-like keywords, not short words).
    assert_eq!(doc.editable_lines(), 2);
}

#[test]
fn lsp_positions_follow_the_protocol_table() {
    let p = |line, character| Pos { line, character };
    assert_eq!(pos_to_byte("abc\ndef", p(0, 9)), Ok(3));
    assert_eq!(pos_to_byte("abc\n", p(1, 0)), Ok(4));
    assert!(pos_to_byte("abc\n", p(2, 0)).is_err());
    assert_eq!(pos_to_byte("ab\r\ncd", p(0, 3)), Ok(2));
    assert_eq!(pos_to_byte("ab\r\ncd", p(1, 1)), Ok(5));
    assert_eq!(
        pos_to_byte("ab\r", p(0, 3)),
        Ok(3),
        "a lone \\r is a character"
    );
    assert_eq!(pos_to_byte("é=1", p(0, 1)), Ok(2));
    assert_eq!(pos_to_byte("a😀b", p(0, 3)), Ok(5));
    assert!(pos_to_byte("a😀b", p(0, 2)).is_err());
    assert_eq!(pos_to_byte("x\n中😀z", p(1, 1)), Ok(5));
    assert_eq!(pos_to_byte("x\n中😀z", p(1, 3)), Ok(9));
    assert_eq!(pos_to_byte("x\n中😀z", p(1, 4)), Ok(10));

    assert_eq!(byte_to_pos("a😀b", 5), p(0, 3));
    assert_eq!(byte_to_pos("é=1", 2), p(0, 1));
    assert_eq!(byte_to_pos("x\n中😀z", 9), p(1, 3));
    assert_eq!(byte_to_pos("ab\r\ncd", 4), p(1, 0));
    assert_eq!(utf16_len("a😀é中"), 5);
    // Round trip over every boundary of a mixed text.
    let t = MULTI;
    for (i, _) in t.char_indices().chain([(t.len(), ' ')]) {
        let pos = byte_to_pos(t, i);
        let back = pos_to_byte(t, pos).unwrap();
        assert_eq!(back, i, "offset {i} -> {pos:?}");
    }
}

#[test]
fn requests_are_valid_json() {
    let mut buf = Vec::new();
    let path = {
        let mut p = Vec::new();
        json_str(&mut p, "src/\"q\"\\中.rs");
        String::from_utf8(p).unwrap()
    };
    let text = "a\"b\\c\n\t\r\u{1}😀é";
    write_edit(
        &mut buf,
        42,
        &path,
        9,
        &Change {
            range: Range::Bytes { start: 1, end: 3 },
            text: text.into(),
        },
    );
    write_edit(
        &mut buf,
        43,
        &path,
        10,
        &Change {
            range: Range::Lsp {
                start: Pos {
                    line: 1,
                    character: 2,
                },
                end: Pos {
                    line: 3,
                    character: 4,
                },
            },
            text: String::new(),
        },
    );
    write_open(&mut buf, "open-1", &path, 1, text);
    let s = String::from_utf8(buf).unwrap();
    let lines: Vec<serde_json::Value> = s
        .lines()
        .map(|l| serde_json::from_str(l).expect("valid JSON"))
        .collect();
    assert!(s.ends_with('\n') && lines.len() == 3);
    assert_eq!(lines[0]["id"], 42);
    assert_eq!(lines[0]["path"], "src/\"q\"\\中.rs");
    assert_eq!(lines[0]["version"], 9);
    assert_eq!(lines[0]["changes"][0]["start"], 1);
    assert_eq!(lines[0]["changes"][0]["end"], 3);
    assert_eq!(lines[0]["changes"][0]["text"], text);
    assert_eq!(lines[1]["changes"][0]["range"]["start"]["character"], 2);
    assert_eq!(lines[1]["changes"][0]["range"]["end"]["line"], 3);
    assert_eq!(lines[2]["op"], "open");
    assert_eq!(lines[2]["id"], "open-1");
    assert_eq!(lines[2]["text"], text);
}
