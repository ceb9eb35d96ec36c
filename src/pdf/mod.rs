//! Writes a typeset [`Layout`] as PDF with krilla.
//!
//! The PDF is tagged: every paragraph, heading, figure (with its alt text), caption, code block
//! and note of the layout's structure becomes an element of the structure tree, in reading
//! order, and running heads and folios are marked as artifacts, so screen readers and reflow
//! read the text and skip the furniture.
//!
//! Fonts are embedded as subsets; every glyph run carries the text it stands for, so text
//! extraction and search see words, not glyph ids (ligatures map back to their letters). Internal
//! links and bookmarks point at the positions the typesetter recorded. Nothing here reads the
//! clock: the creation date is the publication's `modified` instant, so two builds of the same
//! manuscript are byte-identical.

mod glyphs;
pub mod spread;

use crate::cover::Cover;
use crate::diagnostic::{Diagnostic, Location};
use crate::document::LinkTarget;
use crate::typeset::{ImageItem, Item, Layout, OutlineEntry, Page, Structure};
use glyphs::Advances;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::configure::{Archival, ConfigurationBuilder, ValidationError};
use krilla::destination::{Destination, XyzDestination};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::{Fill, Stroke};
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, SpanTag, Tag, TagGroup, TagKind, TagTree,
};
use krilla::text::{Font, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};
use std::num::NonZeroU32;

/// Writes the PDF; fails when krilla cannot (an image it cannot decode, a PDF/A violation).
/// `cover` and `back_cover` are the generated covers, drawn where the layout leaves room.
///
/// The layout is taken by value: each page is dropped once drawn, so a long book's glyphs are
/// not held twice (as the layout's runs and as the PDF's content streams) at the peak.
pub fn write(
    mut layout: Layout,
    cover: Option<&Cover>,
    back_cover: Option<&Cover>,
) -> Result<Vec<u8>, Diagnostic> {
    let mut settings = SerializeSettings::default();
    if layout.meta.print.standard.as_deref() == Some("pdf-a-2b") {
        settings.configuration = ConfigurationBuilder::new()
            .with_archival_validator(Archival::A2_B)
            .finish()
            .map_err(|_| {
                Diagnostic::error(
                    "pdf-failed",
                    "PDF/A-2b cannot be combined with the other PDF settings",
                )
            })?;
    }
    let mut document = Document::new_with(settings);
    // Only the faces the pages use are loaded (a style offers ten).
    let mut used = vec![false; layout.fonts.len()];
    for page in &layout.pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                used[run.font] = true;
            }
        }
    }
    let fonts: Vec<Option<Font>> = layout
        .fonts
        .iter()
        .zip(&used)
        .map(|(face, used)| {
            used.then(|| Font::new(face.data.into(), face.index).expect("fonts parsed before"))
        })
        .collect();
    let advances: Vec<Option<Advances>> = layout
        .fonts
        .iter()
        .zip(&used)
        .map(|(face, used)| {
            used.then(|| Advances::new(face.data, face.index).expect("fonts parsed before"))
        })
        .collect();
    let faces = Faces {
        fonts: &fonts,
        advances: &advances,
    };
    let images: Vec<Option<Image>> = layout.assets.iter().map(load_image).collect();
    let mut content: Vec<Vec<Identifier>> = vec![Vec::new(); layout.structure.len()];
    let bleed = bleed(&layout);

    let pages = std::mem::take(&mut layout.pages);
    let front = front_pages(&pages);
    let lang = layout.meta.lang.clone();
    for (index, page) in pages.into_iter().enumerate() {
        let page = &page;
        let label = if is_back_cover(page) {
            back_cover_label(&lang)
        } else {
            label(front, index)
        };
        let mut pdf_page =
            document.start_page_with(page_settings(page, bleed).with_page_label(label));
        let mut surface = pdf_page.surface();
        // The trimmed page sits inside the bleed; everything the typesetter placed moves with it.
        surface.push_transform(&Transform::from_translate(bleed, bleed));
        let art = Art {
            faces: &faces,
            images: &images,
            cover,
            back_cover,
        };
        draw(&mut surface, page, &art, &mut content, bleed);
        surface.pop();
        surface.finish();
        for item in &page.items {
            if let Item::Link(link) = item {
                if let Some(annotation) = link_annotation(&layout, link, bleed) {
                    pdf_page.add_annotation(annotation);
                }
            }
        }
        pdf_page.finish();
    }

    let mut outline = Outline::new();
    for entry in &layout.outline {
        outline.push_child(outline_node(entry, bleed));
    }
    document.set_outline(outline);
    document.set_tag_tree(tag_tree(&layout, content));
    document.set_metadata(metadata(&layout.meta));
    let standard_at = layout.meta.print.standard_at.clone();
    let file = layout
        .meta
        .title_at
        .as_ref()
        .map(|at| Location::file(&at.file));
    document.finish().map_err(|e| {
        let d = Diagnostic::error("pdf-failed", format!("the PDF cannot be written: {}", explain(&e)));
        match (&e, standard_at, file) {
            (KrillaError::Validation(_), Some(at), _) => d
                .at(at)
                .help("change the text the message names, or leave `standard: pdf-a-2b` out for a plain PDF"),
            (_, _, Some(file)) => d.at(file),
            _ => d,
        }
    })
}

/// krilla's error as a sentence (its `Debug` text names Rust types).
fn explain(e: &KrillaError) -> String {
    match e {
        KrillaError::Font(_, message) => format!("a font cannot be embedded ({message})"),
        KrillaError::Validation(errors) => {
            let mut why: Vec<String> = errors.iter().map(|(v, _)| violation(v)).collect();
            why.dedup();
            format!("PDF/A-2b (archival) does not allow {}", why.join("; nor "))
        }
        KrillaError::Image(_, _, message) => format!("an image cannot be used ({message})"),
        KrillaError::SixteenBitImage(..) => {
            "an image has 16 bits per channel, which this PDF version cannot hold; save it with 8"
                .into()
        }
        other => other.to_string(),
    }
}

/// One PDF/A rule broken, for a person.
fn violation(v: &ValidationError) -> String {
    use ValidationError as V;
    match v {
        V::ContainsNotDefGlyph(_, _, text) => {
            format!("text no font has a glyph for: '{text}'")
        }
        V::NoCodepointMapping(..) | V::InvalidCodepointMapping(..) => {
            "a glyph that cannot be mapped back to its text".into()
        }
        V::UnicodePrivateArea(_, _, c, _) => {
            format!("a private-use character (U+{:04X})", u32::from(*c))
        }
        V::RestrictedLicense(_) => "a font whose licence forbids embedding".into(),
        V::NoDocumentTitle => "a document without a title".into(),
        V::NoDocumentLanguage => "a document without a language".into(),
        V::Transparency(_) => "transparency (in an image or the cover)".into(),
        V::ImageInterpolation(_) => "interpolated images".into(),
        V::TooLongString | V::TooLongName | V::TooLongArray | V::TooLongDictionary => {
            "a value longer than the standard's limit (a very long word or link)".into()
        }
        V::TooLargeFloat => {
            "a number larger than the standard's limit (a page or image too large)".into()
        }
        V::TooManyIndirectObjects => {
            "this many objects (the book is too large for one PDF/A)".into()
        }
        V::TooHighQNestingLevel => "drawing nested this deep".into(),
        _ => {
            "a construct it forbids (an embedded file, PostScript or an unsupported feature)".into()
        }
    }
}

/// The bleed in points, from the manuscript's `bleed:` (0 without one).
fn bleed(layout: &Layout) -> f32 {
    layout.meta.print.bleed_mm.unwrap_or(0.0).max(0.0) * 72.0 / 25.4
}

/// A page with bleed is larger than its trimmed size: the TrimBox says where it is cut, the
/// BleedBox how far images that reach the edge extend, so a print shop can use the file as is.
fn page_settings(page: &Page, bleed: f32) -> PageSettings {
    let (width, height) = (page.width + 2.0 * bleed, page.height + 2.0 * bleed);
    let settings = PageSettings::from_wh(width, height).expect("page sizes are positive");
    if bleed <= 0.0 {
        return settings;
    }
    settings
        .with_trim_box(Rect::from_xywh(bleed, bleed, page.width, page.height))
        .with_bleed_box(Rect::from_xywh(0.0, 0.0, width, height))
}

/// An image that covers the whole page (a cover) is enlarged to cover the bleed too.
fn extend_into_bleed(image: &ImageItem, page: &Page, bleed: f32) -> ImageItem {
    let covers = image.x <= 0.5
        && image.y <= 0.5
        && image.x + image.width >= page.width - 0.5
        && image.y + image.height >= page.height - 0.5;
    if bleed <= 0.0 || !covers {
        return image.clone();
    }
    let k = ((page.width + 2.0 * bleed) / image.width)
        .max((page.height + 2.0 * bleed) / image.height)
        .max(1.0);
    let (width, height) = (image.width * k, image.height * k);
    ImageItem {
        x: (page.width - width) / 2.0,
        y: (page.height - height) / 2.0,
        width,
        height,
        ..image.clone()
    }
}

/// How many pages come before the body's page 1 (all of them in a book without one).
fn front_pages(pages: &[Page]) -> usize {
    pages
        .iter()
        .position(|p| p.label == "1")
        .unwrap_or(pages.len())
}

fn is_back_cover(page: &Page) -> bool {
    matches!(page.items.first(), Some(Item::Cover(area)) if area.back)
}

/// The back cover is not a page of the text: it is labelled by name, never numbered, so that
/// reading apps and the EPUB's page-list count only the text's pages.
fn back_cover_label(lang: &str) -> PageLabel {
    let name = crate::locale::label(lang, crate::locale::Label::BackCover);
    PageLabel::new(None, Some(name.to_string()), None)
}

/// Front matter counts in roman numerals, the body from 1 in arabic.
fn label(front: usize, index: usize) -> PageLabel {
    let (style, offset) = if index < front {
        (NumberingStyle::LowerRoman, index + 1)
    } else {
        (NumberingStyle::Arabic, index - front + 1)
    };
    PageLabel::new(Some(style), None, NonZeroU32::new(offset as u32))
}

fn load_image(asset: &crate::document::Asset) -> Option<Image> {
    let data = krilla::Data::from(asset.data.clone());
    match asset.media_type {
        // JPEG goes into the PDF as it is (DCTDecode), without recompression.
        "image/jpeg" => Image::from_jpeg(data, false).ok(),
        "image/png" => Image::from_png(data, false).ok(),
        "image/gif" => Image::from_gif(data, false).ok(),
        "image/webp" => Image::from_webp(data, false).ok(),
        _ => None,
    }
}

/// The structure tree: one group per element, holding the marked content drawn for it.
fn tag_tree(layout: &Layout, content: Vec<Vec<Identifier>>) -> TagTree {
    let mut tree = TagTree::new().with_lang(Some(layout.meta.lang.clone()));
    for (element, ids) in layout.structure.iter().zip(content) {
        if ids.is_empty() {
            continue;
        }
        let tag: TagKind = match element {
            Structure::Paragraph => Tag::P.into(),
            Structure::Heading(level) => {
                let level = std::num::NonZeroU16::new(u16::from(*level).max(1)).expect("nonzero");
                Tag::Hn(level, None).into()
            }
            Structure::Figure { alt } => Tag::Figure(Some(alt.clone())).into(),
            Structure::Caption => Tag::Caption.into(),
            Structure::Code => Tag::Code.into(),
            Structure::Note => Tag::Note.into(),
        };
        tree.push(TagGroup::with_children(
            tag,
            ids.into_iter().map(Into::into).collect(),
        ));
    }
    tree
}

/// The layout's faces, as krilla embeds them and with the advances they draw with.
struct Faces<'a> {
    /// Indexed by font id; `None` for faces no page uses.
    fonts: &'a [Option<Font>],
    advances: &'a [Option<Advances>],
}

/// What pages are drawn with besides their items: faces, images, the generated cover.
struct Art<'a> {
    faces: &'a Faces<'a>,
    images: &'a [Option<Image>],
    cover: Option<&'a Cover>,
    back_cover: Option<&'a Cover>,
}

fn draw(
    surface: &mut krilla::surface::Surface,
    page: &Page,
    art: &Art,
    content: &mut [Vec<Identifier>],
    bleed: f32,
) {
    let mut buffer = Vec::new();
    let mut element_of = vec![None; page.items.len()];
    for (range, element) in &page.tagged {
        for slot in &mut element_of[range.clone()] {
            *slot = Some(*element);
        }
    }
    for (index, item) in page.items.iter().enumerate() {
        if matches!(item, Item::Link(_)) {
            continue;
        }
        match element_of[index] {
            Some(element) => {
                let tag = match item {
                    Item::Text(_) => ContentTag::Span(SpanTag::empty()),
                    _ => ContentTag::Other,
                };
                content[element].push(surface.start_tagged(tag));
            }
            None => {
                surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                    ArtifactType::Other,
                )));
            }
        }
        match item {
            Item::Image(image) => draw_item(
                surface,
                &mut buffer,
                &Item::Image(extend_into_bleed(image, page, bleed)),
                art,
            ),
            Item::Cover(area) => {
                let cover = if area.back { art.back_cover } else { art.cover };
                if let Some(cover) = cover {
                    draw_cover(surface, cover);
                }
            }
            _ => draw_item(surface, &mut buffer, item, art),
        }
        surface.end_tagged();
    }
}

/// Draws one item; `buffer` is room for a run's glyphs, kept from run to run.
/// The cover's drawing over the whole page and its bleed (the surface's origin is the trim's
/// corner): vectors, its text as text in subset fonts, its photograph as it is.
fn draw_cover(surface: &mut krilla::surface::Surface, cover: &Cover) {
    let bleed = cover.bleed();
    draw_canvas(surface, cover, -bleed, -bleed);
}

/// Draws a cover's whole canvas (trim and bleed) with its top-left corner at (`x`, `y`).
fn draw_canvas(surface: &mut krilla::surface::Surface, cover: &Cover, x: f32, y: f32) {
    let (width, height) = cover.trim();
    let bleed = cover.bleed();
    let Some(size) = Size::from_wh(width + 2.0 * bleed, height + 2.0 * bleed) else {
        return;
    };
    surface.push_transform(&Transform::from_translate(x, y));
    surface.draw_svg(cover.tree(), size, SvgSettings::default());
    surface.pop();
}

fn draw_item(
    surface: &mut krilla::surface::Surface,
    buffer: &mut Vec<KrillaGlyph>,
    item: &Item,
    art: &Art,
) {
    let (faces, images) = (art.faces, art.images);
    {
        match item {
            Item::Text(run) => {
                let advances = faces.advances[run.font].as_ref().expect("a used face");
                glyphs::krilla_glyphs(run, advances, buffer);
                // Expanded runs are drawn in a horizontally scaled space around their origin.
                let scaled = run.scale != 1.0;
                let origin = if scaled {
                    surface.push_transform(&Transform::from_row(
                        run.scale, 0.0, 0.0, 1.0, run.x, run.y,
                    ));
                    Point::from_xy(0.0, 0.0)
                } else {
                    Point::from_xy(run.x, run.y)
                };
                surface.draw_glyphs(
                    origin,
                    buffer,
                    faces.fonts[run.font].clone().expect("a used face"),
                    &run.text,
                    run.size,
                    false,
                );
                if scaled {
                    surface.pop();
                }
            }
            Item::Image(image) => {
                let Some(Some(data)) = images.get(image.asset) else {
                    return;
                };
                let Some(size) = Size::from_wh(image.width, image.height) else {
                    return;
                };
                surface.push_transform(&Transform::from_translate(image.x, image.y));
                surface.draw_image(data.clone(), size);
                surface.pop();
            }
            Item::Line(line) => {
                let mut path = PathBuilder::new();
                path.move_to(line.from.0, line.from.1);
                path.line_to(line.to.0, line.to.1);
                if let Some(path) = path.finish() {
                    surface.set_stroke(Some(Stroke {
                        width: line.thickness,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            Item::Rect(rect) => {
                let mut path = PathBuilder::new();
                if let Some(area) = Rect::from_xywh(rect.x, rect.y, rect.width, rect.height) {
                    path.push_rect(area);
                }
                if let Some(path) = path.finish() {
                    let [r, g, b] = rect.colour;
                    surface.set_fill(Some(Fill {
                        paint: krilla::color::rgb::Color::new(r, g, b).into(),
                        ..Fill::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_fill(None);
                }
            }
            Item::Link(_) | Item::Cover(_) => {}
        }
    }
}

fn link_annotation(
    layout: &Layout,
    link: &crate::typeset::LinkArea,
    bleed: f32,
) -> Option<Annotation> {
    let rect = Rect::from_xywh(
        link.x + bleed,
        link.y + bleed,
        link.width.max(0.1),
        link.height.max(0.1),
    )?;
    let target = match &link.target {
        LinkTarget::External(url) => Target::Action(Action::Link(LinkAction::new(url.clone()))),
        LinkTarget::Internal { chapter, id } => {
            let d = layout
                .destinations
                .iter()
                .find(|d| d.chapter == *chapter && &d.id == id)?;
            Target::Destination(Destination::Xyz(XyzDestination::new(
                d.page,
                Point::from_xy(0.0, d.y + bleed),
            )))
        }
    };
    Some(Annotation::new_link(
        LinkAnnotation::new(rect, target),
        None,
    ))
}

fn outline_node(entry: &OutlineEntry, bleed: f32) -> OutlineNode {
    let mut node = OutlineNode::new(
        entry.title.clone(),
        XyzDestination::new(entry.page, Point::from_xy(0.0, entry.y + bleed)),
    );
    for child in &entry.children {
        node.push_child(outline_node(child, bleed));
    }
    node
}

fn metadata(m: &crate::document::Metadata) -> Metadata {
    let mut metadata = Metadata::new()
        .title(m.title.clone())
        .authors(m.authors.clone())
        .language(m.lang.clone())
        .creator("roneo".to_string())
        .producer("roneo".to_string())
        .document_id(m.identifier.clone())
        .creation_date(date_time(m.modified));
    if let Some(description) = m.description.clone().or_else(|| m.subtitle.clone()) {
        metadata = metadata.description(description);
    }
    if !m.subjects.is_empty() {
        metadata = metadata.keywords(m.subjects.clone());
    }
    metadata
}

/// A Unix instant as a UTC calendar date and time.
pub(crate) fn date_time(seconds: i64) -> DateTime {
    let (year, month, day, hour, minute, second) = crate::date::civil(seconds);
    DateTime::new(year.clamp(0, 9999) as u16)
        .month(month as u8)
        .day(day as u8)
        .hour(hour as u8)
        .minute(minute as u8)
        .second(second as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

#[cfg(test)]
mod tests {
    use krilla::configure::{ValidationError, Validators};
    use krilla::error::KrillaError;

    #[test]
    fn a_pdf_a_violation_reads_as_a_sentence() {
        let face = crate::fonts::bundled().next().unwrap();
        let font = krilla::text::Font::new(face.data.into(), face.index).unwrap();
        let e = KrillaError::Validation(vec![
            (
                ValidationError::ContainsNotDefGlyph(font, None, "毛".into()),
                Validators::default(),
            ),
            (ValidationError::NoDocumentTitle, Validators::default()),
        ]);
        let text = super::explain(&e);
        assert!(text.contains("'毛'") && text.contains("title"), "{text}");
        assert!(
            !text.contains("Font") && !text.contains('{') && !text.contains("Validation"),
            "{text}"
        );
    }

    #[test]
    fn unix_seconds_become_a_calendar_date() {
        let d = format!("{:?}", super::date_time(1_700_000_000));
        // 2023-11-14T22:13:20Z
        assert!(
            d.contains("2023") && d.contains("14") && d.contains("22"),
            "{d}"
        );
    }
}
