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
use container::{Container, Packing};
use rayon::prelude::*;
use std::collections::BTreeSet;
use zip::write::PreparedZipFile;

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

/// Writes the whole EPUB into memory, in `style`. `parts`, when given, are what
/// [`Parts::make`] made of the same document beforehand.
pub fn write(
    doc: &Document,
    style: &Style,
    options: &EpubOptions,
    parts: Option<Parts>,
) -> Result<Vec<u8>, String> {
    build(doc, style, options, parts).map_err(|e| format!("cannot write EPUB: {e}"))
}

/// The slow part of writing an EPUB, which the print edition does not change: the
/// photographs as the ebook carries them and the fonts cut down to the characters the text
/// shows. Made while the print edition is typeset (its page breaks are needed for the rest).
pub struct Parts {
    /// The photographs' entries of the container.
    images: Vec<PreparedZipFile>,
    /// The faces' entries, each face cut down to `shown` and compressed.
    fonts: Vec<(FontFace, PreparedZipFile)>,
    shown: BTreeSet<char>,
}

impl Parts {
    /// The parts of the EPUB of `doc`, before the print edition is known. `print` holds
    /// every character the print edition can add to the text (its description and page
    /// labels); `cover_alt`, the generated cover's alternative text.
    pub fn make(
        doc: &Document,
        style: &Style,
        print: &str,
        cover_alt: Option<&str>,
    ) -> Result<Parts, String> {
        let probe = EpubOptions {
            print: Some(PrintEdition {
                source: print.to_string(),
                breaks: Vec::new(),
            }),
            cover: cover_alt.map(|alt| CoverImage {
                jpeg: Vec::new(),
                width: 0,
                height: 0,
                alt: alt.to_string(),
            }),
        };
        let files = package::Files::of(doc, style, &probe);
        let texts = texts(doc, style, &files, &probe);
        let shown = characters(texts.iter().map(|(_, text)| text.as_str()));
        Parts::cut(doc, style, &files.fonts, &texts, shown)
    }

    /// The photographs scaled for the ebook and the `faces` cut down to `shown` (the
    /// characters of `texts`), each entry compressed as soon as it is made: the two side by
    /// side, as they are the slow part.
    fn cut(
        doc: &Document,
        style: &Style,
        faces: &[FontFace],
        texts: &[(String, String)],
        shown: BTreeSet<char>,
    ) -> Result<Parts, String> {
        let modified = doc.meta.modified;
        let (images, fonts) = rayon::join(
            || {
                doc.assets
                    .par_iter()
                    .map(|asset| {
                        // Images are compressed already; deflating them again only costs time.
                        let data = images::for_ebook(asset);
                        container::prepare(modified, &image_path(asset), &data, Packing::Stored)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| e.to_string())
            },
            || {
                let small_caps = small_caps(texts);
                faces
                    .par_iter()
                    .map(|face| {
                        let data = cut_font(style, face, &shown, small_caps)?;
                        let entry = container::prepare(
                            modified,
                            &font_path(face),
                            &data,
                            Packing::DeflatedFast,
                        );
                        Ok((*face, entry.map_err(|e| e.to_string())?))
                    })
                    .collect::<Result<Vec<_>, String>>()
            },
        );
        Ok(Parts {
            images: images?,
            fonts: fonts?,
            shown,
        })
    }
}

fn build(
    doc: &Document,
    style: &Style,
    options: &EpubOptions,
    parts: Option<Parts>,
) -> Result<Vec<u8>, String> {
    let meta = &doc.meta;
    let files = package::Files::of(doc, style, options);
    let texts = texts(doc, style, &files, options);
    let shown = characters(texts.iter().map(|(_, text)| text.as_str()));
    // Parts made beforehand serve when their fonts are the faces these texts are set in and
    // hold every character they show (a font with a few glyphs more is as good); else the
    // work is done again, never an EPUB with a glyph missing.
    let made = parts.filter(|p| {
        p.fonts
            .iter()
            .map(|(f, _)| f.file)
            .eq(files.fonts.iter().map(|f| f.file))
            && shown.is_subset(&p.shown)
    });
    let parts = match made {
        Some(parts) => parts,
        None => Parts::cut(doc, style, &files.fonts, &texts, shown)?,
    };
    let zipped = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = Container::new(meta.modified)?;
        for (path, text) in &texts {
            zip.add(path, text.as_bytes(), Packing::Deflated)?;
        }
        for entry in parts.images {
            zip.add_prepared(entry)?;
        }
        for (_, entry) in parts.fonts {
            zip.add_prepared(entry)?;
        }
        if let (Some(generated), Some(cover)) = (&options.cover, &files.cover) {
            zip.add(
                &format!("EPUB/images/{}", cover.name),
                &generated.jpeg,
                Packing::Stored,
            )?;
        }
        zip.finish()
    };
    zipped().map_err(|e| e.to_string())
}

fn image_path(asset: &crate::document::Asset) -> String {
    format!("EPUB/images/{}", asset.name)
}

fn font_path(face: &FontFace) -> String {
    format!("EPUB/fonts/{}", face.file)
}

/// Whether the stylesheet sets lines (the publisher's) in small capitals of the regular face.
fn small_caps(texts: &[(String, String)]) -> bool {
    texts
        .iter()
        .any(|(path, css)| path.ends_with(".css") && css.contains("small-caps"))
}

/// `face` cut down to the characters `shown` (with its small capitals when the regular face
/// sets them).
fn cut_font(
    style: &Style,
    face: &FontFace,
    shown: &BTreeSet<char>,
    small_caps: bool,
) -> Result<Vec<u8>, String> {
    let regular = style.faces.main.first() == Some(face);
    crate::fonts::subset(face, shown, small_caps && regular)
        .map_err(|e| format!("cannot subset the font {}: {e}", face.file))
}

/// Every text file of the package, in order, so that the fonts can be cut down to the
/// characters they show.
fn texts(
    doc: &Document,
    style: &Style,
    files: &package::Files,
    options: &EpubOptions,
) -> Vec<(String, String)> {
    let meta = &doc.meta;
    let embedded: Vec<(FontFace, String)> = files
        .fonts
        .iter()
        .map(|f| (*f, format!("fonts/{}", f.file)))
        .collect();
    let mut texts: Vec<(String, String)> = vec![
        ("EPUB/package.opf".into(), package::opf(doc, files, options)),
        ("EPUB/nav.xhtml".into(), package::nav(doc, files, options)),
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
    texts
}

/// The characters that markup and stylesheet text can show: every character in it (markup
/// included, a few more than needed) and those written as numeric character references.
pub(crate) fn characters<'a>(texts: impl Iterator<Item = &'a str>) -> BTreeSet<char> {
    // A bit for each character of the Basic Multilingual Plane: the set is asked of every
    // character of the book, and a tree costs a search for each.
    let mut plane = vec![0u64; 0x10000 / 64];
    let mut beyond = BTreeSet::new();
    let mut mark = |c: char| {
        let code = c as usize;
        if code < 0x10000 {
            plane[code / 64] |= 1 << (code % 64);
        } else {
            beyond.insert(c);
        }
    };
    for text in texts {
        text.chars().for_each(&mut mark);
        for reference in text.split("&#").skip(1) {
            let Some((number, _)) = reference.split_once(';') else {
                continue;
            };
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => number.parse(),
            };
            if let Some(c) = code.ok().and_then(char::from_u32) {
                mark(c);
            }
        }
    }
    let bmp = plane.iter().enumerate().flat_map(|(i, &bits)| {
        (0..64)
            .filter(move |b| bits & (1 << b) != 0)
            .filter_map(move |b| char::from_u32((i * 64 + b) as u32))
    });
    bmp.chain(beyond).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn characters_include_references() {
        let shown = super::characters(["<p>a&#233;&#x2014;&amp;</p>"].into_iter());
        assert!(['a', 'é', '—', '&', 'p'].iter().all(|c| shown.contains(c)));
    }

    #[test]
    fn characters_are_those_of_the_text_in_every_plane() {
        let text = "Allende \u{1F600} 毛泽东 عربي &#x1D11E; \u{FFFF}\u{10000}";
        let mut expected: std::collections::BTreeSet<char> = text.chars().collect();
        expected.insert('\u{1D11E}');
        assert_eq!(super::characters([text].into_iter()), expected);
    }
}
