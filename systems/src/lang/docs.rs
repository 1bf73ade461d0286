//! The per-language node-kind tables of docs/metrics.md, generated from the [`LangTable`]s so
//! the documentation cannot drift from the data (a test compares them).

use std::fmt::Write as _;

use codepulse_components::Language;

use super::{CaseRule, LangTable, NameFrom, table};

fn list(kinds: &[&str]) -> String {
    if kinds.is_empty() {
        return "-".to_string();
    }
    // A `|` inside a table cell must be escaped, even in code.
    kinds
        .iter()
        .map(|k| format!("`{}`", k.replace('|', "\\|")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn row(out: &mut String, what: &str, value: String) {
    let _ = writeln!(out, "| {what} | {value} |");
}

fn language_section(out: &mut String, t: &LangTable) {
    let _ = writeln!(out, "### {}\n", t.language.name());
    let _ = writeln!(out, "| rule | node kinds |");
    let _ = writeln!(out, "| --- | --- |");
    let functions = t
        .functions
        .iter()
        .map(|f| {
            let name = match f.name {
                NameFrom::Field(field) => format!("name: `{field}`"),
                NameFrom::Declarator(d) => format!("name: innermost `{}`", d.function),
            };
            let receiver = f
                .receiver
                .map(|r| format!(", qualified by `{r}`"))
                .unwrap_or_default();
            format!("`{}` ({name}{receiver})", f.kind)
        })
        .collect::<Vec<_>>()
        .join(", ");
    row(out, "functions", functions);
    row(out, "closures/lambdas", list(t.lambdas));
    let bindings = t
        .bindings
        .iter()
        .map(|b| format!("`{}` (`{}` = `{}`)", b.parent, b.name, b.value))
        .collect::<Vec<_>>();
    row(
        out,
        "bound to a name by",
        if bindings.is_empty() {
            "-".into()
        } else {
            bindings.join(", ")
        },
    );
    let containers = t
        .containers
        .iter()
        .map(|c| format!("`{}`", c.kind))
        .collect::<Vec<_>>();
    row(
        out,
        "qualify names",
        if containers.is_empty() {
            "-".into()
        } else {
            containers.join(", ")
        },
    );
    row(out, "`if`", list(t.ifs));
    row(
        out,
        "`else` / `elif`",
        format!("{} / {}", list(t.else_clauses), list(t.elifs)),
    );
    row(out, "loops", list(t.loops));
    if !t.comprehension_clauses.is_empty() {
        row(out, "comprehension clauses", list(t.comprehension_clauses));
    }
    row(out, "switch / match", list(t.switches));
    let cases = t
        .cases
        .iter()
        .map(|c| match *c {
            CaseRule::Always(k) => format!("`{k}`"),
            CaseRule::DefaultWithoutField(k, f) => format!("`{k}` (default: no `{f}`)"),
            CaseRule::DefaultWhenFirst(k, tok) => format!("`{k}` (default: starts with `{tok}`)"),
            CaseRule::Wildcard(k) => format!("`{k}` (default: pattern `_`, no guard)"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    row(out, "counted cases", cases);
    row(out, "catch", list(t.catches));
    row(out, "conditional expression", list(t.ternaries));
    let mut ops: Vec<&str> = t.and_ops.to_vec();
    ops.extend(t.or_ops);
    row(
        out,
        "boolean operators",
        format!("{} in {}", list(&ops), list(t.logical_nodes)),
    );
    let mut cyc_only: Vec<&str> = t.cyclomatic_only_ops.to_vec();
    cyc_only.extend(t.cyclomatic_only_nodes);
    row(out, "cyclomatic only", list(&cyc_only));
    let jumps = t
        .jumps
        .iter()
        .map(|j| format!("`{}` with `{}`", j.kind, j.label))
        .collect::<Vec<_>>();
    let mut jumps_and_gotos: Vec<String> = t.gotos.iter().map(|g| format!("`{g}`")).collect();
    jumps_and_gotos.extend(jumps);
    row(
        out,
        "goto / labelled jumps",
        if jumps_and_gotos.is_empty() {
            "-".into()
        } else {
            jumps_and_gotos.join(", ")
        },
    );
    let calls = t
        .calls
        .iter()
        .map(|c| {
            format!(
                "`{}` (callee `{}`{})",
                c.kind,
                c.callee,
                c.receiver
                    .map(|r| format!(", receiver `{r}`"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    row(
        out,
        "calls (recursion)",
        format!("{calls}; own receivers: {}", list(t.self_receivers)),
    );
    row(out, "conditions (not nested)", list(t.unnested_fields));
    row(out, "not walked into", list(t.opaque));
    if !t.opaque_fields.is_empty() {
        let opaque = t
            .opaque_fields
            .iter()
            .map(|(k, f)| format!("`{k}.{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        row(out, "not measured", opaque);
    }
    out.push('\n');
}

/// The Markdown of every language's table, in [`Language::ALL`] order.
pub fn markdown_tables() -> String {
    let mut out = String::new();
    for language in Language::ALL {
        language_section(&mut out, table(language));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- node-kind tables: begin -->\n";
    const END: &str = "<!-- node-kind tables: end -->";

    /// docs/metrics.md holds the tables generated from the data. `UPDATE_DOCS=1 cargo test`
    /// rewrites them.
    #[test]
    fn docs_metrics_node_kind_tables_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/metrics.md");
        let doc = std::fs::read_to_string(&path).expect("docs/metrics.md");
        let (Some(begin), Some(end)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/metrics.md lacks the node-kind table markers");
        };
        let generated = markdown_tables();
        let current = &doc[begin + BEGIN.len()..end];
        if current != generated {
            if std::env::var_os("UPDATE_DOCS").is_some() {
                let updated = format!("{}{generated}{}", &doc[..begin + BEGIN.len()], &doc[end..]);
                std::fs::write(&path, updated).expect("write docs/metrics.md");
            } else {
                panic!(
                    "docs/metrics.md node-kind tables are stale: run `UPDATE_DOCS=1 cargo test -p codepulse-systems --lib`"
                );
            }
        }
    }
}
