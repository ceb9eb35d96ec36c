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

#[test]
fn cr_only_and_crlf_line_endings_are_lines() {
    for (name, eol) in [("cr", "\r"), ("crlf", "\r\n")] {
        let text = "---\ntitle: T\nlang: en\n---\nHello.\n\n![](nope.png)\n".replace('\n', eol);
        let p = project(&[("manuscripts/a.md", text.as_bytes())]);
        let out = roneo(p.path(), &["build", "--format", "epub"]);
        let err = stderr(&out);
        assert!(!err.contains("missing-title"), "{name}: {err}");
        assert!(err.contains("manuscripts/a.md:7:1: error[missing-image]"), "{name}: {err}");
        let text = "---\ntitle: T\nlang: en\n---\nHello.\n\nMore.\n".replace('\n', eol);
        let p = project(&[("manuscripts/a.md", text.as_bytes())]);
        let out = roneo(p.path(), &["build", "--format", "epub"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let chapter = zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml");
        assert!(chapter.contains("Hello.</p>") && chapter.contains(">More.</p>"), "{name}: {chapter}");
    }
}

#[test]
fn footnote_labels_match_as_commonmark_link_labels() {
    let text = "---\ntitle: T\nlang: en\n---\nA[^Note] and B[^STRASSE].\n\n[^note]: One.\n[^straße]: Two.\n";
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &["build", "--format", "epub", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let chapter = zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml");
    assert!(chapter.contains("One.") && chapter.contains("Two."), "{chapter}");
}

#[test]
fn an_undefined_note_reference_is_an_error_at_its_place() {
    let text = "---\ntitle: T\nlang: en\n---\nHello.\n\nSee this[^zz], not \\[^yy].\n";
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("manuscripts/a.md:7:9: error[undefined-footnote]"), "{err}");
    assert!(!err.contains("[^yy]"), "an escaped bracket is text: {err}");
    assert!(books(p.path()).is_empty());
}
