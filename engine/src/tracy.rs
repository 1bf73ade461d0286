//! Profiling with Tracy: the `tracy` feature (docs/profiling.md). Not compiled without it.
//!
//! Zones nest as `tick` > stage (`apply`, `parse`, `measure`, `tdg`, `gate`) > `system{NAME}` >
//! `parse_file` / `measure_file`, then `emit`; every tick ends with a frame mark. The
//! subscriber ([`init`]) has two Tracy layers:
//!
//! - bevy's spans (its `trace` feature): one zone per system, named `system{parse_files}` by the
//!   system's short name, so each system is a zone of its own. Bevy's `schedule` and
//!   `check_conditions` spans are left out: the tick and the stages stand for the first, and the
//!   second would double every system;
//! - everything else (the engine's `tick`, `intake`, `flush`, `emit`; the systems' per-file zones):
//!   the zone name is the span's name and the fields go into the zone's text (`file=src/a.rs`),
//!   so a zone keeps one name however many files it sees.
//!
//! The stages are not spans: a stage is a run of systems in one schedule, bounded by the `lap`
//! systems of `world.rs`, so [`next_stage`] ends one stage zone and begins the next from inside
//! a `lap` system, whose own zone the first layer therefore skips (zones must nest).

use std::cell::RefCell;
use std::fmt;

use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{DefaultFields, Writer};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_tracy::TracyLayer;
use tracing_tracy::client::{Client, Span};

/// Installs the global subscriber that turns spans into Tracy zones. `main` calls it first.
pub fn init() {
    let systems = SkipLaps(TracyLayer::new(SystemZones::default())).with_filter(filter_fn(|m| {
        is_bevy(m) && !matches!(m.name(), "schedule" | "check_conditions")
    }));
    let ours = TracyLayer::new(TextZones::default()).with_filter(filter_fn(|m| !is_bevy(m)));
    let subscriber = tracing_subscriber::registry().with(systems).with(ours);
    // Only fails when a subscriber is already installed: then that one stays.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

fn is_bevy(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.target().starts_with("bevy_")
}

thread_local! {
    // The stage zone open on this thread (the engine thread runs the schedule).
    static STAGE: RefCell<Option<Span>> = const { RefCell::new(None) };
}

/// One tick: a `tick` zone, the first stage's zone (`apply`) inside it; dropped, it ends both
/// and marks the end of a frame.
#[derive(Debug)]
pub struct Tick {
    span: Option<tracing::span::EnteredSpan>,
}

impl Tick {
    pub fn start() -> Tick {
        let span = tracing::info_span!("tick").entered();
        next_stage(0);
        Tick { span: Some(span) }
    }
}

impl Drop for Tick {
    fn drop(&mut self) {
        STAGE.with(|s| s.borrow_mut().take());
        drop(self.span.take());
        if let Some(client) = Client::running() {
            client.frame_mark();
        }
    }
}

/// Ends the current stage's zone and begins stage `stage`'s (nothing past the last stage). The
/// stages are those of the engine's histograms (docs/observe.md).
pub fn next_stage(stage: usize) {
    STAGE.with(|s| {
        let mut current = s.borrow_mut();
        current.take();
        let name = STAGES.get(stage)?;
        // An allocated source location, like tracing-tracy's zones: its name travels with the
        // zone.
        *current = Some(Client::running()?.span_alloc(Some(name), "", file!(), line!(), 0));
        Some(())
    });
}

/// The stages, in tick order.
const STAGES: [&str; 6] = ["apply", "parse", "measure", "graph", "tdg", "gate"];

/// The engine's and the systems' zones: fields in the zone text, not the name.
#[derive(Default)]
struct TextZones(DefaultFields);

impl tracing_tracy::Config for TextZones {
    type Formatter = DefaultFields;

    fn formatter(&self) -> &DefaultFields {
        &self.0
    }

    fn format_fields_in_zone_name(&self) -> bool {
        false
    }
}

/// Bevy's zones: the fields (a system's name) in the zone name, shortened.
#[derive(Default)]
struct SystemZones(ShortValues);

impl tracing_tracy::Config for SystemZones {
    type Formatter = ShortValues;

    fn formatter(&self) -> &ShortValues {
        &self.0
    }
}

/// Formats fields as their values alone, paths shortened to their last segment:
/// `codepulse_systems::parse_files::parse_files` is `parse_files`, `codepulse::world::lap<0>`
/// is `lap<0>`.
#[derive(Default)]
struct ShortValues;

impl<'writer> FormatFields<'writer> for ShortValues {
    fn format_fields<R: RecordFields>(
        &self,
        mut writer: Writer<'writer>,
        fields: R,
    ) -> fmt::Result {
        let mut visitor = ShortVisitor {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct ShortVisitor<'a, 'writer> {
    writer: &'a mut Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl Visit for ShortVisitor<'_, '_> {
    fn record_str(&mut self, _: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        if !self.first {
            self.result = self.writer.write_str(", ");
        }
        self.first = false;
        if self.result.is_ok() {
            self.result = self.writer.write_str(&short_name(value));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}

/// `a::b::c<d::e, f>` → `c<e, f>`: every path keeps its last segment.
fn short_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // Where the current path segment starts in `out`.
    let mut start = 0;
    let mut rest = name;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("::") {
            out.truncate(start);
            rest = after;
            continue;
        }
        out.push(c);
        if !(c.is_alphanumeric() || c == '_') {
            start = out.len();
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Bevy's layer, minus the zones of the `lap` systems (where [`next_stage`] switches stages).
struct SkipLaps<L>(L);

/// Marks a span whose zone is skipped.
struct Skipped;

impl<S, L> Layer<S> for SkipLaps<L>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    L: Layer<S>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut lap = IsLap(false);
        attrs.record(&mut lap);
        if lap.0 {
            if let Some(span) = ctx.span(id) {
                span.extensions_mut().insert(Skipped);
            }
            return;
        }
        self.0.on_new_span(attrs, id, ctx);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if !skipped(id, &ctx) {
            self.0.on_record(id, values, ctx);
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        self.0.on_event(event, ctx);
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if !skipped(id, &ctx) {
            self.0.on_enter(id, ctx);
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        if !skipped(id, &ctx) {
            self.0.on_exit(id, ctx);
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if !skipped(&id, &ctx) {
            self.0.on_close(id, ctx);
        }
    }
}

fn skipped<S: Subscriber + for<'a> LookupSpan<'a>>(id: &Id, ctx: &Context<'_, S>) -> bool {
    ctx.span(id)
        .is_some_and(|span| span.extensions().get::<Skipped>().is_some())
}

/// Whether a bevy span's `name` field is a `lap` system's.
struct IsLap(bool);

impl Visit for IsLap {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "name" && short_name(value).starts_with("lap<") {
            self.0 = true;
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.record_str(field, &format!("{value:?}"));
    }
}
