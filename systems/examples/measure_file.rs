//! Prints the functions of a file and their metrics, one a line, in the fixture annotation
//! format: `cargo run -p codepulse-systems --example measure_file -- FILE`.

use std::path::Path;

use codepulse_components::Language;
use codepulse_systems::analysis::analyze_source;

fn main() {
    let path = std::env::args().nth(1).expect("usage: measure_file FILE");
    let language = Language::from_path(Path::new(&path)).expect("unknown language");
    let source = std::fs::read_to_string(&path).expect("readable UTF-8 file");
    let report = analyze_source(language, &source);
    for f in &report.functions {
        println!(
            "{} line={} cyc={} cog={} nest={} loc={} params={}",
            f.qualified_name,
            f.start_line,
            f.cyclomatic,
            f.cognitive,
            f.max_nesting,
            f.loc,
            f.params
        );
    }
    if report.parse_errors > 0 {
        println!("parse errors: {}", report.parse_errors);
    }
}
