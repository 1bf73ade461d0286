//! The status line: when stderr is a terminal, one line redrawn at most once per second;
//! otherwise nothing.

use std::io::Write;
use std::time::{Duration, Instant};

const EVERY: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct StatusLine {
    enabled: bool,
    last: Option<Instant>,
    drawn: bool,
}

impl StatusLine {
    pub fn new(enabled: bool) -> StatusLine {
        StatusLine {
            enabled,
            last: None,
            drawn: false,
        }
    }

    /// Redraws the line with `text()` if a second has passed since the last time.
    pub fn update(&mut self, text: impl FnOnce() -> String) {
        if !self.enabled || self.last.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}", text());
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clears the line (before other output at the end).
    pub fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}
