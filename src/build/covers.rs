//! A manuscript's generated covers, drawn when a format first asks for one.
//!
//! Drawing a cover (its text measured, its SVG parsed with the faces' outlines) takes as long
//! as typesetting a few pages, so it is done beside the typesetting rather than before it, and
//! the back cover only for the print formats: an ebook alone never draws it. Each drawing's
//! diagnostics are kept apart and reported before the formats' own, as when the covers were
//! drawn first.

use super::cover_design;
use crate::cover::{self, Cover};
use crate::diagnostic::Diagnostics;
use crate::document::Document;
use crate::style::Style;
use std::sync::OnceLock;

pub(super) struct Covers<'a> {
    doc: &'a Document,
    style: &'a Style,
    front: OnceLock<(Option<Cover>, Diagnostics)>,
    back: OnceLock<(Option<Cover>, Diagnostics)>,
}

impl<'a> Covers<'a> {
    pub(super) fn new(doc: &'a Document, style: &'a Style) -> Covers<'a> {
        Covers {
            doc,
            style,
            front: OnceLock::new(),
            back: OnceLock::new(),
        }
    }

    /// The generated front cover; `None` when the manuscript has a cover file (which is
    /// checked instead) or the cover could not be drawn (which is reported).
    pub(super) fn front(&self) -> Option<&Cover> {
        self.front
            .get_or_init(|| {
                let mut diags = Diagnostics::default();
                (front_cover(self.doc, self.style, &mut diags), diags)
            })
            .0
            .as_ref()
    }

    /// The back cover, when the manuscript has one.
    pub(super) fn back(&self) -> Option<&Cover> {
        self.back
            .get_or_init(|| {
                let mut diags = Diagnostics::default();
                let back = self.doc.meta.back_cover.as_ref().and_then(|back| {
                    cover::draw_back(self.doc, back, &cover_design(self.style), &mut diags)
                });
                (back, diags)
            })
            .0
            .as_ref()
    }

    /// Both, for the print edition.
    pub(super) fn both(&self) -> (Option<&Cover>, Option<&Cover>) {
        (self.front(), self.back())
    }

    /// What drawing them reported, the front cover's first. The front cover is drawn now if
    /// no format drew it (one stopped before it got that far), so that its errors (a logo
    /// that does not decode) are never left out.
    pub(super) fn diagnostics(mut self) -> Diagnostics {
        self.front();
        let mut all = self.front.take().map(|(_, d)| d).unwrap_or_default();
        if let Some((_, back)) = self.back.take() {
            all.extend(back);
        }
        all
    }
}

/// The generated cover of a manuscript without a cover file; a cover file is checked instead.
pub(super) fn front_cover(doc: &Document, style: &Style, diags: &mut Diagnostics) -> Option<Cover> {
    if doc.meta.cover.is_some() {
        cover::check_given(doc, (style.page.width, style.page.height), diags);
        return None;
    }
    cover::draw(doc, &cover_design(style), diags)
}
