//! `cargo bench --bench pdf`: times the PDF pipeline in process (load, typeset, write) on the
//! seed pamphlet, the long fixture text and a generated 160,000-word novel, the last on one
//! core in a fresh process so its peak memory is its own. Targets live here, never in tests.

#[path = "../tests/common/novel.rs"]
mod novel;

use novel::novel;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 20;
/// The novel's length, as issue 3 sets it.
const NOVEL_WORDS: usize = 160_000;

/// Time spent in each stage of one run.
#[derive(Clone, Copy, Default)]
struct Stages {
    load: Duration,
    typeset: Duration,
    pdf: Duration,
    pages: usize,
}

impl Stages {
    fn total(&self) -> Duration {
        self.load + self.typeset + self.pdf
    }
}

/// One run of load → typeset → PDF.
fn run(path: &Path) -> Stages {
    let start = Instant::now();
    let root = roneo::manuscript::project_root(path);
    let project = roneo::manuscript::Project::open(&root, &mut Default::default());
    let (loaded, mut diags) = roneo::build::load(path, &project);
    let (_, doc) = loaded.expect("loads");
    let style = roneo::style::resolve(&doc.meta.style, &project.root, &mut diags);
    assert!(!diags.has_errors(), "{} has errors", path.display());
    let style = style.expect("style resolves").style;
    let load = start.elapsed();
    let (layout, _) = roneo::typeset::typeset(&doc, &style).expect("typesets");
    let typeset = start.elapsed() - load;
    let pages = layout.pages.len();
    let bytes = roneo::pdf::write(layout, None, None).expect("writes");
    assert!(!bytes.is_empty());
    Stages {
        load,
        typeset,
        pdf: start.elapsed() - load - typeset,
        pages,
    }
}

/// The run with the median total of `runs` runs.
fn median(path: &Path, runs: usize) -> Stages {
    let mut all: Vec<Stages> = (0..runs).map(|_| run(path)).collect();
    all.sort_by_key(Stages::total);
    all[runs / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn verdict(value: f64, target: Option<f64>, unit: &str) -> String {
    match target {
        Some(t) if value <= t => format!("(target < {t} {unit}: met)"),
        Some(t) => format!("(target < {t} {unit}: MISSED)"),
        None => String::new(),
    }
}

fn report(name: &str, target_ms: Option<f64>, path: &Path, runs: usize) -> Stages {
    let s = median(path, runs);
    println!(
        "{name:<36} {:>7.1} ms (load {:.1}, typeset {:.1}, PDF {:.1}), {} pages, median of {runs} {}",
        ms(s.total()),
        ms(s.load),
        ms(s.typeset),
        ms(s.pdf),
        s.pages,
        verdict(ms(s.total()), target_ms, "ms")
    );
    s
}

/// The process's peak resident memory, in MB (Linux).
fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// In the child process: one run on one thread, then the time and the peak memory.
fn child(path: &Path) {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global()
        .expect("the first pool");
    let s = run(path);
    println!(
        "{} {} {} {} {}",
        ms(s.load),
        ms(s.typeset),
        ms(s.pdf),
        s.pages,
        peak_memory_mb().unwrap_or(f64::NAN)
    );
}

/// The novel in fresh processes pinned to one core (`taskset` where there is one).
fn novel_report(name: &str, path: &Path, words: usize, targets: Option<(f64, f64)>) -> f64 {
    let me = std::env::current_exe().expect("the bench knows itself");
    let taskset = Command::new("taskset").arg("-V").output().is_ok();
    let mut runs: Vec<(f64, f64, f64, usize, f64)> = (0..5)
        .map(|_| {
            let mut cmd = if taskset {
                let mut c = Command::new("taskset");
                c.args(["-c", "0"]).arg(&me);
                c
            } else {
                Command::new(&me)
            };
            let out = cmd
                .args(["--child"])
                .arg(path)
                .output()
                .expect("the child runs");
            assert!(out.status.success(), "the child failed: {out:?}");
            let text = String::from_utf8_lossy(&out.stdout);
            let v: Vec<&str> = text.split_whitespace().collect();
            (
                v[0].parse().unwrap(),
                v[1].parse().unwrap(),
                v[2].parse().unwrap(),
                v[3].parse().unwrap(),
                v[4].parse().unwrap(),
            )
        })
        .collect();
    runs.sort_by(|a, b| (a.0 + a.1 + a.2).total_cmp(&(b.0 + b.1 + b.2)));
    let (load, typeset, pdf, pages, memory) = runs[runs.len() / 2];
    let total = load + typeset + pdf;
    let peak = runs.iter().map(|r| r.4).fold(0.0, f64::max);
    println!(
        "{name:<36} {total:>7.1} ms (load {load:.1}, typeset {typeset:.1}, PDF {pdf:.1}), {pages} pages, \
         {:.2} ms per 1,000 words, {memory:.0} MB (most of 5: {peak:.0} MB), one core, median of 5 {} {}",
        total / (words as f64 / 1000.0),
        verdict(total, targets.map(|t| t.0), "ms"),
        verdict(peak, targets.map(|t| t.1), "MB"),
    );
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    report(
        "PDF, seed pamphlet (chile-1973)",
        Some(20.0),
        &repo.join("manuscripts/chile-1973"),
        RUNS,
    );
    report(
        "PDF, long fixture text",
        None,
        &repo.join("tests/fixtures/long"),
        RUNS,
    );
    // Time should grow linearly with length: the same cost per word at each size.
    let dir = tempfile::tempdir().expect("a temporary folder");
    for words in [NOVEL_WORDS / 4, NOVEL_WORDS / 2] {
        let path = novel(dir.path(), words);
        novel_report(&format!("PDF, novel of {words} words"), &path, words, None);
    }
    let path = novel(dir.path(), NOVEL_WORDS);
    novel_report(
        &format!("PDF, novel of {NOVEL_WORDS} words"),
        &path,
        NOVEL_WORDS,
        Some((500.0, 150.0)),
    );
}
