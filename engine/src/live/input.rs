//! What feeds the engine's channel: messages from clients, file-system changes, configuration
//! changes and the shutdown signal. Every input carries the instant it arrived, so the tick that
//! handles it can record its edit-to-emit latency.

use std::path::PathBuf;
use std::time::Instant;

use crossbeam_channel::Sender;

use super::protocol::{Envelope, Rejection};

/// Identifies one client connection (the socket's n-th accepted connection, or stdin).
pub type ClientId = u64;

/// Where the replies of one client go: its writer thread writes each line followed by `\n`.
pub type Replies = Sender<String>;

/// One input of the tick loop.
#[derive(Debug)]
pub enum Input {
    /// A well-formed request from a client.
    Message {
        client: ClientId,
        envelope: Envelope,
        reply: Replies,
        at: Instant,
    },
    /// A line that is not a valid request: it is answered with its reason and changes nothing.
    Malformed {
        rejection: Rejection,
        reply: Replies,
    },
    /// A client went away: the documents it opened are closed.
    Disconnected { client: ClientId },
    /// Debounced file-system changes under the root (each path once, with whether it exists
    /// now).
    Files {
        changes: Vec<FileChange>,
        at: Instant,
    },
    /// The configuration file changed (or appeared, or vanished).
    ConfigChanged { at: Instant },
    /// SIGINT or SIGTERM, or the end of `--stdin`: close the ring and exit 0.
    Shutdown { why: &'static str },
}

/// A path under the root that changed on disk: a file (created, modified, renamed here), or a
/// path that no longer exists (a deleted or renamed-away file or directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    pub path: PathBuf,
    pub exists: bool,
}
