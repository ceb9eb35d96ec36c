//! Project defaults from `roneo.toml` at the project root. A manuscript's front matter
//! overrides every one of them.

use super::{Dependencies, FrontMatter};
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
    /// The publisher's logo for generated covers, relative to the project root.
    pub logo: Option<toml::Spanned<String>>,
    pub figure_numbers: Option<bool>,
    #[serde(default)]
    pub hyphenation_exceptions: Vec<String>,
    #[serde(default)]
    pub pdf: PdfConfig,
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
            Ok(config) => config,
            Err(e) => {
                let (line, column) = e.span().map_or((1, 1), |span| {
                    LineIndex::new(&text).line_col(&text, span.start)
                });
                diags.push(
                    Diagnostic::error("invalid-config", format!("invalid {CONFIG_FILE}: {}", e.message()))
                        .at(Location::new(&path, line, column))
                        .help("keys: out, lang, publisher, rights, logo, figure-numbers, hyphenation-exceptions, [pdf] page, standard, bleed, creep"),
                );
                ProjectConfig::default()
            }
        }
    }

    /// Fills what the front matter leaves unset. `root` is the project root (paths in
    /// `roneo.toml` are relative to it).
    pub fn apply(&self, fm: &mut FrontMatter, root: &Path) {
        let fill = |field: &mut Option<String>, default: &Option<String>| {
            if field.is_none() {
                field.clone_from(default);
            }
        };
        fill(&mut fm.lang, &self.lang);
        fill(&mut fm.publisher, &self.publisher);
        fill(&mut fm.rights, &self.rights);
        fill(&mut fm.page, &self.pdf.page);
        fill(&mut fm.pdf_standard, &self.pdf.standard);
        if fm.logo.is_none() {
            if let Some(logo) = &self.logo {
                let path = root.join(CONFIG_FILE);
                let line = std::fs::read_to_string(&path).map_or(1, |text| {
                    LineIndex::new(&text).line_col(&text, logo.span().start).0
                });
                // Relative to the project root, named from the manuscript's folder.
                fm.logo = Some(root.join(logo.get_ref()).to_string_lossy().into_owned());
                fm.logo_at = Some(Location::new(&path, line, 1));
            }
        }
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
        // Exceptions add up: the project's list, then the manuscript's (which wins on conflicts).
        let mut exceptions = self.hyphenation_exceptions.clone();
        exceptions.append(&mut fm.hyphenation_exceptions);
        fm.hyphenation_exceptions = exceptions;
    }
}
