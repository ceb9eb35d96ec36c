//! EPUB 3 output: our own package, navigation and content templates in a zip container.
//!
//! We write the container ourselves (not with epub-builder) because its fixed templates fail
//! EPUBCheck and Ace and cannot be changed through its API. The EPUB is written from the
//! document tree alone; print page breaks, when known, arrive as data in [`EpubOptions`].

mod container;
mod images;
mod package;
pub mod xhtml;

use crate::document::Document;
use crate::fonts::FontFace;
use crate::style::Style;
use container::Container;
use rayon::prelude::*;

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

/// The shipped text faces (`fonts::BODY`, `fonts::SANS`), deflated at compile time by
/// `build.rs`.
const FONTS_ZIP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/epub-fonts.zip"));

/// Writes the whole EPUB into memory, in `style`.
pub fn write(doc: &Document, style: &Style, options: &EpubOptions) -> Result<Vec<u8>, String> {
    build(doc, style, options).map_err(|e| format!("cannot write EPUB: {e}"))
}

fn build(doc: &Document, style: &Style, options: &EpubOptions) -> zip::result::ZipResult<Vec<u8>> {
    let meta = &doc.meta;
    let mut zip = Container::new(meta.modified)?;
    let files = package::Files::of(doc, style, options);
    let embedded: Vec<(FontFace, String)> = files
        .fonts
        .iter()
        .map(|f| (*f, format!("fonts/{}", f.file)))
        .collect();
    let stylesheet = crate::style::stylesheet(style, &embedded);
    zip.add(
        "EPUB/package.opf",
        package::opf(doc, &files, options).as_bytes(),
        true,
    )?;
    zip.add(
        "EPUB/nav.xhtml",
        package::nav(doc, &files, options).as_bytes(),
        true,
    )?;
    zip.add("EPUB/toc.ncx", package::ncx(doc).as_bytes(), true)?;
    zip.add("EPUB/style.css", stylesheet.as_bytes(), true)?;
    if let Some(cover) = &files.cover {
        zip.add(
            "EPUB/cover.xhtml",
            xhtml::cover_page(meta, cover).as_bytes(),
            true,
        )?;
    }
    zip.add("EPUB/title.xhtml", xhtml::title_page(meta).as_bytes(), true)?;
    if let Some(back) = &meta.back_cover {
        zip.add(
            "EPUB/back.xhtml",
            xhtml::back_cover(meta, back).as_bytes(),
            true,
        )?;
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
        zip.add(
            &format!("EPUB/{}", xhtml::chapter_file(chapter)),
            xhtml::chapter(doc, i, &breaks[from..to], &numbers).as_bytes(),
            true,
        )?;
    }
    let source = options.print.as_ref().map(|p| p.source.as_str());
    zip.add(
        "EPUB/colophon.xhtml",
        xhtml::colophon(meta, source).as_bytes(),
        true,
    )?;
    // Scaling photographs down is the slow part of an ebook with large ones: side by side.
    let images: Vec<_> = doc.assets.par_iter().map(images::for_ebook).collect();
    for (asset, data) in doc.assets.iter().zip(&images) {
        // Images are compressed already; deflating them again only costs time.
        zip.add(&format!("EPUB/images/{}", asset.name), data, false)?;
    }
    let shipped: Vec<String> = files
        .fonts
        .iter()
        .filter(|f| f.bundled)
        .map(|f| format!("EPUB/fonts/{}", f.file))
        .collect();
    zip.add_compressed(FONTS_ZIP, &shipped)?;
    for font in files.fonts.iter().filter(|f| !f.bundled) {
        zip.add(&format!("EPUB/fonts/{}", font.file), font.data, true)?;
    }
    if let (Some(generated), Some(cover)) = (&options.cover, &files.cover) {
        zip.add(
            &format!("EPUB/images/{}", cover.name),
            &generated.jpeg,
            false,
        )?;
    }
    zip.finish()
}

#[cfg(test)]
mod tests {
    /// `build.rs` compresses the shipped text faces: the two lists must agree.
    #[test]
    fn compressed_fonts_are_the_body_fonts() {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(super::FONTS_ZIP)).unwrap();
        let mut names: Vec<String> = archive
            .file_names()
            .map(|n| n.unwrap().to_string())
            .collect();
        names.sort();
        let mut expected: Vec<String> = crate::fonts::BODY
            .iter()
            .chain(crate::fonts::SANS.iter())
            .map(|f| format!("EPUB/fonts/{}", f.file))
            .collect();
        expected.sort();
        assert_eq!(names, expected);
    }
}
