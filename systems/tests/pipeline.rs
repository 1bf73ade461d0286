//! The ECS pipeline on in-memory files: parse → measure → aggregate, and a re-run
//! after a change keeps function entities and marks only the metric rows that changed.

use std::sync::Arc;

use bevy_ecs::prelude::*;
use codepulse_components::{
    Cognitive, Cyclomatic, FileFunctions, FilePath, FileTotals, FunctionKey, FunctionName,
    FunctionOf, Lang, Language, MaxNesting, ParseErrors, SourceText,
};
use codepulse_systems::{aggregate_files, measure_functions, parse_files};

fn schedule() -> Schedule {
    let mut schedule = Schedule::default();
    schedule.set_executor(bevy_ecs::schedule::SingleThreadedExecutor::new());
    schedule.add_systems((parse_files, measure_functions, aggregate_files).chain());
    schedule
}

fn world_with(files: &[(&str, Language, &str)]) -> (World, Vec<Entity>) {
    bevy_tasks::ComputeTaskPool::get_or_init(bevy_tasks::TaskPool::default);
    let mut world = World::new();
    let entities = files
        .iter()
        .map(|(path, lang, text)| {
            world
                .spawn((
                    FilePath {
                        absolute: path.into(),
                        relative: (*path).into(),
                    },
                    Lang(*lang),
                    SourceText(Arc::from(*text)),
                ))
                .id()
        })
        .collect();
    (world, entities)
}

fn functions_of(world: &mut World, file: Entity) -> Vec<(String, Entity, u32, u32)> {
    let mut q = world.query::<(Entity, &FunctionOf, &FunctionName, &Cyclomatic, &Cognitive)>();
    let mut rows: Vec<_> = q
        .iter(world)
        .filter(|(_, of, ..)| of.0 == file)
        .map(|(e, _, name, cyc, cog)| (name.qualified.to_string(), e, cyc.0, cog.0))
        .collect();
    rows.sort();
    rows
}

#[test]
fn cold_pass_fills_every_column_and_file_totals() {
    let (mut world, files) = world_with(&[
        (
            "a.rs",
            Language::Rust,
            "fn a(x: bool) { if x {} }\nfn b() {}\n",
        ),
        (
            "b.py",
            Language::Python,
            "def f(a):\n    return a and b or c\n",
        ),
        ("broken.c", Language::C, "int f( { if (x) }\n"),
    ]);
    schedule().run(&mut world);

    let rust = functions_of(&mut world, files[0]);
    assert_eq!(
        rust.iter()
            .map(|r| (r.0.as_str(), r.2, r.3))
            .collect::<Vec<_>>(),
        [("a", 2, 1), ("b", 1, 0)]
    );
    let py = functions_of(&mut world, files[1]);
    assert_eq!(
        py.iter()
            .map(|r| (r.0.as_str(), r.2, r.3))
            .collect::<Vec<_>>(),
        [("f", 3, 2)]
    );

    let totals = world.get::<FileTotals>(files[0]).copied().expect("totals");
    assert_eq!(
        totals,
        FileTotals {
            functions: 2,
            cyclomatic_sum: 3,
            cyclomatic_max: 2,
            cognitive_sum: 1,
            cognitive_max: 1,
            max_nesting: 1,
            function_loc_sum: 2,
            lines: 2
        }
    );
    assert_eq!(world.get::<ParseErrors>(files[0]), Some(&ParseErrors(0)));
    assert!(
        world.get::<ParseErrors>(files[2]).expect("parsed").0 > 0,
        "syntax errors are counted"
    );
    assert!(
        world.get::<FileTotals>(files[2]).is_some(),
        "a file with syntax errors is still measured"
    );
}

#[derive(Resource, Default)]
struct Seen(Vec<String>);

type MetricChanged = Or<(Changed<Cyclomatic>, Changed<Cognitive>, Changed<MaxNesting>)>;

fn record_changed(q: Query<&FunctionName, MetricChanged>, mut seen: ResMut<Seen>) {
    seen.0 = q.iter().map(|n| n.qualified.to_string()).collect();
    seen.0.sort();
}

#[test]
fn rerun_keeps_entities_and_marks_only_changed_metric_rows() {
    let before = "fn a(x: bool) { if x {} }\nfn b(y: bool) { if y {} }\nfn c() {}\n";
    // `b` gains an `&&`; `a` and `c` are untouched (c moves).
    let after = "fn a(x: bool) { if x {} }\nfn b(y: bool) { if y && y {} }\nfn c() {}\nfn d() {}\n";
    let (mut world, files) = world_with(&[("a.rs", Language::Rust, before)]);
    world.init_resource::<Seen>();
    let mut schedule = schedule();
    schedule.add_systems(record_changed.after(aggregate_files));
    schedule.run(&mut world);
    let first = functions_of(&mut world, files[0]);
    assert_eq!(world.resource::<Seen>().0, ["a", "b", "c"]);

    world.get_mut::<SourceText>(files[0]).expect("text").0 = Arc::from(after);
    schedule.run(&mut world);
    let second = functions_of(&mut world, files[0]);
    assert_eq!(
        world.resource::<Seen>().0,
        ["b", "d"],
        "only b's metrics changed, d is new"
    );
    for (name, entity, ..) in &first {
        let kept = second.iter().find(|r| &r.0 == name).expect("still there");
        assert_eq!(kept.1, *entity, "{name} keeps its entity");
    }
    assert_eq!(
        second.iter().find(|r| r.0 == "b").map(|r| (r.2, r.3)),
        Some((3, 2))
    );

    // Removing a function despawns its entity and updates the file's relation.
    world.get_mut::<SourceText>(files[0]).expect("text").0 =
        Arc::from("fn a(x: bool) { if x {} }\n");
    schedule.run(&mut world);
    let third = functions_of(&mut world, files[0]);
    assert_eq!(third.len(), 1);
    assert_eq!(
        world
            .get::<FileFunctions>(files[0])
            .map(|f| f.entities().len()),
        Some(1)
    );
    let key = world.get::<FunctionKey>(third[0].1).expect("key").clone();
    assert_eq!((key.qualified.as_ref(), key.ordinal), ("a", 0));
    assert_eq!(
        world.get::<FileTotals>(files[0]).map(|t| t.functions),
        Some(1)
    );
}
