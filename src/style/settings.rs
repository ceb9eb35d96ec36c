//! Settings applied in order onto the defaults, then worked out into a [`Style`].

use super::{
    describe, error, named_page, CaptionStyle, Copyfit, CoverStyle, EpubStyle, Faces, Family,
    FrontPage, HeadingLevel, Headings, NoteStyle, PageCount, PageStyle, Style, StyleSetting, MM,
    PROJECT_THEMES, THEMES,
};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::fonts::{self, FontFace};
use crate::manuscript::project::toml_settings;
use std::path::{Path, PathBuf};

/// A value with the place that set it.
type At<T> = Option<(T, Location)>;

#[derive(Default)]
pub(super) struct Resolver {
    root: PathBuf,
    pub(super) files: Vec<PathBuf>,
    theme: String,
    mainfont: At<String>,
    sansfont: At<String>,
    monofont: At<String>,
    fontsize: At<f32>,
    linestretch: At<f32>,
    papersize: At<(String, f32, f32)>,
    margin_top: At<f32>,
    margin_bottom: At<f32>,
    margin_inner: At<f32>,
    margin_outer: At<f32>,
    indent: Option<bool>,
    heading_family: Option<Family>,
    heading_numbers: Option<bool>,
    heading_upper: Option<bool>,
    running_heads: Option<bool>,
    toc: Option<bool>,
    title_page: Option<bool>,
    toc_depth: Option<u8>,
    accent: Option<[u8; 3]>,
    cover: Option<CoverStyle>,
    embed_fonts: Option<bool>,
    epub_css: Option<String>,
    pages: Option<(PageCount, Location)>,
    paper_thickness: Option<f32>,
    front_matter: Option<Vec<FrontPage>>,
    /// The project's own faces, read when a family is asked for that roneo does not ship.
    project_faces: Option<Vec<FontFace>>,
    /// `system-fonts: true`: the system's faces are the last fallback, and families may be
    /// found there.
    system_fonts: Option<bool>,
    system_faces: Option<Vec<FontFace>>,
}

impl Resolver {
    pub(super) fn new(root: &Path) -> Self {
        Resolver {
            root: root.to_path_buf(),
            theme: "classic".into(),
            ..Resolver::default()
        }
    }

    /// Applies a theme's settings: the project's `themes/<name>.toml`, else a built-in one.
    pub(super) fn theme(&mut self, name: &str, at: &Location, diags: &mut Diagnostics) {
        let file = self.root.join(PROJECT_THEMES).join(format!("{name}.toml"));
        let (text, file) = if let Ok(text) = std::fs::read_to_string(&file) {
            self.files.push(file.clone());
            (text, file)
        } else if let Some((_, text)) = THEMES.iter().find(|(n, _)| *n == name) {
            (
                text.to_string(),
                PathBuf::from(format!("<built-in theme {name}>")),
            )
        } else {
            let mut names: Vec<String> = THEMES.iter().map(|(n, _)| n.to_string()).collect();
            if let Ok(entries) = std::fs::read_dir(self.root.join(PROJECT_THEMES)) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    if path.extension().is_some_and(|e| e == "toml") {
                        if let Some(stem) = path.file_stem() {
                            names.push(stem.to_string_lossy().into_owned());
                        }
                    }
                }
            }
            names.sort();
            names.dedup();
            diags.push(
                error("unknown-theme", format!("no theme called `{name}`"), at).help(format!(
                    "themes available: {} (a project theme is a file themes/<name>.toml)",
                    names.join(", ")
                )),
            );
            return;
        };
        self.theme = name.to_string();
        for setting in toml_settings(&text, &file, diags) {
            if setting.key == "theme" {
                diags.push(
                    Diagnostic::warning(
                        "unknown-key",
                        "a theme cannot name another theme; `theme` ignored",
                    )
                    .at(setting.at.clone()),
                );
                continue;
            }
            self.apply(&setting, diags);
        }
    }

    pub(super) fn apply(&mut self, s: &StyleSetting, diags: &mut Diagnostics) {
        let at = || s.at.clone();
        let v = s.value.trim();
        let mut bad = |expected: &str| {
            diags.push(error(
                "invalid-style",
                format!("style key `{}` must be {expected}, not `{v}`", s.key),
                &s.at,
            ));
        };
        match s.key.as_str() {
            "mainfont" => self.mainfont = Some((v.to_string(), at())),
            "sansfont" => self.sansfont = Some((v.to_string(), at())),
            "monofont" => self.monofont = Some((v.to_string(), at())),
            "fontsize" => match points(v).filter(|p| *p >= 4.0 && *p <= 72.0) {
                Some(size) => self.fontsize = Some((size, at())),
                None => bad("a size between 4pt and 72pt, such as `10pt`"),
            },
            "linestretch" => match v.parse::<f32>().ok().filter(|x| (0.5..=4.0).contains(x)) {
                Some(x) => self.linestretch = Some((x, at())),
                None => bad("a number between 0.5 and 4, such as `1.2`"),
            },
            "papersize" => match page_size(v) {
                Some((w, h)) => self.papersize = Some(((v.to_string(), w, h), at())),
                None => bad(
                    "a5, a6, a4, b5, b6, letter, half-letter, legal, or a size from 50 to 1000mm a side such as `130x200mm`",
                ),
            },
            "margin" | "margin-top" | "margin-bottom" | "margin-inner" | "margin-outer" => {
                let Some(length) = length(v) else {
                    return bad("a length such as `18mm`, `2cm`, `0.75in` or `54pt`");
                };
                let set = Some((length, at()));
                match s.key.as_str() {
                    "margin-top" => self.margin_top = set,
                    "margin-bottom" => self.margin_bottom = set,
                    "margin-inner" => self.margin_inner = set,
                    "margin-outer" => self.margin_outer = set,
                    _ => {
                        self.margin_top = set.clone();
                        self.margin_bottom = set.clone();
                        self.margin_inner = set.clone();
                        self.margin_outer = set;
                    }
                }
            }
            "indent" => bool_into(v, &mut self.indent, &mut bad),
            "heading-numbers" => bool_into(v, &mut self.heading_numbers, &mut bad),
            "running-heads" => bool_into(v, &mut self.running_heads, &mut bad),
            "toc" => bool_into(v, &mut self.toc, &mut bad),
            "title-page" => bool_into(v, &mut self.title_page, &mut bad),
            "embed-fonts" => bool_into(v, &mut self.embed_fonts, &mut bad),
            "system-fonts" => bool_into(v, &mut self.system_fonts, &mut bad),
            "toc-depth" => match v.parse::<u8>().ok().filter(|d| (1..=6).contains(d)) {
                Some(d) => self.toc_depth = Some(d),
                None => bad("a heading level from 1 to 6"),
            },
            "pages" => match v {
                "auto" => self.pages = Some((PageCount::Auto, at())),
                "natural" => self.pages = Some((PageCount::Natural, at())),
                n => match n.parse::<usize>().ok().filter(|n| (1..=10_000).contains(n)) {
                    Some(n) => self.pages = Some((PageCount::Exactly(n), at())),
                    None => {
                        bad("`auto`, `natural` or a number of pages from 1 to 10000, such as `8`")
                    }
                },
            },
            "paper-thickness" => match length(v).filter(|t| (0.02 * MM..=1.0 * MM).contains(t)) {
                Some(t) => self.paper_thickness = Some(t),
                None => bad("a leaf's thickness from 0.02mm to 1mm, such as `0.1mm`"),
            },
            "front-matter" => match front_pages(v) {
                Ok(pages) => self.front_matter = Some(pages),
                Err(why) => bad(&why),
            },
            "heading-font" => match v {
                "main" | "serif" => self.heading_family = Some(Family::Main),
                "sans" => self.heading_family = Some(Family::Sans),
                _ => bad("`main` or `sans`"),
            },
            "heading-case" => match v {
                "as-written" => self.heading_upper = Some(false),
                "upper" => self.heading_upper = Some(true),
                _ => bad("`as-written` or `upper`"),
            },
            "cover" => match v {
                "rules" => self.cover = Some(CoverStyle::Rules),
                "band" => self.cover = Some(CoverStyle::Band),
                _ => bad("`rules` or `band`"),
            },
            "accent" => match colour(v) {
                Some(c) => self.accent = Some(c),
                None => bad("a colour such as `#b3001b`"),
            },
            "epub-css" => {
                // Relative to the file that names it (the manuscript, roneo.toml or a theme).
                let base = s.at.file.parent().unwrap_or(Path::new(""));
                let path = base.join(v);
                match std::fs::read_to_string(&path) {
                    Ok(css) => {
                        self.files.push(path);
                        self.epub_css = Some(css);
                    }
                    Err(e) => diags.push(
                        error(
                            "missing-css",
                            format!(
                                "cannot read the EPUB stylesheet `{}`: {}",
                                path.display(),
                                crate::diagnostic::os_error(&e)
                            ),
                            &s.at,
                        )
                        .help(
                            "`epub-css` is a CSS file's path, relative to the file that names it",
                        ),
                    ),
                }
            }
            other => diags.push(
                Diagnostic::warning(
                    "unknown-key",
                    format!("unknown style key `{other}` ignored"),
                )
                .at(at())
                .help(format!(
                    "style keys: {}",
                    crate::manuscript::STYLE_KEYS.join(", ")
                )),
            ),
        }
    }

    /// Works the settings out into a style; errors are values that cannot go together or
    /// fonts the project does not have.
    pub(super) fn finish(&mut self) -> Result<(Style, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let main = self.family(
            self.mainfont.clone(),
            &fonts::BODY,
            &mut problems,
            &mut warnings,
        );
        let sans = self.family(
            self.sansfont.clone(),
            &fonts::SANS,
            &mut problems,
            &mut warnings,
        );
        let mono = self.family(
            self.monofont.clone(),
            std::slice::from_ref(&fonts::MONO),
            &mut problems,
            &mut warnings,
        )[0];
        let (name, width, height) = self
            .papersize
            .as_ref()
            .map(|(p, _)| p.clone())
            .unwrap_or_else(|| ("a5".into(), 148.0 * MM, 210.0 * MM));
        // Without a size, the body size follows the page: small pages, smaller type.
        let (body_size, leading) = match &self.fontsize {
            Some((size, _)) => (*size, size * 14.0 / 11.0),
            None if width < 110.0 * MM => (9.5, 12.0),
            None if width > 200.0 * MM => (12.0, 15.0),
            None => (11.0, 14.0),
        };
        let leading = self
            .linestretch
            .as_ref()
            .map_or(leading, |(x, _)| leading * x);
        // The text block of A5 is 112 mm wide, at most 38 em, the narrower margin at the
        // binding so that a spread reads as one; other sizes keep the proportions.
        let default_measure = (width * 112.0 / 148.0).min(38.0 * body_size);
        let default_inner = (width - default_measure) * 0.42;
        let inner = self.margin_inner.as_ref().map_or(default_inner, |m| m.0);
        let outer = self
            .margin_outer
            .as_ref()
            .map_or(width - default_measure - default_inner, |m| m.0);
        let measure = if self.margin_inner.is_none() && self.margin_outer.is_none() {
            default_measure
        } else {
            width - inner - outer
        };
        let top = self.margin_top.as_ref().map_or(height * 0.085, |m| m.0);
        let bottom = self.margin_bottom.as_ref().map_or(height * 0.11, |m| m.0);
        let lines = (height - top - bottom) / leading;
        let at = self
            .margin_inner
            .as_ref()
            .map(|m| m.1.clone())
            .or_else(|| self.margin_outer.as_ref().map(|m| m.1.clone()))
            .or_else(|| self.margin_top.as_ref().map(|m| m.1.clone()))
            .or_else(|| self.margin_bottom.as_ref().map(|m| m.1.clone()))
            .or_else(|| self.papersize.as_ref().map(|p| p.1.clone()))
            .or_else(|| self.fontsize.as_ref().map(|p| p.1.clone()))
            .unwrap_or_default();
        if measure < 12.0 * body_size || lines < 8.0 {
            problems.push(
                error(
                    "page-too-small",
                    format!(
                        "the page ({:.0} × {:.0} mm) leaves a text block of {:.0} mm × {:.0} lines inside its margins",
                        width / MM,
                        height / MM,
                        measure.max(0.0) / MM,
                        lines.max(0.0).floor()
                    ),
                    &at,
                )
                .help("a text block needs at least 12 em across and 8 lines: make the margins smaller, the page larger or the type smaller"),
            );
        }
        let notes = match &self.fontsize {
            Some((size, _)) => NoteStyle {
                size: size * 8.5 / 11.0,
                leading: leading * 10.5 / 14.0,
            },
            None => NoteStyle {
                size: 8.5,
                leading: 10.5,
            },
        };
        if !problems.is_empty() {
            problems.extend(warnings);
            return Err(problems);
        }
        let fallbacks = self.fallbacks(&mut warnings);
        let sans_headings = self.heading_family == Some(Family::Sans);
        let style = Style {
            theme: std::mem::take(&mut self.theme),
            faces: Faces {
                main,
                sans,
                mono,
                fallback: fonts::FALLBACK,
                fallbacks,
            },
            page: PageStyle {
                name,
                width,
                height,
                inner,
                outer,
                top,
                bottom,
                measure,
            },
            body_size,
            leading,
            indent: self.indent.unwrap_or(true),
            headings: Headings {
                family: self.heading_family.unwrap_or(Family::Main),
                levels: [
                    HeadingLevel {
                        size: 1.8,
                        leading: Some(2.2),
                        italic: false,
                        bold: sans_headings,
                        sink: 3,
                    },
                    HeadingLevel {
                        size: 1.15,
                        leading: None,
                        italic: false,
                        bold: true,
                        sink: 0,
                    },
                    HeadingLevel {
                        size: 1.0,
                        leading: None,
                        italic: !sans_headings,
                        bold: sans_headings,
                        sink: 0,
                    },
                ],
                numbered: self.heading_numbers.unwrap_or(false),
                upper: self.heading_upper.unwrap_or(false),
            },
            running_heads: self.running_heads.unwrap_or(true),
            caption: CaptionStyle {
                size: 0.85,
                label_bold: true,
                credit_size: 0.7,
            },
            figure_height: 0.6,
            notes,
            code_size: 0.8,
            table_size: 0.85,
            list_indent: 1.5,
            reference_indent: 2.0,
            contents: match self.toc {
                Some(false) => None,
                _ => Some(self.toc_depth.unwrap_or(2)),
            },
            title_page: self.title_page.unwrap_or(true),
            accent: self.accent.unwrap_or([0x8b, 0x1a, 0x1a]),
            cover: self.cover.unwrap_or(CoverStyle::Rules),
            copyfit: Copyfit {
                pages: self.pages.as_ref().map_or(PageCount::Auto, |p| p.0),
                pages_at: self.pages.as_ref().map(|p| p.1.clone()),
                pamphlet_pages: 64,
                front_matter: self.front_matter.take(),
                figure_floor: 0.6,
            },
            paper_thickness: self.paper_thickness.unwrap_or(0.1 * MM),
            epub: EpubStyle {
                embed_fonts: self.embed_fonts.unwrap_or(true),
                css: self.epub_css.take(),
            },
        };
        Ok((style, warnings))
    }

    /// The faces characters fall back to: every face in the project's `fonts/`, then the
    /// shipped script faces. A file there that does not parse is skipped with a warning (an
    /// error when a family the project names is looked for there, see [`Resolver::family`]).
    fn fallbacks(&mut self, warnings: &mut Vec<Diagnostic>) -> Vec<FontFace> {
        if self.root.as_os_str().is_empty() {
            // The defaults, outside any project.
            return fonts::SCRIPTS.to_vec();
        }
        let root = self.root.clone();
        let project = self.project_faces.get_or_insert_with(|| {
            let (faces, files, bad) = fonts::project_faces(&root);
            warnings.extend(bad.into_iter().map(|mut d| {
                d.severity = crate::diagnostic::Severity::Warning;
                d
            }));
            self.files.extend(files);
            faces
        });
        let mut all: Vec<FontFace> = project.iter().chain(&fonts::SCRIPTS).copied().collect();
        all.extend_from_slice(self.system());
        all
    }

    /// The system's faces when `system-fonts: true` (read once; the files they come from are
    /// the build's dependencies), else none.
    fn system(&mut self) -> &[FontFace] {
        if self.system_fonts != Some(true) {
            return &[];
        }
        let files = &mut self.files;
        self.system_faces.get_or_insert_with(|| {
            let (faces, read) = fonts::system_faces();
            files.extend(read);
            faces
        })
    }

    /// The four faces (regular, italic, bold, bold italic) of the family `asked` names, else
    /// of `default`.
    fn family(
        &mut self,
        asked: At<String>,
        default: &[FontFace],
        problems: &mut Vec<Diagnostic>,
        warnings: &mut Vec<Diagnostic>,
    ) -> [FontFace; 4] {
        let Some((name, at)) = asked else {
            return pick(default, None, warnings);
        };
        let bundled: Vec<FontFace> = fonts::bundled()
            .filter(|f| f.family.eq_ignore_ascii_case(&name))
            .copied()
            .collect();
        if !bundled.is_empty() {
            return pick(&bundled, None, warnings);
        }
        let root = self.root.clone();
        let project = self.project_faces.get_or_insert_with(|| {
            let (faces, files, bad) = fonts::project_faces(&root);
            problems.extend(bad);
            self.files.extend(files);
            faces
        });
        let mut found: Vec<FontFace> = project
            .iter()
            .filter(|f| f.family.eq_ignore_ascii_case(&name))
            .copied()
            .collect();
        let project: Vec<&'static str> = project.iter().map(|f| f.family).collect();
        if found.is_empty() {
            found = self
                .system()
                .iter()
                .filter(|f| f.family.eq_ignore_ascii_case(&name))
                .copied()
                .collect();
        }
        if found.is_empty() {
            let system = self.system().iter().map(|f| f.family);
            let mut families: Vec<&str> = fonts::bundled()
                .map(|f| f.family)
                .chain(project)
                .chain(system)
                .collect();
            families.sort_unstable();
            families.dedup();
            problems.push(
                error("unknown-font", format!("no font family called `{name}`"), &at).help(format!(
                    "families available: {}; to add one, put its .otf, .ttf or .ttc files in the project's fonts/ folder",
                    families.join(", ")
                )),
            );
            return pick(default, None, warnings);
        }
        pick(&found, Some(&at), warnings)
    }
}

/// Regular, italic, bold and bold italic from a family's faces, by the faces' own style and
/// weight. A missing style takes the nearest there is, with a warning at `at` (for a family
/// the publisher chose; the shipped families' gaps are documented).
fn pick(
    faces: &[FontFace],
    at: Option<&Location>,
    warnings: &mut Vec<Diagnostic>,
) -> [FontFace; 4] {
    let best = |italic: bool, weight: u16| {
        faces
            .iter()
            .filter(|f| f.italic == italic)
            .min_by_key(|f| (f.weight as i32 - weight as i32).abs())
            .copied()
    };
    let regular = best(false, 400).unwrap_or(faces[0]);
    let wanted = [(false, 400), (true, 400), (false, 700), (true, 700)];
    let mut out = [regular; 4];
    for (slot, (italic, weight)) in wanted.into_iter().enumerate().skip(1) {
        let exact = best(italic, weight).filter(|f| (f.weight >= 600) == (weight >= 600));
        out[slot] = match exact {
            Some(face) => face,
            None => {
                let stand_in = if slot == 3 { out[2] } else { regular };
                if let Some(at) = at {
                    let asked = ["regular", "italic", "bold", "bold italic"][slot];
                    warnings.push(
                        Diagnostic::warning(
                            "missing-font-style",
                            format!(
                                "family `{}` has no {asked} face: {} is used instead (no faux style is made)",
                                regular.family,
                                describe(&stand_in)
                            ),
                        )
                        .at(at.clone())
                        .help("add the missing face's file to fonts/, or choose a family that has it"),
                    );
                }
                stand_in
            }
        };
    }
    out
}

fn bool_into(v: &str, field: &mut Option<bool>, bad: &mut impl FnMut(&str)) {
    match v {
        "true" | "yes" => *field = Some(true),
        "false" | "no" => *field = Some(false),
        _ => bad("true or false"),
    }
}

/// A length in points: `18mm`, `2cm`, `0.75in`, `54pt`.
fn length(s: &str) -> Option<f32> {
    let s = s.trim();
    let (number, factor) = [("mm", MM), ("cm", 10.0 * MM), ("in", 72.0), ("pt", 1.0)]
        .into_iter()
        .find_map(|(unit, f)| s.strip_suffix(unit).map(|n| (n, f)))?;
    let value = number.trim().parse::<f32>().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * factor)
}

/// A type size: `10pt` or `10`.
fn points(s: &str) -> Option<f32> {
    let n = s.trim().strip_suffix("pt").unwrap_or(s).trim();
    n.parse::<f32>().ok().filter(|v| v.is_finite())
}

/// `a5`, or `WIDTHxHEIGHT` with a unit (`130x200mm`, `5.5x8.5in`, `13cmx20cm`).
fn page_size(s: &str) -> Option<(f32, f32)> {
    if let Some(size) = named_page(s) {
        return Some(size);
    }
    let (w, h) = s.split_once(['x', '×'])?;
    let h_len = length(h)?;
    let unit = ["mm", "cm", "in", "pt"]
        .into_iter()
        .find(|u| h.trim().ends_with(u))?;
    let w_len = length(w).or_else(|| length(&format!("{}{unit}", w.trim())))?;
    // Smaller is a label, larger a poster: neither is a page roneo can set.
    let side = (50.0 * MM)..=(1000.0 * MM);
    (side.contains(&w_len) && side.contains(&h_len)).then_some((w_len, h_len))
}

/// `#rrggbb` or `#rgb`.
fn colour(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#')?;
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    match digits.as_slice() {
        [r, g, b] => Some([r * 17, g * 17, b * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
        _ => None,
    }
}

/// `cover, title, colophon, contents`: the pages before the text, each at most once.
fn front_pages(v: &str) -> Result<Vec<FrontPage>, String> {
    let names = || {
        FrontPage::NAMES
            .iter()
            .map(|(n, _)| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut pages = Vec::new();
    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let Some(&(_, page)) = FrontPage::NAMES.iter().find(|(n, _)| *n == name) else {
            return Err(format!("a list of {}", names()));
        };
        if pages.contains(&page) {
            return Err(format!("a list of {}, each at most once", names()));
        }
        pages.push(page);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_lengths() {
        assert_eq!(length("25.4mm"), Some(72.0));
        assert_eq!(length("1in"), Some(72.0));
        assert_eq!(length("3"), None);
        let (w, h) = page_size("130x200mm").unwrap();
        assert!((w / MM - 130.0).abs() < 1e-3 && (h / MM - 200.0).abs() < 1e-3);
        assert_eq!(page_size("5.5x8.5in"), Some((396.0, 612.0)));
        assert_eq!(page_size("0x200mm"), None);
        assert_eq!(page_size("a7"), None);
        assert_eq!(colour("#b3001b"), Some([0xb3, 0, 0x1b]));
        assert_eq!(points("10pt"), Some(10.0));
    }
}
