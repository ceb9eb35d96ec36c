//! Booklet imposition, read back sheet by sheet: each half of each sheet side must carry the
//! reading page the saddle-stitch order puts there.

mod common;

use common::*;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use roneo::impose::{impose, ImposeOptions};
use std::path::Path;
use std::process::Command;

const A5: (f32, f32) = (419.53, 595.28);

/// A reading PDF of `n` A5 pages, page k showing "Page k".
fn reading_pdf(n: usize) -> Vec<u8> {
    reading_pdf_with_bleed(n, 0.0)
}

/// The same, each page enlarged by `bleed` points on every side (as roneo writes it with `bleed:`).
fn reading_pdf_with_bleed(n: usize, bleed: f32) -> Vec<u8> {
    let mut document = krilla::Document::new();
    let font = Font::new(roneo::fonts::BODY[0].data.to_vec().into(), 0).unwrap();
    for k in 1..=n {
        let mut page = document.start_page_with(
            PageSettings::from_wh(A5.0 + 2.0 * bleed, A5.1 + 2.0 * bleed).unwrap(),
        );
        let mut surface = page.surface();
        surface.draw_text(
            Point::from_xy(150.0, 300.0),
            font.clone(),
            20.0,
            &format!("Page {k}"),
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document.finish().unwrap()
}

/// The text of one half of one page of `pdf` (1-based page), via pdftotext's crop box.
fn half_text(
    pdftotext: &Path,
    pdf: &Path,
    page: usize,
    right: bool,
    width: f32,
    height: f32,
) -> String {
    let half = (width / 2.0).floor() as i32;
    let x = if right { half } else { 0 };
    let out = Command::new(pdftotext)
        .args([
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-x",
            &x.to_string(),
            "-y",
            "0",
        ])
        .args([
            "-W",
            &half.to_string(),
            "-H",
            &(height.ceil() as i32).to_string(),
        ])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn sheet_size(pdfinfo: &Path, pdf: &Path) -> (f32, f32, usize) {
    let out = String::from_utf8(Command::new(pdfinfo).arg(pdf).output().unwrap().stdout).unwrap();
    let pages = out
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let size = out
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .unwrap();
    let nums: Vec<f32> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (nums[0], nums[1], pages)
}

#[test]
fn saddle_stitch_order_read_back_from_the_sheets() {
    let (Some(pdftotext), Some(pdfinfo)) = (
        tool("pdftotext").or_else(|| missing("pdftotext", "apt-get install poppler-utils")),
        tool("pdfinfo").or_else(|| missing("pdfinfo", "apt-get install poppler-utils")),
    ) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (pages, expected_blanks, back_cover) in [
        (4, 0, true),
        (8, 0, true),
        (10, 2, true),
        (34, 2, true),
        (10, 2, false),
        (34, 2, false),
    ] {
        let options = ImposeOptions {
            title: "Test".into(),
            lang: "en".into(),
            back_cover,
            ..ImposeOptions::default()
        };
        let (booklet, plan) = impose(&reading_pdf(pages), &options).unwrap();
        assert_eq!(plan.blanks, expected_blanks, "{pages} pages");
        let path = dir.path().join(format!("b{pages}.pdf"));
        std::fs::write(&path, &booklet).unwrap();
        let (w, h, sides) = sheet_size(&pdfinfo, &path);
        assert!(
            (w - 841.89).abs() < 1.0 && (h - 595.28).abs() < 1.0,
            "A5 pages go on A4 landscape sheets, got {w}×{h}"
        );
        let padded = pages + expected_blanks;
        assert_eq!(sides, padded / 2, "two pages per sheet side");
        let mut seen = Vec::new();
        // Expected order, computed independently: sheet s (0-based) of a single signature.
        // Blanks follow the text; a back cover stays last, after them.
        let slot = |i: usize| {
            if back_cover && i == padded - 1 {
                Some(pages)
            } else if i < pages - usize::from(back_cover) {
                Some(i + 1)
            } else {
                None
            }
        };
        for s in 0..padded / 4 {
            let expected = [
                slot(padded - 1 - 2 * s),
                slot(2 * s),
                slot(2 * s + 1),
                slot(padded - 2 - 2 * s),
            ];
            for (i, want) in expected.iter().enumerate() {
                let side = 2 * s + i / 2 + 1;
                let text = half_text(&pdftotext, &path, side, i % 2 == 1, w, h);
                match want {
                    Some(k) => {
                        assert_eq!(
                            text,
                            format!("Page {k}"),
                            "{pages} pages (back cover {back_cover}): sheet {} side {} half {}",
                            s + 1,
                            side,
                            i % 2
                        );
                        seen.push(*k);
                    }
                    None => assert!(
                        text.is_empty(),
                        "{pages} pages: blank expected, got {text:?}"
                    ),
                }
            }
        }
        seen.sort();
        assert_eq!(
            seen,
            (1..=pages).collect::<Vec<_>>(),
            "every reading page appears exactly once"
        );
    }
}

#[test]
fn signatures_creep_and_marks() {
    let Some(pdfinfo) =
        tool("pdfinfo").or_else(|| missing("pdfinfo", "apt-get install poppler-utils"))
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let options = ImposeOptions {
        signature: Some(8),
        creep_mm: 0.1,
        marks: true,
        bleed_mm: 3.0,
        title: "T".into(),
        lang: "en".into(),
        ..Default::default()
    };
    let (booklet, plan) = impose(&reading_pdf_with_bleed(16, 3.0 * 72.0 / 25.4), &options).unwrap();
    assert_eq!(plan.sheets.iter().filter(|s| s.signature == 1).count(), 2);
    let path = dir.path().join("marks.pdf");
    std::fs::write(&path, &booklet).unwrap();
    let (w, h, _) = sheet_size(&pdfinfo, &path);
    let margin = (3.0 + 2.0 + 5.0) * 72.0 / 25.4;
    assert!(
        (w - (2.0 * A5.0 + 2.0 * margin)).abs() < 1.0 && (h - (595.28 + 2.0 * margin)).abs() < 1.0,
        "room for bleed and marks: {w}×{h}"
    );
    if let Some(qpdf) = tool("qpdf").or_else(|| missing("qpdf", "apt-get install qpdf")) {
        let out = Command::new(qpdf)
            .arg("--check")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn imposition_is_reproducible() {
    let options = ImposeOptions {
        title: "T".into(),
        lang: "en".into(),
        modified: 1_700_000_000,
        ..Default::default()
    };
    let pdf = reading_pdf(6);
    assert!(impose(&pdf, &options).unwrap().0 == impose(&pdf, &options).unwrap().0);
}
