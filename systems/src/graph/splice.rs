//! Incremental extraction: after an edit, only the top-level items the edit touched are
//! extracted again, and spliced between the unchanged definitions and references before and
//! after them (moved by the edit's byte and line shift).
//!
//! This is exact, not an approximation: everything the extraction computes for a definition or
//! a reference depends only on the top-level item holding it (its containers, its own
//! captures, its `parent`/`enclosing` indices), except the export status of module-level
//! definitions in a file with an export list (`__all__`, `export {…}`), which depends on the
//! whole file; such files are extracted whole. Whenever a piece does not fit (an unchanged
//! definition straddling the region, a region match reaching outside it), the whole file is
//! extracted. The live graph test (`systems/tests/graph_live.rs`) compares the result with a
//! whole extraction of the same tree after every random edit.

use std::ops::Range;

use codepulse_components::{FileSymbols, Language, TextChanges};
use tree_sitter::Tree;

use super::extract::extract_in;
use super::extract_symbols;
use crate::lang::symbol_rules;

/// The symbols of `tree` (the text `source`, after the edits `changes` describes), given the
/// symbols `old` of the text before the edits.
pub fn reextract_symbols(
    language: Language,
    tree: &Tree,
    source: &str,
    old: &FileSymbols,
    changes: &TextChanges,
) -> FileSymbols {
    splice(language, tree, source, old, changes)
        .unwrap_or_else(|| extract_symbols(language, tree, source))
}

fn splice(
    language: Language,
    tree: &Tree,
    source: &str,
    old: &FileSymbols,
    changes: &TextChanges,
) -> Option<FileSymbols> {
    if old.has_export_list {
        return None;
    }
    let changed: Vec<Range<usize>> = changes
        .edited
        .iter()
        .map(|r| r.start..r.end)
        .chain(changes.syntax.iter().cloned())
        .collect();
    let lo = changed.iter().map(|r| r.start).min()?;
    let hi = changed.iter().map(|r| r.end).max()?;
    let region = top_level_region(language, tree, lo, hi);
    let (a, b) = (region.start.min(lo), region.end.max(hi).min(source.len()));
    // The text before `a` is unchanged; the text from `b` on is the old text from `b_old` on.
    let b_old = changes.to_old(b);
    let shift = b as isize - b_old as isize;

    let sub = extract_in(language, tree, source, Some(a..b));
    if sub.has_export_list
        || sub
            .definitions
            .iter()
            .any(|d| d.start_byte < a || d.end_byte > b)
        || sub
            .references
            .iter()
            .any(|r| r.start_byte < a || r.end_byte > b)
    {
        return None;
    }

    // Old definitions: entirely before `a`, or entirely from `b_old` on; none may straddle.
    let before = old.definitions.partition_point(|d| d.start_byte < a);
    let after = old.definitions.partition_point(|d| d.start_byte < b_old);
    if old.definitions[..before].iter().any(|d| d.end_byte > a)
        || old.definitions[before..after]
            .iter()
            .any(|d| d.end_byte > b_old)
    {
        return None;
    }
    let refs_before = old.references.partition_point(|r| r.start_byte < a);
    let refs_after = old.references.partition_point(|r| r.start_byte < b_old);
    if old.references[..refs_before].iter().any(|r| r.end_byte > a)
        || old.references[refs_before..refs_after]
            .iter()
            .any(|r| r.end_byte > b_old)
    {
        return None;
    }

    // The line shift of everything after the region, from its first old definition or
    // reference (all of them move by the same number of lines).
    let first_after = old
        .definitions
        .get(after)
        .map(|d| (d.start_byte, d.start_line))
        .into_iter()
        .chain(
            old.references
                .get(refs_after)
                .map(|r| (r.start_byte, r.line)),
        )
        .min();
    let line_shift = match first_after {
        Some((byte, line)) => {
            let new_byte = (byte as isize + shift) as usize;
            line_of(source, new_byte) as i64 - i64::from(line)
        }
        None => 0,
    };
    let moved = |byte: usize| (byte as isize + shift) as usize;
    let moved_line = |line: u32| (i64::from(line) + line_shift) as u32;

    let kept_before = before;
    let region_defs = sub.definitions.len();
    let removed = after - before;
    let reindex = |i: usize| -> Option<usize> {
        if i < kept_before {
            Some(i)
        } else if i >= after {
            Some(i - removed + region_defs)
        } else {
            None
        }
    };

    let mut definitions = Vec::with_capacity(before + region_defs + old.definitions.len() - after);
    definitions.extend(old.definitions[..before].iter().cloned());
    definitions.extend(sub.definitions.into_iter().map(|mut d| {
        d.parent = d.parent.map(|p| p + kept_before);
        d
    }));
    for d in &old.definitions[after..] {
        let mut d = d.clone();
        d.start_byte = moved(d.start_byte);
        d.end_byte = moved(d.end_byte);
        d.start_line = moved_line(d.start_line);
        d.end_line = moved_line(d.end_line);
        d.parent = match d.parent {
            Some(p) => Some(reindex(p)?),
            None => None,
        };
        definitions.push(d);
    }

    let mut references = Vec::with_capacity(old.references.len() + sub.references.len());
    for r in &old.references[..refs_before] {
        let mut r = r.clone();
        r.enclosing = match r.enclosing {
            Some(e) => Some(reindex(e)?),
            None => None,
        };
        references.push(r);
    }
    references.extend(sub.references.into_iter().map(|mut r| {
        r.enclosing = r.enclosing.map(|e| e + kept_before);
        r
    }));
    for r in &old.references[refs_after..] {
        let mut r = r.clone();
        r.start_byte = moved(r.start_byte);
        r.end_byte = moved(r.end_byte);
        r.line = moved_line(r.line);
        r.enclosing = match r.enclosing {
            Some(e) => Some(reindex(e)?),
            None => None,
        };
        references.push(r);
    }
    Some(FileSymbols {
        definitions,
        references,
        has_export_list: false,
    })
}

/// The byte range of the root's children that touch `lo..hi`, extended over the definition an
/// attribute among them belongs to (the language's `AttributeRules`: a Rust `#[test]` is a
/// sibling of its function); `lo..hi` itself when no child touches it.
fn top_level_region(language: Language, tree: &Tree, lo: usize, hi: usize) -> Range<usize> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let children: Vec<_> = root.children(&mut cursor).collect();
    let first = children.partition_point(|c| c.end_byte() < lo);
    let mut last = children.partition_point(|c| c.start_byte() <= hi);
    if first >= last {
        return lo..hi;
    }
    let attributes = &symbol_rules(language).attributes;
    while last < children.len() {
        let kind = children[last - 1].kind();
        if !attributes.kinds.contains(&kind) && !attributes.skip.contains(&kind) {
            break;
        }
        last += 1;
    }
    children[first].start_byte().min(lo)..children[last - 1].end_byte().max(hi)
}

/// The 1-based line of byte `at`.
fn line_of(source: &str, at: usize) -> usize {
    source.as_bytes()[..at.min(source.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
