//! The cover spread of a perfect-bound book: back cover, spine and front cover on one sheet,
//! with the bleed on every side, as a printer asks for it. The TrimBox says where the sheet is
//! cut, the BleedBox how far the art runs; each panel is clipped to its own part, so that no
//! cover's bleed runs over the spine.

use super::{draw_canvas, load_image, metadata};
use crate::cover::Cover;
use crate::diagnostic::Diagnostic;
use crate::document::{Asset, Metadata};
use krilla::geom::{PathBuilder, Rect, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::{Document, SerializeSettings};

/// The front of the spread: the generated cover, or the publisher's cover file.
pub enum Front<'a> {
    Drawn(&'a Cover),
    File(&'a Asset),
}

/// The three panels: `spine` fixes the trim height and the bleed; `back` may be absent (a
/// book without a back cover gets a plain one).
pub struct Spread<'a> {
    pub front: Front<'a>,
    pub back: Option<&'a Cover>,
    pub spine: &'a Cover,
    /// The front cover's trim size in points.
    pub trim: (f32, f32),
    /// A right-to-left book, bound on the right: the front cover is the sheet's left panel,
    /// the back its right.
    pub right_to_left: bool,
}

impl Spread<'_> {
    /// The sheet's size in points: two covers, the spine and the bleed on both sides.
    pub fn size(&self) -> (f32, f32) {
        let b = self.spine.bleed();
        let (w, h) = self.trim;
        let s = self.spine.trim().0;
        (2.0 * w + s + 2.0 * b, h + 2.0 * b)
    }
}

/// Writes the spread as a one-page PDF.
pub fn write(spread: &Spread, meta: &Metadata) -> Result<Vec<u8>, Diagnostic> {
    let (sheet_w, sheet_h) = spread.size();
    let b = spread.spine.bleed();
    let (w, h) = spread.trim;
    let s = spread.spine.trim().0;
    let fail = |what: &str| {
        Diagnostic::error(
            "pdf-failed",
            format!("could not write the cover spread: {what}"),
        )
    };
    let mut settings = PageSettings::from_wh(sheet_w, sheet_h).ok_or_else(|| fail("no area"))?;
    settings = settings
        .with_trim_box(Rect::from_xywh(b, b, 2.0 * w + s, h))
        .with_bleed_box(Rect::from_xywh(0.0, 0.0, sheet_w, sheet_h));
    let mut document = Document::new_with(SerializeSettings::default());
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let panel = |x: f32, width: f32| {
        let mut path = PathBuilder::new();
        path.push_rect(Rect::from_xywh(x, 0.0, width, sheet_h)?);
        path.finish()
    };
    // A cover's drawing starts at its bleed: at the sheet's left edge for the left panel, one
    // cover and the spine from it for the right one.
    let (left, right) = ((0.0, 0.0), (b + w + s, w + s));
    let (back_at, front_at) = if spread.right_to_left {
        (right, left)
    } else {
        (left, right)
    };
    // Back: from the left edge of the bleed to the spine (to the right edge, bound on the
    // right).
    if let Some(clip) = panel(back_at.0, b + w) {
        surface.push_clip_path(&clip, &FillRule::NonZero);
        match spread.back {
            Some(back) => draw_canvas(&mut surface, back, back_at.1, 0.0),
            None => {
                surface.set_fill(Some(Fill {
                    paint: krilla::color::rgb::Color::new(255, 255, 255).into(),
                    ..Fill::default()
                }));
                surface.draw_path(&clip);
            }
        }
        surface.pop();
    }
    // Spine: its drawing's own bleed reaches under the covers' panels, which are clipped.
    if let Some(clip) = panel(b + w, s) {
        surface.push_clip_path(&clip, &FillRule::NonZero);
        draw_canvas(&mut surface, spread.spine, w, 0.0);
        surface.pop();
    }
    // Front: from the spine to the right edge of the bleed (to the left edge, bound on the
    // right).
    if let Some(clip) = panel(front_at.0, w + b) {
        surface.push_clip_path(&clip, &FillRule::NonZero);
        match spread.front {
            Front::Drawn(cover) => draw_canvas(&mut surface, cover, front_at.1, 0.0),
            Front::File(asset) => {
                if let Some(image) = load_image(asset) {
                    // Filled out to the bleed; what overhangs is cut off by the clip.
                    let (pw, ph) = (w + 2.0 * b, h + 2.0 * b);
                    let k = (pw / asset.width.max(1) as f32).max(ph / asset.height.max(1) as f32);
                    let (iw, ih) = (asset.width as f32 * k, asset.height as f32 * k);
                    if let Some(size) = Size::from_wh(iw, ih) {
                        let x = front_at.1 + (pw - iw) / 2.0;
                        surface.push_transform(&Transform::from_translate(x, (ph - ih) / 2.0));
                        surface.draw_image(image, size);
                        surface.pop();
                    }
                }
            }
        }
        surface.pop();
    }
    surface.finish();
    page.finish();
    document.set_metadata(metadata(meta));
    document.finish().map_err(|e| fail(&format!("{e:?}")))
}
