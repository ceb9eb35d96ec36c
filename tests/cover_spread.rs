//! The cover spread for perfect-bound books (issue 15): `--format cover` writes back, spine and
//! front on one sheet with bleed on all sides, the spine as thick as the book's leaves, TrimBox
//! and BleedBox set; read back with pdfinfo and pdftotext.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const MM: f64 = 72.0 / 25.4;

/// A project with the long fixture, its front matter extended by `keys`.
fn long_book(keys: &str) -> tempfile::TempDir {
    let dir = project(&[]);
    let to = dir.path().join("manuscripts/long");
    copy_tree(&repo().join("tests/fixtures/long"), &to);
    let index = to.join("index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(
        &index,
        text.replacen("lang: en\n", &format!("lang: en\n{keys}"), 1),
    )
    .unwrap();
    dir
}

/// pdfinfo's boxes of page 1, and the page count.
fn boxes(pdf: &Path) -> (Vec<(String, [f64; 4])>, usize) {
    let out = Command::new("pdfinfo")
        .arg("-box")
        .arg(pdf)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut found = Vec::new();
    let mut pages = 0;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("Pages:") {
            pages = n.trim().parse().unwrap();
        }
        if let Some((name, numbers)) = line.split_once("Box:") {
            let v: Vec<f64> = numbers
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            found.push((format!("{}Box", name.trim()), [v[0], v[1], v[2], v[3]]));
        }
    }
    (found, pages)
}

/// The PDF's text, as pdftotext reads it.
fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn find(boxes: &[(String, [f64; 4])], name: &str) -> [f64; 4] {
    boxes.iter().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn the_spread_is_two_covers_the_spine_and_the_bleed_wide() {
    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    let dir = long_book("bleed: 3mm\npaper-thickness: 0.25mm\n");
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "cover"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (reading, pages) = boxes(&dir.path().join("dist/long.pdf"));
    let trim = find(&reading, "TrimBox");
    let (trim_w, trim_h) = (trim[2] - trim[0], trim[3] - trim[1]);
    // The block is the reading pages but the front cover (the fixture has no back cover).
    let leaves = (pages - 1).div_ceil(2) as f64;
    let spine = leaves * 0.25 * MM;
    let bleed = 3.0 * MM;
    let (spread, count) = boxes(&dir.path().join("dist/long.cover.pdf"));
    assert_eq!(count, 1);
    let media = find(&spread, "MediaBox");
    let width = 2.0 * trim_w + spine + 2.0 * bleed;
    assert!(
        (media[2] - media[0] - width).abs() < 0.02,
        "{media:?} vs {width}"
    );
    assert!((media[3] - media[1] - (trim_h + 2.0 * bleed)).abs() < 0.02);
    let trim_box = find(&spread, "TrimBox");
    for (got, want) in
        trim_box
            .iter()
            .zip([bleed, bleed, bleed + 2.0 * trim_w + spine, bleed + trim_h])
    {
        assert!((got - want).abs() < 0.02, "{trim_box:?}");
    }
    assert_eq!(find(&spread, "BleedBox"), media);
    // A spine over 6 mm carries the title and author.
    let text = text_of(&dir.path().join("dist/long.cover.pdf"));
    assert!(text.contains("A Long Justified Text · roneo"), "{text}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("with spine text"), "{said}");
}

#[test]
fn a_thin_spine_carries_no_text_and_no_cover_is_written_unasked() {
    if !have("pdftotext") {
        return;
    }
    let dir = long_book("");
    let out = roneo(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path().join("dist/long.cover.pdf").exists());
    let out = roneo(dir.path(), &["build", "--format", "cover"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&dir.path().join("dist/long.cover.pdf"));
    assert!(!text.contains("·"), "{text}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("without spine text"));
}

#[test]
fn a_paper_thickness_out_of_range_is_an_error_at_its_line() {
    let dir = long_book("paper-thickness: 3mm\n");
    let out = roneo(dir.path(), &["build", "--format", "cover"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("manuscripts/long/index.md:"), "{err}");
    assert!(err.contains("from 0.02mm to 1mm"), "{err}");
    assert!(!dir.path().join("dist/long.cover.pdf").exists());
}

/// The words of page 1 of `pdf` with their horizontal extent, and the page's width.
fn words_across(pdf: &Path) -> (f64, Vec<(f64, f64, String)>) {
    let out = Command::new("pdftotext")
        .args([
            "-bbox".as_ref(),
            "-l".as_ref(),
            "1".as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ])
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let page = html.split("<page ").nth(1).expect("a page");
    let words = page
        .split("<word ")
        .skip(1)
        .map(|w| {
            let text = &w[w.find('>').unwrap() + 1..w.find("</word>").unwrap()];
            (attr(w, "xMin"), attr(w, "xMax"), text.to_string())
        })
        .collect();
    (attr(page, "width"), words)
}

/// A right-to-left book is bound on the right (issue 14): its front cover is the spread's left
/// panel and its back cover the right one; a left-to-right book's are the other way round.
#[test]
fn a_right_to_left_books_front_cover_is_on_the_left_of_the_spread() {
    if !have("pdftotext") {
        return;
    }
    for (lang, title, blurb) in [
        ("ar", "المطبعة", "كتيب عن عمال الطباعة"),
        ("en", "Printers", "A pamphlet about the printers"),
    ] {
        let text =
            format!("---\ntitle: {title}\nlang: {lang}\ndescription: {blurb}\n---\n\nText.\n");
        let p = project(&[("manuscripts/b.md", text.as_bytes())]);
        let out = roneo(p.path(), &["build", "--format", "cover"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let (width, words) = words_across(&p.path().join("dist/b.cover.pdf"));
        let middle = width / 2.0;
        let side = |word: &str| {
            let reversed: String = word.chars().rev().collect();
            let found: Vec<_> = words
                .iter()
                .filter(|w| w.2 == word || w.2 == reversed)
                .collect();
            assert!(
                !found.is_empty(),
                "{lang}: {word} not on the spread: {words:?}"
            );
            if found.iter().all(|w| w.1 < middle) {
                "left"
            } else if found.iter().all(|w| w.0 > middle) {
                "right"
            } else {
                "both"
            }
        };
        let (front, back) = if lang == "ar" {
            ("left", "right")
        } else {
            ("right", "left")
        };
        let first_of_blurb = blurb.split(' ').next().unwrap();
        assert_eq!(side(title), front, "{lang}: the front cover's title");
        assert_eq!(side(first_of_blurb), back, "{lang}: the back cover's text");
    }
}
