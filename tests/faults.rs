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
