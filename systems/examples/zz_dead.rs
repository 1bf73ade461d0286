fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            if name == "target" || name.starts_with('.') || name == "fixtures" || name == "samples"
            {
                continue;
            }
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let mut paths = Vec::new();
    walk(&root, &mut paths);
    paths.sort();
    let files: Vec<_> = paths
        .into_iter()
        .filter_map(|p| {
            let language = codepulse_components::Language::from_path(&p)?;
            let source = std::fs::read_to_string(&p).ok()?;
            let tree = codepulse_systems::analysis::parse_source(language, &source);
            let rel = p.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            Some((
                rel,
                language,
                codepulse_systems::graph::extract_symbols(language, &tree, &source),
            ))
        })
        .collect();
    let graph = codepulse_systems::graph::SymbolGraph::build(files);
    for path in graph.paths() {
        for id in codepulse_systems::graph::dead_in_file(&graph, path) {
            let s = graph.symbol(id).unwrap();
            println!(
                "{path}:{} {} {}",
                s.start_line,
                s.kind.name(),
                s.qualified_name
            );
        }
    }
}
