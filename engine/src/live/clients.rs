//! The edit protocol's transports (docs/protocol.md): a Unix domain socket that any number of
//! clients connect to, or stdin/stdout for one client. Each connection has a reader thread,
//! which splits lines, parses them (`protocol::parse_line`) and stamps their arrival, and a
//! writer thread that writes the engine's reply lines in order.

use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use crossbeam_channel::{Receiver, Sender};

use super::input::{ClientId, Input, Replies};
use super::protocol;

/// Lines longer than this are rejected (and skipped up to the next newline) without being
/// buffered whole: 256 MiB, well above the largest file the engine analyses.
pub const MAX_LINE_BYTES: usize = 256 * 1024 * 1024;

/// The client id of `--stdin`.
pub const STDIN_CLIENT: ClientId = 0;

/// The bound socket; the file is removed when this is dropped.
#[derive(Debug)]
pub struct Socket {
    path: PathBuf,
}

impl Socket {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds the socket at `path` (mode 0600) and serves it on a thread. A socket file left by an
/// engine that is gone is replaced; one that answers belongs to a live engine and is an error.
pub fn serve_socket(path: &Path, inputs: Sender<Input>) -> anyhow::Result<Socket> {
    if path.exists() {
        if UnixStream::connect(path).is_ok() {
            anyhow::bail!(
                "another engine is listening on `{}` (one engine per workspace)",
                path.display()
            );
        }
        std::fs::remove_file(path)
            .with_context(|| format!("cannot remove the stale socket `{}`", path.display()))?;
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    let listener =
        UnixListener::bind(path).with_context(|| format!("cannot bind `{}`", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .with_context(|| format!("cannot restrict `{}` to its owner", path.display()))?;
    std::thread::Builder::new()
        .name("codepulse-accept".into())
        .spawn(move || accept_loop(listener, inputs))
        .context("cannot start the socket thread")?;
    Ok(Socket {
        path: path.to_path_buf(),
    })
}

fn accept_loop(listener: UnixListener, inputs: Sender<Input>) {
    let mut next: ClientId = STDIN_CLIENT + 1;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let client = next;
        next += 1;
        let Ok(write_half) = stream.try_clone() else {
            continue;
        };
        let (replies, _) = spawn_writer(client, write_half);
        let inputs = inputs.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("codepulse-client-{client}"))
            .spawn(move || read_requests(client, stream, replies, &inputs));
        if spawned.is_err() {
            continue;
        }
    }
}

/// Serves one client on stdin/stdout; the end of stdin shuts the engine down.
/// Returns the thread writing the replies to stdout: it ends once every reply sender is gone
/// (the engine waits for it, so the replies to the last messages before the end of stdin are
/// written).
pub fn serve_stdin(inputs: Sender<Input>) -> anyhow::Result<std::thread::JoinHandle<()>> {
    let (replies, writer) = spawn_writer(STDIN_CLIENT, io::stdout());
    std::thread::Builder::new()
        .name("codepulse-stdin".into())
        .spawn(move || {
            read_requests(STDIN_CLIENT, io::stdin().lock(), replies, &inputs);
            let _ = inputs.send(Input::Shutdown {
                why: "end of stdin",
            });
        })
        .context("cannot start the stdin thread")?;
    writer.context("cannot start the stdout thread")
}

/// The writer thread of one client: writes every reply line, flushing when none is queued.
fn spawn_writer(
    client: ClientId,
    out: impl Write + Send + 'static,
) -> (Replies, io::Result<std::thread::JoinHandle<()>>) {
    let (tx, rx): (Sender<String>, Receiver<String>) = crossbeam_channel::unbounded();
    let writer = std::thread::Builder::new()
        .name(format!("codepulse-reply-{client}"))
        .spawn(move || {
            let mut out = BufWriter::new(out);
            while let Ok(line) = rx.recv() {
                let mut ok = writeln!(out, "{line}").is_ok();
                while let Ok(line) = rx.try_recv() {
                    ok &= writeln!(out, "{line}").is_ok();
                }
                if !ok || out.flush().is_err() {
                    // The client is gone; its reader notices too.
                    return;
                }
            }
        });
    (tx, writer)
}

/// Reads lines until the end of the stream, sending each (parsed, or rejected) to the engine.
fn read_requests(client: ClientId, stream: impl Read, replies: Replies, inputs: &Sender<Input>) {
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match read_line(&mut reader, &mut line) {
            Ok(Line::End) | Err(_) => break,
            Ok(Line::TooLong(len)) => {
                let rejection = protocol::Rejection {
                    id: None,
                    op: None,
                    reason: format!(
                        "line of {len} bytes is longer than the limit of {MAX_LINE_BYTES} bytes"
                    ),
                };
                let sent = inputs.send(Input::Malformed {
                    rejection,
                    reply: replies.clone(),
                });
                if sent.is_err() {
                    return;
                }
            }
            Ok(Line::Complete) => {
                let at = Instant::now();
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue; // blank lines are keep-alives
                }
                let input = match protocol::parse_line(&mut line) {
                    Ok(envelope) => Input::Message {
                        client,
                        envelope,
                        reply: replies.clone(),
                        at,
                    },
                    Err(rejection) => Input::Malformed {
                        rejection,
                        reply: replies.clone(),
                    },
                };
                if inputs.send(input).is_err() {
                    return;
                }
            }
        }
    }
    let _ = inputs.send(Input::Disconnected { client });
}

enum Line {
    Complete,
    TooLong(usize),
    End,
}

/// Reads one `\n`-terminated line into `line` (without the newline; a final line without one
/// counts). A line over [`MAX_LINE_BYTES`] is consumed but not kept.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Line> {
    let mut total = 0usize;
    let mut too_long = false;
    loop {
        let (done, used) = {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(if total == 0 {
                    Line::End
                } else if too_long {
                    Line::TooLong(total)
                } else {
                    Line::Complete
                });
            }
            match buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    total += i;
                    if !too_long && total <= MAX_LINE_BYTES {
                        line.extend_from_slice(&buf[..i]);
                    }
                    (true, i + 1)
                }
                None => {
                    total += buf.len();
                    if !too_long && total <= MAX_LINE_BYTES {
                        line.extend_from_slice(buf);
                    }
                    (false, buf.len())
                }
            }
        };
        reader.consume(used);
        if total > MAX_LINE_BYTES && !too_long {
            too_long = true;
            line.clear();
            line.shrink_to_fit();
        }
        if done {
            return Ok(if too_long {
                Line::TooLong(total)
            } else {
                Line::Complete
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut reader = BufReader::with_capacity(4, input);
        let mut out = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            match read_line(&mut reader, &mut line).unwrap() {
                Line::End => return out,
                Line::TooLong(n) => out.push(format!("too long: {n}")),
                Line::Complete => out.push(String::from_utf8(line.clone()).unwrap()),
            }
        }
    }

    #[test]
    fn lines_split_on_newlines_across_buffer_boundaries() {
        assert_eq!(
            lines(b"{\"op\":1}\n\nabc\nlast"),
            ["{\"op\":1}", "", "abc", "last"]
        );
        assert!(lines(b"").is_empty());
    }
}
