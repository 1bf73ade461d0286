//! `--metrics-addr`: a minimal HTTP/1.1 server for Prometheus. `GET /metrics` asks the engine
//! thread for a [`Snapshot`] (taken between ticks, so a scrape never slows a tick down) and
//! renders it here, on the server's thread. Anything else gets 404, other methods on
//! `/metrics` 405. One connection at a time, closed after each response; requests are read with
//! a deadline and a size limit, so a stuck or hostile client cannot hold the engine.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use anyhow::Context;
use codepulse_observe::Snapshot;
use crossbeam_channel::Sender;

use super::input::Input;

/// How long a client may take to send its request, and the engine to answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// Request heads larger than this are refused.
const MAX_HEAD: u64 = 16 * 1024;

/// Binds `addr` and serves it on a thread; the bound address (port 0 picks one).
pub fn serve(addr: SocketAddr, inputs: Sender<Input>) -> anyhow::Result<SocketAddr> {
    let listener =
        TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr} for metrics"))?;
    let bound = listener.local_addr()?;
    std::thread::Builder::new()
        .name("codepulse-metrics".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                if handle(stream, &inputs).is_err() {
                    // A client that went away or sent garbage: nothing to keep.
                }
            }
        })
        .context("cannot start the metrics thread")?;
    Ok(bound)
}

fn handle(stream: TcpStream, inputs: &Sender<Input>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    let mut reader = BufReader::new((&stream).take(MAX_HEAD));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Read (and ignore) the headers up to the blank line.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let mut out = &stream;
    if path != "/metrics" {
        return respond(
            &mut out,
            "404 Not Found",
            "text/plain",
            "not found: try /metrics\n",
            &[],
        );
    }
    if method != "GET" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            "only GET\n",
            &["Allow: GET"],
        );
    }
    let (tx, rx) = crossbeam_channel::bounded::<Snapshot>(1);
    if inputs.send(Input::Scrape { reply: tx }).is_err() {
        return respond(
            &mut out,
            "503 Service Unavailable",
            "text/plain",
            "stopping\n",
            &[],
        );
    }
    match rx.recv_timeout(TIMEOUT) {
        Ok(snapshot) => {
            let body = snapshot.render();
            respond(
                &mut out,
                "200 OK",
                "text/plain; version=0.0.4; charset=utf-8",
                &body,
                &[],
            )
        }
        Err(_) => respond(
            &mut out,
            "503 Service Unavailable",
            "text/plain",
            "busy\n",
            &[],
        ),
    }
}

fn respond(
    out: &mut impl Write,
    status: &str,
    content_type: &str,
    body: &str,
    extra: &[&str],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for h in extra {
        head.push_str(h);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())?;
    out.flush()
}
