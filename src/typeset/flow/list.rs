//! Lists: items indented, their markers hung in the indent on the first line.

use super::{line_items, Flow, Frame};
use crate::document::List;
use crate::typeset::paragraph::{self, Align, ParagraphStyle};

impl Flow<'_> {
    pub(super) fn list(&mut self, list: &List, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let indent = self.style.list_indent * g.body_size;
        let inner = Frame {
            left: frame.left + indent,
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
                let x = inner.left - line.width - 0.4 * g.body_size;
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
