//! `codepulse tail`: attaches to a workspace's ring as its consumer and prints every payload as
//! a JSON line with its resolved path; reports on stderr when the producer restarts, dies,
//! stalls or closes.

use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use codepulse_components::{DefectPayload, Language, PayloadKind, Severity, payload_flags};
use codepulse_ring::{Consumer, ProducerState, RingError, Status, monotonic_ns};
use serde::Serialize;

use crate::UsageError;

/// How long `tail` sleeps when the ring is empty.
const POLL: Duration = Duration::from_millis(5);

#[derive(Args, Debug, Clone, Default)]
pub struct TailArgs {
    /// The workspace, or a directory inside it, whose ring to read: the ring of the nearest
    /// enclosing directory that has one [default: the current directory].
    pub path: Option<PathBuf>,

    /// Read this ring file instead of finding the workspace's.
    #[arg(long, value_name = "PATH", conflicts_with = "path")]
    pub ring: Option<PathBuf>,

    /// Keep waiting after the producer closed or died, following a restarted one (and wait for
    /// the ring to appear if there is none yet).
    #[arg(long, short = 'f')]
    pub follow: bool,

    /// Ask the producer for a resync (a re-emission of every file's state) on attach and
    /// whenever it reports dropped payloads.
    #[arg(long)]
    pub resync: bool,
}

/// `codepulse tail`.
pub fn run(args: &TailArgs) -> anyhow::Result<()> {
    let ring = ring_path(args)?;
    let mut consumer = attach(&ring, args.follow)?;
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    match follow(&mut consumer, &ring, args, &mut out) {
        Err(e) if is_broken_pipe(&e) => Ok(()),
        other => other,
    }
}

/// The ring to read: `--ring`, or the ring of the workspace containing PATH (or `.`), found by
/// deriving each enclosing directory's ring name exactly as the producer does.
fn ring_path(args: &TailArgs) -> anyhow::Result<PathBuf> {
    if let Some(ring) = &args.ring {
        return Ok(ring.clone());
    }
    let start = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let canonical = std::fs::canonicalize(&start)
        .map_err(|e| UsageError(format!("cannot use `{}`: {e}", start.display())))?;
    if let Some((_, ring)) = codepulse_ring::find_ring(&canonical) {
        return Ok(ring);
    }
    if args.follow {
        // Nothing yet: wait for the ring of exactly this directory.
        return Ok(codepulse_ring::ring_path_for_root(&canonical));
    }
    Err(UsageError(format!(
        "no ring for `{}` or any directory above it (in `{}`): run `codepulse analyze --emit` there, or pass --ring",
        canonical.display(),
        codepulse_ring::ring_dir().display()
    ))
    .into())
}

fn ring_error(ring: &Path, e: RingError) -> anyhow::Error {
    match e {
        RingError::Io { .. } => anyhow::Error::new(e).context(format!("ring `{}`", ring.display())),
        e => UsageError(format!("ring `{}`: {e}", ring.display())).into(),
    }
}

/// Attaches; when following, waits for a missing ring to appear.
fn attach(ring: &Path, follow: bool) -> anyhow::Result<Consumer> {
    let mut said = false;
    loop {
        match Consumer::attach(ring) {
            Ok(c) => return Ok(c),
            Err(RingError::NotFound { .. }) if follow => {
                if !said {
                    eprintln!("codepulse: waiting for the ring `{}`", ring.display());
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(ring_error(ring, e)),
        }
    }
}

fn follow(
    consumer: &mut Consumer,
    ring: &Path,
    args: &TailArgs,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut batch = Vec::with_capacity(1024);
    let mut last_state: Option<ProducerState> = None;
    let mut path_table_warned = false;
    let mut first = true;
    loop {
        batch.clear();
        let n = consumer
            .pop_batch(&mut batch, 1024)
            .map_err(|e| ring_error(ring, e))?;
        if n > 0 {
            let now = monotonic_ns();
            for p in &batch {
                let path = match consumer.resolve(p.file_hash) {
                    Ok(path) => path.map(|p| p.to_string_lossy().into_owned()),
                    Err(e) => {
                        if !path_table_warned {
                            eprintln!("codepulse: warning: cannot resolve paths: {e}");
                            path_table_warned = true;
                        }
                        None
                    }
                };
                serde_json::to_writer(&mut *out, &payload_json(p, path, now))?;
                out.write_all(b"\n")?;
            }
            continue;
        }
        out.flush()?;
        let st = consumer.check().map_err(|e| ring_error(ring, e))?;
        report_changes(&st, last_state, first);
        if args.resync && (first || st.new_drops > 0) {
            consumer.request_resync();
        }
        first = false;
        last_state = Some(st.producer);
        if st.backlog > 0 {
            continue;
        }
        let done = matches!(
            st.producer,
            ProducerState::Closed | ProducerState::Dead | ProducerState::Replaced
        );
        if done && !args.follow {
            return Ok(());
        }
        if args.follow && (st.producer == ProducerState::Replaced || consumer.superseded()) {
            eprintln!("codepulse: the ring was replaced; attaching to the new one");
            *consumer = attach(ring, true)?;
            last_state = None;
            first = true;
            continue;
        }
        std::thread::sleep(POLL);
    }
}

/// One stderr line per event: restart, death, close, stall, drops.
fn report_changes(st: &Status, last: Option<ProducerState>, first: bool) {
    if let Some((old, new)) = st.restarted {
        eprintln!(
            "codepulse: the producer restarted (epoch {old} -> {new}, pid {})",
            st.producer_pid
        );
    }
    if st.new_drops > 0 && !first {
        eprintln!(
            "codepulse: the producer dropped {} payloads on a full ring (resync needed)",
            st.new_drops
        );
    } else if first && st.needs_resync {
        eprintln!(
            "codepulse: the producer dropped {} payloads on a full ring (resync needed)",
            st.drops
        );
    }
    let changed = match (last, st.producer) {
        (None, ProducerState::Alive) => false,
        (None, _) => true,
        (Some(ProducerState::Stale { .. }), ProducerState::Stale { .. }) => false,
        (Some(a), b) => a != b,
    };
    if !changed {
        return;
    }
    let pid = st.producer_pid;
    match st.producer {
        ProducerState::Alive => eprintln!("codepulse: the producer (pid {pid}) is running"),
        ProducerState::Closed => eprintln!("codepulse: the producer closed the ring"),
        ProducerState::Replaced => eprintln!("codepulse: the producer replaced the ring"),
        ProducerState::Dead => {
            eprintln!("codepulse: the producer (pid {pid}) died without closing the ring")
        }
        ProducerState::Stale { age } => eprintln!(
            "codepulse: the producer (pid {pid}) has not signalled for {:.1} s",
            age.as_secs_f64()
        ),
    }
}

/// One line of `tail`'s output.
#[derive(Serialize, Debug)]
struct Line {
    path: Option<String>,
    file_hash: String,
    kind: &'static str,
    severity: &'static str,
    seq: u32,
    tdg: f32,
    cyclomatic: u32,
    cognitive: u32,
    dead_symbols: u32,
    start_line: u32,
    end_line: u32,
    warnings: u16,
    errors: u16,
    flags: Vec<String>,
    language: Option<&'static str>,
    version: u32,
    timestamp_ns: u64,
    latency_ns: u64,
}

fn payload_json(p: &DefectPayload, path: Option<String>, now: u64) -> Line {
    let kind = match PayloadKind::from_u8(p.kind) {
        Some(PayloadKind::Defect) => "defect",
        Some(PayloadKind::Cleared) => "cleared",
        Some(PayloadKind::Resync) => "resync",
        None => "unknown",
    };
    let severity = match Severity::from_u8(p.severity) {
        Some(Severity::Ok) => "ok",
        Some(Severity::Warning) => "warning",
        Some(Severity::Error) => "error",
        None => "unknown",
    };
    Line {
        path,
        file_hash: format!("{:016x}", p.file_hash),
        kind,
        severity,
        seq: p.seq,
        tdg: p.tdg,
        cyclomatic: p.cyclomatic,
        cognitive: p.cognitive,
        dead_symbols: p.dead_symbols,
        start_line: p.start_line,
        end_line: p.end_line,
        warnings: p.warnings,
        errors: p.errors,
        flags: flag_names(p.flags),
        language: Language::ALL.get(usize::from(p.language)).map(|l| l.name()),
        version: p.version,
        timestamp_ns: p.timestamp_ns,
        latency_ns: now.saturating_sub(p.timestamp_ns),
    }
}

fn flag_names(flags: u8) -> Vec<String> {
    const NAMES: [(u8, &str); 4] = [
        (payload_flags::CYCLOMATIC, "cyclomatic"),
        (payload_flags::COGNITIVE, "cognitive"),
        (payload_flags::TDG, "tdg"),
        (payload_flags::SYNTAX_ERRORS, "syntax_errors"),
    ];
    let known: u8 = NAMES.iter().map(|(b, _)| b).fold(0, |a, b| a | b);
    let mut names: Vec<String> = NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| (*n).to_owned())
        .collect();
    for bit in 0..8 {
        if flags & !known & (1 << bit) != 0 {
            names.push(format!("bit{bit}"));
        }
    }
    names
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(ErrorKind::BrokenPipe))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_named() {
        assert_eq!(flag_names(0), Vec::<String>::new());
        assert_eq!(
            flag_names(payload_flags::COGNITIVE | payload_flags::SYNTAX_ERRORS | 0x80),
            ["cognitive", "syntax_errors", "bit7"]
        );
    }

    #[test]
    fn payloads_print_with_names_and_latency() {
        let p = DefectPayload {
            file_hash: 0xab,
            timestamp_ns: 1_000,
            kind: PayloadKind::Cleared as u8,
            severity: Severity::Ok as u8,
            language: 0,
            ..DefectPayload::default()
        };
        let json = |l: Line| serde_json::to_value(l).unwrap();
        let v = json(payload_json(&p, Some("/x/a.rs".into()), 1_500));
        assert_eq!(v["path"], "/x/a.rs");
        assert_eq!(v["file_hash"], "00000000000000ab");
        assert_eq!(v["kind"], "cleared");
        assert_eq!(v["severity"], "ok");
        assert_eq!(v["latency_ns"], 500);
        assert_eq!(v["language"], Language::ALL[0].name());
        let v = json(payload_json(
            &DefectPayload {
                kind: 9,
                severity: 7,
                language: 200,
                ..p
            },
            None,
            0,
        ));
        assert_eq!(
            (v["kind"].as_str(), v["severity"].as_str()),
            (Some("unknown"), Some("unknown"))
        );
        assert!(v["path"].is_null() && v["language"].is_null());
        assert_eq!(v["latency_ns"], 0);
    }
}
