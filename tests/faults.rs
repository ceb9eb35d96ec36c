//! Faults (issue 12): a bug in roneo on one manuscript, and output folders that cannot be
//! written, fail with a located diagnostic that says what to do, and leave the other
//! manuscripts, the previous outputs and the cache as they should be.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

const BOOK: &str = "---\ntitle: T\nlang: en\n---\n# One\n\nSome words.\n";

/// `roneo` with one extra environment variable (a test hook of debug builds).
fn roneo_with(cwd: &Path, args: &[&str], var: (&str, &str)) -> Output {
    Command::new(env!("CARGO_BIN_EXE_roneo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("RUST_BACKTRACE")
        .env(var.0, var.1)
        .output()
        .expect("run roneo")
}

#[test]
fn a_panic_is_an_internal_error_of_that_manuscript_only() {
    if !cfg!(debug_assertions) {
        eprintln!("notice: RONEO_TEST_PANIC is honoured by debug builds only, skipping");
        return;
    }
    let p = project(&[
        ("manuscripts/good.md", BOOK.as_bytes()),
        ("manuscripts/buggy.md", BOOK.as_bytes()),
        ("manuscripts/other.md", BOOK.as_bytes()),
    ]);
    let out = roneo_with(
        p.path(),
        &["build", "--format", "epub", "--jobs", "1"],
        ("RONEO_TEST_PANIC", "buggy"),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[internal-error]"), "{err}");
    assert!(err.contains("buggy.md"), "the manuscript is named: {err}");
    assert!(
        err.contains("RONEO_TEST_PANIC names this manuscript") && err.contains("src/build/mod.rs:"),
        "the panic's message and place are given: {err}"
    );
    assert!(err.contains("/issues"), "a bug-report hint: {err}");
    assert!(!err.contains("panicked at"), "no raw panic output: {err}");
    let dist = p.path().join("dist");
    assert!(!dist.join("buggy.epub").exists(), "nothing written for it");
    assert!(dist.join("good.epub").is_file() && dist.join("other.epub").is_file());
    // Not cached as built: once the bug is gone, it is built.
    let again = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(dist.join("buggy.epub").is_file());
}

#[test]
fn an_output_folder_that_is_a_file_is_write_failed_with_what_to_do() {
    let p = project(&[("manuscripts/a.md", BOOK.as_bytes()), ("notes", b"a file")]);
    let out = roneo(p.path(), &["build", "--format", "epub", "--out", "notes"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[write-failed]"), "{err}");
    assert!(
        err.contains("notes: ") && err.contains("it is a file") && err.contains("--out"),
        "the path, the cause and what to do: {err}"
    );
    assert_eq!(std::fs::read(p.path().join("notes")).unwrap(), b"a file");
    // Fixed, it builds.
    let out = roneo(p.path(), &["build", "--format", "epub", "--out", "books"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(p.path().join("books/a.epub").is_file());
}

#[test]
fn a_full_disk_keeps_the_last_good_outputs_and_the_next_build_mends_them() {
    if !cfg!(debug_assertions) {
        eprintln!("notice: RONEO_TEST_WRITE_FAIL is honoured by debug builds only, skipping");
        return;
    }
    let p = project(&[("manuscripts/a.md", BOOK.as_bytes())]);
    let dist = p.path().join("dist");
    let out = roneo(p.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = ["a.epub", "a.pdf", "a.booklet.pdf"];
    let read = |f: &str| std::fs::read(dist.join(f)).unwrap();
    let before: Vec<Vec<u8>> = files.iter().map(|f| read(f)).collect();
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(&dist)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let names = listing();

    let edited = BOOK.replace("Some words.", "Other words, and more of them.");
    std::fs::write(p.path().join("manuscripts/a.md"), &edited).unwrap();
    // The last file to be written finds the disk full.
    let out = roneo_with(
        p.path(),
        &["build"],
        ("RONEO_TEST_WRITE_FAIL", "a.booklet.pdf"),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[write-failed]"), "{err}");
    assert!(err.contains("a.booklet.pdf"), "the path: {err}");
    assert!(err.contains("build again"), "what to do: {err}");
    for (f, old) in files.iter().zip(&before) {
        assert!(read(f) == *old, "{f} is the last good one");
    }
    assert_eq!(listing(), names, "no temporary file is left");

    // The cache does not take the old files for the edited manuscript's.
    let out = roneo(p.path(), &["build", "--verbose"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!text.contains("up to date"), "{text}");
    for (f, old) in files.iter().zip(&before) {
        assert!(read(f) != *old, "{f} is rebuilt");
    }
    let (pdf, _) = (read("a.pdf"), ());
    assert!(pdf.starts_with(b"%PDF"));
}

#[test]
fn a_build_waits_while_another_has_the_output_folder() {
    use std::io::BufRead;
    let p = project(&[("manuscripts/a.md", BOOK.as_bytes())]);
    let dist = p.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let held = std::fs::File::create(dist.join(".roneo.lock")).unwrap();
    held.lock().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_roneo"))
        .args(["build", "--format", "epub"])
        .current_dir(p.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .unwrap_or_default();
    assert!(
        first.contains("waiting for another roneo build") && first.contains("dist"),
        "{first}"
    );
    assert!(child.try_wait().unwrap().is_none(), "it waits");
    assert!(
        !dist.join("a.epub").exists(),
        "and writes nothing meanwhile"
    );
    drop(held);
    assert!(child.wait().unwrap().success());
    assert!(dist.join("a.epub").is_file());
}

#[test]
fn two_builds_at_once_on_a_catalogue_leave_valid_outputs_and_cache() {
    let n = 4;
    let books: Vec<(String, String)> = (0..n)
        .map(|i| {
            let mut text = format!("---\ntitle: Book {i}\nlang: en\n---\n");
            for c in 0..6 {
                text.push_str(&format!("\n# Chapter {c}\n\n"));
                text.push_str(&"Words enough to fill a page or two of the book. ".repeat(40));
                text.push('\n');
            }
            (format!("manuscripts/book-{i}.md"), text)
        })
        .collect();
    let files: Vec<(&str, &[u8])> = books
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_bytes()))
        .collect();
    let p = project(&files);
    let start = || {
        Command::new(env!("CARGO_BIN_EXE_roneo"))
            .args([
                "build",
                "--verbose",
                "--format",
                "epub",
                "--format",
                "pdf",
                "--jobs",
                "1",
            ])
            .current_dir(p.path())
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(start);
        let b = s.spawn(start);
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    for o in [&a, &b] {
        assert!(o.status.success(), "{}", stderr(o));
    }
    // One built the catalogue; the other waited, then found it current.
    let up_to_date = |o: &Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.starts_with("manuscripts/") && l.ends_with(" up to date"))
            .count()
    };
    let mut found = [up_to_date(&a), up_to_date(&b)];
    found.sort();
    assert_eq!(
        found,
        [0, n],
        "{}\n{}",
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    let dist = p.path().join("dist");
    let cache: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join(".roneo-cache.json")).unwrap()).unwrap();
    assert_eq!(cache["entries"].as_object().unwrap().len(), n);
    let qpdf = have("qpdf");
    for i in 0..n {
        let epub = dist.join(format!("book-{i}.epub"));
        assert_eq!(zip_entry(&epub, "mimetype"), "application/epub+zip");
        let pdf = dist.join(format!("book-{i}.pdf"));
        if qpdf {
            assert_qpdf_clean(&pdf);
        }
    }
    // And the cache says what is there.
    let again = roneo(
        p.path(),
        &["build", "--verbose", "--format", "epub", "--format", "pdf"],
    );
    assert!(again.status.success());
    assert_eq!(up_to_date(&again), n);
}
