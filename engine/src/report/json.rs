//! `--format json`: the whole report as one JSON document (see [`super::Report`]).

use std::io::Write;

use super::Report;

/// Writes the report as compact JSON followed by a newline.
pub fn write(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, report)?;
    writeln!(out)
}
