//! Headings: sunk at a chapter's opening, kept with the lines that follow, in the faces and
//! sizes of the style's heading levels; and the subtitle under an untitled pamphlet's title.

use super::{line_items, Flow, KEEP_AFTER_HEADING};
use crate::document::{Heading, Inline};
use crate::style::Family;
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::shape::FontStyle;
use crate::typeset::{PagePosition, Structure};

impl Flow<'_> {
    pub(super) fn heading(&mut self, h: &Heading, block: usize, opens_chapter: bool) {
        let position = self.position(block, 0);
        let mut content = h.content.clone();
        if let Some(number) = self.numbers.get(&(self.chapter, h.id.clone())) {
            content.insert(0, Inline::Text(format!("{number}\u{2002}")));
        }
        self.heading_row(&content, h.level, Some(&h.id), position, opens_chapter);
    }

    /// A heading: level 1 sunk on a chapter's first page, smaller levels with a line of space
    /// above; never hyphenated, kept with the two lines that follow.
    pub(super) fn heading_row(
        &mut self,
        content: &[Inline],
        level: u8,
        id: Option<&str>,
        source: Option<PagePosition>,
        opens_chapter: bool,
    ) {
        let g = self.geometry;
        let headings = &self.style.headings;
        let l = headings.level(level);
        let size = g.body_size * l.size;
        let leading = l.leading.map_or(g.leading, |x| g.body_size * x);
        let font = FontStyle {
            italic: l.italic,
            bold: l.bold,
            sans: headings.family == Family::Sans,
            ..FontStyle::default()
        };
        let sink = l.sink;
        let upper;
        let content = if headings.upper {
            upper = uppercase(content);
            &upper[..]
        } else {
            content
        };
        let style = ParagraphStyle {
            size,
            font,
            measure: g.measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
            left_to_right: false,
        };
        let lines = paragraph::set(self.cx, content, &style, &mut 0);
        let sink = if opens_chapter { sink } else { 0 };
        if !opens_chapter {
            self.space(if level == 1 { 2 } else { 1 });
        }
        let mut items = Vec::new();
        let first = sink as f32 * g.leading + g.baseline_offset() + (leading - g.leading);
        for (k, line) in lines.iter().enumerate() {
            items.extend(line_items(line, 0.0, first + k as f32 * leading));
        }
        let height = first + (lines.len().max(1) - 1) as f32 * leading + g.leading * 0.25;
        let after = usize::from(level == 1);
        let cells = (height / g.leading).ceil() as usize + after;
        let element = self.element(Structure::Heading(level));
        let mut row = self.row(cells, items, source);
        row.tags = vec![(0..row.items.len(), element)];
        row.notes = lines.iter().flat_map(|l| l.notes.iter().copied()).collect();
        if let Some(id) = id {
            row.anchors.push((id.to_string(), sink as f32 * g.leading));
        }
        if level <= 2 {
            row.section = Some(Inline::plain_text(content));
        }
        self.push(row);
        self.keep = KEEP_AFTER_HEADING;
    }

    /// The publication's subtitle under the title that opens an untitled pamphlet, in the
    /// blank cell the title leaves below itself.
    pub(super) fn subtitle(&mut self, text: &str) {
        let g = self.geometry;
        let style = ParagraphStyle {
            size: g.body_size * 1.2,
            font: FontStyle {
                italic: true,
                sans: self.style.headings.family == Family::Sans,
                ..FontStyle::default()
            },
            measure: g.measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
            left_to_right: false,
        };
        let lines = paragraph::set_text(self.cx, text, &style);
        let element = self.element(Structure::Paragraph);
        let Some(row) = self.rows.last_mut() else {
            return;
        };
        let start = row.items.len();
        let top = (row.cells - 1) as f32 * g.leading;
        for (k, line) in lines.iter().enumerate() {
            let y = top + g.baseline_offset() + k as f32 * g.leading;
            row.items.extend(line_items(line, 0.0, y));
        }
        row.tags.push((start..row.items.len(), element));
        row.cells += lines.len();
    }
}

/// Headings set in capitals: their text upper-cased, code and links' targets as written.
fn uppercase(inlines: &[Inline]) -> Vec<Inline> {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text(t) => Inline::Text(t.to_uppercase()),
            Inline::Emphasis(c) => Inline::Emphasis(uppercase(c)),
            Inline::Strong(c) => Inline::Strong(uppercase(c)),
            Inline::Strikethrough(c) => Inline::Strikethrough(uppercase(c)),
            Inline::Superscript(c) => Inline::Superscript(uppercase(c)),
            Inline::Subscript(c) => Inline::Subscript(uppercase(c)),
            Inline::Link {
                target,
                title,
                content,
                biblioref,
            } => Inline::Link {
                target: target.clone(),
                title: title.clone(),
                content: uppercase(content),
                biblioref: *biblioref,
            },
            Inline::Lang { lang, content } => Inline::Lang {
                lang: lang.clone(),
                content: uppercase(content),
            },
            other => other.clone(),
        })
        .collect()
}
