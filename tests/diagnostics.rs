//! Diagnostics that never mislead (issue 20): a failed build is never cached, each problem is
//! reported at the line and column of what caused it, and the input is read as CommonMark
//! reads it.

mod common;

use common::*;
use std::path::Path;

/// The books a build wrote into `dist/`.
fn books(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("dist"))
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".epub") || n.ends_with(".pdf"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_build_failed_by_deny_warnings_writes_nothing_and_stays_failed() {
    // No `lang:`: a `missing-lang` warning.
    let p = project(&[("manuscripts/a.md", b"---\ntitle: T\n---\nHello.\n")]);
    for run in ["first", "second"] {
        let out = roneo(p.path(), &["build", "--deny-warnings"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{run} run: {err}");
        assert!(err.contains("warning[missing-lang]"), "{run} run: {err}");
        assert!(books(p.path()).is_empty(), "{run} run wrote {:?}", books(p.path()));
    }
    // Built without the flag, the book is cached; with it, the warning still fails the run.
    let out = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = roneo(p.path(), &["build", "--format", "epub", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[missing-lang]"), "{}", stderr(&out));
}
