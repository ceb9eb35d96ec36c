//! The spine of a perfect-bound book: a band of the design's accent colour as thick as the
//! book block, with the title and author running down it (top to bottom, as English and most
//! European books read on the shelf) when it is thick enough to carry type. Drawn as SVG like
//! the covers, so the cover spread places three drawings of one machinery.

use super::compose::{svg_face, Drawing, Sheet, Svg};
use super::{CoverDesign, MM};
use crate::document::Metadata;
use std::sync::Arc;
use usvg::fontdb;

/// A spine thinner than this carries no type: printers ask for 6 mm (binding varies by ±1 mm).
pub const TEXT_SPINE: f32 = 6.0 * MM;

/// Composes the spine, `thickness` points wide, on a sheet of the cover's height and bleed.
pub fn compose(meta: &Metadata, design: &CoverDesign, thickness: f32, sheet: Sheet) -> Drawing {
    let mut db = fontdb::Database::new();
    let face = svg_face(&mut db, &design.title_face, &design.fallback);
    db.load_font_source(fontdb::Source::Binary(Arc::new(design.fallback.data)));
    let sheet = Sheet {
        width: thickness,
        ..sheet
    };
    let (w, h, b) = (sheet.width, sheet.height, sheet.bleed);
    let mut svg = Svg::new(sheet);
    svg.rect(-b, -b, w + 2.0 * b, h + 2.0 * b, design.accent, 1.0);
    let mut words = vec![meta.title.clone()];
    if !meta.authors.is_empty() {
        words.push(meta.authors.join(", "));
    }
    let line = if design.upper {
        words.join(" · ").to_uppercase()
    } else {
        words.join(" · ")
    };
    let mut too_long = Vec::new();
    let mut boxes = Vec::new();
    if w >= TEXT_SPINE {
        // Cap height about half the spine; the line fits its length with a margin at each end.
        let room = h - 2.0 * (h * 0.06).max(9.0);
        let natural = (w * 0.5).min(14.0);
        let width = face.measure.width(&line);
        let size = natural.min(room / width.max(0.01));
        if size < 5.0 {
            too_long.push(format!(
                "the spine's text “{line}” is set at {size:.1} pt, below 5 pt"
            ));
        }
        // Rotated a quarter turn clockwise about the spine's centre; the baseline sits so the
        // letters' middle is on the spine's axis.
        let (cx, cy) = (w / 2.0, h / 2.0);
        svg.raw(&format!(
            "<g transform=\"translate({cx:.2} {cy:.2}) rotate(90)\">"
        ));
        svg.text(&line, 0.0, size * 0.35, &face, size, design.on_accent, true);
        svg.raw("</g>");
        let length = width * size;
        boxes.push([cx - size * 0.5, cy - length / 2.0, size, length]);
    }
    Drawing {
        width: w,
        height: h,
        bleed: b,
        svg: svg.finish(),
        alt: line,
        too_long,
        text_boxes: boxes,
        fonts: Arc::new(db),
    }
}
