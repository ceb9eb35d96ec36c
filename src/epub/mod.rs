//! EPUB 3 output: our own package, navigation and content templates in a zip container.
//!
//! We write the container ourselves (not with epub-builder) because its fixed templates fail
//! EPUBCheck and Ace and cannot be changed through its API. The EPUB is written from the
//! document tree alone; print page breaks, when known, arrive as data in [`EpubOptions`].

mod container;
mod faces;
pub(crate) mod images;
pub(crate) mod package;
pub mod xhtml;

use crate::document::Document;
use crate::fonts::FontFace;
use crate::style::Style;
use container::Container;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// Where a page of the print edition begins, for the page-list and page-break markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBreak {
    /// Page label, e.g. `5`.
    pub label: String,
    pub chapter: usize,
    /// Top-level block of the chapter; `usize::MAX` for a page starting after its last block.
    pub block: usize,
    /// Characters of the block's text before the page starts (0: the block starts the page).
    pub offset: usize,
}

/// The print edition the page breaks come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintEdition {
    /// Names the edition in `dc:source`, e.g. "Print edition (PDF, A5), 24 pages".
    pub source: String,
    pub breaks: Vec<PageBreak>,
}

#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    pub print: Option<PrintEdition>,
    /// The generated cover, when the manuscript has no cover file.
    pub cover: Option<CoverImage>,
}

/// A generated cover as the EPUB's cover image: a JPEG.
#[derive(Debug, Clone)]
pub struct CoverImage {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// What the cover says.
    pub alt: String,
}

/// Writes the whole EPUB into memory, in `style`.
pub fn write(doc: &Document, style: &Style, options: &EpubOptions) -> Result<Vec<u8>, String> {
    build(doc, style, options).map_err(|e| format!("cannot write EPUB: {e}"))
}

fn build(doc: &Document, style: &Style, options: &EpubOptions) -> Result<Vec<u8>, String> {
    let meta = &doc.meta;
    let files = package::Files::of(doc, style, options);
    let embedded: Vec<(FontFace, String)> = files
        .fonts
        .iter()
        .map(|f| (*f, format!("fonts/{}", f.file)))
        .collect();
    // Every text file first, so that the fonts can be cut down to the characters they show.
    let mut texts: Vec<(String, String)> = vec![
        (
            "EPUB/package.opf".into(),
            package::opf(doc, &files, options),
        ),
        ("EPUB/nav.xhtml".into(), package::nav(doc, &files, options)),
        ("EPUB/toc.ncx".into(), package::ncx(doc)),
        (
            "EPUB/style.css".into(),
            crate::style::stylesheet(style, &embedded),
        ),
    ];
    if let Some(cover) = &files.cover {
        texts.push(("EPUB/cover.xhtml".into(), xhtml::cover_page(meta, cover)));
    }
    texts.push(("EPUB/title.xhtml".into(), xhtml::title_page(meta)));
    if let Some(back) = &meta.back_cover {
        texts.push(("EPUB/back.xhtml".into(), xhtml::back_cover(meta, back)));
    }
    let breaks = options
        .print
        .as_ref()
        .map(|p| p.breaks.as_slice())
        .unwrap_or(&[]);
    let numbers = crate::style::heading_numbers(doc, style);
    for (i, chapter) in doc.chapters.iter().enumerate() {
        let from = breaks.partition_point(|b| b.chapter < i);
        let to = breaks.partition_point(|b| b.chapter <= i);
        texts.push((
            format!("EPUB/{}", xhtml::chapter_file(chapter)),
            xhtml::chapter(doc, i, &breaks[from..to], &numbers),
        ));
    }
    let source = options.print.as_ref().map(|p| p.source.as_str());
    texts.push(("EPUB/colophon.xhtml".into(), xhtml::colophon(meta, source)));
    let shown = characters(texts.iter().map(|(_, text)| text.as_str()));
    // The stylesheet sets lines (the publisher's) in small capitals of the regular face.
    let small_caps = texts
        .iter()
        .any(|(path, css)| path.ends_with(".css") && css.contains("small-caps"));
    // Scaling photographs down and cutting fonts down are the slow parts: side by side.
    let (images, fonts) = rayon::join(
        || {
            doc.assets
                .par_iter()
                .map(images::for_ebook)
                .collect::<Vec<_>>()
        },
        || {
            files
                .fonts
                .par_iter()
                .map(|face| {
                    let regular = style.faces.main.first() == Some(face);
                    crate::fonts::subset(face, &shown, small_caps && regular)
                        .map_err(|e| format!("cannot subset the font {}: {e}", face.file))
                })
                .collect::<Result<Vec<_>, String>>()
        },
    );
    let fonts = fonts?;
    let zipped = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = Container::new(meta.modified)?;
        for (path, text) in &texts {
            zip.add(path, text.as_bytes(), true)?;
        }
        for (asset, data) in doc.assets.iter().zip(&images) {
            // Images are compressed already; deflating them again only costs time.
            zip.add(&format!("EPUB/images/{}", asset.name), data, false)?;
        }
        for (face, data) in files.fonts.iter().zip(&fonts) {
            zip.add(&format!("EPUB/fonts/{}", face.file), data, true)?;
        }
        if let (Some(generated), Some(cover)) = (&options.cover, &files.cover) {
            zip.add(
                &format!("EPUB/images/{}", cover.name),
                &generated.jpeg,
                false,
            )?;
        }
        zip.finish()
    };
    zipped().map_err(|e| e.to_string())
}

/// The characters that markup and stylesheet text can show: every character in it (markup
/// included, a few more than needed) and those written as numeric character references.
pub(crate) fn characters<'a>(texts: impl Iterator<Item = &'a str>) -> BTreeSet<char> {
    let mut shown = BTreeSet::new();
    for text in texts {
        shown.extend(text.chars());
        for reference in text.split("&#").skip(1) {
            let Some((number, _)) = reference.split_once(';') else {
                continue;
            };
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => number.parse(),
            };
            shown.extend(code.ok().and_then(char::from_u32));
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_include_references() {
        let shown = super::characters(["<p>a&#233;&#x2014;&amp;</p>"].into_iter());
        assert!(['a', 'é', '—', '&', 'p'].iter().all(|c| shown.contains(c)));
    }
}
