//! Composing a cover: the text set in balanced lines inside the safe area, placed by the
//! design's layout, and written as one SVG document (text as text, in the named faces).

use super::contrast::{self, Placed};
use super::text::{self, Block, Fit, Measure};
use super::{CoverDesign, CoverLayout, Logo, Rgb};
use crate::document::{Asset, Metadata};
use crate::fonts::FontFace;
use crate::text::esc;
use std::borrow::Cow;
use std::fmt::Write;
use std::sync::{Arc, OnceLock};
use usvg::fontdb;

/// The print cover's sheet: trim size and bleed, in points.
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    pub width: f32,
    pub height: f32,
    pub bleed: f32,
}

/// The cover's photograph: its file as it is (the PDF embeds it untouched) and, once decoded,
/// its pixels (for judging contrast and for the EPUB's raster).
pub struct Photo {
    data: Arc<Vec<u8>>,
    media_type: &'static str,
    decoded: OnceLock<Option<Arc<image::DynamicImage>>>,
}

impl Photo {
    /// `None` when the file is of no kind the renderers take.
    pub fn decode(asset: &Asset) -> Option<Photo> {
        Some(Photo {
            data: asset.data.clone(),
            media_type: asset.media_type,
            decoded: OnceLock::new(),
        })
    }

    /// The file as it is.
    pub(super) fn data(&self) -> &[u8] {
        &self.data
    }

    /// The photograph decoded, once; `None` when the file does not decode (the document
    /// stage's image check reports it).
    fn decoded(&self) -> Option<&image::DynamicImage> {
        self.decoded
            .get_or_init(|| {
                let format = image::ImageFormat::from_mime_type(self.media_type)?;
                let decoded = image::load_from_memory_with_format(&self.data, format).ok()?;
                Some(Arc::new(decoded))
            })
            .as_deref()
    }

    /// A small copy of the pixels, enough to judge what is under a line of type.
    fn pixels(&self) -> Option<image::RgbImage> {
        Some(self.decoded()?.thumbnail(400, 400).to_rgb8())
    }

    /// The pixels at full size, for the raster; `None` too for a photograph with
    /// transparency, which resvg composites itself.
    pub(super) fn opaque_pixels(&self) -> Option<Cow<'_, image::RgbImage>> {
        let decoded = self.decoded()?;
        if decoded.color().has_alpha() {
            return None;
        }
        Some(match decoded {
            image::DynamicImage::ImageRgb8(rgb) => Cow::Borrowed(rgb),
            other => Cow::Owned(other.to_rgb8()),
        })
    }

    fn kind(&self) -> usvg::ImageKind {
        let data = self.data.clone();
        match self.media_type {
            "image/png" => usvg::ImageKind::PNG(data),
            "image/gif" => usvg::ImageKind::GIF(data),
            "image/webp" => usvg::ImageKind::WEBP(data),
            _ => usvg::ImageKind::JPEG(data),
        }
    }
}

/// A logo, checked and measured.
pub struct LogoArt {
    kind: usvg::ImageKind,
    /// Width over height.
    pub(super) aspect: f32,
}

impl LogoArt {
    pub fn load(logo: &Logo) -> Result<LogoArt, String> {
        if logo.svg {
            let tree = usvg::Tree::from_data(&logo.data, &usvg::Options::default())
                .map_err(|e| e.to_string())?;
            let size = tree.size();
            return Ok(LogoArt {
                aspect: size.width() / size.height(),
                kind: usvg::ImageKind::SVG(tree),
            });
        }
        let decoded = image::load_from_memory_with_format(&logo.data, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        Ok(LogoArt {
            aspect: decoded.width() as f32 / decoded.height().max(1) as f32,
            kind: usvg::ImageKind::PNG(logo.data.clone()),
        })
    }
}

/// One cover, composed: the SVG document and what it says.
pub struct Drawing {
    /// Trim size and bleed in points; the SVG's canvas is the trim plus the bleed all round.
    pub width: f32,
    pub height: f32,
    pub bleed: f32,
    pub svg: String,
    /// The cover's words, for alternative text.
    pub alt: String,
    /// Text set below the design's smallest size, described for a warning.
    pub too_long: Vec<String>,
    /// Every line's box inside the trim (x, y, width, height), as measured.
    pub text_boxes: Vec<[f32; 4]>,
    pub(super) fonts: Arc<fontdb::Database>,
}

impl Drawing {
    /// Parses the SVG once, with the cover's faces and its photograph and logo as they are.
    pub fn parse(
        &self,
        photo: Option<&Photo>,
        logo: Option<&LogoArt>,
    ) -> Result<usvg::Tree, String> {
        let photo = photo.map(Photo::kind);
        let logo = logo.map(|l| l.kind.clone());
        let resolve = move |href: &str, _: &usvg::Options| match href {
            "photo" => photo.clone(),
            "logo" => logo.clone(),
            _ => None,
        };
        let options = usvg::Options {
            fontdb: self.fonts.clone(),
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: Box::new(|_, _, _| None),
                resolve_string: Box::new(resolve),
            },
            ..usvg::Options::default()
        };
        // Test hook (debug builds only): the SVG library refuses the drawing, as a fault of
        // its own would; no manuscript can bring this about.
        #[cfg(debug_assertions)]
        if std::env::var_os("RONEO_TEST_FAULT").is_some_and(|v| v == "cover") {
            return Err("RONEO_TEST_FAULT=cover refuses the drawing".into());
        }
        usvg::Tree::from_str(&self.svg, &options).map_err(|e| e.to_string())
    }
}

/// A face in the SVG: how fontdb knows it.
pub(super) struct SvgFace {
    family: String,
    weight: u16,
    italic: bool,
    pub(super) measure: Measure,
}

/// Faces by role.
const TITLE: usize = 0;
const TEXT: usize = 1;
const ITALIC: usize = 2;

/// A block of text placed on the cover.
struct SetBlock {
    block: Block,
    face: usize,
    colour: Rgb,
    /// The block's top edge, and the x its lines start at (or centre on).
    top: f32,
    x: f32,
}

struct Composer<'a> {
    design: &'a CoverDesign,
    faces: Vec<SvgFace>,
    sheet: Sheet,
    /// Margin inside the trim that no text enters.
    margin: f32,
    too_long: Vec<String>,
}

/// What a piece of text is, for the warning when it does not fit.
#[derive(Clone, Copy)]
struct Piece<'t> {
    text: &'t str,
    face: usize,
    fit: Fit,
    what: &'static str,
}

impl Composer<'_> {
    fn set(&mut self, piece: Piece, width: f32, height: f32) -> Block {
        let block = text::fit(
            &self.faces[piece.face].measure,
            piece.text,
            width,
            height,
            piece.fit,
        );
        if block.below_floor {
            self.too_long.push(if block.lines.is_empty() {
                format!("the {} does not fit on the cover and is left out", piece.what)
            } else {
                format!(
                    "the {} is too long for the cover: set at {:.1} pt, below the {:.1} pt the design allows",
                    piece.what, block.size, piece.fit.floor
                )
            });
        }
        block
    }
}

/// The cover's text, in reading order.
struct Words {
    series: Option<String>,
    title: String,
    subtitle: Option<String>,
    authors: Option<String>,
    publisher: Option<String>,
}

fn words(meta: &Metadata, design: &CoverDesign) -> Words {
    let series = meta.collection.as_ref().map(|c| match &c.position {
        Some(p) => format!("{} · {p}", c.name),
        None => c.name.clone(),
    });
    let title = if design.upper {
        meta.title.to_uppercase()
    } else {
        meta.title.clone()
    };
    Words {
        series,
        title,
        subtitle: meta.subtitle.clone(),
        authors: (!meta.authors.is_empty()).then(|| meta.authors.join(", ")),
        publisher: meta.publisher.clone(),
    }
}

/// The alternative text: the cover's words as a sentence or two.
pub(super) fn alt(meta: &Metadata) -> String {
    let mut out = meta.title.clone();
    let mut add = |part: &str| {
        if !out.ends_with(['.', '?', '!', '…']) {
            out.push('.');
        }
        out.push(' ');
        out.push_str(part);
    };
    if let Some(s) = &meta.subtitle {
        add(s);
    }
    if !meta.authors.is_empty() {
        add(&meta.authors.join(", "));
    }
    if let Some(p) = &meta.publisher {
        add(p);
    }
    out
}

/// Composes the cover of `meta` in `design` on `sheet`.
pub fn compose(
    meta: &Metadata,
    design: &CoverDesign,
    sheet: Sheet,
    photo: Option<&Photo>,
    logo: Option<&LogoArt>,
) -> Drawing {
    let mut db = fontdb::Database::new();
    let faces: Vec<SvgFace> = [design.title_face, design.text_face, design.italic_face]
        .iter()
        .map(|face| svg_face(&mut db, face, &design.fallback))
        .collect();
    db.load_font_source(fontdb::Source::Binary(Arc::new(design.fallback.data)));
    // The renderer falls back to any face in the database: the shipped script faces too.
    for face in &crate::fonts::SCRIPTS {
        db.load_font_source(fontdb::Source::Binary(Arc::new(face.data)));
    }
    let layout = if photo.is_some() {
        design.layout
    } else {
        CoverLayout::Rules
    };
    let (w, h) = (sheet.width, sheet.height);
    let mut c = Composer {
        design,
        faces,
        sheet,
        margin: (w.min(h) * 0.085).max(9.0),
        too_long: Vec::new(),
    };
    let words = words(meta, design);
    let mut svg = Svg::new(sheet);
    let mut boxes = Vec::new();
    match layout {
        CoverLayout::Rules => rules(&mut c, &words, logo, &mut svg, &mut boxes),
        CoverLayout::Band | CoverLayout::Panel => framed(
            &mut c,
            layout,
            &words,
            photo.expect("a photo"),
            logo,
            &mut svg,
            &mut boxes,
        ),
        CoverLayout::Scrim => scrim(
            &mut c,
            &words,
            photo.expect("a photo"),
            logo,
            &mut svg,
            &mut boxes,
        ),
    }
    Drawing {
        width: w,
        height: h,
        bleed: sheet.bleed,
        svg: svg.finish(),
        alt: alt(meta),
        too_long: c.too_long,
        text_boxes: boxes,
        fonts: Arc::new(db),
    }
}

/// Loads a face into the font database and reads the names the SVG must use for it.
pub(super) fn svg_face(db: &mut fontdb::Database, face: &FontFace, fallback: &FontFace) -> SvgFace {
    let ids = db.load_font_source(fontdb::Source::Binary(Arc::new(face.data)));
    let info = ids.first().and_then(|id| db.face(*id));
    let (family, weight, italic) = info.map_or(
        (
            face.family.to_string(),
            if face.bold { 700 } else { 400 },
            face.italic,
        ),
        |i| {
            (
                i.families
                    .first()
                    .map_or_else(|| face.family.to_string(), |f| f.0.clone()),
                i.weight.0,
                i.style != fontdb::Style::Normal,
            )
        },
    );
    SvgFace {
        family,
        weight,
        italic,
        measure: Measure::new(face, fallback),
    }
}

// Sizes as fractions of the trim width (A5: title 44 pt, floor 19 pt).
fn title_fit(w: f32) -> Fit {
    Fit {
        size: w * 0.105,
        floor: w * 0.045,
        leading: 1.08,
        max_lines: 5,
    }
}
fn subtitle_fit(w: f32) -> Fit {
    Fit {
        size: w * 0.045,
        floor: w * 0.03,
        leading: 1.2,
        max_lines: 3,
    }
}
fn author_fit(w: f32) -> Fit {
    Fit {
        size: w * 0.042,
        floor: w * 0.028,
        leading: 1.2,
        max_lines: 2,
    }
}
fn small_fit(w: f32) -> Fit {
    Fit {
        size: w * 0.03,
        floor: w * 0.022,
        leading: 1.2,
        max_lines: 2,
    }
}

/// The blocks of a stack of text, set to fit `width` × `height`: the small lines first, at
/// their sizes; the title takes the height that is left.
struct Stack {
    blocks: Vec<(Block, usize)>,
    gaps: Vec<f32>,
}

impl Stack {
    fn height(&self) -> f32 {
        self.blocks.iter().map(|(b, _)| b.height()).sum::<f32>() + self.gaps.iter().sum::<f32>()
    }
}

/// Sets the title with the pieces around it (`before` above it, `after` below), all within
/// `width` × `height`.
fn stack(
    c: &mut Composer,
    before: &[Piece],
    title: Piece,
    after: &[Piece],
    width: f32,
    height: f32,
) -> Stack {
    let gap = c.sheet.width * 0.035;
    let share = |p: &Piece| if p.face == ITALIC { 0.22 } else { 0.12 };
    let set_all = |c: &mut Composer, pieces: &[Piece]| -> Vec<(Block, usize)> {
        pieces
            .iter()
            .map(|p| (c.set(*p, width, height * share(p)), p.face))
            .filter(|(b, _)| !b.lines.is_empty())
            .collect()
    };
    let top = set_all(c, before);
    let bottom = set_all(c, after);
    let others: f32 = top
        .iter()
        .chain(&bottom)
        .map(|(b, _)| b.height() + gap)
        .sum();
    let title_block = c.set(title, width, (height - others).max(0.0));
    let mut blocks = top;
    blocks.push((title_block, title.face));
    blocks.extend(bottom);
    let gaps = vec![gap; blocks.len().saturating_sub(1)];
    Stack { blocks, gaps }
}

/// Places a stack with its top at `y`; returns the placed blocks.
fn place(stack: Stack, x: f32, y: f32, colour: impl Fn(usize, &Block) -> Rgb) -> Vec<SetBlock> {
    let mut out = Vec::new();
    let mut y = y;
    for (i, (block, face)) in stack.blocks.into_iter().enumerate() {
        let height = block.height();
        out.push(SetBlock {
            colour: colour(face, &block),
            block,
            face,
            top: y,
            x,
        });
        y += height + stack.gaps.get(i).copied().unwrap_or(0.0);
    }
    out
}

/// The lines stacked around the title on a photograph's cover, for a sheet `w` wide: the series
/// above it, the subtitle and authors below.
fn pieces(words: &Words, w: f32) -> (Vec<Piece<'_>>, Piece<'_>, Vec<Piece<'_>>) {
    let before: Vec<Piece> = words
        .series
        .as_deref()
        .map(|s| piece(s, TEXT, small_fit(w), "series"))
        .into_iter()
        .collect();
    let mut after: Vec<Piece> = Vec::new();
    if let Some(s) = &words.subtitle {
        after.push(piece(s, ITALIC, subtitle_fit(w), "subtitle"));
    }
    if let Some(a) = &words.authors {
        after.push(piece(a, TEXT, author_fit(w), "author line"));
    }
    let title = piece(&words.title, TITLE, title_fit(w), "title");
    (before, title, after)
}

fn piece<'t>(text: &'t str, face: usize, fit: Fit, what: &'static str) -> Piece<'t> {
    Piece {
        text,
        face,
        fit,
        what,
    }
}

/// Type only: the series at the head, the title between two rules, the author, the publisher
/// (and logo) at the foot.
fn rules(
    c: &mut Composer,
    words: &Words,
    logo: Option<&LogoArt>,
    svg: &mut Svg,
    boxes: &mut Vec<[f32; 4]>,
) {
    let d = c.design;
    let Sheet {
        width: w,
        height: h,
        ..
    } = c.sheet;
    let m = c.margin;
    let ground = if d.accent_ground { d.accent } else { d.paper };
    let ink = if d.accent_ground { d.on_accent } else { d.ink };
    let rule_colour = if d.accent_ground {
        d.on_accent
    } else {
        d.accent
    };
    svg.rect(
        -c.sheet.bleed,
        -c.sheet.bleed,
        w + 2.0 * c.sheet.bleed,
        h + 2.0 * c.sheet.bleed,
        ground,
        1.0,
    );
    let measure = w - 2.0 * m;
    let x = if d.centred { w / 2.0 } else { m };
    // The foot: publisher and logo, from the bottom of the safe area up.
    let foot_top = foot(c, words, logo, ground, ink, h - m, svg, boxes);
    let head_bottom = match &words.series {
        Some(series) => {
            let block = c.set(
                piece(series, TEXT, small_fit(w), "series"),
                measure,
                h * 0.08,
            );
            let placed = SetBlock {
                colour: contrast_ink(ink, ground, &block, false),
                block,
                face: TEXT,
                top: m,
                x,
            };
            let bottom = m + placed.block.height();
            draw_block(c, &placed, svg, boxes);
            bottom
        }
        None => m,
    };
    let subtitle = words
        .subtitle
        .as_deref()
        .map(|s| piece(s, ITALIC, subtitle_fit(w), "subtitle"));
    let authors = words
        .authors
        .as_deref()
        .map(|s| piece(s, TEXT, author_fit(w), "author line"));
    let after: Vec<Piece> = subtitle.into_iter().collect();
    let rule_gap = w * 0.05;
    let top = (h * 0.2).max(head_bottom + rule_gap);
    // Room between the rules: down to the author line's place.
    let authors_block = authors.map(|p| c.set(p, measure, h * 0.12));
    let authors_h = authors_block
        .as_ref()
        .map_or(0.0, |b| b.height() + rule_gap * 2.0);
    let room = foot_top - rule_gap - authors_h - top - 2.0 * rule_gap;
    let title = piece(&words.title, TITLE, title_fit(w), "title");
    let st = stack(c, &[], title, &after, measure, room.max(0.0));
    let content = st.height();
    let rule_top = top;
    let text_top = rule_top + rule_gap;
    let placed = place(st, x, text_top, |face, b| {
        contrast_ink(ink, ground, b, face == TITLE)
    });
    let rule_bottom = text_top + content + rule_gap;
    let (rx0, rx1) = (m, w - m);
    svg.line(rx0, rule_top, rx1, rule_top, w * 0.004, rule_colour);
    svg.line(rx0, rule_bottom, rx1, rule_bottom, w * 0.004, rule_colour);
    for p in &placed {
        draw_block(c, p, svg, boxes);
    }
    if let Some(block) = authors_block.filter(|b| !b.lines.is_empty()) {
        // Between the lower rule and the foot, a little above the middle of that space.
        let space = foot_top - rule_bottom - block.height();
        let top = rule_bottom + (space * 0.45).max(rule_gap);
        let placed = SetBlock {
            colour: contrast_ink(ink, ground, &block, false),
            block,
            face: TEXT,
            top,
            x,
        };
        draw_block(c, &placed, svg, boxes);
    }
}

/// The publisher (and logo) set from `bottom` upwards; returns the top of what was set.
#[allow(clippy::too_many_arguments)]
fn foot(
    c: &mut Composer,
    words: &Words,
    logo: Option<&LogoArt>,
    ground: Rgb,
    ink: Rgb,
    bottom: f32,
    svg: &mut Svg,
    boxes: &mut Vec<[f32; 4]>,
) -> f32 {
    let Sheet {
        width: w,
        height: h,
        ..
    } = c.sheet;
    let m = c.margin;
    let measure = w - 2.0 * m;
    let mut top = bottom;
    if let Some(publisher) = &words.publisher {
        let block = c.set(
            piece(publisher, TEXT, small_fit(w), "publisher"),
            measure,
            h * 0.08,
        );
        if !block.lines.is_empty() {
            top -= block.height();
            let x = if c.design.centred { w / 2.0 } else { m };
            let placed = SetBlock {
                colour: contrast_ink(ink, ground, &block, false),
                block,
                face: TEXT,
                top,
                x,
            };
            draw_block(c, &placed, svg, boxes);
        }
    }
    if let Some(logo) = logo {
        let lh = h * 0.055;
        let lw = (lh * logo.aspect).min(measure * 0.5);
        let lh = lw / logo.aspect;
        top -= lh + if top < bottom { h * 0.012 } else { 0.0 };
        let x = if c.design.centred { (w - lw) / 2.0 } else { m };
        svg.image("logo", x, top, lw, lh, "xMidYMid meet");
    }
    top
}

/// The colour for a block on a solid ground: the design's, unless it does not reach WCAG AA.
fn contrast_ink(ink: Rgb, ground: Rgb, block: &Block, bold: bool) -> Rgb {
    contrast::legible_ink(ink, ground, block.size, bold)
}

/// A photograph with the type on a solid area: a band of the accent colour across it, or a
/// panel of the paper colour below it.
fn framed(
    c: &mut Composer,
    layout: CoverLayout,
    words: &Words,
    photo: &Photo,
    logo: Option<&LogoArt>,
    svg: &mut Svg,
    boxes: &mut Vec<[f32; 4]>,
) {
    let d = c.design;
    let Sheet {
        width: w,
        height: h,
        bleed,
    } = c.sheet;
    let m = c.margin;
    let measure = w - 2.0 * m;
    let x = if d.centred { w / 2.0 } else { m };
    let pad = w * 0.05;
    let band = layout == CoverLayout::Band;
    let (ground, ink) = if band {
        (d.accent, d.on_accent)
    } else {
        (d.paper, d.ink)
    };
    let (before, title, after) = pieces(words, w);
    // The type may take at most this much of the cover, so the photograph keeps the rest.
    let most = if band { 0.62 } else { 0.6 };
    let foot_room = if words.publisher.is_some() || logo.is_some() {
        h * 0.13
    } else {
        0.0
    };
    let room = h * most - 2.0 * pad - foot_room;
    let st = stack(c, &before, title, &after, measure, room);
    let content = st.height();
    let area_h = content + 2.0 * pad + foot_room;
    if band {
        // The band's foot sits a little above the cover's, the photograph showing below it.
        let band_bottom = h - h * 0.07;
        let band_top = (band_bottom - area_h).max(m);
        svg.image(
            "photo",
            -bleed,
            -bleed,
            w + 2.0 * bleed,
            h + 2.0 * bleed,
            "xMidYMid slice",
        );
        svg.rect(
            -bleed,
            band_top,
            w + 2.0 * bleed,
            band_bottom - band_top,
            ground,
            1.0,
        );
        let placed = place(st, x, band_top + pad, |face, b| {
            contrast_ink(ink, ground, b, face == TITLE)
        });
        for p in &placed {
            draw_block(c, p, svg, boxes);
        }
        foot(c, words, logo, ground, ink, band_bottom - pad, svg, boxes);
    } else {
        // The panel's height follows its text, within limits; the photograph fills the rest.
        let panel_top = (h - m - area_h + pad).clamp(h * 0.38, h * 0.62);
        svg.rect(
            -bleed,
            -bleed,
            w + 2.0 * bleed,
            h + 2.0 * bleed,
            ground,
            1.0,
        );
        svg.image(
            "photo",
            -bleed,
            -bleed,
            w + 2.0 * bleed,
            panel_top + bleed,
            "xMidYMid slice",
        );
        svg.line(
            m,
            panel_top + pad * 0.6,
            w - m,
            panel_top + pad * 0.6,
            w * 0.004,
            d.accent,
        );
        let placed = place(st, x, panel_top + pad * 1.4, |face, b| {
            contrast_ink(ink, ground, b, face == TITLE)
        });
        for p in &placed {
            draw_block(c, p, svg, boxes);
        }
        foot(c, words, logo, ground, ink, h - m, svg, boxes);
    }
    let _ = photo;
}

/// A photograph filling the cover, the type set on it over a scrim darkened until every line
/// reaches WCAG AA on the lightest part of the photograph under it.
fn scrim(
    c: &mut Composer,
    words: &Words,
    photo: &Photo,
    logo: Option<&LogoArt>,
    svg: &mut Svg,
    boxes: &mut Vec<[f32; 4]>,
) {
    let Sheet {
        width: w,
        height: h,
        bleed,
    } = c.sheet;
    let m = c.margin;
    let measure = w - 2.0 * m;
    let x = if c.design.centred { w / 2.0 } else { m };
    let white: Rgb = [0xff, 0xff, 0xff];
    let dark: Rgb = [0x0a, 0x0a, 0x0c];
    let (before, title, after) = pieces(words, w);
    let foot_room = if words.publisher.is_some() || logo.is_some() {
        h * 0.12
    } else {
        0.0
    };
    let st = stack(c, &before, title, &after, measure, h * 0.58 - m - foot_room);
    let content = st.height();
    let text_top = h - m - foot_room - content;
    let placed = place(st, x, text_top, |_, _| white);
    // The scrim's opacity: the least that makes every line (and the foot) read.
    let mut line_boxes: Vec<([f32; 4], f32, bool)> = Vec::new();
    for p in &placed {
        for (i, width) in p.block.widths.iter().enumerate() {
            let x0 = if c.design.centred {
                p.x - width / 2.0
            } else {
                p.x
            };
            let top = p.top + i as f32 * p.block.leading;
            line_boxes.push((
                [x0, top, *width, p.block.ascent + p.block.descent],
                p.block.size,
                p.face == TITLE,
            ));
        }
    }
    if foot_room > 0.0 {
        line_boxes.push((
            [m, h - m - foot_room * 0.7, measure, foot_room * 0.7],
            w * 0.022,
            false,
        ));
    }
    let fade_top = text_top - h * 0.18;
    let mut alpha = 0.35f32;
    if let Some(pixels) = photo.pixels() {
        let placed_photo = Placed {
            pixels: &pixels,
            area: [-bleed, -bleed, w + 2.0 * bleed, h + 2.0 * bleed],
        };
        while alpha < 1.0 {
            let reads = line_boxes.iter().all(|(b, size, bold)| {
                let under = contrast::lightest(placed_photo.luminances(*b, (dark, alpha)));
                contrast::ratio(contrast::luminance(white), under)
                    >= contrast::required(*size, *bold)
            });
            if reads {
                break;
            }
            alpha = (alpha + 0.05).min(1.0);
        }
    } else {
        alpha = 0.85;
    }
    svg.image(
        "photo",
        -bleed,
        -bleed,
        w + 2.0 * bleed,
        h + 2.0 * bleed,
        "xMidYMid slice",
    );
    svg.scrim(
        -bleed,
        fade_top,
        w + 2.0 * bleed,
        h + bleed - fade_top,
        text_top - fade_top,
        dark,
        alpha,
    );
    for p in &placed {
        draw_block(c, p, svg, boxes);
    }
    foot(c, words, logo, dark, white, h - m, svg, boxes);
}

fn draw_block(c: &Composer, p: &SetBlock, svg: &mut Svg, boxes: &mut Vec<[f32; 4]>) {
    let face = &c.faces[p.face];
    for (i, (line, width)) in p.block.lines.iter().zip(&p.block.widths).enumerate() {
        let baseline = p.top + p.block.ascent + i as f32 * p.block.leading;
        let x0 = if c.design.centred {
            p.x - width / 2.0
        } else {
            p.x
        };
        svg.text(
            line,
            p.x,
            baseline,
            face,
            p.block.size,
            p.colour,
            c.design.centred,
        );
        boxes.push([
            x0,
            baseline - p.block.ascent,
            *width,
            p.block.ascent + p.block.descent,
        ]);
    }
}

/// An SVG document being written; coordinates inside the trim (the bleed is outside 0..w).
pub(super) struct Svg {
    out: String,
    defs: String,
    sheet: Sheet,
}

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

impl Svg {
    /// Raw SVG markup (a path), for shapes the other methods do not draw.
    pub(super) fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
        self.out.push('\n');
    }

    pub(super) fn new(sheet: Sheet) -> Svg {
        Svg {
            out: String::with_capacity(4096),
            defs: String::new(),
            sheet,
        }
    }

    pub(super) fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, fill: Rgb, opacity: f32) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{}\" fill-opacity=\"{opacity:.2}\"/>",
            hex(fill)
        );
    }

    pub(super) fn line(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, width: f32, colour: Rgb) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{x0:.2}\" y1=\"{y0:.2}\" x2=\"{x1:.2}\" y2=\"{y1:.2}\" stroke=\"{}\" stroke-width=\"{width:.2}\"/>",
            hex(colour)
        );
    }

    /// An image, `href` naming it for the resolver in [`Drawing::parse`]. The photograph
    /// stands alone between the layers under and over it, so that the raster can draw it
    /// itself (see `raster`).
    pub(super) fn image(&mut self, href: &str, x: f32, y: f32, w: f32, h: f32, fit: &str) {
        let (close, id, open) = if href == super::raster::PHOTO_ID {
            ("</g>\n", " id=\"photo\"", "\n<g>")
        } else {
            ("", "", "")
        };
        let _ = writeln!(
            self.out,
            "{close}<image{id} xlink:href=\"{href}\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" preserveAspectRatio=\"{fit}\"/>{open}"
        );
    }

    /// A rectangle darkening from clear at its top to `alpha` at `fade` below it, then even.
    #[allow(clippy::too_many_arguments)]
    fn scrim(&mut self, x: f32, y: f32, w: f32, h: f32, fade: f32, colour: Rgb, alpha: f32) {
        let stop = (fade / h).clamp(0.0, 1.0);
        let _ = writeln!(
            self.defs,
            "<linearGradient id=\"scrim\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\"><stop offset=\"0\" stop-color=\"{c}\" stop-opacity=\"0\"/><stop offset=\"{stop:.3}\" stop-color=\"{c}\" stop-opacity=\"{alpha:.2}\"/><stop offset=\"1\" stop-color=\"{c}\" stop-opacity=\"{alpha:.2}\"/></linearGradient>",
            c = hex(colour)
        );
        let _ = writeln!(
            self.out,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"url(#scrim)\"/>"
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn text(
        &mut self,
        line: &str,
        x: f32,
        baseline: f32,
        face: &SvgFace,
        size: f32,
        fill: Rgb,
        centred: bool,
    ) {
        let _ = writeln!(
            self.out,
            "<text x=\"{x:.2}\" y=\"{baseline:.2}\" font-family=\"{}\" font-weight=\"{}\" font-style=\"{}\" font-size=\"{size:.2}\" fill=\"{}\"{}>{}</text>",
            esc(&face.family),
            face.weight,
            if face.italic { "italic" } else { "normal" },
            hex(fill),
            if centred { " text-anchor=\"middle\"" } else { "" },
            esc(line)
        );
    }

    pub(super) fn finish(self) -> String {
        let Sheet {
            width,
            height,
            bleed,
        } = self.sheet;
        let (cw, ch) = (width + 2.0 * bleed, height + 2.0 * bleed);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"{cw:.2}\" height=\"{ch:.2}\" viewBox=\"0 0 {cw:.2} {ch:.2}\">\n<defs>{}</defs>\n<g transform=\"translate({bleed:.2} {bleed:.2})\">\n<g>\n{}</g>\n</g>\n</svg>\n",
            self.defs, self.out
        )
    }
}
