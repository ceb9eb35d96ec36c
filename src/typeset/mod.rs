//! The typesetter: a [`Document`] becomes pages of positioned glyphs, images and rules.
//!
//! Stages, one module each, data flowing one way: [`shape`] (text to glyphs) and
//! [`hyphenate`] feed [`paragraph`], which sets lines with [`knuth_plass`]; [`flow`] turns the
//! document's blocks into a stream of rows on the baseline grid; [`pages`] cuts the stream into
//! pages (widows, orphans, floats, footnotes, running heads); [`front`] composes the cover,
//! title, colophon and contents pages. Nothing here knows about PDF: the [`Layout`] is plain
//! geometry that any writer can draw.

mod copyfit;
mod flow;
mod front;
mod geometry;
pub mod hyphenate;
pub mod knuth_plass;
mod pages;
mod paragraph;
pub mod shape;

pub use copyfit::Fit;
pub use geometry::Geometry;
pub use pages::BodyPages;
pub use shape::FontId;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::document::{Asset, AssetId, Document, LinkTarget, Metadata, TocEntry};
use crate::fonts::FontFace;
use crate::style::Style;
use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;

/// A typeset publication.
#[derive(Debug, Clone)]
pub struct Layout {
    pub pages: Vec<Page>,
    /// Bookmarks: every heading, nested as in the table of contents.
    pub outline: Vec<OutlineEntry>,
    /// Heading and figure positions, for internal links.
    pub destinations: Vec<Destination>,
    /// The logical elements of the text in reading order; [`Page::tagged`] says which items
    /// belong to which.
    pub structure: Vec<Structure>,
    /// The faces, indexed by [`FontId`].
    pub fonts: Vec<FontFace>,
    pub meta: Metadata,
    pub assets: Vec<Asset>,
    /// What copyfitting changed to reach the page count, when it ran.
    pub fit: Option<Fit>,
    /// Pages that are covers (the front, the back): a bound book's block has the others.
    pub covers: usize,
    /// A right-to-left book, bound on the right (its rectos have the binding on their right):
    /// what the imposer needs to put the pages on the sheets' other halves.
    pub right_to_left: bool,
}

/// Every character a page's label can have (front matter in lower-case roman numerals, the
/// rest in arabic): the EPUB cuts its fonts down before the labels are known.
pub const FOLIO_CHARACTERS: &str = "0123456789ivxlcdm";

/// One page; coordinates in points from the top-left corner, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    /// The folio as printed (`iii`, `12`), also the PDF page label: written in
    /// [`FOLIO_CHARACTERS`].
    pub label: String,
    pub items: Vec<Item>,
    /// Ranges of [`Page::items`] that belong to an element of [`Layout::structure`]; items in
    /// no range are page furniture (running heads, folios, rules).
    pub tagged: Vec<(Range<usize>, usize)>,
    /// Where the page's body text starts in the document, for page lists.
    pub start: Option<PagePosition>,
}

/// A logical element, for tagged PDF: what assistive technology and reflow read.
#[derive(Debug, Clone, PartialEq)]
pub enum Structure {
    Paragraph,
    Heading(u8),
    Figure { alt: String },
    Caption,
    Code,
    Note,
}

/// A place in the document: chapter index, top-level block index in [`Chapter::blocks`], and
/// the number of chars of the block's text (its `Text` and `Code` strings in tree order, code
/// blocks' text included) that come before the page's first character.
///
/// For a page holding text from several blocks, this is the earliest position in reading
/// order, so a figure floated to the top of a page does not hide the text that continues
/// there. The space at which a line broke counts as before the page.
///
/// [`Chapter::blocks`]: crate::document::Chapter::blocks
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PagePosition {
    pub chapter: usize,
    pub block: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(GlyphRun),
    Image(ImageItem),
    Line(LineItem),
    Rect(RectItem),
    Link(LinkArea),
    /// The generated front cover fills the page (and its bleed); the cover stage draws it and
    /// the writer places that drawing here.
    Cover(CoverArea),
}

/// Where the generated cover goes: the whole page.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverArea {
    /// What the cover says, for the tagged PDF.
    pub alt: String,
    /// The back cover (else the front).
    pub back: bool,
}

/// A filled rectangle (a band of colour on a cover).
#[derive(Debug, Clone, PartialEq)]
pub struct RectItem {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// RGB.
    pub colour: [u8; 3],
}

/// Glyphs of one face and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    pub font: FontId,
    pub size: f32,
    /// Origin of the first glyph, on the baseline.
    pub x: f32,
    pub y: f32,
    /// Horizontal scale of the glyphs and their advances around the origin (expansion in
    /// justified lines; 1 elsewhere).
    pub scale: f32,
    pub glyphs: Vec<Glyph>,
    /// The text the glyphs represent.
    pub text: String,
}

impl GlyphRun {
    /// Width on the page.
    pub fn width(&self) -> f32 {
        self.scale * self.glyphs.iter().map(|g| g.advance).sum::<f32>()
    }
}

/// A glyph; advance and offsets in points before the run's scale (justification included in
/// the advance of spaces).
///
/// A book holds a glyph for every letter it prints, so the record is kept small: 24 bytes,
/// its text range counted in `u32` (a run is one line's text).
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// Bytes of [`GlyphRun::text`] this glyph stands for.
    pub text: Range<u32>,
}

impl Glyph {
    /// The bytes of [`GlyphRun::text`] this glyph stands for, as a range to index it with.
    pub fn text_range(&self) -> Range<usize> {
        self.text.start as usize..self.text.end as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    pub asset: AssetId,
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub alt: String,
}

/// A stroked line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineItem {
    pub from: (f32, f32),
    pub to: (f32, f32),
    pub thickness: f32,
}

/// A clickable area.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkArea {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    pub target: LinkTarget,
}

/// Where an element with an id ended up.
#[derive(Debug, Clone, PartialEq)]
pub struct Destination {
    pub chapter: usize,
    pub id: String,
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    pub page: usize,
    pub y: f32,
    pub children: Vec<OutlineEntry>,
}

/// What every stage shares: fonts, hyphenation dictionaries, the diagnostics so far.
pub(crate) struct Context {
    fonts: shape::FontSet,
    /// The faces, by [`FontId`], for messages.
    faces: Vec<FontFace>,
    hyphenator: hyphenate::Hyphenator,
    diagnostics: Diagnostics,
    assets: Vec<Asset>,
    /// The chapter being set (index, source file), for diagnostics.
    chapter: Option<(usize, PathBuf)>,
    /// Where the chapter's top-level blocks start, and the block being set: diagnostics
    /// point at the block's line.
    block_at: Vec<(u32, u32)>,
    /// Where the note being set was defined: what is reported while notes are set.
    note_at: Option<(u32, u32)>,
    block: Option<usize>,
    /// The numbers readers see for the chapter's notes (numbering runs through the document).
    note_numbers: Vec<u32>,
    /// Characters already reported missing (once each, in the first chapter that uses one).
    reported: HashSet<char>,
    /// The front matter's printed texts (title, subtitle), what each is, and its key's place:
    /// a character missing from one is reported there.
    front: Vec<(String, &'static str, Location)>,
}

impl Context {
    fn new(faces: &[FontFace], hyphenation_exceptions: &[String], assets: Vec<Asset>) -> Self {
        Context {
            fonts: shape::FontSet::new(faces),
            faces: faces.to_vec(),
            hyphenator: hyphenate::Hyphenator::new(hyphenation_exceptions),
            diagnostics: Diagnostics::default(),
            assets,
            chapter: None,
            block_at: Vec::new(),
            note_at: None,
            block: None,
            note_numbers: Vec::new(),
            reported: HashSet::new(),
            front: Vec::new(),
        }
    }

    /// Reports a character no face can draw in `style`, naming the first chapter that uses
    /// it, the faces tried and what to add.
    fn missing_glyph(&mut self, c: char, style: shape::FontStyle) {
        if !self.reported.insert(c) {
            return;
        }
        let in_front = self
            .front
            .iter()
            .find(|(text, _, _)| text.contains(c))
            .map(|(_, what, at)| (*what, at.clone()));
        let (index, source) = self.chapter.clone().unwrap_or((usize::MAX, PathBuf::new()));
        let place = if let Some((what, _)) = in_front {
            what.to_string()
        } else if index == usize::MAX {
            "the front matter".to_string()
        } else {
            format!("chapter {}", index + 1)
        };
        let mut tried: Vec<String> = self
            .fonts
            .tried(style)
            .filter(|&f| !self.faces[f].system)
            .map(|f| crate::style::describe(&self.faces[f]))
            .collect();
        tried.dedup();
        let system = self.faces.iter().filter(|f| f.system).count();
        if system > 0 {
            tried.push(format!("{system} system font faces"));
        }
        let help = match script_of(c) {
            Some(script) => format!(
                "{script} fonts are too big to ship with roneo: put one (.otf, .ttf or .ttc, e.g. {}) in the project's fonts/ folder and it is used for these characters",
                match script {
                    "emoji" => "Noto Emoji",
                    _ => "Noto Serif CJK or Source Han Serif",
                }
            ),
            None => "replace the character, or put a font that has it in the project's fonts/ folder (it is used for the characters the other fonts lack)".to_string(),
        };
        let mut d = Diagnostic::error(
            "missing-glyph",
            format!(
                "no font has a glyph for {} in {place}; fonts tried: {}",
                crate::diagnostic::shown_char(c),
                tried.join(", ")
            ),
        )
        .help(help);
        if let Some((_, at)) = in_front {
            d = d.at(at);
        } else if !source.as_os_str().is_empty() {
            d = d.at(self.here().unwrap_or_else(|| Location::file(&source)));
        } else if let Some((_, _, at)) = self.front.first() {
            // Another printed value of the front matter: the front matter's first line.
            d = d.at(Location::new(at.file.clone(), 1, 1));
        }
        self.diagnostics.push(d);
    }

    fn warn(&mut self, code: &'static str, message: String) {
        let mut d = Diagnostic::warning(code, message);
        if let Some(at) = self.here() {
            d = d.at(at);
        }
        self.diagnostics.push(d);
    }

    /// [`Context::warn`] with what to do about it.
    fn warn_with_help(&mut self, code: &'static str, message: String, help: &str) {
        let mut d = Diagnostic::warning(code, message).help(help);
        if let Some(at) = self.here() {
            d = d.at(at);
        }
        self.diagnostics.push(d);
    }

    /// The block being set: its file, line and column (the file alone outside the blocks).
    fn here(&self) -> Option<Location> {
        let (_, source) = self.chapter.as_ref()?;
        let at = self
            .note_at
            .or_else(|| self.block.and_then(|b| self.block_at.get(b).copied()));
        Some(match at {
            Some((line, column)) => Location::new(source, line, column),
            None => Location::file(source),
        })
    }
}

/// Typesets a document in a style. Warnings come back with the layout; errors (a character no
/// font has) fail the build.
pub fn typeset(doc: &Document, style: &Style) -> Result<(Layout, Diagnostics), Diagnostics> {
    let mut geometry = Geometry::new(style);
    geometry.rtl = crate::lang::is_rtl(&doc.meta.lang);
    let faces = style.faces.list();
    let mut cx = Context::new(&faces, &doc.meta.hyphenation_exceptions, doc.assets.clone());
    let meta = &doc.meta;
    for (text, what, at) in [
        (Some(&meta.title), "the title", &meta.title_at),
        (meta.subtitle.as_ref(), "the subtitle", &meta.subtitle_at),
    ] {
        if let (Some(text), Some(at)) = (text, at) {
            cx.front.push((text.clone(), what, at.clone()));
        }
    }
    for (what, text, at) in &meta.printed_at {
        cx.front.push((text.clone(), what, at.clone()));
    }
    let mut structure = Vec::new();
    let stream = flow::flow(&mut cx, doc, style, &geometry, &mut structure);
    let back = usize::from(doc.meta.back_cover.is_some());
    let own = front::FrontPlan::of(style);
    // The style's own front matter is about four pages; a closer count is the copyfitter's.
    let natural = pages::count(&stream, &geometry) + own.pages.len() + back;
    let (body, plan, fit) = if copyfit::applies(style, natural) {
        let spare = stream.clone();
        let before = cx.diagnostics.clone();
        let body = pages::paginate(&mut cx, doc, style, &geometry, stream);
        let (mut fit, scaled) = copyfit::fit(&mut cx, doc, style, &geometry, spare, &body, back);
        // The natural count and the first pagination, besides the trials'.
        fit.plans += 2;
        let body = match scaled {
            Some(stream) => {
                fit.plans += 1;
                fit.set += 1;
                // Set again as fitted: its warnings are the ones that stand.
                cx.diagnostics = before;
                let grid = Geometry {
                    lines: fit.lines,
                    ..geometry.clone()
                };
                pages::paginate(&mut cx, doc, style, &grid, stream)
            }
            None => body,
        };
        (body, fit.front.clone(), Some(fit))
    } else {
        (
            pages::paginate(&mut cx, doc, style, &geometry, stream),
            own,
            None,
        )
    };
    cx.chapter = None;
    cx.block = None;
    // Front pages come first in reading order: their elements go before the body's.
    let mut front_structure = Vec::new();
    let front = front::front_matter(
        &mut cx,
        doc,
        style,
        &geometry,
        &body,
        &plan,
        &mut front_structure,
    );
    if cx.diagnostics.has_errors() {
        return Err(cx.diagnostics);
    }
    let offset = front.len();
    let body_len = body.pages.len();
    let mut all = front;
    all.extend(body.pages.into_iter().map(|mut page| {
        for tag in &mut page.tagged {
            tag.1 += front_structure.len();
        }
        page
    }));
    front_structure.extend(structure);
    let mut structure = front_structure;
    if plan.colophon_last {
        let index = all.len();
        all.push(front::colophon_last(
            &mut cx,
            doc,
            style,
            &geometry,
            index,
            (body_len + 1).to_string(),
            &mut structure,
        ));
    }
    if let Some(back) = &doc.meta.back_cover {
        all.push(front::back_cover(doc, back, &geometry, &mut structure));
    }
    let destinations: Vec<Destination> = body
        .destinations
        .into_iter()
        .map(|mut d| {
            d.page += offset;
            d
        })
        .collect();
    let outline = outline(&doc.toc, &destinations);
    Ok((
        Layout {
            pages: all,
            outline,
            destinations,
            structure,
            fonts: faces,
            meta: doc.meta.clone(),
            assets: doc.assets.clone(),
            fit,
            covers: usize::from(plan.pages.contains(&crate::style::FrontPage::Cover)) + back,
            right_to_left: geometry.rtl,
        },
        cx.diagnostics,
    ))
}

/// The scripts no shipped face covers whose fonts a project must bring: CJK (Han, kana,
/// Hangul) and emoji.
fn script_of(c: char) -> Option<&'static str> {
    match c {
        '\u{1100}'..='\u{11FF}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3FFFF}' => Some("CJK"),
        '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' => Some("emoji"),
        _ => None,
    }
}

fn outline(toc: &[TocEntry], destinations: &[Destination]) -> Vec<OutlineEntry> {
    toc.iter()
        .filter_map(|entry| {
            let d = destinations
                .iter()
                .find(|d| d.chapter == entry.chapter && d.id == entry.id)?;
            Some(OutlineEntry {
                title: entry.title.clone(),
                page: d.page,
                y: d.y,
                children: outline(&entry.children, destinations),
            })
        })
        .collect()
}
