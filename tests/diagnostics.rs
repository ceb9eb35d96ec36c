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

/// Builds `text` as `manuscripts/a.md` with `args`; returns the messages, asserting that the
/// build failed and wrote no book.
fn refused(text: &str, args: &[&str]) -> String {
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &[&["build"], args].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{err}");
    assert!(books(p.path()).is_empty(), "{text}: wrote {:?}", books(p.path()));
    assert!(!err.contains("Validation(") && !err.contains("os error"), "{err}");
    err
}

#[test]
fn a_character_no_font_has_in_the_title_is_reported_at_the_title() {
    for args in [&[][..], &["--format", "pdf"]] {
        let err = refused("---\nlang: en\ntitle: Mao 毛\n---\nHello.\n", args);
        assert!(err.contains("manuscripts/a.md:3:1: error[missing-glyph]"), "{args:?}: {err}");
        assert!(err.contains("in the title"), "{err}");
        assert!(!err.contains("chapter 1"), "{err}");
    }
    let err = refused("---\nlang: en\ntitle: Mao\nsubtitle: 毛\n---\nHello.\n", &["--format", "pdf"]);
    assert!(err.contains("manuscripts/a.md:4:1: error[missing-glyph]"), "{err}");
}

#[test]
fn a_long_slug_is_refused_at_its_key_or_the_file_name() {
    let long = "a".repeat(101);
    let err = refused(&format!("---\ntitle: T\nlang: en\nslug: {long}\n---\nHello.\n"), &[]);
    assert!(err.contains("manuscripts/a.md:4:1: error[value-too-long]"), "{err}");
    assert!(err.contains("at most 100"), "{err}");
    let name = format!("manuscripts/{}.md", "b".repeat(150));
    let p = project(&[(name.as_str(), b"---\ntitle: T\nlang: en\n---\nHello.\n")]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{name}:1:1: error[value-too-long]")), "{err}");
    assert!(books(p.path()).is_empty());
    // 100 characters are fine.
    let ok = format!("---\ntitle: T\nlang: en\nslug: {}\n---\nHello.\n", "a".repeat(100));
    let p = project(&[("manuscripts/a.md", ok.as_bytes())]);
    assert!(roneo(p.path(), &["build", "--format", "epub"]).status.success());
}

#[test]
fn an_os_error_says_what_to_do() {
    let out_dir = "c".repeat(300);
    let err = refused("---\ntitle: T\nlang: en\n---\nHello.\n", &["--format", "epub", "--out", &out_dir]);
    assert!(err.contains("error[write-failed]"), "{err}");
    assert!(err.contains("too long"), "{err}");
}

#[test]
fn print_lengths_out_of_range_are_errors_at_their_key_stating_the_range() {
    for (key, value, range) in [
        ("creep", "1e9mm", "from 0 to 1mm"),
        ("creep", "2mm", "from 0 to 1mm"),
        ("bleed", "900mm", "from 0 to 20mm"),
        ("bleed", "-3mm", "from 0 to 20mm"),
    ] {
        let text = format!("---\ntitle: T\nlang: en\n{key}: {value}\n---\nHello.\n");
        let err = refused(&text, &[]);
        assert!(err.contains("manuscripts/a.md:4:1: error[front-matter-type]"), "{key}: {err}");
        assert!(err.contains(range) && err.contains(value), "{key}: {err}");
    }
    // roneo.toml's `[pdf]` keys, at their line there.
    let p = project(&[
        ("roneo.toml", b"lang = \"en\"\n[pdf]\nbleed = \"3mm\"\ncreep = \"5mm\"\n"),
        ("manuscripts/a.md", b"---\ntitle: T\n---\nHello.\n"),
    ]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("roneo.toml:4:1: error[invalid-config]"), "{err}");
    assert!(err.contains("from 0 to 1mm"), "{err}");
}

#[test]
fn a_choice_key_with_an_unknown_value_lists_the_choices() {
    let err = refused("---\ntitle: T\nlang: en\npdf: { standard: pdf-x }\n---\nHello.\n", &[]);
    assert!(err.contains("manuscripts/a.md:4:1: error[") && err.contains("pdf-a-2b"), "{err}");
    let err = refused("---\ntitle: T\nlang: en\npdf: { page: a0 }\n---\nHello.\n", &["--format", "pdf"]);
    assert!(err.contains("manuscripts/a.md:4:1: error[invalid-style]") && err.contains("a5, a6, a4"), "{err}");
}
