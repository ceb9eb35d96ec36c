//! Project defaults from `roneo.toml` at the project root. A manuscript's front matter
//! overrides every one of them.

use super::{Dependencies, FrontMatter, StyleSetting, STYLE_KEYS};
use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, Location};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "roneo.toml";

/// A project: its root folder (assets must stay inside it) and its defaults.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub root: PathBuf,
    pub config: ProjectConfig,
    /// `roneo.toml`, when the project has one.
    pub config_file: Option<PathBuf>,
    /// What every manuscript of the project depends on: `roneo.toml` whether or not it exists,
    /// and the `fonts/` and `themes/` folders the print edition and the style may use.
    pub dependencies: Dependencies,
}

impl Project {
    /// Opens the project whose root is `root`; problems with `roneo.toml` go to `diags`.
    pub fn open(root: &Path, diags: &mut Diagnostics) -> Project {
        let file = root.join(CONFIG_FILE);
        let mut dependencies = Dependencies::default();
        dependencies.file(&file);
        dependencies.tree(root.join("fonts"));
        dependencies.tree(root.join("themes"));
        Project {
            root: root.to_path_buf(),
            config: ProjectConfig::load(root, diags),
            config_file: file.is_file().then_some(file),
            dependencies,
        }
    }

    /// The output folder the project asks for, if any.
    pub fn out_dir(&self) -> Option<PathBuf> {
        self.config.out.as_ref().map(|out| self.root.join(out))
    }
}

/// The root of the project `dir` lies in: the nearest folder, `dir` or above, with a
/// `manuscripts/` folder or a `roneo.toml`.
pub fn enclosing_root(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    dir.ancestors()
        .find(|d| d.join("manuscripts").is_dir() || d.join(CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectConfig {
    /// Output folder, relative to the project root.
    pub out: Option<PathBuf>,
    pub lang: Option<String>,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub figure_numbers: Option<bool>,
    #[serde(default)]
    pub hyphenation_exceptions: Vec<String>,
    #[serde(default)]
    pub pdf: PdfConfig,
    /// The `[style]` table as written (checked by the style stage).
    #[serde(default, rename = "style")]
    style_table: toml::Table,
    /// The `[style]` keys with their places; `[pdf] page` among them as `papersize`.
    #[serde(skip)]
    pub style: Vec<StyleSetting>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PdfConfig {
    /// Page size: a5, a6, half-letter, letter, a4.
    pub page: Option<String>,
    pub standard: Option<String>,
    pub bleed: Option<String>,
    pub creep: Option<String>,
}

impl ProjectConfig {
    /// Reads `roneo.toml` under `root`; a missing file gives the defaults.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> ProjectConfig {
        let path = root.join(CONFIG_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return ProjectConfig::default();
        };
        match toml::from_str::<ProjectConfig>(&text) {
            Ok(mut config) => {
                config.style = style_section(&text, &path, diags);
                config
            }
            Err(e) => {
                let (line, column) = e.span().map_or((1, 1), |span| {
                    LineIndex::new(&text).line_col(&text, span.start)
                });
                diags.push(
                    Diagnostic::error("invalid-config", format!("invalid {CONFIG_FILE}: {}", e.message()))
                        .at(Location::new(&path, line, column))
                        .help("keys: out, lang, publisher, rights, figure-numbers, hyphenation-exceptions, [pdf] page, standard, bleed, creep, [style] (see the README)"),
                );
                ProjectConfig::default()
            }
        }
    }

    /// Fills what the front matter leaves unset.
    pub fn apply(&self, fm: &mut FrontMatter) {
        let fill = |field: &mut Option<String>, default: &Option<String>| {
            if field.is_none() {
                field.clone_from(default);
            }
        };
        fill(&mut fm.lang, &self.lang);
        fill(&mut fm.publisher, &self.publisher);
        fill(&mut fm.rights, &self.rights);
        fill(&mut fm.pdf_standard, &self.pdf.standard);
        if fm.figure_numbers.is_none() {
            fm.figure_numbers = self.figure_numbers;
        }
        if fm.bleed_mm.is_none() {
            fm.bleed_mm = self
                .pdf
                .bleed
                .as_deref()
                .and_then(super::front_matter::parse_mm);
        }
        if fm.creep_mm.is_none() {
            fm.creep_mm = self
                .pdf
                .creep
                .as_deref()
                .and_then(super::front_matter::parse_mm);
        }
        // The project's style keys come first, so that the manuscript's win.
        let mut style = self.style.clone();
        style.append(&mut fm.style);
        fm.style = style;
        // Exceptions add up: the project's list, then the manuscript's (which wins on conflicts).
        let mut exceptions = self.hyphenation_exceptions.clone();
        exceptions.append(&mut fm.hyphenation_exceptions);
        fm.hyphenation_exceptions = exceptions;
    }
}

/// The `[style]` table of `roneo.toml`, and `[pdf] page` as `papersize`, located.
fn style_section(text: &str, file: &Path, diags: &mut Diagnostics) -> Vec<StyleSetting> {
    type Located = std::collections::BTreeMap<String, toml::Spanned<toml::Value>>;
    #[derive(Deserialize)]
    struct Sections {
        #[serde(default)]
        pdf: Located,
        #[serde(default)]
        style: Located,
    }
    let Ok(mut sections) = toml::from_str::<Sections>(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(page) = sections.pdf.remove("page") {
        let page = std::iter::once(("papersize".to_string(), page));
        out.extend(settings_of(page, text, file, diags));
    }
    out.extend(settings_of(sections.style.into_iter(), text, file, diags));
    out
}

/// Style settings from a TOML table of style keys (a theme file, `roneo.toml`'s `[style]`).
/// Unknown keys are warnings; tables and arrays are errors (no style key takes one).
pub fn toml_settings(text: &str, file: &Path, diags: &mut Diagnostics) -> Vec<StyleSetting> {
    match toml::from_str::<std::collections::BTreeMap<String, toml::Spanned<toml::Value>>>(text) {
        Ok(table) => settings_of(table.into_iter(), text, file, diags),
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |span| {
                LineIndex::new(text).line_col(text, span.start)
            });
            diags.push(
                Diagnostic::error(
                    "invalid-config",
                    format!("invalid theme file: {}", e.message()),
                )
                .at(Location::new(file, line, column))
                .help("a theme is a TOML file of style keys, such as `heading-font = \"sans\"`"),
            );
            Vec::new()
        }
    }
}

fn settings_of(
    entries: impl Iterator<Item = (String, toml::Spanned<toml::Value>)>,
    text: &str,
    file: &Path,
    diags: &mut Diagnostics,
) -> Vec<StyleSetting> {
    let index = LineIndex::new(text);
    let mut out = Vec::new();
    for (key, value) in entries {
        let (line, column) = index.line_col(text, value.span().start);
        let at = Location::new(file, line, column);
        if !STYLE_KEYS.contains(&key.as_str()) && key != "papersize" {
            diags.push(
                Diagnostic::warning("unknown-key", format!("unknown style key `{key}` ignored"))
                    .at(at)
                    .help(format!("style keys: {}", STYLE_KEYS.join(", "))),
            );
            continue;
        }
        let value = match value.into_inner() {
            toml::Value::String(s) => s,
            toml::Value::Integer(n) => n.to_string(),
            toml::Value::Float(x) => x.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            _ => {
                diags.push(
                    Diagnostic::error(
                        "invalid-style",
                        format!("style key `{key}` must be text, a number or true/false"),
                    )
                    .at(at),
                );
                continue;
            }
        };
        out.push(StyleSetting { key, value, at });
    }
    out
}
