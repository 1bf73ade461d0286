//! The emit step: drains the gate's [`Outbox`] into the workspace's ring (docs/ring.md), paths
//! first so a consumer can resolve every payload's `file_hash` as soon as it sees it.

use std::path::{Path, PathBuf};

use bevy_ecs::world::World;
use codepulse_components::{Config, DefectPayload, Outbox};
use codepulse_ring::{Producer, RingError, monotonic_ns};

/// The producer side of the engine: one ring, fed from the [`Outbox`] after each tick.
#[derive(Debug)]
pub struct Emitter {
    producer: Producer,
}

/// What one [`Emitter::drain`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Drained {
    pub pushed: usize,
    pub dropped: usize,
    pub paths: usize,
}

impl Emitter {
    /// Opens (or creates) the ring of the workspace `root` (canonical) with `capacity` slots
    /// and starts a new producer epoch.
    pub fn open(root: &Path, capacity: u64) -> Result<Emitter, RingError> {
        Ok(Emitter {
            producer: Producer::for_root(root, capacity)?,
        })
    }

    pub fn ring(&self) -> &Path {
        self.producer.path()
    }

    pub fn epoch(&self) -> u64 {
        self.producer.epoch()
    }

    /// Registers the outbox's paths, then pushes its payloads (stamped with CLOCK_MONOTONIC
    /// now where the gate left the timestamp 0) and publishes them at once, never blocking:
    /// payloads that do not fit are dropped, counted and flagged in the ring. Empties the
    /// outbox.
    pub fn drain(&mut self, outbox: &mut Outbox) -> anyhow::Result<Drained> {
        let mut drained = Drained::default();
        for (hash, path) in outbox.paths.drain(..) {
            let registered = self.producer.register_path(&path)?;
            anyhow::ensure!(
                registered == hash,
                "the gate's hash {hash:#x} of `{}` is not the ring's {registered:#x}",
                path.display()
            );
            drained.paths += 1;
        }
        let now = monotonic_ns();
        for payload in &mut outbox.payloads {
            if payload.timestamp_ns == 0 {
                payload.timestamp_ns = now;
            }
        }
        // One head update for the whole tick's payloads.
        drained.pushed = self.producer.push_batch(&outbox.payloads);
        drained.dropped = outbox.payloads.len() - drained.pushed;
        outbox.payloads.clear();
        self.producer.heartbeat();
        Ok(drained)
    }

    /// Tells consumers the engine is alive (at least every second while it runs).
    pub fn heartbeat(&self) {
        self.producer.heartbeat();
    }

    /// Serves a resync a consumer asked for, if any: pushes `current()` (the current state of
    /// every file with something to show, as `Resync` payloads) and marks the request served.
    pub fn serve_resync(
        &mut self,
        current: impl FnOnce() -> Vec<DefectPayload>,
    ) -> Option<Drained> {
        let request = self.producer.take_resync_request()?;
        let mut payloads = current();
        let now = monotonic_ns();
        for p in &mut payloads {
            p.timestamp_ns = now;
        }
        let pushed = self.producer.push_batch(&payloads);
        self.producer.resync_done(request);
        Some(Drained {
            pushed,
            dropped: payloads.len() - pushed,
            paths: 0,
        })
    }

    /// Closes the ring: consumers drain it and know this producer is done.
    pub fn close(self) {
        self.producer.close();
    }
}

/// What `codepulse analyze --emit` reports on stderr.
#[derive(Debug)]
pub struct EmitReport {
    pub ring: PathBuf,
    pub epoch: u64,
    pub drained: Drained,
}

/// `analyze --emit`: after the pass, writes everything the gate decided to the ring of `root`
/// (capacity: the configuration's `ring_buffer_size`) and closes it.
pub fn emit_once(world: &mut World, root: &Path) -> anyhow::Result<EmitReport> {
    let capacity = world
        .get_resource::<Config>()
        .map_or(codepulse_ring::DEFAULT_CAPACITY, |c| {
            u64::from(c.ring_buffer_size)
        });
    let mut emitter = open_emitter(root, capacity)?;
    let mut outbox = world
        .get_resource_mut::<Outbox>()
        .map(|mut o| std::mem::take(&mut *o))
        .unwrap_or_default();
    let drained = emitter.drain(&mut outbox)?;
    let report = EmitReport {
        ring: emitter.ring().to_path_buf(),
        epoch: emitter.epoch(),
        drained,
    };
    emitter.close();
    Ok(report)
}

/// Opens the ring of `root` for writing; errors the user must resolve (another engine on this
/// workspace, an unsafe directory) are usage errors.
pub fn open_emitter(root: &Path, capacity: u64) -> anyhow::Result<Emitter> {
    Emitter::open(root, capacity).map_err(|e| {
        let ring = codepulse_ring::ring_path_for_root(root);
        let msg = format!("cannot emit to the ring `{}`: {e}", ring.display());
        match e {
            // The user's to resolve: another engine on this workspace, an unsafe directory,
            // a capacity the configuration should not have allowed.
            RingError::ProducerBusy { .. }
            | RingError::InsecureDir { .. }
            | RingError::BadCapacity { .. } => anyhow::Error::new(crate::UsageError(msg)),
            e => anyhow::Error::new(e).context(msg),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use codepulse_components::{DefectPayload, path_hash};
    use codepulse_ring::Consumer;

    #[test]
    fn drain_registers_paths_then_pushes_and_counts_drops() {
        let dir = tempfile::tempdir().unwrap();
        let ring = dir.path().join("ring-emit");
        let mut emitter = Emitter {
            producer: Producer::open(&ring, 2).unwrap(),
        };
        let a = PathBuf::from("/w/a.rs");
        let hash = path_hash(&a);
        let p = DefectPayload {
            file_hash: hash,
            ..DefectPayload::default()
        };
        let mut outbox = Outbox {
            payloads: vec![
                p,
                DefectPayload { seq: 2, ..p },
                DefectPayload { seq: 3, ..p },
            ],
            paths: vec![(hash, a.clone())],
        };
        let drained = emitter.drain(&mut outbox).unwrap();
        assert_eq!(
            drained,
            Drained {
                pushed: 2,
                dropped: 1,
                paths: 1
            }
        );
        assert!(outbox.payloads.is_empty() && outbox.paths.is_empty());
        emitter.close();

        let mut c = Consumer::attach(&ring).unwrap();
        let st = c.check().unwrap();
        assert!(st.needs_resync);
        assert_eq!(st.drops, 1);
        let first = c.pop().unwrap().unwrap();
        assert!(first.timestamp_ns > 0, "stamped when written");
        assert_eq!(c.resolve(first.file_hash).unwrap(), Some(a.as_path()));
        assert_eq!(c.pop().unwrap().map(|p| p.seq), Some(2));
        assert_eq!(c.pop().unwrap(), None);
    }

    #[test]
    fn a_hash_that_is_not_the_paths_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut emitter = Emitter {
            producer: Producer::open(&dir.path().join("ring-emit"), 2).unwrap(),
        };
        let mut outbox = Outbox {
            payloads: Vec::new(),
            paths: vec![(1, PathBuf::from("/w/a.rs"))],
        };
        assert!(emitter.drain(&mut outbox).is_err());
    }
}
