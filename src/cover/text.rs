//! Setting the cover's lines: text measured as the SVG renderer will shape it (rustybuzz with
//! the font's kerning and ligatures, the fallback face for characters the face lacks), broken
//! into balanced lines and made smaller until it fits its box.

use crate::fonts::FontFace;
use std::ops::Range;

/// A face parsed for measuring.
pub struct Measure {
    face: rustybuzz::Face<'static>,
    /// The faces for characters `face` lacks, in order: the fallback, then the script faces;
    /// parsed when a title first needs one (most covers are set in one face).
    fallback_faces: Vec<&'static [u8]>,
    fallbacks: std::sync::OnceLock<Vec<rustybuzz::Face<'static>>>,
    /// Ascender and descender in em, for placing the first baseline and the block's foot.
    pub ascent: f32,
    pub descent: f32,
}

fn parse(data: &'static [u8]) -> rustybuzz::Face<'static> {
    rustybuzz::Face::from_slice(data, 0).expect("the cover's faces are checked fonts")
}

impl Measure {
    pub fn new(face: &FontFace, fallback: &FontFace) -> Measure {
        let face = parse(face.data);
        let upem = face.units_per_em() as f32;
        let ascent = f32::from(face.ascender()) / upem;
        let descent = -f32::from(face.descender()) / upem;
        Measure {
            face,
            fallback_faces: std::iter::once(fallback)
                .chain(&crate::fonts::SCRIPTS)
                .map(|f| f.data)
                .collect(),
            fallbacks: std::sync::OnceLock::new(),
            ascent,
            descent,
        }
    }

    fn fallbacks(&self) -> &[rustybuzz::Face<'static>] {
        self.fallbacks
            .get_or_init(|| self.fallback_faces.iter().map(|data| parse(data)).collect())
    }

    /// Width of `text` at 1 pt.
    pub fn width(&self, text: &str) -> f32 {
        let mut total = 0.0;
        let mut run = String::new();
        let mut run_fallback = None;
        for c in text.chars() {
            let fallback = if self.face.glyph_index(c).is_some() || c.is_whitespace() {
                None
            } else {
                Some(
                    self.fallbacks()
                        .iter()
                        .position(|f| f.glyph_index(c).is_some())
                        .unwrap_or(0),
                )
            };
            if fallback != run_fallback && !run.is_empty() {
                total += self.shaped(&run, run_fallback);
                run.clear();
            }
            run_fallback = fallback;
            run.push(c);
        }
        if !run.is_empty() {
            total += self.shaped(&run, run_fallback);
        }
        total
    }

    fn shaped(&self, text: &str, fallback: Option<usize>) -> f32 {
        let face = fallback.map_or(&self.face, |f| &self.fallbacks()[f]);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let glyphs = rustybuzz::shape(face, &[], buffer);
        let advance: i32 = glyphs.glyph_positions().iter().map(|p| p.x_advance).sum();
        advance as f32 / face.units_per_em() as f32
    }
}

/// Lines of one text element, set.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub lines: Vec<String>,
    /// Widths of the lines in points.
    pub widths: Vec<f32>,
    pub size: f32,
    /// Baseline to baseline.
    pub leading: f32,
    pub ascent: f32,
    pub descent: f32,
    /// Set below the floor the design allows (a warning).
    pub below_floor: bool,
}

impl Block {
    /// From the top of the first line's ascenders to the foot of the last line's descenders.
    pub fn height(&self) -> f32 {
        if self.lines.is_empty() {
            return 0.0;
        }
        self.ascent + self.leading * (self.lines.len() - 1) as f32 + self.descent
    }

    #[cfg(test)]
    pub fn width(&self) -> f32 {
        self.widths.iter().copied().fold(0.0, f32::max)
    }
}

/// What a text element asks for: the largest size, the smallest the design allows, line spacing.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    pub size: f32,
    pub floor: f32,
    /// Leading as a multiple of the size.
    pub leading: f32,
    /// Lines at most (the box's height bounds them too).
    pub max_lines: usize,
}

/// Below this no text is set, floor or not: the point where print stops being legible.
const LEGIBLE: f32 = 4.0;

/// Sets `text` in the fewest balanced lines that fit `width` × `height`, from `fit.size` down
/// (by 4 % steps) to `fit.floor`; past the floor it goes on shrinking, flagged, so that the
/// text never leaves its box.
pub fn fit(measure: &Measure, text: &str, width: f32, height: f32, fit: Fit) -> Block {
    let words: Vec<&str> = text.split_whitespace().collect();
    let widths: Vec<f32> = words.iter().map(|w| measure.width(w)).collect();
    let space = measure.width(" ");
    let mut size = fit.size;
    loop {
        let floor_reached = size < fit.floor;
        let limit = if floor_reached {
            usize::MAX
        } else {
            fit.max_lines
        };
        let leading = size * fit.leading;
        // Lines the height allows at this size.
        let room = ((height - size * (measure.ascent + measure.descent)) / leading).floor();
        let room = if room < 0.0 { 0 } else { room as usize + 1 };
        if let Some(lines) = balance(&widths, space, width / size, room.min(limit)) {
            let set: Vec<String> = lines.iter().map(|r| words[r.clone()].join(" ")).collect();
            let line_widths = set.iter().map(|l| measure.width(l) * size).collect();
            return Block {
                lines: set,
                widths: line_widths,
                size,
                leading,
                ascent: measure.ascent * size,
                descent: measure.descent * size,
                below_floor: floor_reached,
            };
        }
        if size <= LEGIBLE {
            // Nothing fits even at the smallest legible size: set nothing rather than overflow.
            return Block {
                lines: Vec::new(),
                widths: Vec::new(),
                size,
                leading,
                ascent: 0.0,
                descent: 0.0,
                below_floor: true,
            };
        }
        size = (size * 0.96).max(LEGIBLE);
    }
}

/// Breaks words of the given widths (at 1 pt, `space` between them) into the fewest lines no
/// wider than `measure`, at most `max_lines`, and among those the split whose longest line is
/// shortest, then whose lines are most nearly equal: a balanced block, not a full first line
/// and a stub. `None` when they do not fit.
pub fn balance(
    widths: &[f32],
    space: f32,
    measure: f32,
    max_lines: usize,
) -> Option<Vec<Range<usize>>> {
    let n = widths.len();
    if n == 0 {
        return Some(Vec::new());
    }
    if widths.iter().any(|&w| w > measure) || max_lines == 0 {
        return None;
    }
    // prefix[i]: width of words 0..i with the spaces between them.
    let mut prefix = vec![0.0f32; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + widths[i];
    }
    let line = |from: usize, to: usize| prefix[to] - prefix[from] + space * (to - from - 1) as f32;
    // Fewest lines, greedily (first fit gives the minimum count).
    let mut count = 1;
    let mut start = 0;
    for i in 1..n {
        if line(start, i + 1) > measure {
            count += 1;
            start = i;
        }
    }
    if count > max_lines {
        return None;
    }
    // The shortest longest line over splits into `count` lines (dynamic programming).
    let longest = min_max(n, count, &line);
    // Then, with no line longer than that, the most even split: least squared shortfall.
    const INF: f32 = f32::INFINITY;
    let mut cost = vec![vec![INF; n + 1]; count + 1];
    let mut from = vec![vec![0usize; n + 1]; count + 1];
    cost[0][0] = 0.0;
    for k in 1..=count {
        for i in k..=n {
            for j in (k - 1)..i {
                if cost[k - 1][j] == INF {
                    continue;
                }
                let w = line(j, i);
                if w > longest + 1e-4 {
                    continue;
                }
                let c = cost[k - 1][j] + (longest - w).powi(2);
                if c < cost[k][i] {
                    cost[k][i] = c;
                    from[k][i] = j;
                }
            }
        }
    }
    let mut breaks = Vec::with_capacity(count);
    let mut i = n;
    for k in (1..=count).rev() {
        let j = from[k][i];
        breaks.push(j..i);
        i = j;
    }
    breaks.reverse();
    Some(breaks)
}

fn min_max(n: usize, count: usize, line: &dyn Fn(usize, usize) -> f32) -> f32 {
    let mut best = vec![vec![f32::INFINITY; n + 1]; count + 1];
    best[0][0] = 0.0;
    for k in 1..=count {
        for i in k..=n {
            for j in (k - 1)..i {
                let v = best[k - 1][j].max(line(j, i));
                if v < best[k][i] {
                    best[k][i] = v;
                }
            }
        }
    }
    best[count][n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_lines_are_even_not_full_then_short() {
        // Five words of width 1 with space 0.2, measure 4: greedy gives 3 + 2 words; balanced
        // gives the same count with the longest line as short as it can be.
        let lines = balance(&[1.0; 5], 0.2, 4.0, 10).unwrap();
        assert_eq!(lines.len(), 2);
        let longest = lines.iter().map(|r| r.len()).max().unwrap();
        assert_eq!(longest, 3);
        // Seven words in a measure for six: 4 and 3, never 6 + 1.
        let lines = balance(&[1.0; 7], 0.2, 7.0, 10).unwrap();
        let mut counts: Vec<usize> = lines.iter().map(|r| r.len()).collect();
        counts.sort();
        assert_eq!(counts, [3, 4]);
    }

    #[test]
    fn a_word_wider_than_the_measure_does_not_fit() {
        assert!(balance(&[5.0], 0.2, 4.0, 3).is_none());
        assert!(balance(&[1.0; 5], 0.2, 1.5, 3).is_none());
    }

    #[test]
    fn long_text_shrinks_to_its_box_and_is_flagged_past_the_floor() {
        let face = &crate::fonts::BODY[0];
        let m = Measure::new(face, &crate::fonts::FALLBACK);
        let fits = Fit {
            size: 40.0,
            floor: 20.0,
            leading: 1.1,
            max_lines: 4,
        };
        let short = fit(&m, "A short title", 300.0, 200.0, fits);
        assert_eq!((short.size, short.below_floor), (40.0, false));
        let long = "word ".repeat(200);
        let block = fit(&m, &long, 300.0, 200.0, fits);
        assert!(block.below_floor && !block.lines.is_empty());
        assert!(
            block.width() <= 300.0 && block.height() <= 200.0,
            "{block:?}"
        );
    }
}
