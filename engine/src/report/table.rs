//! The default format: an aligned table of the worst functions, then a summary line.

use std::io::Write;
use std::time::Duration;

use super::{FunctionReport, Report};

/// Column headers of the numeric columns, in order.
const NUMERIC: [&str; 5] = ["cyc", "cog", "nest", "loc", "params"];

/// Writes the `top` worst functions (by cognitive, then cyclomatic complexity; 0 = all) and a
/// summary line.
pub fn write(
    out: &mut impl Write,
    report: &Report,
    top: usize,
    elapsed: Duration,
) -> std::io::Result<()> {
    let mut rows: Vec<(&str, &FunctionReport)> = report
        .files
        .iter()
        .flat_map(|f| f.functions.iter().map(move |func| (f.path.as_str(), func)))
        .collect();
    rows.sort_by(|(pa, a), (pb, b)| {
        (b.cognitive, b.cyclomatic)
            .cmp(&(a.cognitive, a.cyclomatic))
            .then_with(|| (pa, a.start_line, a.start_byte).cmp(&(pb, b.start_line, b.start_byte)))
    });
    if top > 0 {
        rows.truncate(top);
    }

    if rows.is_empty() {
        writeln!(out, "no functions found")?;
    } else {
        let cells: Vec<(String, &str, [u32; 5])> = rows
            .iter()
            .map(|(path, f)| {
                let nums = [f.cyclomatic, f.cognitive, f.max_nesting, f.loc, f.params];
                (
                    format!("{path}:{}", f.start_line),
                    f.qualified_name.as_str(),
                    nums,
                )
            })
            .collect();
        let loc_w = cells
            .iter()
            .map(|c| c.0.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        let name_w = cells
            .iter()
            .map(|c| c.1.chars().count())
            .max()
            .unwrap_or(0)
            .max(8);
        let num_w: Vec<usize> = (0..5)
            .map(|i| {
                let widest = cells
                    .iter()
                    .map(|c| c.2[i].to_string().len())
                    .max()
                    .unwrap_or(0);
                widest.max(NUMERIC[i].len())
            })
            .collect();

        write!(out, "{:<loc_w$}  {:<name_w$}", "location", "function")?;
        for (h, w) in NUMERIC.iter().zip(&num_w) {
            write!(out, "  {h:>w$}")?;
        }
        writeln!(out)?;
        for (location, name, nums) in &cells {
            write!(out, "{location:<loc_w$}  {name:<name_w$}")?;
            for (n, w) in nums.iter().zip(&num_w) {
                write!(out, "  {n:>w$}")?;
            }
            writeln!(out)?;
        }
    }

    let s = &report.summary;
    writeln!(out)?;
    writeln!(
        out,
        "{} analysed, {}, {}, {} skipped, {} with syntax errors, {} in {:.2} s",
        plural(s.files, "file"),
        plural(s.functions, "function"),
        plural(s.dead_symbols, "dead symbol"),
        s.skipped,
        plural(s.files_with_parse_errors, "file"),
        plural(s.diagnostics, "warning"),
        elapsed.as_secs_f64(),
    )
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
