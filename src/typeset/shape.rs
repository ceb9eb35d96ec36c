//! Shaping: text in a style becomes positioned glyphs, with kerning and ligatures from the
//! font's OpenType tables (rustybuzz), and every glyph remembers which bytes of the text it
//! stands for so that the PDF can map ligatures and hyphenated words back to their text.

use crate::fonts::FontFace;
use std::cell::{OnceCell, RefCell};
// Shaped words are looked up once per word of the text: a fast hash beats SipHash here.
use rustc_hash::FxHashMap as HashMap;

/// Index into [`FontSet::faces`]; also the font id in the layout.
pub type FontId = usize;

pub const MONO: FontId = 4;
pub const FALLBACK: FontId = 5;

/// The first of the four sans faces (regular, italic, bold, bold italic), after the main
/// family's four, the monospace and the fallback.
pub const SANS: FontId = 6;

/// The style a run of text asks for; the face is picked from it per character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FontStyle {
    pub italic: bool,
    pub bold: bool,
    pub mono: bool,
    /// The style's sans family (headings in some themes).
    pub sans: bool,
}

impl FontStyle {
    /// The face the style prefers.
    pub fn preferred(self) -> FontId {
        let variant = usize::from(self.italic) + 2 * usize::from(self.bold);
        if self.mono {
            MONO
        } else if self.sans {
            SANS + variant
        } else {
            variant
        }
    }
}

/// One shaped glyph; advances and offsets are in em (divide by units per em done).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapedGlyph {
    pub id: u16,
    pub advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// Byte offset in the shaped text where this glyph's cluster starts.
    pub cluster: usize,
}

/// The parsed faces, loaded once per typesetting run.
///
/// Running text repeats the same words over and over, so shaped words are kept: a book shapes
/// each distinct word once per face. Shape plans (the font's lookups compiled for a script) are
/// kept too, as compiling one costs more than shaping a word.
pub struct FontSet {
    /// The bytes and index of each face, parsed into `faces` when first used: a run sets most
    /// text in three or four faces of the twenty or so it may fall back to.
    list: Vec<(&'static [u8], u32)>,
    /// An earlier face with the same bytes (a project's copy of a shipped font): parsed once.
    same: Vec<Option<FontId>>,
    faces: Vec<OnceCell<rustybuzz::Face<'static>>>,
    /// Faces that have every printable ASCII character (a project's font may not).
    ascii: Vec<OnceCell<bool>>,
    /// Family, italic and bold of each face, to pick the fallback face that matches a style.
    styles: Vec<(&'static str, bool, bool)>,
    /// Where characters the style's face lacks are looked for, in order: the project's faces,
    /// the shipped fallback, the shipped script faces, the body and monospace faces, then the
    /// system's faces (`system-fonts: true`).
    fallbacks: Vec<FontId>,
    /// The fallback answer per character and style, worked out once.
    found: RefCell<HashMap<(char, FontId), Option<FontId>>>,
    /// Per face and direction (left to right, right to left): text → glyphs (looked up by
    /// `&str`, so a hit allocates nothing).
    shaped: RefCell<Vec<HashMap<String, Vec<ShapedGlyph>>>>,
    plans: RefCell<PlanCache>,
}

type PlanCache = HashMap<(FontId, rustybuzz::Direction, rustybuzz::Script), rustybuzz::ShapePlan>;

impl FontSet {
    /// The faces in [`FontId`] order; each has been parsed once already (bundled faces by a
    /// test, project faces when they were read), so parsing one here cannot fail.
    pub fn new(list: &[FontFace]) -> Self {
        let same = (0..list.len())
            .map(|n| {
                let f = &list[n];
                list[..n].iter().position(|e| {
                    e.index == f.index && (std::ptr::eq(e.data, f.data) || e.data == f.data)
                })
            })
            .collect();
        let faces = list.iter().map(|_| OnceCell::new()).collect();
        let ascii = list.iter().map(|_| OnceCell::new()).collect();
        let styles = list.iter().map(|f| (f.family, f.italic, f.bold)).collect();
        let extra = SANS + 4..list.len();
        let fallbacks = extra
            .clone()
            .filter(|&f| !list[f].bundled && !list[f].system)
            .chain([FALLBACK])
            .chain(extra.clone().filter(|&f| list[f].bundled))
            .chain([0, MONO])
            .chain(extra.filter(|&f| list[f].system))
            .filter(|&f| f < list.len())
            .collect();
        let shaped = RefCell::new(vec![HashMap::default(); 2 * list.len()]);
        FontSet {
            list: list.iter().map(|f| (f.data, f.index)).collect(),
            same,
            faces,
            ascii,
            styles,
            fallbacks,
            found: RefCell::new(HashMap::default()),
            shaped,
            plans: RefCell::new(HashMap::default()),
        }
    }

    /// The parsed face `font`.
    fn face(&self, font: FontId) -> &rustybuzz::Face<'static> {
        self.faces[font].get_or_init(|| match self.same[font] {
            Some(earlier) => self.face(earlier).clone(),
            None => {
                let (data, index) = self.list[font];
                rustybuzz::Face::from_slice(data, index).expect("font parsed before")
            }
        })
    }

    pub fn has_glyph(&self, font: FontId, c: char) -> bool {
        self.face(font).glyph_index(c).is_some()
    }

    /// Whether `font` has every printable ASCII character.
    fn has_ascii(&self, font: FontId) -> bool {
        *self.ascii[font].get_or_init(|| (' '..='~').all(|c| self.has_glyph(font, c)))
    }

    /// The face that draws `c` in `style`: the style's own face, else the first fallback
    /// that has it (in the style's weight and slant where its family has them); `None` when
    /// no face has the character.
    pub fn face_for(&self, style: FontStyle, c: char) -> Option<FontId> {
        let preferred = style.preferred();
        // Most faces cover printable ASCII: no need to look it up.
        if matches!(c, '\n' | '\t')
            || ((' '..='~').contains(&c) && self.has_ascii(preferred))
            || self.has_glyph(preferred, c)
        {
            return Some(preferred);
        }
        if let Some(&found) = self.found.borrow().get(&(c, preferred)) {
            return found;
        }
        let first = self
            .fallbacks
            .iter()
            .copied()
            .find(|&f| self.has_glyph(f, c));
        let found = first.map(|first| {
            let family = self.styles[first].0;
            self.fallbacks
                .iter()
                .copied()
                .filter(|&f| self.styles[f].0 == family && self.has_glyph(f, c))
                .min_by_key(|&f| {
                    let (_, italic, bold) = self.styles[f];
                    2 * u8::from(bold != style.bold) + u8::from(italic != style.italic)
                })
                .unwrap_or(first)
        });
        self.found.borrow_mut().insert((c, preferred), found);
        found
    }

    /// The faces tried for a character in `style`, for messages.
    pub fn tried(&self, style: FontStyle) -> impl Iterator<Item = FontId> + '_ {
        let preferred = style.preferred();
        std::iter::once(preferred).chain(
            self.fallbacks
                .iter()
                .copied()
                .filter(move |&f| f != preferred),
        )
    }

    /// The space glyph of a face, drawn between words so that extracted text has spaces.
    pub fn space_glyph(&self, font: FontId) -> u16 {
        self.face(font).glyph_index(' ').map_or(0, |g| g.0)
    }

    /// Shapes `text` left to right with one face (labels, tests).
    pub fn shape(&self, text: &str, font: FontId) -> Vec<ShapedGlyph> {
        let mut glyphs = Vec::new();
        self.shape_into(text, font, false, &mut glyphs);
        glyphs
    }

    /// Shapes `text` with one face in one direction (the bidi level of the run), in its script
    /// (so Arabic letters join, Devanagari forms its conjuncts), appending the glyphs to `out`
    /// in visual order: a run already shaped costs a lookup and a copy, no allocation.
    /// Zero-width control characters are dropped by the shaper's default-ignorable handling.
    pub fn shape_into(&self, text: &str, font: FontId, rtl: bool, out: &mut Vec<ShapedGlyph>) {
        let cache = 2 * font + usize::from(rtl);
        if let Some(glyphs) = self.shaped.borrow()[cache].get(text) {
            out.extend_from_slice(glyphs);
            return;
        }
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        let face = self.face(font);
        let mut plans = self.plans.borrow_mut();
        let plan = plans
            .entry((font, buffer.direction(), buffer.script()))
            .or_insert_with(|| {
                rustybuzz::ShapePlan::new(
                    face,
                    buffer.direction(),
                    Some(buffer.script()),
                    None,
                    &[],
                )
            });
        let output = rustybuzz::shape_with_plan(face, plan, buffer);
        let upem = face.units_per_em() as f32;
        let glyphs: Vec<ShapedGlyph> = output
            .glyph_infos()
            .iter()
            .zip(output.glyph_positions())
            .map(|(info, pos)| ShapedGlyph {
                id: info.glyph_id as u16,
                advance: pos.x_advance as f32 / upem,
                x_offset: pos.x_offset as f32 / upem,
                y_offset: pos.y_offset as f32 / upem,
                cluster: info.cluster as usize,
            })
            .collect();
        out.extend_from_slice(&glyphs);
        self.shaped.borrow_mut()[cache].insert(text.to_string(), glyphs);
    }

    /// Width of `text` in em in one face, for measuring labels.
    pub fn width(&self, text: &str, font: FontId) -> f32 {
        if let Some(glyphs) = self.shaped.borrow()[2 * font].get(text) {
            return glyphs.iter().map(|g| g.advance).sum();
        }
        self.shape(text, font).iter().map(|g| g.advance).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ligatures_keep_their_cluster() {
        let fonts = FontSet::new(&crate::style::Style::default().faces.list());
        let glyphs = fonts.shape("office", 0);
        // "ffi" becomes one glyph in Libertine, so fewer glyphs than characters.
        assert!(glyphs.len() < 6);
        assert_eq!(glyphs[0].cluster, 0);
        assert!(glyphs.windows(2).all(|w| w[0].cluster <= w[1].cluster));
    }

    #[test]
    fn every_style_face_covers_printable_ascii() {
        let faces = crate::style::Style::default().faces.list();
        let fonts = FontSet::new(&faces);
        // The script faces need not: they set only what the others lack.
        for font in 0..SANS + 4 {
            for c in ' '..='~' {
                assert!(fonts.has_glyph(font, c), "face {font} lacks {c:?}");
            }
        }
    }

    #[test]
    fn characters_missing_from_the_body_fall_back() {
        let fonts = FontSet::new(&crate::style::Style::default().faces.list());
        let style = FontStyle::default();
        assert_eq!(fonts.face_for(style, 'a'), Some(0));
        assert_eq!(fonts.face_for(style, '\u{10FFFD}'), None);
    }

    #[test]
    fn scripts_fall_back_to_the_shipped_face_in_the_styles_weight() {
        let faces = crate::style::Style::default().faces.list();
        let fonts = FontSet::new(&faces);
        let bold = FontStyle {
            bold: true,
            ..FontStyle::default()
        };
        for (c, family) in [('ب', "Noto Naskh Arabic"), ('क', "Noto Serif Devanagari")] {
            let regular = fonts.face_for(FontStyle::default(), c).unwrap();
            let heavy = fonts.face_for(bold, c).unwrap();
            assert_eq!(
                (faces[regular].family, faces[regular].bold),
                (family, false)
            );
            assert_eq!((faces[heavy].family, faces[heavy].bold), (family, true));
        }
        // The style's own face comes first: Libertine has Hebrew, the monospace face has not.
        assert_eq!(fonts.face_for(FontStyle::default(), 'ש'), Some(0));
        let code = FontStyle {
            mono: true,
            ..FontStyle::default()
        };
        let hebrew = fonts.face_for(code, 'ש').unwrap();
        assert_eq!(faces[hebrew].family, "Noto Serif Hebrew");
    }
}
