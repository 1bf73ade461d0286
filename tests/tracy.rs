//! The `tracy` feature (docs/profiling.md), seen by a profiler: the real binary, built with the
//! feature, runs `codepulse watch` on a temporary workspace, and this test plays the Tracy
//! profiler on the client's TCP port (127.0.0.1, a free port through `TRACY_PORT`, so parallel
//! runs do not collide). It speaks the handshake of the vendored client (tracy-client-sys
//! 0.30.1, Tracy 0.14.1: `tracy/client/TracyProfiler.cpp`, `Profiler::Worker`): the
//! 8 bytes `TracyPrf`, then the protocol version as a little-endian u32; the client answers one
//! `HandshakeStatus` byte and, when it is `HandshakeWelcome`, the packed `WelcomeMessage`
//! (`tracy/common/TracyProtocol.hpp`), then LZ4 blocks of events, each after its compressed size
//! as a u32. The test decodes those blocks and reads the zones' names and texts from them.
//!
//! Compiled only with the feature (`required-features` in engine/Cargo.toml):
//! `cargo test -p codepulse --features tracy --test tracy`. No timing assertions: every wait is
//! bounded and fails saying what it was waiting for.

mod support;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use support::{DEADLINE, lines_of, wait_line, write};

/// `ProtocolVersion` in the vendored `tracy/common/TracyProtocol.hpp` (tracy-client-sys 0.30.1).
const PROTOCOL_VERSION: u32 = 82;
/// `HandshakeShibboleth`.
const SHIBBOLETH: &[u8; 8] = b"TracyPrf";

/// `HandshakeStatus` values.
const HANDSHAKE_WELCOME: u8 = 1;
const HANDSHAKE_PROTOCOL_MISMATCH: u8 = 2;
const HANDSHAKE_NOT_AVAILABLE: u8 = 3;

/// `sizeof(WelcomeMessage)` (packed): eight 8-byte fields, flags, cpuArch, cpuManufacturer[12],
/// cpuId, programName[64], hostInfo[1024].
const WELCOME_SIZE: usize = 8 * 8 + 1 + 1 + 12 + 4 + 64 + 1024;
/// `WelcomeFlag::OnDemand` and `WelcomeFlag::CodeTransfer`: the engine enables neither.
const FLAG_ON_DEMAND: u8 = 1 << 0;
const FLAG_CODE_TRANSFER: u8 = 1 << 2;

/// `QueueType::SourceLocationPayload` (its index in `tracy/common/TracyQueue.hpp`): the item
/// that carries an allocated source location (every zone of the engine has one), followed by
/// the location's pointer (u64), its length (u16), color (u32), line (u32), function, NUL,
/// source file, NUL and the zone name.
const SOURCE_LOCATION_PAYLOAD: u8 = 122;

fn codepulse() -> Command {
    Command::new(env!("CARGO_BIN_EXE_codepulse"))
}

/// A TCP port nobody listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port");
    listener.local_addr().unwrap().port()
}

/// A workspace, its ring directory and `codepulse watch` running on it with its Tracy client on
/// `port`.
struct Engine {
    root: TempDir,
    _ring_dir: TempDir,
    child: Child,
    port: u16,
}

impl Engine {
    fn start() -> Engine {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            "src/lib.rs",
            "fn f(x: u32) -> u32 {\n    if x > 1 { x } else { 0 }\n}\n",
        );
        write(root.path(), "tool.py", "def g(a):\n    return a or 1\n");
        let ring_dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = codepulse()
            .arg("watch")
            .arg(root.path())
            .args(["--threads", "2"])
            .env("CODEPULSE_RING_DIR", ring_dir.path())
            .env("TRACY_PORT", port.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("codepulse starts");
        let stderr = lines_of(child.stderr.take().unwrap());
        wait_line(&stderr, "the end of the warm-up", |l| {
            l.starts_with("codepulse: watching ")
        });
        // Keep draining stderr so the engine never blocks on it.
        std::thread::spawn(move || for _ in stderr {});
        Engine {
            root,
            _ring_dir: ring_dir,
            child,
            port,
        }
    }

    /// A connection to the Tracy client (retried until it listens).
    fn connect(&self) -> TcpStream {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let start = Instant::now();
        loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(DEADLINE)).unwrap();
                    return stream;
                }
                Err(e) if start.elapsed() > DEADLINE => {
                    panic!("the Tracy client does not listen on {addr}: {e}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// SIGTERM, then the exit status (the engine is killed if it does not exit in time).
    fn terminate(mut self) -> ExitStatus {
        let pid = rustix::process::Pid::from_raw(self.child.id() as i32).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).unwrap();
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("the engine did not exit within {DEADLINE:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends the profiler's handshake with `version`; the client's `HandshakeStatus` byte.
fn handshake(stream: &mut TcpStream, version: u32) -> u8 {
    let mut hello = SHIBBOLETH.to_vec();
    hello.extend_from_slice(&version.to_le_bytes());
    stream.write_all(&hello).expect("the handshake is sent");
    let mut status = [0u8; 1];
    stream
        .read_exact(&mut status)
        .expect("the client answers the handshake");
    status[0]
}

/// The fields of the `WelcomeMessage` this test checks.
#[derive(Debug)]
struct Welcome {
    timer_mul: f64,
    init_begin: i64,
    init_end: i64,
    epoch: u64,
    pid: u64,
    flags: u8,
    cpu_arch: u8,
    program_name: String,
    host_info: String,
}

fn read_welcome(stream: &mut TcpStream) -> Welcome {
    let mut b = [0u8; WELCOME_SIZE];
    stream
        .read_exact(&mut b)
        .expect("the client sends its WelcomeMessage");
    let u64_at = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap());
    let c_string = |bytes: &[u8]| {
        let end = bytes.iter().position(|&c| c == 0).unwrap_or(bytes.len());
        String::from_utf8_lossy(&bytes[..end]).into_owned()
    };
    Welcome {
        timer_mul: f64::from_le_bytes(b[0..8].try_into().unwrap()),
        init_begin: u64_at(8) as i64,
        init_end: u64_at(16) as i64,
        epoch: u64_at(32),
        pid: u64_at(48),
        flags: b[64],
        cpu_arch: b[65],
        program_name: c_string(&b[82..146]),
        host_info: c_string(&b[146..WELCOME_SIZE]),
    }
}

/// Decodes one LZ4 block, appending to `out`; matches may reach back into what `out` holds
/// already (the client compresses its events as one LZ4 stream).
fn lz4_decode(block: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let mut input = Cursor {
        bytes: block,
        at: 0,
    };
    loop {
        let token = input.byte()?;
        let literals = input.length(usize::from(token >> 4))?;
        out.extend_from_slice(input.take(literals)?);
        if input.at == block.len() {
            return Ok(());
        }
        let offset = usize::from(u16::from_le_bytes([input.byte()?, input.byte()?]));
        let matched = input.length(usize::from(token & 15))? + 4;
        if offset == 0 || offset > out.len() {
            return Err(format!("match offset {offset} outside the stream"));
        }
        let from = out.len() - offset;
        // Byte by byte: a match may overlap what it produces.
        for i in 0..matched {
            out.push(out[from + i]);
        }
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let bytes = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or("an LZ4 block ends early")?;
        self.at += n;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// A literal or match length: 15 in the token means more bytes follow.
    fn length(&mut self, first: usize) -> Result<usize, String> {
        let mut n = first;
        if first == 15 {
            loop {
                let b = self.byte()?;
                n += usize::from(b);
                if b != 255 {
                    break;
                }
            }
        }
        Ok(n)
    }
}

/// What a profiler has seen of the client's events so far.
#[derive(Debug, Default, Clone)]
struct Seen {
    /// Zone names of the allocated source locations.
    zones: BTreeSet<String>,
    /// Bytes of events decoded.
    bytes: usize,
    /// Which of the texts looked for occur in the events (zone texts, messages).
    texts: BTreeSet<String>,
}

/// Reads the client's LZ4 blocks on a thread; sends what was seen after each block.
fn read_events(mut stream: TcpStream, texts: &'static [&'static str]) -> Receiver<Seen> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut window: Vec<u8> = Vec::new();
        let mut seen = Seen::default();
        loop {
            let mut size = [0u8; 4];
            if stream.read_exact(&mut size).is_err() {
                return;
            }
            let size = u32::from_le_bytes(size) as usize;
            let mut block = vec![0u8; size];
            if stream.read_exact(&mut block).is_err() {
                return;
            }
            let before = window.len();
            if let Err(e) = lz4_decode(&block, &mut window) {
                panic!("an LZ4 block of the client does not decode: {e}");
            }
            // The client never splits an item across blocks (`NeedDataSize`).
            let events = &window[before..];
            seen.bytes += events.len();
            seen.zones.extend(zone_names(events));
            for text in texts {
                if contains(events, text.as_bytes()) {
                    seen.texts.insert((*text).to_owned());
                }
            }
            if tx.send(seen.clone()).is_err() {
                return;
            }
            // LZ4 reaches back 64 KiB at most.
            if window.len() > 1 << 20 {
                window.drain(..window.len() - (1 << 16));
            }
        }
    });
    rx
}

/// The zone names of the source location payloads in `events`.
fn zone_names(events: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for (i, _) in events
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == SOURCE_LOCATION_PAYLOAD)
    {
        let Some(len) = events.get(i + 9..i + 11) else {
            continue;
        };
        let len = usize::from(u16::from_le_bytes(len.try_into().unwrap()));
        let Some(payload) = events.get(i + 11..i + 11 + len) else {
            continue;
        };
        // color, line, then function NUL source NUL name.
        let Some(strings) = payload.get(8..) else {
            continue;
        };
        let mut parts = strings.splitn(3, |&b| b == 0);
        let (Some(_function), Some(source), Some(name)) =
            (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(source), Ok(name)) = (std::str::from_utf8(source), std::str::from_utf8(name))
        else {
            continue;
        };
        if source.ends_with(".rs") && !name.is_empty() && !name.contains('\0') {
            names.push(name.to_owned());
        }
    }
    names
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Waits until `done` holds for what the profiler has seen.
fn wait_seen(rx: &Receiver<Seen>, what: &str, done: impl Fn(&Seen) -> bool) -> Seen {
    let start = Instant::now();
    let mut last = Seen::default();
    loop {
        if done(&last) {
            return last;
        }
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok(seen) => last = seen,
            Err(e) => panic!("{e:?} waiting for {what}; saw {last:#?}"),
        }
    }
}

#[test]
fn a_profiler_is_welcomed_and_receives_the_zones_of_every_tick() {
    let engine = Engine::start();
    let mut stream = engine.connect();
    assert_eq!(
        handshake(&mut stream, PROTOCOL_VERSION),
        HANDSHAKE_WELCOME,
        "protocol version {PROTOCOL_VERSION} is welcomed"
    );
    let welcome = read_welcome(&mut stream);
    assert!(welcome.timer_mul > 0.0, "{welcome:?}");
    assert!(welcome.init_begin <= welcome.init_end, "{welcome:?}");
    assert!(welcome.epoch > 0, "{welcome:?}");
    assert_eq!(welcome.pid, u64::from(engine.child.id()), "{welcome:?}");
    assert_eq!(welcome.program_name, "codepulse", "{welcome:?}");
    assert_eq!(
        welcome.flags & (FLAG_ON_DEMAND | FLAG_CODE_TRANSFER),
        0,
        "neither on-demand nor code transfer: {welcome:?}"
    );
    let arch = if cfg!(target_arch = "x86_64") {
        2
    } else if cfg!(target_arch = "aarch64") {
        4
    } else {
        welcome.cpu_arch
    };
    assert_eq!(welcome.cpu_arch, arch, "{welcome:?}");
    assert!(!welcome.host_info.is_empty(), "{welcome:?}");

    // The warm-up's events were kept for the first profiler: ticks, stages, systems, files.
    const FILES: &[&str] = &["file=src/lib.rs", "file=tool.py"];
    const ERRORS: &[&str] = &["exited out of order", "nothing on the tracy span stack"];
    let texts: &'static [&'static str] = Vec::leak([FILES, ERRORS].concat());
    let profiler = stream.try_clone().unwrap();
    let events = read_events(stream, texts);
    let warm_up = [
        "tick",
        "apply",
        "parse",
        "measure",
        "graph",
        "tdg",
        "gate",
        "system{discover_files}",
        "system{load_sources}",
        "system{parse_files}",
        "system{measure_functions}",
        "system{extract_symbols}",
        "system{update_graph}",
        "system{score_tdg}",
        "system{gate_files}",
        "system{resource_exists<SettleRequest>}",
        "parse_file",
        "measure_file",
    ];
    wait_seen(&events, "the warm-up's zones and the files' texts", |s| {
        warm_up.iter().all(|z| s.zones.contains(*z)) && FILES.iter().all(|f| s.texts.contains(*f))
    });

    // A change on disk makes a live tick: its intake, staging and emit are zones too.
    write(
        engine.root.path(),
        "src/lib.rs",
        "fn f(x: u32) -> u32 {\n    if x > 1 && x < 9 { x } else { 0 }\n}\n",
    );
    let seen = wait_seen(&events, "a live tick's zones", |s| {
        ["intake", "flush", "emit"]
            .iter()
            .all(|z| s.zones.contains(*z))
    });
    // Zone names are stable: fields are zone text, never part of the name; and the `lap`
    // systems (the stage boundaries) have no zone.
    for zone in &seen.zones {
        assert!(
            !zone.contains('=') && !zone.contains("lap<"),
            "zone {zone:?} in {:#?}",
            seen.zones
        );
    }
    // tracing-tracy reports spans that do not nest as messages; there are none.
    for error in ERRORS {
        assert!(
            !seen.texts.contains(*error),
            "the client reported {error:?}"
        );
    }

    // A capture ends when the profiler goes; the engine then exits normally on SIGTERM.
    profiler.shutdown(Shutdown::Both).unwrap();
    drop(events);
    let status = engine.terminate();
    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn a_profiler_of_another_protocol_version_is_refused() {
    let engine = Engine::start();

    let mut stream = engine.connect();
    assert_eq!(
        handshake(&mut stream, PROTOCOL_VERSION + 1),
        HANDSHAKE_PROTOCOL_MISMATCH
    );
    let mut rest = Vec::new();
    stream
        .read_to_end(&mut rest)
        .expect("the client closes the connection");
    assert!(rest.is_empty(), "nothing follows a mismatch: {rest:?}");

    // A connection that is not a profiler's gets no answer and is closed.
    let mut stream = engine.connect();
    stream.write_all(b"NotTracy").unwrap();
    let mut rest = Vec::new();
    stream
        .read_to_end(&mut rest)
        .expect("the client closes the connection");
    assert!(rest.is_empty(), "no answer to a stranger: {rest:?}");

    // The right version is still welcomed after both.
    let mut stream = engine.connect();
    assert_eq!(handshake(&mut stream, PROTOCOL_VERSION), HANDSHAKE_WELCOME);
    read_welcome(&mut stream);
    drop(stream);

    // One capture per run: once the profiler has gone, the next one is told so.
    let mut stream = engine.connect();
    assert_eq!(
        handshake(&mut stream, PROTOCOL_VERSION),
        HANDSHAKE_NOT_AVAILABLE
    );
    drop(stream);
    let status = engine.terminate();
    assert!(status.success(), "exit status {status:?}");
}
