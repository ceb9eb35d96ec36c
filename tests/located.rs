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
    assert!(err.contains("manuscripts/a.md:10:1: warning[long-word]"), "{err}");
    assert!(err.contains("manuscripts/a.md:12:1: error[missing-glyph]"), "{err}");
}
