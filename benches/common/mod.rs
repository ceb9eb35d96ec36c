//! What the benchmarks that build one manuscript in a fresh process share: the child's build and
//! its report of time and peak memory.

use roneo::build::{BookletOptions, BuildOptions};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The process's peak resident memory, in MB (Linux).
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// In the child process: one build of every format, then its time (ms) and peak memory (MB).
pub fn child(path: &Path, out: &Path) {
    let options = BuildOptions {
        paths: vec![path.to_path_buf()],
        out_dir: Some(out.to_path_buf()),
        formats: Vec::new(),
        use_cache: false,
        booklet: BookletOptions::default(),
        jobs: roneo::build::default_jobs(),
        shard: None,
        deny_warnings: false,
    };
    let start = Instant::now();
    let report = roneo::build::build(&options, &|_| {}).expect("builds");
    assert!(!report.has_errors(), "{} builds", path.display());
    println!(
        "{} {}",
        start.elapsed().as_secs_f64() * 1000.0,
        peak_memory_mb().unwrap_or(f64::NAN)
    );
}

/// If this process was started as a child (`--child MANUSCRIPT OUT`), builds and returns true.
pub fn run_child_if_asked() -> bool {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().position(|a| a == "--child") {
        Some(i) => {
            child(Path::new(&args[i + 1]), Path::new(&args[i + 2]));
            true
        }
        None => false,
    }
}

/// Builds `path` in `runs` fresh processes; the median run's (ms, MB).
pub fn median_build(path: &Path, out: &Path, runs: usize) -> (f64, f64) {
    let me = std::env::current_exe().expect("the bench knows itself");
    let mut results: Vec<(f64, f64)> = (0..runs)
        .map(|_| {
            let output = Command::new(&me)
                .arg("--child")
                .arg(path)
                .arg(out)
                .output()
                .expect("the child runs");
            assert!(output.status.success(), "the child failed: {output:?}");
            let text = String::from_utf8_lossy(&output.stdout);
            let v: Vec<f64> = text
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            (v[0], v[1])
        })
        .collect();
    results.sort_by(|a, b| a.0.total_cmp(&b.0));
    results[runs / 2]
}

/// The targets for one build of a huge input: within 20 s and 1 GB.
pub fn targets_20s_1gb(ms: f64, mb: f64) -> String {
    let met = |ok: bool| if ok { "met" } else { "MISSED" };
    format!(
        "(targets < 20000 ms: {}, < 1024 MB: {})",
        met(ms < 20_000.0),
        met(mb < 1024.0)
    )
}
