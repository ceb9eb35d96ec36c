//! Images as the ebook carries them: photographs larger than a screen needs are scaled down
//! (the PDF keeps every pixel for print). The result depends on the pixels alone, so the same
//! inputs still give byte-identical EPUBs.

use crate::document::Asset;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::ImageEncoder;
use std::borrow::Cow;

/// The longest side, in pixels, an image keeps in the EPUB: more than any reading screen shows.
pub const MAX_SIDE: u32 = 2000;
/// JPEG quality of re-encoded photographs: no visible loss at reading sizes.
const JPEG_QUALITY: u8 = 85;

/// The bytes of `asset` for the EPUB: as read, or scaled down to [`MAX_SIDE`] on its long side
/// (JPEG and PNG; GIF and WebP stay as they are, as animation or lossless data would be lost).
pub fn for_ebook(asset: &Asset) -> Cow<'_, [u8]> {
    let long = asset.width.max(asset.height);
    let format = match asset.media_type {
        "image/jpeg" => image::ImageFormat::Jpeg,
        "image/png" => image::ImageFormat::Png,
        _ => return Cow::Borrowed(&asset.data),
    };
    if long <= MAX_SIDE {
        return Cow::Borrowed(&asset.data);
    }
    let Ok(decoded) = image::load_from_memory_with_format(&asset.data, format) else {
        // Damaged images are reported before any output is written; never here.
        return Cow::Borrowed(&asset.data);
    };
    let (width, height) = size(asset);
    let small = decoded.resize_exact(width, height, FilterType::Lanczos3);
    let mut out = Vec::new();
    let written = match format {
        image::ImageFormat::Jpeg => {
            let rgb = small.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(
                rgb.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
        }
        _ => small.write_with_encoder(PngEncoder::new(&mut out)),
    };
    match written {
        Ok(()) => Cow::Owned(out),
        Err(_) => Cow::Borrowed(&asset.data),
    }
}

/// Photographs (JPEG, PNG) wider than this in the ebook's copy get a second, narrower copy on
/// the web, for phones (`srcset`).
pub const WEB_SMALL_ABOVE: u32 = 1000;
/// The narrower copy's width.
pub const WEB_SMALL_WIDTH: u32 = 800;

/// The web edition's narrower copy of `asset`, when it has one: its file name and size.
pub fn small(asset: &Asset) -> Option<(String, u32, u32)> {
    let (width, height) = size(asset);
    if width <= WEB_SMALL_ABOVE || !matches!(asset.media_type, "image/jpeg" | "image/png") {
        return None;
    }
    let h = ((height as f64 * WEB_SMALL_WIDTH as f64 / width as f64).round() as u32).max(1);
    let name = match asset.name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{WEB_SMALL_WIDTH}w.{ext}"),
        None => format!("{}.{WEB_SMALL_WIDTH}w", asset.name),
    };
    Some((name, WEB_SMALL_WIDTH, h))
}

/// The bytes of [`small`]'s copy, the same for the same image: scaled by averaging (a fast
/// filter, ample for a reduction of at most 2.5 times), JPEG by jpeg-encoder; `None` when the
/// image has none or cannot be decoded (reported before any output).
pub fn small_copy(asset: &Asset) -> Option<Vec<u8>> {
    let (_, width, height) = small(asset)?;
    let format = match asset.media_type {
        "image/jpeg" => image::ImageFormat::Jpeg,
        _ => image::ImageFormat::Png,
    };
    let decoded = image::load_from_memory_with_format(&asset.data, format).ok()?;
    let scaled = decoded.thumbnail_exact(width, height);
    let mut out = Vec::new();
    match format {
        // jpeg-encoder (SIMD, colour at half resolution): a third of `image`'s time.
        image::ImageFormat::Jpeg => {
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
            encoder
                .encode(
                    scaled.to_rgb8().as_raw(),
                    u16::try_from(width).ok()?,
                    u16::try_from(height).ok()?,
                    jpeg_encoder::ColorType::Rgb,
                )
                .ok()?
        }
        _ => scaled.write_with_encoder(PngEncoder::new(&mut out)).ok()?,
    }
    Some(out)
}

/// The pixel size of `asset` in the EPUB (see [`for_ebook`]).
pub fn size(asset: &Asset) -> (u32, u32) {
    let long = asset.width.max(asset.height);
    if long <= MAX_SIDE || !matches!(asset.media_type, "image/jpeg" | "image/png") {
        return (asset.width, asset.height);
    }
    let scale = MAX_SIDE as f64 / long as f64;
    let scaled = |side: u32| ((side as f64 * scale).round() as u32).max(1);
    (scaled(asset.width), scaled(asset.height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn asset(width: u32, height: u32) -> Asset {
        let mut pixels = image::RgbImage::new(width, height);
        for (x, y, p) in pixels.enumerate_pixels_mut() {
            *p = image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 239) as u8]);
        }
        let mut data = Vec::new();
        JpegEncoder::new_with_quality(&mut data, 95)
            .write_image(
                pixels.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgb8,
            )
            .unwrap();
        Asset {
            source: "photo.jpg".into(),
            name: "photo.jpg".into(),
            media_type: "image/jpeg",
            width,
            height,
            data: Arc::new(data),
            first_use: Default::default(),
        }
    }

    #[test]
    fn large_photographs_are_scaled_to_2000_px_reproducibly_and_small_ones_kept() {
        let big = asset(3000, 1800);
        let once = for_ebook(&big);
        let scaled = image::load_from_memory(&once).unwrap();
        assert_eq!((scaled.width(), scaled.height()), (2000, 1200));
        assert_eq!(size(&big), (2000, 1200));
        assert!(once.len() < big.data.len());
        assert_eq!(
            once,
            for_ebook(&big),
            "the same photograph scales to the same bytes"
        );
        let small = asset(800, 600);
        assert!(matches!(for_ebook(&small), Cow::Borrowed(b) if b == &small.data[..]));
    }
}
