//! Code blocks: monospace lines as written, wrapped only when longer than the measure.

use super::{may_break_before, Flow, Frame};
use crate::document::CodeBlock;
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::shape::FontStyle;
use crate::typeset::{Item, Structure};

impl Flow<'_> {
    pub(super) fn code(&mut self, code: &CodeBlock, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let size = g.body_size * self.style.code_size;
        let font = FontStyle {
            mono: true,
            ..FontStyle::default()
        };
        let left = frame.left + g.body_size;
        let columns = ((frame.measure - g.body_size) / (0.6 * size))
            .floor()
            .max(8.0) as usize;
        let mut chunks = Vec::new();
        let mut consumed = *offset;
        for source_line in code.text.trim_end_matches('\n').split('\n') {
            let chars: Vec<char> = source_line.chars().collect();
            if chars.is_empty() {
                chunks.push((String::new(), consumed));
            }
            // Long lines wrap after the last space that leaves at least half a line, else at
            // the column limit.
            let mut start = 0;
            while start < chars.len() {
                let mut end = (start + columns).min(chars.len());
                if end < chars.len() {
                    if let Some(space) = chars[start + columns / 2..end]
                        .iter()
                        .rposition(|c| *c == ' ')
                    {
                        end = start + columns / 2 + space + 1;
                    }
                }
                chunks.push((
                    chars[start..end].iter().collect::<String>(),
                    consumed + start,
                ));
                start = end;
            }
            consumed += chars.len() + 1;
        }
        *offset += code.text.chars().count();
        let element = self.element(Structure::Code);
        let n = chunks.len();
        for (k, (text, start)) in chunks.into_iter().enumerate() {
            let items = self.code_line(&text, font, size, left, g.baseline_offset());
            let mut row = self.row(1, items, self.position(frame.block, start));
            row.tags = vec![(0..row.items.len(), element)];
            row.break_before = may_break_before(k, n);
            self.push(row);
        }
    }

    /// Code set as it stands: one unbroken line, spaces and tabs kept, in as many runs as the
    /// faces its characters need.
    pub(super) fn code_line(
        &mut self,
        text: &str,
        font: FontStyle,
        size: f32,
        x: f32,
        y: f32,
    ) -> Vec<Item> {
        let style = ParagraphStyle {
            size,
            font,
            measure: f32::MAX / 4.0,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
            left_to_right: true,
        };
        // Spaces in code are significant: set them as no-break spaces of the same width, then
        // give the text its plain spaces back (one byte instead of two, so ranges shift).
        let kept = text.replace('\t', "    ").replace(' ', "\u{a0}");
        let line = paragraph::set_text(self.cx, &kept, &style)
            .into_iter()
            .next()
            .unwrap_or_default();
        line.runs
            .into_iter()
            .map(|mut run| {
                let shift = |i: u32| i - run.text[..i as usize].matches('\u{a0}').count() as u32;
                for glyph in &mut run.glyphs {
                    glyph.text = shift(glyph.text.start)..shift(glyph.text.end);
                }
                run.text = run.text.replace('\u{a0}', " ");
                run.x += x;
                run.y += y;
                Item::Text(run)
            })
            .collect()
    }
}
