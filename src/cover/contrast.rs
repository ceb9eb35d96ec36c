//! Whether type reads on what is under it: WCAG 2.1's relative luminance and contrast ratio,
//! for solid colours and for a photograph under a scrim.

use super::Rgb;

/// WCAG 2.1 AA: 4.5:1 for text, 3:1 for large text (18 pt, or 14 pt bold).
pub fn required(size: f32, bold: bool) -> f32 {
    if size >= 18.0 || (bold && size >= 14.0) {
        3.0
    } else {
        4.5
    }
}

/// Relative luminance of an sRGB colour.
pub fn luminance(c: Rgb) -> f32 {
    let channel = |v: u8| {
        let v = f32::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])
}

/// Contrast ratio of two luminances, 1 to 21.
pub fn ratio(a: f32, b: f32) -> f32 {
    let (light, dark) = if a > b { (a, b) } else { (b, a) };
    (light + 0.05) / (dark + 0.05)
}

/// `ink` if it reads on `paper` at this size, else whichever of near-black and white reads
/// better.
pub fn legible_ink(ink: Rgb, paper: Rgb, size: f32, bold: bool) -> Rgb {
    let under = luminance(paper);
    if ratio(luminance(ink), under) >= required(size, bold) {
        return ink;
    }
    const BLACK: Rgb = [0x14, 0x14, 0x14];
    const WHITE: Rgb = [0xff, 0xff, 0xff];
    if ratio(luminance(WHITE), under) >= ratio(luminance(BLACK), under) {
        WHITE
    } else {
        BLACK
    }
}

/// A decoded photograph, placed on the page as SVG's `xMidYMid slice` places it.
pub struct Placed<'a> {
    pub pixels: &'a image::RgbImage,
    /// The area the photograph fills, in points.
    pub area: [f32; 4],
}

impl Placed<'_> {
    /// The luminances of the photograph under a box (points), `scrim` (colour, opacity) laid
    /// over it, sampled on a grid of at most 48 × 24 points.
    pub fn luminances(&self, rect: [f32; 4], scrim: (Rgb, f32)) -> Vec<f32> {
        let (pw, ph) = (self.pixels.width() as f32, self.pixels.height() as f32);
        let [ax, ay, aw, ah] = self.area;
        let scale = (aw / pw).max(ah / ph);
        let (ox, oy) = (ax + (aw - pw * scale) / 2.0, ay + (ah - ph * scale) / 2.0);
        let [x, y, w, h] = rect;
        let (nx, ny) = (48, 24);
        let mut out = Vec::with_capacity(nx * ny);
        let (scrim_colour, alpha) = scrim;
        for j in 0..ny {
            for i in 0..nx {
                let px = x + w * (i as f32 + 0.5) / nx as f32;
                let py = y + h * (j as f32 + 0.5) / ny as f32;
                let u = ((px - ox) / scale).clamp(0.0, pw - 1.0) as u32;
                let v = ((py - oy) / scale).clamp(0.0, ph - 1.0) as u32;
                let p = self.pixels.get_pixel(u, v).0;
                let mixed = std::array::from_fn(|k| {
                    (f32::from(p[k]) * (1.0 - alpha) + f32::from(scrim_colour[k]) * alpha).round()
                        as u8
                });
                out.push(luminance(mixed));
            }
        }
        out
    }
}

/// The luminance that the lightest part of an area reaches: the 95th percentile, so that a
/// few specular pixels do not decide, but a bright patch does.
pub fn lightest(mut values: Vec<f32>) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    values[(values.len() - 1) * 95 / 100]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wcag_figures() {
        // Black on white is 21:1; #777 on white just under 4.5:1.
        assert!((ratio(luminance([0, 0, 0]), luminance([255, 255, 255])) - 21.0).abs() < 0.01);
        let grey = ratio(luminance([0x77; 3]), luminance([255; 3]));
        assert!(grey > 4.4 && grey < 4.5, "{grey}");
        assert_eq!(legible_ink([0x77; 3], [255; 3], 10.0, false), [0x14; 3]);
        assert_eq!(legible_ink([0x77; 3], [255; 3], 30.0, false), [0x77; 3]);
        assert_eq!(legible_ink([0xee; 3], [0x80, 0, 0], 10.0, false), [0xee; 3]);
    }
}
