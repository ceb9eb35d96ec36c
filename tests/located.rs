//! Diagnostics of the typesetting stage point at the block they are about (issues 20, 22): a
//! character no font has and a word wider than the line are reported at their paragraph's line.

mod common;

use common::*;

#[test]
fn typesetting_diagnostics_name_their_paragraphs_line() {
    let text = format!(
        "---\ntitle: T\nlang: en\n---\nFirst paragraph.\n\nSecond\nparagraph.\n\n{}\n\nThen 毛 here.\n",
        "x".repeat(400)
    );
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &["build", "--format", "pdf"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("manuscripts/a.md:10:1: warning[long-word]"),
        "{err}"
    );
    assert!(
        err.contains("manuscripts/a.md:12:1: error[missing-glyph]"),
        "{err}"
    );
}

#[test]
fn a_character_no_font_has_in_a_printed_front_matter_value_is_at_its_key() {
    // The author's name is printed on the title page and the colophon; the property test
    // found this reported with no place at all.
    for (key, line) in [
        ("author", 4),
        ("authors", 4),
        ("publisher", 4),
        ("rights", 4),
    ] {
        let text = format!("---\ntitle: T\nlang: en\n{key}: \"A \u{E122}\"\n---\nText.\n");
        let p = project(&[("manuscripts/a.md", text.as_bytes())]);
        let out = roneo(p.path(), &["build", "--format", "pdf"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{key}: {err}");
        assert!(
            err.contains(&format!("manuscripts/a.md:{line}:1: error[missing-glyph]")),
            "{key}: {err}"
        );
        assert!(!p.path().join("dist/a.pdf").exists());
    }
}
