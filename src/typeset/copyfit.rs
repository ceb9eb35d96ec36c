//! Copyfitting: a pamphlet is paid for by the sheet, so its print edition is brought to a
//! whole number of sheets (a multiple of 4 pages, or the count `pages:` asks) with no blank
//! page, by bounded adjustments tried in order of how little a reader notices them: first how
//! the front matter is arranged (the title on the cover alone, no contents page, the colophon
//! on the inside back cover), then the figures' heights, a step at a time down to a floor, then
//! the space around headings (a grid line less before a chapter's sections, or one more), and
//! last the text block a line longer or shorter.
//!
//! Only page counts are compared, from the page builder's plan; the pages are composed once
//! more only when the body changes.

use super::flow::{self, RowKind, Stream};
use super::front::{self, FrontPlan};
use super::geometry::Geometry;
use super::pages::{self, BodyPages};
use super::Context;
use crate::document::Document;
use crate::style::{FrontPage, PageCount, Style};

/// Figures shrink in steps of this much of their height.
const FIGURE_STEP: f32 = 0.05;
/// A contents page helps with at least this many entries and this many pages of text.
const CONTENTS_ENTRIES: usize = 3;
const CONTENTS_BODY_PAGES: usize = 4;

/// What the copyfitter chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub front: FrontPlan,
    /// Of each figure's natural height.
    pub figure_scale: f32,
    /// Grid lines of the body's pages (the style's, or one more or fewer).
    pub lines: usize,
    /// Grid lines added to (or, negative, taken from) the space before each heading.
    pub heading_space: i8,
    /// The print edition's pages, back cover included.
    pub pages: usize,
    /// The count asked for was reached.
    pub reached: bool,
    /// What changed from the style's own layout, for the summary.
    pub changes: Vec<String>,
    /// How many times the pages were planned, the trials' counts and the final pagination
    /// included, and how many times the body was set (once, or again as fitted); the
    /// paragraphs are broken into lines once whatever the trials.
    pub plans: usize,
    pub set: usize,
}

impl Fit {
    /// "copyfitted: figures at 85 %, the title on the cover alone", or nothing when nothing
    /// changed.
    pub fn summary(&self) -> Option<String> {
        (!self.changes.is_empty() && self.reached)
            .then(|| format!("copyfitted: {}", self.changes.join(", ")))
    }

    /// What the copyfitting cost, for the verbose summary: "lines broken once, pages planned
    /// 7 times, set twice".
    pub fn work(&self) -> String {
        let times = |n: usize| match n {
            1 => "once".to_string(),
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        format!(
            "copyfitting: lines broken once, pages planned {}, set {}",
            times(self.plans),
            times(self.set)
        )
    }
}

/// One arrangement of the front matter, with what it changes and how much that shows.
struct Arrangement {
    plan: FrontPlan,
    cost: u8,
    changes: Vec<&'static str>,
}

/// Whether the copyfitter has work: `natural` is the print edition's page count as the text
/// runs in the style's own layout.
pub fn applies(style: &Style, natural: usize) -> bool {
    match style.copyfit.pages {
        PageCount::Natural => false,
        PageCount::Auto => natural <= style.copyfit.pamphlet_pages,
        PageCount::Exactly(_) => true,
    }
}

/// Finds the first arrangement, in order of how little it shows, that gives the page count
/// asked. `stream` is the text before pagination, `body` its pages at natural size; `back` the
/// pages after the text (the back cover). Returns the fit and, when the body must be set again
/// (figures scaled, or pages a line long or short), the stream to set.
pub fn fit(
    cx: &mut Context,
    doc: &Document,
    style: &Style,
    g: &Geometry,
    mut stream: Stream,
    body: &BodyPages,
    back: usize,
) -> (Fit, Option<Stream>) {
    let wanted = |pages: usize| match style.copyfit.pages {
        PageCount::Exactly(n) => pages == n,
        _ => pages.is_multiple_of(4),
    };
    let arrangements = arrangements(doc, style, body);
    let contents = if arrangements
        .iter()
        .any(|a| a.plan.pages.contains(&FrontPage::Contents))
    {
        front::contents_pages(cx, doc, style, g, body)
    } else {
        0
    };
    let length = |a: &Arrangement, body_pages: usize| -> (usize, bool) {
        let front: usize = a
            .plan
            .pages
            .iter()
            .map(|p| {
                if *p == FrontPage::Contents {
                    contents
                } else {
                    1
                }
            })
            .sum();
        // An odd front matter would need a blank page for the text to open on a recto.
        let blank = front % 2 == 1;
        let total =
            front + usize::from(blank) + body_pages + usize::from(a.plan.colophon_last) + back;
        (total, blank)
    };
    let has_figures = stream.rows.iter().any(|r| r.figure.is_some());
    let floor = style.copyfit.figure_floor;
    let steps = if has_figures {
        ((1.0 - floor) / FIGURE_STEP).round() as usize
    } else {
        0
    };
    let natural = length(&arrangements[0], body.pages.len()).0;
    let mut nearest = natural;
    // The space before each section heading as the style sets it, so that each trial starts
    // from it (a heading row is the one that names its section).
    let spaces: Vec<(usize, usize)> = stream
        .rows
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0].kind == RowKind::Space && w[1].section.is_some())
        .map(|(i, w)| (i, w[0].cells))
        .collect();
    // Then the space around headings, a grid line less or more (never none); last the text
    // block a line longer (fewer pages) or shorter (more), on the same grid.
    let mut plans = 0;
    let mut trials = vec![(g.lines, 0i8)];
    if !spaces.is_empty() {
        trials.extend([(g.lines, -1), (g.lines, 1)]);
    }
    trials.extend([(g.lines + 1, 0), (g.lines - 1, 0)]);
    for (lines, heading_space) in trials {
        let grid = Geometry { lines, ..g.clone() };
        for &(i, cells) in &spaces {
            stream.rows[i].cells = cells.saturating_add_signed(heading_space.into()).max(1);
        }
        for step in 0..=steps {
            let scale = 1.0 - step as f32 * FIGURE_STEP;
            let body_pages = if step == 0 && lines == g.lines && heading_space == 0 {
                body.pages.len()
            } else {
                for row in &mut stream.rows {
                    flow::scale_figure(row, scale, g);
                }
                plans += 1;
                pages::count(&stream, &grid)
            };
            for (i, a) in arrangements.iter().enumerate() {
                let (total, blank) = length(a, body_pages);
                // The style's own arrangement may keep its blank; the copyfitter adds none.
                if blank && i > 0 {
                    continue;
                }
                if let PageCount::Exactly(n) = style.copyfit.pages {
                    if total.abs_diff(n) < nearest.abs_diff(n) {
                        nearest = total;
                    }
                }
                if !wanted(total) {
                    continue;
                }
                let mut changes: Vec<String> = Vec::new();
                if step > 0 {
                    changes.push(format!("figures at {:.0} %", scale * 100.0));
                }
                changes.extend(a.changes.iter().map(|c| c.to_string()));
                if heading_space < 0 {
                    changes.push("less space before headings".into());
                } else if heading_space > 0 {
                    changes.push("more space before headings".into());
                }
                if lines > g.lines {
                    changes.push("pages a line long".into());
                } else if lines < g.lines {
                    changes.push("pages a line short".into());
                }
                let fit = Fit {
                    front: a.plan.clone(),
                    figure_scale: scale,
                    lines,
                    heading_space,
                    pages: total,
                    reached: true,
                    changes,
                    plans,
                    set: 1,
                };
                let again = step > 0 || lines != g.lines || heading_space != 0;
                return (fit, again.then_some(stream));
            }
        }
    }
    not_reached(cx, doc, style, natural, nearest);
    let fit = Fit {
        front: arrangements[0].plan.clone(),
        figure_scale: 1.0,
        lines: g.lines,
        heading_space: 0,
        pages: natural,
        reached: false,
        changes: Vec::new(),
        plans,
        set: 1,
    };
    (fit, None)
}

/// The style's own arrangement first, then, unless the front matter is listed explicitly,
/// the others by how much they show: moving the colophon or leaving out the contents shows
/// little, setting the title on the cover alone more.
fn arrangements(doc: &Document, style: &Style, body: &BodyPages) -> Vec<Arrangement> {
    let mut own = FrontPlan::of(style);
    if style.copyfit.front_matter.is_some() {
        return vec![Arrangement {
            plan: own,
            cost: 0,
            changes: Vec::new(),
        }];
    }
    // A contents page for two headings or three pages is paper no reader needs.
    let helps = front::contents_entries(doc, style) >= CONTENTS_ENTRIES
        && body.pages.len() >= CONTENTS_BODY_PAGES;
    if !helps {
        own.pages.retain(|p| *p != FrontPage::Contents);
    }
    let has = |p: FrontPage| own.pages.contains(&p);
    let mut all = Vec::new();
    for drop_title in [false, true] {
        for drop_contents in [false, true] {
            for colophon_last in [false, true] {
                if (drop_title && !has(FrontPage::Title))
                    || (drop_contents && !has(FrontPage::Contents))
                    || (colophon_last && !has(FrontPage::Colophon))
                {
                    continue;
                }
                let mut plan = own.clone();
                let mut changes = Vec::new();
                if drop_title {
                    plan.pages.retain(|p| *p != FrontPage::Title);
                    changes.push("the title on the cover alone");
                }
                if drop_contents {
                    plan.pages.retain(|p| *p != FrontPage::Contents);
                    changes.push("no contents page");
                }
                if colophon_last {
                    plan.pages.retain(|p| *p != FrontPage::Colophon);
                    plan.colophon_last = true;
                    changes.push("the colophon on the inside back cover");
                }
                let cost =
                    2 * u8::from(drop_title) + u8::from(drop_contents) + u8::from(colophon_last);
                all.push(Arrangement {
                    plan,
                    cost,
                    changes,
                });
            }
        }
    }
    // Stable: among equal costs, the order above.
    all.sort_by_key(|a| a.cost);
    all
}

/// The count asked cannot be reached within the bounds: said once, and the booklet pads
/// after the text.
fn not_reached(cx: &mut Context, doc: &Document, style: &Style, natural: usize, nearest: usize) {
    let (message, help) = match style.copyfit.pages {
        PageCount::Exactly(n) => (
            format!("the print edition cannot be fitted to {n} pages: the nearest is {nearest}"),
            format!("a booklet of it is padded with blank pages after the text; ask for `pages: {nearest}`, or shorten or lengthen the text"),
        ),
        _ => (
            format!("the print edition's {natural} pages cannot be fitted to whole sheets (a multiple of 4)"),
            "a booklet of it is padded with blank pages after the text; `pages: natural` keeps this layout without the warning".to_string(),
        ),
    };
    let mut d = crate::diagnostic::Diagnostic::warning("pages-not-reached", message).help(help);
    // At the `pages:` key that asked, else (the default) the manuscript as a whole.
    if let Some(at) = &style.copyfit.pages_at {
        d = d.at(at.clone());
    } else if let Some(chapter) = doc.chapters.first() {
        d = d.at(crate::diagnostic::Location::file(&chapter.source));
    }
    cx.diagnostics.push(d);
}
