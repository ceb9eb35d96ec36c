//! The document's blocks become one stream of rows on the baseline grid.
//!
//! A row is what the page builder moves as a unit: one line of a paragraph, a heading, a
//! figure, a table row. Each row says whether a page may break before it, which is how widows,
//! orphans and headings that must stay with their text are expressed, so the page builder only
//! needs to look for the last allowed break.

use super::geometry::Geometry;
use super::paragraph::{self, Align, ParagraphStyle, SetLine};
use super::shape::FontStyle;
use super::{Context, ImageItem, Item, LineItem, LinkArea, PagePosition, Structure};
use crate::document::{
    Block, Chapter, CodeBlock, Document, Figure, Heading, HtmlNode, Inline, List, Table,
};
use crate::locale::{self, Label};
use std::collections::HashMap;
use std::ops::Range;

/// Lines of a paragraph that must stay together at the start and end of a page.
const MIN_LINES: usize = 2;
/// Rows of text that must follow a heading on its page.
const KEEP_AFTER_HEADING: usize = 2;

#[derive(Debug, Clone)]
pub struct Row {
    /// Height in grid cells.
    pub cells: usize,
    /// Positioned relative to the text block's left edge and the row's top.
    pub items: Vec<Item>,
    /// Element ids that start in this row, with their y in the row.
    pub anchors: Vec<(String, f32)>,
    /// The title of the section a heading row opens, for running heads.
    pub section: Option<String>,
    /// Ranges of `items` that belong to a structure element.
    pub tags: Vec<(Range<usize>, usize)>,
    /// Footnotes (indices into the chapter's notes) cited in this row.
    pub notes: Vec<usize>,
    pub chapter: usize,
    pub source: Option<PagePosition>,
    pub kind: RowKind,
    /// A page may end before this row.
    pub break_before: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    Content,
    /// Vertical space, dropped at the top of a page.
    Space,
    /// A figure: placed where it stands if it fits, else at the top of the next page.
    Float,
    /// A chapter begins on a new page; its title runs in the heads of its pages.
    ChapterStart(String),
}

/// A footnote, set once, placed at the bottom of the page that cites it.
#[derive(Debug, Clone)]
pub struct NoteBlock {
    pub items: Vec<Item>,
    pub height: f32,
    pub structure: usize,
}

pub struct Stream {
    pub rows: Vec<Row>,
    /// Keyed by (chapter, note index).
    pub notes: HashMap<(usize, usize), NoteBlock>,
}

pub const NOTE_SIZE: f32 = 8.5;
pub const NOTE_LEADING: f32 = 10.5;

pub fn flow(
    cx: &mut Context,
    doc: &Document,
    geometry: &Geometry,
    structure: &mut Vec<Structure>,
) -> Stream {
    let mut flow = Flow {
        cx,
        geometry,
        structure,
        rows: Vec::new(),
        keep: 0,
        chapter: 0,
        lang: String::new(),
        notes: HashMap::new(),
    };
    for (index, chapter) in doc.chapters.iter().enumerate() {
        flow.cx.chapter = Some((index, chapter.source.clone()));
        flow.cx.note_numbers = chapter.notes.iter().map(|n| n.number).collect();
        flow.chapter = index;
        flow.lang = doc.chapter_lang(chapter).to_string();
        flow.chapter_rows(doc, chapter);
        flow.chapter_notes(chapter);
    }
    Stream {
        rows: flow.rows,
        notes: flow.notes,
    }
}

/// Where a nested block sits and which top-level block it belongs to.
#[derive(Clone, Copy)]
struct Frame {
    left: f32,
    measure: f32,
    block: usize,
    /// Set quote and list paragraphs without first-line indents.
    nested: bool,
}

struct Flow<'a> {
    cx: &'a mut Context,
    geometry: &'a Geometry,
    structure: &'a mut Vec<Structure>,
    rows: Vec<Row>,
    /// Rows that still must stay with the heading above them.
    keep: usize,
    chapter: usize,
    lang: String,
    notes: HashMap<(usize, usize), NoteBlock>,
}

impl Flow<'_> {
    fn body_style(&self, measure: f32) -> ParagraphStyle {
        ParagraphStyle {
            size: self.geometry.body_size,
            font: FontStyle::default(),
            measure,
            indent: 0.0,
            align: Align::Justify,
            hyphenate: true,
            lang: self.lang.clone(),
        }
    }

    fn push(&mut self, mut row: Row) {
        if row.kind == RowKind::Content && self.keep > 0 {
            row.break_before = false;
            self.keep -= 1;
        }
        self.rows.push(row);
    }

    /// A new logical element; its id tags the rows that show it.
    fn element(&mut self, s: Structure) -> usize {
        self.structure.push(s);
        self.structure.len() - 1
    }

    fn row(&self, cells: usize, items: Vec<Item>, source: Option<PagePosition>) -> Row {
        Row {
            cells,
            items,
            tags: Vec::new(),
            section: None,
            anchors: Vec::new(),
            notes: Vec::new(),
            chapter: self.chapter,
            source,
            kind: RowKind::Content,
            break_before: true,
        }
    }

    fn space(&mut self, cells: usize) {
        if matches!(
            self.rows.last().map(|r| &r.kind),
            Some(RowKind::Space | RowKind::ChapterStart(_)) | None
        ) {
            return;
        }
        let mut row = self.row(cells, Vec::new(), None);
        row.kind = RowKind::Space;
        self.rows.push(row);
    }

    fn position(&self, block: usize, offset: usize) -> Option<PagePosition> {
        Some(PagePosition {
            chapter: self.chapter,
            block,
            offset,
        })
    }

    fn chapter_rows(&mut self, doc: &Document, chapter: &Chapter) {
        // A pamphlet whose text opens without a heading gets the publication's title on its
        // first page, as an article would.
        let untitled = !matches!(chapter.blocks.first(), Some(Block::Heading(_)));
        let display = (untitled && doc.chapters.len() == 1).then(|| doc.meta.title.clone());
        let title = display
            .clone()
            .or_else(|| chapter.title.clone())
            .unwrap_or_else(|| doc.meta.title.clone());
        let mut start = self.row(0, Vec::new(), None);
        start.kind = RowKind::ChapterStart(title);
        self.rows.push(start);
        self.keep = 0;
        if let Some(display) = display {
            self.heading_row(&[Inline::Text(display)], 1, None, None, true);
            if let Some(subtitle) = &doc.meta.subtitle {
                self.subtitle(subtitle);
            }
        }
        let frame = Frame {
            left: 0.0,
            measure: self.geometry.measure,
            block: 0,
            nested: false,
        };
        let mut indent = false;
        for (index, block) in chapter.blocks.iter().enumerate() {
            let frame = Frame {
                block: index,
                ..frame
            };
            let mut offset = 0;
            match block {
                Block::Heading(h) => {
                    self.heading(h, index, index == 0);
                    indent = false;
                }
                Block::Paragraph(inlines) => {
                    self.paragraph(inlines, frame, indent, &mut offset);
                    indent = true;
                }
                Block::Figure(f) => self.figure(doc, f, frame),
                Block::Rule => {
                    self.rule(frame);
                    indent = false;
                }
                other => {
                    self.space(1);
                    self.nested_block(other, frame, &mut offset);
                    self.space(1);
                    indent = false;
                }
            }
        }
    }

    /// Blocks inside quotes and lists, and the other non-paragraph blocks.
    fn nested_block(&mut self, block: &Block, frame: Frame, offset: &mut usize) {
        match block {
            Block::Heading(h) => {
                let style = ParagraphStyle {
                    font: FontStyle {
                        bold: true,
                        ..FontStyle::default()
                    },
                    ..self.body_style(frame.measure)
                };
                self.lines(&h.content, &style, frame, offset);
            }
            Block::Paragraph(inlines) => self.paragraph(inlines, frame, false, offset),
            Block::Quote(blocks) => {
                let em = self.geometry.body_size;
                let inner = Frame {
                    left: frame.left + 2.0 * em,
                    measure: frame.measure - 4.0 * em,
                    nested: true,
                    ..frame
                };
                for b in blocks {
                    self.nested_block(b, inner, offset);
                }
            }
            Block::List(list) => self.list(list, frame, offset),
            Block::Code(code) => self.code(code, frame, offset),
            Block::Table(table) => self.table(table, frame, offset),
            Block::Html(nodes) => {
                // Raw HTML holds no `Inline` text, so it adds nothing to the block's chars.
                for text in html_paragraphs(nodes) {
                    self.paragraph(&[Inline::Text(text)], frame, false, &mut 0);
                }
            }
            Block::Rule => self.rule(frame),
            Block::Figure(_) => {}
        }
    }

    fn paragraph(&mut self, inlines: &[Inline], frame: Frame, indent: bool, offset: &mut usize) {
        let mut style = self.body_style(frame.measure);
        if indent && !frame.nested {
            style.indent = self.geometry.body_size;
        }
        self.lines(inlines, &style, frame, offset);
    }

    /// Rows for the lines of a paragraph, allowing page breaks only where at least
    /// [`MIN_LINES`] stay on each side.
    fn lines(
        &mut self,
        inlines: &[Inline],
        style: &ParagraphStyle,
        frame: Frame,
        offset: &mut usize,
    ) {
        let lines = paragraph::set(self.cx, inlines, style, offset);
        let element = self.element(Structure::Paragraph);
        self.line_rows(lines, frame, element);
    }

    fn line_rows(&mut self, lines: Vec<SetLine>, frame: Frame, element: usize) {
        let n = lines.len();
        let baseline = self.geometry.baseline_offset();
        for (k, mut line) in lines.into_iter().enumerate() {
            if line.overfull {
                self.cx.warn(
                    "overfull-line",
                    format!(
                        "a word is wider than the line in block {} and sticks into the margin",
                        frame.block + 1
                    ),
                );
            }
            let position = self.position(frame.block, line.offset);
            let notes = std::mem::take(&mut line.notes);
            let mut row = self.row(1, into_items(line, frame.left, baseline), position);
            row.notes = notes;
            row.tags = vec![(0..row.items.len(), element)];
            row.break_before = may_break_before(k, n);
            self.push(row);
        }
    }

    fn heading(&mut self, h: &Heading, block: usize, opens_chapter: bool) {
        let position = self.position(block, 0);
        self.heading_row(&h.content, h.level, Some(&h.id), position, opens_chapter);
    }

    /// A heading: level 1 sunk on a chapter's first page, smaller levels with a line of space
    /// above; never hyphenated, kept with the two lines that follow.
    fn heading_row(
        &mut self,
        content: &[Inline],
        level: u8,
        id: Option<&str>,
        source: Option<PagePosition>,
        opens_chapter: bool,
    ) {
        let g = self.geometry;
        let (size, leading, font, sink) = match level {
            1 => (
                g.body_size * 1.8,
                g.body_size * 2.2,
                FontStyle::default(),
                3,
            ),
            2 => (
                g.body_size * 1.15,
                g.leading,
                FontStyle {
                    bold: true,
                    ..FontStyle::default()
                },
                0,
            ),
            _ => (
                g.body_size,
                g.leading,
                FontStyle {
                    italic: true,
                    ..FontStyle::default()
                },
                0,
            ),
        };
        let style = ParagraphStyle {
            size,
            font,
            measure: g.measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
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
    fn subtitle(&mut self, text: &str) {
        let g = self.geometry;
        let style = ParagraphStyle {
            size: g.body_size * 1.2,
            font: FontStyle {
                italic: true,
                ..FontStyle::default()
            },
            measure: g.measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
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

    fn figure(&mut self, doc: &Document, figure: &Figure, frame: Frame) {
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
        let caption_size = g.body_size * 0.85;
        let caption_leading = g.leading * 0.85;
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
            caption.push(Inline::Strong(vec![Inline::Text(format!(
                "{} {n}. ",
                locale::label(&self.lang, Label::Figure)
            ))]));
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
                size: g.body_size * 0.7,
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

    fn rule(&mut self, frame: Frame) {
        let g = self.geometry;
        let half = g.measure / 8.0;
        let centre = frame.left + frame.measure / 2.0;
        let mut row = self.row(
            2,
            vec![Item::Line(LineItem {
                from: (centre - half, g.leading),
                to: (centre + half, g.leading),
                thickness: 0.4,
            })],
            None,
        );
        row.break_before = true;
        self.push(row);
    }

    fn list(&mut self, list: &List, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let indent = 1.5 * g.body_size;
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

    fn code(&mut self, code: &CodeBlock, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let size = g.body_size * 0.8;
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
    fn code_line(&mut self, text: &str, font: FontStyle, size: f32, x: f32, y: f32) -> Vec<Item> {
        let style = ParagraphStyle {
            size,
            font,
            measure: f32::MAX / 4.0,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: self.lang.clone(),
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

    fn table(&mut self, table: &Table, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let columns = table
            .head
            .len()
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let size = g.body_size * 0.85;
        // Column gaps shrink for wide tables so the cells keep most of the measure.
        let gap = g.body_size.min(frame.measure * 0.25 / columns as f32);
        let lang = self.lang.clone();
        let style = |font: FontStyle, measure: f32| ParagraphStyle {
            size,
            font,
            measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: lang.clone(),
        };
        // Natural widths decide the columns; wide tables shrink every column in proportion.
        let mut natural = vec![g.body_size; columns];
        for (r, cells) in std::iter::once(&table.head).chain(&table.rows).enumerate() {
            let font = FontStyle {
                bold: r == 0,
                ..FontStyle::default()
            };
            for (c, cell) in cells.iter().enumerate() {
                let set = paragraph::set(self.cx, cell, &style(font, f32::MAX / 4.0), &mut 0);
                let width = set.iter().map(|l| l.width).fold(0.0, f32::max);
                natural[c] = natural[c].max(width);
            }
        }
        let available = frame.measure - gap * (columns - 1) as f32;
        let total: f32 = natural.iter().sum();
        let widths: Vec<f32> = natural
            .iter()
            .map(|w| {
                if total > available {
                    w * available / total
                } else {
                    *w
                }
            })
            .collect();
        let table_width: f32 = widths.iter().sum::<f32>() + gap * (columns - 1) as f32;
        let rule = |y: f32, thickness: f32| {
            Item::Line(LineItem {
                from: (frame.left, y),
                to: (frame.left + table_width, y),
                thickness,
            })
        };
        let rows: Vec<&Vec<Vec<Inline>>> =
            std::iter::once(&table.head).chain(&table.rows).collect();
        let count = rows.len();
        for (r, cells) in rows.into_iter().enumerate() {
            if r == 0 && cells.is_empty() {
                continue;
            }
            let start = *offset;
            let font = FontStyle {
                bold: r == 0,
                ..FontStyle::default()
            };
            let mut items = Vec::new();
            let mut x = frame.left;
            let mut height = 1;
            let mut notes = Vec::new();
            for (c, cell) in cells.iter().enumerate() {
                let mut s = style(font, widths[c]);
                s.align = match table.alignments.get(c) {
                    Some(crate::document::Alignment::Center) => Align::Center,
                    _ => Align::Left,
                };
                let lines = paragraph::set(self.cx, cell, &s, offset);
                for (k, line) in lines.iter().enumerate() {
                    let shift = match table.alignments.get(c) {
                        Some(crate::document::Alignment::Right) => widths[c] - line.width,
                        _ => 0.0,
                    };
                    items.extend(line_items(
                        line,
                        x + shift,
                        g.baseline_offset() + k as f32 * g.leading,
                    ));
                    notes.extend(line.notes.iter().copied());
                }
                height = height.max(lines.len());
                x += widths[c] + gap;
            }
            if r == 0 {
                items.push(rule(0.0, 0.6));
                items.push(rule(height as f32 * g.leading, 0.4));
            }
            if r + 1 == count {
                items.push(rule(height as f32 * g.leading, 0.6));
            }
            let element = self.element(Structure::Paragraph);
            let mut row = self.row(height, items, self.position(frame.block, start));
            row.tags = vec![(0..row.items.len(), element)];
            row.notes = notes;
            // The head stays with the first row.
            row.break_before = r != 1;
            self.push(row);
        }
    }

    /// Sets the chapter's footnotes: number, then the note's text, in the note size.
    fn chapter_notes(&mut self, chapter: &Chapter) {
        let g = self.geometry;
        let number_width = NOTE_SIZE * 1.2;
        for (index, note) in chapter.notes.iter().enumerate() {
            let mut items = Vec::new();
            let mut y = 0.0;
            let style = ParagraphStyle {
                size: NOTE_SIZE,
                font: FontStyle::default(),
                measure: g.measure - number_width,
                indent: 0.0,
                align: Align::Justify,
                hyphenate: true,
                lang: self.lang.clone(),
            };
            let number = paragraph::set_text(self.cx, &format!("{}", note.number), &style);
            if let Some(line) = number.first() {
                items.extend(line_items(line, 0.0, NOTE_LEADING * 0.75));
            }
            for block in &note.blocks {
                let inlines = match block {
                    Block::Paragraph(inlines) => inlines.clone(),
                    other => vec![Inline::Text(block_text(other))],
                };
                for line in paragraph::set(self.cx, &inlines, &style, &mut 0) {
                    items.extend(line_items(&line, number_width, y + NOTE_LEADING * 0.75));
                    y += NOTE_LEADING;
                }
            }
            let structure = self.element(Structure::Note);
            self.notes.insert(
                (self.chapter, index),
                NoteBlock {
                    items,
                    height: y.max(NOTE_LEADING),
                    structure,
                },
            );
        }
    }
}

/// Whether a page may end before line `k` of `n`: not when fewer than [`MIN_LINES`] would
/// stay at the foot (an orphan) or go over to the next page alone (a widow).
pub fn may_break_before(k: usize, n: usize) -> bool {
    k == 0 || (k >= MIN_LINES && n - k >= MIN_LINES)
}

/// Items of a set line placed with its start at `x` and its baseline at `y`.
pub fn line_items(line: &SetLine, x: f32, y: f32) -> Vec<Item> {
    into_items(line.clone(), x, y)
}

/// [`line_items`] for a line that is not needed afterwards: its runs move, not copied (the
/// body text's lines, most of a book's glyphs).
fn into_items(line: SetLine, x: f32, y: f32) -> Vec<Item> {
    let size = line.runs.first().map_or(11.0, |r| r.size);
    let mut items: Vec<Item> = line
        .runs
        .into_iter()
        .map(|mut run| {
            run.x += x;
            run.y += y;
            Item::Text(run)
        })
        .collect();
    for (asset, ix, top, width, height, alt) in line.images {
        items.push(Item::Image(ImageItem {
            asset,
            x: x + ix,
            y: y + top,
            width,
            height,
            alt,
        }));
    }
    for (x0, x1, height, thickness) in line.strikes {
        items.push(Item::Line(LineItem {
            from: (x + x0, y - height),
            to: (x + x1, y - height),
            thickness,
        }));
    }
    for (x0, x1, target) in line.links {
        items.push(Item::Link(LinkArea {
            x: x + x0,
            y: y - 0.8 * size,
            width: x1 - x0,
            height: 1.05 * size,
            target,
        }));
    }
    items
}

/// Elements that start a new paragraph when raw HTML is set as text.
const HTML_BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "dd",
    "dt",
    "blockquote",
    "figure",
    "figcaption",
    "aside",
    "section",
    "details",
    "summary",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "caption",
    "br",
    "hr",
];

/// The text of raw HTML as a reader would see it: one string per paragraph, with block
/// elements (and line breaks) starting new ones.
fn html_paragraphs(nodes: &[HtmlNode]) -> Vec<String> {
    fn walk(nodes: &[HtmlNode], current: &mut String, out: &mut Vec<String>) {
        for node in nodes {
            match node {
                HtmlNode::Text(t) => current.push_str(t),
                HtmlNode::Element(e) if HTML_BLOCKS.contains(&e.name.as_str()) => {
                    flush(current, out);
                    walk(&e.children, current, out);
                    flush(current, out);
                }
                HtmlNode::Element(e) => {
                    // Cells of a row read as words, not run together.
                    if matches!(e.name.as_str(), "td" | "th") && !current.is_empty() {
                        current.push(' ');
                    }
                    walk(&e.children, current, out);
                }
            }
        }
    }
    fn flush(current: &mut String, out: &mut Vec<String>) {
        let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push(text);
        }
        current.clear();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    walk(nodes, &mut current, &mut out);
    flush(&mut current, &mut out);
    out
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
        Block::Table(_) | Block::Rule => String::new(),
    }
}
