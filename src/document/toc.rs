//! The table of contents, derived from the headings of every chapter.

use super::{Block, Chapter, Inline};

#[derive(Debug, Clone, PartialEq)]
pub struct TocEntry {
    pub level: u8,
    pub chapter: usize,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// Nests headings by level; a heading deeper than its predecessor becomes its child even when
/// levels are skipped, so the tree never has holes.
pub fn build(chapters: &[Chapter]) -> Vec<TocEntry> {
    let mut flat = Vec::new();
    for (index, chapter) in chapters.iter().enumerate() {
        for block in &chapter.blocks {
            if let Block::Heading(h) = block {
                if h.classes.iter().any(|c| c == "unlisted") {
                    continue;
                }
                flat.push(TocEntry {
                    level: h.level,
                    chapter: index,
                    id: h.id.clone(),
                    title: Inline::plain_text(&h.content),
                    children: Vec::new(),
                });
            }
        }
    }
    nest(&mut flat.into_iter().peekable(), 0)
}

fn nest(
    entries: &mut std::iter::Peekable<impl Iterator<Item = TocEntry>>,
    parent_level: u8,
) -> Vec<TocEntry> {
    let mut out: Vec<TocEntry> = Vec::new();
    while let Some(next) = entries.peek() {
        if next.level <= parent_level {
            break;
        }
        let mut entry = entries.next().unwrap();
        entry.children = nest(entries, entry.level);
        out.push(entry);
    }
    out
}
