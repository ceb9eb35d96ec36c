//! Page size, margins and the baseline grid, from the style's page.
//!
//! Every line of body text sits on a grid of baselines one leading apart, so that lines on the two
//! sides of a leaf and on facing pages align; headings, figures and notes take whole grid
//! cells.

use crate::style::Style;

#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    /// Margin at the binding.
    pub inner: f32,
    /// Margin at the fore-edge.
    pub outer: f32,
    /// From the top edge to the top of the first grid cell.
    pub top: f32,
    /// Grid cells per page.
    pub lines: usize,
    pub leading: f32,
    pub body_size: f32,
    pub measure: f32,
    /// A right-to-left book: bound on the right, so rectos have the binding on their right.
    pub rtl: bool,
}

impl Geometry {
    /// The page, margins and grid of a style.
    pub fn new(style: &Style) -> Self {
        let page = &style.page;
        let lines = ((page.height - page.top - page.bottom) / style.leading).floor() as usize;
        Geometry {
            width: page.width,
            height: page.height,
            inner: page.inner,
            outer: page.outer,
            top: page.top,
            lines,
            leading: style.leading,
            body_size: style.body_size,
            measure: page.measure,
            rtl: false,
        }
    }

    /// Left edge of the text block; pages with even index are rectos (binding on the left, on
    /// the right in a right-to-left book).
    pub fn left(&self, page_index: usize) -> f32 {
        if page_index.is_multiple_of(2) != self.rtl {
            self.inner
        } else {
            self.outer
        }
    }

    /// Top of grid cell `cell`.
    pub fn cell_top(&self, cell: usize) -> f32 {
        self.top + cell as f32 * self.leading
    }

    /// Distance from a cell's top to its baseline.
    pub fn baseline_offset(&self) -> f32 {
        0.75 * self.leading
    }

    /// Bottom of the text block.
    pub fn bottom(&self) -> f32 {
        self.cell_top(self.lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const MM: f32 = 72.0 / 25.4;

    #[test]
    fn a5_has_a_112_mm_measure_and_a_wider_outer_margin() {
        let g = Geometry::new(&Style::default());
        assert!((g.measure / MM - 112.0).abs() < 0.01);
        assert!(g.outer > g.inner);
        assert!(g.lines >= 30);
        assert!(g.bottom() < g.height - 40.0);
    }
}
