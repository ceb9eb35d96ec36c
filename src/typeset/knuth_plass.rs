//! Total-fit line breaking (Knuth & Plass, "Breaking paragraphs into lines", 1981).
//!
//! A paragraph is a list of boxes (unbreakable material), glue (stretchable space) and
//! penalties (possible breaks with a cost). Instead of filling lines one at a time, the
//! algorithm chooses the set of breaks with the least total demerits over the whole paragraph,
//! so that one tight line early can spare a loose line later. Passes get more permissive: first
//! only good lines, then with emergency stretch, and last anything that does not overflow, with
//! an overfull line only when a single box is wider than the measure.
//!
//! Boxes may stretch and shrink a little too (glyph expansion, as pdfTeX's, and slight letter
//! spacing): spread over the fifty letters of a line, a few hundredths of a point each give the
//! breaker many more good breaks, so the spaces between words can stay close to their natural
//! width. How a chosen line shares its adjustment among them is the paragraph's business.

/// Cost that forbids a break (or, negated, forces one).
pub const INFINITY: f32 = 10_000.0;
/// Stretch that behaves as unlimited (\parfillskip); finite so that arithmetic stays exact.
pub const FILL: f32 = 100_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    Box {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    Glue {
        width: f32,
        stretch: f32,
        shrink: f32,
    },
    /// A possible break; `width` is added to the line when the break is taken (a hyphen).
    Penalty {
        width: f32,
        cost: f32,
        flagged: bool,
    },
}

/// Tuning of the demerits, in TeX's terms.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Largest badness a line may have in the first pass.
    pub tolerance: f32,
    /// \linepenalty: added to every line's badness, so fewer lines are preferred.
    pub line_penalty: f32,
    /// \doublehyphendemerits: two hyphenated lines in a row.
    pub double_hyphen_demerits: f32,
    /// \finalhyphendemerits: the next-to-last line ends with a hyphen.
    pub final_hyphen_demerits: f32,
    /// \adjdemerits: a line's tightness differs from its neighbour's by more than one class.
    pub adjacent_demerits: f32,
    /// \emergencystretch for the last pass, as a share of the measure.
    pub emergency_stretch: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tolerance: 200.0,
            line_penalty: 10.0,
            double_hyphen_demerits: 10_000.0,
            final_hyphen_demerits: 5_000.0,
            adjacent_demerits: 10_000.0,
            emergency_stretch: 0.1,
        }
    }
}

/// A chosen break: the item index where the line ends and how much its glue is stretched
/// (positive ratio, share of the stretch) or shrunk (negative, share of the shrink).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    pub position: usize,
    pub ratio: f32,
    /// The line is wider than the measure (a box that fits nowhere).
    pub overfull: bool,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    position: usize,
    fitness: u8,
    /// Sums of widths, stretch and shrink from the paragraph start to the first item that
    /// belongs to the next line (discardable items after the break skipped).
    width: f32,
    stretch: f32,
    shrink: f32,
    demerits: f64,
    previous: Option<usize>,
    overfull: bool,
}

/// Breaks `items` into lines of `measure` width. The items must end with a forced break.
///
/// `hang[i]` is how far a line that ends at item `i` may reach into the right margin
/// (character protrusion: a final hyphen, full stop or comma hangs partly outside, so the text
/// edge looks straight); missing entries count as zero.
pub fn break_lines(items: &[Item], hang: &[f32], measure: f32, params: &Params) -> Vec<Break> {
    let sums = Sums::new(items);
    let passes = [
        (params.tolerance, 0.0, false),
        (
            params.tolerance * 2.0,
            params.emergency_stretch * measure,
            false,
        ),
        (INFINITY, params.emergency_stretch * measure, true),
    ];
    for (tolerance, emergency, rescue) in passes {
        let pass = Pass {
            tolerance,
            emergency,
            rescue,
        };
        if let Some(breaks) = run(items, hang, &sums, measure, params, pass) {
            return breaks;
        }
    }
    unreachable!("the rescue pass always finds breaks")
}

struct Sums {
    width: Vec<f32>,
    stretch: Vec<f32>,
    shrink: Vec<f32>,
}

impl Sums {
    /// Prefix sums: entry i is the total over items before i (penalties add nothing).
    fn new(items: &[Item]) -> Self {
        let mut sums = Sums {
            width: vec![0.0],
            stretch: vec![0.0],
            shrink: vec![0.0],
        };
        let (mut w, mut y, mut z) = (0.0, 0.0, 0.0);
        for item in items {
            match *item {
                Item::Box {
                    width,
                    stretch,
                    shrink,
                }
                | Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    w += width;
                    y += stretch;
                    z += shrink;
                }
                Item::Penalty { .. } => {}
            }
            sums.width.push(w);
            sums.stretch.push(y);
            sums.shrink.push(z);
        }
        sums
    }
}

fn is_flagged(items: &[Item], position: usize) -> bool {
    matches!(
        items.get(position),
        Some(Item::Penalty { flagged: true, .. })
    )
}

/// Whether a line may end at item `i`: at a penalty that is not forbidden, or at glue right
/// after a box.
fn is_legal_break(items: &[Item], i: usize) -> bool {
    match items[i] {
        Item::Penalty { cost, .. } => cost < INFINITY,
        Item::Glue { .. } => i > 0 && matches!(items[i - 1], Item::Box { .. }),
        Item::Box { .. } => false,
    }
}

/// The node that starts the line after a break at `position`: glue and penalties after the
/// break are discarded, up to the next box or forced break.
fn node_after(items: &[Item], sums: &Sums, position: usize, start: bool) -> (f32, f32, f32) {
    let mut i = if start { 0 } else { position + 1 };
    while i < items.len() {
        match items[i] {
            Item::Box { .. } => break,
            Item::Penalty { cost, .. } if cost <= -INFINITY && i > position => break,
            _ => i += 1,
        }
    }
    (sums.width[i], sums.stretch[i], sums.shrink[i])
}

fn fitness(ratio: f32) -> u8 {
    if ratio < -0.5 {
        0
    } else if ratio <= 0.5 {
        1
    } else if ratio <= 1.0 {
        2
    } else {
        3
    }
}

/// Natural width (less what may hang into the margin), stretch and shrink of the line from
/// `node` to a break at `position`.
fn line_totals(
    items: &[Item],
    hang: &[f32],
    sums: &Sums,
    node: &Node,
    position: usize,
) -> (f32, f32, f32) {
    let hyphen = match items[position] {
        Item::Penalty { width, .. } => width,
        _ => 0.0,
    };
    let hang = hang.get(position).copied().unwrap_or(0.0);
    (
        sums.width[position] - node.width + hyphen - hang,
        sums.stretch[position] - node.stretch,
        sums.shrink[position] - node.shrink,
    )
}

fn ratio(measure: f32, width: f32, stretch: f32, shrink: f32) -> f32 {
    if width < measure {
        if stretch > 0.0 {
            (measure - width) / stretch
        } else {
            INFINITY
        }
    } else if width > measure {
        if shrink > 0.0 {
            (measure - width) / shrink
        } else {
            -INFINITY
        }
    } else {
        0.0
    }
}

/// How permissive one pass is.
#[derive(Clone, Copy)]
struct Pass {
    tolerance: f32,
    emergency: f32,
    /// Overflow rather than fail.
    rescue: bool,
}

fn run(
    items: &[Item],
    hang: &[f32],
    sums: &Sums,
    measure: f32,
    params: &Params,
    pass: Pass,
) -> Option<Vec<Break>> {
    let Pass {
        tolerance,
        emergency,
        rescue,
    } = pass;
    let (width, stretch, shrink) = node_after(items, sums, 0, true);
    let mut nodes = vec![Node {
        position: 0,
        fitness: 1,
        width,
        stretch,
        shrink,
        demerits: 0.0,
        previous: None,
        overfull: false,
    }];
    let mut active: Vec<usize> = vec![0];
    // The nodes that stay active past a break; swapped with `active`, so no break allocates.
    let mut kept: Vec<usize> = Vec::new();
    let last = items.len() - 1;

    for b in 0..items.len() {
        if !is_legal_break(items, b) {
            continue;
        }
        let (cost, forced) = match items[b] {
            Item::Penalty { cost, .. } => (cost, cost <= -INFINITY),
            _ => (0.0, false),
        };
        // Best candidate per fitness class: (demerits, from node).
        let mut best: [Option<(f64, usize)>; 4] = [None; 4];
        let mut deactivated: Option<usize> = None;
        kept.clear();
        for &a in &active {
            let node = nodes[a];
            let (w, y, z) = line_totals(items, hang, sums, &node, b);
            let r = ratio(measure, w, y + emergency, z);
            if r < -1.0 || forced {
                deactivated = Some(a);
            } else {
                kept.push(a);
            }
            if r < -1.0 {
                continue;
            }
            let badness = (100.0 * r.abs().powi(3)).min(INFINITY);
            if badness > tolerance {
                continue;
            }
            let class = fitness(r);
            let mut d = f64::from(params.line_penalty + badness).powi(2);
            if cost >= 0.0 {
                d += f64::from(cost).powi(2);
            } else if !forced {
                d -= f64::from(cost).powi(2);
            }
            if is_flagged(items, b) && is_flagged(items, node.position) {
                d += f64::from(params.double_hyphen_demerits);
            }
            if b == last && is_flagged(items, node.position) {
                d += f64::from(params.final_hyphen_demerits);
            }
            if class.abs_diff(node.fitness) > 1 {
                d += f64::from(params.adjacent_demerits);
            }
            let total = node.demerits + d;
            let slot = &mut best[usize::from(class)];
            if slot.is_none_or(|(t, _)| total < t) {
                *slot = Some((total, a));
            }
        }
        std::mem::swap(&mut active, &mut kept);
        let (width, stretch, shrink) = node_after(items, sums, b, false);
        let mut added = false;
        for (class, candidate) in best.iter().enumerate() {
            if let Some((demerits, from)) = *candidate {
                nodes.push(Node {
                    position: b,
                    fitness: class as u8,
                    width,
                    stretch,
                    shrink,
                    demerits,
                    previous: Some(from),
                    overfull: false,
                });
                active.push(nodes.len() - 1);
                added = true;
            }
        }
        // Last pass: when nothing fits, overflow from the break that was given up last rather
        // than fail; this happens only when a box alone is wider than the measure.
        if active.is_empty() && !added {
            let from = deactivated.filter(|_| rescue)?;
            nodes.push(Node {
                position: b,
                fitness: 1,
                width,
                stretch,
                shrink,
                demerits: nodes[from].demerits + 1e9,
                previous: Some(from),
                overfull: true,
            });
            active.push(nodes.len() - 1);
        }
    }

    let end = active
        .iter()
        .copied()
        .filter(|&a| nodes[a].position == last)
        .min_by(|&a, &b| nodes[a].demerits.total_cmp(&nodes[b].demerits))?;
    let mut breaks = Vec::new();
    let mut current = end;
    while let Some(previous) = nodes[current].previous {
        let node = nodes[current];
        let (w, y, z) = line_totals(items, hang, sums, &nodes[previous], node.position);
        breaks.push(Break {
            position: node.position,
            ratio: ratio(measure, w, y, z).clamp(-1.0, INFINITY),
            overfull: node.overfull || w - z > measure + 0.01,
        });
        current = previous;
    }
    breaks.reverse();
    Some(breaks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of the given widths separated by spaces, TeX-style, ending with \parfillskip.
    fn paragraph(words: &[f32], space: f32) -> Vec<Item> {
        let mut items = Vec::new();
        for (i, &w) in words.iter().enumerate() {
            if i > 0 {
                items.push(Item::Glue {
                    width: space,
                    stretch: space / 2.0,
                    shrink: space / 3.0,
                });
            }
            items.push(Item::Box {
                width: w,
                stretch: 0.0,
                shrink: 0.0,
            });
        }
        items.push(Item::Penalty {
            width: 0.0,
            cost: INFINITY,
            flagged: false,
        });
        items.push(Item::Glue {
            width: 0.0,
            stretch: FILL,
            shrink: 0.0,
        });
        items.push(Item::Penalty {
            width: 0.0,
            cost: -INFINITY,
            flagged: false,
        });
        items
    }

    fn words() -> Vec<f32> {
        // A deterministic spread of word widths like running text (in points).
        (0..200).map(|i| 8.0 + ((i * 37) % 29) as f32).collect()
    }

    /// The largest stretch ratio the first pass accepts: badness 100·r³ ≤ tolerance.
    fn max_ratio() -> f32 {
        (Params::default().tolerance / 100.0).cbrt()
    }

    #[test]
    fn a_long_paragraph_breaks_without_overfull_lines() {
        let items = paragraph(&words(), 3.0);
        let breaks = break_lines(&items, &[], 300.0, &Params::default());
        assert!(breaks.len() > 10);
        assert_eq!(breaks.last().unwrap().position, items.len() - 1);
        for b in &breaks[..breaks.len() - 1] {
            assert!(!b.overfull);
            assert!((-1.0..=max_ratio()).contains(&b.ratio), "ratio {}", b.ratio);
        }
    }

    #[test]
    fn total_fit_spreads_spacing_more_evenly_than_first_fit() {
        let words = words();
        let items = paragraph(&words, 3.0);
        let measure = 300.0;
        let breaks = break_lines(&items, &[], measure, &Params::default());
        let total_fit: f32 = breaks[..breaks.len() - 1]
            .iter()
            .map(|b| b.ratio.powi(2))
            .sum();
        // First fit: as many words as fit at natural width, then stretch.
        let mut first_fit = 0.0;
        let (mut width, mut spaces) = (0.0, 0.0);
        for &w in &words {
            let needed = if spaces == 0.0 && width == 0.0 {
                w
            } else {
                width + 3.0 + w
            };
            if needed > measure {
                first_fit += ((measure - width) / (spaces * 1.5)).powi(2);
                width = w;
                spaces = 0.0;
            } else {
                if width > 0.0 {
                    spaces += 1.0;
                }
                width = needed;
            }
        }
        assert!(total_fit < first_fit, "{total_fit} vs {first_fit}");
    }

    #[test]
    fn a_word_wider_than_the_measure_overflows_alone() {
        let items = paragraph(&[20.0, 500.0, 20.0], 3.0);
        let breaks = break_lines(&items, &[], 100.0, &Params::default());
        assert!(breaks.iter().any(|b| b.overfull));
        assert!(breaks.iter().all(|b| !b.overfull || b.position == 3));
    }

    #[test]
    fn the_last_line_is_set_at_natural_width() {
        let items = paragraph(&[30.0, 30.0], 3.0);
        let breaks = break_lines(&items, &[], 300.0, &Params::default());
        assert_eq!(breaks.len(), 1);
        assert!(breaks[0].ratio < 0.01);
    }
}
