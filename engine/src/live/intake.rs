//! Turning inputs into changes of the world, one batch per tick. Every input is validated before
//! anything is changed: a rejected message leaves the world exactly as it was, and the other
//! messages of the batch go on. Accepted changes are staged per file (so all of a file's edits
//! in a tick make one [`PendingEdits`] list and one reparse) and written to the world by
//! [`Intake::flush`] just before the schedule runs.
//!
//! The documents an editor has open are the editor's text, not the disk's: file-system changes
//! to them are ignored until they are closed. A file the engine holds in memory (open, or
//! recently edited and still in the cache) that changes on disk becomes one edit (the changed
//! middle between the common prefix and suffix), so it is reparsed incrementally; a cold file is
//! re-read (`PendingLoad`).

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use bevy_ecs::prelude::*;
use codepulse_components::{
    AnalysisSettings, Churn, Config, FileFlags, FilePath, Lang, Language, OpenDocument,
    PendingEdits, PendingLoad, PendingRemoval, Recency, Skipped, SourceCache, SourceText, TextEdit,
    TreeEdited,
};
use codepulse_systems::{Loaded, discoverable, load_file};
use hashbrown::HashMap;
use serde_json::{Map, Value};

use super::input::{ClientId, FileChange, Input, Replies};
use super::protocol::{self, Envelope, Id, Request};
use super::stats::Stats;

/// A reply waiting for the end of the tick.
#[derive(Debug)]
pub enum Reply {
    Line(String),
    Stats(Option<Id>),
    /// A `query` or `context`, answered from the graph after the tick.
    Graph(Option<Id>, Request),
}

/// What the next tick must do to one file.
#[derive(Debug, Default)]
struct Touch {
    /// New text: edits to the resident text, or a whole new text where none is resident.
    text: Option<Staged>,
    /// Re-read the file from disk.
    reload: bool,
    /// `Some(Some(v))`: open at version `v`; `Some(None)`: closed.
    open: Option<Option<u32>>,
    /// Edits to count in the file's churn (saves and changes on disk).
    churn: u32,
    /// The file is gone: despawn it (and emit `Cleared`).
    remove: bool,
}

#[derive(Debug)]
struct Staged {
    text: String,
    edits: Vec<TextEdit>,
    /// No text was resident: `text` replaces it whole (a cold parse).
    fresh: bool,
}

/// The engine-side state of the tick loop's intake (see the module documentation).
#[derive(Debug)]
pub struct Intake {
    settings: AnalysisSettings,
    /// `--config`, if given (else `codepulse.toml` at the root).
    config_file: Option<PathBuf>,
    /// Relative path → file entity, for every file the world holds.
    index: HashMap<Box<str>, Entity>,
    /// Which client opened each open document (closed when it disconnects).
    owners: HashMap<Entity, ClientId>,
    touched: HashMap<Entity, Touch>,
    /// Replies to send when the tick is done, in arrival order.
    pub replies: Vec<(Replies, Reply)>,
    /// Arrival instants of the inputs the coming tick handles (for the latency histogram).
    pub handled: Vec<Instant>,
    /// Set when a shutdown was requested (the reason).
    pub shutdown: Option<&'static str>,
    /// A new configuration to install before the tick.
    config: Option<Config>,
}

impl Intake {
    /// Indexes the files of a warmed-up world.
    pub fn new(
        world: &mut World,
        settings: AnalysisSettings,
        config_file: Option<PathBuf>,
    ) -> Intake {
        let index = world
            .query::<(Entity, &FilePath)>()
            .iter(world)
            .map(|(e, p)| (p.relative.clone(), e))
            .collect();
        Intake {
            settings,
            config_file,
            index,
            owners: HashMap::new(),
            touched: HashMap::new(),
            replies: Vec::new(),
            handled: Vec::new(),
            shutdown: None,
            config: None,
        }
    }

    /// Files the engine knows.
    pub fn files(&self) -> usize {
        self.index.len()
    }

    /// Whether the coming tick has anything to change.
    pub fn has_work(&self) -> bool {
        !self.touched.is_empty() || self.config.is_some()
    }

    /// Takes one input: validates it, stages its changes, queues its reply.
    pub fn accept(&mut self, world: &mut World, input: Input, stats: &mut Stats) {
        match input {
            Input::Message {
                client,
                envelope,
                reply,
                at,
            } => self.message(world, client, envelope, reply, at, stats),
            Input::Malformed { rejection, reply } => {
                stats.rejected += 1;
                self.replies.push((reply, Reply::Line(rejection.reply())));
            }
            Input::Disconnected { client } => {
                let owned: Vec<Entity> = self
                    .owners
                    .iter()
                    .filter(|&(_, &c)| c == client)
                    .map(|(&e, _)| e)
                    .collect();
                for entity in owned {
                    self.close(world, entity);
                }
            }
            Input::Files { changes, at } => {
                stats.fs_batches += 1;
                for change in changes {
                    self.file_changed(world, &change);
                }
                self.handled.push(at);
            }
            Input::ConfigChanged { at } => {
                self.reload_config(world);
                self.handled.push(at);
            }
            Input::Shutdown { why } => self.shutdown = Some(why),
            // The loop answers scrapes itself, between ticks.
            Input::Scrape { .. } => {}
        }
    }

    fn message(
        &mut self,
        world: &mut World,
        client: ClientId,
        envelope: Envelope,
        reply: Replies,
        at: Instant,
        stats: &mut Stats,
    ) {
        let id = envelope.id;
        let op = envelope.request.op();
        if matches!(envelope.request, Request::Stats) {
            self.replies.push((reply, Reply::Stats(id)));
            return;
        }
        if matches!(
            envelope.request,
            Request::Query(_) | Request::Context { .. }
        ) {
            self.replies
                .push((reply, Reply::Graph(id, envelope.request)));
            return;
        }
        let tick = stats.ticks + 1;
        match self.request(world, client, envelope.request) {
            Ok(mut fields) => {
                stats.edits += 1;
                self.handled.push(at);
                fields.insert("tick".into(), tick.into());
                let line = protocol::reply_ok(id.as_ref(), op, fields);
                self.replies.push((reply, Reply::Line(line)));
            }
            Err(reason) => {
                stats.rejected += 1;
                let line = protocol::reply_error(id.as_ref(), Some(op), &reason);
                self.replies.push((reply, Reply::Line(line)));
            }
        }
    }

    /// Validates and stages one request; the reply's fields, or why it is rejected (then nothing
    /// was changed).
    fn request(
        &mut self,
        world: &mut World,
        client: ClientId,
        request: Request,
    ) -> Result<Map<String, Value>, String> {
        match request {
            Request::Open {
                path,
                version,
                text,
            } => {
                let (relative, absolute) = self.resolve(&path)?;
                let language = Language::from_path(&absolute)
                    .ok_or_else(|| format!("`{relative}`: not a file of a supported language"))?;
                if !self.settings.languages.contains(&language) {
                    return Err(format!(
                        "`{relative}`: {} is disabled in the configuration",
                        language.name()
                    ));
                }
                if text.len() as u64 > self.settings.max_file_size {
                    return Err(format!(
                        "`{relative}`: the text is {} bytes, over the limit of {} bytes \
                         (--max-file-size)",
                        text.len(),
                        self.settings.max_file_size
                    ));
                }
                let entity = match self.index.get(relative.as_str()) {
                    Some(&e) => e,
                    None => self.spawn_file(world, &relative, absolute, language),
                };
                self.set_text(world, entity, text);
                let touch = self.touched.entry(entity).or_default();
                touch.open = Some(Some(version));
                touch.remove = false;
                self.owners.insert(entity, client);
                Ok(fields(&relative, Some(version)))
            }
            Request::Edit {
                path,
                version,
                changes,
            } => {
                let (relative, entity) = self.known(&path)?;
                let current = self.open_version(world, entity).ok_or_else(|| {
                    format!("`{relative}` is not open: send `open` with its text first")
                })?;
                let expected = current.wrapping_add(1);
                if version != expected {
                    let what = if version <= current {
                        "stale"
                    } else {
                        "skipped"
                    };
                    return Err(format!(
                        "{what} version {version} for `{relative}`: the document is at version \
                         {current}, so the next edit must carry version {expected} (re-send \
                         `open` with the full text to resynchronise)"
                    ));
                }
                // Validate against the current text before staging anything.
                let text = self.current_text(world, entity).ok_or_else(|| {
                    format!("`{relative}` has no text in memory (internal error; re-send `open`)")
                })?;
                let edits = protocol::resolve_changes(text, &changes)?;
                let staged = self.staged(world, entity);
                for edit in &edits {
                    staged.text.replace_range(edit.start..edit.end, &edit.text);
                }
                staged.edits.extend(edits);
                self.touched.entry(entity).or_default().open = Some(Some(version));
                Ok(fields(&relative, Some(version)))
            }
            Request::Close { path } => {
                let (relative, entity) = self.known(&path)?;
                if self.open_version(world, entity).is_none() {
                    return Err(format!("`{relative}` is not open"));
                }
                self.close(world, entity);
                Ok(fields(&relative, None))
            }
            Request::Save { path } => {
                let (relative, entity) = self.known(&path)?;
                self.touched.entry(entity).or_default().churn += 1;
                Ok(fields(&relative, self.open_version(world, entity)))
            }
            // Answered after the tick (`accept` queues them).
            Request::Stats | Request::Query(_) | Request::Context { .. } => Ok(Map::new()),
        }
    }

    /// The document is closed: the file on disk is the truth again (or the file is removed when
    /// it is gone or would not be discovered).
    fn close(&mut self, world: &mut World, entity: Entity) {
        self.owners.remove(&entity);
        self.touched.entry(entity).or_default().open = Some(None);
        let Some(path) = world.get::<FilePath>(entity).cloned() else {
            return;
        };
        if discoverable(&self.settings, &path.absolute).is_none() || !path.absolute.is_file() {
            self.remove(entity, &path.relative);
            return;
        }
        self.reread(world, entity, &path.absolute);
    }

    /// A change on disk (already filtered by discovery's rules when the path exists).
    fn file_changed(&mut self, world: &mut World, change: &FileChange) {
        let Ok((relative, absolute)) = self.resolve_path(&change.path) else {
            return;
        };
        match (self.index.get(relative.as_str()).copied(), change.exists) {
            (Some(entity), true) => {
                if self.open_version(world, entity).is_some() {
                    return; // the editor's text wins until it is closed
                }
                self.touched.entry(entity).or_default().churn += 1;
                self.reread(world, entity, &absolute);
            }
            (None, true) => {
                let Some(language) = discoverable(&self.settings, &absolute) else {
                    return;
                };
                let entity = self.spawn_file(world, &relative, absolute, language);
                self.touched.entry(entity).or_default().reload = true;
            }
            (Some(entity), false) => {
                if self.open_version(world, entity).is_none() {
                    self.remove(entity, &relative);
                }
            }
            (None, false) => {
                // A directory (deleted or renamed away): every file below it.
                let prefix = format!("{relative}/");
                let below: Vec<(Box<str>, Entity)> = self
                    .index
                    .iter()
                    .filter(|(r, _)| r.starts_with(&prefix))
                    .map(|(r, &e)| (r.clone(), e))
                    .collect();
                for (relative, entity) in below {
                    if self.open_version(world, entity).is_none() {
                        self.remove(entity, &relative);
                    }
                }
            }
        }
    }

    /// A new file entity, indexed.
    fn spawn_file(
        &mut self,
        world: &mut World,
        relative: &str,
        absolute: PathBuf,
        language: Language,
    ) -> Entity {
        let entity = world
            .spawn((
                FilePath {
                    absolute,
                    relative: relative.into(),
                },
                Lang(language),
            ))
            .id();
        self.index.insert(relative.into(), entity);
        entity
    }

    fn remove(&mut self, entity: Entity, relative: &str) {
        self.index.remove(relative);
        self.owners.remove(&entity);
        let touch = self.touched.entry(entity).or_default();
        *touch = Touch {
            remove: true,
            ..Touch::default()
        };
    }

    /// Reads a file from disk for an entity: one edit against its resident text, or a cold
    /// re-read when none is resident (or the file cannot be read as text now).
    fn reread(&mut self, world: &mut World, entity: Entity, absolute: &Path) {
        if self.current_text(world, entity).is_none() {
            self.mark_reload(entity);
            return;
        }
        match load_file(absolute, self.settings.max_file_size) {
            Loaded::Text { text, lossy: false } => self.set_text(world, entity, text.to_string()),
            _ => self.mark_reload(entity),
        }
    }

    fn mark_reload(&mut self, entity: Entity) {
        let touch = self.touched.entry(entity).or_default();
        touch.text = None;
        touch.reload = true;
    }

    /// Stages `new` as the file's whole text: the difference to its current text as one edit,
    /// or the whole text when none is resident.
    fn set_text(&mut self, world: &World, entity: Entity, new: String) {
        let resident = self.current_text(world, entity).is_some();
        let touch = self.touched.entry(entity).or_default();
        touch.reload = false;
        if !resident {
            touch.text = Some(Staged {
                text: new,
                edits: Vec::new(),
                fresh: true,
            });
            return;
        }
        let staged = self.staged(world, entity);
        if let Some(edit) = diff_edit(&staged.text, &new) {
            staged.edits.push(edit);
            staged.text = new;
        }
    }

    /// The file's text as the coming tick will see it so far, if any is known.
    fn current_text<'a>(&'a self, world: &'a World, entity: Entity) -> Option<&'a str> {
        match self.touched.get(&entity) {
            Some(Touch { reload: true, .. }) => None,
            Some(Touch {
                text: Some(staged), ..
            }) => Some(&staged.text),
            _ => world.get::<SourceText>(entity).map(|t| &*t.0),
        }
    }

    /// The staged text of a file whose text is resident (or staged fresh).
    fn staged(&mut self, world: &World, entity: Entity) -> &mut Staged {
        let touch = self.touched.entry(entity).or_default();
        touch.text.get_or_insert_with(|| Staged {
            text: world
                .get::<SourceText>(entity)
                .map(|t| t.0.to_string())
                .unwrap_or_default(),
            edits: Vec::new(),
            fresh: false,
        })
    }

    /// The document's version if it is open (as the coming tick will see it).
    fn open_version(&self, world: &World, entity: Entity) -> Option<u32> {
        match self.touched.get(&entity).and_then(|t| t.open) {
            Some(open) => open,
            None => world.get::<OpenDocument>(entity).map(|d| d.version),
        }
    }

    fn reload_config(&mut self, world: &World) {
        let root = &self.settings.root;
        match crate::config::load(root, self.config_file.as_deref()) {
            Ok((config, _)) => {
                let current = world.get_resource::<Config>();
                if current == Some(&config) {
                    return;
                }
                if let Some(current) = current {
                    if current.ring_buffer_size != config.ring_buffer_size {
                        eprintln!(
                            "codepulse: `ring_buffer_size` changes at the next start of the engine"
                        );
                    }
                    let enabled = |c: &Config| Language::ALL.map(|l| c.language(l).enabled);
                    if enabled(current) != enabled(&config) {
                        eprintln!(
                            "codepulse: enabling or disabling a language takes effect at the next start of the engine"
                        );
                    }
                }
                eprintln!("codepulse: configuration reloaded; re-gating every file");
                self.config = Some(config);
            }
            Err(e) => eprintln!("codepulse: {e}\ncodepulse: keeping the previous configuration"),
        }
    }

    /// Writes the staged changes into the world (just before the schedule runs).
    pub fn flush(&mut self, world: &mut World) {
        let clock = {
            let mut cache = world.resource_mut::<SourceCache>();
            cache.clock += 1;
            cache.clock
        };
        if let Some(config) = self.config.take() {
            let budget = u64::from(config.cache_size_mb) * 1024 * 1024;
            world.resource_mut::<SourceCache>().budget_bytes = budget;
            world.insert_resource(config);
        }
        for (entity, touch) in self.touched.drain() {
            let Ok(mut file) = world.get_entity_mut(entity) else {
                continue;
            };
            if touch.remove {
                file.insert(PendingRemoval);
                continue;
            }
            if let Some(staged) = touch.text {
                if staged.fresh {
                    file.remove::<(TreeEdited, PendingLoad, Skipped, PendingEdits)>()
                        .insert((SourceText(Arc::from(staged.text)), FileFlags(0)));
                } else if !staged.edits.is_empty() {
                    file.insert(PendingEdits(staged.edits));
                }
            }
            if touch.reload {
                file.insert(PendingLoad);
            }
            match touch.open {
                Some(Some(version)) => {
                    file.insert(OpenDocument { version });
                }
                Some(None) => {
                    file.remove::<OpenDocument>();
                }
                None => {}
            }
            if touch.churn > 0 {
                match file.get_mut::<Churn>() {
                    Some(mut churn) => {
                        for _ in 0..touch.churn {
                            churn.record_edit();
                        }
                    }
                    None => {
                        file.insert(Churn(touch.churn));
                    }
                }
            }
            file.insert(Recency(clock));
        }
    }

    /// A request's path as (relative path with `/`, absolute path), if it is inside the root.
    fn resolve(&self, path: &str) -> Result<(String, PathBuf), String> {
        if path.is_empty() {
            return Err("`path` is empty".into());
        }
        self.resolve_path(Path::new(path))
    }

    fn resolve_path(&self, path: &Path) -> Result<(String, PathBuf), String> {
        let root = &self.settings.root;
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            root.join(path)
        };
        // Lexical normalisation: `.` dropped, `..` pops (never above `/`).
        let mut absolute = PathBuf::new();
        for c in joined.components() {
            match c {
                Component::ParentDir => {
                    absolute.pop();
                }
                Component::CurDir => {}
                c => absolute.push(c),
            }
        }
        let Ok(relative) = absolute.strip_prefix(root) else {
            return Err(format!(
                "`{}` is outside the workspace root `{}`",
                path.display(),
                root.display()
            ));
        };
        let mut parts = Vec::new();
        for c in relative.components() {
            let Some(s) = c.as_os_str().to_str() else {
                return Err(format!("`{}` is not valid UTF-8", path.display()));
            };
            parts.push(s);
        }
        if parts.is_empty() {
            return Err(format!(
                "`{}` is the workspace root, not a file",
                path.display()
            ));
        }
        Ok((parts.join("/"), absolute))
    }

    /// A request's path that must name a file the engine knows.
    fn known(&self, path: &str) -> Result<(String, Entity), String> {
        let (relative, _) = self.resolve(path)?;
        match self.index.get(relative.as_str()) {
            Some(&e) => Ok((relative, e)),
            None => Err(format!(
                "unknown path `{relative}`: not a file of this workspace (send `open` first)"
            )),
        }
    }
}

fn fields(relative: &str, version: Option<u32>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("path".into(), relative.into());
    if let Some(v) = version {
        m.insert("version".into(), v.into());
    }
    m
}

/// The one edit that turns `old` into `new`: the middle between their common prefix and
/// common suffix (on character boundaries). `None` when they are equal.
pub fn diff_edit(old: &str, new: &str) -> Option<TextEdit> {
    if old == new {
        return None;
    }
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    Some(TextEdit {
        start: prefix,
        end: a.len() - suffix,
        text: new[prefix..b.len() - suffix].to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, e: &TextEdit) -> String {
        let mut s = old.to_owned();
        s.replace_range(e.start..e.end, &e.text);
        s
    }

    #[test]
    fn diff_edit_is_the_changed_middle() {
        let cases = [
            ("abc", "abc", None),
            ("abc", "abXc", Some((2, 2, "X"))),
            ("abc", "ac", Some((1, 2, ""))),
            ("", "new", Some((0, 0, "new"))),
            ("aaa", "aa", Some((2, 3, ""))),
            ("héllo", "hèllo", Some((1, 3, "è"))),
            ("x😀y", "x😁y", Some((1, 5, "😁"))),
        ];
        for (old, new, want) in cases {
            let got = diff_edit(old, new);
            assert_eq!(
                got.as_ref().map(|e| (e.start, e.end, e.text.as_str())),
                want,
                "{old:?} -> {new:?}"
            );
            if let Some(e) = got {
                assert_eq!(apply(old, &e), new);
            }
        }
    }
}
