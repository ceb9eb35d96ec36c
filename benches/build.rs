//! `cargo bench`: times whole `roneo build` processes (cold: a fresh process each run, as a
//! user or CI runs it) on the example manuscripts. Targets live here, never in tests.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 30;

/// Median wall time of `RUNS` runs of `roneo args…`.
fn time(args: &[&str]) -> Duration {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_roneo"))
                .args(args)
                .args(["--out", out.path().to_str().unwrap()])
                .current_dir(repo)
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success(), "roneo {args:?} failed");
            start.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(name: &str, target_ms: Option<f64>, args: &[&str]) {
    let ms = time(args).as_secs_f64() * 1000.0;
    let verdict = match target_ms {
        Some(t) if ms <= t => format!("(target < {t} ms: met)"),
        Some(t) => format!("(target < {t} ms: MISSED)"),
        None => String::new(),
    };
    println!("{name:<48} {ms:>8.1} ms median of {RUNS} {verdict}");
}

fn main() {
    // `--force`: every run really builds (the cache would skip all but the first).
    let seed = [
        "build",
        "manuscripts/chile-1973",
        "--format",
        "epub",
        "--force",
    ];
    report(
        "EPUB, seed article (chile-1973), cold process",
        Some(30.0),
        &seed,
    );
    report(
        "PDF, seed pamphlet (chile-1973), cold process",
        Some(20.0),
        &[
            "build",
            "manuscripts/chile-1973",
            "--format",
            "pdf",
            "--force",
        ],
    );
    report(
        "EPUB, every example manuscript, cold process",
        None,
        &["build", "--format", "epub", "--force"],
    );
    report(
        "all formats, every example manuscript",
        None,
        &["build", "--force"],
    );
    // After the first run everything is current: the cache check alone.
    report(
        "no-op rebuild of every example manuscript",
        Some(50.0),
        &["build"],
    );
}
