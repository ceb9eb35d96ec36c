//! `cargo bench --bench long_word`: a manuscript whose body is one unbreakable word, built in
//! every format in a fresh process, at three lengths: the time and memory per character must
//! stay the same (linear), where the line breaking, shaping and hyphenation were quadratic.

use roneo::build::{BookletOptions, BuildOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 3;

/// The process's peak resident memory, in MB (Linux).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// In the child process: one build of every format, then its time and peak memory.
fn child(path: &Path, out: &Path) {
    let options = BuildOptions {
        paths: vec![path.to_path_buf()],
        out_dir: Some(out.to_path_buf()),
        formats: Vec::new(),
        use_cache: false,
        booklet: BookletOptions::default(),
    };
    let start = Instant::now();
    let report = roneo::build::build(&options, &|_| {}).expect("builds");
    assert!(!report.has_errors(), "the long word builds");
    println!(
        "{} {}",
        start.elapsed().as_secs_f64() * 1000.0,
        peak_memory_mb().unwrap_or(f64::NAN)
    );
}

fn manuscript(dir: &Path, chars: usize) -> PathBuf {
    let path = dir.join(format!("word-{chars}.md"));
    let text = format!(
        "---\ntitle: One word\nlang: en\n---\nBefore {} after.\n",
        "x".repeat(chars)
    );
    std::fs::write(&path, text).expect("the manuscript is written");
    path
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]), Path::new(&args[i + 2]));
        return;
    }
    let me = std::env::current_exe().expect("the bench knows itself");
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("manuscripts")).unwrap();
    for chars in [1 << 18, 1 << 19, 1 << 20] {
        let path = manuscript(&dir.path().join("manuscripts"), chars);
        let mut runs: Vec<(f64, f64)> = (0..RUNS)
            .map(|_| {
                let out = Command::new(&me)
                    .arg("--child")
                    .arg(&path)
                    .arg(dir.path().join("dist"))
                    .output()
                    .expect("the child runs");
                assert!(out.status.success(), "the child failed: {out:?}");
                let text = String::from_utf8_lossy(&out.stdout);
                let v: Vec<f64> = text
                    .split_whitespace()
                    .map(|x| x.parse().unwrap())
                    .collect();
                (v[0], v[1])
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (ms, mb) = runs[RUNS / 2];
        let target = if chars == 1 << 20 {
            let met = |ok: bool| if ok { "met" } else { "MISSED" };
            format!(
                "(targets < 20000 ms: {}, < 1024 MB: {})",
                met(ms < 20_000.0),
                met(mb < 1024.0)
            )
        } else {
            String::new()
        };
        println!(
            "all formats, one word of {:>7} characters {ms:>9.1} ms {:.2} µs/char, {mb:>6.0} MB, median of {RUNS} {target}",
            chars,
            ms * 1000.0 / chars as f64
        );
    }
}
