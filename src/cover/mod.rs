//! The front cover, when the publisher gives no cover file: designed from the manuscript's
//! metadata and a [`CoverDesign`] (which the style decides), drawn once as an SVG document.
//! The PDF writer places that drawing as its first page (vectors, real text, the photograph at
//! full resolution, out to the bleed; `krilla-svg`) and the EPUB gets it rasterized as its
//! cover image (`resvg`): one layout, every output.
//!
//! A cover file the publisher gives is used as it is; [`check_given`] says when it is smaller
//! than stores and printers ask for.

mod back;
mod compose;
mod contrast;
mod raster;
mod spine;
mod text;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::document::{BackCover, Document, Logo};
use crate::fonts::{self, FontFace};

pub use compose::Drawing;
pub use spine::TEXT_SPINE;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// Where the type sits on a cover that has a photograph. Without one, every layout falls back
/// to [`CoverLayout::Rules`] in the design's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverLayout {
    /// Type only: the title between two rules on the paper colour.
    Rules,
    /// The photograph fills the cover; the type is set in a band of the accent colour across it.
    Band,
    /// The photograph fills the cover; the type is set on it, over a darkening scrim made as
    /// dark as the contrast check needs.
    Scrim,
    /// The photograph fills the cover's upper part; the type is set on a panel below it.
    Panel,
}

/// The resolved design of a generated cover: everything the drawing needs besides the text.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverDesign {
    pub layout: CoverLayout,
    /// The background where there is no photograph (and of panels).
    pub paper: Rgb,
    /// Text on the paper.
    pub ink: Rgb,
    /// Bands, rules and the background of typographic covers that ask for it.
    pub accent: Rgb,
    /// Text on the accent colour.
    pub on_accent: Rgb,
    /// A typographic cover in the accent colour (else the paper colour).
    pub accent_ground: bool,
    pub title_face: FontFace,
    pub text_face: FontFace,
    /// The subtitle's face.
    pub italic_face: FontFace,
    /// For characters the other faces lack.
    pub fallback: FontFace,
    /// The title in capitals.
    pub upper: bool,
    /// Lines centred (else set left).
    pub centred: bool,
    /// The trim size in points: the print edition's page.
    pub trim: (f32, f32),
}

impl Default for CoverDesign {
    /// Today's look, before any theme: a photograph above a panel, Linux Libertine, centred.
    fn default() -> Self {
        CoverDesign::new(
            CoverLayout::Panel,
            [0x8b, 0x1a, 0x1a],
            &fonts::BODY,
            &fonts::BODY,
            false,
        )
    }
}

impl CoverDesign {
    /// A design from the decisions a style makes: the layout, its accent colour, the family of
    /// the title (regular, italic, bold, bold italic), the family of the other lines, and
    /// whether titles are set in capitals. Colours of paper and ink are worked out from them.
    pub fn new(
        layout: CoverLayout,
        accent: Rgb,
        title_family: &[FontFace; 4],
        text_family: &[FontFace; 4],
        upper: bool,
    ) -> CoverDesign {
        let paper = [0xfb, 0xf8, 0xf1];
        let ink = [0x1c, 0x1a, 0x18];
        CoverDesign {
            layout,
            paper,
            ink,
            accent,
            on_accent: contrast::legible_ink([0xff, 0xff, 0xff], accent, 12.0, false),
            accent_ground: layout == CoverLayout::Band,
            title_face: title_family[2],
            text_face: text_family[0],
            italic_face: text_family[1],
            fallback: fonts::FALLBACK,
            upper,
            centred: layout != CoverLayout::Scrim,
            // A5 until a style says otherwise.
            trim: (148.0 * MM, 210.0 * MM),
        }
    }
}

/// A generated cover: the drawing, parsed once for both renderers.
pub struct Cover {
    pub drawing: Drawing,
    tree: usvg::Tree,
    photo: Option<compose::Photo>,
    logo: Option<std::sync::Arc<Vec<u8>>>,
}

/// Width of the EPUB's cover image: what ebook stores ask for at least.
pub const EBOOK_WIDTH: u32 = 1600;
/// The print resolution printers ask for.
const PRINT_DPI: f32 = 300.0;
const MM: f32 = 72.0 / 25.4;

impl Cover {
    /// The trim size in points.
    pub fn trim(&self) -> (f32, f32) {
        (self.drawing.width, self.drawing.height)
    }

    pub fn bleed(&self) -> f32 {
        self.drawing.bleed
    }

    /// The drawing as the PDF places it: trim plus bleed on every side.
    pub fn tree(&self) -> &usvg::Tree {
        &self.tree
    }

    /// Everything [`Cover::jpeg`] draws from, piece by piece (the drawing, the photograph,
    /// the logo, the faces), for a cache to know the image by. A face compiled into roneo is
    /// given by its name: its bytes are the binary's, which the cache's key names already
    /// (hashing every shipped face it may fall back to cost more than reading the cache).
    pub fn raster_inputs(&self, mut input: impl FnMut(&[u8])) {
        input(self.drawing.svg.as_bytes());
        if let Some(photo) = &self.photo {
            input(photo.data());
        }
        if let Some(logo) = &self.logo {
            input(logo);
        }
        let fonts = &self.drawing.fonts;
        for face in fonts.faces() {
            fonts.with_face_data(face.id, |data, index| {
                match fonts::compiled_in(data) {
                    Some(shipped) => input(format!("shipped {}", shipped.file).as_bytes()),
                    None => input(data),
                }
                input(&index.to_le_bytes());
            });
        }
    }

    /// What the cover says, for alternative text.
    pub fn alt(&self) -> &str {
        &self.drawing.alt
    }

    /// The size of [`Cover::jpeg`]'s image in pixels.
    pub fn raster_size(&self) -> (u32, u32) {
        let (w, h) = self.trim();
        (EBOOK_WIDTH, (EBOOK_WIDTH as f32 * h / w).round() as u32)
    }

    /// The cover inside the trim as a JPEG, [`EBOOK_WIDTH`] pixels wide at the trim's
    /// proportions, sRGB (with its profile). Returns the bytes and the size in pixels.
    pub fn jpeg(&self) -> Result<(Vec<u8>, u32, u32), String> {
        // Test hook (debug builds only): the encoder fails, as a fault of its own would.
        #[cfg(debug_assertions)]
        if std::env::var_os("RONEO_TEST_FAULT").is_some_and(|v| v == "cover-raster") {
            return Err("RONEO_TEST_FAULT=cover-raster refuses the cover image".into());
        }
        let (w, _) = self.trim();
        let (width, height) = self.raster_size();
        let scale = width as f32 / w;
        let bleed = self.bleed() * scale;
        let transform =
            resvg::tiny_skia::Transform::from_row(scale, 0.0, 0.0, scale, -bleed, -bleed);
        let pixels = self.photo.as_ref().and_then(compose::Photo::opaque_pixels);
        let jpeg = raster::jpeg(
            &self.tree,
            transform,
            pixels.as_deref(),
            (width, height),
            SRGB_ICC,
        )?;
        Ok((jpeg, width, height))
    }
}

/// The sRGB profile (saucecontrol's Compact ICC Profiles, CC0), so that readers and stores
/// show the cover's colours as drawn.
const SRGB_ICC: &[u8] = include_bytes!("sRGB-v2-magic.icc");

/// The trim size of the print edition in points (the style's page) and the bleed.
pub fn page(doc: &Document, trim: (f32, f32)) -> ((f32, f32), f32) {
    let bleed = doc.meta.print.bleed_mm.unwrap_or(0.0).max(0.0) * MM;
    (trim, bleed)
}

/// A cover that could not be drawn or encoded: no manuscript's text can cause that (roneo
/// escapes what it draws), so it is reported against the manuscript's file as a fault to report.
pub fn failed(doc: &Document, message: String) -> Diagnostic {
    let d = Diagnostic::error("cover-failed", message).help(format!(
        "nothing was written for this manuscript; give it a cover file (`cover-image:`) to build \
         it meanwhile, and please report this at {}/issues with `roneo --version` and the manuscript",
        env!("CARGO_PKG_REPOSITORY")
    ));
    match &doc.meta.title_at {
        Some(at) => d.at(Location::file(&at.file)),
        None => d,
    }
}

/// The alternative text of a generated cover of `doc`: the words it shows.
pub fn alt_text(doc: &Document) -> String {
    compose::alt(&doc.meta)
}

/// Draws the cover of a manuscript that has no cover file. Warnings (a title set below the
/// design's smallest size) and errors (a logo that does not decode) go to `diags`; `None` when
/// the cover cannot be drawn (a photograph that does not decode is reported by the document
/// stage's image check).
pub fn draw(doc: &Document, design: &CoverDesign, diags: &mut Diagnostics) -> Option<Cover> {
    let ((width, height), bleed) = page(doc, design.trim);
    let photo = match doc.meta.cover_photo.and_then(|id| doc.assets.get(id)) {
        Some(asset) => Some(compose::Photo::decode(asset)?),
        None => None,
    };
    let logo = match &doc.meta.logo {
        Some(logo) => match compose::LogoArt::load(logo) {
            Ok(art) => Some(art),
            Err(why) => {
                diags.push(
                    Diagnostic::error(
                        "corrupt-image",
                        format!("logo '{}' cannot be used: {why}", logo.source.display()),
                    )
                    .at(logo.at.clone())
                    .help("the logo must be an SVG or PNG file; re-export it from its source"),
                );
                return None;
            }
        },
        None => None,
    };
    let drawing = compose::compose(
        &doc.meta,
        design,
        compose::Sheet {
            width,
            height,
            bleed,
        },
        photo.as_ref(),
        logo.as_ref(),
    );
    for problem in &drawing.too_long {
        let mut d = Diagnostic::warning("cover-text-too-long", problem.clone())
            .help("shorten it (a subtitle can carry the rest), or choose a larger page");
        if let Some(at) = &doc.meta.title_at {
            d = d.at(at.clone());
        }
        diags.push(d);
    }
    let tree = match drawing.parse(photo.as_ref(), logo.as_ref()) {
        Ok(tree) => tree,
        Err(e) => {
            diags.push(failed(doc, format!("the cover could not be drawn: {e}")));
            return None;
        }
    };
    Some(Cover {
        drawing,
        tree,
        photo,
        logo: doc.meta.logo.as_ref().map(|l| l.data.clone()),
    })
}

/// Draws the back cover in the front cover's design. A logo that does not decode is reported
/// with the front cover; here it is left out.
pub fn draw_back(
    doc: &Document,
    back: &BackCover,
    design: &CoverDesign,
    diags: &mut Diagnostics,
) -> Option<Cover> {
    let ((width, height), bleed) = page(doc, design.trim);
    let logo = doc
        .meta
        .logo
        .as_ref()
        .and_then(|logo| compose::LogoArt::load(logo).ok());
    let sheet = compose::Sheet {
        width,
        height,
        bleed,
    };
    let drawing = back::compose(&doc.meta, back, design, sheet, logo.as_ref());
    for problem in &drawing.too_long {
        diags.push(
            Diagnostic::warning("cover-text-too-long", problem.clone()).help(
                "shorten the description (or give the back cover a `back-cover:` text of its own)",
            ),
        );
    }
    match drawing.parse(None, logo.as_ref()) {
        Ok(tree) => Some(Cover {
            drawing,
            tree,
            photo: None,
            logo: doc.meta.logo.as_ref().map(|l| l.data.clone()),
        }),
        Err(e) => {
            diags.push(failed(
                doc,
                format!("the back cover could not be drawn: {e}"),
            ));
            None
        }
    }
}

/// Draws the spine of a perfect-bound book, `thickness` points wide, in the covers' design.
pub fn draw_spine(
    doc: &Document,
    design: &CoverDesign,
    thickness: f32,
    diags: &mut Diagnostics,
) -> Option<Cover> {
    let ((width, height), bleed) = page(doc, design.trim);
    let sheet = compose::Sheet {
        width,
        height,
        bleed,
    };
    let drawing = spine::compose(&doc.meta, design, thickness, sheet);
    for problem in &drawing.too_long {
        let mut d = Diagnostic::warning("cover-text-too-long", problem.clone())
            .help("shorten the title, or use thicker paper (`paper-thickness`)");
        if let Some(at) = &doc.meta.title_at {
            d = d.at(at.clone());
        }
        diags.push(d);
    }
    match drawing.parse(None, None) {
        Ok(tree) => Some(Cover {
            drawing,
            tree,
            photo: None,
            logo: None,
        }),
        Err(e) => {
            diags.push(failed(doc, format!("the spine could not be drawn: {e}")));
            None
        }
    }
}

/// Checks a cover file the publisher gives against what stores and printers ask for: an
/// ebook cover at least 1600 px wide and portrait, a print cover at 300 dpi over the trim and
/// the bleed.
pub fn check_given(doc: &Document, trim: (f32, f32), diags: &mut Diagnostics) {
    let Some(asset) = doc.meta.cover.and_then(|id| doc.assets.get(id)) else {
        return;
    };
    let ((width, height), bleed) = page(doc, trim);
    let (_, at) = &asset.first_use;
    let name = asset.source.file_name().map_or_else(
        || asset.source.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let (w, h) = (asset.width, asset.height);
    if w < EBOOK_WIDTH || h <= w {
        diags.push(
            Diagnostic::warning(
                "cover-too-small",
                format!(
                    "cover image '{name}' is {w} × {h} px{}; ebook stores ask for a portrait image at least {EBOOK_WIDTH} px wide",
                    if h <= w { ", not portrait" } else { "" }
                ),
            )
            .at(at.clone())
            .help("export the cover at 1600 × 2560 px or larger (Amazon and Apple recommend 1600 × 2560), or remove it to get a generated cover"),
        );
    }
    let (print_w, print_h) = (width + 2.0 * bleed, height + 2.0 * bleed);
    // The image is scaled to fill the page and its bleed: the tighter direction decides.
    let dpi = (w as f32 / (print_w / 72.0)).min(h as f32 / (print_h / 72.0));
    if dpi + 0.5 < PRINT_DPI {
        let need_w = (print_w / 72.0 * PRINT_DPI).ceil();
        let need_h = (print_h / 72.0 * PRINT_DPI).ceil();
        let trim = format!(
            "{:.0} × {:.0} mm{}",
            width / MM,
            height / MM,
            if bleed > 0.0 {
                format!(" plus {:.1} mm bleed", bleed / MM)
            } else {
                String::new()
            }
        );
        diags.push(
            Diagnostic::warning(
                "cover-low-resolution",
                format!(
                    "cover image '{name}' prints at {dpi:.0} dpi on the {trim}; printers ask for {PRINT_DPI:.0} dpi, {need_w:.0} × {need_h:.0} px"
                ),
            )
            .at(at.clone())
            .help("export the cover at print resolution, or remove it to get a generated cover"),
        );
    }
}
