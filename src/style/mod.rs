//! The resolved style: every design decision the back ends read, worked out once per
//! manuscript from the built-in defaults, then the theme, then `roneo.toml`'s `[style]`,
//! then the front matter (the last word wins).
//!
//! The typesetter and the EPUB writer both take a [`Style`]; neither keeps a design constant
//! of its own. Settings arrive as located key–value text ([`StyleSetting`]), so every value is
//! checked here, once, with the file and line of the key that set it.

mod css;
mod numbering;
mod settings;

pub use css::stylesheet;
pub use numbering::{heading_numbers, HeadingNumbers};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::fonts::FontFace;
pub use crate::manuscript::StyleSetting;
use std::path::{Path, PathBuf};

const MM: f32 = 72.0 / 25.4;

/// A family a text element is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Main,
    Sans,
}

/// The faces of a style, in the typesetter's font order: main regular, italic, bold, bold
/// italic, monospace, fallback, then sans regular, italic, bold, bold italic, then the
/// fallbacks for other scripts.
#[derive(Debug, Clone, PartialEq)]
pub struct Faces {
    pub main: [FontFace; 4],
    pub sans: [FontFace; 4],
    pub mono: FontFace,
    pub fallback: FontFace,
    /// Faces for characters the style's own lack, in the order they are tried: the project's
    /// `fonts/`, then the shipped script faces.
    pub fallbacks: Vec<FontFace>,
}

impl Faces {
    pub fn list(&self) -> Vec<FontFace> {
        let mut all = self.main.to_vec();
        all.push(self.mono);
        all.push(self.fallback);
        all.extend(self.sans);
        all.extend_from_slice(&self.fallbacks);
        all
    }

    pub fn family(&self, family: Family) -> &[FontFace; 4] {
        match family {
            Family::Main => &self.main,
            Family::Sans => &self.sans,
        }
    }
}

/// Page size and margins, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PageStyle {
    /// As asked (`a5`, `130x200mm`), for the EPUB's note of its print edition.
    pub name: String,
    pub width: f32,
    pub height: f32,
    /// Margin at the binding.
    pub inner: f32,
    pub outer: f32,
    pub top: f32,
    pub bottom: f32,
    /// Width of the text block.
    pub measure: f32,
}

/// One heading level: sizes in em of the body size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadingLevel {
    pub size: f32,
    /// Distance between its lines, in em; `None`: the body leading.
    pub leading: Option<f32>,
    pub italic: bool,
    pub bold: bool,
    /// Blank lines above it where it opens a chapter.
    pub sink: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Headings {
    pub family: Family,
    /// Levels 1, 2 and 3 (and deeper).
    pub levels: [HeadingLevel; 3],
    /// Sections numbered 1, 1.1, 1.1.1 from the shallowest level the text uses.
    pub numbered: bool,
    /// Set in capitals.
    pub upper: bool,
}

impl Headings {
    pub fn level(&self, level: u8) -> &HeadingLevel {
        &self.levels[usize::from(level.clamp(1, 3) - 1)]
    }
}

/// Figure captions; sizes in em of the body size.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionStyle {
    pub size: f32,
    /// "Figure 2." in bold.
    pub label_bold: bool,
    pub credit_size: f32,
}

/// Footnotes, in points.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteStyle {
    pub size: f32,
    pub leading: f32,
}

/// How the cover is drawn when the manuscript has no cover image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverStyle {
    /// Title between two rules.
    Rules,
    /// Title reversed out of a band of the accent colour.
    Band,
}

/// A page before the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontPage {
    Cover,
    Title,
    Colophon,
    Contents,
}

impl FrontPage {
    pub const NAMES: [(&'static str, FrontPage); 4] = [
        ("cover", FrontPage::Cover),
        ("title", FrontPage::Title),
        ("colophon", FrontPage::Colophon),
        ("contents", FrontPage::Contents),
    ];
}

/// How many pages the print edition should have (`pages:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCount {
    /// Whole sheets: a multiple of 4, for print editions of pamphlet length.
    Auto,
    /// As the text runs; a booklet pads after the text.
    Natural,
    Exactly(usize),
}

/// What the copyfitter may change, and how far, to reach the page count.
#[derive(Debug, Clone, PartialEq)]
pub struct Copyfit {
    pub pages: PageCount,
    /// Where `pages:` was set, for the verdict on it.
    pub pages_at: Option<Location>,
    /// Longer than this, `auto` leaves a book as it runs: it is bound, not saddle-stitched.
    pub pamphlet_pages: usize,
    /// The pages before the text as listed (`front-matter:`); `None`: the copyfitter may set
    /// the title on the cover alone, leave out the contents or move the colophon to the inside
    /// back cover.
    pub front_matter: Option<Vec<FrontPage>>,
    /// Figures may be made this much smaller (of their height) at the least.
    pub figure_floor: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EpubStyle {
    /// Embed the faces the book uses (subset); else the reader's fonts.
    pub embed_fonts: bool,
    /// The project's own CSS, appended to the generated stylesheet.
    pub css: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub theme: String,
    pub faces: Faces,
    pub page: PageStyle,
    pub body_size: f32,
    pub leading: f32,
    /// First lines indented by one em (else paragraphs are set apart by a blank line).
    pub indent: bool,
    pub headings: Headings,
    /// Running heads (section on rectos, title on versos) with folios at the outer edge.
    pub running_heads: bool,
    pub caption: CaptionStyle,
    /// A figure's image is at most this share of the text block's height.
    pub figure_height: f32,
    pub notes: NoteStyle,
    /// Sizes of code and table text, and the indent of list items, in em of the body size.
    pub code_size: f32,
    pub table_size: f32,
    pub list_indent: f32,
    /// The hanging indent of the reference list's entries (lines after the first), in em.
    pub reference_indent: f32,
    /// Headings listed on the contents page, down to this level; `None`: no contents page.
    pub contents: Option<u8>,
    /// A title page after the cover (else the colophon stands on the cover's verso).
    pub title_page: bool,
    /// RGB.
    pub accent: [u8; 3],
    pub cover: CoverStyle,
    pub copyfit: Copyfit,
    /// A leaf of the book's paper, in points: a bound book's spine is as thick as its leaves.
    pub paper_thickness: f32,
    pub epub: EpubStyle,
}

impl Default for Style {
    /// The `classic` theme on A5 with the shipped faces.
    fn default() -> Self {
        settings::Resolver::new(Path::new(""))
            .finish()
            .expect("the defaults resolve")
            .0
    }
}

/// The built-in themes, as theme files.
pub const THEMES: [(&str, &str); 3] = [
    ("classic", include_str!("themes/classic.toml")),
    ("pamphlet", include_str!("themes/pamphlet.toml")),
    ("report", include_str!("themes/report.toml")),
];

/// The folder of a project's own themes (`themes/<name>.toml`).
pub const PROJECT_THEMES: &str = "themes";

/// A resolved style and the project files it read (theme, fonts, CSS), for the build cache.
pub struct Resolved {
    pub style: Style,
    pub files: Vec<PathBuf>,
}

/// Resolves the style of a manuscript from its settings (project's first, then its own) in
/// the project at `root`. Errors fail the manuscript; warnings come back in `diags` either way.
pub fn resolve(
    settings: &[StyleSetting],
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<Resolved> {
    let mut resolver = settings::Resolver::new(root);
    // The theme goes first, whichever source names it; the last `theme:` wins.
    let theme = settings.iter().rev().find(|s| s.key == "theme");
    if let Some(theme) = theme {
        resolver.theme(&theme.value, &theme.at, diags);
    }
    for setting in settings.iter().filter(|s| s.key != "theme") {
        resolver.apply(setting, diags);
    }
    let resolved = resolver.finish();
    let files = std::mem::take(&mut resolver.files);
    match resolved {
        Ok((style, warnings)) => {
            for d in warnings {
                diags.push(d);
            }
            (!diags.has_errors()).then_some(Resolved { style, files })
        }
        Err(problems) => {
            for d in problems {
                diags.push(d);
            }
            None
        }
    }
}

/// The face of `faces` for a style, for messages.
pub fn describe(face: &FontFace) -> String {
    let style = match (face.italic, face.bold) {
        (false, false) => "regular",
        (true, false) => "italic",
        (false, true) => "bold",
        (true, true) => "bold italic",
    };
    format!("{} {style}", face.family)
}

/// Page sizes by name, in points.
pub fn named_page(name: &str) -> Option<(f32, f32)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "a4" => (210.0 * MM, 297.0 * MM),
        "a5" => (148.0 * MM, 210.0 * MM),
        "a6" => (105.0 * MM, 148.0 * MM),
        "b5" => (176.0 * MM, 250.0 * MM),
        "b6" => (125.0 * MM, 176.0 * MM),
        "letter" => (8.5 * 72.0, 11.0 * 72.0),
        "half-letter" | "halfletter" | "statement" => (5.5 * 72.0, 8.5 * 72.0),
        "legal" => (8.5 * 72.0, 14.0 * 72.0),
        _ => return None,
    })
}

pub(crate) fn error(code: &'static str, message: String, at: &Location) -> Diagnostic {
    Diagnostic::error(code, message).at(at.clone())
}
