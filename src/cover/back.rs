//! The back cover: the blurb, a call to action with its web address as a QR code, the
//! publisher and its logo, the price and the ISBN as an EAN-13 barcode. Drawn as SVG like the
//! front cover, in the same design's faces and colours; codes are vectors, so they print sharp.

use super::compose::{svg_face, Drawing, LogoArt, Sheet, Svg, SvgFace};
use super::text::Measure;
use super::{CoverDesign, Rgb, MM};
use crate::document::{BackCover, Metadata};
use crate::manuscript::isbn;
use std::fmt::Write;
use std::sync::Arc;
use usvg::fontdb;

const WHITE: Rgb = [0xff, 0xff, 0xff];
const BLACK: Rgb = [0, 0, 0];

/// Lines of `text` no wider than `width` at `size`, filled greedily (a blurb is read as a
/// paragraph, not balanced like a title). Paragraph breaks in the text are kept.
fn wrap(measure: &Measure, text: &str, size: f32, width: f32) -> Vec<String> {
    let space = measure.width(" ") * size;
    let mut lines = Vec::new();
    for paragraph in text.split("\n\n") {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in paragraph.split_whitespace() {
            let w = measure.width(word) * size;
            if !line.is_empty() && line_width + space + w > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if !line.is_empty() {
                line.push(' ');
                line_width += space;
            }
            line.push_str(word);
            line_width += w;
        }
        lines.push(line);
        lines.push(String::new());
    }
    lines.pop();
    lines
}

/// Composes the back cover on `sheet`. Text that cannot fit at a legible size is reported in
/// the drawing's `too_long`.
pub fn compose(
    meta: &Metadata,
    back: &BackCover,
    design: &CoverDesign,
    sheet: Sheet,
    logo: Option<&LogoArt>,
) -> Drawing {
    let mut db = fontdb::Database::new();
    let text_face = svg_face(&mut db, &design.text_face, &design.fallback);
    let title_face = svg_face(&mut db, &design.title_face, &design.fallback);
    db.load_font_source(fontdb::Source::Binary(Arc::new(design.fallback.data)));
    // The renderer falls back to any face in the database: the shipped script faces too.
    for face in &crate::fonts::SCRIPTS {
        db.load_font_source(fontdb::Source::Binary(Arc::new(face.data)));
    }
    let (w, h) = (sheet.width, sheet.height);
    let margin = (w.min(h) * 0.085).max(9.0);
    let inner = w - 2.0 * margin;
    let mut svg = Svg::new(sheet);
    let mut too_long = Vec::new();
    let mut boxes = Vec::new();
    let b = sheet.bleed;
    svg.rect(-b, -b, w + 2.0 * b, h + 2.0 * b, design.paper, 1.0);
    svg.rect(-b, -b, w + 2.0 * b, margin * 0.45 + b, design.accent, 1.0);

    // The foot: publisher (and logo) on the left, price and barcode on the right.
    let code_module = 0.3 * MM;
    let code_height = 18.0 * MM;
    let foot_height = code_height + 12.0 * MM;
    let foot_top = h - margin - foot_height;

    // The blurb fills what is left above the call to action, from 11 pt down to 7 pt.
    let qr_size = (w * 0.22).clamp(20.0 * MM, 32.0 * MM);
    let cta_height = if back.call_to_action.is_some() {
        qr_size + 6.0 * MM
    } else {
        0.0
    };
    let blurb_top = margin * 1.6;
    let blurb_bottom = foot_top - cta_height - 4.0 * MM;
    if let Some(blurb) = &back.blurb {
        let mut size = (w * 0.027).clamp(8.0, 12.0);
        let fits = |size: f32| {
            let lines = wrap(&text_face.measure, blurb, size, inner);
            let height = lines.len() as f32 * size * 1.4;
            (lines, height)
        };
        let (mut lines, mut height) = fits(size);
        while height > blurb_bottom - blurb_top && size > 7.0 {
            size = (size * 0.95).max(7.0);
            (lines, height) = fits(size);
        }
        if height > blurb_bottom - blurb_top {
            too_long.push(format!(
                "the back cover's text is too long: it does not fit even at {size:.1} pt"
            ));
            let room = ((blurb_bottom - blurb_top) / (size * 1.4)).floor().max(0.0) as usize;
            lines.truncate(room);
        }
        let mut baseline = blurb_top + size * text_face.measure.ascent;
        for line in &lines {
            if !line.is_empty() {
                svg.text(line, margin, baseline, &text_face, size, design.ink, false);
                let width = text_face.measure.width(line) * size;
                boxes.push([margin, baseline - size, width, size * 1.2]);
            }
            baseline += size * 1.4;
        }
    }

    if let Some(cta) = &back.call_to_action {
        let top = foot_top - cta_height;
        let qr_x = w - margin - qr_size;
        qr(&mut svg, &cta.url, qr_x, top, qr_size);
        let text_width = qr_x - margin - 4.0 * MM;
        let mut baseline = top + 14.0;
        if let Some(text) = &cta.text {
            let size = (w * 0.032).clamp(10.0, 15.0);
            for line in wrap(&title_face.measure, text, size, text_width) {
                svg.text(
                    &line,
                    margin,
                    baseline,
                    &title_face,
                    size,
                    design.ink,
                    false,
                );
                baseline += size * 1.25;
            }
            baseline += 2.0;
        }
        let size = 8.5;
        for line in wrap(&text_face.measure, cta.shown_url(), size, text_width) {
            svg.text(
                &line,
                margin,
                baseline,
                &text_face,
                size,
                design.accent,
                false,
            );
            baseline += size * 1.3;
        }
    }

    svg.line(margin, foot_top, w - margin, foot_top, 0.6, design.ink);
    let mut left_baseline = foot_top + 6.0 * MM;
    if let Some(logo) = logo {
        let lh = 12.0 * MM;
        let lw = (lh * logo.aspect).min(inner * 0.4);
        svg.image("logo", margin, foot_top + 4.0 * MM, lw, lh, "xMinYMid meet");
        left_baseline += lh + 2.0 * MM;
    }
    if let Some(publisher) = &meta.publisher {
        let size = 10.0;
        for line in wrap(&text_face.measure, publisher, size, inner * 0.45) {
            svg.text(
                &line,
                margin,
                left_baseline,
                &text_face,
                size,
                design.ink,
                false,
            );
            left_baseline += size * 1.3;
        }
    }
    let code_width = (95.0 + 18.0) * code_module;
    let code_x = w - margin - code_width;
    let mut right_top = foot_top + 4.0 * MM;
    if let Some(price) = &back.price {
        let size = 10.0;
        let width = text_face.measure.width(price) * size;
        svg.text(
            price,
            w - margin - width,
            right_top + size,
            &text_face,
            size,
            design.ink,
            false,
        );
        right_top += size * 1.5;
    }
    if let Some(digits) = &back.isbn {
        ean13(
            &mut svg,
            digits,
            &text_face,
            code_x,
            right_top,
            code_module,
            code_height,
        );
    }

    Drawing {
        width: w,
        height: h,
        bleed: sheet.bleed,
        svg: svg.finish(),
        alt: back.words(meta.publisher.as_deref()).join(" "),
        too_long,
        text_boxes: boxes,
        fonts: Arc::new(db),
    }
}

/// A QR code for `url` at `size` points square, quiet zone included, black on white.
fn qr(svg: &mut Svg, url: &str, x: f32, y: f32, size: f32) {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M) else {
        return;
    };
    let n = code.width();
    let quiet = 4;
    let module = size / (n + 2 * quiet) as f32;
    svg.rect(x, y, size, size, WHITE, 1.0);
    let colors = code.to_colors();
    let mut path = String::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colors[row * n + col] == qrcode::Color::Dark {
                col += 1;
            }
            let _ = write!(
                path,
                "M{:.3} {:.3}h{:.3}v{:.3}h{:.3}z",
                x + (start + quiet) as f32 * module,
                y + (row + quiet) as f32 * module,
                (col - start) as f32 * module,
                module,
                -((col - start) as f32 * module)
            );
        }
    }
    svg.raw(&format!("<path d=\"{path}\" fill=\"#000000\"/>"));
}

/// EAN-13 patterns: L (odd parity), G (even) and R codes of each digit, 7 modules, 1 = bar.
const L: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
    "0110111", "0001011",
];
const G: [&str; 10] = [
    "0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001",
    "0001001", "0010111",
];
const R: [&str; 10] = [
    "1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100",
    "1001000", "1110100",
];
/// Which of L and G the left half uses, by the first digit.
const PARITY: [&str; 10] = [
    "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL",
    "LGGLGL",
];

/// The 95 modules of an EAN-13 symbol, with which are guard bars (drawn longer).
pub fn ean13_modules(digits: &str) -> Vec<(bool, bool)> {
    let d: Vec<usize> = digits.bytes().map(|b| usize::from(b - b'0')).collect();
    let mut out = Vec::with_capacity(95);
    let mut push = |pattern: &str, guard: bool| {
        out.extend(pattern.bytes().map(|b| (b == b'1', guard)));
    };
    push("101", true);
    for (i, parity) in PARITY[d[0]].bytes().enumerate() {
        push(
            if parity == b'L' {
                L[d[i + 1]]
            } else {
                G[d[i + 1]]
            },
            false,
        );
    }
    push("01010", true);
    for &digit in &d[7..13] {
        push(R[digit], false);
    }
    push("101", true);
    out
}

/// The ISBN above the bars, the bars on white with their quiet zones, the digits below.
fn ean13(svg: &mut Svg, digits: &str, face: &SvgFace, x: f32, y: f32, module: f32, bars: f32) {
    let label_size = 7.5;
    let digit_size = 8.0;
    let width = (95.0 + 18.0) * module;
    let height = label_size * 1.4 + bars + digit_size + 2.0;
    svg.rect(x, y, width, height, WHITE, 1.0);
    let label = isbn::display(digits);
    let label_width = face.measure.width(&label) * label_size;
    svg.text(
        &label,
        x + (width - label_width) / 2.0,
        y + label_size,
        face,
        label_size,
        BLACK,
        false,
    );
    let top = y + label_size * 1.4;
    let left = x + 11.0 * module;
    let mut path = String::new();
    let modules = ean13_modules(digits);
    let mut i = 0;
    while i < modules.len() {
        if !modules[i].0 {
            i += 1;
            continue;
        }
        let (start, guard) = (i, modules[i].1);
        while i < modules.len() && modules[i].0 {
            i += 1;
        }
        let long = if guard { digit_size * 0.6 } else { 0.0 };
        let _ = write!(
            path,
            "M{:.3} {:.3}h{:.3}v{:.3}h{:.3}z",
            left + start as f32 * module,
            top,
            (i - start) as f32 * module,
            bars + long,
            -((i - start) as f32 * module)
        );
    }
    svg.raw(&format!("<path d=\"{path}\" fill=\"#000000\"/>"));
    // Digits: the first outside the bars, then two groups of six under the halves.
    let baseline = top + bars + digit_size;
    let (first, left_half, right_half) = (&digits[..1], &digits[1..7], &digits[7..]);
    svg.text(
        first,
        x + 4.0 * module,
        baseline,
        face,
        digit_size,
        BLACK,
        false,
    );
    for (group, start) in [(left_half, 3.0), (right_half, 50.0)] {
        let centre = left + (start + 21.0) * module;
        svg.text(group, centre, baseline, face, digit_size, BLACK, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean13_has_95_modules_and_guards() {
        let m = ean13_modules("9780306406157");
        assert_eq!(m.len(), 95);
        let bars: String = m.iter().map(|&(b, _)| if b { '1' } else { '0' }).collect();
        assert!(bars.starts_with("101"));
        assert_eq!(&bars[45..50], "01010");
        assert!(bars.ends_with("101"));
        // First digit 9: parity LGGLGL; second digit 7 in L.
        assert_eq!(&bars[3..10], L[7]);
        assert_eq!(&bars[10..17], G[8]);
    }
}
