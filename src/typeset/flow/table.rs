//! Tables: columns as wide as their content allows, rules above, under the head and below.

use super::{line_items, Flow, Frame};
use crate::document::{Inline, Table};
use crate::typeset::paragraph::{self, Align, ParagraphStyle};
use crate::typeset::shape::FontStyle;
use crate::typeset::{Item, LineItem, Structure};

impl Flow<'_> {
    pub(super) fn table(&mut self, table: &Table, frame: Frame, offset: &mut usize) {
        let g = self.geometry;
        let columns = table
            .head
            .len()
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let size = g.body_size * self.style.table_size;
        // Column gaps shrink for wide tables so the cells keep most of the measure.
        let gap = g.body_size.min(frame.measure * 0.25 / columns as f32);
        let lang = self.lang.clone();
        let style = |font: FontStyle, measure: f32| ParagraphStyle {
            size,
            font,
            measure,
            indent: 0.0,
            align: Align::Left,
            hyphenate: false,
            lang: lang.clone(),
            left_to_right: false,
        };
        // Each column's natural width (its longest cell on one line) and least width (its
        // longest word) decide how wide it is set.
        let mut natural = vec![g.body_size; columns];
        let mut least = vec![0.0f32; columns];
        for (r, cells) in std::iter::once(&table.head).chain(&table.rows).enumerate() {
            let font = FontStyle {
                bold: r == 0,
                ..FontStyle::default()
            };
            for (c, cell) in cells.iter().enumerate() {
                let (width, word) = paragraph::widths(self.cx, cell, &style(font, 0.0));
                natural[c] = natural[c].max(width);
                least[c] = least[c].max(word);
            }
        }
        let available = frame.measure - gap * (columns - 1) as f32;
        let widths = column_widths(&least, &natural, available);
        let table_width: f32 = widths.iter().sum::<f32>() + gap * (columns - 1) as f32;
        // A right-to-left table starts at the right: its first column is the rightmost.
        let rtl = crate::lang::is_rtl(&self.lang);
        let table_left = if rtl {
            frame.left + frame.measure - table_width
        } else {
            frame.left
        };
        let rule = |y: f32, thickness: f32| {
            Item::Line(LineItem {
                from: (table_left, y),
                to: (table_left + table_width, y),
                thickness,
            })
        };
        let rows: Vec<&Vec<Vec<Inline>>> =
            std::iter::once(&table.head).chain(&table.rows).collect();
        let count = rows.len();
        for (r, cells) in rows.into_iter().enumerate() {
            if r == 0 && cells.is_empty() {
                continue;
            }
            let start = *offset;
            let font = FontStyle {
                bold: r == 0,
                ..FontStyle::default()
            };
            let mut items = Vec::new();
            let mut along = 0.0;
            let mut height = 1;
            let mut notes = Vec::new();
            for (c, cell) in cells.iter().enumerate() {
                let mut s = style(font, widths[c]);
                s.align = match table.alignments.get(c) {
                    Some(crate::document::Alignment::Center) => Align::Center,
                    _ => Align::Left,
                };
                let lines = paragraph::set(self.cx, cell, &s, offset);
                let x = if rtl {
                    table_left + table_width - along - widths[c]
                } else {
                    frame.left + along
                };
                for (k, line) in lines.iter().enumerate() {
                    use crate::document::Alignment;
                    // Where the line's left edge goes in the cell, less where the setting put
                    // it (a centred or right-to-left line is already shifted in its measure).
                    let shift = match table.alignments.get(c) {
                        Some(Alignment::Right) => widths[c] - line.width - line.start,
                        Some(Alignment::Center) => (widths[c] - line.width) / 2.0 - line.start,
                        Some(Alignment::Left) => -line.start,
                        _ if rtl => widths[c] - line.width - line.start,
                        _ => -line.start,
                    };
                    items.extend(line_items(
                        line,
                        x + shift,
                        g.baseline_offset() + k as f32 * g.leading,
                    ));
                    notes.extend(line.notes.iter().copied());
                }
                height = height.max(lines.len());
                along += widths[c] + gap;
            }
            if r == 0 {
                items.push(rule(0.0, 0.6));
                items.push(rule(height as f32 * g.leading, 0.4));
            }
            if r + 1 == count {
                items.push(rule(height as f32 * g.leading, 0.6));
            }
            let element = self.element(Structure::Paragraph);
            let mut row = self.row(height, items, self.position(frame.block, start));
            row.tags = vec![(0..row.items.len(), element)];
            row.notes = notes;
            // The head stays with the first row.
            row.break_before = r != 1;
            self.push(row);
        }
    }
}

/// How wide each column is set, as CSS's automatic table layout does it: at its natural
/// width when the table fits; else every column keeps at least its longest word and the room
/// left is shared in proportion to what each column would still take. Only a table whose
/// longest words alone are wider than `available` shrinks those (and breaks words).
fn column_widths(least: &[f32], natural: &[f32], available: f32) -> Vec<f32> {
    let natural: Vec<f32> = natural.iter().zip(least).map(|(n, l)| n.max(*l)).collect();
    let (least_total, natural_total): (f32, f32) = (least.iter().sum(), natural.iter().sum());
    if natural_total <= available {
        return natural;
    }
    if least_total >= available {
        return least.iter().map(|l| l * available / least_total).collect();
    }
    let share = (available - least_total) / (natural_total - least_total);
    least
        .iter()
        .zip(&natural)
        .map(|(l, n)| l + (n - l) * share)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::column_widths;

    #[test]
    fn a_table_that_fits_is_set_at_its_natural_widths() {
        assert_eq!(
            column_widths(&[20.0, 10.0], &[50.0, 30.0], 100.0),
            [50.0, 30.0]
        );
    }

    #[test]
    fn a_narrow_measure_keeps_every_columns_longest_word() {
        // A short first column and a long heading over the last: the last gives way.
        let widths = column_widths(&[60.0, 50.0, 40.0], &[60.0, 50.0, 100.0], 170.0);
        assert_eq!(widths, [60.0, 50.0, 60.0]);
        let widths = column_widths(&[30.0, 20.0], &[130.0, 70.0], 150.0);
        // 100 of room left, shared 100 : 50 of what each would still take.
        assert!(
            (widths[0] - (30.0 + 100.0 * 100.0 / 150.0)).abs() < 1e-3,
            "{widths:?}"
        );
        assert!((widths.iter().sum::<f32>() - 150.0).abs() < 1e-3);
    }

    #[test]
    fn longest_words_wider_than_the_measure_shrink_in_proportion() {
        let widths = column_widths(&[100.0, 100.0], &[150.0, 120.0], 100.0);
        assert_eq!(widths, [50.0, 50.0]);
    }
}
