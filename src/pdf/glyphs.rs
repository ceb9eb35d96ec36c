//! A run's glyphs as krilla draws them, positioned in whole thousandths of an em.
//!
//! PDF shows a run with one `TJ` array: glyph codes, and between them a number wherever a
//! glyph's advance differs from the font's (kerning, letter spacing, a stretched space), in
//! thousandths of the font size. The typesetter's advances are exact reals, so written as they
//! come every such number is a nine-digit decimal (`-1.1059265`, and `8.0000305` for a kern of
//! 8), noise included: in a novel these digits were 40 % of the content streams. pdfTeX writes
//! whole thousandths and carries what it rounds off to the next glyph; so do we, and the novel's
//! PDF is 15 % smaller. No glyph is ever more than half a thousandth of an em (0.006 pt at 11 pt)
//! from where the typesetter put it, and the run's end no further, except where `f32`
//! arithmetic cannot write the nearest whole number and the next one is taken (then up to one
//! and a half thousandths).

use crate::typeset::GlyphRun;
use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::ttf_parser;

/// The font's own advance of each glyph, as krilla reads it, in ems (a table: a book looks
/// one up for every glyph it prints).
pub struct Advances(Vec<f32>);

impl Advances {
    /// The advances of face `index` of a font file.
    pub fn new(data: &[u8], index: u32) -> Option<Self> {
        let face = ttf_parser::Face::parse(data, index).ok()?;
        let units_per_em = f32::from(face.units_per_em());
        let em = (0..face.number_of_glyphs())
            .map(|id| match face.glyph_hor_advance(ttf_parser::GlyphId(id)) {
                Some(units) => f32::from(units) / units_per_em,
                None => f32::NAN,
            })
            .collect();
        Some(Advances(em))
    }

    fn em(&self, id: u16) -> Option<f32> {
        self.0.get(usize::from(id)).copied().filter(|a| !a.is_nan())
    }
}

/// The run's glyphs for krilla, into `out`, each advance chosen so the number krilla writes
/// after it is a whole number of thousandths (or nothing).
pub fn krilla_glyphs(run: &GlyphRun, advances: &Advances, out: &mut Vec<KrillaGlyph>) {
    // What the rounding has left out so far, in thousandths of an em.
    let mut carry = 0.0f64;
    out.clear();
    out.extend(run.glyphs.iter().map(|g| {
        let exact = g.advance / run.size;
        let x_advance = match advances.em(g.id) {
            Some(natural) => {
                let wanted = (f64::from(exact) - f64::from(natural)) * 1000.0 + carry;
                let advance = advance_for(natural, wanted);
                carry = wanted + f64::from(written(advance, natural));
                advance
            }
            None => exact,
        };
        KrillaGlyph {
            glyph_id: GlyphId::new(u32::from(g.id)),
            text_range: g.text_range(),
            x_advance,
            x_offset: g.x_offset / run.size,
            y_offset: g.y_offset / run.size,
            y_advance: 0.0,
            location: None,
        }
    }));
}

/// The number krilla 0.8 writes into the `TJ` array after a glyph of natural advance `natural`
/// drawn with advance `advance` (both in ems), computed in `f32` step by step as
/// `ContentBuilder::encode_glyphs_with_individual_positioning` does for CID fonts (1,000 units
/// per em).
fn written(advance: f32, natural: f32) -> f32 {
    let adjustment = advance * 1000.0 - natural * 1000.0;
    -(adjustment / 1000.0 * 1000.0)
}

/// The advance (ems) that makes krilla write the whole number of thousandths nearest to
/// `wanted`. `f32` steps cannot reach every whole number (at 127 the product `127 / 1000 *
/// 1000` itself is off, and near some advances every other `f32` is skipped), so the next
/// nearest are tried too, and failing those the advance nearest to the real answer is taken:
/// its number is a decimal, but still where it should be.
fn advance_for(natural: f32, wanted: f64) -> f32 {
    // Most glyphs sit at the font's own advance: no search for them.
    if wanted.abs() < 0.5 {
        return natural;
    }
    // Rounded half away from zero, as `f64::round` (a library call) would.
    let nearest = (wanted + 0.5f64.copysign(wanted)) as i64 as f64;
    let away = if wanted >= nearest { 1.0 } else { -1.0 };
    [nearest, nearest + away, nearest - away]
        .into_iter()
        .find_map(|k| exact_advance(natural, k as f32))
        .unwrap_or_else(|| guess(natural, nearest as f32))
}

/// The nearest `f32` to the real advance whose number is `-thousandths`.
fn guess(natural: f32, thousandths: f32) -> f32 {
    ((f64::from(natural) * 1000.0 + f64::from(thousandths)) / 1000.0) as f32
}

/// The advance (ems) for which krilla writes exactly `-thousandths` after the glyph (nothing
/// for 0): the guess, or the `f32` on either side of it. Multiplied by 1,000 these land on
/// every `f32` near the target or on every other one, so if none of the three gives the
/// number, no advance does.
fn exact_advance(natural: f32, thousandths: f32) -> Option<f32> {
    if thousandths == 0.0 {
        return Some(natural);
    }
    let start = guess(natural, thousandths);
    [start, start.next_up(), start.next_down()]
        .into_iter()
        .find(|&candidate| written(candidate, natural) == -thousandths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::Glyph;

    fn run(advances: &[f32]) -> GlyphRun {
        GlyphRun {
            font: 0,
            size: 11.0,
            x: 0.0,
            y: 0.0,
            scale: 1.0,
            glyphs: advances
                .iter()
                .map(|&advance| Glyph {
                    id: 20,
                    advance,
                    x_offset: 0.0,
                    y_offset: 0.0,
                    text: 0..1,
                })
                .collect(),
            text: "x".repeat(advances.len()),
        }
    }

    #[test]
    fn every_written_number_is_whole_and_no_glyph_drifts() {
        let face = crate::fonts::body(false, false);
        let advances = Advances::new(face.data, 0).unwrap();
        let natural = advances.em(20).unwrap();
        // Letter spacing of 1.1059 thousandths, a kern of -7, a space stretched by 4.1988.
        let extra = [
            1.1059265, -7.0, 4.198776, 0.0, 1.1059265, 1.1059265, 0.3, 0.3, 0.3,
        ];
        let exact: Vec<f32> = extra
            .iter()
            .map(|e| (natural + e / 1000.0) * 11.0)
            .collect();
        let mut glyphs = Vec::new();
        krilla_glyphs(&run(&exact), &advances, &mut glyphs);
        let (mut drawn, mut wanted) = (0.0f64, 0.0f64);
        for (g, e) in glyphs.iter().zip(&exact) {
            let number = written(g.x_advance, natural);
            assert_eq!(number, number.round(), "{number} is not whole");
            drawn += f64::from(natural) * 1000.0 - f64::from(number);
            wanted += f64::from(*e) / 11.0 * 1000.0;
            assert!((drawn - wanted).abs() <= 1.5 + 1e-3, "{drawn} vs {wanted}");
        }
    }

    #[test]
    fn whole_numbers_are_written_for_nearly_every_advance_of_the_body_face() {
        let face = crate::fonts::body(false, false);
        let advances = Advances::new(face.data, 0).unwrap();
        let (mut tried, mut whole) = (0, 0);
        for id in 1..400u16 {
            let Some(natural) = advances.em(id) else {
                continue;
            };
            for tenths in -1500..=1500 {
                let wanted = f64::from(tenths) / 10.0;
                let number = -f64::from(written(advance_for(natural, wanted), natural));
                assert!(
                    (number - wanted).abs() <= 1.5,
                    "glyph {id}, {wanted} → {number}"
                );
                tried += 1;
                whole += usize::from(number == number.round());
            }
        }
        assert!(whole * 100 >= tried * 95, "{whole} of {tried}");
        eprintln!("{whole} of {tried} whole");
    }
}
