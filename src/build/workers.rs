//! A fixed number of workers, each building one manuscript at a time on a rayon pool of its own.
//!
//! Why not rayon's global pool over the manuscripts: krilla defers its images and page streams
//! as rayon jobs, and a thread waiting for one runs whatever job is queued meanwhile, which in a
//! shared pool is another manuscript's whole build, which waits in turn. The nesting (and the
//! memory of the books held half-made in it) grew with the catalogue until a stack overflowed.
//! In a worker's own pool every queued job belongs to the manuscript it is building.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

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
/// An item whose `f` panics gets `panicked(item, what)` instead (`what`: the panic's message and
/// where in roneo it was), and the other items go on.
pub fn run<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(&T) -> R + Sync,
    panicked: impl Fn(&T, String) -> R + Sync,
) -> Vec<R> {
    record_panics();
    let jobs = jobs.max(1);
    let workers = jobs.min(items.len()).max(1);
    let threads_each = (jobs / workers).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let (next, results, f, panicked) = (&next, &results, &f, &panicked);
            std::thread::Builder::new()
                .name("roneo-worker".into())
                .spawn_scoped(scope, move || {
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads_each)
                        .stack_size(STACK)
                        .thread_name(move |i| format!("{POOL}{worker}-{i}"))
                        .build()
                        .expect("start a worker's threads");
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        let result = pool
                            .install(|| catch_unwind(AssertUnwindSafe(|| f(item))))
                            .unwrap_or_else(|payload| {
                                let place = PANICS
                                    .lock()
                                    .unwrap_or_else(|e| e.into_inner())
                                    .remove(&worker);
                                panicked(item, describe(payload.as_ref(), place))
                            });
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

/// The names of the pool threads: this, the worker's number, `-`, the thread's.
const POOL: &str = "roneo-pool-";

/// Where the latest panic on each worker's pool happened, until the worker reports it.
static PANICS: Mutex<BTreeMap<usize, String>> = Mutex::new(BTreeMap::new());

/// A panic on a pool thread is recorded for its worker's diagnostic instead of printed (its
/// payload does not say where it happened); with `RUST_BACKTRACE` set it is printed too.
/// Panics elsewhere are left to the hook there was.
fn record_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let worker = std::thread::current().name().and_then(|n| {
                n.strip_prefix(POOL)?
                    .split('-')
                    .next()?
                    .parse::<usize>()
                    .ok()
            });
            let Some(worker) = worker else {
                return previous(info);
            };
            if let Some(place) = info.location() {
                PANICS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .entry(worker)
                    .or_insert_with(|| place.to_string());
            }
            if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
                previous(info);
            }
        }));
    });
}

/// A panic's message, and where it was when known.
fn describe(payload: &(dyn std::any::Any + Send), place: Option<String>) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic with no message");
    match place {
        Some(place) => format!("{message} (at {place})"),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_in_order_whatever_the_jobs() {
        let items: Vec<usize> = (0..50).collect();
        for jobs in [0, 1, 2, 7, 80] {
            assert_eq!(
                run(&items, jobs, |i| i * 2, |_, _| 0),
                (0..50).map(|i| i * 2).collect::<Vec<_>>()
            );
        }
        assert!(run(&[] as &[usize], 2, |i| *i, |_, _| 0).is_empty());
    }

    #[test]
    fn a_panic_is_that_items_result_and_the_others_go_on() {
        let items: Vec<usize> = (0..6).collect();
        let results = run(
            &items,
            2,
            |&i| {
                if i == 3 {
                    // On another pool thread too, as krilla's jobs are.
                    rayon::join(|| panic!("item {i} failed"), || ());
                }
                format!("ok {i}")
            },
            |&i, what| format!("panicked {i}: {what}"),
        );
        assert_eq!(&results[..3], ["ok 0", "ok 1", "ok 2"]);
        assert!(
            results[3].starts_with("panicked 3: item 3 failed (at src/build/workers.rs:"),
            "{}",
            results[3]
        );
        assert_eq!(&results[4..], ["ok 4", "ok 5"]);
    }

    #[test]
    fn a_worker_runs_only_its_own_manuscripts_jobs() {
        // Each item is on a pool of one thread: the pool thread is the same for all the
        // item's rayon work, and no two items share a pool thread at once.
        let items: Vec<usize> = (0..8).collect();
        let busy = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        run(
            &items,
            2,
            |_| {
                let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let (a, b) = rayon::join(|| rayon::current_num_threads(), || 1);
                std::thread::sleep(std::time::Duration::from_millis(5));
                busy.fetch_sub(1, Ordering::SeqCst);
                assert_eq!((a, b), (1, 1));
            },
            |_, what| panic!("{what}"),
        );
        assert!(most.load(Ordering::SeqCst) <= 2);
    }
}
