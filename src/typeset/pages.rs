//! The stream of rows is cut into pages.
//!
//! Each page is filled row by row. When a row does not fit, the page ends at the last place
//! where a break is allowed (see [`Row::break_before`]), which keeps two lines of a paragraph
//! on each side of a page break and a heading with the text under it. Figures that do not fit
//! wait at the top of the next page while the text goes on; footnotes take cells from the
//! bottom of the page that cites them.

use super::flow::{line_items, NoteBlock, Row, RowKind, Stream};
use super::geometry::Geometry;
use super::paragraph::{self, Align, ParagraphStyle};
use super::shape::FontStyle;
use super::{Context, Destination, Item, LineItem, Page, PagePosition};
use crate::document::Document;
use crate::style::Style;
use std::collections::HashMap;

/// The body pages, numbered from 1.
pub struct BodyPages {
    pub pages: Vec<Page>,
    /// Page indices count from the first body page.
    pub destinations: Vec<Destination>,
}

/// What one attempt at filling a page placed.
#[derive(Default)]
struct Fill {
    /// Row index and the cell it starts at.
    placed: Vec<(usize, usize)>,
    /// Floats left for the next page.
    deferred: Vec<usize>,
    notes: Vec<(usize, usize)>,
    /// Next row for the next page.
    next: usize,
    /// The row that did not fit, if the page ended for lack of room.
    overflow: Option<usize>,
    /// The page opens a chapter (no running head).
    opening: bool,
    /// The first and last section titles that begin on the page.
    first_section: Option<String>,
    last_section: Option<String>,
    /// Grid cells the page holds: one more or fewer than the grid's where its spread runs
    /// long or short.
    lines: usize,
}

pub fn paginate(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    g: &Geometry,
    stream: Stream,
) -> BodyPages {
    let Stream { mut rows, notes } = stream;
    let mut pages = Vec::new();
    let mut destinations = Vec::new();
    let mut section = doc.meta.title.clone();
    for mut fill in plan(&rows, &notes, g) {
        // The head names the first section that begins on the page, else the one running on.
        let head = fill
            .first_section
            .clone()
            .unwrap_or_else(|| section.clone());
        if let Some(last) = fill.last_section.take() {
            section = last;
        }
        let index = pages.len();
        pages.push(compose(
            cx,
            doc,
            style,
            g,
            &mut rows,
            &notes,
            &fill,
            index,
            &head,
            &mut destinations,
        ));
    }
    BodyPages {
        pages,
        destinations,
    }
}

/// How many pages the stream fills, without composing them: what the copyfitter compares.
pub fn count(stream: &Stream, g: &Geometry) -> usize {
    plan(&stream.rows, &stream.notes, g).len()
}

/// Which rows go on which page. The first body page is a recto on its own; after it, pages
/// are planned two at a time, as the reader sees them, so that a spread ends on one baseline.
fn plan(rows: &[Row], notes: &HashMap<(usize, usize), NoteBlock>, g: &Geometry) -> Vec<Fill> {
    let mut fills: Vec<Fill> = Vec::new();
    let mut next = 0;
    let mut pending: Vec<usize> = Vec::new();
    // Where the last spread began (its first fill, row and floats), to set it another way when
    // the spread after it cannot be balanced.
    let mut last_spread: Option<(usize, usize, Vec<usize>)> = None;
    while next < rows.len() || !pending.is_empty() {
        let pages = if fills.len() % 2 == 1 {
            let options = spreads(rows, notes, g, next, &pending);
            match options.iter().position(|o| o.balanced) {
                Some(k) => {
                    last_spread = Some((fills.len(), next, pending.clone()));
                    options.into_iter().nth(k).expect("found").fills
                }
                None => match last_spread
                    .take()
                    .and_then(|(at, n, p)| rebalance(rows, notes, g, n, &p).map(|f| (at, f)))
                {
                    Some((at, both)) => {
                        fills.truncate(at);
                        both
                    }
                    None => options.into_iter().next().expect("one option").fills,
                },
            }
        } else {
            vec![next_page(rows, notes, g, next, &pending, g.lines)]
        };
        for fill in pages {
            next = fill.next;
            pending = fill.deferred.clone();
            fills.push(fill);
        }
    }
    fills
}

/// A spread set another way so that the one after it balances too: both spreads' pages, or
/// `None` when no way of setting the first balances the second.
fn rebalance(
    rows: &[Row],
    notes: &HashMap<(usize, usize), NoteBlock>,
    g: &Geometry,
    next: usize,
    pending: &[usize],
) -> Option<Vec<Fill>> {
    for first in spreads(rows, notes, g, next, pending)
        .into_iter()
        .filter(|o| o.balanced)
    {
        let last = first.fills.last().expect("a spread has a page");
        if ends_chapter(rows, last) {
            continue;
        }
        let second = spreads(rows, notes, g, last.next, &last.deferred)
            .into_iter()
            .find(|o| o.balanced);
        if let Some(second) = second {
            let mut both = first.fills;
            both.extend(second.fills);
            return Some(both);
        }
    }
    None
}

/// One way of setting a spread.
struct Spread {
    /// The verso and the recto (only the verso where the text or its chapter ends there).
    fills: Vec<Fill>,
    /// Both pages end on one baseline, or a chapter ends in the spread.
    balanced: bool,
}

/// The ways of setting a verso and the recto facing it, in order of how little they change:
/// as the pages fall first. When widow and orphan rules end one page a line short, the other is
/// made a line short too, or both run a line long (into the foot margin, on the same grid), as a
/// book typesetter does; a spread where a chapter ends is left as it falls.
fn spreads(
    rows: &[Row],
    notes: &HashMap<(usize, usize), NoteBlock>,
    g: &Geometry,
    next: usize,
    pending: &[usize],
) -> Vec<Spread> {
    let l = g.lines;
    let tries = [
        (l, l),
        (l, l - 1),
        (l - 1, l),
        (l - 1, l - 1),
        (l + 1, l + 1),
        (l, l + 1),
        (l + 1, l),
    ];
    let mut options = Vec::new();
    for (verso_lines, recto_lines) in tries {
        let verso = next_page(rows, notes, g, next, pending, verso_lines);
        if ends_chapter(rows, &verso) {
            // The text or the chapter ends on the verso: nothing faces it to match.
            if verso_lines == l {
                return vec![Spread {
                    fills: vec![verso],
                    balanced: true,
                }];
            }
            continue;
        }
        let recto = next_page(rows, notes, g, verso.next, &verso.deferred, recto_lines);
        // A chapter's opening page keeps its folio at the foot clear: it never runs long.
        let too_long = (verso.opening && verso_lines > l) || (recto.opening && recto_lines > l);
        if too_long {
            continue;
        }
        let balanced = depth(rows, &verso) == depth(rows, &recto)
            || ends_chapter(rows, &recto)
            || recto.opening;
        options.push(Spread {
            fills: vec![verso, recto],
            balanced,
        });
    }
    options
}

/// The text, or its chapter, ends on this page.
fn ends_chapter(rows: &[Row], fill: &Fill) -> bool {
    fill.deferred.is_empty()
        && rows
            .get(fill.next)
            .is_none_or(|r| matches!(r.kind, RowKind::ChapterStart(_)))
}

/// Where the page's text ends, in grid cells: footnotes stand at the foot of the text block,
/// so a page with notes is as deep as it may be.
fn depth(rows: &[Row], fill: &Fill) -> usize {
    if !fill.notes.is_empty() {
        return fill.lines;
    }
    fill.placed
        .iter()
        .filter(|(r, _)| rows[*r].kind != RowKind::Space)
        .map(|&(r, cell)| cell + rows[r].cells)
        .max()
        .unwrap_or(0)
}

/// Fills one page from row `next`, ending it at the last allowed break when a row does not
/// fit.
fn next_page(
    rows: &[Row],
    notes: &HashMap<(usize, usize), NoteBlock>,
    g: &Geometry,
    next: usize,
    pending: &[usize],
    lines: usize,
) -> Fill {
    let mut fill = fill_page(rows, notes, g, next, pending, usize::MAX, lines);
    if let Some(overflow) = fill.overflow {
        let first = fill
            .placed
            .iter()
            .map(|p| p.0)
            .find(|&r| r >= next && rows[r].kind != RowKind::Float);
        let limit = (first.map_or(overflow, |f| f + 1)..=overflow)
            .rev()
            .find(|&r| rows[r].break_before && rows[r].kind != RowKind::Float);
        if let Some(limit) = limit.filter(|&l| l < overflow) {
            fill = fill_page(rows, notes, g, next, pending, limit, lines);
            fill.next = limit;
        }
    }
    if fill.placed.is_empty() && fill.next == next && fill.deferred == pending {
        // Nothing fits even on an empty page: place the row alone rather than loop.
        fill.placed.push((next, 0));
        fill.next = next + 1;
    }
    fill
}

/// The notes a page cites once `row` is on it, in order of first citation.
fn citing(cited: &[(usize, usize)], row: &Row) -> Vec<(usize, usize)> {
    let mut cited = cited.to_vec();
    for &n in &row.notes {
        if !cited.contains(&(row.chapter, n)) {
            cited.push((row.chapter, n));
        }
    }
    cited
}

fn note_cells(
    notes: &HashMap<(usize, usize), NoteBlock>,
    cited: &[(usize, usize)],
    g: &Geometry,
) -> usize {
    if cited.is_empty() {
        return 0;
    }
    let height: f32 = cited
        .iter()
        .filter_map(|key| notes.get(key))
        .map(|n| n.height + 2.0)
        .sum::<f32>()
        + g.leading * 0.6;
    (height / g.leading).ceil() as usize
}

fn fill_page(
    rows: &[Row],
    notes: &HashMap<(usize, usize), NoteBlock>,
    g: &Geometry,
    start: usize,
    pending: &[usize],
    limit: usize,
    lines: usize,
) -> Fill {
    let mut fill = Fill {
        next: start,
        lines,
        ..Fill::default()
    };
    let mut used = 0;
    for &f in pending {
        let cited = citing(&fill.notes, &rows[f]);
        let room = lines.saturating_sub(note_cells(notes, &cited, g));
        if fill.deferred.is_empty() && (used + rows[f].cells <= room || used == 0) {
            fill.placed.push((f, used));
            fill.notes = cited;
            used += rows[f].cells;
        } else {
            fill.deferred.push(f);
        }
    }
    let mut r = start;
    while r < rows.len() && r < limit {
        let row = &rows[r];
        match &row.kind {
            RowKind::ChapterStart(title) => {
                if !fill.placed.is_empty() || !fill.deferred.is_empty() {
                    break;
                }
                fill.opening = true;
                fill.first_section = Some(title.clone());
                fill.last_section = Some(title.clone());
            }
            RowKind::Space => {
                if used > 0 {
                    if used + row.cells > lines {
                        r += 1;
                        break;
                    }
                    fill.placed.push((r, used));
                    used += row.cells;
                }
            }
            RowKind::Float => {
                let cited = citing(&fill.notes, row);
                let room = lines.saturating_sub(note_cells(notes, &cited, g));
                if fill.deferred.is_empty() && used + row.cells <= room {
                    fill.placed.push((r, used));
                    fill.notes = cited;
                    used += row.cells;
                } else {
                    fill.deferred.push(r);
                }
            }
            RowKind::Content => {
                let cited = citing(&fill.notes, row);
                let room = lines.saturating_sub(note_cells(notes, &cited, g));
                if used + row.cells > room {
                    if used == 0 {
                        // Taller than a page: place it anyway.
                        fill.placed.push((r, used));
                        fill.notes = cited;
                        r += 1;
                    } else {
                        fill.overflow = Some(r);
                    }
                    break;
                }
                fill.placed.push((r, used));
                fill.notes = cited;
                used += row.cells;
                if let Some(title) = &row.section {
                    fill.first_section.get_or_insert_with(|| title.clone());
                    fill.last_section = Some(title.clone());
                }
            }
        }
        r += 1;
    }
    fill.next = r;
    fill
}

#[allow(clippy::too_many_arguments)]
fn compose(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    g: &Geometry,
    rows: &mut [Row],
    notes: &HashMap<(usize, usize), NoteBlock>,
    fill: &Fill,
    index: usize,
    section: &str,
    destinations: &mut Vec<Destination>,
) -> Page {
    let left = g.left(index);
    let mut items = Vec::new();
    let mut tagged = Vec::new();
    let mut start: Option<PagePosition> = None;
    for &(r, cell) in &fill.placed {
        let row = &mut rows[r];
        if row.kind == RowKind::Space {
            continue;
        }
        let top = g.cell_top(cell);
        let base = items.len();
        // Each row is placed once: its items move onto the page.
        items.extend(std::mem::take(&mut row.items).into_iter().map(|mut item| {
            translate(&mut item, left, top);
            item
        }));
        for (range, element) in &row.tags {
            tagged.push((base + range.start..base + range.end, *element));
        }
        for (id, y) in &row.anchors {
            destinations.push(Destination {
                chapter: row.chapter,
                id: id.clone(),
                page: index,
                y: top + y,
            });
        }
        if let Some(source) = row.source {
            start = Some(start.map_or(source, |s| s.min(source)));
        }
    }
    // Footnotes stand on the bottom of the text block, under a short rule.
    let height: f32 = fill
        .notes
        .iter()
        .filter_map(|k| notes.get(k))
        .map(|n| n.height + 2.0)
        .sum();
    if height > 0.0 {
        let mut y = g.cell_top(fill.lines) - height;
        // The rule above the notes starts where their lines do: at the right in a
        // right-to-left book.
        let rule = if g.rtl { left + g.measure * 0.75 } else { left };
        items.push(Item::Line(LineItem {
            from: (rule, y - 0.35 * g.leading),
            to: (rule + g.measure * 0.25, y - 0.35 * g.leading),
            thickness: 0.4,
        }));
        for key in &fill.notes {
            if let Some(note) = notes.get(key) {
                let base = items.len();
                items.extend(note.items.iter().map(|item| {
                    let mut item = item.clone();
                    translate(&mut item, left, y);
                    item
                }));
                tagged.push((base..items.len(), note.structure));
                y += note.height + 2.0;
            }
        }
    }
    let label = (index + 1).to_string();
    let opening = fill.opening || !style.running_heads;
    items.extend(furniture(cx, doc, g, index, &label, section, opening));
    Page {
        width: g.width,
        height: g.height,
        label,
        items,
        tagged,
        start,
    }
}

/// Running head with the folio at the outer edge; on chapter openings (and in styles without
/// running heads) only a centred folio at the foot.
fn furniture(
    cx: &mut Context,
    doc: &Document,
    g: &Geometry,
    index: usize,
    label: &str,
    section: &str,
    opening: bool,
) -> Vec<Item> {
    let left = g.left(index);
    let size = g.body_size * 0.8;
    let style = |italic: bool, measure: f32, align: Align| ParagraphStyle {
        size,
        font: FontStyle {
            italic,
            ..FontStyle::default()
        },
        measure,
        indent: 0.0,
        align,
        hyphenate: false,
        lang: doc.meta.lang.clone(),
        left_to_right: false,
    };
    let mut items = Vec::new();
    let folio = paragraph::set_text(cx, label, &style(false, g.measure, Align::Left));
    let Some(folio) = folio.first() else {
        return items;
    };
    // Lines are placed by their width from their left edge (`start` undoes the shift a
    // right-to-left line has to the end of its measure).
    if opening {
        let y = g.bottom() + 1.5 * g.leading;
        let x = left + (g.measure - folio.width) / 2.0 - folio.start;
        items.extend(line_items(folio, x, y));
        return items;
    }
    let y = g.top - 0.6 * g.leading;
    let recto = index.is_multiple_of(2);
    let head = if recto { section } else { &doc.meta.title };
    let room = g.measure - 4.0 * size;
    let head = paragraph::set_text(cx, head, &style(true, room, Align::Left));
    if let Some(line) = head.first() {
        let x = left + (g.measure - line.width) / 2.0 - line.start;
        items.extend(line_items(line, x, y));
    }
    // The folio at the fore-edge: the right on a recto, the left on a verso, mirrored in a
    // right-to-left book.
    let x = if recto != g.rtl {
        left + g.measure - folio.width
    } else {
        left
    };
    items.extend(line_items(folio, x - folio.start, y));
    items
}

/// Moves an item by (dx, dy).
pub(super) fn translate(item: &mut Item, dx: f32, dy: f32) {
    match item {
        Item::Text(run) => {
            run.x += dx;
            run.y += dy;
        }
        Item::Image(image) => {
            image.x += dx;
            image.y += dy;
        }
        Item::Line(line) => {
            line.from.0 += dx;
            line.from.1 += dy;
            line.to.0 += dx;
            line.to.1 += dy;
        }
        // The whole page, wherever the page is.
        Item::Cover(_) => {}
        Item::Link(link) => {
            link.x += dx;
            link.y += dy;
        }
        Item::Rect(rect) => {
            rect.x += dx;
            rect.y += dy;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::flow::may_break_before;

    fn paragraph(n: usize, block: usize) -> Vec<Row> {
        (0..n)
            .map(|k| Row {
                cells: 1,
                items: Vec::new(),
                tags: Vec::new(),
                section: None,
                anchors: Vec::new(),
                notes: Vec::new(),
                chapter: 0,
                source: Some(PagePosition {
                    chapter: 0,
                    block,
                    offset: k * 10,
                }),
                kind: RowKind::Content,
                break_before: may_break_before(k, n),
                figure: None,
            })
            .collect()
    }

    /// A row of `cells` cells of some kind.
    fn block(cells: usize, kind: RowKind, block: usize) -> Row {
        let mut row = paragraph(1, block).pop().unwrap();
        row.cells = cells;
        row.kind = kind;
        row
    }

    /// The rows each page takes, in the order placed, as the paginator fills them.
    fn pages(
        rows: &[Row],
        g: &Geometry,
        notes: &HashMap<(usize, usize), NoteBlock>,
    ) -> Vec<Vec<usize>> {
        plan(rows, notes, g)
            .iter()
            .map(|fill| fill.placed.iter().map(|p| p.0).collect())
            .collect()
    }

    /// How many rows each page takes.
    fn page_lengths(rows: &[Row], g: &Geometry) -> Vec<usize> {
        pages(rows, g, &HashMap::new())
            .iter()
            .map(Vec::len)
            .collect()
    }

    #[test]
    fn a_heading_goes_over_with_the_two_lines_after_it() {
        let g = Geometry::new(&crate::style::Style::default());
        let mut rows = paragraph(g.lines - 2, 0);
        let heading = rows.len();
        rows.push(block(1, RowKind::Content, 1));
        let mut after = paragraph(5, 2);
        // As the flow marks them: the two rows after a heading may not start a page.
        after[0].break_before = false;
        after[1].break_before = false;
        rows.extend(after);
        let pages = pages(&rows, &g, &HashMap::new());
        assert_eq!(pages[0].len(), g.lines - 2);
        assert_eq!(pages[1][0], heading);
    }

    #[test]
    fn a_figure_that_does_not_fit_waits_at_the_top_of_the_next_page() {
        let g = Geometry::new(&crate::style::Style::default());
        let mut rows = paragraph(g.lines - 5, 0);
        let figure = rows.len();
        rows.push(block(10, RowKind::Float, 1));
        rows.extend(paragraph(12, 2));
        let pages = pages(&rows, &g, &HashMap::new());
        // The text goes on below the first paragraph and fills the page; the figure opens the
        // next one.
        assert!(!pages[0].contains(&figure));
        assert_eq!(pages[0].len(), g.lines);
        assert_eq!(pages[1][0], figure);
    }

    #[test]
    fn a_footnote_stands_on_the_page_of_the_line_that_cites_it() {
        let g = Geometry::new(&crate::style::Style::default());
        let mut rows = paragraph(g.lines, 0);
        rows[g.lines - 3].notes = vec![0];
        let mut notes = HashMap::new();
        notes.insert(
            (0, 0),
            NoteBlock {
                items: Vec::new(),
                height: 3.0 * g.leading,
                structure: 0,
            },
        );
        // Without the note the page would hold all its lines; with it, the citing line and its
        // note go over together.
        let cited = g.lines - 3;
        let pages = pages(&rows, &g, &notes);
        assert!(!pages[0].contains(&cited));
        assert!(pages[1].contains(&cited));
        let second = next_page(&rows, &notes, &g, pages[0].len(), &[], g.lines);
        assert_eq!(second.notes, [(0, 0)]);
    }

    #[test]
    fn no_paragraph_leaves_a_single_line_on_either_side_of_a_break() {
        let g = Geometry::new(&crate::style::Style::default());
        let lines = g.lines;
        // The second paragraph would split with one line at the foot (orphan): it moves whole.
        let mut rows = paragraph(lines - 1, 0);
        rows.extend(paragraph(6, 1));
        assert_eq!(page_lengths(&rows, &g), [lines - 1, 6]);
        // A paragraph that would leave one line at the top of the next page (widow) gives a
        // second line to it.
        let mut rows = paragraph(lines - 4, 0);
        rows.extend(paragraph(5, 1));
        assert_eq!(page_lengths(&rows, &g), [lines - 1, 2]);
    }

    #[test]
    fn a_verso_a_line_short_gets_its_recto_a_line_short_too() {
        let g = Geometry::new(&crate::style::Style::default());
        let l = g.lines;
        // Page 1 (a recto alone) is full. On the verso, a four-line paragraph would leave one
        // line at the top of the recto, so the verso ends a line short; the recto follows it.
        let mut rows = paragraph(l, 0);
        rows.extend(paragraph(l - 3, 1));
        rows.extend(paragraph(4, 2));
        rows.extend(paragraph(2 * l, 3));
        let lengths = page_lengths(&rows, &g);
        assert_eq!(lengths[..3], [l, l - 1, l - 1]);
    }
}
