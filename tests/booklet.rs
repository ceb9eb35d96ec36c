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
    for (pages, expected_blanks, back_cover, right_to_left) in [
        (4, 0, true, false),
        (8, 0, true, false),
        (10, 2, true, false),
        (34, 2, true, false),
        (10, 2, false, false),
        (34, 2, false, false),
        (4, 0, true, true),
        (10, 2, true, true),
        (34, 2, false, true),
    ] {
        let options = ImposeOptions {
            title: "Test".into(),
            lang: "en".into(),
            back_cover,
            right_to_left,
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
            let mut expected = [
                slot(padded - 1 - 2 * s),
                slot(2 * s),
                slot(2 * s + 1),
                slot(padded - 2 - 2 * s),
            ];
            // Bound on the right, the first page is on the left of the outer sheet's front:
            // front [1|last], back [last-1|2].
            if right_to_left {
                expected.swap(0, 1);
                expected.swap(2, 3);
            }
            for (i, want) in expected.iter().enumerate() {
                let side = 2 * s + i / 2 + 1;
                let text = half_text(&pdftotext, &path, side, i % 2 == 1, w, h);
                match want {
                    Some(k) => {
                        assert_eq!(
                            text,
                            format!("Page {k}"),
                            "{pages} pages (back cover {back_cover}, rtl {right_to_left}): sheet {} side {} half {}",
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
    assert_qpdf_clean(&path);
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

/// The words of one page of the reading PDF (1-based).
fn page_words(pdftotext: &Path, pdf: &Path, page: usize) -> Vec<String> {
    let out = Command::new(pdftotext)
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    words(&String::from_utf8_lossy(&out.stdout))
}

/// An Arabic pamphlet of several chapters: seven reading pages, so two sheets and a blank.
fn arabic_pamphlet() -> String {
    let first = "تأسست المطبعة التعاونية في عام ١٩٧٠ على يد عمال الطباعة في المدينة. كانت تطبع المنشورات والكتيبات للنقابات والجمعيات، وتوزعها في الأحياء الشعبية بأسعار زهيدة.";
    let second = "اجتمع العمال كل يوم خميس لمناقشة العمل، وكتبوا في محضر الاجتماع: «الطباعة للجميع». وفي سنة 1973 طبعوا أكثر من عشرة آلاف نسخة من كتاب Paulo Freire عن تعليم المقهورين.";
    let mut text = String::from(
        "---\ntitle: الطباعة الشعبية\nauthor: مجموعة الطباعة\nlang: ar\npages: natural\n---\n",
    );
    for heading in [
        "المطبعة التعاونية",
        "اجتماع الخميس",
        "الكتب والمنشورات",
        "التوزيع في الأحياء",
        "الآلات القديمة",
    ] {
        text.push_str(&format!(
            "\n# {heading}\n\n{first}\n\n{second}\n\n{first}\n\n{second}\n"
        ));
    }
    text
}

/// A right-to-left book's booklet (issue 14), built by roneo and read back half by half: each
/// sheet side's pages change halves, in every signature (front [1|4], back [3|2]).
#[test]
fn a_right_to_left_booklet_is_bound_on_the_right() {
    let (Some(pdftotext), Some(pdfinfo)) = (
        tool("pdftotext").or_else(|| missing("pdftotext", "apt-get install poppler-utils")),
        tool("pdfinfo").or_else(|| missing("pdfinfo", "apt-get install poppler-utils")),
    ) else {
        return;
    };
    let p = project(&[("manuscripts/ar.md", arabic_pamphlet().as_bytes())]);
    let out = roneo(
        p.path(),
        &[
            "build",
            "--format",
            "pdf",
            "--format",
            "booklet",
            "--signature",
            "4",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let (reading, booklet) = (
        p.path().join("dist/ar.pdf"),
        p.path().join("dist/ar.booklet.pdf"),
    );
    let (_, _, pages) = sheet_size(&pdfinfo, &reading);
    assert_eq!(pages, 7, "the pamphlet's reading pages");
    let page: Vec<Vec<String>> = (1..=pages)
        .map(|k| page_words(&pdftotext, &reading, k))
        .collect();
    // Each sheet side's two pages differ, so a side with its halves the wrong way round fails.
    assert!(
        page[0] != page[3] && page[2] != page[1] && page[4].len() > 10,
        "{page:?}"
    );
    let (w, h, sides) = sheet_size(&pdfinfo, &booklet);
    assert_eq!(sides, 4, "two sheets of 4 pages, one per signature");
    // In reading order: pages 1–7, then a blank (this book has no back cover).
    let slot = |i: usize| (i < pages).then(|| &page[i]);
    let empty = Vec::new();
    for signature in 0..2 {
        let first = 4 * signature;
        // Front [first|last], back [last-1|first+1], 0-based within the reading order.
        let expected = [
            (1, false, first),
            (1, true, first + 3),
            (2, false, first + 2),
            (2, true, first + 1),
        ];
        for (side, right, at) in expected {
            let side = 2 * signature + side;
            let text = half_text(&pdftotext, &booklet, side, right, w, h);
            assert_eq!(
                &words(&text),
                slot(at).unwrap_or(&empty),
                "sheet side {side}, {} half: reading page {}",
                if right { "right" } else { "left" },
                at + 1
            );
        }
    }
}
