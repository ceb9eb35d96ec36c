//! `cargo bench --bench pdf`: times the PDF pipeline in process (load, typeset, write) on the
//! seed pamphlet and on the long fixture text. Targets live here, never in tests.

use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 20;

/// Medians of `RUNS` runs of load → typeset → PDF, and of typeset → PDF alone; page count.
fn time(manuscript: &str) -> (Duration, Duration, usize) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(manuscript);
    let mut whole = Vec::new();
    let mut typeset = Vec::new();
    let mut pages = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let root = quire::manuscript::project_root(&path);
        let project = quire::manuscript::Project::open(&root, &mut Default::default());
        let (loaded, diags) = quire::build::load(&path, &project);
        assert!(!diags.has_errors(), "{manuscript} has errors");
        let (_, doc) = loaded.expect("loads");
        let loaded_at = start.elapsed();
        let (layout, _) = quire::typeset::typeset(&doc).expect("typesets");
        let bytes = quire::pdf::write(&layout).expect("writes");
        assert!(!bytes.is_empty());
        pages = layout.pages.len();
        whole.push(start.elapsed());
        typeset.push(start.elapsed() - loaded_at);
    }
    whole.sort();
    typeset.sort();
    (whole[RUNS / 2], typeset[RUNS / 2], pages)
}

fn report(name: &str, target_ms: Option<f64>, manuscript: &str) {
    let (whole, typeset, pages) = time(manuscript);
    let ms = whole.as_secs_f64() * 1000.0;
    let verdict = match target_ms {
        Some(t) if ms <= t => format!("(target < {t} ms: met)"),
        Some(t) => format!("(target < {t} ms: MISSED)"),
        None => String::new(),
    };
    println!(
        "{name:<34} {ms:>7.1} ms ({:.1} ms typeset + PDF), {pages} pages, median of {RUNS} {verdict}",
        typeset.as_secs_f64() * 1000.0
    );
}

fn main() {
    report(
        "PDF, seed pamphlet (chile-1973)",
        Some(20.0),
        "manuscripts/chile-1973",
    );
    report("PDF, long fixture text", None, "tests/fixtures/long");
}
