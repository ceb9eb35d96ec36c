//! A fixed number of workers, each building one manuscript at a time on a rayon pool of its own.
//!
//! Why not rayon's global pool over the manuscripts: krilla defers its images and page streams
//! as rayon jobs, and a thread waiting for one runs whatever job is queued meanwhile, which in a
//! shared pool is another manuscript's whole build, which waits in turn. The nesting (and the
//! memory of the books held half-made in it) grew with the catalogue until a stack overflowed.
//! In a worker's own pool every queued job belongs to the manuscript it is building.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Stack of each pool thread. The document walks recurse as deep as the nesting (at most
/// [`crate::document::MAX_DEPTH`]); a debug build needs tens of MiB for the deepest accepted
/// book. Reserved, not committed: untouched pages cost nothing.
const STACK: usize = 64 << 20;

/// Workers when `--jobs` is not given: one per core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over every item on `jobs` threads in all, results in the items' order. With fewer items
/// than jobs, the spare threads join the workers' pools (one manuscript still uses every core).
pub fn run<T: Sync, R: Send>(items: &[T], jobs: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let jobs = jobs.max(1);
    let workers = jobs.min(items.len()).max(1);
    let threads_each = (jobs / workers).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (next, results, f) = (&next, &results, &f);
            std::thread::Builder::new()
                .name("roneo-worker".into())
                .spawn_scoped(scope, move || {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads_each)
                        .stack_size(STACK)
                        .thread_name(|i| format!("roneo-pool-{i}"))
                        .build()
                        .expect("start a worker's threads");
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = pool.install(|| f(item));
                        results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
                    }
                })
                .expect("start a worker thread");
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item was run"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_in_order_whatever_the_jobs() {
        let items: Vec<usize> = (0..50).collect();
        for jobs in [0, 1, 2, 7, 80] {
            assert_eq!(
                run(&items, jobs, |i| i * 2),
                (0..50).map(|i| i * 2).collect::<Vec<_>>()
            );
        }
        assert!(run(&[] as &[usize], 2, |i| *i).is_empty());
    }

    #[test]
    fn a_worker_runs_only_its_own_manuscripts_jobs() {
        // Each item is on a pool of one thread: the pool thread is the same for all the
        // item's rayon work, and no two items share a pool thread at once.
        let items: Vec<usize> = (0..8).collect();
        let busy = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        run(&items, 2, |_| {
            let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            let (a, b) = rayon::join(|| rayon::current_num_threads(), || 1);
            std::thread::sleep(std::time::Duration::from_millis(5));
            busy.fetch_sub(1, Ordering::SeqCst);
            assert_eq!((a, b), (1, 1));
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
    }
}
