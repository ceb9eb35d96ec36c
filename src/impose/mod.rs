//! Booklet imposition: the reading PDF's pages, two to a sheet side, in saddle-stitch order.
//!
//! The last stage of the pipeline works on the finished reading PDF, embedding its pages as
//! they are: the booklet cannot differ from the reading edition because it *is* the reading
//! edition, rearranged. [`plan`] decides the order (a pure function, easy to test); [`impose`]
//! draws the sheets.

use krilla::geom::{PathBuilder, Rect, Size, Transform};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::FillRule;
use krilla::paint::Stroke;
use krilla::pdf::{Pdf, PdfDocument};
use krilla::{Document, SerializeSettings};
use std::sync::Arc;

/// One position on a sheet side: a reading page (0-based) or a blank.
pub type Slot = Option<usize>;

/// One sheet of paper: two pages on its front, two on its back (left, right, as printed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// Signature (gathering) the sheet belongs to, 0-based.
    pub signature: usize,
    /// 0 for the outermost sheet of its signature: inner sheets need more creep compensation.
    pub depth: usize,
    pub front: [Slot; 2],
    pub back: [Slot; 2],
}

/// The order of a booklet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Pages of the reading PDF.
    pub pages: usize,
    /// Blank pages added after the text (before the back cover) to reach a multiple of 4.
    pub blanks: usize,
    /// The first blank's place in reading order (1-based, as in the padded booklet).
    pub first_blank: Option<usize>,
    pub sheets: Vec<Sheet>,
}

/// How the booklet opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Binding {
    /// Bound on the left: a left-to-right book.
    #[default]
    Left,
    /// Bound on the right: a right-to-left book (Arabic, Hebrew, …), whose first page is the
    /// left half of the outer sheet's front.
    Right,
}

/// Saddle-stitch order for `pages` reading pages, optionally in signatures of `signature` pages.
///
/// Blank pages never stand between two pages of text: they follow the text, and when the last
/// page is a back cover they go before it, so that it stays on the outside. For duplex printing
/// flipped on the short edge, sheet 1 is front `[last, 1]`, back `[2, last-1]`, and so on; bound
/// on the right, each side's two pages change halves: front `[1, last]`, back `[last-1, 2]`.
pub fn plan(
    pages: usize,
    signature: Option<usize>,
    back_cover: bool,
    binding: Binding,
) -> Result<Plan, String> {
    if pages == 0 {
        return Err("nothing to impose: the PDF has no pages".into());
    }
    if let Some(s) = signature {
        if s == 0 || s % 4 != 0 {
            return Err(format!(
                "a signature must be a multiple of 4 pages, not {s}"
            ));
        }
    }
    let padded = pages.div_ceil(4) * 4;
    let blanks = padded - pages;
    // A single page is a front cover, never a back one.
    let back = back_cover && pages > 1;
    let text = if back { pages - 1 } else { pages };
    let mut sequence: Vec<Slot> = (0..text).map(Some).collect();
    sequence.extend(std::iter::repeat_n(None, blanks));
    if back {
        sequence.push(Some(pages - 1));
    }
    let size = signature.unwrap_or(padded).min(padded);
    let mut sheets = Vec::with_capacity(padded / 4);
    for (signature, chunk) in sequence.chunks(size).enumerate() {
        let n = chunk.len();
        for depth in 0..n / 4 {
            let mut front = [chunk[n - 1 - 2 * depth], chunk[2 * depth]];
            let mut back = [chunk[2 * depth + 1], chunk[n - 2 - 2 * depth]];
            if binding == Binding::Right {
                front.reverse();
                back.reverse();
            }
            sheets.push(Sheet {
                signature,
                depth,
                front,
                back,
            });
        }
    }
    Ok(Plan {
        pages,
        blanks,
        first_blank: (blanks > 0).then_some(text + 1),
        sheets,
    })
}

#[derive(Debug, Clone, Default)]
pub struct ImposeOptions {
    /// Pages per signature (a multiple of 4); `None`: one signature.
    pub signature: Option<usize>,
    /// Creep compensation per sheet, in millimetres.
    pub creep_mm: f32,
    /// Crop marks around each page's trim box.
    pub marks: bool,
    /// The reading PDF's last page is a back cover (blanks go before it).
    pub back_cover: bool,
    /// The reading PDF is a right-to-left book, bound on the right (the layout says so).
    pub right_to_left: bool,
    /// Bleed in millimetres (marks stand outside it).
    pub bleed_mm: f32,
    pub title: String,
    pub lang: String,
    /// Unix time of the publication (the booklet's creation date, for reproducibility).
    pub modified: i64,
}

const MM: f32 = 72.0 / 25.4;

/// Paper sizes a printer has (landscape, points): a spread that fits one of them within 3 mm
/// is printed on it rather than on an odd custom size.
const SHEETS: [(f32, f32); 5] = [
    (420.0 * MM, 297.0 * MM),   // A3
    (297.0 * MM, 210.0 * MM),   // A4
    (210.0 * MM, 148.0 * MM),   // A5
    (11.0 * 72.0, 8.5 * 72.0),  // Letter
    (17.0 * 72.0, 11.0 * 72.0), // Tabloid
];

fn standard_sheet((w, h): (f32, f32)) -> (f32, f32) {
    let fits = |(sw, sh): &(f32, f32)| {
        *sw >= w - 0.5 && *sh >= h - 0.5 && *sw <= w + 3.0 * MM && *sh <= h + 3.0 * MM
    };
    SHEETS.iter().copied().find(fits).unwrap_or((w, h))
}
/// Length of a crop mark and its distance from the trim edge (beyond the bleed).
const MARK_LENGTH: f32 = 5.0 * MM;
const MARK_OFFSET: f32 = 2.0 * MM;

/// The booklet: sheets twice the page size (plus room for marks), pages embedded unchanged.
pub fn impose(reading_pdf: &[u8], options: &ImposeOptions) -> Result<(Vec<u8>, Plan), String> {
    let pdf = Pdf::new(reading_pdf.to_vec())
        .map_err(|e| format!("cannot read the reading PDF: {e:?}"))?;
    let pdf = Arc::new(pdf);
    let count = pdf.pages().len();
    let (media_w, media_h) = pdf
        .pages()
        .first()
        .map(|p| p.render_dimensions())
        .ok_or("the PDF has no pages")?;
    // The reading PDF's pages include the bleed around their trimmed size.
    let bleed = options.bleed_mm.max(0.0) * MM;
    let (page_w, page_h) = (media_w - 2.0 * bleed, media_h - 2.0 * bleed);
    let binding = if options.right_to_left {
        Binding::Right
    } else {
        Binding::Left
    };
    let plan = plan(count, options.signature, options.back_cover, binding)?;
    let margin = if options.marks {
        options.bleed_mm * MM + MARK_OFFSET + MARK_LENGTH
    } else {
        0.0
    };
    let spread = (2.0 * page_w + 2.0 * margin, page_h + 2.0 * margin);
    let (sheet_w, sheet_h) = if options.marks {
        spread
    } else {
        standard_sheet(spread)
    };
    // The spread sits in the middle of the sheet (A5 pages: 296 mm on a 297 mm A4 sheet).
    let (x0, y0) = (
        (sheet_w - spread.0) / 2.0 + margin,
        (sheet_h - spread.1) / 2.0 + margin,
    );
    let source = PdfDocument::new(pdf);
    let mut document = Document::new_with(SerializeSettings::default());
    for sheet in &plan.sheets {
        // Inner sheets are pushed toward the spine, so fore-edges line up after folding.
        let creep = options.creep_mm * MM * sheet.depth as f32;
        for side in [sheet.front, sheet.back] {
            let settings =
                PageSettings::from_wh(sheet_w, sheet_h).ok_or("page size must be positive")?;
            let mut page = document.start_page_with(settings);
            let mut surface = page.surface();
            for (column, slot) in side.iter().enumerate() {
                let shift = if column == 0 { creep } else { -creep };
                let x = x0 + column as f32 * page_w + shift;
                if let Some(index) = slot {
                    // Cut at the trim, except that with marks the bleed shows beyond the outer
                    // edges (never across the spine, where the two pages meet).
                    let outer = if options.marks { bleed } else { 0.0 };
                    let (left, right) = if column == 0 {
                        (outer, 0.0)
                    } else {
                        (0.0, outer)
                    };
                    let clip = Rect::from_xywh(
                        x - left,
                        y0 - outer,
                        page_w + left + right,
                        page_h + 2.0 * outer,
                    )
                    .ok_or("bad page size")?;
                    let mut clip_path = PathBuilder::new();
                    clip_path.push_rect(clip);
                    let clip_path = clip_path.finish().ok_or("bad page size")?;
                    surface.push_clip_path(&clip_path, &FillRule::NonZero);
                    surface.push_transform(&Transform::from_translate(x - bleed, y0 - bleed));
                    let size = Size::from_wh(media_w, media_h).ok_or("bad page size")?;
                    surface.draw_pdf_page(&source, size, *index);
                    surface.pop();
                    surface.pop();
                }
            }
            if options.marks {
                crop_marks(&mut surface, margin, page_w, page_h, options.bleed_mm * MM);
            }
            surface.finish();
            page.finish();
        }
    }
    let metadata = Metadata::new()
        .title(format!("{} (booklet for printing)", options.title))
        .language(options.lang.clone())
        .creator("roneo".to_string())
        .producer("roneo".to_string())
        .description(
            "Imposed for saddle-stitch printing: pages in print order, two per sheet side, duplex flipped on the short edge. \
             Links and bookmarks are left out because they make no sense on imposed sheets; read the reading PDF instead."
                .to_string(),
        )
        .creation_date(crate::pdf::date_time(options.modified));
    document.set_metadata(metadata);
    let bytes = document
        .finish()
        .map_err(|e| format!("cannot write the booklet: {e:?}"))?;
    Ok((bytes, plan))
}

/// Marks at the four corners of the spread's trim box and at the fold, outside the bleed.
fn crop_marks(
    surface: &mut krilla::surface::Surface<'_>,
    margin: f32,
    page_w: f32,
    page_h: f32,
    bleed: f32,
) {
    let (left, right, top, bottom) = (margin, margin + 2.0 * page_w, margin, margin + page_h);
    let fold = margin + page_w;
    let gap = bleed + MARK_OFFSET;
    let mut path = PathBuilder::new();
    let mut line = |x1: f32, y1: f32, x2: f32, y2: f32| {
        path.move_to(x1, y1);
        path.line_to(x2, y2);
    };
    for (x, y, dx, dy) in [
        (left, top, -1.0, -1.0),
        (right, top, 1.0, -1.0),
        (left, bottom, -1.0, 1.0),
        (right, bottom, 1.0, 1.0),
    ] {
        line(x + dx * gap, y, x + dx * (gap + MARK_LENGTH), y);
        line(x, y + dy * gap, x, y + dy * (gap + MARK_LENGTH));
    }
    for (y, dy) in [(top, -1.0), (bottom, 1.0)] {
        line(fold, y + dy * gap, fold, y + dy * (gap + MARK_LENGTH));
    }
    if let Some(path) = path.finish() {
        surface.set_stroke(Some(Stroke {
            width: 0.25,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(plan: &Plan) -> Vec<[Slot; 4]> {
        plan.sheets
            .iter()
            .map(|s| [s.front[0], s.front[1], s.back[0], s.back[1]])
            .collect()
    }

    #[test]
    fn four_pages_make_one_sheet() {
        let p = plan(4, None, true, Binding::Left).unwrap();
        assert_eq!(p.blanks, 0);
        assert_eq!(order(&p), vec![[Some(3), Some(0), Some(1), Some(2)]]);
    }

    #[test]
    fn eight_pages_nest_two_sheets() {
        let p = plan(8, None, true, Binding::Left).unwrap();
        assert_eq!(
            order(&p),
            vec![
                [Some(7), Some(0), Some(1), Some(6)],
                [Some(5), Some(2), Some(3), Some(4)]
            ]
        );
    }

    #[test]
    fn ten_pages_get_two_blanks_before_the_back_cover() {
        let p = plan(10, None, true, Binding::Left).unwrap();
        assert_eq!(p.blanks, 2);
        assert_eq!(
            order(&p),
            vec![
                [Some(9), Some(0), Some(1), None],
                [None, Some(2), Some(3), Some(8)],
                [Some(7), Some(4), Some(5), Some(6)],
            ]
        );
    }

    #[test]
    fn without_a_back_cover_blanks_follow_the_text() {
        let p = plan(10, None, false, Binding::Left).unwrap();
        assert_eq!((p.blanks, p.first_blank), (2, Some(11)));
        assert_eq!(
            order(&p),
            vec![
                [None, Some(0), Some(1), None],
                [Some(9), Some(2), Some(3), Some(8)],
                [Some(7), Some(4), Some(5), Some(6)],
            ]
        );
    }

    /// The booklet's pages in reading order, signature by signature.
    fn reading_order(plan: &Plan) -> Vec<Slot> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < plan.sheets.len() {
            let signature = plan.sheets[i].signature;
            let sheets: Vec<&Sheet> = plan.sheets[i..]
                .iter()
                .take_while(|s| s.signature == signature)
                .collect();
            let n = sheets.len() * 4;
            let mut chunk = vec![None; n];
            for (d, s) in sheets.iter().enumerate() {
                chunk[n - 1 - 2 * d] = s.front[0];
                chunk[2 * d] = s.front[1];
                chunk[2 * d + 1] = s.back[0];
                chunk[n - 2 - 2 * d] = s.back[1];
            }
            out.extend(chunk);
            i += sheets.len();
        }
        out
    }

    #[test]
    fn no_blank_stands_between_two_pages_of_text() {
        for pages in 1..=40 {
            for signature in [None, Some(8), Some(16)] {
                for back_cover in [false, true] {
                    let p = plan(pages, signature, back_cover, Binding::Left).unwrap();
                    let order = reading_order(&p);
                    // The text, then the blanks, then the back cover (when there is one).
                    let text = if back_cover && pages > 1 {
                        pages - 1
                    } else {
                        pages
                    };
                    let mut expected: Vec<Slot> = (0..text).map(Some).collect();
                    expected.extend(std::iter::repeat_n(None, p.blanks));
                    if text < pages {
                        expected.push(Some(pages - 1));
                    }
                    assert_eq!(
                        order, expected,
                        "{pages} pages, {signature:?}, back cover {back_cover}"
                    );
                    assert_eq!(p.first_blank, (p.blanks > 0).then_some(text + 1));
                }
            }
        }
    }

    #[test]
    fn every_page_appears_once() {
        for pages in [1, 2, 3, 4, 5, 10, 34, 101] {
            for signature in [None, Some(8), Some(16)] {
                let p = plan(pages, signature, true, Binding::Left).unwrap();
                let mut seen: Vec<usize> = order(&p).into_iter().flatten().flatten().collect();
                seen.sort();
                assert_eq!(
                    seen,
                    (0..pages).collect::<Vec<_>>(),
                    "{pages} pages, signature {signature:?}"
                );
                assert_eq!(p.sheets.len() * 4, pages + p.blanks);
            }
        }
    }

    #[test]
    fn signatures_are_separate_booklets() {
        let p = plan(16, Some(8), true, Binding::Left).unwrap();
        assert_eq!(
            p.sheets
                .iter()
                .map(|s| (s.signature, s.depth))
                .collect::<Vec<_>>(),
            vec![(0, 0), (0, 1), (1, 0), (1, 1)]
        );
        assert_eq!(p.sheets[2].front, [Some(15), Some(8)]);
        assert!(plan(16, Some(6), true, Binding::Left).is_err());
    }

    #[test]
    fn bound_on_the_right_each_side_changes_halves() {
        let p = plan(4, None, true, Binding::Right).unwrap();
        // Front [1|4], back [3|2] (1-based): the first page on the left of the outer front.
        assert_eq!(order(&p), vec![[Some(0), Some(3), Some(2), Some(1)]]);
        for pages in [1, 2, 5, 8, 10, 34] {
            for signature in [None, Some(4), Some(8)] {
                for back_cover in [false, true] {
                    let left = plan(pages, signature, back_cover, Binding::Left).unwrap();
                    let right = plan(pages, signature, back_cover, Binding::Right).unwrap();
                    assert_eq!(
                        (right.blanks, right.first_blank),
                        (left.blanks, left.first_blank)
                    );
                    assert_eq!(right.sheets.len(), left.sheets.len());
                    for (r, l) in right.sheets.iter().zip(&left.sheets) {
                        assert_eq!((r.signature, r.depth), (l.signature, l.depth));
                        assert_eq!(r.front, [l.front[1], l.front[0]], "{pages} {signature:?}");
                        assert_eq!(r.back, [l.back[1], l.back[0]], "{pages} {signature:?}");
                    }
                }
            }
        }
        // Signatures: each gathering starts on its outer sheet's front, left half.
        let p = plan(16, Some(8), true, Binding::Right).unwrap();
        assert_eq!(p.sheets[2].front, [Some(8), Some(15)]);
        assert_eq!(p.sheets[2].back, [Some(14), Some(9)]);
    }
}
