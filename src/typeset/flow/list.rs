//! Lists: items indented, their markers hung in the indent on the first line. The reference
//! list: entries with a hanging indent, their first line at the margin.

use super::{line_items, Flow, Frame};
use crate::document::{Bibliography, List};
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::Item;

impl Flow<'_> {
    pub(super) fn list(&mut self, list: &List, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let indent = self.style.list_indent * g.body_size;
        // Indented from the start of the lines: the right in a right-to-left list.
        let rtl = crate::lang::is_rtl(&self.lang);
        let inner = Frame {
            left: frame.left + if rtl { 0.0 } else { indent },
            measure: frame.measure - indent,
            nested: true,
            ..frame
        };
        for (k, item) in list.items.iter().enumerate() {
            let marker = match (list.start, item.checked) {
                (_, Some(true)) => "☒".to_string(),
                (_, Some(false)) => "☐".to_string(),
                (Some(start), None) => format!("{}.", start + k as u64),
                (None, None) => "•".to_string(),
            };
            let first_row = self.rows.len();
            for block in &item.blocks {
                self.nested_block(block, inner, offset);
            }
            // Hang the marker in the indent, on the item's first line.
            let style = ParagraphStyle {
                align: Align::Left,
                hyphenate: false,
                ..self.body_style(indent)
            };
            if let Some(line) = paragraph::set_text(self.cx, &marker, &style).first() {
                let x = if rtl {
                    inner.left + inner.measure + 0.4 * g.body_size
                } else {
                    inner.left - line.width - 0.4 * g.body_size
                };
                let x = x - line.start;
                if let Some(row) = self.rows.get_mut(first_row) {
                    row.items.extend(line_items(line, x, g.baseline_offset()));
                    let end = row.items.len();
                    if let Some(tag) = row.tags.first_mut() {
                        tag.0.end = end;
                    }
                }
            }
        }
    }
}

impl Flow<'_> {
    /// The reference list: each entry ragged right, its lines after the first indented by the
    /// style's hanging indent, its first line anchored for the citations that link to it.
    pub(super) fn references(&mut self, list: &Bibliography, frame: Frame, offset: &mut usize) {
        let hang = self.style.reference_indent * self.geometry.body_size;
        // Indented from the start of the lines: the right in a right-to-left list.
        let rtl = crate::lang::is_rtl(&self.lang);
        let inner = Frame {
            left: frame.left + if rtl { 0.0 } else { hang },
            measure: frame.measure - hang,
            nested: true,
            ..frame
        };
        let style = ParagraphStyle {
            align: Align::Left,
            ..self.body_style(inner.measure)
        };
        for entry in &list.entries {
            let first_row = self.rows.len();
            self.lines(&entry.content, &style, inner, offset);
            let Some(row) = self.rows.get_mut(first_row) else {
                continue;
            };
            // The first line starts at the margin: it hangs out into the indent.
            let hang = if rtl { -hang } else { hang };
            for item in &mut row.items {
                match item {
                    Item::Text(run) => run.x -= hang,
                    Item::Image(image) => image.x -= hang,
                    Item::Line(line) => {
                        line.from.0 -= hang;
                        line.to.0 -= hang;
                    }
                    Item::Link(link) => link.x -= hang,
                    Item::Rect(_) | Item::Cover(_) => {}
                }
            }
            row.anchors.push((entry.id.clone(), 0.0));
        }
    }
}
