//! A press's whole catalogue in one project (issue 21): many illustrated manuscripts in one run.

mod common;

use common::*;
use roneo::build::{self, BuildOptions, Format};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

/// A small photograph, its colours from `seed` (each manuscript's images are its own).
fn photo(seed: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([
            (seed * 37 + x * 5) as u8,
            (seed * 11 + y * 7) as u8,
            (seed * 3) as u8,
        ])
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    jpeg
}

/// `n` article folders of a few paragraphs, each with three photographs.
fn catalogue(dir: &Path, n: u32) {
    for i in 0..n {
        let folder = dir.join(format!("manuscripts/article-{i:04}"));
        std::fs::create_dir_all(folder.join("images")).unwrap();
        let mut text = format!("---\ntitle: Article {i}\nlang: en\n---\n\n");
        for k in 0..3 {
            std::fs::write(folder.join(format!("images/{k}.jpg")), photo(i * 3 + k)).unwrap();
            text.push_str(&format!(
                "![Photograph {k} of article {i}.](images/{k}.jpg){{alt=\"Photograph {k}\"}}\n\n\
                 Paragraph {k} of article {i}, long enough to fill a few lines of the page \
                 with words that the typesetter has to break into lines and hyphenate.\n\n"
            ));
        }
        std::fs::write(folder.join("index.md"), text).unwrap();
    }
}

/// Builds every PDF of the catalogue in `dir` in this process; returns how many were written
/// and, for each thread that finished a manuscript, how far apart on its stack (in bytes) the
/// manuscripts finished.
fn build_pdfs(dir: &Path) -> (usize, Vec<usize>) {
    let options = BuildOptions {
        paths: vec![dir.to_path_buf()],
        out_dir: Some(dir.join("dist")),
        formats: vec![Format::Pdf],
        use_cache: true,
        booklet: Default::default(),
        jobs: build::default_jobs(),
        shard: None,
        deny_warnings: false,
    };
    let depths: Mutex<HashMap<std::thread::ThreadId, (usize, usize)>> = Mutex::default();
    let done = |_: &build::ManuscriptReport| {
        let here = 0u8;
        let at = std::hint::black_box(&here) as *const u8 as usize;
        let mut depths = depths.lock().unwrap();
        let (low, high) = depths
            .entry(std::thread::current().id())
            .or_insert((at, at));
        *low = (*low).min(at);
        *high = (*high).max(at);
    };
    let report = build::build(&options, &done).unwrap();
    assert!(
        !report.has_errors(),
        "{:?}",
        report.diagnostics().collect::<Vec<_>>()
    );
    let written = report.manuscripts.iter().map(|m| m.outputs.len()).sum();
    let spreads = depths
        .into_inner()
        .unwrap()
        .values()
        .map(|(low, high)| high - low)
        .collect();
    (written, spreads)
}

/// Before the fix the manuscripts shared rayon's pool: a thread waiting for one book's image
/// jobs (krilla's deferred work) ran another book's whole build on top of its stack, that one
/// waited in turn, and the nesting (the stack, and the books held half-made) grew with the
/// catalogue until the stack overflowed (exit 134 from about 75 manuscripts with 2 MiB stacks).
/// Now every book is built, written and dropped at the same depth of its worker's stack.
#[test]
fn a_large_illustrated_catalogue_builds_without_books_nesting() {
    let dir = tempfile::tempdir().unwrap();
    catalogue(dir.path(), 150);
    let (written, spreads) = build_pdfs(dir.path());
    assert_eq!(written, 150);
    assert!(
        spreads.iter().all(|&spread| spread < 16 * 1024),
        "manuscripts finished at stack depths up to {spreads:?} bytes apart: one was built inside another"
    );
}

#[test]
fn jobs_must_be_a_positive_number() {
    let dir = tempfile::tempdir().unwrap();
    catalogue(dir.path(), 1);
    let out = roneo(dir.path(), &["build", "--jobs", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!dir.path().join("dist").exists());
    let out = roneo(dir.path(), &["build", "-j", "1", "--format", "pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("dist/article-0000.pdf").is_file());
}

/// Two books, one file (issue 21): an error naming both manuscripts and where each slug comes
/// from, before anything is built; the last good files stay as they were.
#[test]
fn two_manuscripts_with_one_slug_are_an_error_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    catalogue(dir.path(), 3);
    let add_slug = |folder: &str| {
        let index = dir.path().join(format!("manuscripts/{folder}/index.md"));
        let text = std::fs::read_to_string(&index).unwrap();
        std::fs::write(
            &index,
            text.replacen("lang: en\n", "lang: en\nslug: same\n", 1),
        )
        .unwrap();
    };
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read_dir(dir.path().join("dist"))
        .unwrap()
        .flatten()
        .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
        .collect::<std::collections::BTreeMap<_, _>>();
    add_slug("article-0000");
    add_slug("article-0002");
    std::fs::write(
        dir.path().join("manuscripts/same.md"),
        "---\ntitle: Same\nlang: en\n---\n\nText.\n",
    )
    .unwrap();
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "manuscripts/article-0002/index.md:4:1: error[duplicate-slug]: \
             manuscripts/article-0000 and manuscripts/article-0002 would both be written as \
             dist/same.*"
        ),
        "{err}"
    );
    assert!(
        err.contains("front matter (manuscripts/article-0000/index.md:4), this one's from its front matter (manuscripts/article-0002/index.md:4)"),
        "{err}"
    );
    assert!(
        err.contains("manuscripts/same.md: error[duplicate-slug]: manuscripts/article-0000 and manuscripts/same.md")
            && err.contains("this one's from its file name"),
        "{err}"
    );
    let after = std::fs::read_dir(dir.path().join("dist"))
        .unwrap()
        .flatten()
        .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
        .collect::<std::collections::BTreeMap<_, _>>();
    assert_eq!(before, after, "nothing written, nothing removed");
    assert!(!err.contains("wrote"), "{err}");
    // `check` says the same.
    let out = roneo(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[duplicate-slug]"));
}

/// Manuscripts `range` of a plain catalogue: files and folders in turn, a few with a `slug:`.
fn plain(dir: &Path, range: std::ops::Range<u32>) {
    for i in range {
        let slug = if i % 7 == 3 {
            format!("slug: chosen-{i}\n")
        } else {
            String::new()
        };
        let text = format!("---\ntitle: Piece {i}\nlang: en\n{slug}---\n\nText {i}.\n");
        let path = if i % 2 == 0 {
            dir.join(format!("manuscripts/piece-{i:03}.md"))
        } else {
            dir.join(format!("manuscripts/piece-{i:03}/index.md"))
        };
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// `roneo list --message-format json` (with `extra` arguments), parsed.
fn list(dir: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["list", "--message-format", "json"];
    args.extend_from_slice(extra);
    let out = roneo(dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    value["manuscripts"].as_array().unwrap().clone()
}

fn paths(listed: &[serde_json::Value]) -> Vec<String> {
    listed
        .iter()
        .map(|m| m["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn list_shows_every_manuscript_with_its_slug_and_outputs() {
    let dir = tempfile::tempdir().unwrap();
    plain(dir.path(), 0..12);
    std::fs::write(dir.path().join("roneo.toml"), "out = \"books\"\n").unwrap();
    let listed = list(dir.path(), &[]);
    assert_eq!(listed.len(), 12);
    for (i, m) in listed.iter().enumerate() {
        let path = if i % 2 == 0 {
            format!("manuscripts/piece-{i:03}.md")
        } else {
            format!("manuscripts/piece-{i:03}")
        };
        let slug = if i % 7 == 3 {
            format!("chosen-{i}")
        } else {
            format!("piece-{i:03}")
        };
        assert_eq!(m["path"], path.as_str(), "{m}");
        assert_eq!(m["slug"], slug.as_str(), "{m}");
        for (format, ending) in [("epub", "epub"), ("pdf", "pdf"), ("booklet", "booklet.pdf")] {
            assert_eq!(
                m["outputs"][format],
                format!("books/{slug}.{ending}").as_str(),
                "{m}"
            );
        }
    }
    // The table has a row for each, and `--out` moves the outputs.
    let out = roneo(dir.path(), &["list", "--out", "elsewhere"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(table.lines().count(), 13, "{table}");
    let row = table
        .lines()
        .find(|l| l.starts_with("manuscripts/piece-003 "))
        .unwrap_or_else(|| panic!("{table}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        [
            "manuscripts/piece-003",
            "chosen-3",
            "elsewhere/chosen-3.epub",
            "elsewhere/chosen-3.pdf",
            "elsewhere/chosen-3.booklet.pdf"
        ]
    );
}

#[test]
fn shards_are_disjoint_cover_the_catalogue_and_keep_their_manuscripts() {
    let dir = tempfile::tempdir().unwrap();
    plain(dir.path(), 0..60);
    let all = paths(&list(dir.path(), &[]));
    let shard = |k: usize| {
        let mut p = paths(&list(dir.path(), &["--shard", &format!("{k}/4")]));
        p.sort();
        p
    };
    let before: Vec<Vec<String>> = (1..=4).map(shard).collect();
    let mut union: Vec<String> = before.concat();
    union.sort();
    let mut expected = all.clone();
    expected.sort();
    assert_eq!(union, expected, "every manuscript in exactly one shard");
    assert!(
        before.iter().all(|s| (5..=25).contains(&s.len())),
        "a fair split of 60: {:?}",
        before.iter().map(Vec::len).collect::<Vec<_>>()
    );

    // Forty more: none of the sixty moves.
    plain(dir.path(), 60..100);
    for (k, earlier) in (1..=4).zip(&before) {
        let now = shard(k);
        assert!(
            earlier.iter().all(|p| now.contains(p)),
            "shard {k} kept its manuscripts"
        );
    }
    // However the project is named.
    let from_above = roneo(
        dir.path().parent().unwrap(),
        &[
            "list",
            "--shard",
            "1/4",
            dir.path().file_name().unwrap().to_str().unwrap(),
        ],
    );
    assert_eq!(
        String::from_utf8_lossy(&from_above.stdout).lines().count(),
        shard(1).len() + 1
    );
}

#[test]
fn build_and_check_take_only_their_shard() {
    let dir = tempfile::tempdir().unwrap();
    plain(dir.path(), 0..8);
    let listed = list(dir.path(), &["--shard", "2/3"]);
    let out = roneo(dir.path(), &["build", "--shard", "2/3", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut written: Vec<String> = std::fs::read_dir(dir.path().join("dist"))
        .unwrap()
        .flatten()
        .map(|e| format!("dist/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".epub"))
        .collect();
    written.sort();
    let mut expected: Vec<String> = listed
        .iter()
        .map(|m| m["outputs"]["epub"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(written, expected);
    let out = roneo(dir.path(), &["check", "--shard", "2/3"]);
    assert!(
        stderr(&out).contains(&format!("checked {} manuscript(s)", listed.len())),
        "{}",
        stderr(&out)
    );
    for bad in ["0/3", "4/3", "3", "x/y"] {
        for command in ["build", "check", "list"] {
            let out = roneo(dir.path(), &[command, "--shard", bad]);
            assert_eq!(out.status.code(), Some(2), "{command} --shard {bad}");
            assert!(stderr(&out).contains("1 ≤ K ≤ N"), "{}", stderr(&out));
        }
    }
}
