//! The format-neutral document tree.
//!
//! Every output (EPUB, PDF) is written from a [`Document`] and nothing else. The tree knows
//! nothing of any output format: it holds blocks, inlines, figures, notes and the table of
//! contents, with typography (quotes, dashes) already applied for the text's language so that
//! every format prints the same characters.

mod attributes;
mod citations;
mod html;
mod ids;
mod parse;
mod toc;
mod typography;
mod web;

pub use crate::manuscript::{Asset, Dependencies};
pub use html::{HtmlElement, HtmlNode};
pub use parse::{build_document, verify_assets};
pub use toc::TocEntry;

use crate::diagnostic::Location;
use std::path::PathBuf;

/// How many quotes, lists, notes, tables, inline spans and HTML elements may nest inside one
/// another: deeper input is a `too-deep` error, so every walk over the tree is bounded.
pub const MAX_DEPTH: usize = 200;

/// A whole publication: metadata, chapters in reading order, the assets they use and the
/// table of contents derived from the headings.
#[derive(Debug, Clone)]
pub struct Document {
    pub meta: Metadata,
    pub chapters: Vec<Chapter>,
    pub assets: Vec<Asset>,
    pub toc: Vec<TocEntry>,
    /// Every file the manuscript and this tree were made from, and every path looked for and
    /// not found (e.g. covers), for the build cache.
    pub dependencies: Dependencies,
}

/// Publication metadata, already validated and defaulted by the manuscript stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// BCP 47 language tag of the publication.
    pub lang: String,
    /// Publication date as written (`2024`, `2024-05`, `2024-05-01`).
    pub date: Option<String>,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    /// ISBN, URN or URL; a stable `urn:uuid:` derived from slug and title when absent.
    pub identifier: String,
    pub description: Option<String>,
    /// `base-url:`, an absolute http(s) address (checked by the manuscript stage): the web
    /// edition's canonical addresses are under it.
    pub base_url: Option<String>,
    pub subjects: Vec<String>,
    pub collection: Option<Collection>,
    /// The publisher's cover file, an index into [`Document::assets`].
    pub cover: Option<AssetId>,
    /// The photograph a generated cover uses (`cover-photo:`, else the first figure).
    pub cover_photo: Option<AssetId>,
    /// The publisher's logo for a generated cover (`logo:`).
    pub logo: Option<Logo>,
    /// Where the title is set, for messages about it.
    pub title_at: Option<Location>,
    /// Where the subtitle is set.
    pub subtitle_at: Option<Location>,
    /// The other values the print edition sets (author, publisher, rights, date): what each
    /// is, its text and its key's place, for messages about their characters.
    pub printed_at: Vec<(&'static str, String, Location)>,
    pub figure_numbers: bool,
    /// Words with their allowed break points (`ta-ble`), which win over hyphenation patterns.
    pub hyphenation_exceptions: Vec<String>,
    /// The instant the publication counts as modified, seconds since the Unix epoch
    /// (`SOURCE_DATE_EPOCH`, else the manuscript date): never the clock.
    pub modified: i64,
    /// Print settings the imposer reads.
    pub print: PrintSettings,
    /// What the back cover says; `None` when it is turned off or has nothing to say.
    pub back_cover: Option<BackCover>,
    /// The style keys as written (project's first, then the manuscript's), for the style stage.
    pub style: Vec<crate::manuscript::StyleSetting>,
}

/// The back cover's text: the PDF's last page and the EPUB's.
#[derive(Debug, Clone, PartialEq)]
pub struct BackCover {
    /// `back-cover:` text, else the description.
    pub blurb: Option<String>,
    pub call_to_action: Option<crate::manuscript::front_matter::CallToAction>,
    pub price: Option<String>,
    /// The ISBN's 13 digits, for the EAN-13 barcode.
    pub isbn: Option<String>,
}

impl BackCover {
    /// The back cover's words in reading order: the EPUB's last page and the PDF's
    /// alternative text.
    pub fn words(&self, publisher: Option<&str>) -> Vec<String> {
        let mut out = Vec::new();
        out.extend(self.blurb.clone());
        if let Some(cta) = &self.call_to_action {
            out.extend(cta.text.clone());
            out.push(cta.url.clone());
        }
        out.extend(publisher.map(str::to_string));
        out.extend(self.price.clone());
        out.extend(self.isbn.as_deref().map(crate::manuscript::isbn::display));
        out
    }
}

/// A logo file, SVG or PNG, read but not yet decoded (the cover stage does that).
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub source: PathBuf,
    pub data: std::sync::Arc<Vec<u8>>,
    pub svg: bool,
    /// The `logo:` key that names it.
    pub at: Location,
}

/// A series the publication belongs to, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Collection {
    pub name: String,
    pub position: Option<String>,
}

/// Settings for the printed edition, as the manuscript stated them (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrintSettings {
    /// `pdf-a-2b` when the publisher asks for an archival PDF.
    pub standard: Option<String>,
    /// The `pdf:` key that asks for it, for the PDF's complaints.
    pub standard_at: Option<Location>,
    /// Bleed in millimetres.
    pub bleed_mm: Option<f32>,
    /// Creep per sheet in millimetres, for booklets.
    pub creep_mm: Option<f32>,
}

/// Index of an asset in [`Document::assets`].
pub type AssetId = usize;

/// One chapter: a source file parsed on its own.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Unique id, also the base of its output file name (`ch01`).
    pub id: String,
    pub source: PathBuf,
    /// Language, when the chapter overrides the publication's.
    pub lang: Option<String>,
    /// Title: the first heading's text, if any.
    pub title: Option<String>,
    pub blocks: Vec<Block>,
    /// Line and column where each of [`Chapter::blocks`] starts, for diagnostics of later stages.
    pub block_at: Vec<(u32, u32)>,
    /// Footnotes in order of first reference; [`Inline::NoteRef`] indexes this list.
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(Heading),
    Paragraph(Vec<Inline>),
    Figure(Figure),
    Quote(Vec<Block>),
    List(List),
    Code(CodeBlock),
    Table(Table),
    Rule,
    /// Raw HTML that survived sanitising, as an element tree.
    Html(Vec<HtmlNode>),
    /// The reference list of the works cited.
    Bibliography(Bibliography),
}

/// The reference list: where a `::: {#refs}` div stands, or after the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Bibliography {
    /// `refs`, when the author placed the list (and may link to it).
    pub id: Option<String>,
    /// What the list is called, for readers that announce it (the heading's text).
    pub label: String,
    pub entries: Vec<BibEntry>,
}

/// One work in the reference list, as the citation style formats it.
#[derive(Debug, Clone, PartialEq)]
pub struct BibEntry {
    /// The id citations link to.
    pub id: String,
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    pub id: String,
    pub classes: Vec<String>,
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub id: String,
    pub asset: AssetId,
    /// Text alternative for readers who cannot see the image.
    pub alt: String,
    pub caption: Vec<Inline>,
    /// Attribution shown after the caption, e.g. "Photo: Octubre CCC, public domain".
    pub credit: Option<String>,
    /// Figure number when the manuscript numbers figures.
    pub number: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// First number of an ordered list; `None` for a bulleted list.
    pub start: Option<u64>,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// Task-list state, when the item is a checkbox.
    pub checked: Option<bool>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    pub lang: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub alignments: Vec<Alignment>,
    pub head: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: String,
    /// 1-based number shown to readers.
    pub number: u32,
    pub blocks: Vec<Block>,
    /// Line and column of the note's definition in the chapter's source (as `block_at` for the
    /// chapter's blocks), for what a later stage reports of its text; `None` when undefined.
    pub at: Option<(u32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Superscript(Vec<Inline>),
    Subscript(Vec<Inline>),
    Code(String),
    Link {
        target: LinkTarget,
        title: Option<String>,
        content: Vec<Inline>,
        /// A citation's link to its entry in the reference list.
        biblioref: bool,
    },
    /// An image inside running text (not a figure).
    Image {
        asset: AssetId,
        alt: String,
    },
    /// Reference to a note of the same chapter (index into [`Chapter::notes`]).
    NoteRef(usize),
    /// A forced line break.
    LineBreak,
    /// Text in another language than its surroundings.
    Lang {
        lang: String,
        content: Vec<Inline>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    /// A URL outside the publication.
    External(String),
    /// An element of the publication: the chapter index and the element id.
    Internal { chapter: usize, id: String },
}

/// Whether `date` is a W3C date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) that exists.
pub fn date_is_w3c(date: &str) -> bool {
    matches!(date.len(), 4 | 7 | 10) && crate::date::date_to_epoch(date).is_some()
}

impl Document {
    /// The language of a chapter: its own, or the publication's.
    pub fn chapter_lang<'a>(&'a self, chapter: &'a Chapter) -> &'a str {
        chapter.lang.as_deref().unwrap_or(&self.meta.lang)
    }
}

impl Inline {
    /// The inlines this one wraps (emphasis, a link's text, …).
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Superscript(c)
            | Inline::Subscript(c)
            | Inline::Link { content: c, .. }
            | Inline::Lang { content: c, .. } => Some(c),
            _ => None,
        }
    }

    /// The inlines this one wraps (emphasis, a link's text, …), for walks over the tree.
    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Superscript(c)
            | Inline::Subscript(c)
            | Inline::Link { content: c, .. }
            | Inline::Lang { content: c, .. } => Some(c),
            _ => None,
        }
    }

    /// The plain text of inlines, as a screen reader or a bookmark would read it.
    pub fn plain_text(inlines: &[Inline]) -> String {
        let mut out = String::new();
        fn walk(inlines: &[Inline], out: &mut String) {
            for inline in inlines {
                match inline {
                    Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                    Inline::Emphasis(c)
                    | Inline::Strong(c)
                    | Inline::Strikethrough(c)
                    | Inline::Superscript(c)
                    | Inline::Subscript(c)
                    | Inline::Link { content: c, .. }
                    | Inline::Lang { content: c, .. } => walk(c, out),
                    Inline::Image { alt, .. } => out.push_str(alt),
                    Inline::LineBreak => out.push(' '),
                    Inline::NoteRef(_) => {}
                }
            }
        }
        walk(inlines, &mut out);
        out
    }
}
