//! The EPUB's page-list matches the print edition: every body page of the PDF has an entry, and
//! the text after each page-break marker is the text the PDF page begins with.

mod common;

use common::*;
use std::process::Command;

/// XHTML to text: tags removed, the few entities we write decoded.
fn strip_tags(xhtml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
}

#[test]
fn page_list_entries_match_the_pdf_page_starts() {
    let (Some(pdftotext), Some(qpdf)) = (
        tool("pdftotext").or_else(|| missing("pdftotext", "apt-get install poppler-utils")),
        tool("qpdf").or_else(|| missing("qpdf", "apt-get install qpdf")),
    ) else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            "manuscripts/chile-1973",
            "--format",
            "epub",
            "--format",
            "pdf",
            "--force",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let (epub, pdf) = (
        out.path().join("chile-1973.epub"),
        out.path().join("chile-1973.pdf"),
    );

    // The PDF's decimal page labels and the physical pages they name.
    let json = Command::new(&qpdf)
        .args(["--json", "--json-key=pagelabels"])
        .arg(&pdf)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let mut body_pages = Vec::new();
    let labels = json["pagelabels"].as_array().unwrap();
    for (i, entry) in labels.iter().enumerate() {
        if entry["label"]["/S"] != "/D" {
            continue;
        }
        let first = entry["index"].as_u64().unwrap();
        let end = labels
            .get(i + 1)
            .and_then(|e| e["index"].as_u64())
            .unwrap_or_else(|| page_count(&pdf));
        let start = entry["label"]["/St"].as_u64().unwrap_or(1);
        for index in first..end {
            body_pages.push(((start + index - first).to_string(), index + 1));
        }
    }
    assert!(!body_pages.is_empty(), "the PDF labels its body pages");

    let nav = zip_entry(&epub, "EPUB/nav.xhtml");
    let page_list = &nav[nav
        .find("epub:type=\"page-list\"")
        .expect("a page-list nav")..];
    let entries: Vec<(String, String)> = page_list
        .split("<a href=\"")
        .skip(1)
        .map(|rest| {
            let href = &rest[..rest.find('"').unwrap()];
            let (file, fragment) = href.split_once('#').unwrap();
            (
                file.to_string(),
                fragment.strip_prefix("page-").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        entries.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>(),
        body_pages
            .iter()
            .map(|(l, _)| l.clone())
            .collect::<Vec<_>>(),
        "one page-list entry per body page of the PDF, in order"
    );

    let opf = zip_entry(&epub, "EPUB/package.opf");
    assert!(
        opf.contains("<dc:source id=\"print-source\">")
            && opf.contains("property=\"source-of\">pagination")
    );

    for ((file, label), (_, physical)) in entries.iter().zip(&body_pages) {
        let chapter = zip_entry(&epub, &format!("EPUB/{file}"));
        let marker = format!("id=\"page-{label}\"");
        let at = chapter
            .find(&marker)
            .unwrap_or_else(|| panic!("marker {marker} in {file}"));
        assert!(
            chapter[..at].ends_with("epub:type=\"pagebreak\" role=\"doc-pagebreak\" aria-label=\"")
                || chapter[at..].contains("doc-pagebreak")
        );
        let after = &chapter[at + chapter[at..].find('>').unwrap() + 1..];
        let epub_words: Vec<String> = words(&strip_tags(after)).into_iter().take(5).collect();
        let text = Command::new(&pdftotext)
            .args(["-f", &physical.to_string(), "-l", &physical.to_string()])
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let pdf_words = words(&String::from_utf8_lossy(&text.stdout));
        // Running head, folio or a figure's caption may come first on the page.
        let window: Vec<String> = pdf_words.into_iter().take(80).collect();
        let found = window
            .windows(epub_words.len())
            .any(|w| w == epub_words.as_slice());
        assert!(found, "page {label}: the EPUB marker is followed by {epub_words:?}, which page {physical} of the PDF does not start with: {window:?}");
    }
}

fn page_count(pdf: &std::path::Path) -> u64 {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn booklets_are_built_beside_the_reading_pdf() {
    let Some(pdfinfo) =
        tool("pdfinfo").or_else(|| missing("pdfinfo", "apt-get install poppler-utils"))
    else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        &repo(),
        &[
            "build",
            "manuscripts/chile-1973",
            "--format",
            "pdf",
            "--format",
            "booklet",
            "--force",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = String::from_utf8_lossy(&o.stdout);
    let reading = page_count(&out.path().join("chile-1973.pdf"));
    let sheets = reading.div_ceil(4);
    let blanks = sheets * 4 - reading;
    assert!(
        summary.contains(&format!("{sheets} sheets from {reading} reading pages")),
        "the summary reports the page count: {summary}"
    );
    assert!(
        blanks == 0 || summary.contains(&format!("{blanks} blank")),
        "and the blanks: {summary}"
    );
    let booklet = out.path().join("chile-1973.booklet.pdf");
    let info =
        String::from_utf8_lossy(&Command::new(pdfinfo).arg(&booklet).output().unwrap().stdout)
            .into_owned();
    assert!(
        info.contains(&format!("Pages:           {}", sheets * 2)),
        "{info}"
    );
    assert!(
        info.contains("841.89 x 595.276 pts") || info.contains("841.89 x 595.28 pts"),
        "A5 pages on A4 sheets: {info}"
    );
    assert!(
        info.contains("booklet for printing"),
        "the metadata says what the file is: {info}"
    );
}

#[test]
fn bleed_sets_trim_and_bleed_boxes_for_the_print_shop() {
    let Some(pdfinfo) =
        tool("pdfinfo").or_else(|| missing("pdfinfo", "apt-get install poppler-utils"))
    else {
        return;
    };
    let p = project(&[
        ("manuscripts/a.md", b"---\ntitle: Bleed\nlang: en\nbleed: 3mm\ncover-image: cover.png\n---\n# One\n\nText.\n"),
        ("manuscripts/cover.png", &png()),
    ]);
    let o = roneo(
        p.path(),
        &["build", "--format", "pdf", "--format", "booklet", "--marks"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let boxes = String::from_utf8_lossy(
        &Command::new(&pdfinfo)
            .args(["-box", "-f", "1", "-l", "1"])
            .arg(p.path().join("dist/a.pdf"))
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    let b = 3.0 * 72.0 / 25.4;
    let numbers = |name: &str| -> Vec<f32> {
        let line = boxes
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no {name}: {boxes}"));
        line.split_whitespace()
            .filter_map(|w| w.parse().ok())
            .skip(1)
            .collect()
    };
    let (media, trim, bleed) = (numbers("MediaBox"), numbers("TrimBox"), numbers("BleedBox"));
    assert!(
        (trim[0] - b).abs() < 0.05 && (trim[1] - b).abs() < 0.05,
        "trim box inset by the bleed: {boxes}"
    );
    assert!(((media[2] - trim[2]) - b).abs() < 0.05, "{boxes}");
    assert_eq!(bleed, media, "the bleed box is the whole sheet: {boxes}");
    assert!(
        ((trim[2] - trim[0]) - 419.53).abs() < 0.1,
        "the trimmed page is A5: {boxes}"
    );
    let info = String::from_utf8_lossy(
        &Command::new(&pdfinfo)
            .arg(p.path().join("dist/a.booklet.pdf"))
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    let margin = (3.0 + 2.0 + 5.0) * 72.0 / 25.4;
    let expected = format!("{:.2}", 2.0 * 419.53 + 2.0 * margin);
    assert!(
        info.contains(&expected[..expected.len() - 1]),
        "marks and bleed around the spread ({expected} wide): {info}"
    );
}
