//! Document tree → XHTML content documents (chapters, title page, colophon, cover).

use super::PageBreak;
use crate::document::{Block, Chapter, Document, Figure, HtmlNode, Inline, LinkTarget, Metadata};
use crate::locale::{label, Label};
use crate::style::HeadingNumbers;
use crate::text::esc;
use std::fmt::Write;

/// The file name of a chapter inside the package.
pub fn chapter_file(chapter: &Chapter) -> String {
    format!("{}.xhtml", chapter.id)
}

/// Which markup the walk writes: the EPUB's XHTML, or the web edition's HTML5 (no `epub:`
/// attributes, no `xml:lang`, void elements without a slash, other pages named `.html`, notes
/// that open as pop-overs where the browser has them, images below the first loaded lazily).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Epub,
    Html,
}

impl Dialect {
    /// How a void element ends.
    fn void(self) -> &'static str {
        match self {
            Dialect::Epub => "/>",
            Dialect::Html => ">",
        }
    }

    /// ` epub:type="…"` in the EPUB, nothing on the web.
    fn epub_type(self, kind: &str) -> String {
        match self {
            Dialect::Epub => format!(" epub:type=\"{kind}\""),
            Dialect::Html => String::new(),
        }
    }

    /// ` xml:lang="…"` beside `lang` in the EPUB (XHTML wants both), nothing on the web.
    fn xml_lang(self, lang: &str) -> String {
        match self {
            Dialect::Epub => format!(" xml:lang=\"{}\"", esc(lang)),
            Dialect::Html => String::new(),
        }
    }
}

/// The web page of chapter `index`: `index.html` for a one-chapter manuscript (the whole text
/// is the site's first page), else `<id>.html`.
pub fn html_page(doc: &Document, index: usize) -> String {
    if doc.chapters.len() == 1 {
        "index.html".into()
    } else {
        format!("{}.html", doc.chapters[index].id)
    }
}

/// Opening of every content document, up to and including `<body>`.
pub fn head(lang: &str, title: &str, body_class: &str) -> String {
    let dir = if crate::lang::is_rtl(lang) {
        " dir=\"rtl\""
    } else {
        ""
    };
    let lang = esc(lang);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\"{dir}>\n<head>\n<meta charset=\"UTF-8\"/>\n<title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body class=\"{body_class}\">\n",
        esc(title)
    )
}

pub const FOOT: &str = "</body>\n</html>\n";

/// Renders one chapter. `breaks` are the print page starts inside this chapter, in order.
pub fn chapter(
    doc: &Document,
    index: usize,
    breaks: &[PageBreak],
    numbers: &HeadingNumbers,
) -> String {
    let lang = doc.chapter_lang(&doc.chapters[index]);
    let mut out = head(lang, &chapter_title(doc, index), "chapter");
    out.push_str(&chapter_body(doc, index, breaks, numbers, Dialect::Epub));
    out.push_str(FOOT);
    out
}

/// What a chapter's page is called: its first heading, or the publication's title.
pub fn chapter_title(doc: &Document, index: usize) -> String {
    let chapter = &doc.chapters[index];
    // A lone chapter whose text begins before its first heading is the whole publication:
    // naming it after that heading would mislabel the opening.
    let opens_with_heading = matches!(chapter.blocks.first(), Some(Block::Heading(_)));
    chapter
        .title
        .clone()
        .filter(|_| opens_with_heading || doc.chapters.len() > 1)
        .unwrap_or_else(|| doc.meta.title.clone())
}

/// A chapter's text and its notes, in `dialect`: what goes inside `<body>`.
pub fn chapter_body(
    doc: &Document,
    index: usize,
    breaks: &[PageBreak],
    numbers: &HeadingNumbers,
    dialect: Dialect,
) -> String {
    let chapter = &doc.chapters[index];
    let lang = doc.chapter_lang(chapter);
    let title = chapter_title(doc, index);
    let mut w = ChapterWriter {
        doc,
        chapter: index,
        out: String::new(),
        breaks,
        next_break: 0,
        block: 0,
        offset: 0,
        note_refs: vec![0; chapter.notes.len()],
        numbers,
        dialect,
        images: 0,
    };
    let labelled = match chapter.blocks.first() {
        Some(Block::Heading(h)) => format!(" aria-labelledby=\"{}\"", esc(&h.id)),
        _ => format!(" aria-label=\"{}\"", esc(&title)),
    };
    let _ = writeln!(
        w.out,
        "<section id=\"{}\"{} role=\"doc-chapter\"{labelled}>",
        esc(&chapter.id),
        dialect.epub_type("chapter")
    );
    for (i, block) in chapter.blocks.iter().enumerate() {
        w.offset = 0;
        w.block = i;
        w.block_breaks(i, true);
        w.block(block);
        w.out.push('\n');
    }
    // Breaks past the last block (e.g. a page that starts with the chapter's notes).
    w.block_breaks(usize::MAX, false);
    w.block = usize::MAX;
    w.out.push_str("</section>\n");
    for note in &chapter.notes {
        // On the web a note is also a pop-over, which its reference's button opens where the
        // browser has them; the stylesheet keeps it in place among the notes otherwise.
        let popover = match dialect {
            Dialect::Epub => "",
            Dialect::Html => " popover",
        };
        let _ = writeln!(
            w.out,
            "<aside id=\"{}\"{}{popover} role=\"doc-footnote\" class=\"footnote\">",
            esc(&note.id),
            dialect.epub_type("footnote")
        );
        let back = backlink(lang, note);
        let mut first = true;
        for block in &note.blocks {
            if first {
                if let Block::Paragraph(inlines) = block {
                    w.out.push_str("<p>");
                    w.out.push_str(&back);
                    w.inlines(inlines);
                    w.out.push_str("</p>\n");
                    first = false;
                    continue;
                }
                let _ = writeln!(w.out, "<p>{back}</p>");
                first = false;
            }
            w.block(block);
        }
        if first {
            let _ = writeln!(w.out, "<p>{back}</p>");
        }
        w.out.push_str("</aside>\n");
    }
    // A note cited only from a note that is never cited (an `unused-footnote`, left out) has
    // no reference in the text to go back to: its number is not a link to nowhere.
    for (i, note) in chapter.notes.iter().enumerate() {
        if w.note_refs[i] == 0 {
            w.out = w
                .out
                .replace(&backlink(lang, note), &format!("{}. ", note.number));
        }
    }
    w.out
}

/// A note's number, a link back to its (first) reference.
fn backlink(lang: &str, note: &crate::document::Note) -> String {
    format!(
        "<a href=\"#ref-{}\" role=\"doc-backlink\" class=\"backlink\" title=\"{}\">{}.</a> ",
        esc(&note.id),
        label(lang, Label::BackToText),
        note.number
    )
}

struct ChapterWriter<'a> {
    doc: &'a Document,
    chapter: usize,
    out: String,
    breaks: &'a [PageBreak],
    next_break: usize,
    /// Index of the top-level block being written.
    block: usize,
    /// Characters of the current top-level block written so far, to place page breaks.
    offset: usize,
    /// How many references to each note were written (the first gets the backlink's id).
    note_refs: Vec<u32>,
    /// Section numbers, for styles that number headings.
    numbers: &'a HeadingNumbers,
    dialect: Dialect,
    /// Images written so far (on the web, those after the first load lazily).
    images: usize,
}

impl ChapterWriter<'_> {
    /// Writes the markers of breaks that fall at the start of block `block` (or, with
    /// `at_start` false, all remaining ones).
    fn block_breaks(&mut self, block: usize, at_start: bool) {
        while let Some(b) = self.breaks.get(self.next_break) {
            if at_start && !(b.block < block || (b.block == block && b.offset == 0)) {
                break;
            }
            self.page_marker(b.label.clone(), at_start);
            self.next_break += 1;
        }
    }

    fn page_marker(&mut self, label: String, block_level: bool) {
        let tag = if block_level { "div" } else { "span" };
        // On the web only an anchor, so that "p. 5" can be linked (`#page-5`): axe-core
        // forbids the EPUB's label there, and a reader of the site needs no page numbers.
        if self.dialect == Dialect::Html {
            let _ = write!(
                self.out,
                "<{tag} id=\"page-{}\" class=\"pagebreak\"></{tag}>",
                esc(&label)
            );
            return;
        }
        let _ = write!(
            self.out,
            "<{tag} id=\"page-{0}\"{1} role=\"doc-pagebreak\" aria-label=\"{0}\" class=\"pagebreak\"></{tag}>",
            esc(&label),
            self.dialect.epub_type("pagebreak")
        );
    }

    fn block(&mut self, block: &Block) {
        let out = &mut self.out;
        match block {
            Block::Heading(h) => {
                let level = h.level.clamp(1, 6);
                let class = if h.classes.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"{}\"", esc(&h.classes.join(" ")))
                };
                let _ = write!(out, "<h{level} id=\"{}\"{class}>", esc(&h.id));
                if let Some(number) = self.numbers.get(&(self.chapter, h.id.clone())) {
                    let _ = write!(self.out, "<span class=\"section-number\">{number}</span> ");
                }
                self.inlines(&h.content);
                let _ = write!(self.out, "</h{level}>");
            }
            Block::Paragraph(inlines) => {
                out.push_str("<p>");
                self.inlines(inlines);
                self.out.push_str("</p>");
            }
            Block::Figure(f) => self.figure(f),
            Block::Quote(blocks) => {
                out.push_str("<blockquote>\n");
                for b in blocks {
                    self.block(b);
                    self.out.push('\n');
                }
                self.out.push_str("</blockquote>");
            }
            Block::List(list) => {
                let tag = if list.start.is_some() { "ol" } else { "ul" };
                match list.start {
                    Some(n) if n != 1 => {
                        let _ = writeln!(out, "<ol start=\"{n}\">");
                    }
                    _ => {
                        let _ = writeln!(out, "<{tag}>");
                    }
                }
                for item in &list.items {
                    match item.checked {
                        Some(done) => {
                            let _ = write!(
                                self.out,
                                "<li class=\"task\"><span class=\"task-box\">{}</span> ",
                                if done { "☑" } else { "☐" }
                            );
                        }
                        None => self.out.push_str("<li>"),
                    }
                    for b in &item.blocks {
                        self.block(b);
                    }
                    self.out.push_str("</li>\n");
                }
                let _ = write!(self.out, "</{tag}>");
            }
            Block::Code(code) => {
                let class = code
                    .lang
                    .as_deref()
                    .map(|l| format!(" class=\"language-{}\"", esc(l)))
                    .unwrap_or_default();
                // A program reads left to right in a right-to-left book too (as in the PDF).
                let dir =
                    if crate::lang::is_rtl(self.doc.chapter_lang(&self.doc.chapters[self.chapter]))
                    {
                        " dir=\"ltr\""
                    } else {
                        ""
                    };
                let _ = write!(
                    out,
                    "<pre{dir}><code{class}>{}</code></pre>",
                    esc(code.text.trim_end_matches('\n'))
                );
                self.offset += code.text.chars().count();
            }
            Block::Table(t) => {
                // On a phone a wide table scrolls in its own box rather than the page.
                if self.dialect == Dialect::Html {
                    let _ = writeln!(
                        out,
                        "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">",
                        label(self.doc.chapter_lang(&self.doc.chapters[self.chapter]), Label::Table)
                    );
                }
                let out = &mut self.out;
                out.push_str("<table>\n");
                let align = |i: usize| match t.alignments.get(i) {
                    Some(crate::document::Alignment::Left) => " class=\"left\"",
                    Some(crate::document::Alignment::Center) => " class=\"center\"",
                    Some(crate::document::Alignment::Right) => " class=\"right\"",
                    _ => "",
                };
                if !t.head.is_empty() {
                    self.out.push_str("<thead><tr>");
                    for (i, cell) in t.head.iter().enumerate() {
                        let _ = write!(self.out, "<th scope=\"col\"{}>", align(i));
                        self.inlines(cell);
                        self.out.push_str("</th>");
                    }
                    self.out.push_str("</tr></thead>\n");
                }
                self.out.push_str("<tbody>\n");
                for row in &t.rows {
                    self.out.push_str("<tr>");
                    for (i, cell) in row.iter().enumerate() {
                        let _ = write!(self.out, "<td{}>", align(i));
                        self.inlines(cell);
                        self.out.push_str("</td>");
                    }
                    self.out.push_str("</tr>\n");
                }
                self.out.push_str("</tbody>\n</table>");
                if self.dialect == Dialect::Html {
                    self.out.push_str("\n</div>");
                }
            }
            Block::Rule => {
                let _ = write!(out, "<hr{}", self.dialect.void());
            }
            Block::Html(nodes) => html_nodes(out, nodes, self.dialect),
            Block::Bibliography(b) => {
                let id =
                    b.id.as_deref()
                        .map(|id| format!(" id=\"{}\"", esc(id)))
                        .unwrap_or_default();
                let _ = write!(
                    out,
                    "<section{id} class=\"references\" role=\"doc-bibliography\" aria-label=\"{}\">\n<ul>\n",
                    esc(&b.label)
                );
                // Each entry is a plain list item: DPUB-ARIA 1.1 deprecates `doc-biblioentry`
                // (Ace reports it), and a `doc-bibliography`'s list items are its entries.
                for entry in &b.entries {
                    let _ = write!(self.out, "<li id=\"{}\">", esc(&entry.id));
                    self.inlines(&entry.content);
                    self.out.push_str("</li>\n");
                }
                self.out.push_str("</ul>\n</section>");
            }
        }
    }

    fn figure(&mut self, f: &Figure) {
        let lang = self.doc.chapter_lang(&self.doc.chapters[self.chapter]);
        let asset = &self.doc.assets[f.asset];
        let (width, height) = super::images::size(asset);
        let lazy = self.lazy();
        // On the web a large photograph also has a narrower copy, which phones take.
        let srcset = match (self.dialect, super::images::small(asset)) {
            (Dialect::Html, Some((small, w, _))) => format!(
                " srcset=\"images/{} {w}w, images/{} {width}w\" sizes=\"(max-width: 42em) 100vw, 40em\"",
                esc(&small),
                esc(&asset.name)
            ),
            _ => String::new(),
        };
        let _ = write!(
            self.out,
            "<figure id=\"{}\">\n<img src=\"images/{}\"{srcset} alt=\"{}\" width=\"{}\" height=\"{}\"{lazy}{}\n",
            esc(&f.id),
            esc(&asset.name),
            esc(&f.alt),
            width,
            height,
            self.dialect.void()
        );
        if f.caption.is_empty() && f.credit.is_none() && f.number.is_none() {
            self.out.push_str("</figure>");
            return;
        }
        self.out.push_str("<figcaption>");
        if let Some(n) = f.number {
            let _ = write!(
                self.out,
                "<span class=\"figure-label\">{} {n}.</span> ",
                label(lang, Label::Figure)
            );
        }
        self.inlines(&f.caption);
        if let Some(credit) = &f.credit {
            if !f.caption.is_empty() {
                self.out.push(' ');
            }
            let _ = write!(self.out, "<span class=\"credit\">{}</span>", esc(credit));
        }
        self.out.push_str("</figcaption>\n</figure>");
    }

    /// ` loading="lazy"` for a web page's images after its first, which is likely on the
    /// first screen; nothing in the EPUB.
    fn lazy(&mut self) -> &'static str {
        self.images += 1;
        match self.dialect {
            Dialect::Html if self.images > 1 => " loading=\"lazy\"",
            _ => "",
        }
    }

    fn text(&mut self, text: &str) {
        let len = text.chars().count();
        let mut rest = text;
        let mut consumed = 0;
        // Place page markers that fall inside this run of text.
        while let Some(b) = self.breaks.get(self.next_break) {
            if b.block != self.block
                || b.offset < self.offset + consumed
                || b.offset >= self.offset + len
            {
                break;
            }
            let split_chars = b.offset - self.offset - consumed;
            let split = rest
                .char_indices()
                .nth(split_chars)
                .map_or(rest.len(), |(i, _)| i);
            self.out.push_str(&esc(&rest[..split]));
            rest = &rest[split..];
            consumed += split_chars;
            let label = b.label.clone();
            self.page_marker(label, false);
            self.next_break += 1;
        }
        self.out.push_str(&esc(rest));
        self.offset += len;
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match inline {
                Inline::Text(t) => self.text(t),
                Inline::Emphasis(c) => self.wrap("<em>", c, "</em>"),
                Inline::Strong(c) => self.wrap("<strong>", c, "</strong>"),
                Inline::Strikethrough(c) => self.wrap("<s>", c, "</s>"),
                Inline::Superscript(c) => self.wrap("<sup>", c, "</sup>"),
                Inline::Subscript(c) => self.wrap("<sub>", c, "</sub>"),
                Inline::Code(t) => {
                    self.out.push_str("<code>");
                    self.text(t);
                    self.out.push_str("</code>");
                }
                Inline::Link {
                    target,
                    title,
                    content,
                    biblioref,
                } => {
                    let href = match target {
                        LinkTarget::External(url) => url.clone(),
                        LinkTarget::Internal { chapter, id } if *chapter == self.chapter => {
                            format!("#{id}")
                        }
                        LinkTarget::Internal { chapter, id } => {
                            let target = &self.doc.chapters[*chapter];
                            let file = match self.dialect {
                                Dialect::Epub => chapter_file(target),
                                Dialect::Html => html_page(self.doc, *chapter),
                            };
                            if *id == target.id {
                                file
                            } else {
                                format!("{file}#{id}")
                            }
                        }
                    };
                    let title = title
                        .as_deref()
                        .map(|t| format!(" title=\"{}\"", esc(t)))
                        .unwrap_or_default();
                    let role = if *biblioref {
                        " role=\"doc-biblioref\""
                    } else {
                        ""
                    };
                    let open = format!("<a href=\"{}\"{title}{role}>", esc(&href));
                    self.wrap(&open, content, "</a>");
                }
                Inline::Image { asset, alt } => {
                    let asset = &self.doc.assets[*asset];
                    let lazy = self.lazy();
                    let _ = write!(
                        self.out,
                        "<img class=\"inline\" src=\"images/{}\" alt=\"{}\"{lazy}{}",
                        esc(&asset.name),
                        esc(alt),
                        self.dialect.void()
                    );
                }
                Inline::NoteRef(i) => {
                    let note = &self.doc.chapters[self.chapter].notes[*i];
                    self.note_refs[*i] += 1;
                    let id = match self.note_refs[*i] {
                        1 => format!("ref-{}", note.id),
                        n => format!("ref-{}-{n}", note.id),
                    };
                    match self.dialect {
                        Dialect::Epub => {
                            let _ = write!(
                                self.out,
                                "<sup><a id=\"{}\" href=\"#{}\" epub:type=\"noteref\" role=\"doc-noteref\">{}</a></sup>",
                                esc(&id),
                                esc(&note.id),
                                note.number
                            );
                        }
                        // A link down to the note, and a button that opens it as a pop-over:
                        // the stylesheet shows the button only where the browser has them.
                        Dialect::Html => {
                            let lang = self.doc.chapter_lang(&self.doc.chapters[self.chapter]);
                            let _ = write!(
                                self.out,
                                "<sup id=\"{0}\" class=\"noteref\"><a href=\"#{1}\" role=\"doc-noteref\">{2}</a><button type=\"button\" popovertarget=\"{1}\" aria-label=\"{3} {2}\">{2}</button></sup>",
                                esc(&id),
                                esc(&note.id),
                                note.number,
                                label(lang, Label::Note)
                            );
                        }
                    }
                }
                Inline::LineBreak => {
                    let _ = write!(self.out, "<br{}", self.dialect.void());
                }
                Inline::Lang { lang, content } => {
                    // A quotation in a right-to-left script is isolated as one (dir="rtl").
                    let dir = if crate::lang::is_rtl(lang) {
                        " dir=\"rtl\""
                    } else {
                        ""
                    };
                    let open = format!(
                        "<span lang=\"{}\"{}{dir}>",
                        esc(lang),
                        self.dialect.xml_lang(lang)
                    );
                    self.wrap(&open, content, "</span>");
                }
            }
        }
    }

    fn wrap(&mut self, open: &str, content: &[Inline], close: &str) {
        self.out.push_str(open);
        self.inlines(content);
        self.out.push_str(close);
    }
}

/// Serialises sanitised raw HTML as XHTML (or, on the web, HTML).
fn html_nodes(out: &mut String, nodes: &[HtmlNode], dialect: Dialect) {
    for node in nodes {
        match node {
            HtmlNode::Text(t) => out.push_str(&esc(t)),
            HtmlNode::Element(e) => {
                out.push('<');
                out.push_str(&e.name);
                for (k, v) in &e.attrs {
                    let _ = write!(out, " {k}=\"{}\"", esc(v));
                    if k == "lang" {
                        out.push_str(&dialect.xml_lang(v));
                    }
                }
                if e.is_void() {
                    out.push_str(dialect.void());
                } else {
                    out.push('>');
                    html_nodes(out, &e.children, dialect);
                    let _ = write!(out, "</{}>", e.name);
                }
            }
        }
    }
}

/// The title page: title, subtitle, authors, publisher.
pub fn title_page(meta: &Metadata) -> String {
    let mut out = head(&meta.lang, &meta.title, "titlepage");
    let _ = writeln!(
        out,
        "<section class=\"titlepage\" aria-label=\"{}\">",
        esc(label(&meta.lang, Label::TitlePage))
    );
    let _ = writeln!(out, "<h1 class=\"title\">{}</h1>", esc(&meta.title));
    if let Some(sub) = &meta.subtitle {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", esc(sub));
    }
    if !meta.authors.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"author\">{}</p>",
            esc(&meta.authors.join(", "))
        );
    }
    if let Some(p) = &meta.publisher {
        let _ = writeln!(out, "<p class=\"publisher\">{}</p>", esc(p));
    }
    out.push_str("</section>\n");
    out.push_str(FOOT);
    out
}

/// The colophon: rights, publisher, identifier, date.
/// The back cover's text as the ebook's last page (the print edition's barcode stays in print).
pub fn back_cover(meta: &Metadata, back: &crate::document::BackCover) -> String {
    let lang = &meta.lang;
    let name = label(lang, Label::BackCover);
    let mut out = head(lang, name, "back-cover");
    let _ = writeln!(
        out,
        "<section epub:type=\"backmatter\" aria-label=\"{}\">",
        esc(name)
    );
    if let Some(blurb) = &back.blurb {
        for paragraph in blurb.split("\n\n") {
            let _ = writeln!(out, "<p>{}</p>", esc(paragraph.trim()));
        }
    }
    if let Some(cta) = &back.call_to_action {
        let text = cta.text.as_deref().unwrap_or(cta.shown_url());
        let _ = writeln!(
            out,
            "<p class=\"call-to-action\"><a href=\"{}\">{}</a></p>",
            esc(&cta.url),
            esc(text)
        );
    }
    if let Some(p) = &meta.publisher {
        let _ = writeln!(out, "<p>{}</p>", esc(p));
    }
    if let Some(price) = &back.price {
        let _ = writeln!(out, "<p>{}</p>", esc(price));
    }
    if let Some(isbn) = &back.isbn {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            esc(&crate::manuscript::isbn::display(isbn))
        );
    }
    out.push_str("</section>\n");
    out.push_str(FOOT);
    out
}

pub fn colophon(meta: &Metadata, print_source: Option<&str>) -> String {
    let lang = &meta.lang;
    let mut out = head(lang, label(lang, Label::Colophon), "colophon");
    let _ = writeln!(
        out,
        "<section epub:type=\"colophon\" role=\"doc-colophon\" aria-label=\"{}\">",
        esc(label(lang, Label::Colophon))
    );
    let _ = writeln!(
        out,
        "<p class=\"colophon-title\"><em>{}</em></p>",
        esc(&meta.title)
    );
    if !meta.authors.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(&meta.authors.join(", ")));
    }
    if let Some(r) = &meta.rights {
        let _ = writeln!(out, "<p>{}</p>", esc(r));
    }
    if let Some(p) = &meta.publisher {
        let date = meta
            .date
            .as_deref()
            .map(|d| format!(", {d}"))
            .unwrap_or_default();
        let _ = writeln!(out, "<p>{}{}</p>", esc(p), esc(&date));
    } else if let Some(d) = &meta.date {
        let _ = writeln!(out, "<p>{}: {}</p>", label(lang, Label::Published), esc(d));
    }
    if let Some(source) = print_source {
        let _ = writeln!(out, "<p>{}</p>", esc(source));
    }
    let _ = writeln!(
        out,
        "<p class=\"identifier\">{}: {}</p>",
        label(lang, Label::Identifier),
        esc(&meta.identifier)
    );
    out.push_str("</section>\n");
    out.push_str(FOOT);
    out
}

/// The cover page: the cover image, full page, its words as its alternative text.
pub fn cover_page(meta: &Metadata, cover: &super::package::CoverFile) -> String {
    let mut out = head(&meta.lang, label(&meta.lang, Label::Cover), "cover");
    let _ = writeln!(
        out,
        "<div class=\"cover-image\"><img role=\"doc-cover\" src=\"images/{}\" alt=\"{}\" width=\"{}\" height=\"{}\"/></div>",
        esc(&cover.name),
        esc(&cover.alt),
        cover.width,
        cover.height
    );
    out.push_str(FOOT);
    out
}
