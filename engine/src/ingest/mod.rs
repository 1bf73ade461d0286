//! `codepulse ingest <DUMP>`: the files of a code dump ([`dump`], docs/ingest.md) analysed by
//! the same world and schedule as `analyze`, without discovery and without reading any file.
//!
//! A section becomes a file entity with its text already set, exactly as `load_sources` would
//! have set it from a file with the same bytes (the same size limit, binary check and lossy
//! decoding, [`codepulse_systems::load_bytes`]). The world has no [`DiscoveryRequest`] and no
//! [`ChurnRequest`] and no entity is ever [`PendingLoad`], so no system walks, reads or writes
//! the file system; [`FilePath::absolute`] of an ingested file is `dump:<name>`, a label that
//! nothing opens (the ring, which would use it, is not written by `ingest`).

pub mod dump;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Instant;

use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, ChurnRequest, Config, Diagnostics, DiscoveryRequest, FileFlags, FilePath,
    Lang, Progress, Skipped, SourceText,
};
use codepulse_systems::{Loaded, load_bytes, load_diagnostic};

use crate::UsageError;
use crate::cli::PassArgs;
use crate::config;
use crate::progress::ProgressLine;
use crate::report::{DiagnosticReport, Report};
use crate::world;

/// What [`FilePath::absolute`] of an ingested file starts with (followed by its name).
pub const ABSOLUTE_PREFIX: &str = "dump:";

/// The dump argument that means stdin.
pub const STDIN: &str = "-";

/// A dump analysed: the settled world and its schedule (ready for more ticks), and the dump's
/// problems.
pub struct Ingested {
    pub world: World,
    /// The schedule that settled `world`, for callers that run more ticks on it (queries over
    /// a dump); `ingest` itself only reports.
    #[allow(dead_code, reason = "ingest reports once; query commands tick on")]
    pub schedule: Schedule,
    /// Where the dump came from, as the reports name it: the absolute path of the dump file, or
    /// `<stdin>`.
    pub source: PathBuf,
    /// How the dump's problems name it (`DUMP` as given, or `<stdin>`), followed by `:<line>`.
    pub label: String,
    pub problems: Vec<dump::Problem>,
    /// The dump's bytes and its sections, for the texts of its files (`context` reads doc
    /// comments from them).
    pub bytes: Vec<u8>,
    pub sections: Vec<dump::Section>,
}

impl Ingested {
    /// The text of the file named `name` in the dump (the last section of that name, as in
    /// the analysis), decoded lossily.
    pub fn text(&self, name: &str) -> Option<String> {
        let section = self.sections.iter().rev().find(|s| s.name == name)?;
        let bytes = self.bytes.get(section.text.clone())?;
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

impl std::fmt::Debug for Ingested {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ingested")
            .field("source", &self.source)
            .field("label", &self.label)
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

impl Ingested {
    /// The dump's problems as report diagnostics: the path is `<label>:<line>`.
    pub fn diagnostics(&self) -> Vec<DiagnosticReport> {
        self.problems
            .iter()
            .map(|p| DiagnosticReport {
                path: format!("{}:{}", self.label, p.line),
                kind: p.kind.name(),
                message: p.kind.to_string(),
            })
            .collect()
    }

    /// The report of `analyze`, rooted at the dump, with the dump's problems first (in the
    /// order of their lines), then the files' diagnostics.
    pub fn report(&mut self) -> Report {
        let mut report = Report::collect(&mut self.world, &self.source);
        let problems = self.diagnostics();
        report.diagnostics.splice(0..0, problems);
        report.summary.diagnostics = report.diagnostics.len();
        report
    }
}

/// Reads the dump at `path` (`-`: stdin), builds the world of its files with `pass`'s options
/// and runs the analysis until it is settled. A dump that cannot be read and an invalid
/// `--config` are usage errors; everything wrong inside the dump is a problem of the result.
/// Without `--config` the configuration is the default one (no `codepulse.toml` is looked for).
pub fn world_from_dump(path: &Path, pass: &PassArgs) -> anyhow::Result<Ingested> {
    let started = Instant::now();
    let (bytes, source, label) = read_dump(path)?;
    let config = match &pass.config {
        Some(file) => {
            config::load(Path::new("."), Some(file))
                .map_err(|e| UsageError(e.to_string()))?
                .0
        }
        None => Config::default(),
    };
    let settings = pass.settings(source.clone(), &config);
    let parsed = dump::parse(&bytes);

    let (mut world, mut schedule, progress) = crate::new_pass(settings.clone(), config, pass);
    world.remove_resource::<DiscoveryRequest>();
    world.remove_resource::<ChurnRequest>();
    let line = ProgressLine::start(progress.clone(), started);
    run_sections(
        &mut world,
        &mut schedule,
        &settings,
        &progress,
        &bytes,
        &parsed.sections,
    );
    line.finish();
    Ok(Ingested {
        world,
        schedule,
        source,
        label,
        problems: parsed.problems,
        sections: parsed.sections,
        bytes,
    })
}

/// Spawns the sections of enabled languages (a disabled language is skipped silently, as
/// discovery does) a tick's byte budget at a time, running a tick after each batch, so only one
/// batch of texts and trees is in memory at once, as in `analyze`.
fn run_sections(
    world: &mut World,
    schedule: &mut Schedule,
    settings: &AnalysisSettings,
    progress: &Progress,
    bytes: &[u8],
    sections: &[dump::Section],
) {
    let budget = settings.load_batch_bytes.max(1);
    let mut taken = 0;
    let enabled = sections
        .iter()
        .filter(|s| settings.languages.contains(&s.language));
    for section in enabled {
        let text = &bytes[section.text.clone()];
        spawn_section(world, section, load_bytes(text, settings.max_file_size));
        progress.discovered.fetch_add(1, Ordering::Relaxed);
        progress.loaded.fetch_add(1, Ordering::Relaxed);
        taken += text.len() as u64;
        if taken >= budget {
            world::run_until_settled(world, schedule);
            taken = 0;
        }
    }
    world::run_until_settled(world, schedule);
}

/// Spawns one section's file entity, as `load_sources` would leave a file loaded from disk.
fn spawn_section(world: &mut World, section: &dump::Section, loaded: Loaded) {
    if let Some(diagnostic) = load_diagnostic(&loaded, &section.name) {
        world.resource_mut::<Diagnostics>().0.push(diagnostic);
    }
    let path = FilePath {
        absolute: PathBuf::from(format!("{ABSOLUTE_PREFIX}{}", section.name)),
        relative: section.name.as_str().into(),
    };
    let lang = Lang(section.language);
    match loaded {
        Loaded::Text { text, lossy } => {
            let flags = FileFlags(if lossy { FileFlags::LOSSY_UTF8 } else { 0 });
            world.spawn((path, lang, SourceText(text), flags));
        }
        Loaded::Skip(reason) => {
            world.spawn((path, lang, Skipped(reason)));
        }
    }
}

/// The dump's bytes, where it came from (for the report's root) and its label (for the
/// problems). A missing dump, a directory and a read error are usage errors.
fn read_dump(path: &Path) -> anyhow::Result<(Vec<u8>, PathBuf, String)> {
    if path.as_os_str() == STDIN {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| UsageError(format!("cannot read the dump from stdin: {e}")))?;
        return Ok((bytes, PathBuf::from("<stdin>"), "<stdin>".to_owned()));
    }
    let cannot =
        |why: String| UsageError(format!("cannot read the dump `{}`: {why}", path.display()));
    let meta = std::fs::metadata(path).map_err(|e| cannot(e.to_string()))?;
    if meta.is_dir() {
        return Err(cannot("it is a directory (a dump is one file)".to_owned()).into());
    }
    let bytes = std::fs::read(path).map_err(|e| cannot(e.to_string()))?;
    let source = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    Ok((bytes, source, path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use codepulse_components::{PendingLoad, SourceText};

    use super::*;

    fn ingest(dump: &[u8], pass: &PassArgs) -> Ingested {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), dump).unwrap();
        world_from_dump(file.path(), pass).unwrap()
    }

    /// Every section is analysed in memory: no discovery, no churn, nothing pending a load, and
    /// every file is named by the dump, never by a path on disk.
    #[test]
    fn ingested_files_never_touch_the_file_system() {
        let pass = PassArgs {
            threads: Some(1.try_into().unwrap()),
            batch_bytes: 8, // a tick per section
            ..PassArgs::default()
        };
        let mut ingested = ingest(
            b"FILE: a.rs\nfn a(x: bool) { if x {} }\nFILE: ../b.rs\nfn b() {}\nFILE: c.py\ndef c():\n    pass\n",
            &pass,
        );
        let world = &mut ingested.world;
        assert!(!world.contains_resource::<DiscoveryRequest>());
        assert!(!world.contains_resource::<ChurnRequest>());
        assert_eq!(
            world
                .query_filtered::<(), With<PendingLoad>>()
                .iter(world)
                .count(),
            0
        );
        let mut paths: Vec<(String, String)> = world
            .query::<&FilePath>()
            .iter(world)
            .map(|p| (p.absolute.display().to_string(), p.relative.to_string()))
            .collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                ("dump:a.rs".to_owned(), "a.rs".to_owned()),
                ("dump:c.py".to_owned(), "c.py".to_owned()),
            ]
        );
        // Measured and evicted like a cold pass.
        assert_eq!(
            world.query::<&SourceText>().iter(world).count(),
            0,
            "texts are dropped after their tick"
        );
        let report = ingested.report();
        let functions: Vec<(&str, &str, u32)> = report
            .files
            .iter()
            .flat_map(|f| {
                f.functions
                    .iter()
                    .map(move |g| (f.path.as_str(), g.qualified_name.as_str(), g.cyclomatic))
            })
            .collect();
        assert_eq!(functions, [("a.rs", "a", 2), ("c.py", "c", 1)]);
        assert_eq!(report.diagnostics.len(), 1);
        assert_eq!(report.diagnostics[0].kind, "dump-path");
        assert!(report.diagnostics[0].path.ends_with(":3"));
        assert_eq!(report.summary.diagnostics, 1);
    }

    /// Binary, oversized and lossy sections are skipped or flagged as files on disk are.
    #[test]
    fn sections_load_by_the_rules_of_files() {
        let pass = PassArgs {
            threads: Some(1.try_into().unwrap()),
            max_file_size: 20,
            ..PassArgs::default()
        };
        let mut ingested = ingest(
            b"FILE: bin.rs\nfn\0x\nFILE: big.rs\nfn big() { /* long enough */ }\nFILE: lossy.rs\n// \xff\nfn f() {}\n",
            &pass,
        );
        let report = ingested.report();
        let skipped: Vec<(&str, &str)> = report
            .skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason))
            .collect();
        assert_eq!(skipped, [("big.rs", "too-large"), ("bin.rs", "binary")]);
        let files: Vec<(&str, bool, usize)> = report
            .files
            .iter()
            .map(|f| (f.path.as_str(), f.lossy_utf8, f.functions.len()))
            .collect();
        assert_eq!(files, [("lossy.rs", true, 1)]);
        let kinds: Vec<(&str, &str)> = report
            .diagnostics
            .iter()
            .map(|d| (d.path.as_str(), d.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("big.rs", "too-large"),
                ("bin.rs", "binary"),
                ("lossy.rs", "lossy-utf8")
            ]
        );
    }

    /// Languages the configuration disables are skipped silently, as discovery skips them.
    #[test]
    fn disabled_languages_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("c.toml");
        std::fs::write(&config, "[languages.python]\nenabled = false\n").unwrap();
        let pass = PassArgs {
            threads: Some(1.try_into().unwrap()),
            config: Some(config),
            ..PassArgs::default()
        };
        let mut ingested = ingest(b"FILE: a.py\ndef a(): pass\nFILE: b.rs\nfn b() {}\n", &pass);
        let report = ingested.report();
        let files: Vec<&str> = report.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, ["b.rs"]);
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    }
}
