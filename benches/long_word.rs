//! `cargo bench --bench long_word`: a manuscript whose body is one unbreakable word, built in
//! every format in a fresh process, at three lengths: the time and memory per character must
//! stay the same (linear), where the line breaking, shaping and hyphenation were quadratic.

mod common;

use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 3;

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
    if common::run_child_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("manuscripts")).unwrap();
    for chars in [1 << 18, 1 << 19, 1 << 20] {
        let path = manuscript(&dir.path().join("manuscripts"), chars);
        let (ms, mb) = common::median_build(&path, &dir.path().join("dist"), RUNS);
        let target = if chars == 1 << 20 {
            common::targets_20s_1gb(ms, mb)
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
