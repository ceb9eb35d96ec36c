//! Figures: the image scaled to the measure, the caption and credit under it, one float.

use super::{line_items, Flow, Frame, Row, RowKind};
use crate::document::{Document, Figure, Inline};
use crate::locale::{self, Label};
use crate::typeset::geometry::Geometry;
use crate::typeset::pages::translate;
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::shape::FontStyle;
use crate::typeset::{ImageItem, Item, Structure};

impl Flow<'_> {
    pub(super) fn figure(&mut self, doc: &Document, figure: &Figure, frame: Frame) {
        let g = self.geometry;
        let Some(asset) = doc.assets.get(figure.asset) else {
            return;
        };
        let max_height = g.lines as f32 * g.leading * self.style.figure_height;
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
            left_to_right: false,
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
        let size = FigureSize {
            width,
            height,
            top,
            below: y - top - height - caption_leading,
        };
        let image = self.element(Structure::Figure {
            alt: figure.alt.clone(),
        });
        let caption = self.element(Structure::Caption);
        let mut row = self.row(size.cells(height, g), items, self.position(frame.block, 0));
        row.tags = vec![(0..1, image), (1..row.items.len(), caption)];
        row.notes = notes;
        row.anchors.push((figure.id.clone(), 0.0));
        row.kind = RowKind::Float;
        row.figure = Some(size);
        self.rows.push(row);
    }
}

/// A figure as first set: the image's size and what stands above and below it (the caption
/// and credit), which scaling the image leaves as they are.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureSize {
    pub width: f32,
    pub height: f32,
    top: f32,
    /// From the image's foot to the last caption line's top.
    below: f32,
}

impl FigureSize {
    /// The grid cells the figure takes with its image `height` tall: whole cells, with half a
    /// line under the caption before the text resumes.
    fn cells(&self, height: f32, g: &Geometry) -> usize {
        ((self.top + height + self.below + g.leading * 0.5) / g.leading).ceil() as usize + 1
    }
}

/// Sets a figure's image at `scale` of its natural size, centred, the caption moved with its
/// foot; rows that are not figures are left alone.
pub fn scale(row: &mut Row, scale: f32, g: &Geometry) {
    let Some(size) = &row.figure else {
        return;
    };
    let (width, height) = (size.width * scale, size.height * scale);
    let cells = size.cells(height, g);
    // The image is the row's first item; the caption and credit (inline images too) follow.
    if let Some(Item::Image(image)) = row.items.first_mut() {
        let shift = height - image.height;
        image.x = (g.measure - width) / 2.0;
        image.width = width;
        image.height = height;
        for item in &mut row.items[1..] {
            translate(item, 0.0, shift);
        }
    }
    row.cells = cells;
}
