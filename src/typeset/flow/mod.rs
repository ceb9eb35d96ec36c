//! The document's blocks become one stream of rows on the baseline grid.
//!
//! A row is what the page builder moves as a unit: one line of a paragraph, a heading, a
//! figure, a table row. Each row says whether a page may break before it, which is how widows,
//! orphans and headings that must stay with their text are expressed, so the page builder only
//! needs to look for the last allowed break.
//!
//! One module per kind of block, as Typst's `typst-layout` has one per element, each reading
//! its design from the [`Style`]: [`paragraph`] (and raw HTML), [`heading`], [`figure`],
//! [`list`], [`table`], [`code`] and [`note`]; this module holds the stream and the dispatch.

mod code;
mod figure;
mod heading;
mod list;
mod note;
mod paragraph;
mod table;

use super::geometry::Geometry;
use super::paragraph::{Align, ParagraphStyle, SetLine};
use super::shape::FontStyle;
use super::{Context, ImageItem, Item, LineItem, LinkArea, PagePosition, Structure};
use crate::document::{Block, Chapter, Document, Inline};
use crate::style::Style;
pub use figure::{scale as scale_figure, FigureSize};
use paragraph::html_paragraphs;
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
    /// A figure's natural size, so that the copyfitter can scale it.
    pub figure: Option<FigureSize>,
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

#[derive(Clone)]
pub struct Stream {
    pub rows: Vec<Row>,
    /// Keyed by (chapter, note index).
    pub notes: HashMap<(usize, usize), NoteBlock>,
}

pub fn flow(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    geometry: &Geometry,
    structure: &mut Vec<Structure>,
) -> Stream {
    let mut flow = Flow {
        cx,
        style,
        geometry,
        numbers: crate::style::heading_numbers(doc, style),
        structure,
        rows: Vec::new(),
        keep: 0,
        chapter: 0,
        lang: String::new(),
        notes: HashMap::new(),
    };
    for (index, chapter) in doc.chapters.iter().enumerate() {
        flow.cx.chapter = Some((index, chapter.source.clone()));
        flow.cx.block_at = chapter.block_at.clone();
        flow.cx.note_numbers = chapter.notes.iter().map(|n| n.number).collect();
        flow.chapter = index;
        flow.lang = doc.chapter_lang(chapter).to_string();
        flow.chapter_rows(doc, chapter);
        flow.cx.block = None;
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
    style: &'a Style,
    geometry: &'a Geometry,
    /// Section numbers, for styles that number headings.
    numbers: crate::style::HeadingNumbers,
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
            left_to_right: false,
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
            figure: None,
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
            self.cx.block = Some(index);
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
                    // Without indents, paragraphs stand a blank line apart.
                    if indent && !self.style.indent {
                        self.space(1);
                    }
                    self.paragraph(inlines, frame, indent && self.style.indent, &mut offset);
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
            Block::Bibliography(list) => self.references(list, frame, offset),
            Block::Figure(_) => {}
        }
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
