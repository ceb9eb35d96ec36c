//! Page size, margins and the baseline grid.
//!
//! The text block of A5 is 112 mm wide, with the narrower margin at the binding (inner) so
//! that the two pages of a spread read as one; other sizes keep the same proportions. Every
//! line of body text sits on a grid of baselines one leading apart, so that lines on the two
//! sides of a leaf and on facing pages align; headings, figures and notes take whole grid
//! cells.

const MM: f32 = 72.0 / 25.4;

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
}

impl Geometry {
    /// The geometry for a page size name (`a5` when absent or unknown).
    pub fn for_page(name: Option<&str>) -> Self {
        let (width, height) = match name.map(str::to_ascii_lowercase).as_deref() {
            Some("a6") => (105.0 * MM, 148.0 * MM),
            Some("a4") => (210.0 * MM, 297.0 * MM),
            Some("letter") => (8.5 * 72.0, 11.0 * 72.0),
            Some("half-letter") => (5.5 * 72.0, 8.5 * 72.0),
            _ => (148.0 * MM, 210.0 * MM),
        };
        let (body_size, leading) = if width < 110.0 * MM {
            (9.5, 12.0)
        } else if width > 200.0 * MM {
            (12.0, 15.0)
        } else {
            (11.0, 14.0)
        };
        let measure = (width * 112.0 / 148.0).min(38.0 * body_size);
        let inner = (width - measure) * 0.42;
        let top = height * 0.085;
        let bottom = height * 0.11;
        let lines = ((height - top - bottom) / leading).floor() as usize;
        Geometry {
            width,
            height,
            inner,
            outer: width - measure - inner,
            top,
            lines,
            leading,
            body_size,
            measure,
        }
    }

    /// Left edge of the text block; pages with even index are rectos (binding on the left).
    pub fn left(&self, page_index: usize) -> f32 {
        if page_index.is_multiple_of(2) {
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

    #[test]
    fn a5_has_a_112_mm_measure_and_a_wider_outer_margin() {
        let g = Geometry::for_page(None);
        assert!((g.measure / MM - 112.0).abs() < 0.01);
        assert!(g.outer > g.inner);
        assert!(g.lines >= 30);
        assert!(g.bottom() < g.height - 40.0);
    }
}
