//! The web edition: each manuscript as a static site of HTML5 pages (`<slug>/index.html`, one
//! page per chapter), written by the EPUB's own walk in its HTML dialect
//! ([`xhtml::Dialect::Html`]), with the EPUB's stylesheet, subset fonts and downscaled images.
//! Nothing is loaded from another host and nothing needs a script; the pages are a function of
//! the document alone, so two builds give the same bytes.

pub mod catalogue;

use crate::document::{Document, TocEntry};
use crate::epub::xhtml::{self, Dialect};
use crate::epub::{CoverImage, EpubOptions, PrintEdition};
use crate::fonts::FontFace;
use crate::locale::{label, Label};
use crate::style::Style;
use crate::text::esc;
pub use catalogue::Card;
use rayon::prelude::*;
use std::fmt::Write;

/// A site's files: each one's path inside the site's folder, and its bytes.
pub type SiteFiles = Vec<(String, Vec<u8>)>;

/// What the site carries besides the document.
#[derive(Debug, Clone, Default)]
pub struct SiteOptions {
    /// The print edition's page starts, for the `#page-N` anchors.
    pub print: Option<PrintEdition>,
    /// The generated cover, when the manuscript has no cover file.
    pub cover: Option<CoverImage>,
    /// The other editions built beside the site, offered for download.
    pub downloads: Vec<Download>,
}

/// An edition built beside the site: `../<file>` from its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// What the link says: `EPUB`, `PDF`.
    pub name: &'static str,
    /// The file's name in the output folder.
    pub file: String,
    pub media_type: &'static str,
}

/// The stylesheet rules of the web edition, after the ebook's: a measure for reading from a
/// phone to a desktop, the site's navigation, notes as pop-overs, and print.
const WEB_CSS: &str = include_str!("web.css");

/// A site's files, each with its path inside the site's folder, in a fixed order, and what
/// the catalogue says of it.
pub fn write(
    doc: &Document,
    style: &Style,
    options: &SiteOptions,
) -> Result<(SiteFiles, Card), String> {
    build(doc, style, options).map_err(|e| format!("cannot write the web edition: {e}"))
}

fn build(
    doc: &Document,
    style: &Style,
    options: &SiteOptions,
) -> Result<(SiteFiles, Card), String> {
    let epub_options = EpubOptions {
        print: options.print.clone(),
        cover: options.cover.clone(),
    };
    // The same fonts and cover as the EPUB's.
    let files = crate::epub::package::Files::of(doc, style, &epub_options);
    let embedded: Vec<(FontFace, String)> = files
        .fonts
        .iter()
        .map(|f| (*f, format!("fonts/{}", f.file)))
        .collect();
    let mut css = crate::style::stylesheet(style, &embedded);
    css.push_str(WEB_CSS);
    let site = Site {
        doc,
        options,
        cover: files.cover.as_ref(),
    };
    let breaks = options
        .print
        .as_ref()
        .map(|p| p.breaks.as_slice())
        .unwrap_or(&[]);
    let numbers = crate::style::heading_numbers(doc, style);
    let mut texts: Vec<(String, String)> = Vec::new();
    let chapter_breaks = |i: usize| {
        let from = breaks.partition_point(|b| b.chapter < i);
        let to = breaks.partition_point(|b| b.chapter <= i);
        &breaks[from..to]
    };
    if doc.chapters.len() == 1 {
        // The whole text on the first page, under its title page.
        let mut main = site.title_page();
        main.push_str(&xhtml::chapter_body(
            doc,
            0,
            chapter_breaks(0),
            &numbers,
            Dialect::Html,
        ));
        texts.push((
            "index.html".into(),
            site.page("index.html", &doc.meta.title, &main, None),
        ));
    } else {
        let mut main = site.title_page();
        main.push_str(&site.contents());
        texts.push((
            "index.html".into(),
            site.page("index.html", &doc.meta.title, &main, Some(0)),
        ));
        for i in 0..doc.chapters.len() {
            let file = xhtml::html_page(doc, i);
            let body = xhtml::chapter_body(doc, i, chapter_breaks(i), &numbers, Dialect::Html);
            let title = format!("{} · {}", xhtml::chapter_title(doc, i), doc.meta.title);
            texts.push((file.clone(), site.page(&file, &title, &body, Some(i + 1))));
        }
    }
    texts.push(("style.css".into(), css));
    let shown = crate::epub::characters(texts.iter().map(|(_, text)| text.as_str()));
    let small_caps = texts
        .iter()
        .any(|(path, css)| path.ends_with(".css") && css.contains("small-caps"));
    let (images, fonts) = rayon::join(
        || {
            doc.assets
                .par_iter()
                .map(|a| {
                    (
                        crate::epub::images::for_ebook(a),
                        crate::epub::images::small_copy(a),
                    )
                })
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
    let mut out: Vec<(String, Vec<u8>)> = texts
        .into_iter()
        .map(|(path, text)| (path, text.into_bytes()))
        .collect();
    for (asset, (data, small)) in doc.assets.iter().zip(images) {
        out.push((format!("images/{}", asset.name), data.into_owned()));
        if let (Some(small), Some((name, ..))) = (small, crate::epub::images::small(asset)) {
            out.push((format!("images/{name}"), small));
        }
    }
    if let (Some(generated), Some(cover)) = (&options.cover, &files.cover) {
        out.push((format!("images/{}", cover.name), generated.jpeg.clone()));
    }
    for (face, data) in files.fonts.iter().zip(fonts) {
        out.push((format!("fonts/{}", face.file), data));
    }
    let m = &doc.meta;
    let card = Card {
        slug: m.slug.clone(),
        title: m.title.clone(),
        subtitle: m.subtitle.clone(),
        authors: m.authors.clone(),
        lang: m.lang.clone(),
        date: m.date.clone(),
        description: m.description.clone(),
        publisher: m.publisher.clone(),
        identifier: m.identifier.clone(),
        modified: m.modified,
        base_url: m.base_url.clone(),
        cover: files
            .cover
            .as_ref()
            .map(|c| (c.name.clone(), c.width, c.height, c.alt.clone())),
        downloads: options
            .downloads
            .iter()
            .map(|d| (d.name.to_string(), d.file.clone()))
            .collect(),
    };
    Ok((out, card))
}

/// What every page of one site shares.
struct Site<'a> {
    doc: &'a Document,
    options: &'a SiteOptions,
    cover: Option<&'a crate::epub::package::CoverFile>,
}

impl Site<'_> {
    /// The absolute address of `file` in this site, when `base-url` is set.
    fn url(&self, file: &str) -> Option<String> {
        let base = url::Url::parse(self.doc.meta.base_url.as_deref()?).ok()?;
        let base = if base.path().ends_with('/') {
            base
        } else {
            // `https://x.org/books` is the folder `books/`, not a file in `/`.
            url::Url::parse(&format!("{base}/")).ok()?
        };
        let page = if file == "index.html" { "" } else { file };
        let slug = &self.doc.meta.slug;
        base.join(&format!("{slug}/{page}")).ok().map(String::from)
    }

    /// What the search engines and link previews show of the publication.
    fn description(&self) -> String {
        let m = &self.doc.meta;
        m.description
            .clone()
            .or_else(|| m.subtitle.clone())
            .unwrap_or_else(|| match m.authors.is_empty() {
                true => m.title.clone(),
                false => format!(
                    "{}, {} {}",
                    m.title,
                    label(&m.lang, Label::By),
                    m.authors.join(", ")
                ),
            })
    }

    /// A whole page: `main` is its text; `position` is its place in the reading order (0 the
    /// title page, `i + 1` chapter `i`) when there are several pages, for the previous and
    /// next links.
    fn page(&self, file: &str, title: &str, main: &str, position: Option<usize>) -> String {
        let m = &self.doc.meta;
        let lang = &m.lang;
        let dir = if crate::lang::is_rtl(lang) {
            " dir=\"rtl\""
        } else {
            ""
        };
        let mut o = String::with_capacity(main.len() + 4096);
        let _ = write!(
            o,
            "<!DOCTYPE html>\n<html lang=\"{}\"{dir}>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n",
            esc(lang),
            esc(title)
        );
        let description = esc(&self.description());
        let _ = writeln!(o, "<meta name=\"description\" content=\"{description}\">");
        if !m.authors.is_empty() {
            let _ = writeln!(
                o,
                "<meta name=\"author\" content=\"{}\">",
                esc(&m.authors.join(", "))
            );
        }
        let url = self.url(file);
        if let Some(url) = &url {
            let _ = writeln!(o, "<link rel=\"canonical\" href=\"{}\">", esc(url));
        }
        o.push_str("<link rel=\"stylesheet\" href=\"style.css\">\n");
        // Open Graph and Twitter cards: what a link to the page shows where it is shared.
        let kind = if self.doc.chapters.len() > 1 {
            "book"
        } else {
            "article"
        };
        let _ = writeln!(o, "<meta property=\"og:type\" content=\"{kind}\">");
        let _ = writeln!(o, "<meta property=\"og:title\" content=\"{}\">", esc(title));
        let _ = writeln!(
            o,
            "<meta property=\"og:description\" content=\"{description}\">"
        );
        let _ = writeln!(
            o,
            "<meta property=\"og:locale\" content=\"{}\">",
            esc(&lang.replace('-', "_"))
        );
        if let Some(p) = &m.publisher {
            let _ = writeln!(o, "<meta property=\"og:site_name\" content=\"{}\">", esc(p));
        }
        if let Some(url) = &url {
            let _ = writeln!(o, "<meta property=\"og:url\" content=\"{}\">", esc(url));
        }
        // Cards need the image's absolute address: only with `base-url`.
        let image = self
            .cover
            .and_then(|c| Some((c, self.url(&format!("images/{}", c.name))?)));
        if let Some((cover, address)) = &image {
            let _ = writeln!(
                o,
                "<meta property=\"og:image\" content=\"{0}\">\n<meta property=\"og:image:width\" content=\"{1}\">\n<meta property=\"og:image:height\" content=\"{2}\">\n<meta property=\"og:image:alt\" content=\"{3}\">\n<meta name=\"twitter:image\" content=\"{0}\">\n<meta name=\"twitter:image:alt\" content=\"{3}\">",
                esc(address),
                cover.width,
                cover.height,
                esc(&cover.alt)
            );
        }
        let card = if image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        };
        let _ = writeln!(
            o,
            "<meta name=\"twitter:card\" content=\"{card}\">\n<meta name=\"twitter:title\" content=\"{}\">\n<meta name=\"twitter:description\" content=\"{description}\">",
            esc(title)
        );
        if file == "index.html" {
            let _ = writeln!(
                o,
                "<script type=\"application/ld+json\">{}</script>",
                self.json_ld(url.as_deref(), image.as_ref().map(|(_, a)| a.as_str()))
            );
        }
        o.push_str("</head>\n<body>\n");
        if file != "index.html" {
            let _ = writeln!(
                o,
                "<header class=\"site-header\"><p><a href=\"index.html\">{}</a></p></header>",
                esc(&m.title)
            );
        }
        o.push_str("<main>\n");
        o.push_str(main);
        o.push_str("</main>\n");
        if let Some(at) = position {
            o.push_str(&self.pager(at));
        }
        o.push_str(&self.footer());
        o.push_str("</body>\n</html>\n");
        o
    }

    /// schema.org's description of the book or article, as JSON-LD.
    fn json_ld(&self, url: Option<&str>, image: Option<&str>) -> String {
        let m = &self.doc.meta;
        let mut ld = serde_json::Map::new();
        let mut set = |k: &str, v: serde_json::Value| {
            ld.insert(k.into(), v);
        };
        set("@context", "https://schema.org".into());
        let book = self.doc.chapters.len() > 1;
        set("@type", if book { "Book" } else { "Article" }.into());
        set(
            if book { "name" } else { "headline" },
            m.title.clone().into(),
        );
        if let Some(sub) = &m.subtitle {
            set("alternativeHeadline", sub.clone().into());
        }
        if !m.authors.is_empty() {
            let authors = m
                .authors
                .iter()
                .map(|a| serde_json::json!({"@type": "Person", "name": a}))
                .collect();
            set("author", serde_json::Value::Array(authors));
        }
        set("inLanguage", m.lang.clone().into());
        if let Some(d) = &m.date {
            set("datePublished", d.clone().into());
        }
        set("description", self.description().into());
        if let Some(p) = &m.publisher {
            set(
                "publisher",
                serde_json::json!({"@type": "Organization", "name": p}),
            );
        }
        if !m.subjects.is_empty() {
            set("keywords", m.subjects.join(", ").into());
        }
        if let Some(r) = &m.rights {
            set("copyrightNotice", r.clone().into());
        }
        if let Some(isbn) = m.identifier.strip_prefix("urn:isbn:") {
            set("isbn", isbn.into());
        }
        if let Some(url) = url {
            set("url", url.into());
        }
        if let Some(image) = image {
            set("image", image.into());
        }
        // `</` would end the script element early.
        serde_json::Value::Object(ld)
            .to_string()
            .replace("</", "<\\/")
    }

    /// Title, subtitle, authors, publisher, the cover and the description.
    fn title_page(&self) -> String {
        let m = &self.doc.meta;
        let mut o = format!(
            "<header class=\"titlepage\">\n<h1 class=\"title\">{}</h1>\n",
            esc(&m.title)
        );
        if let Some(sub) = &m.subtitle {
            let _ = writeln!(o, "<p class=\"subtitle\">{}</p>", esc(sub));
        }
        if !m.authors.is_empty() {
            let _ = writeln!(o, "<p class=\"author\">{}</p>", esc(&m.authors.join(", ")));
        }
        if let Some(p) = &m.publisher {
            let date = m
                .date
                .as_deref()
                .map(|d| format!(", {d}"))
                .unwrap_or_default();
            let _ = writeln!(o, "<p class=\"publisher\">{}{}</p>", esc(p), esc(&date));
        }
        o.push_str("</header>\n");
        // The cover beside the contents of a book; an article opens with its text.
        if let (Some(cover), true) = (self.cover, self.doc.chapters.len() > 1) {
            let _ = writeln!(
                o,
                "<p class=\"cover-image\"><img src=\"images/{}\" alt=\"{}\" width=\"{}\" height=\"{}\"></p>",
                esc(&cover.name),
                esc(&cover.alt),
                cover.width,
                cover.height
            );
        }
        if let (Some(d), true) = (&m.description, self.doc.chapters.len() > 1) {
            let _ = writeln!(o, "<p class=\"description\">{}</p>", esc(d));
        }
        o
    }

    /// The contents: the chapters and their sections, linked.
    fn contents(&self) -> String {
        let lang = &self.doc.meta.lang;
        let mut o = format!(
            "<nav class=\"toc\" role=\"doc-toc\" aria-labelledby=\"toc-title\">\n<h2 id=\"toc-title\">{}</h2>\n",
            label(lang, Label::Contents)
        );
        if self.doc.toc.is_empty() {
            o.push_str("<ol>\n");
            for i in 0..self.doc.chapters.len() {
                let _ = writeln!(
                    o,
                    "<li><a href=\"{}\">{}</a></li>",
                    xhtml::html_page(self.doc, i),
                    esc(&xhtml::chapter_title(self.doc, i))
                );
            }
            o.push_str("</ol>\n");
        } else {
            self.toc_list(&mut o, &self.doc.toc);
        }
        o.push_str("</nav>\n");
        o
    }

    fn toc_list(&self, o: &mut String, entries: &[TocEntry]) {
        o.push_str("<ol>\n");
        for e in entries {
            let page = xhtml::html_page(self.doc, e.chapter);
            let href = if e.id == self.doc.chapters[e.chapter].id {
                page
            } else {
                format!("{page}#{}", e.id)
            };
            let _ = write!(o, "<li><a href=\"{}\">{}</a>", esc(&href), esc(&e.title));
            if !e.children.is_empty() {
                o.push('\n');
                self.toc_list(o, &e.children);
            }
            o.push_str("</li>\n");
        }
        o.push_str("</ol>\n");
    }

    /// Links to the page before and after `at` in the reading order (0 the title page).
    fn pager(&self, at: usize) -> String {
        let lang = &self.doc.meta.lang;
        let page = |p: usize| match p {
            0 => ("index.html".to_string(), self.doc.meta.title.clone()),
            p => (
                xhtml::html_page(self.doc, p - 1),
                xhtml::chapter_title(self.doc, p - 1),
            ),
        };
        let mut o = format!(
            "<nav class=\"pager\" aria-label=\"{}\">\n",
            label(lang, Label::Chapters)
        );
        if at > 0 {
            let (file, title) = page(at - 1);
            let _ = writeln!(
                o,
                "<a rel=\"prev\" href=\"{}\"><span class=\"pager-label\">← {}</span> {}</a>",
                esc(&file),
                label(lang, Label::Previous),
                esc(&title)
            );
        }
        if at < self.doc.chapters.len() {
            let (file, title) = page(at + 1);
            let _ = writeln!(
                o,
                "<a rel=\"next\" href=\"{}\"><span class=\"pager-label\">{} →</span> {}</a>",
                esc(&file),
                label(lang, Label::Next),
                esc(&title)
            );
        }
        o.push_str("</nav>\n");
        o
    }

    /// The downloads and the colophon.
    fn footer(&self) -> String {
        let m = &self.doc.meta;
        let lang = &m.lang;
        let mut o = String::from("<footer class=\"colophon\">\n");
        if !self.options.downloads.is_empty() {
            let links: Vec<String> = self
                .options
                .downloads
                .iter()
                .map(|d| {
                    format!(
                        "<a href=\"../{}\" type=\"{}\" download>{}</a>",
                        esc(&d.file),
                        d.media_type,
                        d.name
                    )
                })
                .collect();
            let _ = writeln!(
                o,
                "<p class=\"downloads\">{}: {}</p>",
                label(lang, Label::Download),
                links.join(" · ")
            );
        }
        if let Some(r) = &m.rights {
            let _ = writeln!(o, "<p>{}</p>", esc(r));
        }
        if let Some(print) = &self.options.print {
            let _ = writeln!(o, "<p>{}</p>", esc(&print.source));
        }
        let _ = writeln!(
            o,
            "<p class=\"identifier\">{}: {}</p>",
            label(lang, Label::Identifier),
            esc(&m.identifier)
        );
        o.push_str("</footer>\n");
        o
    }
}

/// The editions among `formats` that a site offers for download: `<slug>.epub` and
/// `<slug>.pdf` beside its folder.
pub fn downloads(slug: &str, formats: &[crate::build::Format]) -> Vec<Download> {
    use crate::build::Format;
    [
        (Format::Epub, "EPUB", "application/epub+zip"),
        (Format::Pdf, "PDF", "application/pdf"),
    ]
    .into_iter()
    .filter(|(format, ..)| formats.contains(format))
    .map(|(format, name, media_type)| Download {
        name,
        file: format!("{slug}.{}", format.extension()),
        media_type,
    })
    .collect()
}
