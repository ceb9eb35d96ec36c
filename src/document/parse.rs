//! Manuscript → document tree: Markdown events become blocks and inlines.
//!
//! Each chapter is parsed on its own with pulldown-cmark. Its events are collected first so that
//! a paragraph can be inspected before it is built: an image alone in its paragraph (with an
//! optional `{…}` attribute block after it) is a figure, as in pandoc.

use super::attributes;
use super::citations::{self, Engine};
use super::html::{self, HtmlNode, InlineTag};
use super::ids::{self, Ids};
use super::web;
use super::{
    toc, typography, Alignment, Block, Chapter, CodeBlock, Collection, Document, Figure, Heading,
    Inline, LinkTarget, List, ListItem, Logo, Metadata, Note, PrintSettings, Table, MAX_DEPTH,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::fonts;
use crate::manuscript::{AssetError, AssetStore, Manuscript, SourceFile};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Builds the document tree of a loaded manuscript. Problems go to `diags`; `None` when an
/// error makes the tree unusable for output. Images are only sniffed (kind and size):
/// [`verify_assets`] decodes them.
pub fn build_document(manuscript: &Manuscript, diags: &mut Diagnostics) -> Option<Document> {
    let errors_before = diags.errors();
    let mut assets = AssetStore::new(&manuscript.root);
    let meta = metadata(manuscript, &mut assets, diags);
    let lang = meta.as_ref().map_or("en", |m| m.lang.as_str()).to_string();

    let mut ids = Ids::default();
    let cite = citations::Engine::load(manuscript, &lang, diags);
    let mut shared = Shared {
        cite,
        ids: &mut ids,
        id_chapter: HashMap::new(),
        assets: &mut assets,
        diags,
        links: Vec::new(),
        notes: 0,
        figures: 0,
        missing_glyphs: Default::default(),
        open_headings: Vec::new(),
        base_url: manuscript
            .front
            .base_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok()),
    };
    // The title and subtitle are printed (running heads, a title line): their characters are
    // checked as the text's are, at their keys.
    if let Some(meta) = &meta {
        for (text, at) in [
            (Some(&meta.title), &meta.title_at),
            (meta.subtitle.as_ref(), &meta.subtitle_at),
        ] {
            if let (Some(text), Some(at)) = (text, at) {
                if let Some(c) = text.chars().find(|&c| !fonts::can_print(c, false)) {
                    if shared.missing_glyphs.insert(c) {
                        shared.diags.push(unprintable(c, at.clone()));
                    }
                }
            }
        }
    }
    let mut chapters = Vec::new();
    for (index, source) in manuscript.chapters.iter().enumerate() {
        let chapter_lang = source.lang.clone().unwrap_or_else(|| lang.clone());
        if let Some(l) = &source.lang {
            crate::lang::check(l, &Location::new(&source.path, 1, 1), shared.diags);
        }
        chapters.push(ChapterParser::new(source, index, chapter_lang, &mut shared).parse());
    }
    let mut dependencies = manuscript.dependencies.clone();
    if let Some(engine) = shared.cite.take() {
        dependencies.extend(&engine.dependencies);
        engine.render(&mut chapters, shared.ids, &mut shared.id_chapter, &lang);
    } else if !manuscript.front.bibliography.is_empty() {
        // The bibliography or style could not be used (errors given): its files still count.
        let base = manuscript.index_path.parent().unwrap_or(Path::new("."));
        for name in &manuscript.front.bibliography {
            dependencies.file(base.join(name));
        }
    }
    resolve_links(&mut chapters, manuscript, &mut shared);
    let Shared { diags, .. } = shared;
    let mut meta = meta?;
    if meta.cover_photo.is_none() && manuscript.front.cover_photo.is_none() {
        meta.cover_photo = first_figure(&chapters);
    }
    if meta.figure_numbers {
        number_figures(&mut chapters);
    }
    if diags.errors() > errors_before {
        return None;
    }
    let toc = toc::build(&chapters);
    dependencies.extend(assets.dependencies());
    if let Some(logo) = &meta.logo {
        dependencies.file(&logo.source);
    }
    Some(Document {
        meta,
        chapters,
        assets: assets.into_assets(),
        toc,
        dependencies,
    })
}

/// The first figure's image, in reading order (a generated cover's default photograph).
fn first_figure(chapters: &[Chapter]) -> Option<usize> {
    fn find(blocks: &[Block]) -> Option<usize> {
        blocks.iter().find_map(|b| match b {
            Block::Figure(f) => Some(f.asset),
            Block::Quote(inner) => find(inner),
            Block::List(list) => list.items.iter().find_map(|i| find(&i.blocks)),
            _ => None,
        })
    }
    chapters.iter().find_map(|c| find(&c.blocks))
}

/// State shared by all chapters of one document.
struct Shared<'a> {
    /// The bibliography and style, when the manuscript cites (`bibliography:`).
    cite: Option<Engine>,
    ids: &'a mut Ids,
    /// Which chapter each id lives in, for resolving links.
    id_chapter: HashMap<String, usize>,
    assets: &'a mut AssetStore,
    diags: &'a mut Diagnostics,
    links: Vec<PendingLink>,
    /// Notes numbered so far (numbering runs through the whole document).
    notes: u32,
    figures: u32,
    /// Characters already reported as unprintable (each is reported once).
    missing_glyphs: std::collections::HashSet<char>,
    /// The headings the current one is under, through the whole book: (level written, level
    /// given), for making skipped levels consecutive.
    open_headings: Vec<(u8, u8)>,
    /// `base-url:`, which site-relative links (`/articles/x`) are on.
    base_url: Option<url::Url>,
}

/// An internal link waiting for every chapter's ids to be known.
struct PendingLink {
    key: String,
    /// Target file, when the link names another chapter's file.
    file: Option<PathBuf>,
    fragment: Option<String>,
    location: Location,
    raw: String,
}

fn metadata(m: &Manuscript, assets: &mut AssetStore, diags: &mut Diagnostics) -> Option<Metadata> {
    let fm = &m.front;
    let at = |key: &str| Location::new(&m.index_path, fm.line_of(key), 1);
    let title = match &fm.title {
        Some(t) if !t.is_empty() => Some(t.clone()),
        _ => {
            diags.push(
                Diagnostic::error("missing-title", "the manuscript has no title")
                    .at(Location::new(&m.index_path, 1, 1))
                    .help("add `title: …` to the front matter (YAML between `---` lines at the top of the file)"),
            );
            None
        }
    };
    let lang = match &fm.lang {
        Some(l) => {
            // A `lang` from roneo.toml was checked there, at its own line.
            if fm
                .key_lines
                .iter()
                .any(|(k, _)| k == "lang" || k == "language")
            {
                crate::lang::check(l, &at("lang"), diags);
            }
            l.clone()
        }
        None => {
            diags.push(
                Diagnostic::warning("missing-lang", "no `lang` in the front matter; assuming English (`en`)")
                    .at(Location::new(&m.index_path, 1, 1))
                    .help("add `lang: en` (or the BCP 47 tag of the text's language) so readers, hyphenation and screen readers get it right"),
            );
            "en".to_string()
        }
    };
    let cover = match &fm.cover_image {
        Some(href) => match assets.resolve(&m.index_path, href, &at("cover-image")) {
            Ok(id) => Some(id),
            Err(e) => {
                asset_error(&e, href, at("cover-image"), diags);
                None
            }
        },
        // The first that exists; those looked for before it matter too, should one appear.
        None => ["jpg", "jpeg", "png"]
            .iter()
            .map(|ext| m.root.join("covers").join(format!("{}.{ext}", m.slug)))
            .find(|p| {
                assets.probed(p);
                p.is_file()
            })
            .and_then(|p| {
                match assets.resolve(&p, p.file_name()?.to_str()?, &Location::file(&p)) {
                    Ok(id) => Some(id),
                    Err(e) => {
                        asset_error(&e, &p.display().to_string(), Location::file(&p), diags);
                        None
                    }
                }
            }),
    };
    // The generated cover's photograph, when named (else the first figure, found later).
    let cover_photo = match fm.cover_photo.as_deref() {
        Some("none") | None => None,
        Some(href) => match assets.resolve(&m.index_path, href, &at("cover-photo")) {
            Ok(id) => Some(id),
            Err(e) => {
                asset_error(&e, href, at("cover-photo"), diags);
                None
            }
        },
    };
    let logo = fm.logo.as_deref().and_then(|href| {
        let at = fm.logo_at.clone().unwrap_or_else(|| at("logo"));
        load_logo(m, href, at, diags)
    });
    let modified = m
        .source_date_epoch
        .or_else(|| fm.date.as_deref().and_then(crate::date::date_to_epoch))
        .unwrap_or(0);
    if let Some(date) = &fm.date {
        if crate::date::date_to_epoch(date).is_none() {
            diags.push(
                Diagnostic::warning(
                    "invalid-date",
                    format!("date '{date}' is not of the form YYYY, YYYY-MM or YYYY-MM-DD"),
                )
                .at(at("date")),
            );
        }
    }
    let title = title?;
    let identifier = fm.identifier.clone().unwrap_or_else(|| {
        let name = format!("roneo:{}:{}", m.slug, title);
        format!(
            "urn:uuid:{}",
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
        )
    });
    let smart = |s: &Option<String>| s.as_deref().map(|s| typography::text(s, &lang));
    Some(Metadata {
        slug: m.slug.clone(),
        title: typography::text(&title, &lang),
        subtitle: smart(&fm.subtitle),
        authors: fm.authors.clone(),
        date: fm.date.clone(),
        publisher: fm.publisher.clone(),
        rights: smart(&fm.rights),
        identifier,
        description: smart(&fm.description),
        base_url: fm.base_url.clone(),
        subjects: fm.subjects.clone(),
        collection: fm.collection.clone().map(|name| Collection {
            name,
            position: fm.collection_position.clone(),
        }),
        cover,
        cover_photo,
        logo,
        title_at: Some(at("title")),
        subtitle_at: Some(at("subtitle")),
        printed_at: [
            (
                "the author",
                Some(fm.authors.join(", ")).filter(|a| !a.is_empty()),
                // Written as `author:` or `authors:`; an absent key's line is 1.
                Location::new(
                    &m.index_path,
                    fm.line_of("author").max(fm.line_of("authors")),
                    1,
                ),
            ),
            ("the publisher", fm.publisher.clone(), at("publisher")),
            ("the rights", smart(&fm.rights), at("rights")),
            ("the date", fm.date.clone(), at("date")),
        ]
        .into_iter()
        .filter_map(|(what, text, at)| Some((what, text?, at)))
        .collect(),
        figure_numbers: fm.figure_numbers.unwrap_or(false),
        hyphenation_exceptions: fm.hyphenation_exceptions.clone(),
        modified,
        back_cover: back_cover(fm, &lang),
        print: PrintSettings {
            standard: fm.pdf_standard.clone(),
            standard_at: fm.pdf_standard.as_ref().map(|_| at("pdf")),
            bleed_mm: fm.bleed_mm,
            creep_mm: fm.creep_mm,
        },
        style: fm.style.clone(),
        lang,
    })
}

/// Reads the logo `href` names (relative to the manuscript's front matter); it must be an SVG
/// or PNG file inside the project.
fn load_logo(m: &Manuscript, href: &str, at: Location, diags: &mut Diagnostics) -> Option<Logo> {
    let base = m.index_path.parent().unwrap_or(Path::new("."));
    let path = base.join(href);
    let root = m.root.canonicalize().unwrap_or_else(|_| m.root.clone());
    let problem = match path.canonicalize() {
        Err(_) => Some((
            "missing-logo",
            format!("logo '{href}' not found"),
            "paths in `logo:` are relative to the file that sets it (roneo.toml: the project root); check the spelling",
        )),
        Ok(p) if !p.starts_with(&root) => Some((
            "asset-outside-project",
            format!("logo '{href}' is outside the project"),
            "copy the logo into the project",
        )),
        Ok(_) => None,
    };
    if let Some((code, message, help)) = problem {
        diags.push(Diagnostic::error(code, message).at(at).help(help));
        return None;
    }
    let data = match std::fs::read(&path) {
        Ok(data) => data,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "unreadable-image",
                    format!(
                        "logo '{href}' cannot be read: {}",
                        crate::diagnostic::os_error(&e)
                    ),
                )
                .at(at)
                .help("name the logo file itself (not its folder), and check that it may be read"),
            );
            return None;
        }
    };
    let svg = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if !svg && !data.starts_with(b"\x89PNG") {
        diags.push(
            Diagnostic::error(
                "unsupported-image",
                format!("logo '{href}' is neither SVG nor PNG"),
            )
            .at(at)
            .help("use the logo as an SVG file (best: it prints sharp at any size) or a PNG"),
        );
        return None;
    }
    Some(Logo {
        source: path,
        data: std::sync::Arc::new(data),
        svg,
        at,
    })
}

/// Decodes the document's images ([`crate::manuscript::assets::verify`]): damaged ones are
/// errors at the place each is first used. Separate from [`build_document`] so that a build
/// The back cover, unless `back-cover: false` or there is nothing to put on it.
fn back_cover(fm: &crate::manuscript::FrontMatter, lang: &str) -> Option<super::BackCover> {
    if fm.back_cover_off {
        return None;
    }
    let blurb = fm.back_cover_text.as_ref().or(fm.description.as_ref());
    let cover = super::BackCover {
        blurb: blurb.map(|b| typography::text(b, lang)),
        call_to_action: fm.call_to_action.clone().map(|mut c| {
            c.text = c.text.map(|t| typography::text(&t, lang));
            // The front-matter check parsed the address as browsers do; written out as it
            // stands, a space or bracket would make the EPUB's link invalid.
            if let Ok(valid) = super::web::normalize(&c.url) {
                c.url = valid;
            }
            c
        }),
        price: fm.price.clone(),
        isbn: fm.isbn.clone(),
    };
    let empty = cover.blurb.is_none()
        && cover.call_to_action.is_none()
        && cover.price.is_none()
        && cover.isbn.is_none();
    (!empty).then_some(cover)
}

/// can typeset while it runs.
pub fn verify_assets(doc: &Document, diags: &mut Diagnostics) {
    for (e, href, at) in crate::manuscript::assets::verify(&doc.assets) {
        asset_error(&e, &href, at, diags);
    }
}

fn asset_error(e: &AssetError, href: &str, at: Location, diags: &mut Diagnostics) {
    let message = match e {
        AssetError::NotFound(_) => format!("image '{href}' not found"),
        AssetError::OutsideProject(_) => format!("image '{href}' is outside the project"),
        AssetError::Unreadable(_, why) => format!("image '{href}' cannot be read: {why}"),
        AssetError::Corrupt(_, why) => format!("image '{href}' is damaged: {why}"),
        AssetError::Unsupported(_) => format!("image '{href}' is not a supported image format"),
        AssetError::Remote => format!("image '{href}' is on the web, not in the project"),
    };
    diags.push(Diagnostic::error(e.code(), message).at(at).help(e.help()));
}

fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
}

/// An inline container being filled.
enum Frame {
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    Link {
        dest: String,
        title: String,
        start: usize,
    },
    Image {
        dest: String,
        start: usize,
    },
    /// An HTML element; `name` to match its end tag.
    Html {
        name: String,
        lang: Option<String>,
        wrap: HtmlWrap,
    },
}

#[derive(Clone, Copy)]
enum HtmlWrap {
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    Code,
    /// Keep the content, drop the element (e.g. a `<span>` without `lang`).
    Unwrap,
}

struct Open {
    frame: Frame,
    children: Vec<Inline>,
}

struct ChapterParser<'s, 'a, 'b> {
    /// Where each top-level block starts (a body offset), so that later stages can place a
    /// diagnostic at its block's line.
    block_starts: Vec<usize>,
    /// The next `blocks` call reads the chapter's top level.
    at_top: bool,
    source: &'s SourceFile,
    index: usize,
    lang: String,
    events: Vec<(Event<'s>, Range<usize>)>,
    pos: usize,
    shared: &'b mut Shared<'a>,
    /// Footnote labels as first written, in order of first reference, with that reference's
    /// place.
    note_labels: Vec<(String, Location)>,
    /// Definitions by [`label_key`]: the label as written, the note, its place.
    note_defs: HashMap<String, (String, Vec<Block>, Location)>,
    task_marker: Option<bool>,
    /// Containers (quotes, lists, notes, tables) open around the current position.
    depth: usize,
    /// Whether this chapter's `too-deep` error was given (one is enough).
    too_deep: bool,
    /// Footnote definitions open around the current position.
    in_note: usize,
    /// Whether the last paragraph was a `::: {#refs}` line without its closing `:::`.
    refs_open: bool,
}

impl<'s, 'a, 'b> ChapterParser<'s, 'a, 'b> {
    fn new(source: &'s SourceFile, index: usize, lang: String, shared: &'b mut Shared<'a>) -> Self {
        let events = Parser::new_ext(source.body(), markdown_options())
            .into_offset_iter()
            .collect();
        ChapterParser {
            source,
            index,
            lang,
            events,
            pos: 0,
            shared,
            note_labels: Vec::new(),
            note_defs: HashMap::new(),
            task_marker: None,
            block_starts: Vec::new(),
            at_top: true,
            depth: 0,
            too_deep: false,
            in_note: 0,
            refs_open: false,
        }
    }

    /// Whether one more level fits under [`MAX_DEPTH`] with `inner` levels already open inside
    /// the current container; if not, reports `too-deep` at `offset` (once per chapter).
    fn fits(&mut self, inner: usize, offset: usize) -> bool {
        if self.depth + inner < MAX_DEPTH {
            return true;
        }
        self.report_too_deep(offset);
        false
    }

    fn report_too_deep(&mut self, offset: usize) {
        if !self.too_deep {
            self.too_deep = true;
            self.shared.diags.push(
                Diagnostic::error(
                    "too-deep",
                    format!("quotes, lists, emphasis, links or HTML elements are nested more than {MAX_DEPTH} levels deep here"),
                )
                .at(self.at(offset))
                .help(format!("no book needs this much nesting: flatten it to at most {MAX_DEPTH} levels (check for a run of `>`, list markers, `*` or tags left unclosed)")),
            );
        }
    }

    /// The level a heading written at `written` is given: one below the heading it follows
    /// at most, so that levels never skip (screen readers and the contents rely on it).
    fn heading_level(&mut self, written: u8, offset: usize) -> u8 {
        let open = &mut self.shared.open_headings;
        while open.last().is_some_and(|&(w, _)| w >= written) {
            open.pop();
        }
        let level = match open.last() {
            Some(&(parent_written, parent)) if written > parent_written + 1 => {
                self.shared.diags.push(
                    Diagnostic::warning(
                        "skipped-heading-level",
                        format!("a level-{written} heading under a level-{parent_written} one skips a level; it is made level {}", parent + 1),
                    )
                    .at(self.at(offset))
                    .help(format!("use {} for a heading directly under a level-{parent_written} heading", "#".repeat(parent_written as usize + 1))),
                );
                parent + 1
            }
            Some(&(parent_written, parent)) => parent + (written - parent_written),
            None => written,
        };
        self.shared.open_headings.push((written, level));
        level
    }

    /// Moves `pos` from a `Start` event to its matching `End`.
    fn skip_container(&mut self) {
        let mut open = 0usize;
        while let Some((event, _)) = self.events.get(self.pos) {
            match event {
                Event::Start(_) => open += 1,
                Event::End(_) => {
                    open -= 1;
                    if open == 0 {
                        return;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    /// The blocks of a nested container (its `Start` at `pos`), one level deeper; empty, and
    /// the container skipped, when that is too deep.
    fn nested<T: Default>(&mut self, offset: usize, parse: impl FnOnce(&mut Self) -> T) -> T {
        if !self.fits(0, offset) {
            self.skip_container();
            self.pos += 1;
            return T::default();
        }
        self.pos += 1;
        self.depth += 1;
        let inner = parse(self);
        self.depth -= 1;
        inner
    }

    fn at(&self, offset: usize) -> Location {
        self.source.location(offset)
    }

    fn parse(mut self) -> Chapter {
        let id = self.shared.ids.fresh(&format!("ch{:02}", self.index + 1));
        self.shared.id_chapter.insert(id.clone(), self.index);
        let blocks = self.blocks();
        let mut notes = Vec::new();
        for (label, cited_at) in std::mem::take(&mut self.note_labels) {
            self.shared.notes += 1;
            let number = self.shared.notes;
            let note_id = self.shared.ids.fresh(&format!("note-{number}"));
            self.shared.id_chapter.insert(note_id.clone(), self.index);
            let (blocks, at) = match self.note_defs.remove(&label_key(&label)) {
                Some((_, blocks, at)) => (blocks, Some((at.line, at.column))),
                None => {
                    self.shared.diags.push(
                        Diagnostic::error(
                            "undefined-footnote",
                            format!("footnote [^{label}] is never defined"),
                        )
                        .at(cited_at)
                        .help(format!("add a line `[^{label}]: …` with the note's text")),
                    );
                    (Vec::new(), None)
                }
            };
            notes.push(Note {
                id: note_id,
                number,
                blocks,
                at,
            });
        }
        let mut unused: Vec<_> = self.note_defs.drain().map(|(_, def)| def).collect();
        unused.sort_by_key(|(_, _, at)| (at.line, at.column));
        for (label, _, at) in unused {
            self.shared.diags.push(
                Diagnostic::warning(
                    "unused-footnote",
                    format!("footnote [^{label}] is defined but never referenced"),
                )
                .at(at)
                .help(format!(
                    "cite it with [^{label}] in the text, or delete the definition"
                )),
            );
        }
        let title = blocks.iter().find_map(|b| match b {
            Block::Heading(h) => Some(Inline::plain_text(&h.content)),
            _ => None,
        });
        let block_at = self
            .block_starts
            .iter()
            .map(|&offset| {
                let at = self.at(offset);
                (at.line, at.column)
            })
            .collect();
        Chapter {
            id,
            block_at,
            source: self.source.path.clone(),
            lang: self.source.lang.clone(),
            title,
            blocks,
            notes,
        }
    }

    /// Blocks until the end of the enclosing container (whose `End` is consumed) or the input.
    fn blocks(&mut self) -> Vec<Block> {
        let top = std::mem::replace(&mut self.at_top, false);
        let mut out = Vec::new();
        // The blocks a step of this loop pushes start where its event does.
        let mut step_start = 0;
        while let Some((event, range)) = self.events.get(self.pos).cloned() {
            if top {
                self.block_starts.resize(out.len(), step_start);
                step_start = range.start;
            }
            match event {
                Event::End(_) => {
                    self.pos += 1;
                    break;
                }
                Event::Start(Tag::Paragraph) if self.refs_div(range.clone(), &mut out) => {
                    self.skip_container();
                    self.pos += 1;
                }
                Event::Start(Tag::Paragraph) => {
                    self.refs_open = false;
                    self.pos += 1;
                    if let Some(block) = self.paragraph() {
                        out.push(block);
                    }
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    self.pos += 1;
                    let mut content = self.inlines(true);
                    typography::apply(&mut content, &self.lang);
                    trim_inlines(&mut content);
                    if is_blank(&content) {
                        self.shared.diags.push(
                            Diagnostic::warning("empty-heading", "this heading has no text; it is left out (a screen reader would announce an empty heading, and the contents an empty entry)")
                                .at(self.at(range.start))
                                .help("write the heading's text after the `#`, or delete the line"),
                        );
                        // What it holds besides text (a note reference) stays, as a paragraph.
                        if holds_more_than_text(&content) {
                            out.push(Block::Paragraph(content));
                        }
                        continue;
                    }
                    let level = self.heading_level(level as u8, range.start);
                    let classes: Vec<String> = classes.iter().map(|c| c.to_string()).collect();
                    for (key, _) in &attrs {
                        self.shared.diags.push(
                            Diagnostic::warning(
                                "unknown-attribute",
                                format!("heading attribute `{key}` ignored"),
                            )
                            .at(self.at(range.start)),
                        );
                    }
                    let id = self.element_id(
                        id.as_deref(),
                        &Inline::plain_text(&content),
                        "section",
                        range.start,
                    );
                    out.push(Block::Heading(Heading {
                        level,
                        id,
                        classes,
                        content,
                    }));
                }
                Event::Start(Tag::BlockQuote(_)) => {
                    out.push(Block::Quote(self.nested(range.start, Self::blocks)));
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    self.pos += 1;
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split_whitespace().next().map(str::to_string)
                        }
                        CodeBlockKind::Indented => None,
                    };
                    let mut text = String::new();
                    while let Some((event, _)) = self.events.get(self.pos) {
                        self.pos += 1;
                        match event {
                            Event::Text(t) => text.push_str(t),
                            Event::End(_) => break,
                            _ => {}
                        }
                    }
                    out.push(Block::Code(CodeBlock { lang, text }));
                }
                Event::Start(Tag::List(start)) => {
                    let items = self.nested(range.start, Self::list);
                    out.push(Block::List(List { start, items }));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    self.in_note += 1;
                    let blocks = self.nested(range.start, Self::blocks);
                    self.in_note -= 1;
                    let at = self.at(range.start);
                    self.note_defs
                        .insert(label_key(&label), (label.to_string(), blocks, at));
                }
                Event::Start(Tag::Table(alignments)) => {
                    let table = self.nested(range.start, |p| p.table(&alignments));
                    out.push(Block::Table(table));
                }
                Event::Start(Tag::HtmlBlock) => {
                    self.pos += 1;
                    let mut raw = String::new();
                    while let Some((event, _)) = self.events.get(self.pos) {
                        self.pos += 1;
                        match event {
                            Event::Html(t) | Event::Text(t) => raw.push_str(t),
                            Event::End(_) => break,
                            _ => {}
                        }
                    }
                    if let Some(block) = self.html_block(&raw, range.start) {
                        out.push(block);
                    }
                }
                Event::Html(raw) => {
                    self.pos += 1;
                    if let Some(block) = self.html_block(&raw, range.start) {
                        out.push(block);
                    }
                }
                Event::Start(Tag::MetadataBlock(_)) | Event::Start(Tag::DefinitionList) => {
                    self.pos += 1;
                    out.extend(self.blocks());
                }
                Event::Start(Tag::DefinitionListTitle)
                | Event::Start(Tag::DefinitionListDefinition)
                | Event::Start(Tag::Item) => {
                    self.pos += 1;
                    out.extend(self.blocks());
                }
                Event::Rule => {
                    self.pos += 1;
                    out.push(Block::Rule);
                }
                Event::DisplayMath(t) => {
                    self.pos += 1;
                    out.push(Block::Code(CodeBlock {
                        lang: Some("math".into()),
                        text: t.to_string(),
                    }));
                }
                // Inline content directly in a block container (tight list items): an implicit paragraph.
                _ => {
                    let mut content = self.inlines(false);
                    typography::apply(&mut content, &self.lang);
                    if !content.is_empty() {
                        out.push(Block::Paragraph(content));
                    }
                }
            }
        }
        if top {
            self.block_starts.resize(out.len(), step_start);
        }
        self.at_top = top;
        out
    }

    fn list(&mut self) -> Vec<ListItem> {
        let mut items = Vec::new();
        while let Some((event, _)) = self.events.get(self.pos).cloned() {
            self.pos += 1;
            match event {
                Event::Start(Tag::Item) => {
                    self.task_marker = None;
                    let blocks = self.blocks();
                    items.push(ListItem {
                        checked: self.task_marker.take(),
                        blocks,
                    });
                }
                Event::End(_) => break,
                _ => {}
            }
        }
        items
    }

    fn table(&mut self, alignments: &[pulldown_cmark::Alignment]) -> Table {
        let alignments = alignments
            .iter()
            .map(|a| match a {
                pulldown_cmark::Alignment::None => Alignment::None,
                pulldown_cmark::Alignment::Left => Alignment::Left,
                pulldown_cmark::Alignment::Center => Alignment::Center,
                pulldown_cmark::Alignment::Right => Alignment::Right,
            })
            .collect();
        let mut table = Table {
            alignments,
            head: Vec::new(),
            rows: Vec::new(),
        };
        let mut row = Vec::new();
        while let Some((event, _)) = self.events.get(self.pos).cloned() {
            self.pos += 1;
            match event {
                Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => row = Vec::new(),
                Event::Start(Tag::TableCell) => {
                    let mut cell = self.inlines(true);
                    typography::apply(&mut cell, &self.lang);
                    row.push(cell);
                }
                Event::End(TagEnd::TableHead) => table.head = std::mem::take(&mut row),
                Event::End(TagEnd::TableRow) => table.rows.push(std::mem::take(&mut row)),
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        table
    }

    /// A paragraph (its `Start` consumed): a figure when it holds an image and nothing else.
    fn paragraph(&mut self) -> Option<Block> {
        if let Some(figure) = self.figure() {
            return figure;
        }
        let mut content = self.inlines(true);
        typography::apply(&mut content, &self.lang);
        trim_inlines(&mut content);
        (!content.is_empty()).then_some(Block::Paragraph(content))
    }

    /// `Some(block)` when the paragraph at `pos` is an image alone (plus attributes).
    fn figure(&mut self) -> Option<Option<Block>> {
        let (Event::Start(Tag::Image { dest_url, .. }), range) = self.events.get(self.pos)? else {
            return None;
        };
        let (dest, start) = (dest_url.to_string(), range.start);
        let mut depth = 0;
        let mut image_end = None;
        for (i, (event, _)) in self.events.iter().enumerate().skip(self.pos) {
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => {
                    depth -= 1;
                    if depth == 0 {
                        image_end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let image_end = image_end?;
        let mut trailing = String::new();
        let mut paragraph_end = None;
        for (i, (event, _)) in self.events.iter().enumerate().skip(image_end + 1) {
            match event {
                Event::Text(t) => trailing.push_str(t),
                Event::SoftBreak => trailing.push(' '),
                Event::End(TagEnd::Paragraph) => {
                    paragraph_end = Some(i);
                    break;
                }
                _ => return None,
            }
        }
        let paragraph_end = paragraph_end?;
        let attrs = if trailing.trim().is_empty() {
            attributes::Attributes::default()
        } else {
            match attributes::parse(&trailing) {
                Some(a) => a,
                None if trailing.trim_start().starts_with('{') => {
                    self.shared.diags.push(
                        Diagnostic::warning("bad-attributes", "the `{…}` after this image is not valid attribute syntax; it is shown as text")
                            .at(self.at(start))
                            .help(r#"write attributes as {#id alt="…" credit="…"}, with straight quotes closed"#),
                    );
                    return None;
                }
                None => return None,
            }
        };
        // Build the caption from the image's content events.
        self.pos += 1;
        let mut caption = self.inlines(true);
        typography::apply(&mut caption, &self.lang);
        trim_inlines(&mut caption);
        self.pos = paragraph_end + 1;

        let asset = match self
            .shared
            .assets
            .resolve(&self.source.path, &dest, &self.at(start))
        {
            Ok(id) => id,
            Err(e) => {
                asset_error(&e, &dest, self.at(start), self.shared.diags);
                return Some(None);
            }
        };
        let alt = attrs
            .get("alt")
            .map(|a| typography::text(a, &self.lang))
            .unwrap_or_else(|| Inline::plain_text(&caption));
        if crate::text::is_blank(&alt) {
            self.shared.diags.push(
                Diagnostic::error("missing-alt", format!("figure '{dest}' has neither a caption nor alt text"))
                    .at(self.at(start))
                    .help(r#"describe the image for readers who cannot see it: ![Caption](path){alt="…"}"#),
            );
        }
        for (key, _) in &attrs.pairs {
            if !matches!(key.as_str(), "alt" | "credit" | "width") {
                self.shared.diags.push(
                    Diagnostic::warning(
                        "unknown-attribute",
                        format!("figure attribute `{key}` ignored"),
                    )
                    .at(self.at(start))
                    .help("figures take #id, alt=\"…\" and credit=\"…\""),
                );
            }
        }
        self.shared.figures += 1;
        let fallback = format!("fig-{}", self.shared.figures);
        let id = self.element_id(attrs.id.as_deref(), "", &fallback, start);
        let credit = attrs.get("credit").map(|c| typography::text(c, &self.lang));
        Some(Some(Block::Figure(Figure {
            id,
            asset,
            alt,
            caption,
            credit,
            number: None,
        })))
    }

    /// Inline content until the end of the enclosing container. With `consume_end`, the
    /// container's `End` event is consumed; otherwise inlines stop before any block event.
    fn inlines(&mut self, consume_end: bool) -> Vec<Inline> {
        let mut stack: Vec<Open> = Vec::new();
        let mut out: Vec<Inline> = Vec::new();
        macro_rules! target {
            () => {
                match stack.last_mut() {
                    Some(open) => &mut open.children,
                    None => &mut out,
                }
            };
        }
        while let Some((event, range)) = self.events.get(self.pos).cloned() {
            match event {
                Event::Text(_) if self.shared.cite.is_some() => {
                    let target = target!();
                    self.text_with_citations(target);
                    continue;
                }
                Event::Text(t) => {
                    self.check_glyphs(&t, range.start, false);
                    self.check_unmatched_notes(range.clone());
                    push_text(target!(), &t)
                }
                Event::Code(t) => {
                    self.check_glyphs(&t, range.start, true);
                    target!().push(Inline::Code(t.to_string()))
                }
                Event::InlineMath(t) => target!().push(Inline::Code(t.to_string())),
                Event::SoftBreak => push_text(target!(), " "),
                Event::HardBreak => target!().push(Inline::LineBreak),
                Event::TaskListMarker(checked) => self.task_marker = Some(checked),
                Event::FootnoteReference(label) => {
                    let key = label_key(&label);
                    let index = match self
                        .note_labels
                        .iter()
                        .position(|(l, _)| label_key(l) == key)
                    {
                        Some(i) => i,
                        None => {
                            let at = self.at(range.start);
                            self.note_labels.push((label.to_string(), at));
                            self.note_labels.len() - 1
                        }
                    };
                    target!().push(Inline::NoteRef(index));
                }
                Event::InlineHtml(raw) | Event::Html(raw) => {
                    self.inline_html(&raw, range.start, &mut stack, &mut out)
                }
                Event::Start(tag) => {
                    let frame = match tag {
                        Tag::Emphasis => Frame::Emphasis,
                        Tag::Strong => Frame::Strong,
                        Tag::Strikethrough => Frame::Strikethrough,
                        Tag::Superscript => Frame::Superscript,
                        Tag::Subscript => Frame::Subscript,
                        Tag::Link {
                            link_type,
                            dest_url,
                            title,
                            ..
                        } => Frame::Link {
                            // `<join@example.org>`
                            dest: if link_type == pulldown_cmark::LinkType::Email {
                                format!("mailto:{dest_url}")
                            } else {
                                dest_url.to_string()
                            },
                            title: title.to_string(),
                            start: range.start,
                        },
                        Tag::Image { dest_url, .. } => Frame::Image {
                            dest: dest_url.to_string(),
                            start: range.start,
                        },
                        // A block starts: the implicit paragraph ends here.
                        _ => break,
                    };
                    if self.fits(stack.len(), range.start) {
                        stack.push(Open {
                            frame,
                            children: Vec::new(),
                        });
                    } else {
                        self.skip_container();
                    }
                }
                Event::End(_) => {
                    // Close HTML elements left open inside the Markdown container that ends.
                    while matches!(
                        stack.last(),
                        Some(Open {
                            frame: Frame::Html { .. },
                            ..
                        })
                    ) {
                        let open = stack.pop().unwrap();
                        let inline = self.close(open);
                        target!().extend(inline);
                    }
                    match stack.pop() {
                        Some(open) => {
                            let inline = self.close(open);
                            target!().extend(inline);
                        }
                        None => {
                            if consume_end {
                                self.pos += 1;
                            }
                            return out;
                        }
                    }
                }
                Event::Rule | Event::DisplayMath(_) => break,
            }
            self.pos += 1;
        }
        while let Some(open) = stack.pop() {
            let inline = self.close(open);
            target!().extend(inline);
        }
        out
    }

    /// A run of text (the text events from `pos` on, with their soft breaks), its citations
    /// made placeholders; `pos` moves past the run.
    fn text_with_citations(&mut self, target: &mut Vec<Inline>) {
        let source: &'s SourceFile = self.source;
        let body = source.body();
        // The run's text, and for each piece: where it starts in the run and in the source,
        // and whether it is the source as written (not an escape, entity or line break).
        let mut run = String::new();
        let mut pieces: Vec<(usize, usize, bool)> = Vec::new();
        while let Some((event, range)) = self.events.get(self.pos).cloned() {
            match event {
                Event::Text(t) => {
                    self.check_glyphs(&t, range.start, false);
                    self.check_unmatched_notes(range.clone());
                    pieces.push((run.len(), range.start, body.get(range.clone()) == Some(&*t)));
                    run.push_str(&t);
                }
                Event::SoftBreak => {
                    pieces.push((run.len(), range.start, false));
                    run.push(' ');
                }
                _ => break,
            }
            self.pos += 1;
        }
        let piece = |i: usize| pieces[pieces.partition_point(|p| p.0 <= i).saturating_sub(1)];
        // Written as it stands, and not after a backslash (pulldown-cmark may leave `\[` out
        // of a text event's range, as `[` alone).
        let syntax = |i: usize| {
            let (run_start, source, exact) = piece(i);
            exact && !body[..source + i - run_start].ends_with('\\')
        };
        let found = citations::scan(&run, syntax);
        let mut last = 0;
        for f in found {
            let engine_notes = self.shared.cite.as_ref().is_some_and(Engine::notes);
            let mut before = &run[last..f.range.start];
            let mut after_start = f.range.end;
            let item_at: Vec<Location> = f
                .cite
                .items
                .iter()
                .map(|item| {
                    let (run_start, source, _) = piece(item.at);
                    self.at(source + item.at - run_start)
                })
                .collect();
            let in_text = f.cite.in_text;
            let in_note = self.in_note > 0;
            let Some(engine) = self.shared.cite.as_mut() else {
                return;
            };
            let n = engine.cite(f.cite, &item_at, in_note, self.shared.diags);
            if engine_notes && !in_note {
                // A note style: the citation is a footnote, its mark after the punctuation
                // that follows and with no space before it (`as argued.¹`).
                if in_text {
                    push_text(target, before);
                    target.push(citations::placeholder(n, true));
                    before = "";
                } else {
                    before = before.trim_end();
                }
                push_text(target, before);
                let punctuation = run[after_start..]
                    .chars()
                    .next()
                    .filter(|c| ".,;:!?".contains(*c));
                if let Some(p) = punctuation {
                    push_text(target, &p.to_string());
                    after_start += p.len_utf8();
                }
                let label = format!("\u{0}cite{n}");
                let at = item_at.first().cloned().unwrap_or_else(|| self.at(0));
                self.note_labels.push((label.clone(), at.clone()));
                let index = self.note_labels.len() - 1;
                self.note_defs.insert(
                    label_key(&label),
                    (
                        label,
                        vec![Block::Paragraph(vec![citations::placeholder(n, false)])],
                        at,
                    ),
                );
                target.push(Inline::NoteRef(index));
            } else {
                push_text(target, before);
                target.push(citations::placeholder(n, false));
            }
            last = after_start;
        }
        if last < run.len() {
            push_text(target, &run[last..]);
        }
    }

    /// Whether the paragraph at `range` is pandoc's `::: {#refs}` div (or its closing `:::`
    /// after one), where the reference list goes: then it is in `out`.
    fn refs_div(&mut self, range: Range<usize>, out: &mut Vec<Block>) -> bool {
        if self.shared.cite.is_none() {
            return false;
        }
        let text = self.source.body()[range.clone()]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if self.refs_open && text == ":::" {
            self.refs_open = false;
            return true;
        }
        let open = text == "::: {#refs}" || text == "::: {#refs} :::";
        if !open {
            return false;
        }
        if out.iter().any(|b| matches!(b, Block::Bibliography(_))) || !self.shared.ids.claim("refs")
        {
            self.shared.diags.push(
                Diagnostic::error("duplicate-id", "id 'refs' is used more than once")
                    .at(self.at(range.start))
                    .help("the reference list goes in one `::: {#refs}` div; delete the others"),
            );
            return false;
        }
        self.shared.id_chapter.insert("refs".into(), self.index);
        self.refs_open = text == "::: {#refs}";
        out.push(Block::Bibliography(super::Bibliography {
            id: Some("refs".into()),
            label: String::new(),
            entries: Vec::new(),
        }));
        true
    }

    /// Characters no shipped font has cannot be printed: the PDF would show blanks or boxes.
    /// A `[^label]` left as text: CommonMark (GFM) makes a footnote reference only of a label
    /// that has a definition, so an undefined one would be printed as it stands.
    fn check_unmatched_notes(&mut self, range: Range<usize>) {
        let source: &'s SourceFile = self.source;
        let body = source.body();
        for (i, _) in body[range.clone()].match_indices('[') {
            let start = i + range.start;
            let escaped = body[..start].ends_with('\\');
            let Some(label) = body[start..]
                .strip_prefix("[^")
                .and_then(|rest| rest.split_once(']'))
                .map(|(label, _)| label)
                .filter(|l| !l.is_empty() && !l.contains(char::is_whitespace))
            else {
                continue;
            };
            if escaped {
                continue;
            }
            self.shared.diags.push(
                Diagnostic::error(
                    "undefined-footnote",
                    format!("footnote [^{label}] is never defined"),
                )
                .at(self.at(start))
                .help(format!("add a line `[^{label}]: …` with the note's text, or write `\\[^{label}]` to print it as it stands")),
            );
        }
    }

    fn check_glyphs(&mut self, text: &str, offset: usize, code: bool) {
        if let Some((i, c)) = text
            .char_indices()
            .find(|&(_, c)| !fonts::can_print(c, code))
        {
            if self.shared.missing_glyphs.insert(c) {
                let at = self.at(offset + i);
                self.shared.diags.push(unprintable(c, at));
            }
        }
    }

    fn inline_html(
        &mut self,
        raw: &str,
        offset: usize,
        stack: &mut Vec<Open>,
        out: &mut Vec<Inline>,
    ) {
        let target = |stack: &mut Vec<Open>, out: &mut Vec<Inline>, inline: Vec<Inline>| match stack
            .last_mut()
        {
            Some(open) => open.children.extend(inline),
            None => out.extend(inline),
        };
        match html::inline_tag(raw) {
            InlineTag::Ignored => {}
            InlineTag::Start {
                name,
                attrs,
                self_closing,
            } => {
                let attr = |k: &str| attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
                let wrap = match name.as_str() {
                    "br" => {
                        target(stack, out, vec![Inline::LineBreak]);
                        return;
                    }
                    "wbr" => return,
                    "em" | "i" | "cite" | "dfn" | "var" => HtmlWrap::Emphasis,
                    "strong" | "b" => HtmlWrap::Strong,
                    "s" | "del" | "strike" => HtmlWrap::Strikethrough,
                    "sup" => HtmlWrap::Superscript,
                    "sub" => HtmlWrap::Subscript,
                    "code" | "kbd" | "samp" => HtmlWrap::Code,
                    "span" | "abbr" | "small" | "mark" | "q" | "u" | "ins" | "bdi" | "time"
                    | "data" => HtmlWrap::Unwrap,
                    _ => {
                        self.shared.diags.push(
                            Diagnostic::warning("raw-html-altered", format!("inline <{name}> element is not supported; its content is kept as text"))
                                .at(self.at(offset)),
                        );
                        HtmlWrap::Unwrap
                    }
                };
                let lang = attr("lang").filter(|l| !l.trim().is_empty());
                if let Some(l) = &lang {
                    crate::lang::check(l, &self.at(offset), self.shared.diags);
                }
                if !self_closing && self.fits(stack.len(), offset) {
                    stack.push(Open {
                        frame: Frame::Html { name, lang, wrap },
                        children: Vec::new(),
                    });
                }
            }
            InlineTag::End { name } => {
                // Close up to the matching element, but never across a Markdown container.
                let mut matched = None;
                for (i, open) in stack.iter().enumerate().rev() {
                    match &open.frame {
                        Frame::Html { name: n, .. } if *n == name => {
                            matched = Some(i);
                            break;
                        }
                        Frame::Html { .. } => {}
                        _ => break,
                    }
                }
                let Some(i) = matched else { return };
                while stack.len() > i {
                    let open = stack.pop().unwrap();
                    let inline = self.close(open);
                    target(stack, out, inline);
                }
            }
        }
    }

    /// Turns a filled frame into inlines.
    fn close(&mut self, open: Open) -> Vec<Inline> {
        let Open { frame, children } = open;
        let inline = match frame {
            Frame::Emphasis => Inline::Emphasis(children),
            Frame::Strong => Inline::Strong(children),
            Frame::Strikethrough => Inline::Strikethrough(children),
            Frame::Superscript => Inline::Superscript(children),
            Frame::Subscript => Inline::Subscript(children),
            Frame::Link { dest, title, start } => {
                let title = Some(title).filter(|t| !t.is_empty());
                match self.link_target(&dest, start) {
                    Some(target) => {
                        // A link must say where it goes: with no text, its address does
                        // (an internal link gets its target's text once links are resolved).
                        let content = match &target {
                            LinkTarget::External(url) if is_blank(&children) => {
                                vec![Inline::Text(web::display(url).to_string())]
                            }
                            _ => children,
                        };
                        Inline::Link {
                            target,
                            title,
                            content,
                            biblioref: false,
                        }
                    }
                    None => return children,
                }
            }
            Frame::Image { dest, start } => {
                match self
                    .shared
                    .assets
                    .resolve(&self.source.path, &dest, &self.at(start))
                {
                    Ok(asset) => {
                        let alt = Inline::plain_text(&children);
                        if crate::text::is_blank(&alt) {
                            self.shared.diags.push(
                            Diagnostic::error("missing-alt", format!("image '{dest}' has no alt text"))
                                .at(self.at(start))
                                .help("describe the image in the brackets: ![A crowd in Santiago](crowd.jpg)"),
                        );
                        }
                        Inline::Image { asset, alt }
                    }
                    Err(e) => {
                        asset_error(&e, &dest, self.at(start), self.shared.diags);
                        return Vec::new();
                    }
                }
            }
            Frame::Html { lang, wrap, .. } => {
                let inner = match wrap {
                    HtmlWrap::Emphasis => vec![Inline::Emphasis(children)],
                    HtmlWrap::Strong => vec![Inline::Strong(children)],
                    HtmlWrap::Strikethrough => vec![Inline::Strikethrough(children)],
                    HtmlWrap::Superscript => vec![Inline::Superscript(children)],
                    HtmlWrap::Subscript => vec![Inline::Subscript(children)],
                    HtmlWrap::Code => vec![Inline::Code(Inline::plain_text(&children))],
                    HtmlWrap::Unwrap => children,
                };
                return match lang {
                    Some(lang) => vec![Inline::Lang {
                        lang,
                        content: inner,
                    }],
                    None => inner,
                };
            }
        };
        vec![inline]
    }

    fn link_target(&mut self, dest: &str, start: usize) -> Option<LinkTarget> {
        let lower = dest.to_ascii_lowercase();
        let has_scheme = lower.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
        // A link copied from a web page of the publisher's site (`/articles/x`).
        let site = dest.starts_with('/');
        if site {
            let Some(base) = &self.shared.base_url else {
                self.shared.diags.push(
                    Diagnostic::error("unsupported-link", format!("link target '{dest}' is relative to a web site, but the manuscript names no site"))
                        .at(self.at(start))
                        .help("set `base-url: https://your-site.example/` in the front matter (or `base-url` in roneo.toml) to link to that site, or write the full address"),
                );
                return None;
            };
            let address = base
                .join(dest)
                .map_err(|e| e.to_string())
                .and_then(|url| web::normalize(url.as_str()));
            return self.web_target(address, dest, start);
        }
        if has_scheme {
            let scheme = lower.split_once(':').map_or("", |(s, _)| s);
            if !web::FOLLOWED_SCHEMES.contains(&scheme) {
                self.shared.diags.push(
                    Diagnostic::error("unsupported-link", format!("link target '{dest}' has the scheme '{scheme}:', which reading systems do not follow"))
                        .at(self.at(start))
                        .help(format!("link with one of {}; a web address needs its https://", web::FOLLOWED_SCHEMES.join(", "))),
                );
                return None;
            }
            return self.web_target(web::normalize(dest), dest, start);
        }
        let (file, fragment) = match dest.split_once('#') {
            Some((f, frag)) => (f, Some(frag.to_string())),
            None => (dest, None),
        };
        if !file.is_empty() && !file.ends_with(".md") {
            self.shared.diags.push(
                Diagnostic::error("unsupported-link", format!("link target '{dest}' is neither a web address nor a place in the manuscript"))
                    .at(self.at(start))
                    .help("link to a web address (https://…), a heading or figure id (#id), or a chapter file (chapter.md#id)"),
            );
            return None;
        }
        let file = (!file.is_empty()).then(|| {
            normalize(
                &self
                    .source
                    .path
                    .parent()
                    .unwrap_or(Path::new("."))
                    .join(file),
            )
        });
        let key = format!("\u{0}link{}", self.shared.links.len());
        self.shared.links.push(PendingLink {
            key: key.clone(),
            file,
            fragment,
            location: self.at(start),
            raw: dest.to_string(),
        });
        Some(LinkTarget::Internal {
            chapter: usize::MAX,
            id: key,
        })
    }

    /// A link to the web: its address made valid, or why it cannot be (an error at `start`).
    fn web_target(
        &mut self,
        address: Result<String, String>,
        dest: &str,
        start: usize,
    ) -> Option<LinkTarget> {
        match address {
            Ok(url) => Some(LinkTarget::External(url)),
            Err(why) => {
                self.shared.diags.push(
                    Diagnostic::error("invalid-url", format!("link target '{dest}' is not a valid web address: {why}"))
                        .at(self.at(start))
                        .help("check the address as a browser would take it (https://host/path); a host cannot hold spaces or most punctuation"),
                );
                None
            }
        }
    }

    /// The id of a heading or figure: the author's (checked for validity and uniqueness) or one
    /// made from the text.
    fn element_id(
        &mut self,
        written: Option<&str>,
        text: &str,
        fallback: &str,
        offset: usize,
    ) -> String {
        if let Some(id) = written {
            if !ids::is_valid(id) {
                self.shared.diags.push(
                    Diagnostic::error("invalid-id", format!("'{id}' is not a valid id"))
                        .at(self.at(offset))
                        .help("ids start with a letter and contain letters, digits, hyphens, underscores and dots"),
                );
            } else if self.shared.ids.claim(id) {
                self.shared.id_chapter.insert(id.to_string(), self.index);
                return id.to_string();
            } else {
                self.shared.diags.push(
                    Diagnostic::error("duplicate-id", format!("id '{id}' is used more than once"))
                        .at(self.at(offset))
                        .help("ids must be unique in the whole manuscript; rename one of them"),
                );
            }
        }
        let base = ids::from_text(text);
        let id = self
            .shared
            .ids
            .fresh(if base.is_empty() { fallback } else { &base });
        self.shared.id_chapter.insert(id.clone(), self.index);
        id
    }

    fn html_block(&mut self, raw: &str, offset: usize) -> Option<Block> {
        let mut changes = Vec::new();
        let Some(mut nodes) = html::sanitize(raw, MAX_DEPTH - self.depth, &mut changes) else {
            self.report_too_deep(offset);
            return None;
        };
        self.unique_html_ids(&mut nodes, &mut changes);
        if !changes.is_empty() {
            self.shared.diags.push(
                Diagnostic::warning(
                    "raw-html-altered",
                    format!(
                        "raw HTML was changed to keep the book valid: {}",
                        changes.join("; ")
                    ),
                )
                .at(self.at(offset))
                .help("use Markdown for this content, or remove what is not allowed in an ebook"),
            );
        }
        let blank = nodes
            .iter()
            .all(|n| matches!(n, HtmlNode::Text(t) if t.trim().is_empty()));
        (!blank).then_some(Block::Html(nodes))
    }

    fn unique_html_ids(&mut self, nodes: &mut [HtmlNode], changes: &mut Vec<String>) {
        for node in nodes {
            if let HtmlNode::Element(e) = node {
                if let Some((_, id)) = e.attrs.iter_mut().find(|(k, _)| k == "id") {
                    if !ids::is_valid(id) || !self.shared.ids.claim(id) {
                        let fresh = self.shared.ids.fresh(&ids::from_text(id));
                        changes.push(format!(
                            "renamed duplicate or invalid id '{id}' to '{fresh}'"
                        ));
                        *id = fresh;
                    }
                    self.shared.id_chapter.insert(id.clone(), self.index);
                }
                self.unique_html_ids(&mut e.children, changes);
            }
        }
    }
}

/// Whether inlines would show a reader nothing (no text, no image description).
fn is_blank(inlines: &[Inline]) -> bool {
    crate::text::is_blank(&Inline::plain_text(inlines))
}

/// Whether `inlines` hold a note reference or an image, anything but text and its marks.
fn holds_more_than_text(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| {
        matches!(inline, Inline::NoteRef(_) | Inline::Image { .. })
            || inline.children().is_some_and(holds_more_than_text)
    })
}

/// The warning for a character no shipped font has, at its place.
fn unprintable(c: char, at: Location) -> Diagnostic {
    Diagnostic::warning(
        "missing-glyph",
        format!("no shipped font has {}; unless a project font has it, the PDF cannot print it", crate::diagnostic::shown_char(c)),
    )
    .at(at)
    .help("the EPUB falls back to the reader's fonts; for print, put a font that has the character in the project's fonts/ folder and name its family in `mainfont` (or `monofont` for code)")
}

/// What two footnote labels must share to match, as CommonMark matches link labels: Unicode
/// case folded, runs of white space made one space.
fn label_key(label: &str) -> String {
    let collapsed = label.split_whitespace().collect::<Vec<_>>().join(" ");
    unicase::UniCase::new(collapsed).to_folded_case()
}

fn push_text(target: &mut Vec<Inline>, text: &str) {
    if let Some(Inline::Text(prev)) = target.last_mut() {
        prev.push_str(text);
    } else {
        target.push(Inline::Text(text.to_string()));
    }
}

/// Removes leading and trailing white space of a paragraph.
fn trim_inlines(inlines: &mut Vec<Inline>) {
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        *t = t.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

/// Points every internal link at its chapter; a target that does not exist is an error.
fn resolve_links(chapters: &mut [Chapter], manuscript: &Manuscript, shared: &mut Shared<'_>) {
    let chapter_of_file: HashMap<PathBuf, usize> = manuscript
        .chapters
        .iter()
        .enumerate()
        .map(|(i, c)| (normalize(&c.path), i))
        .collect();
    let mut resolved: HashMap<String, (LinkTarget, String)> = HashMap::new();
    for link in &shared.links {
        let target = match (&link.file, &link.fragment) {
            (Some(file), fragment) => {
                chapter_of_file
                    .get(file)
                    .and_then(|&chapter| match fragment {
                        Some(id) => (shared.id_chapter.get(id) == Some(&chapter)).then(|| {
                            LinkTarget::Internal {
                                chapter,
                                id: id.clone(),
                            }
                        }),
                        None => Some(LinkTarget::Internal {
                            chapter,
                            id: chapters[chapter].id.clone(),
                        }),
                    })
            }
            (None, Some(id)) => shared
                .id_chapter
                .get(id)
                .map(|&chapter| LinkTarget::Internal {
                    chapter,
                    id: id.clone(),
                }),
            (None, None) => None,
        };
        match target {
            Some(t) => {
                resolved.insert(link.key.clone(), (t, link.raw.clone()));
            }
            None => shared.diags.push(
                Diagnostic::error("broken-link", format!("link target '{}' does not exist in the manuscript", link.raw))
                    .at(link.location.clone())
                    .help("link to the id of a heading ({#id} after it, or its text in lower case with hyphens) or a figure"),
            ),
        }
    }
    let texts = target_texts(chapters);
    let resolve = &mut |inlines: &mut Vec<Inline>| resolve_in(inlines, &resolved, &texts);
    for chapter in chapters.iter_mut() {
        for block in &mut chapter.blocks {
            visit_block_inlines(block, resolve);
        }
        for note in &mut chapter.notes {
            for block in &mut note.blocks {
                visit_block_inlines(block, resolve);
            }
        }
    }
}

/// What a link with no text of its own says, by target id: a chapter's title, a heading's
/// text, a figure's caption or description.
fn target_texts(chapters: &[Chapter]) -> HashMap<String, String> {
    fn walk(blocks: &[Block], texts: &mut HashMap<String, String>) {
        for block in blocks {
            match block {
                Block::Heading(h) => {
                    texts.insert(h.id.clone(), Inline::plain_text(&h.content));
                }
                Block::Figure(f) => {
                    let caption = Inline::plain_text(&f.caption);
                    let text = if crate::text::is_blank(&caption) {
                        f.alt.clone()
                    } else {
                        caption
                    };
                    texts.insert(f.id.clone(), text);
                }
                Block::Quote(inner) => walk(inner, texts),
                Block::List(list) => list.items.iter().for_each(|i| walk(&i.blocks, texts)),
                _ => {}
            }
        }
    }
    let mut texts = HashMap::new();
    for chapter in chapters {
        if let Some(title) = &chapter.title {
            texts.insert(chapter.id.clone(), title.clone());
        }
        walk(&chapter.blocks, &mut texts);
    }
    texts.retain(|_, t| !crate::text::is_blank(t));
    texts
}

fn resolve_in(
    inlines: &mut Vec<Inline>,
    resolved: &HashMap<String, (LinkTarget, String)>,
    texts: &HashMap<String, String>,
) {
    let mut i = 0;
    while i < inlines.len() {
        let mut unwrap = None;
        match &mut inlines[i] {
            Inline::Link {
                target, content, ..
            } => {
                if let LinkTarget::Internal {
                    chapter: usize::MAX,
                    id,
                } = target
                {
                    match resolved.get(id.as_str()) {
                        Some((t, raw)) => {
                            *target = t.clone();
                            if is_blank(content) {
                                let LinkTarget::Internal { id, .. } = t else {
                                    unreachable!("internal links resolve to internal targets")
                                };
                                let text = texts.get(id).unwrap_or(raw);
                                *content = vec![Inline::Text(text.clone())];
                            }
                        }
                        None => unwrap = Some(std::mem::take(content)),
                    }
                }
                if unwrap.is_none() {
                    resolve_in(content, resolved, texts);
                }
            }
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Superscript(c)
            | Inline::Subscript(c)
            | Inline::Lang { content: c, .. } => resolve_in(c, resolved, texts),
            _ => {}
        }
        if let Some(content) = unwrap {
            let n = content.len();
            inlines.splice(i..=i, content);
            i += n;
        } else {
            i += 1;
        }
    }
}

/// Calls `f` on every inline sequence inside a block.
pub(crate) fn visit_block_inlines(block: &mut Block, f: &mut impl FnMut(&mut Vec<Inline>)) {
    match block {
        Block::Heading(h) => f(&mut h.content),
        Block::Paragraph(p) => f(p),
        Block::Figure(fig) => f(&mut fig.caption),
        Block::Quote(blocks) => blocks.iter_mut().for_each(|b| visit_block_inlines(b, f)),
        Block::List(list) => list
            .items
            .iter_mut()
            .flat_map(|i| i.blocks.iter_mut())
            .for_each(|b| visit_block_inlines(b, f)),
        Block::Table(t) => {
            t.head.iter_mut().for_each(&mut *f);
            t.rows.iter_mut().flatten().for_each(f);
        }
        Block::Bibliography(b) => b.entries.iter_mut().for_each(|e| f(&mut e.content)),
        Block::Code(_) | Block::Rule | Block::Html(_) => {}
    }
}

fn number_figures(chapters: &mut [Chapter]) {
    fn walk(blocks: &mut [Block], n: &mut u32) {
        for block in blocks {
            match block {
                Block::Figure(f) => {
                    *n += 1;
                    f.number = Some(*n);
                }
                Block::Quote(b) => walk(b, n),
                Block::List(l) => l.items.iter_mut().for_each(|i| walk(&mut i.blocks, n)),
                _ => {}
            }
        }
    }
    let mut n = 0;
    for chapter in chapters {
        walk(&mut chapter.blocks, &mut n);
    }
}
