fn main() {
    let path = std::env::args().nth(1).unwrap();
    let language = codepulse_components::Language::from_path(std::path::Path::new(&path)).unwrap();
    let source = std::fs::read_to_string(&path).unwrap();
    let tree = codepulse_systems::analysis::parse_source(language, &source);
    print!(
        "{}",
        codepulse_systems::graph::extract_symbols(language, &tree, &source).render()
    );
}
