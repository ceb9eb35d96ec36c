//! From inline content to set lines: the text is split into words, words into syllables where
//! they may be hyphenated, each piece is shaped, and the pieces become the boxes, glue and
//! penalties of [`knuth_plass`]. The chosen breaks are then turned into positioned glyph runs,
//! with the glue of each line stretched or shrunk to fill the measure.

use super::knuth_plass::{self, Item, Params, FILL, INFINITY};
use super::shape::{FontId, FontStyle, ShapedGlyph};
use super::{Context, Glyph, GlyphRun};
use crate::document::{AssetId, Inline, LinkTarget};
use std::ops::Range;

/// Cost of breaking at a hyphenation point (\hyphenpenalty).
const HYPHEN_PENALTY: f32 = 500.0;
/// How far word spaces may grow and shrink, as shares of their natural width.
const SPACE_STRETCH: f32 = 0.26;
const SPACE_SHRINK: f32 = 0.21;
/// Glyph expansion a justified line may use (horizontal scaling of its glyphs, as pdfTeX's
/// font expansion), as a share of the width: at most 2 % either way, microtype's default and
/// too little to see, but over a line it spares the word spaces.
const EXPAND_STRETCH: f32 = 0.02;
const EXPAND_SHRINK: f32 = 0.02;
/// Letter spacing on top of it, in em per gap between glyphs (about 4 % of a word space).
const TRACK_STRETCH: f32 = 0.011;
const TRACK_SHRINK: f32 = 0.008;
/// Cost of breaking an address after a slash or dot (no hyphen is added: it would read as part
/// of the address).
const URL_BREAK_PENALTY: f32 = 200.0;
/// How far the space between two CJK characters may grow in a justified line, in em.
const CJK_STRETCH: f32 = 0.1;
/// Where a word may break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BreakKind {
    /// A hyphenation point: a hyphen is added.
    Hyphenation,
    /// After a hyphen or dash the author wrote.
    AfterHyphen,
    /// Inside a web address, after a slash or dot.
    Address,
    /// Between any two letters of a word wider than the line, where no other break is: the
    /// last resort.
    Emergency,
    /// Between characters of scripts written without spaces (CJK), where UAX #14 allows it.
    Script,
}
/// Cost of breaking after a hyphen or dash the author wrote (\exhyphenpenalty).
const EXPLICIT_HYPHEN_PENALTY: f32 = 500.0;
/// Cost of breaking between two letters of a word wider than the line.
const EMERGENCY_BREAK_PENALTY: f32 = 1000.0;

/// A width too small to see (a hundredth of a point): sums of the same advances taken in
/// another order differ by about this much.
const HAIR: f32 = 0.01;

/// How a paragraph is set.
#[derive(Debug, Clone)]
pub struct ParagraphStyle {
    pub size: f32,
    pub font: FontStyle,
    pub measure: f32,
    /// First-line indent.
    pub indent: f32,
    pub align: Align,
    pub hyphenate: bool,
    pub lang: String,
    /// Set left to right whatever the language's direction: a code block's text is a
    /// program's, read left to right in a right-to-left book too.
    pub left_to_right: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
}

/// One set line; positions are relative to the line's start on its baseline.
#[derive(Debug, Clone, Default)]
pub struct SetLine {
    pub runs: Vec<GlyphRun>,
    /// Inline images: asset, x, top (above the baseline, negative), width, height.
    pub images: Vec<(AssetId, f32, f32, f32, f32, String)>,
    /// Link spans: start x, end x, target.
    pub links: Vec<(f32, f32, LinkTarget)>,
    /// Struck-through spans: start x, end x, height of the stroke above the baseline, weight.
    pub strikes: Vec<(f32, f32, f32, f32)>,
    /// Notes referenced from this line (indices into the chapter's notes).
    pub notes: Vec<usize>,
    /// Chars of the block's text before this line's first character.
    pub offset: usize,
    /// Width of the set material.
    pub width: f32,
    /// Where the set material starts within the measure: 0, but for centred lines and the
    /// lines of a right-to-left paragraph, which end at the measure's right. A caller that
    /// places a line by its width puts its left edge at `x` with `x - start`.
    pub start: f32,
    pub overfull: bool,
    /// The line ends with a hyphen the typesetter added.
    pub hyphenated: bool,
}

/// A stretch of text in one style.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    style: Style,
    /// Chars of the block's text before this piece; `None` for text the typesetter adds (note
    /// numbers), which does not count.
    offset: Option<usize>,
    kind: PieceKind,
}

#[derive(Debug, Clone)]
enum PieceKind {
    Text,
    Note(usize),
    Image(AssetId, String, f32),
    LineBreak,
}

#[derive(Debug, Clone, PartialEq)]
struct Style {
    font: FontStyle,
    size: f32,
    /// Baseline shift upwards, in points.
    rise: f32,
    lang: String,
    link: Option<usize>,
    /// Struck through (deleted text).
    strike: bool,
}

/// What a box or glue in the item list stands for.
#[derive(Debug, Clone)]
enum Content {
    Text(Segment),
    Image(AssetId, String, f32, f32),
    /// Inter-word space in a face (for the space glyph in the PDF text).
    Space,
    /// Glue and penalties that only steer breaking.
    Invisible,
    /// A hyphenation point: the hyphen drawn when the line breaks here.
    Hyphen(Segment),
}

/// Glyphs of one face and style, with the text they represent (both kept in the
/// paragraph's [`Store`]).
#[derive(Debug, Clone)]
struct Segment {
    font: FontId,
    size: f32,
    rise: f32,
    /// Natural width in points.
    width: f32,
    /// How far the segment may hang into the right margin when a line ends with it.
    hang: f32,
    glyphs: Range<usize>,
    text: Range<usize>,
    offset: Option<usize>,
    link: Option<usize>,
    note: Option<usize>,
    strike: bool,
    /// Bidi embedding level (odd: right to left).
    level: u8,
}

/// The glyphs and text of a paragraph's segments, stored once for the paragraph: a segment
/// is two ranges into it, so the tens of thousands of syllables of a book allocate nothing.
#[derive(Debug, Default)]
struct Store {
    glyphs: Vec<ShapedGlyph>,
    text: String,
}

impl Store {
    /// Makes a segment of the glyphs and text pushed since `glyphs` and `text` (their
    /// starts), measuring it once.
    fn segment(&self, glyphs: usize, text: usize, style: &Style, font: FontId) -> Segment {
        let shaped = &self.glyphs[glyphs..];
        let width = shaped.iter().map(|g| g.advance).sum::<f32>() * style.size;
        let hang = match (self.text[text..].chars().next_back(), shaped.last()) {
            (Some(c), Some(g)) => protrusion(c) * g.advance * style.size,
            _ => 0.0,
        };
        Segment {
            font,
            size: style.size,
            rise: style.rise,
            width,
            hang,
            glyphs: glyphs..self.glyphs.len(),
            text: text..self.text.len(),
            offset: None,
            link: style.link,
            note: None,
            strike: style.strike,
            level: 0,
        }
    }
}

impl Segment {
    fn width(&self) -> f32 {
        self.width
    }

    /// Stretch and shrink from expansion and letter spacing: only in justified text, never in
    /// code, where the columns must stay.
    fn flexibility(&self, align: Align) -> (f32, f32) {
        let f = self.parts(align);
        (f.expand.0 + f.track.0, f.expand.1 + f.track.1)
    }

    /// The same, by kind: (stretch, shrink) of expansion and of letter spacing.
    fn parts(&self, align: Align) -> Flexibility {
        if align != Align::Justify || self.font == super::shape::MONO {
            return Flexibility::default();
        }
        let width = self.width;
        let gaps = self.glyphs.len().saturating_sub(1) as f32 * self.size;
        Flexibility {
            expand: (width * EXPAND_STRETCH, width * EXPAND_SHRINK),
            track: (gaps * TRACK_STRETCH, gaps * TRACK_SHRINK),
        }
    }
}

/// A segment's stretch and shrink, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Flexibility {
    expand: (f32, f32),
    track: (f32, f32),
}

/// Sets `inlines` into lines. `offset` counts the block's chars already set and is advanced
/// past this content.
pub fn set(
    cx: &mut Context,
    inlines: &[Inline],
    style: &ParagraphStyle,
    offset: &mut usize,
) -> Vec<SetLine> {
    let (pieces, links) = pieces(cx, inlines, style, offset);
    set_pieces(cx, &pieces, &links, style)
}

/// `inlines` as runs of one style each, in `style`, and the links they hold.
fn pieces(
    cx: &mut Context,
    inlines: &[Inline],
    style: &ParagraphStyle,
    offset: &mut usize,
) -> (Vec<Piece>, Vec<LinkTarget>) {
    let mut pieces = Vec::new();
    let mut links = Vec::new();
    let base = Style {
        font: style.font,
        size: style.size,
        rise: 0.0,
        lang: style.lang.clone(),
        link: None,
        strike: false,
    };
    flatten(inlines, &base, offset, &mut pieces, &mut links, cx);
    (pieces, links)
}

/// Sets plain text (labels, titles the typesetter composes).
pub fn set_text(cx: &mut Context, text: &str, style: &ParagraphStyle) -> Vec<SetLine> {
    set(cx, &[Inline::Text(text.to_string())], style, &mut 0)
}

fn flatten(
    inlines: &[Inline],
    style: &Style,
    offset: &mut usize,
    pieces: &mut Vec<Piece>,
    links: &mut Vec<LinkTarget>,
    cx: &Context,
) {
    for inline in inlines {
        let mut nested = |content: &[Inline], s: Style, pieces: &mut Vec<Piece>, links: &mut _| {
            flatten(content, &s, offset, pieces, links, cx)
        };
        match inline {
            Inline::Text(text) => {
                pieces.push(Piece {
                    text: text.clone(),
                    style: style.clone(),
                    offset: Some(*offset),
                    kind: PieceKind::Text,
                });
                *offset += text.chars().count();
            }
            Inline::Code(text) => {
                let mut s = style.clone();
                s.font.mono = true;
                s.size *= 0.88;
                pieces.push(Piece {
                    text: text.clone(),
                    style: s,
                    offset: Some(*offset),
                    kind: PieceKind::Text,
                });
                *offset += text.chars().count();
            }
            Inline::Emphasis(c) => {
                let mut s = style.clone();
                s.font.italic = !s.font.italic;
                nested(c, s, pieces, links);
            }
            Inline::Strong(c) => {
                let mut s = style.clone();
                s.font.bold = true;
                nested(c, s, pieces, links);
            }
            Inline::Strikethrough(c) => {
                let mut s = style.clone();
                s.strike = true;
                nested(c, s, pieces, links);
            }
            Inline::Superscript(c) | Inline::Subscript(c) => {
                let mut s = style.clone();
                let up = matches!(inline, Inline::Superscript(_));
                s.rise += if up { 0.33 } else { -0.15 } * style.size;
                s.size *= 0.7;
                nested(c, s, pieces, links);
            }
            Inline::Link {
                target, content, ..
            } => {
                links.push(target.clone());
                let mut s = style.clone();
                s.link = Some(links.len() - 1);
                nested(content, s, pieces, links);
            }
            Inline::Lang { lang, content } => {
                let mut s = style.clone();
                s.lang = lang.clone();
                nested(content, s, pieces, links);
            }
            Inline::Image { asset, alt } => {
                let aspect = cx
                    .assets
                    .get(*asset)
                    .map_or(1.0, |a| a.width as f32 / a.height.max(1) as f32);
                pieces.push(Piece {
                    text: String::new(),
                    style: style.clone(),
                    offset: None,
                    kind: PieceKind::Image(*asset, alt.clone(), aspect),
                });
            }
            Inline::NoteRef(index) => {
                let mut s = style.clone();
                s.rise += 0.33 * style.size;
                s.size *= 0.7;
                s.font.italic = false;
                s.link = None;
                let number = cx.note_numbers.get(*index).copied();
                pieces.push(Piece {
                    text: number.map_or(index + 1, |n| n as usize).to_string(),
                    style: s,
                    offset: None,
                    kind: PieceKind::Note(*index),
                });
            }
            Inline::LineBreak => pieces.push(Piece {
                text: String::new(),
                style: style.clone(),
                offset: None,
                kind: PieceKind::LineBreak,
            }),
        }
    }
}

/// Spaces at which lines may break (not the no-break spaces).
fn is_break_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
        || (('\u{2000}'..='\u{200A}').contains(&c) && c != '\u{2007}')
}

/// A word being collected: parts of pieces between two spaces.
#[derive(Default)]
struct Word {
    text: String,
    /// (piece index, range in `text`, range in the piece's text).
    parts: Vec<(usize, Range<usize>, Range<usize>)>,
}

impl Word {
    /// Empties the word for the next one, keeping its buffers.
    fn clear(&mut self) {
        self.text.clear();
        self.parts.clear();
    }
}

struct Builder<'a> {
    items: Vec<Item>,
    contents: Vec<Content>,
    store: Store,
    scratch: Scratch,
    /// The last answer of [`Builder::chars_before`]: piece, byte, chars before that byte.
    counted: (usize, usize, usize),
    pieces: &'a [Piece],
    style: &'a ParagraphStyle,
    bidi: Bidi,
    /// Bidi level of each item (empty when the paragraph is all left to right).
    levels: Vec<u8>,
    /// The level of the items pushed next.
    level: u8,
}

/// The bidi levels of a paragraph's text, when it has right-to-left text or direction.
#[derive(Default)]
struct Bidi {
    /// Level per byte of the pieces' texts, one after the other; empty: all level 0.
    levels: Vec<u8>,
    /// Where each piece starts in `levels`.
    starts: Vec<usize>,
    /// The paragraph's level: 1 for a right-to-left paragraph.
    base: u8,
}

impl Bidi {
    /// Runs the Unicode bidirectional algorithm over the paragraph when it needs it: an
    /// all-left-to-right paragraph (most of a Latin book) costs a scan for right-to-left
    /// characters.
    fn new(pieces: &[Piece], rtl: bool) -> Bidi {
        let needed = rtl
            || pieces
                .iter()
                .any(|p| !p.text.is_ascii() && p.text.chars().any(is_rtl_char));
        if !needed {
            return Bidi::default();
        }
        let mut text = String::new();
        let mut starts = Vec::with_capacity(pieces.len());
        for piece in pieces {
            starts.push(text.len());
            match piece.kind {
                // An image is a neutral object; a forced line break does not end the paragraph.
                PieceKind::Image(..) => text.push('\u{FFFC}'),
                PieceKind::LineBreak => text.push('\u{2028}'),
                // Line feeds would end the bidi paragraph: they are spaces here.
                _ => text.extend(piece.text.chars().map(|c| match c {
                    '\n' | '\r' => ' ',
                    c => c,
                })),
            }
        }
        let base = unicode_bidi::Level::new(u8::from(rtl)).expect("level 0 or 1");
        let info = unicode_bidi::BidiInfo::new(&text, Some(base));
        Bidi {
            levels: info.levels.iter().map(|l| l.number()).collect(),
            starts,
            base: u8::from(rtl),
        }
    }

    fn active(&self) -> bool {
        !self.levels.is_empty()
    }

    /// The level of byte `at` of piece `piece`'s text.
    fn at(&self, piece: usize, at: usize) -> u8 {
        match self.starts.get(piece) {
            Some(start) if self.active() => {
                self.levels.get(start + at).copied().unwrap_or(self.base)
            }
            _ => self.base,
        }
    }
}

/// Characters of the right-to-left scripts and the controls that make text right to left.
fn is_rtl_char(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}'
        | '\u{FB1D}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}'
        | '\u{1E800}'..='\u{1EFFF}'
        | '\u{200F}' | '\u{202B}' | '\u{202E}' | '\u{2067}')
}

/// Characters of the scripts written without spaces between words, where lines break between
/// characters: Han, kana, Hangul, their punctuation and full-width forms.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{1100}'..='\u{11FF}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// The buffers a word is worked out in, reused from word to word.
#[derive(Default)]
struct Scratch {
    breaks: Vec<(usize, BreakKind)>,
    chars: Vec<(usize, char)>,
    /// The word's glyphs: part, glyph (cluster counted in the word), face, face run.
    glyphs: Vec<(usize, ShapedGlyph, FontId, usize)>,
    /// The word's face runs, as ranges of the word.
    runs: Vec<Range<usize>>,
    boundaries: Vec<usize>,
    /// The word's right-to-left runs, which no break may enter.
    whole: Vec<Range<usize>>,
    /// A part's runs of one face and one bidi level: start, end, face, level.
    faces: Vec<(usize, usize, FontId, u8)>,
    /// The bidi level of each of `runs`.
    levels: Vec<u8>,
    shaped: Vec<ShapedGlyph>,
}

impl Builder<'_> {
    fn push(&mut self, item: Item, content: Content) {
        self.items.push(item);
        self.contents.push(content);
        if self.bidi.active() {
            self.levels.push(self.level);
        }
    }

    /// Chars of piece `index`'s text before byte `at`. Segments come in text order, so the
    /// count goes on from the last answer for the same piece: a long paragraph is not counted
    /// again from its start for every syllable.
    fn chars_before(&mut self, index: usize, at: usize) -> usize {
        let text = &self.pieces[index].text;
        let (piece, byte, chars) = self.counted;
        let (from, before) = if piece == index && byte <= at {
            (byte, chars)
        } else {
            (0, 0)
        };
        let count = before + text[from..at].chars().count();
        self.counted = (index, at, count);
        count
    }

    /// A word space: the one at byte `at` of piece `index`.
    fn space(&mut self, cx: &Context, index: usize, at: usize) {
        if matches!(self.items.last(), None | Some(Item::Glue { .. })) {
            return;
        }
        let piece = &self.pieces[index];
        self.level = self.bidi.at(index, at);
        let font = piece.style.font.preferred();
        let width = cx.fonts.width(" ", font) * piece.style.size;
        match self.style.align {
            Align::Justify => self.push(
                Item::Glue {
                    width,
                    stretch: width * SPACE_STRETCH,
                    shrink: width * SPACE_SHRINK,
                },
                Content::Space,
            ),
            // Ragged lines: the break carries the stretch, the space itself is rigid.
            Align::Left | Align::Center => {
                let rag = 3.0 * self.style.size;
                self.push(
                    Item::Glue {
                        width: 0.0,
                        stretch: rag,
                        shrink: 0.0,
                    },
                    Content::Invisible,
                );
                self.push(
                    Item::Penalty {
                        width: 0.0,
                        cost: 0.0,
                        flagged: false,
                    },
                    Content::Invisible,
                );
                self.push(
                    Item::Glue {
                        width,
                        stretch: -rag,
                        shrink: 0.0,
                    },
                    Content::Space,
                );
            }
        }
    }

    /// Ends the paragraph or a forced line: \penalty10000 \hfil \penalty-10000.
    fn forced_break(&mut self) {
        if matches!(self.items.last(), Some(Item::Glue { .. })) {
            self.items.pop();
            self.contents.pop();
            self.levels.pop();
        }
        self.level = self.bidi.base;
        self.push(
            Item::Penalty {
                width: 0.0,
                cost: INFINITY,
                flagged: false,
            },
            Content::Invisible,
        );
        self.push(
            Item::Glue {
                width: 0.0,
                stretch: FILL,
                shrink: 0.0,
            },
            Content::Invisible,
        );
        self.push(
            Item::Penalty {
                width: 0.0,
                cost: -INFINITY,
                flagged: false,
            },
            Content::Invisible,
        );
    }

    /// Shapes a word and adds it as boxes with penalties at its break points.
    fn word(&mut self, cx: &mut Context, word: &Word) {
        if word.parts.is_empty() {
            return;
        }
        // The buffers leave `self` while the word is built, so that `self` stays free to push.
        let mut s = std::mem::take(&mut self.scratch);
        let pieces = self.pieces;
        let first = &pieces[word.parts[0].0];
        s.breaks.clear();
        let shapeable = word.parts.iter().all(|(p, ..)| !pieces[*p].style.font.mono);
        // Indic scripts break at spaces only.
        let indic = !word.text.is_ascii()
            && word
                .text
                .chars()
                .any(|c| ('\u{0900}'..='\u{0DFF}').contains(&c));
        if self.style.hyphenate && shapeable && !indic {
            let found = cx.hyphenator.breaks(&word.text, &first.style.lang);
            s.breaks
                .extend(found.iter().map(|&b| (b, BreakKind::Hyphenation)));
        }
        // After a hyphen or dash the author wrote, with letters on both sides.
        s.chars.clear();
        s.chars.extend(word.text.char_indices());
        for w in s.chars.windows(3) {
            if matches!(w[1].1, '-' | '‐' | '–' | '—')
                && w[0].1.is_alphanumeric()
                && w[2].1.is_alphanumeric()
            {
                s.breaks.push((w[2].0, BreakKind::AfterHyphen));
            }
        }
        if !word.text.is_ascii() && word.text.chars().any(is_cjk) {
            s.breaks.extend(
                unicode_linebreak::linebreaks(&word.text)
                    .filter(|&(at, _)| at < word.text.len())
                    .map(|(at, _)| (at, BreakKind::Script)),
            );
        }
        if word.text.contains("://") || word.text.starts_with("www.") {
            for w in s.chars.windows(2) {
                if matches!(w[0].1, '/' | '.' | '?' | '&' | '=') && w[1].1 != '/' {
                    s.breaks.push((w[1].0, BreakKind::Address));
                }
            }
        }
        s.breaks.sort_unstable();
        s.breaks.dedup_by_key(|b| b.0);

        // Shape each part in the faces its characters need; each (part, face) run remembers
        // its range of the word.
        s.glyphs.clear();
        s.runs.clear();
        s.boundaries.clear();
        s.whole.clear();
        s.levels.clear();
        for (part, (piece_index, word_range, piece_range)) in word.parts.iter().enumerate() {
            let piece = &pieces[*piece_index];
            let text = &piece.text[piece_range.clone()];
            let level = |at: usize| self.bidi.at(*piece_index, piece_range.start + at);
            face_runs(cx, text, piece.style.font, &level, &mut s.faces);
            for &(run_start, run_end, font, level) in &s.faces {
                let range = word_range.start + run_start..word_range.start + run_end;
                s.shaped.clear();
                let rtl = level % 2 == 1;
                cx.fonts
                    .shape_into(&text[run_start..run_end], font, rtl, &mut s.shaped);
                // Right-to-left runs keep whole: their clusters descend and no break applies.
                if rtl {
                    s.whole.push(range.clone());
                }
                s.levels.push(level);
                s.boundaries.push(range.start);
                for &g in &s.shaped {
                    let g = ShapedGlyph {
                        cluster: g.cluster + range.start,
                        ..g
                    };
                    s.boundaries.push(g.cluster);
                    s.glyphs.push((part, g, font, s.runs.len()));
                }
                s.runs.push(range);
            }
        }
        // A break inside a ligature would split one glyph, one inside a right-to-left run
        // would reorder it: drop them (by binary search, as a word may be very long).
        s.boundaries.sort_unstable();
        let (boundaries, whole) = (&s.boundaries, &s.whole);
        s.breaks
            .retain(|&(b, _)| boundaries.binary_search(&b).is_ok() && !inside(whole, b));
        self.emergency_breaks(cx, word, &mut s);

        let glyphs = &s.glyphs;
        let mut next_break = 0;
        let mut i = 0;
        while i < glyphs.len() {
            let (part, _, font, run) = glyphs[i];
            let limit = s.breaks.get(next_break).map_or(usize::MAX, |b| b.0);
            let mut j = i;
            while j < glyphs.len() && glyphs[j].3 == run && glyphs[j].1.cluster < limit {
                j += 1;
            }
            if j == i {
                // At a break point: emit the penalty, then continue with the next syllable.
                let (_, kind) = s.breaks[next_break];
                next_break += 1;
                self.level = s.levels[run];
                self.break_point(cx, &pieces[word.parts[part].0], kind);
                continue;
            }
            let (piece_index, word_range, piece_range) = &word.parts[part];
            let piece = &pieces[*piece_index];
            // The segment's text: from its first cluster to the next segment's of the same run,
            // or to the run's end.
            let start = glyphs[i..j].iter().map(|g| g.1.cluster).min().unwrap_or(0);
            let end = if j < glyphs.len() && glyphs[j].3 == run {
                glyphs[j].1.cluster
            } else {
                s.runs[run].end
            };
            let (glyph_start, text_start) = (self.store.glyphs.len(), self.store.text.len());
            self.store
                .glyphs
                .extend(glyphs[i..j].iter().map(|g| ShapedGlyph {
                    cluster: g.1.cluster - start,
                    ..g.1
                }));
            self.store.text.push_str(&word.text[start..end]);
            let mut segment = self
                .store
                .segment(glyph_start, text_start, &piece.style, font);
            segment.level = s.levels[run];
            self.level = segment.level;
            let in_piece = piece_range.start + (start - word_range.start);
            if let Some(offset) = piece.offset {
                segment.offset = Some(offset + self.chars_before(*piece_index, in_piece));
            }
            if let PieceKind::Note(n) = piece.kind {
                segment.note = Some(n);
            }
            let (stretch, shrink) = segment.flexibility(self.style.align);
            self.push(
                Item::Box {
                    width: segment.width,
                    stretch,
                    shrink,
                },
                Content::Text(segment),
            );
            i = j;
        }
        self.scratch = s;
    }

    /// Where a stretch of the word between two breaks is wider than the line, lets it break
    /// before any glyph cluster in it (none inside a right-to-left run), with a warning: the
    /// line would otherwise run into the margin, or off the page.
    fn emergency_breaks(&mut self, cx: &mut Context, word: &Word, s: &mut Scratch) {
        let size = |part: usize| self.pieces[word.parts[part].0].style.size;
        let total: f32 = s.glyphs.iter().map(|g| g.1.advance * size(g.0)).sum();
        // A word exactly as wide as the line (a table's column is as wide as its longest
        // word) may sum here to a hair more than the column did: that is not wider.
        let measure = self.style.measure + HAIR;
        if total <= measure {
            return;
        }
        let mut added = Vec::new();
        let mut stretch_start = 0;
        let mut width = 0.0;
        let mut next = 0;
        let flush = |from: usize, to: usize, width: f32, added: &mut Vec<(usize, BreakKind)>| {
            if width <= measure {
                return;
            }
            let mut last = None;
            for g in &s.glyphs[from..to] {
                let at = g.1.cluster;
                if last.is_some_and(|l| at > l) && !inside(&s.whole, at) {
                    added.push((at, BreakKind::Emergency));
                }
                last = Some(last.map_or(at, |l: usize| l.max(at)));
            }
        };
        for (k, g) in s.glyphs.iter().enumerate() {
            if s.breaks.get(next).is_some_and(|b| g.1.cluster >= b.0) {
                while s.breaks.get(next).is_some_and(|b| g.1.cluster >= b.0) {
                    next += 1;
                }
                flush(stretch_start, k, width, &mut added);
                stretch_start = k;
                width = 0.0;
            }
            width += g.1.advance * size(g.0);
        }
        flush(stretch_start, s.glyphs.len(), width, &mut added);
        if added.is_empty() {
            return;
        }
        let chars = word.text.chars().count();
        let shown: String = word.text.chars().take(24).collect();
        let more = if chars > 24 { "…" } else { "" };
        cx.warn(
            "long-word",
            format!(
                "a word of {chars} characters (“{shown}{more}”) is wider than the line: it is broken between letters"
            ),
        );
        s.breaks.extend(added);
        s.breaks.sort_unstable();
        s.breaks.dedup_by_key(|b| b.0);
    }

    fn break_point(&mut self, cx: &Context, piece: &Piece, kind: BreakKind) {
        let (cost, flagged) = match kind {
            BreakKind::Hyphenation => (HYPHEN_PENALTY, true),
            BreakKind::AfterHyphen => (EXPLICIT_HYPHEN_PENALTY, true),
            BreakKind::Address => (URL_BREAK_PENALTY, false),
            BreakKind::Emergency => (EMERGENCY_BREAK_PENALTY, false),
            BreakKind::Script => (0.0, false),
        };
        // Justified CJK lines take up their slack between the characters.
        if kind == BreakKind::Script && self.style.align == Align::Justify {
            self.push(
                Item::Glue {
                    width: 0.0,
                    stretch: CJK_STRETCH * piece.style.size,
                    shrink: 0.0,
                },
                Content::Invisible,
            );
            return;
        }
        if kind != BreakKind::Hyphenation {
            self.push(
                Item::Penalty {
                    width: 0.0,
                    cost,
                    flagged,
                },
                Content::Invisible,
            );
            return;
        }
        let font = piece.style.font.preferred();
        let (glyphs, text) = (self.store.glyphs.len(), self.store.text.len());
        cx.fonts
            .shape_into("-", font, false, &mut self.store.glyphs);
        self.store.text.push('-');
        let mut hyphen = self.store.segment(glyphs, text, &piece.style, font);
        hyphen.level = self.level;
        self.push(
            Item::Penalty {
                width: hyphen.width,
                cost,
                flagged: true,
            },
            Content::Hyphen(hyphen),
        );
    }
}

/// Whether `at` falls strictly inside one of `ranges` (in order, disjoint).
fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= at);
    ranges.get(i).is_some_and(|r| r.start < at)
}

/// Splits `text` into runs of one face (the one each character needs) and one bidi level
/// (`level` of a byte), into `runs`; reports characters no face has.
fn face_runs(
    cx: &mut Context,
    text: &str,
    style: FontStyle,
    level: &dyn Fn(usize) -> u8,
    runs: &mut Vec<(usize, usize, FontId, u8)>,
) {
    runs.clear();
    for (i, c) in text.char_indices() {
        let level = level(i);
        // Marks and joiners stay with their base character, in its face.
        if let Some(run) = runs.last_mut().filter(|r| r.3 == level && is_mark(c)) {
            run.1 = i + c.len_utf8();
            continue;
        }
        let font = match cx.fonts.face_for(style, c) {
            Some(font) => font,
            None => {
                cx.missing_glyph(c, style);
                style.preferred()
            }
        };
        match runs.last_mut() {
            Some(run) if run.2 == font && run.3 == level => run.1 = i + c.len_utf8(),
            _ => runs.push((i, i + c.len_utf8(), font, level)),
        }
    }
}

/// Combining marks, variation selectors and joiners: they belong to the character before.
fn is_mark(c: char) -> bool {
    !c.is_ascii()
        && (matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
            || unicode_bidi::bidi_class(c) == unicode_bidi::BidiClass::NSM)
}

fn set_pieces(
    cx: &mut Context,
    pieces: &[Piece],
    links: &[LinkTarget],
    style: &ParagraphStyle,
) -> Vec<SetLine> {
    let b = items(cx, pieces, style);
    lines(cx, &b, links, style)
}

/// The lines a paragraph's items break into.
fn lines(
    cx: &mut Context,
    b: &Builder,
    links: &[LinkTarget],
    style: &ParagraphStyle,
) -> Vec<SetLine> {
    if b.items.len() == 3 + usize::from(style.indent > 0.0) {
        return Vec::new();
    }
    let params = Params::default();
    let hang = if style.align == Align::Justify {
        hangs(&b.items, &b.contents)
    } else {
        Vec::new()
    };
    let breaks = knuth_plass::break_lines(&b.items, &hang, style.measure, &params);
    materialize(b, &breaks, links, style, cx)
}

/// How wide `inlines` are, set in `style` at any measure: `(natural, least)`, the widest of
/// their lines when no line is broken but where the text breaks them, and the widest thing no
/// line can break (the longest word, or part of a word between hyphens). A table's column is
/// as wide as its cells' natural width when there is room, and never narrower than their
/// least, else a word would be broken between letters.
pub fn widths(cx: &mut Context, inlines: &[Inline], style: &ParagraphStyle) -> (f32, f32) {
    // At an unbounded measure no word is wider than the line, so none is broken by force.
    let unbounded = ParagraphStyle {
        measure: f32::MAX / 4.0,
        ..style.clone()
    };
    let (pieces, links) = pieces(cx, inlines, &unbounded, &mut 0);
    let b = items(cx, &pieces, &unbounded);
    let natural = lines(cx, &b, &links, &unbounded)
        .iter()
        .map(|l| l.width)
        .fold(0.0, f32::max);
    (natural, widest_unbreakable(&b.items))
}

/// The widest run of `items` with no break in it.
fn widest_unbreakable(items: &[Item]) -> f32 {
    let (mut widest, mut run) = (0.0f32, 0.0f32);
    for (i, item) in items.iter().enumerate() {
        match *item {
            Item::Box { width, .. } => run += width,
            // Glue is a break only after a box (a no-break space is glue after a penalty
            // that forbids the break).
            Item::Glue { width, .. } if i == 0 || !matches!(items[i - 1], Item::Box { .. }) => {
                run += width
            }
            Item::Glue { .. } => {
                widest = widest.max(run);
                run = 0.0;
            }
            // A break: what the line would end with (a hyphen) counts.
            Item::Penalty { width, cost, .. } if cost < INFINITY => {
                widest = widest.max(run + width);
                run = 0.0;
            }
            Item::Penalty { .. } => {}
        }
    }
    widest.max(run)
}

/// The boxes, glue and penalties of a paragraph, with what each stands for.
fn items<'a>(cx: &mut Context, pieces: &'a [Piece], style: &'a ParagraphStyle) -> Builder<'a> {
    // About one box, glue or penalty per two bytes of text, and at most a glyph per byte
    // plus the hyphens: sized once, not regrown.
    let bytes = pieces.iter().map(|p| p.text.len()).sum::<usize>();
    let mut b = Builder {
        items: Vec::with_capacity(bytes / 2 + 8),
        contents: Vec::with_capacity(bytes / 2 + 8),
        store: Store {
            glyphs: Vec::with_capacity(bytes + bytes / 8),
            text: String::with_capacity(bytes + bytes / 8),
        },
        scratch: Scratch::default(),
        counted: (usize::MAX, 0, 0),
        pieces,
        style,
        bidi: Bidi::new(
            pieces,
            !style.left_to_right && crate::lang::is_rtl(&style.lang),
        ),
        levels: Vec::new(),
        level: 0,
    };
    b.level = b.bidi.base;
    if style.indent > 0.0 {
        b.push(
            Item::Box {
                width: style.indent,
                stretch: 0.0,
                shrink: 0.0,
            },
            Content::Invisible,
        );
    }
    let mut word = Word::default();
    for (index, piece) in pieces.iter().enumerate() {
        match &piece.kind {
            PieceKind::LineBreak => {
                b.word(cx, &word);
                word.clear();
                b.forced_break();
            }
            PieceKind::Image(asset, alt, aspect) => {
                b.word(cx, &word);
                word.clear();
                b.level = b.bidi.at(index, 0);
                let height = piece.style.size;
                let width = height * aspect;
                b.push(
                    Item::Box {
                        width,
                        stretch: 0.0,
                        shrink: 0.0,
                    },
                    Content::Image(*asset, alt.clone(), width, height),
                );
            }
            PieceKind::Text | PieceKind::Note(_) => {
                let mut start = 0;
                for (i, c) in piece.text.char_indices() {
                    if is_break_space(c) {
                        if i > start {
                            add_part(&mut word, index, &piece.text, start..i);
                        }
                        b.word(cx, &word);
                        word.clear();
                        b.space(cx, index, i);
                        start = i + c.len_utf8();
                    }
                }
                if start < piece.text.len() {
                    add_part(&mut word, index, &piece.text, start..piece.text.len());
                }
            }
        }
    }
    b.word(cx, &word);
    b.forced_break();
    b
}

/// How far a line ending at each item may hang into the margin: the protruding part of the
/// last glyph before a space, or of the hyphen at a hyphenation point.
fn hangs(items: &[Item], contents: &[Content]) -> Vec<f32> {
    let last_glyph = |content: &Content| match content {
        Content::Text(segment) | Content::Hyphen(segment) => Some(segment.hang),
        _ => None,
    };
    (0..items.len())
        .map(|i| match items[i] {
            Item::Glue { .. } if i > 0 => last_glyph(&contents[i - 1]).unwrap_or(0.0),
            Item::Penalty { .. } => last_glyph(&contents[i]).unwrap_or(0.0),
            _ => 0.0,
        })
        .collect()
}

/// Share of a glyph's width that hangs into the right margin at the end of a line (after
/// microtype's defaults): light marks hang more, so the edge looks straight to the eye.
fn protrusion(c: char) -> f32 {
    match c {
        '-' | '‐' | '.' | ',' => 0.7,
        '’' | '”' | '\'' | '"' => 0.5,
        ':' | ';' | '–' => 0.3,
        '!' | '?' | '—' | '»' | '›' => 0.2,
        _ => 0.0,
    }
}

fn add_part(word: &mut Word, piece: usize, text: &str, range: Range<usize>) {
    let start = word.text.len();
    word.text.push_str(&text[range.clone()]);
    word.parts.push((piece, start..word.text.len(), range));
}

/// Turns breaks into positioned runs.
fn materialize(
    paragraph: &Builder,
    breaks: &[knuth_plass::Break],
    links: &[LinkTarget],
    style: &ParagraphStyle,
    cx: &Context,
) -> Vec<SetLine> {
    let (items, contents, store) = (&paragraph.items, &paragraph.contents, &paragraph.store);
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = 0;
    let mut last_offset = 0;
    for brk in breaks {
        // Skip what the previous break discarded.
        while start < brk.position
            && !matches!(items[start], Item::Box { .. })
            && !matches!(items[start], Item::Penalty { cost, .. } if cost <= -INFINITY)
        {
            start += 1;
        }
        let shares = if style.align == Align::Justify {
            Shares::of_line(
                &items[start..brk.position],
                &contents[start..brk.position],
                brk.ratio,
                style.align,
            )
        } else {
            Shares::default()
        };
        let mut line = SetLine {
            overfull: brk.overfull,
            offset: last_offset,
            ..SetLine::default()
        };
        let mut x = 0.0;
        let mut pending_space = 0.0;
        let mut first_text = true;
        // Glyphs and bytes of text still to place on the line: a run starts with room for
        // them all, so a line's glyphs are stored once, never regrown (most lines are one run).
        let mut left = line_size(&contents[start..=brk.position]);
        let mut place = |line: &mut SetLine, segment: &Segment, f: &Flexibility, x, space| {
            let (scale, track) = shares.adjustment(f, segment.size);
            // The line's first character in reading order: the leftmost one unless the line
            // was reordered.
            if let Some(offset) = segment.offset {
                line.offset = if first_text {
                    offset
                } else {
                    line.offset.min(offset)
                };
                first_text = false;
            }
            if let Some(note) = segment.note {
                line.notes.push(note);
            }
            if let Some(link) = segment.link {
                let gaps = segment.glyphs.len().saturating_sub(1) as f32;
                let end = x + segment.width() * scale + track * gaps;
                match line.links.last_mut() {
                    Some(last) if last.2 == links[link] && last.1 + space + 0.01 >= x => {
                        last.1 = end
                    }
                    _ => line.links.push((x, end, links[link].clone())),
                }
            }
            if segment.strike {
                let gaps = segment.glyphs.len().saturating_sub(1) as f32;
                let end = x + segment.width() * scale + track * gaps;
                let height = segment.rise + 0.25 * segment.size;
                match line.strikes.last_mut() {
                    Some(last) if last.2 == height && last.1 + space + 0.01 >= x => last.1 = end,
                    _ => line.strikes.push((x, end, height, segment.size / 20.0)),
                }
            }
            append_run(
                line,
                segment,
                store,
                x,
                space,
                (scale, track),
                &mut left,
                cx,
            );
        };
        let hyphen = matches!(contents[brk.position], Content::Hyphen(_));
        let count = brk.position - start + usize::from(hyphen);
        let order = if paragraph.bidi.active() {
            visual_order(paragraph, start, brk.position, hyphen)
        } else {
            Vec::new()
        };
        // Reordered lines walk their drawn items (no penalties); others walk every item.
        let count = if order.is_empty() { count } else { order.len() };
        for k in 0..count {
            let i = order.get(k).copied().unwrap_or(start + k);
            match (&items[i], &contents[i]) {
                (Item::Box { width, .. }, content) => {
                    let mut set_width = *width;
                    match content {
                        Content::Text(segment) => {
                            let f = segment.parts(style.align);
                            set_width += shares.box_change(&f);
                            place(&mut line, segment, &f, x, pending_space)
                        }
                        Content::Image(asset, alt, w, h) => {
                            line.images.push((*asset, x, -h * 0.8, *w, *h, alt.clone()))
                        }
                        _ => {}
                    }
                    pending_space = 0.0;
                    x += set_width;
                }
                (
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    },
                    content,
                ) => {
                    let set_width = if *stretch >= FILL {
                        *width
                    } else if shares.stretching {
                        width + shares.glue * stretch
                    } else {
                        width - shares.glue * shrink
                    };
                    x += set_width;
                    if matches!(content, Content::Space) {
                        pending_space += set_width;
                    }
                }
                (Item::Penalty { width, .. }, Content::Hyphen(hyphen)) if i == brk.position => {
                    place(&mut line, hyphen, &hyphen.parts(style.align), x, 0.0);
                    x += width;
                    line.hyphenated = true;
                }
                _ => {}
            }
        }
        line.width = x;
        if paragraph.bidi.active() {
            line.notes.sort_unstable();
        }
        // Centred lines sit in the middle; a right-to-left paragraph's lines end at the right.
        let shift = match style.align {
            Align::Center => (style.measure - x) / 2.0,
            _ if paragraph.bidi.base == 1 => style.measure - x,
            _ => 0.0,
        };
        line.start = shift;
        if shift != 0.0 {
            for strike in &mut line.strikes {
                strike.0 += shift;
                strike.1 += shift;
            }
            for run in &mut line.runs {
                run.x += shift;
            }
            for link in &mut line.links {
                link.0 += shift;
                link.1 += shift;
            }
            for image in &mut line.images {
                image.1 += shift;
            }
        }
        last_offset = line.offset;
        lines.push(line);
        start = brk.position + 1;
    }
    lines
}

/// The items of the line from `start` to `end` (and the hyphen at `end`) in the order they are
/// drawn from left to right: rules L1 and L2 of the Unicode bidirectional algorithm over the
/// items' levels. Penalties draw nothing and are left out; white space at the end of the line
/// takes the paragraph's level.
fn visual_order(paragraph: &Builder, start: usize, end: usize, hyphen: bool) -> Vec<usize> {
    let mut units: Vec<(usize, u8)> = (start..end)
        .filter(|&i| !matches!(paragraph.items[i], Item::Penalty { .. }))
        .chain(hyphen.then_some(end))
        .map(|i| (i, paragraph.levels[i]))
        .collect();
    let base = paragraph.bidi.base;
    for unit in units.iter_mut().rev() {
        if !matches!(paragraph.items[unit.0], Item::Glue { .. }) {
            break;
        }
        unit.1 = base;
    }
    let highest = units.iter().map(|u| u.1).max().unwrap_or(base);
    let lowest_odd = units.iter().map(|u| u.1).filter(|l| l % 2 == 1).min();
    if let Some(lowest_odd) = lowest_odd {
        for level in (lowest_odd..=highest).rev() {
            let mut i = 0;
            while i < units.len() {
                if units[i].1 < level {
                    i += 1;
                    continue;
                }
                let from = i;
                while i < units.len() && units[i].1 >= level {
                    i += 1;
                }
                units[from..i].reverse();
            }
        }
    }
    units.into_iter().map(|u| u.0).collect()
}

/// How a justified line's stretch or shrink is shared out, each as a ratio of what that kind
/// may give (0 to 1, the glue beyond 1 in a loose line).
///
/// Glyph expansion goes first: up to its 2 % a line's word spaces keep their natural width,
/// which is what makes the colour even. Only what expansion cannot give is shared between
/// letter spacing and the spaces, and letter spacing stops at its limit, so the letters are
/// never distorted further; an underfull line in the last pass loosens its spaces alone. Most
/// lines thus need no letter spacing, and their glyphs are drawn at the font's own advances.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Shares {
    stretching: bool,
    expand: f32,
    track: f32,
    glue: f32,
}

impl Shares {
    /// The shares for a line whose Knuth–Plass adjustment ratio is `ratio` (of all its
    /// stretch, or shrink when negative).
    fn of_line(line: &[Item], contents: &[Content], ratio: f32, align: Align) -> Shares {
        let stretching = ratio >= 0.0;
        let pick = |pair: (f32, f32)| if stretching { pair.0 } else { pair.1 };
        let (mut expand, mut track, mut glue) = (0.0, 0.0, 0.0);
        for (item, content) in line.iter().zip(contents) {
            match (item, content) {
                (Item::Box { .. }, Content::Text(segment)) => {
                    let f = segment.parts(align);
                    expand += pick(f.expand);
                    track += pick(f.track);
                }
                (
                    Item::Glue {
                        stretch, shrink, ..
                    },
                    _,
                ) if *stretch < FILL => glue += pick((*stretch, *shrink)),
                _ => {}
            }
        }
        let mut need = ratio.abs() * (expand + track + glue);
        let share = |need: f32, of: f32| if of > 0.0 { need / of } else { 0.0 };
        let e = share(need.min(expand), expand);
        need -= e * expand;
        let t = share(need, track + glue).min(1.0);
        need -= t * track;
        Shares {
            stretching,
            expand: e,
            track: t,
            glue: share(need, glue),
        }
    }

    /// How much wider (narrower, when shrinking) a segment of flexibility `f` is set.
    fn box_change(&self, f: &Flexibility) -> f32 {
        let (expand, track) = if self.stretching {
            (f.expand.0, f.track.0)
        } else {
            (-f.expand.1, -f.track.1)
        };
        self.expand * expand + self.track * track
    }

    /// Horizontal scale and letter spacing (in points) of a segment of flexibility `f` and
    /// font size `size`; rigid segments (code, ragged lines) keep their glyphs as they are.
    fn adjustment(&self, f: &Flexibility, size: f32) -> (f32, f32) {
        if *f == Flexibility::default() {
            return (1.0, 0.0);
        }
        let (expand, track) = if self.stretching {
            (EXPAND_STRETCH, TRACK_STRETCH)
        } else {
            (-EXPAND_SHRINK, -TRACK_SHRINK)
        };
        (1.0 + self.expand * expand, self.track * track * size)
    }
}

/// Glyphs and bytes of text a line places at most: its segments', its spaces, and the
/// hyphen of the break that ends it (the last of `contents`).
fn line_size(contents: &[Content]) -> (usize, usize) {
    let (last, within) = contents.split_last().expect("a line ends at its break");
    let mut size = (0, 0);
    for content in within
        .iter()
        .chain(matches!(last, Content::Hyphen(_)).then_some(last))
    {
        let (glyphs, bytes) = match content {
            Content::Text(s) | Content::Hyphen(s) => (s.glyphs.len(), s.text.len()),
            Content::Space => (1, 1),
            _ => (0, 0),
        };
        size = (size.0 + glyphs, size.1 + bytes);
    }
    size
}

/// Adds a segment to the line's last run when it continues it (same face, size and rise,
/// only a space between), so that the PDF gets words with real spaces between them; else
/// starts a new run, with room for the `left` glyphs and bytes the line has still to place.
#[allow(clippy::too_many_arguments)]
fn append_run(
    line: &mut SetLine,
    segment: &Segment,
    store: &Store,
    x: f32,
    space: f32,
    (scale, track): (f32, f32),
    left: &mut (usize, usize),
    cx: &Context,
) {
    let continues = line.runs.last().is_some_and(|run| {
        run.font == segment.font
            && run.size == segment.size
            && run.y == -segment.rise
            && run.scale == scale
            && (run.x + run.width() + space - x).abs() < 0.01
    });
    if !continues {
        line.runs.push(GlyphRun {
            font: segment.font,
            size: segment.size,
            x,
            y: -segment.rise,
            scale,
            glyphs: Vec::with_capacity(left.0),
            text: String::with_capacity(left.1),
        });
    }
    *left = (
        left.0
            .saturating_sub(segment.glyphs.len() + usize::from(continues)),
        left.1
            .saturating_sub(segment.text.len() + usize::from(continues)),
    );
    let run = line.runs.last_mut().expect("a run was just ensured");
    // Advances are in the run's own (scaled) coordinates.
    if continues && space > 0.0 {
        let start = run.text.len() as u32;
        run.text.push(' ');
        run.glyphs.push(Glyph {
            id: cx.fonts.space_glyph(segment.font),
            advance: space / scale,
            x_offset: 0.0,
            y_offset: 0.0,
            text: start..start + 1,
        });
    }
    let base = run.text.len();
    let (glyphs, text) = (
        &store.glyphs[segment.glyphs.clone()],
        &store.text[segment.text.clone()],
    );
    run.text.push_str(text);
    // The glyph's text runs to the next cluster (ligatures cover several chars); right-to-left
    // runs list clusters in descending order, so look at all of them: by a scan in a short
    // word, by a search of the sorted clusters in a long one (a scan would be quadratic).
    let sorted: Vec<usize> = if glyphs.len() > 32 {
        let mut c: Vec<usize> = glyphs.iter().map(|g| g.cluster).collect();
        c.sort_unstable();
        c.dedup();
        c
    } else {
        Vec::new()
    };
    let next_cluster = |cluster: usize| {
        if sorted.is_empty() {
            glyphs
                .iter()
                .map(|n| n.cluster)
                .filter(|&c| c > cluster)
                .min()
        } else {
            sorted
                .get(sorted.partition_point(|&c| c <= cluster))
                .copied()
        }
    };
    for (k, g) in glyphs.iter().enumerate() {
        let end = next_cluster(g.cluster).unwrap_or(text.len());
        let track = if k + 1 < glyphs.len() { track } else { 0.0 };
        run.glyphs.push(Glyph {
            id: g.id,
            advance: g.advance * segment.size + track / scale,
            x_offset: g.x_offset * segment.size,
            y_offset: g.y_offset * segment.size,
            text: (base + g.cluster) as u32..(base + end.max(g.cluster)) as u32,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(measure: f32) -> ParagraphStyle {
        ParagraphStyle {
            size: 11.0,
            font: FontStyle::default(),
            measure,
            indent: 11.0,
            align: Align::Justify,
            hyphenate: true,
            lang: "en".to_string(),
            left_to_right: false,
        }
    }

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }

    #[test]
    fn line_offsets_count_only_the_blocks_text() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let inlines = vec![
            text("The government continued to insist on the "),
            Inline::Emphasis(vec![text("neutrality of the armed forces")]),
            Inline::NoteRef(0),
            text(" and their loyalty to the constitution, while "),
            Inline::Code("cargo build".to_string()),
            text(" ran on and on through many more words than fit on a line."),
        ];
        let plain: Vec<char> = Inline::plain_text(&inlines).chars().collect();
        let mut offset = 0;
        let lines = set(&mut cx, &inlines, &style(120.0), &mut offset);
        assert_eq!(offset, plain.len());
        assert!(lines.len() > 3);
        assert_eq!(lines[0].offset, 0);
        for line in &lines {
            let first = line.runs[0].text.chars().next().unwrap();
            assert_eq!(first, plain[line.offset], "line at {}", line.offset);
        }
        assert!(lines.iter().any(|l| l.notes == [0]));
    }

    #[test]
    fn note_references_show_the_documents_number() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        // The chapter's first note is the document's seventh.
        cx.note_numbers = vec![7];
        let inlines = vec![text("As the minutes show."), Inline::NoteRef(0)];
        let lines = set(&mut cx, &inlines, &style(200.0), &mut 0);
        let marker = lines[0].runs.last().unwrap();
        assert_eq!(marker.text, "7");
        assert!(marker.size < 11.0);
        assert_eq!(lines[0].notes, [0]);
    }

    #[test]
    fn justified_lines_fill_the_measure() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let words = "Once in power, his government began carrying out an unprecedented series of \
            reforms, despite intense resistance from the capitalists. Some of the first acts \
            included raising wages and pensions, freezing rents and prices, lowering the voting \
            age to eighteen, and guaranteeing families basic goods like milk.";
        let lines = set(&mut cx, &[text(words)], &style(200.0), &mut 0);
        for line in &lines[..lines.len() - 1] {
            let last = line.runs.last().unwrap().text.chars().next_back().unwrap();
            if last.is_alphanumeric() {
                assert!((line.width - 200.0).abs() < 0.05, "width {}", line.width);
            } else {
                // Punctuation hangs into the margin by part of its width.
                assert!(
                    line.width > 200.0 && line.width < 203.0,
                    "width {}",
                    line.width
                );
            }
            assert!(!line.overfull);
        }
        assert!(lines.last().unwrap().width < 200.0);
    }

    #[test]
    fn glyphs_are_never_scaled_by_more_than_two_percent() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        // A narrow measure forces loose and tight lines, and in the last pass underfull ones.
        let words =
            "Illegal arms, including machine guns and rifles, were flowing into the country \
            in order to arm fascist paramilitary organizations like Fatherland and Liberty, who \
            were receiving training from the Chilean and United States armed forces.";
        for measure in [90.0, 120.0, 160.0] {
            let lines = set(&mut cx, &[text(words)], &style(measure), &mut 0);
            let scales: Vec<f32> = lines
                .iter()
                .flat_map(|l| &l.runs)
                .map(|r| r.scale)
                .collect();
            assert!(
                scales.iter().any(|&s| s != 1.0),
                "justified lines use expansion"
            );
            for s in scales {
                assert!(
                    (0.98 - 1e-4..=1.02 + 1e-4).contains(&s),
                    "scale {s} at {measure} pt"
                );
            }
        }
    }

    #[test]
    fn hyphenated_lines_end_with_a_hyphen_and_keep_the_word_whole_in_the_text() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let words = "Internationalization notwithstanding, extraordinarily uncharacteristically \
            counterrevolutionary institutionalization";
        let lines = set(&mut cx, &[text(words)], &style(90.0), &mut 0);
        assert!(lines.iter().any(|l| l.hyphenated));
        for line in lines.iter().filter(|l| l.hyphenated) {
            assert!(line.runs.last().unwrap().text.ends_with('-'));
        }
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_between_letters_with_a_warning() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        // Digits: no hyphenation point to help.
        let long = "0123456789".repeat(12);
        let words = format!("Before {long} after.");
        let lines = set(&mut cx, &[text(&words)], &style(150.0), &mut 0);
        assert!(lines.len() > 4, "{} lines", lines.len());
        for line in &lines {
            // A final hyphen may hang into the margin by part of its width.
            assert!(!line.overfull && line.width < 153.0, "width {}", line.width);
        }
        let joined: String = lines
            .iter()
            .flat_map(|l| &l.runs)
            .map(|r| r.text.as_str())
            .collect();
        assert_eq!(
            joined.replace(' ', ""),
            words.replace(' ', ""),
            "no letter lost or added"
        );
        let warnings: Vec<_> = cx.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(warnings, ["long-word"]);
        // A word that hyphenation can fit is not broken between letters.
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        set(
            &mut cx,
            &[text("Before extraordinarily after.")],
            &style(60.0),
            &mut 0,
        );
        assert!(cx.diagnostics.is_empty());
    }

    #[test]
    fn addresses_break_after_slashes_without_a_hyphen() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let url = "See https://example.org/a/long/path/to/a/document/that/goes/on/and/on.html now.";
        let lines = set(&mut cx, &[text(url)], &style(150.0), &mut 0);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(!line.overfull && !line.hyphenated);
        }
        let joined: String = lines
            .iter()
            .flat_map(|l| &l.runs)
            .map(|r| r.text.as_str())
            .collect();
        assert!(joined.contains("https://example.org/"));
    }

    #[test]
    fn a_character_no_font_has_is_an_error_naming_it() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        cx.chapter = Some((2, "chapter.md".into()));
        set(
            &mut cx,
            &[text("private \u{10FFFD} use")],
            &style(200.0),
            &mut 0,
        );
        let errors: Vec<_> = cx.diagnostics.iter().collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "missing-glyph");
        assert!(
            errors[0].message.contains("U+10FFFD"),
            "{}",
            errors[0].message
        );
        assert!(errors[0].message.contains("chapter 3"));
    }

    /// Where each char of the line's text is drawn: (char, x of its glyph's left edge).
    fn drawn(line: &SetLine) -> Vec<(char, f32)> {
        let mut out = Vec::new();
        for run in &line.runs {
            let mut x = run.x;
            for g in &run.glyphs {
                for c in run.text[g.text_range()].chars() {
                    out.push((c, x));
                }
                x += g.advance * run.scale;
            }
        }
        out
    }

    fn x_of(line: &SetLine, c: char) -> f32 {
        drawn(line).iter().find(|d| d.0 == c).expect("char drawn").1
    }

    #[test]
    fn a_right_to_left_paragraph_reads_from_the_right_with_numbers_left_to_right() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let mut ar = style(150.0);
        ar.lang = "ar".into();
        let words = "تأسست المطبعة في عام ١٩٧٠ على يد عمال الطباعة في المدينة وكانت تطبع المنشورات للنقابات";
        let lines = set(&mut cx, &[text(words)], &ar, &mut 0);
        assert!(lines.len() > 2 && cx.diagnostics.is_empty());
        // The first word starts at the right edge, after the indent; the last line ends
        // there too.
        let first = &lines[0];
        assert!(
            x_of(first, 'ت') > x_of(first, 'ع'),
            "first word right of the later ones"
        );
        let right = |l: &SetLine| {
            l.runs
                .iter()
                .map(|r| r.x + r.width())
                .fold(0.0f32, f32::max)
        };
        assert!(
            (right(first) - (150.0 - 11.0)).abs() < 1.0,
            "{}",
            right(first)
        );
        assert!((right(lines.last().unwrap()) - 150.0).abs() < 0.5);
        // ١٩٧٠ keeps its digits left to right inside the right-to-left line.
        let line = lines
            .iter()
            .find(|l| drawn(l).iter().any(|d| d.0 == '١'))
            .unwrap();
        assert!(x_of(line, '١') < x_of(line, '٩') && x_of(line, '٩') < x_of(line, '٠'));
    }

    #[test]
    fn a_right_to_left_name_inside_english_reads_right_to_left() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let inlines = vec![
            text("Poems by "),
            Inline::Lang {
                lang: "he".into(),
                content: vec![text("נתן אלתרמן")],
            },
            text(" in print."),
        ];
        let lines = set(&mut cx, &inlines, &style(300.0), &mut 0);
        let line = &lines[0];
        // English left to right; the Hebrew name's first word (נתן) right of its second.
        assert!(x_of(line, 'P') < x_of(line, 'ן') && x_of(line, 'ן') < x_of(line, 'i'));
        assert!(x_of(line, 'נ') > x_of(line, 'א'));
    }

    #[test]
    fn cjk_text_breaks_between_characters_but_not_before_closing_punctuation() {
        let mut cx = Context::new(
            &crate::style::Style::default().faces.list(),
            &[],
            Vec::new(),
        );
        let words = "印刷厂成立于一九七〇年，由城市里的印刷工人共同创办。工人们为工会和协会印刷传单和小册子。";
        let lines = set(&mut cx, &[text(words)], &style(80.0), &mut 0);
        assert!(lines.len() > 3, "{} lines", lines.len());
        for line in &lines[1..] {
            let first = line.runs[0].text.chars().next().unwrap();
            assert!(!matches!(first, '，' | '。'), "a line starts with {first}");
        }
        assert!(lines.iter().all(|l| !l.overfull));
        // Breaks of the script, not the last resort for words wider than the line.
        assert!(cx.diagnostics.iter().all(|d| d.code != "long-word"));
    }
}
