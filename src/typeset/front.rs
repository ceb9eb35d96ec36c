//! The pages before the text: cover, title page, colophon (on the title's verso) and contents
//! with dot leaders and page numbers. They are composed after the body so that the contents
//! can print the body's page numbers, and padded to an even count so the text opens on a
//! recto.

use super::flow::line_items;
use super::geometry::Geometry;
use super::pages::BodyPages;
use super::paragraph::{self, Align, ParagraphStyle, SetLine};
use super::shape::FontStyle;
use super::{Context, CoverArea, Glyph, GlyphRun, ImageItem, Item, LinkArea, Page, Structure};
use crate::document::{Document, LinkTarget, TocEntry};
use crate::locale::{self, Label};
use crate::style::{Family, FrontPage, Style};

/// The pages before the text, in order, and whether the colophon stands on the inside back
/// cover instead of among them (the copyfitter's choice for a short text).
#[derive(Debug, Clone, PartialEq)]
pub struct FrontPlan {
    pub pages: Vec<FrontPage>,
    pub colophon_last: bool,
}

impl FrontPlan {
    /// The style's own: the pages as listed (`front-matter:`), else the cover, the title page
    /// if the style has one, the colophon and the contents if the style has them.
    pub fn of(style: &Style) -> Self {
        let pages = style.copyfit.front_matter.clone().unwrap_or_else(|| {
            let mut pages = vec![FrontPage::Cover];
            if style.title_page {
                pages.push(FrontPage::Title);
            }
            pages.push(FrontPage::Colophon);
            if style.contents.is_some() {
                pages.push(FrontPage::Contents);
            }
            pages
        });
        FrontPlan {
            pages,
            colophon_last: false,
        }
    }
}

pub fn front_matter(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    g: &Geometry,
    body: &BodyPages,
    plan: &FrontPlan,
    structure: &mut Vec<Structure>,
) -> Vec<Page> {
    let mut pages = Vec::new();
    for page in &plan.pages {
        // Page indices decide the binding side: each page sits where it falls.
        let index = pages.len();
        match page {
            FrontPage::Cover => pages.push(cover(doc, g)),
            FrontPage::Title => pages.push(title_page(cx, doc, style, g)),
            FrontPage::Colophon => pages.push(colophon(cx, doc, style, g, index)),
            // Entries deeper than the style's depth are left to the bookmarks.
            FrontPage::Contents => {
                pages.extend(contents(cx, doc, g, body, contents_depth(style), index))
            }
        }
    }
    if pages.len() % 2 == 1 {
        pages.push(blank(g));
    }
    for (i, page) in pages.iter_mut().enumerate() {
        page.label = roman(i + 1);
        tag(page, structure);
    }
    pages
}

/// The colophon on the inside back cover, page `index` of the book, labelled `label`.
pub fn colophon_last(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    g: &Geometry,
    index: usize,
    label: String,
    structure: &mut Vec<Structure>,
) -> Page {
    let mut page = colophon(cx, doc, style, g, index);
    page.label = label;
    tag(&mut page, structure);
    page
}

/// How many pages the contents take (set and thrown away: the copyfitter only counts).
pub fn contents_pages(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    g: &Geometry,
    body: &BodyPages,
) -> usize {
    let diagnostics = std::mem::take(&mut cx.diagnostics);
    let n = contents(cx, doc, g, body, contents_depth(style), 0).len();
    cx.diagnostics = diagnostics;
    n
}

/// How many entries the contents list: "several" makes a contents page worth its paper.
pub fn contents_entries(doc: &Document, style: &Style) -> usize {
    let mut flat = Vec::new();
    flatten(&doc.toc, contents_depth(style), &mut flat);
    flat.len()
}

/// Listed explicitly in a style without contents, the contents go two levels deep.
fn contents_depth(style: &Style) -> u8 {
    style.contents.unwrap_or(2)
}

/// A front page is one element for assistive technology: the cover a figure, the others text.
fn tag(page: &mut Page, structure: &mut Vec<Structure>) {
    let element = match page.items.first() {
        Some(Item::Image(ImageItem { alt, .. })) | Some(Item::Cover(CoverArea { alt, .. })) => {
            Structure::Figure { alt: alt.clone() }
        }
        _ => Structure::Paragraph,
    };
    if !page.items.is_empty() {
        structure.push(element);
        page.tagged = vec![(0..page.items.len(), structure.len() - 1)];
    }
}

fn blank(g: &Geometry) -> Page {
    Page {
        width: g.width,
        height: g.height,
        label: String::new(),
        items: Vec::new(),
        tagged: Vec::new(),
        start: None,
    }
}

fn text_style(
    doc: &Document,
    size: f32,
    font: FontStyle,
    measure: f32,
    align: Align,
) -> ParagraphStyle {
    ParagraphStyle {
        size,
        font,
        measure,
        indent: 0.0,
        align,
        hyphenate: false,
        lang: doc.meta.lang.clone(),
        left_to_right: false,
    }
}

const ITALIC: FontStyle = FontStyle {
    italic: true,
    bold: false,
    mono: false,
    sans: false,
};
const REGULAR: FontStyle = FontStyle {
    italic: false,
    bold: false,
    mono: false,
    sans: false,
};

/// Centred lines of `text` starting with the first baseline at `y`; returns the next baseline.
#[allow(clippy::too_many_arguments)]
fn centred(
    cx: &mut Context,
    doc: &Document,
    items: &mut Vec<Item>,
    text: &str,
    size: f32,
    font: FontStyle,
    x: f32,
    measure: f32,
    y: f32,
) -> f32 {
    let leading = size * 1.25;
    let lines = paragraph::set_text(
        cx,
        text,
        &text_style(doc, size, font, measure, Align::Center),
    );
    let mut y = y;
    for line in &lines {
        items.extend(line_items(line, x, y));
        y += leading;
    }
    y
}

/// The face titles are set in: the headings' family (bold when sans).
fn title_font(style: &Style) -> FontStyle {
    let sans = style.headings.family == Family::Sans;
    FontStyle {
        sans,
        bold: sans,
        ..REGULAR
    }
}

fn cover(doc: &Document, g: &Geometry) -> Page {
    let mut page = blank(g);
    if let Some(asset) = doc
        .meta
        .cover
        .and_then(|c| doc.assets.get(c).map(|a| (c, a)))
    {
        // Fill the page; what overhangs is cut off by the page edge.
        let (id, a) = asset;
        let scale = (g.width / a.width.max(1) as f32).max(g.height / a.height.max(1) as f32);
        let (w, h) = (a.width as f32 * scale, a.height as f32 * scale);
        page.items.push(Item::Image(ImageItem {
            asset: id,
            x: (g.width - w) / 2.0,
            y: (g.height - h) / 2.0,
            width: w,
            height: h,
            alt: doc.meta.title.clone(),
        }));
        return page;
    }
    // No cover file: the cover stage draws one, placed here by the writer.
    page.items.push(Item::Cover(CoverArea {
        alt: doc.meta.title.clone(),
        back: false,
    }));
    page
}

/// The last page: the back cover, which the cover stage draws (blurb, call to action with its
/// QR code, publisher, price, barcode). Tagged as a figure whose alternative text is its words.
pub fn back_cover(
    doc: &Document,
    back: &crate::document::BackCover,
    g: &Geometry,
    structure: &mut Vec<Structure>,
) -> Page {
    let mut page = blank(g);
    let alt = back.words(doc.meta.publisher.as_deref()).join(" ");
    page.items.push(Item::Cover(CoverArea {
        alt: alt.clone(),
        back: true,
    }));
    structure.push(Structure::Figure { alt });
    page.tagged = vec![(0..1, structure.len() - 1)];
    page
}

fn title_page(cx: &mut Context, doc: &Document, style: &Style, g: &Geometry) -> Page {
    let mut page = blank(g);
    let m = &doc.meta;
    let x = g.left(1);
    let items = &mut page.items;
    if !m.authors.is_empty() {
        centred(
            cx,
            doc,
            items,
            &m.authors.join(", "),
            g.body_size * 1.2,
            REGULAR,
            x,
            g.measure,
            g.cell_top(4),
        );
    }
    let y = centred(
        cx,
        doc,
        items,
        &m.title,
        g.body_size * 2.0,
        title_font(style),
        x,
        g.measure,
        g.cell_top(9),
    );
    if let Some(subtitle) = &m.subtitle {
        centred(
            cx,
            doc,
            items,
            subtitle,
            g.body_size * 1.15,
            ITALIC,
            x,
            g.measure,
            y + g.body_size * 0.5,
        );
    }
    if let Some(publisher) = &m.publisher {
        centred(
            cx,
            doc,
            items,
            publisher,
            g.body_size,
            REGULAR,
            x,
            g.measure,
            g.bottom(),
        );
    }
    page
}

fn colophon(cx: &mut Context, doc: &Document, style: &Style, g: &Geometry, index: usize) -> Page {
    let mut page = blank(g);
    let m = &doc.meta;
    let lang = &m.lang;
    let mut lines = vec![m.title.clone()];
    if let Some(subtitle) = &m.subtitle {
        lines.push(subtitle.clone());
    }
    if !m.authors.is_empty() {
        lines.push(format!(
            "{} {}",
            locale::label(lang, Label::By),
            m.authors.join(", ")
        ));
    }
    lines.push(String::new());
    if let Some(rights) = &m.rights {
        lines.push(rights.clone());
    }
    if let Some(publisher) = &m.publisher {
        lines.push(publisher.clone());
    }
    if let Some(date) = &m.date {
        lines.push(format!("{}: {date}", locale::label(lang, Label::Published)));
    }
    lines.push(format!(
        "{}: {}",
        locale::label(lang, Label::Identifier),
        m.identifier
    ));
    lines.push(String::new());
    lines.push(format!("{} · roneo", style.faces.main[0].family));
    let size = g.body_size * 0.8;
    let leading = size * 1.35;
    let st = text_style(doc, size, REGULAR, g.measure, Align::Left);
    let set: Vec<Vec<SetLine>> = lines
        .iter()
        .map(|l| {
            if l.is_empty() {
                vec![SetLine::default()]
            } else {
                paragraph::set_text(cx, l, &st)
            }
        })
        .collect();
    let count: usize = set.iter().map(Vec::len).sum();
    let mut y = g.bottom() - (count as f32 - 1.0) * leading;
    let x = g.left(index);
    for line in set.iter().flatten() {
        page.items.extend(line_items(line, x, y));
        y += leading;
    }
    page
}

fn contents(
    cx: &mut Context,
    doc: &Document,
    g: &Geometry,
    body: &BodyPages,
    depth: u8,
    index: usize,
) -> Vec<Page> {
    let mut flat = Vec::new();
    flatten(&doc.toc, depth, &mut flat);
    // Indents count from the shallowest level listed (an article's sections are level 2).
    let top = flat.iter().map(|e| e.level).min().unwrap_or(1);
    let mut pages = vec![blank(g)];
    let x = g.left(index);
    let rtl = crate::lang::is_rtl(&doc.meta.lang);
    let heading = paragraph::set_text(
        cx,
        locale::label(&doc.meta.lang, Label::Contents),
        &text_style(doc, g.body_size * 1.8, REGULAR, g.measure, Align::Left),
    );
    let mut cell = 3;
    for line in &heading {
        let y = g.cell_top(cell) + g.baseline_offset();
        pages[0].items.extend(line_items(line, x, y));
        cell += 2;
    }
    cell += 1;
    let size = g.body_size;
    // Close-set leaders: a row of dots reads as one leader, not as many one-dot words.
    let (dot, dot_pitch) = cx
        .fonts
        .shape(".", 0)
        .first()
        .map_or((0, size * 0.3), |d| (d.id, (d.advance + 0.08) * size));
    for entry in flat {
        let Some(target) = body
            .destinations
            .iter()
            .find(|d| d.chapter == entry.chapter && d.id == entry.id)
        else {
            continue;
        };
        let label = &body.pages[target.page].label;
        let indent = f32::from(entry.level - top) * size * 1.5;
        let font = if entry.level == top { REGULAR } else { ITALIC };
        let number = paragraph::set_text(
            cx,
            label,
            &text_style(doc, size, REGULAR, g.measure, Align::Left),
        );
        let number_width = number.first().map_or(0.0, |l| l.width);
        let room = g.measure - indent - number_width - 3.0 * size;
        let title = paragraph::set_text(
            cx,
            &entry.title,
            &text_style(doc, size, font, room, Align::Left),
        );
        if cell + title.len() > g.lines {
            pages.push(blank(g));
            cell = 3;
        }
        let page = pages.last_mut().expect("contents has a page");
        let top = g.cell_top(cell);
        // Lines are placed by their left edge (`start` undoes a right-to-left line's shift to
        // the end of its measure). A right-to-left book mirrors the entry: the title indented
        // from the right, the page number at the left.
        let (title_left, number_left) = if rtl {
            (x + g.measure - indent - room, x)
        } else {
            (x + indent, x + g.measure - number_width)
        };
        // The leaders run from `from` to `to`, away from the title's last line.
        let (mut from, mut to) = (x + indent, number_left - size * 0.6);
        for (k, line) in title.iter().enumerate() {
            let y = g.cell_top(cell + k) + g.baseline_offset();
            let left = if rtl {
                title_left + room - line.width
            } else {
                title_left
            };
            page.items.extend(line_items(line, left - line.start, y));
            (from, to) = if rtl {
                (number_left + number_width + size * 0.6, left - size * 0.6)
            } else {
                (left + line.width + size * 0.6, number_left - size * 0.6)
            };
        }
        let y = g.cell_top(cell + title.len() - 1) + g.baseline_offset();
        if let Some(line) = number.first() {
            page.items
                .extend(line_items(line, number_left - line.start, y));
        }
        // Leaders on a fixed pitch from the text block's edge on the titles' side, so dots
        // line up from entry to entry.
        let (first, last) = if rtl {
            let end = x + g.measure;
            (
                ((end - to) / dot_pitch).ceil() as usize,
                ((end - from) / dot_pitch).floor() as usize,
            )
        } else {
            (
                ((from - x) / dot_pitch).ceil() as usize,
                ((to - x) / dot_pitch).floor() as usize,
            )
        };
        if last > first {
            let n = last - first;
            let dots_left = if rtl {
                x + g.measure - last as f32 * dot_pitch
            } else {
                x + first as f32 * dot_pitch
            };
            page.items.push(Item::Text(GlyphRun {
                font: 0,
                size,
                x: dots_left,
                y,
                scale: 1.0,
                glyphs: (0..n)
                    .map(|i| Glyph {
                        id: dot,
                        advance: dot_pitch,
                        x_offset: 0.0,
                        y_offset: 0.0,
                        text: i as u32..i as u32 + 1,
                    })
                    .collect(),
                text: ".".repeat(n),
            }));
        }
        page.items.push(Item::Link(LinkArea {
            x: if rtl { x } else { x + indent },
            y: top,
            width: g.measure - indent,
            height: title.len() as f32 * g.leading,
            target: LinkTarget::Internal {
                chapter: entry.chapter,
                id: entry.id.clone(),
            },
        }));
        cell += title.len().max(1);
    }
    pages
}

fn flatten<'a>(toc: &'a [TocEntry], depth: u8, out: &mut Vec<&'a TocEntry>) {
    for entry in toc {
        if entry.level <= depth {
            out.push(entry);
        }
        flatten(&entry.children, depth, out);
    }
}

/// Lower-case roman numerals for front-matter folios.
fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn roman_numerals() {
        assert_eq!(super::roman(4), "iv");
        assert_eq!(super::roman(14), "xiv");
    }

    #[test]
    fn folios_are_written_in_the_folio_characters() {
        let allowed = |label: String| {
            label
                .chars()
                .all(|c| super::super::FOLIO_CHARACTERS.contains(c))
        };
        assert!((1..4000).all(|n| allowed(super::roman(n)) && allowed(n.to_string())));
    }
}
