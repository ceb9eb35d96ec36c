//! `cargo bench --bench large_manuscript`: a 20 MB manuscript of ordinary prose (52 chapters of
//! generated paragraphs, some 9,600 pages), built in every format in a fresh process. The target
//! (issue 22): within 20 s and 1 GB on the 2-core machine, and time linear in the length.

mod common;

use std::path::{Path, PathBuf};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const RUNS: usize = 3;

const WORDS: &str = "\
    the of and to in a is that for it as was with be by on not this are or from at which but \
    have they were there been one all we their has would when what out into about them more \
    time some could these two first then like over such even most made after also many before \
    must through years where much should because each people little state world still work \
    between both life being under never another while great against workers union strike \
    government newspaper solidarity movement organisation cooperative neighbourhood copper \
    nationalisation";

/// A manuscript of about `bytes` bytes: paragraphs of 40 to 160 words, a chapter every 400 KB.
/// A fixed linear congruential generator makes it the same on every run.
fn manuscript(dir: &Path, bytes: usize) -> PathBuf {
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let vocabulary: Vec<&str> = WORDS.split_whitespace().collect();
    let mut text = String::with_capacity(bytes + 4096);
    text.push_str("---\ntitle: Twenty megabytes\nlang: en\n---\n");
    let (mut chapter, mut next_chapter) = (0, 0);
    while text.len() < bytes {
        if text.len() >= next_chapter {
            chapter += 1;
            text.push_str(&format!("\n# Chapter {chapter}\n\n"));
            next_chapter += 400 << 10;
        }
        let words = 40 + next(121);
        for i in 0..words {
            let word = vocabulary[next(vocabulary.len())];
            if i == 0 {
                let mut chars = word.chars();
                let first = chars.next().unwrap().to_ascii_uppercase();
                text.push(first);
                text.push_str(chars.as_str());
            } else {
                text.push(' ');
                text.push_str(word);
            }
        }
        text.push_str(".\n\n");
    }
    let path = dir.join(format!("prose-{}mb.md", bytes >> 20));
    std::fs::write(&path, text).expect("the manuscript is written");
    path
}

fn main() {
    if common::run_child_if_asked() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("manuscripts")).unwrap();
    for mb in [5, 10, 20] {
        let path = manuscript(&dir.path().join("manuscripts"), mb << 20);
        let (ms, peak) = common::median_build(&path, &dir.path().join("dist"), RUNS);
        let target = if mb == 20 {
            common::targets_20s_1gb(ms, peak)
        } else {
            String::new()
        };
        println!(
            "all formats, {mb:>2} MB of prose {ms:>9.1} ms {:.0} ms/MB, {peak:>6.0} MB, median of {RUNS} {target}",
            ms / mb as f64
        );
    }
}
