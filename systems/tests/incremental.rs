//! Property test of the incremental pipeline: after any sequence of edits applied through `apply_edits` → incremental
//! `parse_files` → `measure_functions`, the function rows equal a cold analysis of the final text.
//! Edits are random (seeded, so a failure names its seed) keystroke-like inserts and deletes,
//! including ones that break the syntax, inside the real code of the fixtures and bench samples.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, Diagnostics, FilePath, FunctionName, FunctionOf, FunctionSpan, Lang,
    Language, Loc, MaxNesting, Params, PendingEdits, SourceText, TextEdit,
};
use codepulse_systems::analysis::analyze_source;
use codepulse_systems::{apply_edits, measure_functions, parse_files};

const SNIPPETS: &[&str] = &[
    "a",
    " ",
    "\n",
    "x",
    "(",
    ")",
    "{",
    "}",
    ";",
    ":",
    "if (a) {",
    "if a:\n    ",
    " && b",
    " || c",
    "? 1 : 2",
    "for (;;) {",
    "while x {",
    "else ",
    "return 1;",
    "\"",
    "'",
    "//",
    "/*",
    "#",
    "fn f() {}",
    "def g():\n  pass\n",
    "function h() {}",
    "é",
    "λ",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A random edit on character boundaries of `text`.
fn random_edit(rng: &mut Rng, text: &str) -> TextEdit {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    let at = rng.below(boundaries.len());
    let start = boundaries[at];
    if rng.below(3) == 0 {
        let end = boundaries[(at + 1 + rng.below(8)).min(boundaries.len() - 1)];
        TextEdit {
            start,
            end,
            text: String::new(),
        }
    } else {
        TextEdit {
            start,
            end: start,
            text: SNIPPETS[rng.below(SNIPPETS.len())].to_string(),
        }
    }
}

type Row = (u32, String, u32, u32, u32, u32, u32, u32);

fn rows_of(world: &mut World) -> Vec<Row> {
    let mut q = world.query::<(
        &FunctionOf,
        &FunctionName,
        &FunctionSpan,
        &Cyclomatic,
        &Cognitive,
        &MaxNesting,
        &Loc,
        &Params,
    )>();
    let mut rows: Vec<Row> = q
        .iter(world)
        .map(|(_, n, s, c, g, m, l, p)| {
            (
                s.start_line,
                n.qualified.to_string(),
                s.end_line,
                c.0,
                g.0,
                m.0,
                l.0,
                p.0,
            )
        })
        .collect();
    rows.sort();
    rows
}

fn cold_rows(language: Language, text: &str) -> Vec<Row> {
    let mut rows: Vec<Row> = analyze_source(language, text)
        .functions
        .into_iter()
        .map(|f| {
            (
                f.start_line,
                f.qualified_name,
                f.end_line,
                f.cyclomatic,
                f.cognitive,
                f.max_nesting,
                f.loc,
                f.params,
            )
        })
        .collect();
    rows.sort();
    rows
}

fn sources() -> Vec<PathBuf> {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["tests/fixtures/metrics", "../benches/samples"]
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(base.join(d))
                .expect("dir")
                .map(|e| e.expect("entry").path())
        })
        .filter(|p| Language::from_path(p).is_some())
        .collect();
    files.sort();
    files
}

#[test]
fn incremental_state_equals_a_cold_analysis_after_random_edits() {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let files = sources();
    assert!(files.len() > 20);
    for (i, path) in files.iter().enumerate() {
        let language = Language::from_path(path).expect("language");
        let mut text = std::fs::read_to_string(path).expect("text");
        let seed = 0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1);
        let mut rng = Rng(seed);
        let mut world = World::new();
        world.init_resource::<Diagnostics>();
        let file = world
            .spawn((
                FilePath {
                    absolute: path.clone(),
                    relative: path.display().to_string().into(),
                },
                Lang(language),
                SourceText(Arc::from(text.as_str())),
            ))
            .id();
        let mut schedule = Schedule::default();
        schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
        schedule.add_systems((apply_edits, parse_files, measure_functions).chain());
        schedule.run(&mut world);
        for step in 0..12 {
            let batch: Vec<TextEdit> = (0..1 + rng.below(3))
                .scan(text.clone(), |t, _| {
                    let e = random_edit(&mut rng, t);
                    t.replace_range(e.start..e.end, &e.text);
                    Some(e)
                })
                .collect();
            text = codepulse_systems::apply_text_edits(&text, &batch)
                .expect("generated edits fit")
                .0;
            world.entity_mut(file).insert(PendingEdits(batch));
            schedule.run(&mut world);
            assert_eq!(
                &*world.get::<SourceText>(file).expect("text").0,
                text.as_str()
            );
            assert_eq!(
                rows_of(&mut world),
                cold_rows(language, &text),
                "{} (seed {seed:#x}), after step {step}",
                path.display()
            );
        }
    }
}

#[derive(Resource, Default)]
struct ChangedRows(Vec<String>);

type MetricChanged = Or<(
    Changed<Cyclomatic>,
    Changed<Cognitive>,
    Changed<MaxNesting>,
    Changed<Loc>,
    Changed<Params>,
)>;

fn record(q: Query<&FunctionName, MetricChanged>, mut seen: ResMut<ChangedRows>) {
    seen.0 = q.iter().map(|n| n.qualified.to_string()).collect();
    seen.0.sort();
}

/// After a one-character edit inside one function of a 50-function file, only that function's
/// metric rows are marked changed; an edit that changes no metric marks none.
#[test]
fn one_character_edit_marks_only_its_function() {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let text: String = (0..50)
        .map(|i| format!("fn f{i}(a: bool, b: bool) {{\n    if a {{ g(b); }}\n}}\n"))
        .collect();
    let mut world = World::new();
    world.init_resource::<Diagnostics>();
    world.init_resource::<ChangedRows>();
    let file = world
        .spawn((
            FilePath {
                absolute: "/w/a.rs".into(),
                relative: "a.rs".into(),
            },
            Lang(Language::Rust),
            SourceText(Arc::from(text.as_str())),
        ))
        .id();
    let mut schedule = Schedule::default();
    schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    schedule.add_systems((apply_edits, parse_files, measure_functions, record).chain());
    schedule.run(&mut world);
    assert_eq!(world.resource::<ChangedRows>().0.len(), 50);

    // `if a {` → `if !a {`: same metrics, nothing marked.
    let f25 = text.find("fn f25(").expect("f25");
    let cond = f25 + text[f25..].find("if a").expect("if") + 3;
    world.entity_mut(file).insert(PendingEdits(vec![TextEdit {
        start: cond,
        end: cond,
        text: "!".into(),
    }]));
    schedule.run(&mut world);
    assert_eq!(world.resource::<ChangedRows>().0, Vec::<String>::new());

    // `g(b)` → `g(b)?`: one character adds a decision point (Rust's `?`). The offset is in the
    // original text, shifted by the `!` inserted before it.
    let call = f25 + text[f25..].find("g(b)").expect("call") + "g(b)".len() + 1;
    world.entity_mut(file).insert(PendingEdits(vec![TextEdit {
        start: call,
        end: call,
        text: "?".into(),
    }]));
    schedule.run(&mut world);
    assert_eq!(world.resource::<ChangedRows>().0, ["f25"]);
}
