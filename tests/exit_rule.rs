//! Exit 0 means every asked format was written (issue 12): a format that cannot be made fails
//! the build with its cause, and nothing of that manuscript is written.

mod common;

use common::*;

const UNPRINTABLE: &str = "---\ntitle: T\nlang: en\n---\nMao 毛泽东 said.\n";

#[test]
fn a_default_build_that_cannot_make_the_pdf_fails_and_writes_nothing() {
    let p = project(&[("manuscripts/a.md", UNPRINTABLE.as_bytes())]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error[missing-glyph]"), "{err}");
    for f in ["a.epub", "a.pdf", "a.booklet.pdf"] {
        assert!(
            !p.path().join("dist").join(f).exists(),
            "{f} must not be written"
        );
    }
}

#[test]
fn the_epub_alone_can_still_be_asked_for() {
    let p = project(&[("manuscripts/a.md", UNPRINTABLE.as_bytes())]);
    let out = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(p.path().join("dist/a.epub").is_file());
}
