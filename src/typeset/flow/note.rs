//! Footnotes: set once per chapter in the note style, placed by the page builder at the foot
//! of the page that cites them.

use super::paragraph::html_paragraphs;
use super::{line_items, Flow, NoteBlock};
use crate::document::{Block, Chapter, Inline};
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::shape::FontStyle;
use crate::typeset::Structure;

impl Flow<'_> {
    /// Sets the chapter's footnotes: number, then the note's text, in the note size.
    pub(super) fn chapter_notes(&mut self, chapter: &Chapter) {
        let g = self.geometry;
        let (note_size, note_leading) = (self.style.notes.size, self.style.notes.leading);
        let number_width = note_size * 1.2;
        for (index, note) in chapter.notes.iter().enumerate() {
            self.cx.note_at = note.at;
            let mut items = Vec::new();
            let mut y = 0.0;
            let style = ParagraphStyle {
                size: note_size,
                font: FontStyle::default(),
                measure: g.measure - number_width,
                indent: 0.0,
                align: Align::Justify,
                hyphenate: true,
                lang: self.lang.clone(),
                left_to_right: false,
            };
            // The number stands before the note: at its left, at its right in a right-to-left
            // note (whose lines end at the right of their measure).
            let rtl = crate::lang::is_rtl(&self.lang);
            let text_x = if rtl { 0.0 } else { number_width };
            let number = paragraph::set_text(self.cx, &format!("{}", note.number), &style);
            if let Some(line) = number.first() {
                let x = if rtl { g.measure - line.width } else { 0.0 };
                items.extend(line_items(line, x - line.start, note_leading * 0.75));
            }
            for block in &note.blocks {
                let inlines = match block {
                    Block::Paragraph(inlines) => inlines.clone(),
                    other => vec![Inline::Text(block_text(other))],
                };
                for line in paragraph::set(self.cx, &inlines, &style, &mut 0) {
                    items.extend(line_items(&line, text_x, y + note_leading * 0.75));
                    y += note_leading;
                }
            }
            let structure = self.element(Structure::Note);
            self.notes.insert(
                (self.chapter, index),
                NoteBlock {
                    items,
                    height: y.max(note_leading),
                    structure,
                },
            );
        }
        self.cx.note_at = None;
    }
}

/// Plain text of a block that is not a paragraph (in notes).
fn block_text(block: &Block) -> String {
    match block {
        Block::Heading(h) => Inline::plain_text(&h.content),
        Block::Paragraph(i) => Inline::plain_text(i),
        Block::Code(c) => c.text.clone(),
        Block::Quote(blocks) => blocks.iter().map(block_text).collect::<Vec<_>>().join(" "),
        Block::List(l) => l
            .items
            .iter()
            .flat_map(|i| i.blocks.iter().map(block_text))
            .collect::<Vec<_>>()
            .join(" "),
        Block::Html(nodes) => html_paragraphs(nodes).join(" "),
        Block::Figure(f) => Inline::plain_text(&f.caption),
        Block::Table(_) | Block::Rule | Block::Bibliography(_) => String::new(),
    }
}
