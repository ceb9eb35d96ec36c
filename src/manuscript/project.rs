//! Project defaults from `roneo.toml` at the project root. A manuscript's front matter
//! overrides every one of them.

use super::front_matter::{self, Source};
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
    /// The publisher's logo for generated covers, relative to the project root.
    pub logo: Option<String>,
    /// The line of `logo` in the project file, for its diagnostics.
    #[serde(skip)]
    pub logo_line: u32,
    pub figure_numbers: Option<bool>,
    #[serde(default)]
    pub hyphenation_exceptions: Vec<String>,
    pub base_url: Option<String>,
    /// The citation style for every manuscript: a bundled style's name, or a `.csl` file
    /// relative to the project root.
    pub csl: Option<String>,
    /// The line of `csl` in the project file, for its diagnostics.
    #[serde(skip)]
    pub csl_line: u32,
    pub reference_section_title: Option<String>,
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
    /// Reads `roneo.toml` under `root`; a missing file gives the defaults. Its values are
    /// checked by the rules of front matter, each problem at its own line.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> ProjectConfig {
        let path = root.join(CONFIG_FILE);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return ProjectConfig::default();
        };
        let table = match text.parse::<toml::Table>() {
            Ok(table) => table,
            Err(e) => {
                let (line, column) = e.span().map_or((1, 1), |span| {
                    LineIndex::new(&text).line_col(&text, span.start)
                });
                diags.push(
                    Diagnostic::error(
                        "invalid-config",
                        format!("{CONFIG_FILE} is not valid TOML: {}", e.message().trim()),
                    )
                    .at(Location::new(&path, line, column))
                    .help("each line is `key = value`, text in quotes: `publisher = \"Ediciones Sur\"`"),
                );
                return ProjectConfig::default();
            }
        };
        let lines = key_lines(&text);
        let line_of = |key: &str| lines.iter().find(|(k, _)| k == key).map_or(1, |(_, l)| *l);
        let errors_before = diags.errors();
        let unknown = |key: &str, diags: &mut Diagnostics| {
            let shown = key.replace("pdf.", "[pdf] ");
            diags.push(
                Diagnostic::error(
                    "invalid-config",
                    format!("unknown key `{shown}` in {CONFIG_FILE}"),
                )
                .at(Location::new(&path, line_of(key), 1))
                .help(HELP),
            );
        };
        // The keys as front matter spells them, for the same checks.
        let mut map = serde_yaml_ng::Mapping::new();
        let mut config = ProjectConfig::default();
        for (key, value) in &table {
            match key.as_str() {
                "out" => match value.as_str() {
                    Some(out) if !out.trim().is_empty() => config.out = Some(PathBuf::from(out)),
                    _ => diags.push(
                        Diagnostic::error(
                            "invalid-config",
                            format!("`out` in {CONFIG_FILE} must be a folder name in quotes, such as \"dist\""),
                        )
                        .at(Location::new(&path, line_of("out"), 1)),
                    ),
                },
                // Checked by the style stage's rules, each key at its line (below).
                "style" => {}
                "logo" => match value.as_str() {
                    Some(logo) if !logo.trim().is_empty() => {
                        config.logo = Some(logo.to_owned());
                        config.logo_line = line_of("logo");
                    }
                    _ => diags.push(
                        Diagnostic::error(
                            "invalid-config",
                            format!("`logo` in {CONFIG_FILE} must be an image path in quotes, such as \"covers/logo.svg\""),
                        )
                        .at(Location::new(&path, line_of("logo"), 1)),
                    ),
                },
                "lang" | "publisher" | "rights" | "figure-numbers" | "hyphenation-exceptions"
                | "base-url" | "csl" | "reference-section-title" => {
                    map.insert(key.as_str().into(), yaml(value));
                }
                "pdf" => {
                    let Some(pdf) = value.as_table() else {
                        diags.push(
                            Diagnostic::error(
                                "invalid-config",
                                format!("`pdf` in {CONFIG_FILE} must be a table: a `[pdf]` line, then its keys"),
                            )
                            .at(Location::new(&path, line_of("pdf"), 1))
                            .help(HELP),
                        );
                        continue;
                    };
                    let mut settings = serde_yaml_ng::Mapping::new();
                    for (k, v) in pdf {
                        match k.as_str() {
                            // The paper size is a style key (`papersize`): see `style_section`.
                            "page" => {}
                            "standard" => {
                                settings.insert(k.as_str().into(), yaml(v));
                            }
                            "bleed" | "creep" => {
                                map.insert(k.as_str().into(), yaml(v));
                            }
                            other => unknown(&format!("pdf.{other}"), diags),
                        }
                    }
                    map.insert("pdf".into(), serde_yaml_ng::Value::Mapping(settings));
                }
                other => unknown(other, diags),
            }
        }
        let key_lines = [
            "lang",
            "publisher",
            "rights",
            "figure-numbers",
            "hyphenation-exceptions",
            "base-url",
            "csl",
            "reference-section-title",
        ]
        .iter()
        .map(|k| (k.to_string(), line_of(k)))
        .chain(["bleed", "creep"].map(|k| (k.to_string(), line_of(&format!("pdf.{k}")))))
        .chain([("pdf".to_string(), line_of("pdf"))])
        .collect();
        let fm = FrontMatter {
            key_lines,
            ..FrontMatter::default()
        };
        let Some(fm) = front_matter::interpret(&map, fm, &path, Source::Project, diags) else {
            return ProjectConfig::default();
        };
        if let Some(tag) = &fm.lang {
            crate::lang::check(tag, &Location::new(&path, line_of("lang"), 1), diags);
        }
        if diags.errors() > errors_before {
            return ProjectConfig::default();
        }
        let mm = |v: Option<f32>| v.map(|mm| format!("{mm}mm"));
        ProjectConfig {
            out: config.out,
            style: style_section(&text, &path, diags),
            style_table: toml::Table::new(),
            logo: config.logo,
            logo_line: config.logo_line,
            lang: fm.lang,
            publisher: fm.publisher,
            rights: fm.rights,
            figure_numbers: fm.figure_numbers,
            hyphenation_exceptions: fm.hyphenation_exceptions,
            base_url: fm.base_url,
            csl_line: if fm.csl.is_some() { line_of("csl") } else { 0 },
            csl: fm.csl,
            reference_section_title: fm.reference_section_title,
            pdf: PdfConfig {
                page: table
                    .get("pdf")
                    .and_then(|pdf| pdf.get("page"))
                    .and_then(|page| page.as_str())
                    .map(str::to_owned),
                standard: fm.pdf_standard,
                bleed: mm(fm.bleed_mm),
                creep: mm(fm.creep_mm),
            },
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
        fill(&mut fm.pdf_standard, &self.pdf.standard);
        fill(&mut fm.base_url, &self.base_url);
        if fm.logo.is_none() {
            if let Some(logo) = &self.logo {
                // Relative to the project root, named from the manuscript's folder.
                fm.logo = Some(root.join(logo).to_string_lossy().into_owned());
                fm.logo_at = Some(Location::new(root.join(CONFIG_FILE), self.logo_line, 1));
            }
        }
        fill(
            &mut fm.reference_section_title,
            &self.reference_section_title,
        );
        if fm.csl.is_none() {
            if let Some(csl) = &self.csl {
                // A style file is relative to the project root; a bundled style is a name.
                fm.csl = Some(if csl.ends_with(".csl") {
                    root.join(csl).to_string_lossy().into_owned()
                } else {
                    csl.clone()
                });
                fm.csl_at = Some(Location::new(root.join(CONFIG_FILE), self.csl_line, 1));
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
            // A list (`front-matter = ["cover", "colophon"]`) as its items joined by commas.
            toml::Value::Array(items) if items.iter().all(|i| i.is_str()) => items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", "),
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

const HELP: &str = "keys: out, lang, publisher, rights, logo, base-url, figure-numbers, hyphenation-exceptions, csl, reference-section-title; under [pdf]: page, standard, bleed, creep; under [style]: the style keys (see the README)";

/// The line of each key of a TOML file, named `table.key` inside a table; a table's own name
/// is on its `[table]` line.
fn key_lines(text: &str) -> Vec<(String, u32)> {
    let mut table = String::new();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_number = i as u32 + 1;
        let trimmed = line.trim();
        if let Some(name) = trimmed.strip_prefix('[') {
            table = name.split(']').next().unwrap_or("").trim().to_string();
            lines.push((table.clone(), line_number));
        } else if let Some((key, _)) = trimmed
            .split_once('=')
            .filter(|_| !trimmed.starts_with('#'))
        {
            let key = key.trim().trim_matches('"');
            let name = if table.is_empty() {
                key.to_string()
            } else {
                format!("{table}.{key}")
            };
            lines.push((name, line_number));
        }
    }
    lines
}

/// A TOML value as the YAML value front matter would hold.
fn yaml(value: &toml::Value) -> serde_yaml_ng::Value {
    use serde_yaml_ng::Value as Y;
    match value {
        toml::Value::String(s) => Y::String(s.clone()),
        toml::Value::Integer(n) => Y::Number((*n).into()),
        toml::Value::Float(f) => Y::Number((*f).into()),
        toml::Value::Boolean(b) => Y::Bool(*b),
        toml::Value::Datetime(d) => Y::String(d.to_string()),
        toml::Value::Array(items) => Y::Sequence(items.iter().map(yaml).collect()),
        toml::Value::Table(t) => Y::Mapping(
            t.iter()
                .map(|(k, v)| (Y::String(k.clone()), yaml(v)))
                .collect(),
        ),
    }
}
