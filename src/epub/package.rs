//! The package document (OPF), the EPUB 3 navigation document and the EPUB 2 NCX.

use super::xhtml::{chapter_file, head, FOOT};
use super::EpubOptions;
use crate::date::civil;
use crate::document::{Block, Document, TocEntry};
use crate::fonts::FontFace;
use crate::locale::{label, Label};
use crate::style::{Family, Style};
use crate::text::esc;
use std::fmt::Write;

/// What the package contains besides the fixed files.
pub struct Files {
    /// The faces embedded, each once.
    pub fonts: Vec<FontFace>,
    pub has_images: bool,
    pub cover: Option<CoverFile>,
}

/// The cover image: the publisher's file (one of the assets) or the generated one.
pub struct CoverFile {
    /// File name under `images/`.
    pub name: String,
    pub width: u32,
    pub height: u32,
    /// The asset it is, when it is the publisher's file.
    pub asset: Option<usize>,
    pub alt: String,
}

impl Files {
    pub fn of(doc: &Document, style: &Style, options: &EpubOptions) -> Files {
        let mut fonts: Vec<FontFace> = Vec::new();
        if style.epub.embed_fonts {
            // Only the faces the text is set in (every face when that cannot be known).
            let used = super::faces::used(doc, style);
            let main = style
                .faces
                .main
                .iter()
                .filter(|f| used.as_ref().is_none_or(|u| u.main(f.bold, f.italic)));
            let sans = style.faces.sans.iter().filter(|f| match &used {
                Some(u) => u.sans(f.bold, f.italic),
                None => style.headings.family == Family::Sans,
            });
            for face in main.chain(sans) {
                // Reading systems do not read font collections: those faces are left to the
                // family names in the stylesheet.
                let collection = face.media_type == "font/collection";
                if !collection && !fonts.iter().any(|f| f.file == face.file) {
                    fonts.push(*face);
                }
            }
        }
        let cover = match (&options.cover, doc.meta.cover) {
            (Some(generated), _) => {
                // Named apart from every asset.
                let mut name = "cover.jpg".to_string();
                let mut n = 2;
                while doc.assets.iter().any(|a| a.name == name) {
                    name = format!("cover-{n}.jpg");
                    n += 1;
                }
                Some(CoverFile {
                    name,
                    width: generated.width,
                    height: generated.height,
                    asset: None,
                    alt: generated.alt.clone(),
                })
            }
            (None, Some(id)) => doc.assets.get(id).map(|a| CoverFile {
                name: a.name.clone(),
                // The ebook's copy, scaled down when the photograph is large.
                width: super::images::size(a).0,
                height: super::images::size(a).1,
                asset: Some(id),
                alt: format!(
                    "{}: {}",
                    label(&doc.meta.lang, Label::Cover),
                    doc.meta.title
                ),
            }),
            (None, None) => None,
        };
        Files {
            fonts,
            has_images: !doc.assets.is_empty() || cover.is_some(),
            cover,
        }
    }
}

fn iso8601(t: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `dc:date` must be a W3C date; anything else is left out of the package.
fn w3c_date(date: &str) -> Option<&str> {
    crate::document::date_is_w3c(date).then_some(date)
}

pub fn opf(doc: &Document, files: &Files, options: &EpubOptions) -> String {
    let m = &doc.meta;
    let mut o = String::with_capacity(8 * 1024);
    let _ = write!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{}\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n",
        esc(&m.lang)
    );
    let _ = writeln!(
        o,
        "<dc:identifier id=\"pub-id\">{}</dc:identifier>",
        esc(&m.identifier)
    );
    let _ = writeln!(o, "<dc:title id=\"title\">{}</dc:title>\n<meta refines=\"#title\" property=\"title-type\">main</meta>", esc(&m.title));
    if let Some(sub) = &m.subtitle {
        let _ = writeln!(o, "<dc:title id=\"subtitle\">{}</dc:title>\n<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>", esc(sub));
    }
    for (i, author) in m.authors.iter().enumerate() {
        let _ = writeln!(
            o,
            "<dc:creator id=\"creator-{n}\">{}</dc:creator>\n<meta refines=\"#creator-{n}\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            esc(author),
            n = i + 1
        );
    }
    let _ = writeln!(o, "<dc:language>{}</dc:language>", esc(&m.lang));
    if let Some(date) = m.date.as_deref().and_then(w3c_date) {
        let _ = writeln!(o, "<dc:date>{}</dc:date>", esc(date));
    }
    if let Some(p) = &m.publisher {
        let _ = writeln!(o, "<dc:publisher>{}</dc:publisher>", esc(p));
    }
    if let Some(r) = &m.rights {
        let _ = writeln!(o, "<dc:rights>{}</dc:rights>", esc(r));
    }
    if let Some(d) = &m.description {
        let _ = writeln!(o, "<dc:description>{}</dc:description>", esc(d));
    }
    for s in &m.subjects {
        let _ = writeln!(o, "<dc:subject>{}</dc:subject>", esc(s));
    }
    if let Some(print) = &options.print {
        let _ = writeln!(
            o,
            "<dc:source id=\"print-source\">{}</dc:source>\n<meta refines=\"#print-source\" property=\"source-of\">pagination</meta>",
            esc(&print.source)
        );
    }
    if let Some(c) = &m.collection {
        let _ = writeln!(
            o,
            "<meta property=\"belongs-to-collection\" id=\"collection\">{}</meta>\n<meta refines=\"#collection\" property=\"collection-type\">series</meta>",
            esc(&c.name)
        );
        if let Some(p) = &c.position {
            let _ = writeln!(
                o,
                "<meta refines=\"#collection\" property=\"group-position\">{}</meta>",
                esc(p)
            );
        }
    }
    let _ = writeln!(
        o,
        "<meta property=\"dcterms:modified\">{}</meta>",
        iso8601(m.modified)
    );
    if files.cover.is_some() {
        o.push_str("<meta name=\"cover\" content=\"cover-image\"/>\n");
    }
    accessibility(&mut o, doc, files, options);
    o.push_str("</metadata>\n<manifest>\n");
    o.push_str("<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n");
    o.push_str("<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n");
    o.push_str("<item id=\"style\" href=\"style.css\" media-type=\"text/css\"/>\n");
    if let Some(cover) = files.cover.as_ref().filter(|c| c.asset.is_none()) {
        let _ = writeln!(
            o,
            "<item id=\"cover-image\" href=\"images/{}\" media-type=\"image/jpeg\" properties=\"cover-image\"/>",
            esc(&cover.name)
        );
    }
    if files.cover.is_some() {
        o.push_str(
            "<item id=\"cover\" href=\"cover.xhtml\" media-type=\"application/xhtml+xml\"/>\n",
        );
    }
    o.push_str(
        "<item id=\"titlepage\" href=\"title.xhtml\" media-type=\"application/xhtml+xml\"/>\n",
    );
    for chapter in &doc.chapters {
        let _ = writeln!(
            o,
            "<item id=\"{}\" href=\"{}\" media-type=\"application/xhtml+xml\"/>",
            esc(&chapter.id),
            chapter_file(chapter)
        );
    }
    o.push_str(
        "<item id=\"colophon\" href=\"colophon.xhtml\" media-type=\"application/xhtml+xml\"/>\n",
    );
    if doc.meta.back_cover.is_some() {
        o.push_str(
            "<item id=\"back-cover\" href=\"back.xhtml\" media-type=\"application/xhtml+xml\"/>\n",
        );
    }
    for (i, asset) in doc.assets.iter().enumerate() {
        let (id, props) = if files.cover.as_ref().is_some_and(|c| c.asset == Some(i)) {
            ("cover-image".to_string(), " properties=\"cover-image\"")
        } else {
            (format!("img-{}", i + 1), "")
        };
        let _ = writeln!(
            o,
            "<item id=\"{id}\" href=\"images/{}\" media-type=\"{}\"{props}/>",
            esc(&asset.name),
            asset.media_type
        );
    }
    for (i, font) in files.fonts.iter().enumerate() {
        let _ = writeln!(
            o,
            "<item id=\"font-{}\" href=\"fonts/{}\" media-type=\"{}\"/>",
            i + 1,
            font.file,
            font.media_type
        );
    }
    // A right-to-left book turns its pages from right to left.
    o.push_str(if crate::lang::is_rtl(&m.lang) {
        "</manifest>\n<spine toc=\"ncx\" page-progression-direction=\"rtl\">\n"
    } else {
        "</manifest>\n<spine toc=\"ncx\">\n"
    });
    if files.cover.is_some() {
        o.push_str("<itemref idref=\"cover\" linear=\"no\"/>\n");
    }
    o.push_str("<itemref idref=\"titlepage\"/>\n<itemref idref=\"nav\"/>\n");
    for chapter in &doc.chapters {
        let _ = writeln!(o, "<itemref idref=\"{}\"/>", esc(&chapter.id));
    }
    o.push_str("<itemref idref=\"colophon\"/>\n");
    if doc.meta.back_cover.is_some() {
        o.push_str("<itemref idref=\"back-cover\"/>\n");
    }
    o.push_str("</spine>\n</package>\n");
    o
}

/// schema.org accessibility metadata (EPUB Accessibility 1.1), stated from what the book has.
fn accessibility(o: &mut String, doc: &Document, files: &Files, options: &EpubOptions) {
    let meta = |o: &mut String, property: &str, value: &str| {
        let _ = writeln!(o, "<meta property=\"{property}\">{}</meta>", esc(value));
    };
    meta(o, "schema:accessMode", "textual");
    if files.has_images {
        meta(o, "schema:accessMode", "visual");
    }
    meta(o, "schema:accessModeSufficient", "textual");
    for feature in [
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ] {
        meta(o, "schema:accessibilityFeature", feature);
    }
    if files.has_images {
        meta(o, "schema:accessibilityFeature", "alternativeText");
    }
    if options.print.is_some() {
        meta(o, "schema:accessibilityFeature", "printPageNumbers");
        meta(o, "schema:accessibilityFeature", "pageBreakMarkers");
        meta(o, "schema:accessibilityFeature", "pageNavigation");
    }
    meta(o, "schema:accessibilityHazard", "none");
    let mut summary = String::from(
        "This publication meets the EPUB Accessibility 1.1 and WCAG 2.1 Level AA requirements: it has a table of contents, headings that structure the text, a logical reading order and a declared language.",
    );
    if files.has_images {
        summary.push_str(" Every image has a text alternative.");
    }
    if options.print.is_some() {
        summary.push_str(" Page numbers of the print edition are marked and listed.");
    }
    let _ = doc;
    meta(o, "schema:accessibilitySummary", &summary);
    meta(
        o,
        "dcterms:conformsTo",
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    );
    meta(
        o,
        "a11y:certifiedBy",
        "roneo (automated checks: EPUBCheck, Ace by DAISY)",
    );
}

fn toc_list(o: &mut String, doc: &Document, entries: &[TocEntry]) {
    o.push_str("<ol>\n");
    for e in entries {
        let _ = write!(
            o,
            "<li><a href=\"{}#{}\">{}</a>",
            chapter_file(&doc.chapters[e.chapter]),
            esc(&e.id),
            esc(&e.title)
        );
        if !e.children.is_empty() {
            o.push('\n');
            toc_list(o, doc, &e.children);
        }
        o.push_str("</li>\n");
    }
    o.push_str("</ol>\n");
}

/// The first chapter that holds body text, for the landmarks' "start of content".
fn first_content(doc: &Document) -> Option<usize> {
    doc.chapters
        .iter()
        .position(|c| c.blocks.iter().any(|b| !matches!(b, Block::Rule)))
}

pub fn nav(doc: &Document, files: &Files, options: &EpubOptions) -> String {
    let m = &doc.meta;
    let lang = &m.lang;
    let mut o = head(lang, label(lang, Label::Contents), "nav");
    let _ = write!(
        o,
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\">{}</h1>\n",
        label(lang, Label::Contents)
    );
    if doc.toc.is_empty() {
        // Chapters without headings still need an entry each.
        o.push_str("<ol>\n");
        for c in &doc.chapters {
            let _ = writeln!(
                o,
                "<li><a href=\"{}\">{}</a></li>",
                chapter_file(c),
                esc(c.title.as_deref().unwrap_or(&m.title))
            );
        }
        o.push_str("</ol>\n");
    } else {
        toc_list(&mut o, doc, &doc.toc);
    }
    o.push_str("</nav>\n");
    let _ = write!(o, "<nav epub:type=\"landmarks\" id=\"landmarks\" aria-label=\"{}\" hidden=\"hidden\">\n<ol>\n", label(lang, Label::Landmarks));
    if files.cover.is_some() {
        let _ = writeln!(
            o,
            "<li><a epub:type=\"cover\" href=\"cover.xhtml\">{}</a></li>",
            label(lang, Label::Cover)
        );
    }
    let _ = writeln!(
        o,
        "<li><a epub:type=\"titlepage\" href=\"title.xhtml\">{}</a></li>",
        label(lang, Label::TitlePage)
    );
    let _ = writeln!(
        o,
        "<li><a epub:type=\"toc\" href=\"nav.xhtml#toc\">{}</a></li>",
        label(lang, Label::Contents)
    );
    if let Some(i) = first_content(doc) {
        let _ = writeln!(
            o,
            "<li><a epub:type=\"bodymatter\" href=\"{}\">{}</a></li>",
            chapter_file(&doc.chapters[i]),
            label(lang, Label::Start)
        );
    }
    let _ = writeln!(
        o,
        "<li><a epub:type=\"colophon\" href=\"colophon.xhtml\">{}</a></li>",
        label(lang, Label::Colophon)
    );
    o.push_str("</ol>\n</nav>\n");
    if let Some(print) = &options.print {
        let _ = write!(o, "<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" aria-label=\"{}\" hidden=\"hidden\">\n<ol>\n", label(lang, Label::Pages));
        for b in &print.breaks {
            let _ = writeln!(
                o,
                "<li><a href=\"{}#page-{1}\">{1}</a></li>",
                chapter_file(&doc.chapters[b.chapter]),
                esc(&b.label)
            );
        }
        o.push_str("</ol>\n</nav>\n");
    }
    o.push_str(FOOT);
    o
}

pub fn ncx(doc: &Document) -> String {
    let m = &doc.meta;
    let mut o = String::new();
    let _ = write!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"{}\"/>\n<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>{}</text></docTitle>\n<navMap>\n",
        esc(&m.lang),
        esc(&m.identifier),
        depth(&doc.toc).max(1),
        esc(&m.title)
    );
    let mut order = 0;
    if doc.toc.is_empty() {
        for c in &doc.chapters {
            order += 1;
            let _ = writeln!(
                o,
                "<navPoint id=\"nav-{order}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{}\"/></navPoint>",
                esc(c.title.as_deref().unwrap_or(&m.title)),
                chapter_file(c)
            );
        }
    } else {
        nav_points(&mut o, doc, &doc.toc, &mut order);
    }
    o.push_str("</navMap>\n</ncx>\n");
    o
}

fn depth(entries: &[TocEntry]) -> usize {
    entries
        .iter()
        .map(|e| 1 + depth(&e.children))
        .max()
        .unwrap_or(0)
}

fn nav_points(o: &mut String, doc: &Document, entries: &[TocEntry], order: &mut usize) {
    for e in entries {
        *order += 1;
        let _ = write!(
            o,
            "<navPoint id=\"nav-{0}\" playOrder=\"{0}\"><navLabel><text>{1}</text></navLabel><content src=\"{2}#{3}\"/>\n",
            order,
            esc(&e.title),
            chapter_file(&doc.chapters[e.chapter]),
            esc(&e.id)
        );
        nav_points(o, doc, &e.children, order);
        o.push_str("</navPoint>\n");
    }
}
