//! Prints the syntax tree of a file, one node a line with its field name, kind and line, for
//! writing language tables and fixtures: `cargo run -p codepulse-systems --example dump_tree -- FILE`.

use std::path::Path;

use codepulse_components::Language;

fn main() {
    let path = std::env::args().nth(1).expect("usage: dump_tree FILE");
    let language = Language::from_path(Path::new(&path)).expect("unknown language");
    let source = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&codepulse_systems::lang::parser_language(language))
        .expect("grammar");
    let tree = parser.parse(&source, None).expect("parse");
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        let field = cursor
            .field_name()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        let text = if node.child_count() == 0 {
            format!(" {:?}", &source[node.byte_range()])
        } else {
            String::new()
        };
        let named = if node.is_named() { "" } else { "'" };
        println!(
            "{:indent$}{field}{named}{}{named} [{}]{text}",
            "",
            node.kind(),
            node.start_position().row + 1,
            indent = depth * 2
        );
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            depth -= 1;
        }
    }
}
