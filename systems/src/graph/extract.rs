//! Runs a language's symbol query over a tree and turns its matches into a [`FileSymbols`].

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use codepulse_components::Language;
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator as _, Tree};

use super::{DefKind, Definition, FileSymbols, RefKind, Reference, SIGNATURE_CAP, Visibility};
use crate::lang::{AttributeRules, ExportRule, SymbolRules, parser_language, symbol_rules};

/// What a capture name means (docs/graph.md, "Capture convention").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Definition(DefKind),
    Reference(RefKind),
    Name,
    Qualifier,
    Visibility,
    Implements,
    Receiver,
    Export,
    /// A format string whose `{name}` placeholders name values (Rust `format!("{x}")`).
    Format,
    /// Captures starting with `_`: helpers for predicates, ignored.
    Helper,
}

fn role(capture: &str) -> Option<Role> {
    Some(match capture {
        "name" => Role::Name,
        "qualifier" => Role::Qualifier,
        "visibility" => Role::Visibility,
        "implements" => Role::Implements,
        "receiver" => Role::Receiver,
        "export" => Role::Export,
        "format" => Role::Format,
        c if c.starts_with('_') => Role::Helper,
        c => {
            if let Some(kind) = c.strip_prefix("definition.") {
                Role::Definition(DefKind::from_name(kind)?)
            } else if let Some(kind) = c.strip_prefix("reference.") {
                Role::Reference(RefKind::from_name(kind)?)
            } else {
                return None;
            }
        }
    })
}

/// A language's symbol query compiled against its grammar, with the role of each capture.
#[derive(Debug)]
pub struct SymbolQuery {
    pub query: Query,
    pub language: Language,
    rules: &'static SymbolRules,
    roles: Vec<Role>,
}

impl SymbolQuery {
    /// The compiled query of `language` (compiled on first use, then shared).
    pub fn get(language: Language) -> &'static SymbolQuery {
        static QUERIES: [OnceLock<SymbolQuery>; 9] = [const { OnceLock::new() }; 9];
        let index = Language::ALL
            .iter()
            .position(|l| *l == language)
            .expect("every language is in ALL");
        QUERIES[index].get_or_init(|| {
            SymbolQuery::compile(language).unwrap_or_else(|e| panic!("{language}: {e}"))
        })
    }

    /// Compiles the query of `language`; an error names the bad pattern or capture (the
    /// `every_symbol_query_compiles` test runs this for every language).
    pub fn compile(language: Language) -> Result<SymbolQuery, String> {
        let rules = symbol_rules(language);
        let query = Query::new(&parser_language(language), rules.query)
            .map_err(|e| format!("symbols.scm: {e}"))?;
        let roles = query
            .capture_names()
            .iter()
            .map(|c| role(c).ok_or_else(|| format!("symbols.scm: unknown capture `@{c}`")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SymbolQuery {
            query,
            language,
            rules,
            roles,
        })
    }
}

/// A definition as gathered from one or more matches of its node.
struct RawDef {
    kind: DefKind,
    pattern: usize,
    start: usize,
    end: usize,
    start_line: u32,
    end_line: u32,
    name: Option<(usize, usize, String)>,
    qualifier: Option<String>,
    modifiers: Vec<String>,
    implements: Vec<String>,
    signature: String,
    attributes: Vec<String>,
}

struct RawRef {
    kind: RefKind,
    name: String,
    name_span: (usize, usize),
    receiver: Option<String>,
    start: usize,
    end: usize,
    line: u32,
    modifier: Option<String>,
}

/// Extracts the definitions and references of one file. Never fails: a tree with ERROR nodes
/// gives whatever its intact parts define and reference.
pub fn extract_symbols(language: Language, tree: &Tree, source: &str) -> FileSymbols {
    extract_in(language, tree, source, None)
}

/// [`extract_symbols`] from the query matches that intersect `range` only (the whole tree
/// without one): the definitions and references of those top-level items, as if they were the
/// file (`graph::reextract_symbols` splices them into the rest).
pub(super) fn extract_in(
    language: Language,
    tree: &Tree,
    source: &str,
    range: Option<std::ops::Range<usize>>,
) -> FileSymbols {
    let sq = SymbolQuery::get(language);
    let mut defs: Vec<RawDef> = Vec::new();
    let mut def_index: HashMap<usize, usize> = HashMap::new();
    let mut refs: Vec<RawRef> = Vec::new();
    let mut ref_index: HashMap<(RefKind, usize, usize), usize> = HashMap::new();
    let mut exports: HashSet<String> = HashSet::new();
    let mut has_export_list = false;

    let mut cursor = QueryCursor::new();
    if let Some(range) = range {
        cursor.set_byte_range(range);
    }
    let mut matches = cursor.matches(&sq.query, tree.root_node(), source.as_bytes());
    while let Some(m) = matches.next() {
        let mut main: Option<(Role, Node<'_>)> = None;
        let mut name = None;
        let mut qualifier: Vec<&str> = Vec::new();
        let mut receiver = None;
        let mut modifiers = Vec::new();
        let mut implements = Vec::new();
        for c in m.captures() {
            let node = c.node;
            match sq.roles[c.index as usize] {
                r @ (Role::Definition(_) | Role::Reference(_)) => main = Some((r, node)),
                Role::Name => name = Some(node),
                Role::Qualifier => qualifier.push(text(node, source)),
                Role::Receiver => receiver = Some(text(node, source)),
                Role::Visibility => modifiers.push(collapse(text(node, source))),
                Role::Implements => implements.push(text(node, source)),
                Role::Export => {
                    has_export_list = true;
                    exports.insert(text(node, source).to_string());
                }
                Role::Format => {
                    for (start, end) in placeholders(text(node, source)) {
                        let (start, end) = (node.start_byte() + start, node.start_byte() + end);
                        let key = (RefKind::Value, start, end);
                        if ref_index.contains_key(&key) {
                            continue;
                        }
                        ref_index.insert(key, refs.len());
                        refs.push(RawRef {
                            kind: RefKind::Value,
                            name: source[start..end].to_string(),
                            name_span: (start, end),
                            receiver: None,
                            start,
                            end,
                            line: node.start_position().row as u32 + 1,
                            modifier: None,
                        });
                    }
                }
                Role::Helper => {}
            }
        }
        match main {
            Some((Role::Definition(kind), node)) => {
                let name =
                    name.map(|n| (n.start_byte(), n.end_byte(), text(n, source).to_string()));
                let slot = *def_index.entry(node.id()).or_insert_with(|| {
                    defs.push(RawDef {
                        kind,
                        pattern: m.pattern_index,
                        start: node.start_byte(),
                        end: node.end_byte(),
                        start_line: node.start_position().row as u32 + 1,
                        end_line: node.end_position().row as u32 + 1,
                        name: None,
                        qualifier: None,
                        modifiers: Vec::new(),
                        implements: Vec::new(),
                        signature: signature(node, source),
                        attributes: attributes(&sq.rules.attributes, node, source),
                    });
                    defs.len() - 1
                });
                let d = &mut defs[slot];
                // The earliest pattern decides the kind (and its name wins).
                if m.pattern_index < d.pattern {
                    d.kind = kind;
                    d.pattern = m.pattern_index;
                    if name.is_some() {
                        d.name = name;
                    }
                } else if d.name.is_none() {
                    d.name = name;
                }
                if d.qualifier.is_none() && !qualifier.is_empty() {
                    d.qualifier = Some(qualifier.join(language.path_separator()));
                }
                for v in modifiers {
                    if !d.modifiers.contains(&v) {
                        d.modifiers.push(v);
                    }
                }
                for i in implements {
                    if !d.implements.iter().any(|m| m == i) {
                        d.implements.push(i.to_string());
                    }
                }
            }
            Some((Role::Reference(kind), node)) => {
                let n = name.unwrap_or(node);
                let key = (kind, n.start_byte(), n.end_byte());
                let name_text = text(n, source);
                if name_text.is_empty() {
                    continue;
                }
                match ref_index.get(&key) {
                    Some(&i) => {
                        let r = &mut refs[i];
                        if r.receiver.is_none() {
                            r.receiver = receiver.map(str::to_string);
                        }
                        if r.modifier.is_none() && !modifiers.is_empty() {
                            r.modifier = Some(modifiers.join(" "));
                        }
                    }
                    None => {
                        ref_index.insert(key, refs.len());
                        refs.push(RawRef {
                            kind,
                            name: name_text.to_string(),
                            name_span: (n.start_byte(), n.end_byte()),
                            receiver: receiver.map(str::to_string),
                            start: node.start_byte(),
                            end: node.end_byte(),
                            line: node.start_position().row as u32 + 1,
                            modifier: (!modifiers.is_empty()).then(|| modifiers.join(" ")),
                        });
                    }
                }
            }
            _ => {}
        }
    }

    // Definitions without a name (broken code) are left out.
    defs.retain(|d| d.name.as_ref().is_some_and(|(_, _, n)| !n.is_empty()));
    defs.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let def_names: HashSet<(usize, usize)> = defs
        .iter()
        .filter_map(|d| d.name.as_ref().map(|(s, e, _)| (*s, *e)))
        .collect();

    let separator = language.path_separator();
    let mut definitions: Vec<Definition> = Vec::with_capacity(defs.len());
    let mut stack: Vec<usize> = Vec::new();
    for d in defs {
        while let Some(&top) = stack.last() {
            let t = &definitions[top];
            if t.start_byte <= d.start && d.end <= t.end_byte {
                break;
            }
            stack.pop();
        }
        let parent = stack.last().copied();
        let name = d.name.map(|(_, _, n)| n).unwrap_or_default();
        // Values and aliases do not qualify what is inside them (C `typedef struct s {..} S`).
        let mut qualifier_def = parent;
        while let Some(p) = qualifier_def
            && matches!(
                definitions[p].kind,
                DefKind::Variable | DefKind::Const | DefKind::Static | DefKind::TypeAlias
            )
        {
            qualifier_def = definitions[p].parent;
        }
        let mut qualified = String::new();
        if let Some(p) = qualifier_def {
            qualified.push_str(&definitions[p].qualified_name);
            qualified.push_str(separator);
        }
        if let Some(q) = &d.qualifier {
            qualified.push_str(q);
            qualified.push_str(separator);
        }
        qualified.push_str(&name);
        let parent_def = parent.map(|p| &definitions[p]);
        let visibility = visibility(
            sq.rules,
            d.kind,
            &name,
            &d.modifiers,
            parent_def,
            &exports,
            has_export_list,
        );
        stack.push(definitions.len());
        definitions.push(Definition {
            kind: d.kind,
            name,
            qualified_name: qualified,
            visibility,
            modifier: (!d.modifiers.is_empty()).then(|| d.modifiers.join(" ")),
            signature: d.signature,
            implements: d.implements,
            attributes: d.attributes,
            start_byte: d.start,
            end_byte: d.end,
            start_line: d.start_line,
            end_line: d.end_line,
            parent,
        });
    }

    refs.retain(|r| !def_names.contains(&r.name_span));
    refs.sort_by(|a, b| a.start.cmp(&b.start).then(a.name_span.cmp(&b.name_span)));
    let references = refs
        .into_iter()
        .map(|r| Reference {
            enclosing: enclosing(&definitions, r.start, r.end),
            kind: r.kind,
            name: r.name,
            receiver: r.receiver,
            start_byte: r.start,
            end_byte: r.end,
            line: r.line,
            modifier: r.modifier,
        })
        .collect();
    FileSymbols {
        definitions,
        references,
        has_export_list,
    }
}

/// The innermost definition containing `start..end`: the last one starting at or before it,
/// or one of its ancestors (definitions are tree nodes, so their spans nest).
fn enclosing(defs: &[Definition], start: usize, end: usize) -> Option<usize> {
    let mut i = defs
        .partition_point(|d| d.start_byte <= start)
        .checked_sub(1)?;
    loop {
        let d = &defs[i];
        if d.start_byte <= start && end <= d.end_byte {
            return Some(i);
        }
        i = d.parent?;
    }
}

/// A definition's export status (docs/graph.md, "Export rules"): a modifier or name that
/// decides it, else the container's status for members of inheriting kinds, else the
/// language's default.
fn visibility(
    rules: &SymbolRules,
    kind: DefKind,
    name: &str,
    modifiers: &[String],
    parent: Option<&Definition>,
    exports: &HashSet<String>,
    has_export_list: bool,
) -> Visibility {
    if rules.unknown_kinds.contains(&kind)
        || parent.is_some_and(|p| rules.unknown_in.contains(&p.kind))
    {
        return Visibility::Unknown;
    }
    let decided = match rules.export {
        ExportRule::Modifier {
            exported, private, ..
        } => {
            let words = || {
                modifiers
                    .iter()
                    .flat_map(|m| m.split(|c: char| !(c.is_alphanumeric() || c == '_')))
            };
            if words().any(|w| exported.contains(&w)) {
                Some(Visibility::Exported)
            } else if words().any(|w| private.contains(&w)) {
                Some(Visibility::Private)
            } else {
                None
            }
        }
        ExportRule::Underscore => {
            let dunder = name.len() > 4 && name.starts_with("__") && name.ends_with("__");
            (name.starts_with('_') && !dunder).then_some(Visibility::Private)
        }
        ExportRule::ExportStatement => (!modifiers.is_empty()).then_some(Visibility::Exported),
        ExportRule::Capitalised => None,
    };
    if let Some(v) = decided {
        return v;
    }
    if let Some(p) = parent {
        if rules.inherit_from.contains(&p.kind) {
            return p.visibility;
        }
        if !p.implements.is_empty() && rules.unknown_in_implementing.contains(&p.kind) {
            return Visibility::Unknown;
        }
    }
    let local = parent.is_some_and(|p| matches!(p.kind, DefKind::Function | DefKind::Method));
    let top = parent.is_none();
    match rules.export {
        ExportRule::Modifier { otherwise, .. } => otherwise,
        ExportRule::Underscore if local => Visibility::Private,
        ExportRule::Underscore if top && has_export_list => {
            if exports.contains(name) {
                Visibility::Exported
            } else {
                Visibility::Private
            }
        }
        ExportRule::Underscore => Visibility::Exported,
        ExportRule::ExportStatement if top && exports.contains(name) => Visibility::Exported,
        ExportRule::ExportStatement => Visibility::Private,
        ExportRule::Capitalised => {
            if !local && name.chars().next().is_some_and(char::is_uppercase) {
                Visibility::Exported
            } else {
                Visibility::Private
            }
        }
    }
}

/// The attributes, decorators and annotations of a definition node, as written without their
/// markers: the preceding siblings of an attribute kind (comments between them skipped), then
/// its children of an attribute kind, then those of its holder children (Java `modifiers`).
fn attributes(rules: &AttributeRules, node: Node<'_>, source: &str) -> Vec<String> {
    if rules.kinds.is_empty() {
        return Vec::new();
    }
    let clean = |n: Node<'_>| {
        let t = text(n, source).trim();
        let t = t.strip_prefix(rules.marker.0).unwrap_or(t);
        let t = t.strip_suffix(rules.marker.1).unwrap_or(t);
        collapse(t)
    };
    let mut before = Vec::new();
    let mut at = node.prev_sibling();
    while let Some(n) = at {
        if rules.kinds.contains(&n.kind()) {
            before.push(clean(n));
        } else if !rules.skip.contains(&n.kind()) {
            break;
        }
        at = n.prev_sibling();
    }
    before.reverse();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if rules.kinds.contains(&child.kind()) {
            before.push(clean(child));
        } else if rules.holders.contains(&child.kind()) {
            let mut inner = child.walk();
            for a in child.named_children(&mut inner) {
                if rules.kinds.contains(&a.kind()) {
                    before.push(clean(a));
                }
            }
        }
    }
    before
}

/// The byte ranges of the names in a format string's placeholders: `{name}`, `{name:>8}`,
/// `{name:?}` (not `{{`, `{0}`, `{}` or `{a.b}`).
fn placeholders(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'{' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'{') {
            i += 2;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let named = end > start && !bytes[start].is_ascii_digit();
        if named && matches!(bytes.get(end), Some(b'}' | b':')) {
            out.push((start, end));
        }
        i = end.max(i + 1);
    }
    out
}

/// `text` with every run of whitespace made one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    source.get(node.byte_range()).unwrap_or("")
}

/// The declaration head: the definition's text up to its `body` (or its `value`'s body, for
/// `const f = () => {...}`), whitespace collapsed, capped at [`SIGNATURE_CAP`] characters.
fn signature(node: Node<'_>, source: &str) -> String {
    let body = node.child_by_field_name("body").or_else(|| {
        node.child_by_field_name("value")
            .and_then(|v| v.child_by_field_name("body"))
    });
    let end = body.map_or(node.end_byte(), |b| b.start_byte());
    let head = source.get(node.start_byte()..end).unwrap_or("");
    let mut out = String::new();
    for (i, word) in head.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if let Some((cut, _)) = out.char_indices().nth(SIGNATURE_CAP) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every language's symbol query compiles against its grammar and uses only the capture
    /// names of the convention: a typo would otherwise silently extract nothing.
    #[test]
    fn every_symbol_query_compiles() {
        for language in Language::ALL {
            if let Err(e) = SymbolQuery::compile(language) {
                panic!("{language}: {e}");
            }
        }
    }

    #[test]
    fn format_placeholders_name_values() {
        let text = r#""{a} {{b}} {c:>8} {0} {} {d.e} {f_1:?}""#;
        let names: Vec<&str> = placeholders(text)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(names, ["a", "c", "f_1"]);
    }

    /// Every query defines something and references something: each role is used.
    #[test]
    fn every_query_has_definitions_and_references() {
        for language in Language::ALL {
            let q = SymbolQuery::compile(language).expect("compiles");
            for wanted in ["definition.", "reference.call", "reference.import", "name"] {
                assert!(
                    q.query
                        .capture_names()
                        .iter()
                        .any(|c| c.starts_with(wanted)),
                    "{language}: no `@{wanted}` capture"
                );
            }
        }
    }
}
