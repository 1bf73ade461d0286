//! Parallelism inside systems: runs a closure over a slice of work items on exactly the
//! configured number of threads (the calling thread is one of them), handing out items one at a
//! time so that threads finish together. Callers sort items largest first.
//!
//! The heavy stages (parse, measure) use this rather than bevy's `par_iter`, which runs on the
//! compute task pool *plus* the calling thread (one thread more than `--threads`) and splits a
//! table into fixed batches regardless of how many rows match the query's filter.

use std::sync::atomic::{AtomicUsize, Ordering};

use bevy_ecs::resource::Resource;

/// How many threads the systems' parallel stages use (the engine sets it from `--threads`).
#[derive(Resource, Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkerThreads(pub usize);

impl Default for WorkerThreads {
    fn default() -> Self {
        WorkerThreads(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

/// Calls `f` on every item, on up to `threads` threads.
pub fn for_each<T: Sync>(items: &[T], threads: usize, f: impl Fn(&T) + Sync) {
    let threads = threads.min(items.len());
    if threads <= 1 {
        items.iter().for_each(f);
        return;
    }
    for_each_indexed(items, threads, |_, item| f(item));
}

/// `f` of every item, in the items' order, computed on up to `threads` threads.
pub fn map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if threads.min(items.len()) <= 1 {
        return items.iter().map(f).collect();
    }
    let done = std::sync::Mutex::new(Vec::with_capacity(items.len()));
    for_each_indexed(items, threads, |i, item| {
        let r = f(item);
        done.lock().expect("no panic while held").push((i, r));
    });
    let mut done = done.into_inner().expect("no panic while held");
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// [`for_each`] with each item's index.
fn for_each_indexed<T: Sync>(items: &[T], threads: usize, f: impl Fn(usize, &T) + Sync) {
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            f(i, item);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads.min(items.len()) {
            scope.spawn(work);
        }
        work();
    });
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn every_item_once_at_any_thread_count() {
        for threads in [0, 1, 2, 3, 8] {
            for len in [0, 1, 2, 7, 100] {
                let items: Vec<usize> = (0..len).collect();
                let seen = Mutex::new(Vec::new());
                for_each(&items, threads, |&i| seen.lock().expect("no panic").push(i));
                let mut seen = seen.into_inner().expect("no panic");
                seen.sort_unstable();
                assert_eq!(seen, items, "threads {threads}, len {len}");
            }
        }
    }

    #[test]
    fn map_keeps_the_order_at_any_thread_count() {
        for threads in [0, 1, 2, 3, 8] {
            for len in [0, 1, 2, 7, 100] {
                let items: Vec<usize> = (0..len).collect();
                let squares = map(&items, threads, |&i| i * i);
                let expected: Vec<usize> = items.iter().map(|i| i * i).collect();
                assert_eq!(squares, expected, "threads {threads}, len {len}");
            }
        }
    }
}
