//! `cargo bench --bench citations`: a manuscript with 500 citations (author-date, then a note
//! style) against the same text without them, each built in every format in a fresh process.
//! The target (issue 16): within 20 % of the text without citations.

// The shared harness; this bench reports its own target.
#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 5;
const CITATIONS: usize = 500;
const ENTRIES: usize = 60;

const WORDS: &str = "\
    the of and to in a is that for it as was with be by on not this are or from at which but \
    have they were there been one all we their has would when what out into about them more \
    workers union strike government newspaper solidarity movement organisation cooperative";

/// The bibliography: books and articles by `ENTRIES` authors.
fn bibliography() -> String {
    let mut bib = String::new();
    for i in 0..ENTRIES {
        if i % 2 == 0 {
            bib.push_str(&format!(
                "@book{{work{i},\n  author = {{Author{i}, Given}},\n  title = {{A Book about the Movement, Part {i}}},\n  publisher = {{Example Press}},\n  address = {{London}},\n  year = {{{}}}\n}}\n\n",
                1900 + i
            ));
        } else {
            bib.push_str(&format!(
                "@article{{work{i},\n  author = {{Author{i}, Given and Other{i}, Second}},\n  title = {{On the Strike of {}}},\n  journaltitle = {{Review of Labour}},\n  volume = {{{i}}},\n  pages = {{1--20}},\n  year = {{{}}}\n}}\n\n",
                1900 + i,
                1900 + i
            ));
        }
    }
    bib
}

/// The manuscript: paragraphs of 60 words, each ending in a citation when `cite`.
fn manuscript(dir: &Path, name: &str, cite: bool, style: &str) -> PathBuf {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut text = "---\ntitle: Citations\nlang: en\n".to_string();
    if cite {
        text.push_str(&format!("bibliography: works.bib\ncsl: {style}\n"));
    }
    text.push_str("---\n\n");
    for n in 0..CITATIONS {
        if n % 50 == 0 {
            text.push_str(&format!("# Chapter {}\n\n", n / 50 + 1));
        }
        for i in 0..60 {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(words[(n * 7 + i * 13) % words.len()]);
        }
        if cite {
            match n % 3 {
                0 => text.push_str(&format!(" [@work{}, p. {}]", n % ENTRIES, n + 1)),
                1 => text.push_str(&format!(
                    " [see @work{}; @work{}]",
                    n % ENTRIES,
                    (n + 7) % ENTRIES
                )),
                _ => text.push_str(&format!(" as @work{} shows", n % ENTRIES)),
            }
        }
        text.push_str(".\n\n");
    }
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("works.bib"), bibliography()).unwrap();
    std::fs::write(folder.join("index.md"), text).unwrap();
    folder
}

fn main() {
    if common::run_child_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let manuscripts = dir.path().join("manuscripts");
    let plain = manuscript(&manuscripts, "plain", false, "");
    let (base, _) = common::median_build(&plain, &dir.path().join("dist"), RUNS);
    println!("all formats, 500 paragraphs without citations {base:>9.1} ms, median of {RUNS}");
    for style in ["chicago-author-date", "chicago-notes"] {
        let cited = manuscript(&manuscripts, style, true, style);
        let (ms, peak) = common::median_build(&cited, &dir.path().join("dist"), RUNS);
        let over = (ms / base - 1.0) * 100.0;
        let verdict = if over <= 20.0 { "met" } else { "MISSED" };
        println!(
            "all formats, {CITATIONS} citations, {style:<20} {ms:>9.1} ms, {over:+.1} %, {peak:.0} MB, median of {RUNS} (target within 20 %: {verdict})"
        );
    }
}
