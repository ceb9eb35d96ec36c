//! Figures: the image scaled to the measure, the caption and credit under it, one float.

use super::{line_items, Flow, Frame, RowKind};
use crate::document::{Document, Figure, Inline};
use crate::locale::{self, Label};
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::shape::FontStyle;
use crate::typeset::{ImageItem, Item, Structure};

impl Flow<'_> {
    pub(super) fn figure(&mut self, doc: &Document, figure: &Figure, frame: Frame) {
        let g = self.geometry;
        let Some(asset) = doc.assets.get(figure.asset) else {
            return;
        };
        let max_height = g.lines as f32 * g.leading * 0.6;
        let aspect = asset.height.max(1) as f32 / asset.width.max(1) as f32;
        let mut width = g.measure;
        let mut height = width * aspect;
        if height > max_height {
            height = max_height;
            width = height / aspect;
        }
        // Half a line above the image keeps it off the descenders of the text before it.
        let top = 0.5 * g.leading;
        let mut items = vec![Item::Image(ImageItem {
            asset: figure.asset,
            x: (g.measure - width) / 2.0,
            y: top,
            width,
            height,
            alt: figure.alt.clone(),
        })];
        let caption_style = &self.style.caption;
        let caption_size = g.body_size * caption_style.size;
        let caption_leading = g.leading * caption_style.size;
        let credit_size = g.body_size * caption_style.credit_size;
        let label_bold = caption_style.label_bold;
        let mut y = top + height + caption_leading;
        let style = ParagraphStyle {
            size: caption_size,
            font: FontStyle::default(),
            measure: g.measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
        };
        let mut caption = Vec::new();
        if let Some(n) = figure.number {
            let label = vec![Inline::Text(format!(
                "{} {n}. ",
                locale::label(&self.lang, Label::Figure)
            ))];
            caption.push(if label_bold {
                Inline::Strong(label)
            } else {
                Inline::Emphasis(label)
            });
        }
        caption.extend(figure.caption.iter().cloned());
        // Only the caption's own text counts towards the block's chars; the label does not.
        let mut offset = 0;
        let lines = paragraph::set(self.cx, &caption, &style, &mut offset);
        let notes: Vec<usize> = lines.iter().flat_map(|l| l.notes.iter().copied()).collect();
        for line in &lines {
            items.extend(line_items(line, 0.0, y));
            y += caption_leading;
        }
        if let Some(credit) = &figure.credit {
            let style = ParagraphStyle {
                size: credit_size,
                font: FontStyle {
                    italic: true,
                    ..FontStyle::default()
                },
                ..style
            };
            for line in paragraph::set_text(self.cx, credit, &style) {
                items.extend(line_items(&line, 0.0, y));
                y += caption_leading;
            }
        }
        let cells = ((y - caption_leading + g.leading * 0.5) / g.leading).ceil() as usize + 1;
        let image = self.element(Structure::Figure {
            alt: figure.alt.clone(),
        });
        let caption = self.element(Structure::Caption);
        let mut row = self.row(cells, items, self.position(frame.block, 0));
        row.tags = vec![(0..1, image), (1..row.items.len(), caption)];
        row.notes = notes;
        row.anchors.push((figure.id.clone(), 0.0));
        row.kind = RowKind::Float;
        self.rows.push(row);
    }
}
