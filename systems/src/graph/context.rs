//! The context brief of one symbol (docs/graph.md, "Queries"): what an LLM needs to work on it
//! (its signature and doc, metrics, callers and callees, the types it uses, what it implements,
//! its implementors and members) trimmed to a token budget, as human text or JSON.
//!
//! Tokens are estimated as ⌈characters / 4⌉ of the rendering. Sections are added in priority
//! order ([`SECTIONS`] after the identity line, the signature, the doc and the metrics), each
//! as far as it fits: a text is cut with `…`, a list keeps its first items (surest edges first)
//! and says how many more there are. The rendering never exceeds the budget; when even the
//! identity line does not fit, [`context`] says how many tokens it needs.

use std::fmt::Write as _;

use super::json::JsonWriter;
use super::query::{self, Item, Neighbor, SymbolInfo};
use super::{Confidence, SymbolGraph, SymbolId};

/// What the graph does not hold, filled by the engine: the doc comment (read from the file's
/// text, [`super::doc_comment_above`]) and the metrics, as name/value pairs in display order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContextExtras {
    pub doc: Option<String>,
    pub metrics: Vec<(String, String)>,
}

/// The rendering a budget applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// The estimated token count of a text: ⌈characters / 4⌉ (Unicode scalar values).
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// The list sections, in priority order (after signature, doc and metrics). Empty ones are
/// left out, except callers and callees (having none says something: unused, a leaf).
pub const SECTIONS: [&str; 6] = [
    "callers",
    "callees",
    "types",
    "implements",
    "implementors",
    "members",
];

/// A list of the brief: the items shown and how many were left out for the budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown<T> {
    pub items: Vec<T>,
    pub omitted: usize,
}

/// One list section of the brief.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// One of [`SECTIONS`].
    pub name: &'static str,
    pub list: Shown<Item>,
}

/// The brief of one symbol, as trimmed for its format and budget. A part left out entirely
/// for the budget is `None` (or absent from `sections`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    pub format: Format,
    pub budget_tokens: Option<usize>,
    pub symbol: SymbolInfo,
    /// Ends with `…` when cut.
    pub signature: Option<String>,
    /// Ends with `…` when cut.
    pub doc: Option<String>,
    pub metrics: Option<Shown<(String, String)>>,
    pub sections: Vec<Section>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ContextError {
    #[error("a budget of {budget} tokens cannot hold the symbol's identity ({needed} tokens)")]
    BudgetTooSmall { budget: usize, needed: usize },
}

/// Everything the brief could show, before trimming.
struct Full {
    symbol: SymbolInfo,
    signature: String,
    doc: String,
    metrics: Vec<(String, String)>,
    lists: Vec<(&'static str, Vec<Item>)>,
}

/// How much of each part is shown: `None` left out; text parts in characters, lists in items.
#[derive(Clone, Debug)]
struct Caps {
    signature: Option<usize>,
    doc: Option<usize>,
    metrics: Option<usize>,
    lists: Vec<Option<usize>>,
}

/// The brief of `id` for `format`, trimmed to `budget` tokens (`None`: everything).
pub fn context(
    graph: &SymbolGraph,
    id: SymbolId,
    extras: ContextExtras,
    format: Format,
    budget: Option<usize>,
) -> Result<Context, ContextError> {
    let all = Confidence::NameOnly;
    let surest_first = |mut list: Vec<Neighbor>| -> Vec<Item> {
        // Stable: within a confidence, file and line order stays.
        list.sort_by_key(|n| n.confidence);
        list.iter()
            .map(|n| Item {
                symbol: SymbolInfo::of(graph, n.id),
                kind: n.kind,
                confidence: n.confidence,
                distance: n.distance,
            })
            .collect()
    };
    let lists = SECTIONS
        .iter()
        .map(|name| {
            let list = match *name {
                "callers" => query::callers(graph, id, all),
                "callees" => query::callees(graph, id, all),
                "types" => query::used_types(graph, id, all),
                "implements" => query::implemented(graph, id, all),
                "implementors" => query::what_implements(graph, id, false, all),
                "members" => query::members(graph, id),
                _ => unreachable!("SECTIONS"),
            };
            (*name, surest_first(list))
        })
        // No callers or callees is worth saying (dead code, a leaf); other empty lists are not.
        .filter(|(name, list)| !list.is_empty() || matches!(*name, "callers" | "callees"))
        .collect();
    let full = Full {
        symbol: SymbolInfo::of(graph, id),
        signature: graph
            .definition(id)
            .map(|d| d.signature.clone())
            .unwrap_or_default(),
        doc: extras.doc.unwrap_or_default(),
        metrics: extras.metrics,
        lists,
    };
    fit(&full, format, budget)
}

fn fit(full: &Full, format: Format, budget: Option<usize>) -> Result<Context, ContextError> {
    let present = |n: usize| (n > 0).then_some(n);
    let everything = Caps {
        signature: present(full.signature.chars().count()),
        doc: present(full.doc.chars().count()),
        metrics: present(full.metrics.len()),
        lists: full.lists.iter().map(|(_, l)| Some(l.len())).collect(),
    };
    let Some(budget) = budget else {
        return Ok(shape(full, &everything, format, None));
    };
    let tokens = |caps: &Caps| estimate_tokens(&shape(full, caps, format, Some(budget)).render());
    let mut caps = Caps {
        signature: None,
        doc: None,
        metrics: None,
        lists: vec![None; full.lists.len()],
    };
    let needed = tokens(&caps);
    if needed > budget {
        return Err(ContextError::BudgetTooSmall { budget, needed });
    }
    // Each part in priority order: whole if it fits, else the most of it that fits (texts at
    // least one character, metrics at least one, lists at least the "N more" note), else left
    // out.
    let parts = 3 + full.lists.len();
    for part in 0..parts {
        let (len, min) = match part {
            0 => (full.signature.chars().count(), 1),
            1 => (full.doc.chars().count(), 1),
            2 => (full.metrics.len(), 1),
            i => (full.lists[i - 3].1.len(), 0),
        };
        if part < 3 && len == 0 {
            continue;
        }
        let set = |caps: &mut Caps, k: Option<usize>| match part {
            0 => caps.signature = k,
            1 => caps.doc = k,
            2 => caps.metrics = k,
            i => caps.lists[i - 3] = k,
        };
        set(&mut caps, Some(len));
        if tokens(&caps) <= budget {
            continue;
        }
        // The largest k in [min, len) that fits, when `min` does.
        set(&mut caps, Some(min));
        if min >= len || tokens(&caps) > budget {
            set(&mut caps, None);
            continue;
        }
        let (mut fits, mut too_big) = (min, len);
        while too_big - fits > 1 {
            let mid = fits + (too_big - fits) / 2;
            set(&mut caps, Some(mid));
            if tokens(&caps) <= budget {
                fits = mid;
            } else {
                too_big = mid;
            }
        }
        set(&mut caps, Some(fits));
    }
    Ok(shape(full, &caps, format, Some(budget)))
}

/// The first `k` characters of `text`, with `…` when that is not all of it.
fn cut(text: &str, k: usize) -> String {
    match text.char_indices().nth(k) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn shown<T: Clone>(all: &[T], k: usize) -> Shown<T> {
    let k = k.min(all.len());
    Shown {
        items: all[..k].to_vec(),
        omitted: all.len() - k,
    }
}

fn shape(full: &Full, caps: &Caps, format: Format, budget: Option<usize>) -> Context {
    Context {
        format,
        budget_tokens: budget,
        symbol: full.symbol.clone(),
        signature: caps.signature.map(|k| cut(&full.signature, k)),
        doc: caps.doc.map(|k| cut(&full.doc, k)),
        metrics: caps.metrics.map(|k| shown(&full.metrics, k)),
        sections: full
            .lists
            .iter()
            .zip(&caps.lists)
            .filter_map(|((name, list), cap)| {
                cap.map(|k| Section {
                    name,
                    list: shown(list, k),
                })
            })
            .collect(),
    }
}

impl Context {
    /// The rendering in the brief's format (the one its budget was applied to).
    pub fn render(&self) -> String {
        match self.format {
            Format::Text => self.render_text(),
            Format::Json => self.render_json(),
        }
    }

    /// The estimated tokens of [`Context::render`].
    pub fn tokens(&self) -> usize {
        estimate_tokens(&self.render())
    }

    fn render_text(&self) -> String {
        let s = &self.symbol;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} {} (lines {}-{}, {})",
            s.kind.name(),
            s.label(),
            s.start_line,
            s.end_line,
            s.visibility.name()
        );
        if let Some(sig) = &self.signature {
            let _ = writeln!(out, "signature: {sig}");
        }
        if let Some(doc) = &self.doc {
            let _ = writeln!(out, "doc:");
            for line in doc.lines() {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "  {line}");
                }
            }
        }
        if let Some(m) = &self.metrics {
            let _ = write!(out, "metrics:");
            for (name, value) in &m.items {
                let _ = write!(out, " {name}={value}");
            }
            if m.omitted > 0 {
                let _ = write!(out, " … {} more", m.omitted);
            }
            out.push('\n');
        }
        for section in &self.sections {
            let list = &section.list;
            let total = list.items.len() + list.omitted;
            if total == 0 {
                let _ = writeln!(out, "{}: none", section.name);
                continue;
            }
            let _ = writeln!(out, "{} ({total}):", section.name);
            for item in &list.items {
                let _ = writeln!(
                    out,
                    "  {} {} {}",
                    item.symbol.label(),
                    item.symbol.kind.name(),
                    item.confidence.name()
                );
            }
            if list.omitted > 0 {
                let _ = writeln!(out, "  … {} more", list.omitted);
            }
        }
        out
    }

    fn render_json(&self) -> String {
        let s = &self.symbol;
        let mut w = JsonWriter::new();
        w.begin_object()
            .key("symbol")
            .begin_object()
            .field("label", &s.label())
            .field("kind", s.kind.name())
            .field("visibility", s.visibility.name())
            .field_number("start_line", s.start_line.into())
            .field_number("end_line", s.end_line.into())
            .end_object();
        if let Some(sig) = &self.signature {
            w.field("signature", sig);
        }
        if let Some(doc) = &self.doc {
            w.field("doc", doc);
        }
        if let Some(m) = &self.metrics {
            w.key("metrics").begin_object();
            for (name, value) in &m.items {
                w.field(name, value);
            }
            w.end_object();
            if m.omitted > 0 {
                w.field_number("metrics_omitted", m.omitted as u64);
            }
        }
        for section in &self.sections {
            w.key(section.name).begin_array();
            for item in &section.list.items {
                w.begin_object()
                    .field("symbol", &item.symbol.label())
                    .field("kind", item.symbol.kind.name())
                    .field("confidence", item.confidence.name())
                    .end_object();
            }
            w.end_array();
            if section.list.omitted > 0 {
                w.field_number(
                    &format!("{}_omitted", section.name),
                    section.list.omitted as u64,
                );
            }
        }
        w.end_object();
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_a_quarter_of_the_characters_rounded_up() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(estimate_tokens("ééééé"), 2);
    }

    #[test]
    fn cut_texts_end_with_an_ellipsis() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abc", 2), "ab…");
        assert_eq!(cut("éèê", 1), "é…");
    }
}
