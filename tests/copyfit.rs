//! Copyfitting (issue 15): a pamphlet's print edition comes to a whole number of sheets with no
//! blank page, by arranging the front matter and making figures smaller within bounds; what
//! cannot be reached is a warning, and the booklet pads after the text. Read back with pdfinfo
//! and pdftotext, page by page.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap()
}

fn page_text(pdf: &Path, page: usize) -> String {
    let page = page.to_string();
    let out = Command::new("pdftotext")
        .args(["-f", &page, "-l", &page, "-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The seed article in a project of its own, its front matter edited by `edit`.
fn seed(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = project(&[]);
    let to = dir.path().join("manuscripts/chile-1973");
    copy_tree(&repo().join("manuscripts/chile-1973"), &to);
    let index = to.join("index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(&index, edit(&text)).unwrap();
    dir
}

fn with_key(key: &str) -> impl Fn(&str) -> String + '_ {
    move |text: &str| text.replacen("lang: en\n", &format!("lang: en\n{key}\n"), 1)
}

#[test]
fn the_shipped_pamphlets_fill_whole_sheets_with_no_blank_page() {
    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    let dir = project(&[]);
    copy_tree(&repo().join("manuscripts"), &dir.path().join("manuscripts"));
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "booklet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    for slug in ["chile-1973", "imprenta-cooperativa"] {
        let pdf = dir.path().join(format!("dist/{slug}.pdf"));
        let n = pages(&pdf);
        assert_eq!(n % 4, 0, "{slug}: {n} pages\n{summary}");
        // Every page carries something a reader sees.
        for page in 1..=n {
            let text = page_text(&pdf, page);
            assert!(!text.trim().is_empty(), "{slug}: page {page} is blank");
        }
        let booklet = summary
            .lines()
            .find(|l| l.contains(&format!("{slug}.booklet.pdf")))
            .unwrap();
        assert!(booklet.contains("no blanks added"), "{booklet}");
    }
    // The summary says what was changed to get there.
    let seed = summary
        .lines()
        .find(|l| l.contains("chile-1973.pdf"))
        .unwrap();
    assert!(seed.contains("copyfitted: "), "{seed}");
}

#[test]
fn a_count_asked_for_is_reached_by_making_the_figures_smaller() {
    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    // The article runs to 11 pages in the style's own layout; 10 takes smaller figures.
    let dir = seed(with_key(
        "pages: 10\nfront-matter: [cover, title, colophon, contents]",
    ));
    let out = roneo(dir.path(), &["build", "--format", "pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = dir.path().join("dist/chile-1973.pdf");
    assert_eq!(pages(&pdf), 10);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("copyfitted: figures at "), "{summary}");
    // The front matter is as listed: the title page, the colophon, the contents.
    assert!(
        page_text(&pdf, 2).contains("Chilean"),
        "{}",
        page_text(&pdf, 2)
    );
    assert!(page_text(&pdf, 3).contains("Example Press"));
    assert!(page_text(&pdf, 4).contains("Contents"));
}

#[test]
fn a_count_out_of_reach_is_a_warning_and_the_booklet_pads_after_the_text() {
    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    // Nothing makes the article longer: 12 pages cannot be reached.
    let dir = seed(with_key("pages: 12"));
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "booklet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("manuscripts/chile-1973/index.md:5:1: warning[pages-not-reached]: the print edition cannot be fitted to 12 pages: the nearest is 11"),
        "{err}"
    );
    let pdf = dir.path().join("dist/chile-1973.pdf");
    assert_eq!(pages(&pdf), 11);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("1 blank page added as page 11"),
        "{summary}"
    );
}

#[test]
fn pages_natural_keeps_the_style_layout() {
    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    let dir = seed(with_key("pages: natural"));
    let out = roneo(dir.path(), &["build", "--format", "pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("pages-not-reached"));
    let pdf = dir.path().join("dist/chile-1973.pdf");
    assert_eq!(pages(&pdf), 11);
    assert!(page_text(&pdf, 4).contains("Contents"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("copyfitted"));
}

#[test]
fn bad_copyfit_values_are_errors_at_their_line() {
    for (key, expected) in [
        (
            "front-matter: [cover, index]",
            "style key `front-matter` must be a list of `cover`, `title`, `colophon`, `contents`",
        ),
        ("front-matter: [cover, title, cover]", "each at most once"),
        (
            "pages: 0",
            "style key `pages` must be `auto`, `natural` or a number of pages from 1 to 10000",
        ),
    ] {
        let dir = seed(with_key(key));
        let out = roneo(dir.path(), &["build", "--format", "pdf"]);
        assert_eq!(out.status.code(), Some(1), "{key}");
        let err = stderr(&out);
        assert!(
            err.contains("manuscripts/chile-1973/index.md:5:"),
            "{key}: {err}"
        );
        assert!(err.contains(expected), "{key}: {err}");
        assert!(!dir.path().join("dist/chile-1973.pdf").exists());
    }
}

#[test]
fn less_space_before_headings_brings_a_text_of_many_sections_to_whole_sheets() {
    if !have("pdfinfo") || !have("pdftotext") {
        return;
    }
    // Twenty short sections and no figures: without the space step this runs to 9 pages,
    // and nothing in the front matter (listed explicitly) may change.
    let mut text = String::from(
        "---\ntitle: Twenty Sections\nlang: en\nfront-matter: [cover, title]\nback-cover: false\n---\n\n",
    );
    for k in 1..=20 {
        text.push_str(&format!(
            "# Section {k}\n\nThe workers of the copper mine met in the union hall and voted, \
             after a long debate about the newspaper and the cooperative, to print their own \
             pamphlet for the neighbourhood.\n\nA second paragraph with words to hyphenate: \
             solidarity, organisation, nationalisation, government, movement, and more words \
             to fill the line.\n\n"
        ));
    }
    let dir = project(&[("manuscripts/sections/index.md", text.as_bytes())]);
    let out = roneo(dir.path(), &["build", "--format", "pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("8 pages (copyfitted: less space before headings)"),
        "{summary}"
    );
    let pdf = dir.path().join("dist/sections.pdf");
    assert_eq!(pages(&pdf), 8);
    // Every section is still there, the last on the last page.
    assert!(
        page_text(&pdf, 8).contains("Section 20"),
        "{}",
        page_text(&pdf, 8)
    );
}

#[test]
fn the_verbose_summary_says_how_often_the_pamphlet_was_set() {
    let dir = seed(|t| t.to_string());
    let out = roneo(dir.path(), &["build", "--format", "pdf", "-v"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    let line = summary
        .lines()
        .find(|l| l.contains("chile-1973.pdf"))
        .unwrap();
    // Figures at 85 %: three trials' counts, besides the natural count, the first pagination
    // and the last; set once more as fitted.
    assert!(
        line.contains("copyfitting: lines broken once, pages planned 6 times, set twice"),
        "{line}"
    );
    // Without -v the summary keeps to what changed.
    let out = roneo(dir.path(), &["build", "--format", "pdf", "--force"]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(!summary.contains("pages planned"), "{summary}");
}
