//! A one-line progress display on stderr, drawn only when stderr is a terminal and the run has
//! lasted longer than [`DELAY`].

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use codepulse_components::Progress;

/// How long a run must last before the progress line appears.
pub const DELAY: Duration = Duration::from_millis(300);
const TICK: Duration = Duration::from_millis(100);

/// The drawing thread; [`ProgressLine::finish`] stops it and clears the line.
#[derive(Debug)]
pub struct ProgressLine {
    stop: Option<(Sender<()>, JoinHandle<()>)>,
}

impl ProgressLine {
    /// Starts drawing `progress` (a clone of the world's resource), if stderr is a terminal.
    pub fn start(progress: Progress, started: Instant) -> ProgressLine {
        if !std::io::stderr().is_terminal() {
            return ProgressLine { stop: None };
        }
        let (tx, rx) = mpsc::channel::<()>();
        let handle = std::thread::spawn(move || {
            let mut drawn = false;
            let mut last = String::new();
            // Until the sender is dropped.
            while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(TICK) {
                if started.elapsed() < DELAY {
                    continue;
                }
                let get = |n: &AtomicU64| n.load(Ordering::Relaxed);
                let line = format!(
                    "codepulse: {} files found, {} loaded, {} parsed, {} measured",
                    get(&progress.discovered),
                    get(&progress.loaded),
                    get(&progress.parsed),
                    get(&progress.measured),
                );
                if line == last {
                    continue;
                }
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
                drawn = true;
                last = line;
            }
            if drawn {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        });
        ProgressLine {
            stop: Some((tx, handle)),
        }
    }

    /// Stops drawing and clears the line.
    pub fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some((tx, handle)) = self.stop.take() {
            drop(tx);
            let _ = handle.join();
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.stop_now();
    }
}
