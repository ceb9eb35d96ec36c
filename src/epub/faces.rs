//! Which faces the ebook's text is set in, so that only those are embedded: the stylesheet's
//! rules (generated from the style, `style::css`) applied to the document's structure. A book
//! with no bold italic should not carry a bold italic font.

use crate::document::{Block, Document, Inline};
use crate::style::{Family, Style};

/// Slant and weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Face {
    pub bold: bool,
    pub italic: bool,
}

/// The faces used, per family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Used {
    main: [bool; 4],
    sans: [bool; 4],
}

impl Used {
    pub fn main(&self, bold: bool, italic: bool) -> bool {
        self.main[index(bold, italic)]
    }

    pub fn sans(&self, bold: bool, italic: bool) -> bool {
        self.sans[index(bold, italic)]
    }

    fn mark(&mut self, family: Family, face: Face) {
        let set = match family {
            Family::Main => &mut self.main,
            Family::Sans => &mut self.sans,
        };
        set[index(face.bold, face.italic)] = true;
    }
}

fn index(bold: bool, italic: bool) -> usize {
    2 * usize::from(bold) + usize::from(italic)
}

/// The faces the ebook's pages use, or `None` when that cannot be known from the style (raw
/// HTML, or the project's own stylesheet, may set anything): then every face is embedded.
pub fn used(doc: &Document, style: &Style) -> Option<Used> {
    if style.epub.css.is_some() {
        return None;
    }
    let mut used = Used::default();
    let regular = Face {
        bold: false,
        italic: false,
    };
    // The body, the navigation, the title page's lines, the colophon's title (italic).
    used.mark(Family::Main, regular);
    used.mark(
        Family::Main,
        Face {
            italic: true,
            ..regular
        },
    );
    let headings = style.headings.family;
    let heading = |level: u8| {
        let l = style.headings.level(level);
        Face {
            bold: l.bold,
            italic: l.italic,
        }
    };
    // The title page's title is a first-level heading.
    used.mark(headings, heading(1));
    let mut walk = Walk {
        used: &mut used,
        raw: false,
    };
    for chapter in &doc.chapters {
        walk.blocks(&chapter.blocks, style);
        for note in &chapter.notes {
            walk.blocks(&note.blocks, style);
        }
    }
    (!walk.raw).then_some(used)
}

struct Walk<'a> {
    used: &'a mut Used,
    /// Raw HTML was met.
    raw: bool,
}

impl Walk<'_> {
    fn blocks(&mut self, blocks: &[Block], style: &Style) {
        let regular = Face {
            bold: false,
            italic: false,
        };
        for block in blocks {
            match block {
                Block::Heading(h) => {
                    let l = style.headings.level(h.level);
                    let face = Face {
                        bold: l.bold,
                        italic: l.italic,
                    };
                    self.inlines(&h.content, style.headings.family, face);
                }
                Block::Paragraph(inlines) => self.inlines(inlines, Family::Main, regular),
                Block::Figure(f) => {
                    if f.number.is_some() && style.caption.label_bold {
                        self.used.mark(
                            Family::Main,
                            Face {
                                bold: true,
                                ..regular
                            },
                        );
                    }
                    self.inlines(&f.caption, Family::Main, regular);
                }
                Block::Quote(blocks) => self.blocks(blocks, style),
                Block::List(list) => {
                    for item in &list.items {
                        self.blocks(&item.blocks, style);
                    }
                }
                Block::Table(t) => {
                    // Header cells are bold (the reading system's own rule for `th`).
                    let bold = Face {
                        bold: true,
                        ..regular
                    };
                    for cell in &t.head {
                        self.inlines(cell, Family::Main, bold);
                    }
                    for cell in t.rows.iter().flatten() {
                        self.inlines(cell, Family::Main, regular);
                    }
                }
                Block::Bibliography(b) => {
                    for entry in &b.entries {
                        self.inlines(&entry.content, Family::Main, regular);
                    }
                }
                Block::Html(_) => self.raw = true,
                Block::Code(_) | Block::Rule => {}
            }
        }
    }

    fn inlines(&mut self, inlines: &[Inline], family: Family, face: Face) {
        for inline in inlines {
            match inline {
                Inline::Text(t) if !t.trim().is_empty() => self.used.mark(family, face),
                Inline::Emphasis(c) => self.inlines(
                    c,
                    family,
                    Face {
                        italic: true,
                        ..face
                    },
                ),
                Inline::Strong(c) => self.inlines(c, family, Face { bold: true, ..face }),
                Inline::Strikethrough(c) | Inline::Superscript(c) | Inline::Subscript(c) => {
                    self.inlines(c, family, face)
                }
                Inline::Link { content, .. } | Inline::Lang { content, .. } => {
                    self.inlines(content, family, face)
                }
                // Note numbers are set in the body's face; code in the monospace one.
                Inline::NoteRef(_) => self.used.mark(family, face),
                Inline::Text(_) | Inline::Code(_) | Inline::Image { .. } | Inline::LineBreak => {}
            }
        }
    }
}
