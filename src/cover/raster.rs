//! The EPUB's cover image: the cover's drawing rasterized by resvg a band of rows at a time,
//! straight into the JPEG encoder, except the photograph, which is scaled once straight into
//! the raster. resvg would decode it again and resample it bicubically through a clipped layer
//! of its own; and a whole-cover pixmap is 14 MB of fresh memory for the kernel to clear.
//! Those were most of the cover's cost.

use resvg::tiny_skia::{Color, Pixmap, Rect, Transform};
use std::borrow::Cow;
use std::cell::RefCell;

/// The id of the photograph's `<image>` in the drawing.
pub(super) const PHOTO_ID: &str = "photo";

/// Rows drawn at a time: a multiple of the encoder's 16-row blocks.
const BAND: u32 = 128;

/// A drawing ready to be rasterized at one size.
struct Raster<'a> {
    tree: &'a usvg::Tree,
    /// Maps the drawing to the whole raster.
    transform: Transform,
    /// The photograph when [`draw_photo`] can draw it.
    photo: Option<Placed<'a>>,
}

/// The photograph as placed on the raster.
struct Placed<'a> {
    /// Its pixels, averaged down when much larger than drawn (so that bilinear filtering
    /// does not alias).
    pixels: Cow<'a, image::RgbImage>,
    /// Maps its pixels to the raster.
    to_raster: Transform,
    /// The box it fills (clipped to), on the raster.
    area: Rect,
}

/// The drawing `tree` mapped by `transform` onto a raster of `width` × `height` pixels, as a
/// JPEG (quality 90, colour at half resolution, `icc` its profile). `pixels` are the
/// photograph's, decoded and opaque.
pub(super) fn jpeg(
    tree: &usvg::Tree,
    transform: Transform,
    pixels: Option<&image::RgbImage>,
    (width, height): (u32, u32),
    icc: &[u8],
) -> Result<Vec<u8>, String> {
    let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(format!(
            "the cover image is too large ({width} × {height} px)"
        ));
    };
    let band = Pixmap::new(width, BAND.min(height)).ok_or("the cover image has no area")?;
    let raster = Raster {
        tree,
        transform,
        photo: pixels.and_then(|p| placed(tree.root(), transform, p)),
    };
    let mut out = Vec::with_capacity((width * height / 8) as usize);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    // Colour at half resolution, as in most JPEGs: half the encoding time of full
    // resolution, no visible difference at this size.
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    encoder.add_icc_profile(icc).map_err(|e| e.to_string())?;
    encoder
        .encode_image(Rows {
            raster,
            size: (w, h),
            band: RefCell::new((band, None)),
        })
        .map_err(|e| format!("cannot encode the cover image: {e}"))?;
    Ok(out)
}

/// The raster as the encoder reads it, row by row: each band drawn when it is reached.
struct Rows<'a> {
    raster: Raster<'a>,
    size: (u16, u16),
    /// The band of rows drawn last and its first row.
    band: RefCell<(Pixmap, Option<u32>)>,
}

impl jpeg_encoder::ImageBuffer for Rows<'_> {
    fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
        jpeg_encoder::JpegColorType::Ycbcr
    }

    fn width(&self) -> u16 {
        self.size.0
    }

    fn height(&self) -> u16 {
        self.size.1
    }

    fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
        let y = u32::from(y);
        let mut band = self.band.borrow_mut();
        let (pixmap, first) = &mut *band;
        let start = y - y % BAND;
        if *first != Some(start) {
            pixmap.fill(Color::WHITE);
            self.raster.draw(start, pixmap);
            *first = Some(start);
        }
        let stride = pixmap.width() as usize * 4;
        let row = &pixmap.data()[(y - start) as usize * stride..][..stride];
        // Opaque throughout (a white ground first), so the premultiplied pixels are the
        // colours.
        for p in row.chunks_exact(4) {
            let (luma, cb, cr) = jpeg_encoder::rgb_to_ycbcr(p[0], p[1], p[2]);
            buffers[0].push(luma);
            buffers[1].push(cb);
            buffers[2].push(cr);
        }
    }
}

impl Raster<'_> {
    /// Draws the raster's rows from `first` on into `pixmap`, as `resvg::render` would.
    fn draw(&self, first: u32, pixmap: &mut Pixmap) {
        let shift = Transform::from_translate(0.0, -(first as f32));
        let transform = self.transform.post_concat(shift);
        match &self.photo {
            Some(photo) => draw_group(self.tree.root(), transform, photo, shift, pixmap),
            None => resvg::render(self.tree, transform, &mut pixmap.as_mut()),
        }
    }
}

/// Where the photograph goes on the raster, when [`draw_photo`] can draw it: reached through
/// groups whose other children are groups too (the layers under and over it; resvg draws a
/// group alone, not every other kind of node), and of the shape usvg gives `<image
/// preserveAspectRatio="… slice">`: a group clipped to the image's box, holding the image in a
/// group scaled from its pixels.
fn placed<'a>(
    group: &usvg::Group,
    transform: Transform,
    pixels: &'a image::RgbImage,
) -> Option<Placed<'a>> {
    if !group
        .children()
        .iter()
        .all(|node| matches!(node, usvg::Node::Group(_)))
    {
        return None;
    }
    let holder = group.children().iter().find_map(|node| match node {
        usvg::Node::Group(g) if g.id() == PHOTO_ID || holds_photo(g) => Some(g),
        _ => None,
    })?;
    if holder.id() != PHOTO_ID {
        if holder.should_isolate() {
            return None;
        }
        return placed(holder, transform.pre_concat(holder.transform()), pixels);
    }
    let photo = holder;
    if photo.opacity().get() < 1.0 || photo.mask().is_some() || !photo.filters().is_empty() {
        return None;
    }
    let clip = photo
        .clip_path()
        .filter(|c| c.clip_path().is_none() && c.transform().is_identity())?;
    let [usvg::Node::Path(edge)] = clip.root().children() else {
        return None;
    };
    let [usvg::Node::Group(scaled)] = photo.children() else {
        return None;
    };
    let [usvg::Node::Image(image)] = scaled.children() else {
        return None;
    };
    let outer = transform.pre_concat(photo.transform());
    let to_raster = outer.pre_concat(scaled.transform());
    let size = image.size();
    if outer.has_skew()
        || to_raster.has_skew()
        || to_raster.sx <= 0.0
        || to_raster.sy <= 0.0
        || !image.is_visible()
        || (size.width(), size.height()) != (pixels.width() as f32, pixels.height() as f32)
    {
        return None;
    }
    let area = edge.data().bounds().transform(outer)?;
    if to_raster.sx >= 0.5 && to_raster.sy >= 0.5 {
        return Some(Placed {
            pixels: Cow::Borrowed(pixels),
            to_raster,
            area,
        });
    }
    let tw = ((pixels.width() as f32 * to_raster.sx).round() as u32).max(1);
    let th = ((pixels.height() as f32 * to_raster.sy).round() as u32).max(1);
    let shrunk = image::imageops::thumbnail(pixels, tw, th);
    let to_raster = to_raster.pre_scale(
        pixels.width() as f32 / tw as f32,
        pixels.height() as f32 / th as f32,
    );
    Some(Placed {
        pixels: Cow::Owned(shrunk),
        to_raster,
        area,
    })
}

fn holds_photo(group: &usvg::Group) -> bool {
    group.children().iter().any(|node| match node {
        usvg::Node::Group(g) => g.id() == PHOTO_ID || holds_photo(g),
        _ => false,
    })
}

/// Draws a group that [`placed`] found the photograph in; `transform` maps the group's own
/// user space (its children's) to the pixmap, `shift` the raster to it.
fn draw_group(
    group: &usvg::Group,
    transform: Transform,
    photo: &Placed,
    shift: Transform,
    pixmap: &mut Pixmap,
) {
    for node in group.children() {
        let usvg::Node::Group(g) = node else {
            continue;
        };
        if g.id() == PHOTO_ID {
            draw_photo(photo, shift, pixmap);
        } else if holds_photo(g) {
            draw_group(g, transform.pre_concat(g.transform()), photo, shift, pixmap);
        } else {
            // `render_node` draws a node alone, moved to the origin by its bounding box:
            // moved back, it lands where `resvg::render` puts it.
            let bbox = g.abs_layer_bounding_box();
            let at = transform.pre_translate(bbox.x(), bbox.y());
            resvg::render_node(node, at, &mut pixmap.as_mut());
        }
    }
}

/// Draws the photograph with bilinear filtering into the pixels inside its box (`shift`
/// maps the raster to the pixmap).
fn draw_photo(photo: &Placed, shift: Transform, pixmap: &mut Pixmap) {
    let Some(area) = photo.area.transform(shift) else {
        return;
    };
    let to_pixmap = photo.to_raster.post_concat(shift);
    // The pixels the box touches; those it covers in part are blended, as resvg would.
    let (w, h) = (pixmap.width() as f32, pixmap.height() as f32);
    let x0 = area.left().floor().clamp(0.0, w) as usize;
    let x1 = area.right().ceil().clamp(0.0, w) as usize;
    let y0 = area.top().floor().clamp(0.0, h) as usize;
    let y1 = area.bottom().ceil().clamp(0.0, h) as usize;
    if x0 >= x1 || y0 >= y1 {
        return;
    }
    let coverage = |at: usize, low: f32, high: f32| {
        let covered = (high.min(at as f32 + 1.0) - low.max(at as f32)).clamp(0.0, 1.0);
        (covered * 256.0).round() as u32
    };
    let edges = Edges {
        left: coverage(x0, area.left(), area.right()),
        right: coverage(x1 - 1, area.left(), area.right()),
        top: coverage(y0, area.top(), area.bottom()),
        bottom: coverage(y1 - 1, area.top(), area.bottom()),
    };
    scale_into(
        &photo.pixels,
        (to_pixmap.sx, to_pixmap.tx, to_pixmap.sy, to_pixmap.ty),
        (x0, x1, y0, y1),
        edges,
        pixmap,
    );
}

/// How much of the outermost rows and columns of pixels the photograph covers, out of 256.
struct Edges {
    left: u32,
    right: u32,
    top: u32,
    bottom: u32,
}

/// One axis of the resampling: for an output pixel, the two source pixels around its centre
/// and the second one's weight out of 256.
fn taps(
    out: std::ops::Range<usize>,
    scale: f32,
    offset: f32,
    len: u32,
) -> Vec<(usize, usize, u32)> {
    let last = len.saturating_sub(1) as f32;
    out.map(|o| {
        let at = ((o as f32 + 0.5 - offset) / scale - 0.5).clamp(0.0, last);
        let i = at.floor();
        let weight = ((at - i) * 256.0).round() as u32;
        let i = i as usize;
        (i, (i + 1).min(last as usize), weight)
    })
    .collect()
}

/// Bilinear resampling of `source` (placed by `(sx, tx, sy, ty)`) into the pixmap's pixels
/// `x0..x1` × `y0..y1`, opaque, blended over what is there at the partly covered `edges`.
/// Rows are blended first (into `row`), then columns: for an enlarged photograph the rows
/// are the shorter pass.
fn scale_into(
    source: &image::RgbImage,
    (sx, tx, sy, ty): (f32, f32, f32, f32),
    (x0, x1, y0, y1): (usize, usize, usize, usize),
    edges: Edges,
    pixmap: &mut Pixmap,
) {
    let columns = taps(x0..x1, sx, tx, source.width());
    let rows = taps(y0..y1, sy, ty, source.height());
    let stride = source.width() as usize * 3;
    let src = source.as_raw();
    let width = pixmap.width() as usize;
    let data = pixmap.data_mut();
    let mut row = vec![0u16; stride];
    for (y, &(r0, r1, wy)) in (y0..y1).zip(&rows) {
        let (top, bottom) = (&src[r0 * stride..][..stride], &src[r1 * stride..][..stride]);
        for ((out, &a), &b) in row.iter_mut().zip(top).zip(bottom) {
            *out = (a as u32 * (256 - wy) + b as u32 * wy) as u16;
        }
        let row_cover = match y {
            _ if y == y0 => edges.top,
            _ if y == y1 - 1 => edges.bottom,
            _ => 256,
        };
        let line = &mut data[(y * width + x0) * 4..(y * width + x1) * 4];
        for (x, (px, &(c0, c1, wx))) in (x0..x1).zip(line.chunks_exact_mut(4).zip(&columns)) {
            let colour = std::array::from_fn::<u32, 3, _>(|c| {
                let v = row[c0 * 3 + c] as u32 * (256 - wx) + row[c1 * 3 + c] as u32 * wx;
                (v + 32768) >> 16
            });
            let cover = match x {
                _ if x == x0 => (edges.left * row_cover) >> 8,
                _ if x == x1 - 1 => (edges.right * row_cover) >> 8,
                _ => row_cover,
            };
            if cover == 256 {
                px[..3].copy_from_slice(&colour.map(|v| v as u8));
                px[3] = 255;
            } else {
                // Source over, on premultiplied pixels.
                for (c, &v) in colour.iter().enumerate() {
                    px[c] = ((v * cover + px[c] as u32 * (256 - cover) + 128) >> 8) as u8;
                }
                px[3] = ((255 * cover + px[3] as u32 * (256 - cover) + 128) >> 8) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A photograph (a gradient with a sharp bar) between a layer under it and one over it,
    /// as the cover's drawing has it.
    fn drawing(photo: &image::RgbImage) -> usvg::Tree {
        let mut png = Vec::new();
        photo
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let png = std::sync::Arc::new(png);
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" height="300" viewBox="0 0 200 300">
<g transform="translate(3 3)">
<g><rect x="-3" y="-3" width="206" height="306" fill="#f0e0c0"/></g>
<image id="photo" xlink:href="photo" x="-3" y="-3" width="206" height="171.3" preserveAspectRatio="xMidYMid slice"/>
<g><rect x="20" y="150" width="150" height="40" fill="#a01010" fill-opacity="0.8"/><line x1="10" y1="200" x2="190" y2="200" stroke="#202020" stroke-width="2"/></g>
</g></svg>"##;
        let options = usvg::Options {
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: Box::new(|_, _, _| None),
                resolve_string: Box::new(move |_, _| Some(usvg::ImageKind::PNG(png.clone()))),
            },
            ..usvg::Options::default()
        };
        usvg::Tree::from_str(svg, &options).unwrap()
    }

    /// The raster drawn band by band with the photograph scaled here, against resvg's
    /// drawing of the whole: the same picture, to within filtering.
    fn compare(photo: image::RgbImage) {
        let tree = drawing(&photo);
        let (width, height) = (400u32, 600u32);
        let transform = Transform::from_row(2.0, 0.0, 0.0, 2.0, -6.0, -6.0);
        let mut whole = Pixmap::new(width, height).unwrap();
        whole.fill(Color::WHITE);
        resvg::render(&tree, transform, &mut whole.as_mut());
        let raster = Raster {
            tree: &tree,
            transform,
            photo: placed(tree.root(), transform, &photo),
        };
        assert!(raster.photo.is_some(), "the photograph is drawn here");
        let band_rows = 64;
        let mut band = Pixmap::new(width, band_rows).unwrap();
        let (mut total, mut worst) = (0u64, 0u8);
        for first in (0..height).step_by(band_rows as usize) {
            band.fill(Color::WHITE);
            raster.draw(first, &mut band);
            for y in first..(first + band_rows).min(height) {
                let at = |row: u32| (row * width * 4) as usize;
                let ours = &band.data()[at(y - first)..][..(width * 4) as usize];
                let theirs = &whole.data()[at(y)..][..(width * 4) as usize];
                for (a, b) in ours.iter().zip(theirs) {
                    let d = a.abs_diff(*b);
                    total += d as u64;
                    worst = worst.max(d);
                }
            }
        }
        let mean = total as f64 / (width * height * 4) as f64;
        assert!(mean < 0.5, "mean difference {mean:.2}");
        assert!(worst < 100, "largest difference {worst}");
    }

    /// Red and green gradients; blue in stripes `stripe` pixels wide.
    fn photo(w: u32, h: u32, stripe: u32) -> image::RgbImage {
        image::RgbImage::from_fn(w, h, |x, y| {
            let bar = (x / stripe) % 2 == 0;
            image::Rgb([
                (x * 255 / w) as u8,
                (y * 255 / h) as u8,
                if bar { 40 } else { 200 },
            ])
        })
    }

    #[test]
    fn an_enlarged_photograph_is_drawn_as_resvg_draws_it() {
        compare(photo(120, 90, 12));
    }

    #[test]
    fn a_much_larger_photograph_is_drawn_as_resvg_draws_it() {
        compare(photo(1500, 1000, 150));
    }

    /// Stripes finer than the raster's pixels come out as their average, not as a moiré.
    #[test]
    fn a_much_larger_photograph_is_averaged_down() {
        let photo = photo(1500, 1000, 1);
        let tree = drawing(&photo);
        let transform = Transform::from_row(2.0, 0.0, 0.0, 2.0, -6.0, -6.0);
        let raster = Raster {
            tree: &tree,
            transform,
            photo: placed(tree.root(), transform, &photo),
        };
        let mut pixmap = Pixmap::new(400, 300).unwrap();
        raster.draw(0, &mut pixmap);
        // Blue across the middle of the photograph.
        let blues: Vec<f64> = (20..380)
            .map(|x| pixmap.pixel(x, 150).unwrap().blue() as f64)
            .collect();
        let mean = blues.iter().sum::<f64>() / blues.len() as f64;
        let spread =
            (blues.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / blues.len() as f64).sqrt();
        assert!((mean - 120.0).abs() < 15.0, "mean blue {mean:.0}");
        // Each pixel averages two or three stripes (thumbnail's whole-pixel blocks): within
        // ±27 of the mean; sampled without averaging, anything from 40 to 200.
        assert!(
            spread < 32.0,
            "blue varies by {spread:.0} across even stripes"
        );
    }
}
