//! Long unbreakable strings: a word of a megabyte is set, broken between letters; one of
//! twenty megabytes, in the body or in a value, is refused with an error at its place. (How
//! long they take is measured by `cargo bench --bench long_word`, never here.)

mod common;

use common::*;
use std::path::Path;

fn write(dir: &Path, text: &str) {
    std::fs::write(dir.join("manuscripts/a.md"), text).unwrap();
}

#[test]
fn a_megabyte_word_is_set_broken_between_letters() {
    let p = project(&[]);
    let word = "x".repeat(1 << 20);
    write(
        p.path(),
        &format!("---\ntitle: T\nlang: en\n---\nBefore {word} after.\n"),
    );
    let o = roneo(p.path(), &["build", "--format", "pdf", "--format", "epub"]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("manuscripts/a.md:5:1: warning[long-word]: a word of 1048576 characters"),
        "{err}"
    );
    assert!(!err.contains("overfull"), "{err}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let pages: usize = stdout
        .lines()
        .find(|l| l.contains("a.pdf"))
        .and_then(|l| l.split(" pages").next()?.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(pages > 300, "the word fills its pages: {pages}");
    // The EPUB keeps the word whole, but for the print page markers inside it.
    let chapter = zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml");
    let mut text = String::new();
    for piece in chapter.split('<') {
        text.push_str(piece.split_once('>').map_or(piece, |(_, after)| after));
    }
    assert!(text.contains(&format!("Before {word} after.")));
}

#[test]
fn a_twenty_megabyte_word_is_refused_at_its_place() {
    let p = project(&[]);
    let word = "x".repeat(20 << 20);
    write(
        p.path(),
        &format!("---\ntitle: T\nlang: en\n---\nBefore {word} after.\n"),
    );
    let o = roneo(p.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("manuscripts/a.md:5:8: error[word-too-long]: a word of 20971520 characters"),
        "{err}"
    );
    assert!(!p.path().join("dist/a.pdf").exists());
}

#[test]
fn a_twenty_megabyte_value_is_refused_at_its_line() {
    let p = project(&[]);
    // Without a space: one word, found where it starts.
    let word = "x".repeat(20 << 20);
    write(
        p.path(),
        &format!("---\ntitle: T\nlang: en\npublisher: {word}\n---\nText.\n"),
    );
    let o = roneo(p.path(), &["check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("manuscripts/a.md:4:12: error[word-too-long]"),
        "{err}"
    );
    // With spaces: a value too long for metadata, at its key.
    let words = "Ediciones ".repeat(2 << 20);
    write(
        p.path(),
        &format!("---\ntitle: T\nlang: en\npublisher: {words}\n---\nText.\n"),
    );
    let o = roneo(p.path(), &["build"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "manuscripts/a.md:4:1: error[value-too-long]: front-matter key `publisher` is"
        ),
        "{err}"
    );
    assert!(!p.path().join("dist").join("a.epub").exists());
}

/// The issue's own case: 64,000 characters of publisher took eleven seconds.
#[test]
fn a_long_publisher_is_refused_at_its_line() {
    let p = project(&[]);
    write(
        p.path(),
        &format!(
            "---\ntitle: T\nlang: en\npublisher: {}\n---\nText.\n",
            "x".repeat(64_000)
        ),
    );
    let o = roneo(p.path(), &["check"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("manuscripts/a.md:4:1: error[value-too-long]"),
        "{err}"
    );
}
