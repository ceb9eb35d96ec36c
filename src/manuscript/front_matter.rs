//! YAML front matter with pandoc's keys, read into typed [`FrontMatter`].
//!
//! The YAML is parsed into a generic value first and each key is then interpreted by hand: that
//! way an unknown key is a warning that names it, and a key of the wrong type is an error on the
//! key's own line instead of a serde message about the whole mapping.

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use serde_yaml_ng::Value;
use std::path::Path;

/// The keys of the style model (see `style`), with pandoc's names where pandoc has one. They
/// are the same in the front matter, in `roneo.toml`'s `[style]` table and in theme files.
pub const STYLE_KEYS: &[&str] = &[
    "theme",
    "mainfont",
    "sansfont",
    "monofont",
    "fontsize",
    "linestretch",
    "papersize",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-inner",
    "margin-outer",
    "indent",
    "heading-font",
    "heading-numbers",
    "heading-case",
    "running-heads",
    "toc",
    "toc-depth",
    "title-page",
    "accent",
    "cover",
    "epub-css",
    "embed-fonts",
    "system-fonts",
    "pages",
    "front-matter",
    "paper-thickness",
];

/// A style key as written, with where: the style stage checks and applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct StyleSetting {
    pub key: String,
    /// The value as text (`10pt`, `true`, `EB Garamond`).
    pub value: String,
    pub at: Location,
}

/// A call to action for the back cover: what to do, and the web address its QR code encodes.
#[derive(Debug, Clone, PartialEq)]
pub struct CallToAction {
    pub text: Option<String>,
    pub url: String,
}

impl CallToAction {
    /// The address as printed: without its scheme, which no reader types.
    pub fn shown_url(&self) -> &str {
        let url = self.url.as_str();
        url.strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .unwrap_or(url)
    }
}

/// Front matter as written; every field optional. Defaults are applied later.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub lang: Option<String>,
    pub date: Option<String>,
    pub publisher: Option<String>,
    pub rights: Option<String>,
    pub identifier: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    pub cover_image: Option<String>,
    /// The generated cover's photograph; `Some("none")` for none.
    pub cover_photo: Option<String>,
    pub logo: Option<String>,
    /// Where `logo` was set when it comes from `roneo.toml` (else the `logo:` key's line).
    pub logo_at: Option<Location>,
    pub collection: Option<String>,
    pub collection_position: Option<String>,
    pub slug: Option<String>,
    pub chapters: Option<Vec<String>>,
    pub figure_numbers: Option<bool>,
    pub hyphenation_exceptions: Vec<String>,
    /// The site that site-relative links (`/articles/x`) are on: an absolute http(s) URL.
    pub base_url: Option<String>,
    /// Style keys in the order written (`pdf.page` among them as `papersize`).
    pub style: Vec<StyleSetting>,
    pub pdf_standard: Option<String>,
    pub bleed_mm: Option<f32>,
    pub creep_mm: Option<f32>,
    /// `back-cover: false`.
    pub back_cover_off: bool,
    /// `back-cover:` text of its own (else the description is the blurb).
    pub back_cover_text: Option<String>,
    pub call_to_action: Option<CallToAction>,
    pub price: Option<String>,
    /// The 13 digits of the ISBN, when `isbn:` or `identifier:` is one (checked).
    pub isbn: Option<String>,
    /// `bibliography:` files, relative to the file that names them (BibTeX/BibLaTeX `.bib`,
    /// hayagriva `.yaml`/`.yml`).
    pub bibliography: Vec<String>,
    /// `csl:` a CSL style file, or the name of a style hayagriva bundles.
    pub csl: Option<String>,
    /// Where `csl` was set when it comes from `roneo.toml` (else the `csl:` key's line).
    pub csl_at: Option<Location>,
    /// `reference-section-title:`, the reference list's heading.
    pub reference_section_title: Option<String>,
    /// `nocite:` keys listed without being cited (`*` for every entry).
    pub nocite: Vec<String>,
    /// 1-based line of each key, for diagnostics about values found later.
    pub key_lines: Vec<(String, u32)>,
}

impl FrontMatter {
    pub fn line_of(&self, key: &str) -> u32 {
        self.key_lines
            .iter()
            .find(|(k, _)| k == key)
            .map_or(1, |(_, l)| *l)
    }
}

/// Splits `---\n…\n---\n` off the start of a file. Returns the YAML text, the 1-based line the
/// YAML starts on, and the byte offset where the Markdown body begins.
pub fn split(text: &str) -> Option<(&str, u32, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let start = text.len() - rest.len();
    let mut offset = start;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &text[start..offset];
            return Some((yaml, 2, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

/// Parses front matter YAML. `first_line` is the file line the YAML starts on.
pub fn parse(
    yaml: &str,
    file: &Path,
    first_line: u32,
    diags: &mut Diagnostics,
) -> Option<FrontMatter> {
    let key_lines: Vec<(String, u32)> = yaml
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with([' ', '\t', '#', '-']) && l.contains(':'))
        .map(|(i, l)| {
            (
                l.split(':').next().unwrap_or("").trim().to_string(),
                first_line + i as u32,
            )
        })
        .collect();
    let value: Value = match serde_yaml_ng::from_str(yaml) {
        Ok(v) => v,
        Err(e) => {
            let line = e
                .location()
                .map_or(first_line, |l| first_line + l.line() as u32 - 1);
            let column = e.location().map_or(0, |l| l.column() as u32);
            let message = e.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_string();
            diags.push(
                Diagnostic::error("malformed-front-matter", format!("malformed YAML front matter: {message}"))
                    .at(Location::new(file, line, column))
                    .help("front matter is YAML between two `---` lines; quote values that contain `:` or `#`"),
            );
            return None;
        }
    };
    let fm = FrontMatter {
        key_lines,
        ..FrontMatter::default()
    };
    let map = match value {
        Value::Mapping(m) => m,
        Value::Null => return Some(fm),
        _ => {
            diags.push(
                Diagnostic::error(
                    "malformed-front-matter",
                    "front matter must be a mapping of `key: value` lines",
                )
                .at(Location::new(file, first_line, 1)),
            );
            return None;
        }
    };
    interpret(&map, fm, file, Source::FrontMatter, diags)
}

/// Where keys were written: the messages name them as their author wrote them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    FrontMatter,
    /// `roneo.toml`, whose `bleed` and `creep` live in its `[pdf]` table.
    Project,
}

impl Source {
    fn name(self, key: &str) -> String {
        match self {
            Source::FrontMatter => format!("front-matter key `{key}`"),
            Source::Project => match key {
                "bleed" | "creep" => format!("`[pdf] {key}` in {}", super::project::CONFIG_FILE),
                "pdf" => format!("`[pdf]` in {}", super::project::CONFIG_FILE),
                _ => format!("`{key}` in {}", super::project::CONFIG_FILE),
            },
        }
    }

    fn type_code(self) -> &'static str {
        match self {
            Source::FrontMatter => "front-matter-type",
            Source::Project => "invalid-config",
        }
    }
}

/// Reads each key of a mapping into `fm` (whose `key_lines` say where each key is), by the
/// rules of front matter, whichever file the keys come from. `None` when a value is wrong.
pub fn interpret(
    map: &serde_yaml_ng::Mapping,
    mut fm: FrontMatter,
    file: &Path,
    source: Source,
    diags: &mut Diagnostics,
) -> Option<FrontMatter> {
    let mut ok = true;
    for (key, value) in map {
        let Some(key) = key.as_str() else { continue };
        // `author:` with nothing after it, or nothing to show (`description: ''`), means
        // "not set": an EPUB may not hold an empty title, description or creator.
        if is_unset(value) {
            continue;
        }
        let line = fm.line_of(key);
        let at = Location::new(file, line, 1);
        let limit = match key {
            "description"
            | "abstract"
            | "hyphenation-exceptions"
            | "chapters"
            | "subject"
            | "keywords"
            | "bibliography"
            | "nocite" => MAX_LONG_VALUE_CHARS,
            _ => MAX_VALUE_CHARS,
        };
        let length = text_length(value);
        if length > limit {
            diags.push(
                Diagnostic::error(
                    "value-too-long",
                    format!("{} is {length} characters long; at most {limit}", source.name(key)),
                )
                .at(at)
                .help("front matter holds a book's metadata; long text belongs in the manuscript's body"),
            );
            ok = false;
            continue;
        }
        let mut bad = |expected: &str| {
            diags.push(
                Diagnostic::error(
                    source.type_code(),
                    format!("{} must be {expected}", source.name(key)),
                )
                .at(at.clone()),
            );
            ok = false;
        };
        match key {
            "title" => fm.title = scalar(value).or_else(|| { bad("text"); None }),
            "subtitle" => fm.subtitle = scalar(value).or_else(|| { bad("text"); None }),
            "author" | "authors" => match list(value) {
                Some(v) => fm.authors = v,
                None => bad("text or a list of text"),
            },
            "lang" | "language" => fm.lang = scalar(value).or_else(|| { bad("a language tag such as `en`"); None }),
            "date" => fm.date = scalar(value).or_else(|| { bad("a date such as `2024-05-01`"); None }),
            "publisher" => fm.publisher = scalar(value).or_else(|| { bad("text"); None }),
            "rights" => fm.rights = scalar(value).or_else(|| { bad("text"); None }),
            "identifier" | "isbn" => match scalar(value) {
                Some(text) => match super::isbn::parse(&text, key == "isbn") {
                    Ok(isbn) => {
                        fm.isbn = isbn;
                        fm.identifier = Some(text);
                    }
                    Err(why) => {
                        diags.push(
                            Diagnostic::error("invalid-isbn", why)
                                .at(at.clone())
                                .help("copy the ISBN from the agency's registration; the last digit is a check on the others"),
                        );
                        ok = false;
                    }
                },
                None => bad("text"),
            },
            "back-cover" => match value {
                Value::Bool(on) => fm.back_cover_off = !on,
                _ => match scalar(value) {
                    Some(text) => fm.back_cover_text = Some(text),
                    None => bad("`false`, or the back cover's text"),
                },
            },
            "price" => fm.price = scalar(value).or_else(|| { bad("text such as `€3`"); None }),
            "call-to-action" => match call_to_action(value) {
                Ok(cta) => fm.call_to_action = Some(cta),
                Err(why) => bad(why),
            },
            "description" | "abstract" => fm.description = scalar(value).or_else(|| { bad("text"); None }),
            "subject" | "keywords" => match list(value) {
                Some(v) => fm.subjects.extend(v),
                None => bad("text or a list of text"),
            },
            "cover-image" => fm.cover_image = scalar(value).or_else(|| { bad("a path to an image"); None }),
            "cover-photo" => match value {
                Value::Bool(false) => fm.cover_photo = Some("none".into()),
                v => fm.cover_photo = scalar(v).or_else(|| { bad("a path to an image, or `none`"); None }),
            },
            "logo" => fm.logo = scalar(value).or_else(|| { bad("a path to an SVG or PNG file"); None }),
            "base-url" => match scalar(value) {
                Some(u) if is_web_address(&u) => fm.base_url = Some(u),
                _ => bad("an absolute web address such as `https://example.org/`"),
            },
            "series" | "belongs-to-collection" => match value {
                Value::Mapping(m) => {
                    fm.collection = m.get("name").and_then(scalar);
                    let position = m.get("position").and_then(scalar);
                    if fm.collection.is_none() {
                        bad("text, or a mapping with `name` and `position`");
                    } else if position.as_deref().is_some_and(|p| !is_position(p)) {
                        bad(&format!("a mapping whose `position` is a number such as `2`, not `{}`", position.unwrap_or_default()));
                    } else {
                        fm.collection_position = position;
                    }
                }
                v => fm.collection = scalar(v).or_else(|| { bad("text"); None }),
            },
            "series-position" | "group-position" => {
                match scalar(value).filter(|n| is_position(n)) {
                    Some(n) => fm.collection_position = Some(n),
                    None => bad(&format!("a number such as `2`, not `{}`", shown(value))),
                }
            }
            "slug" => match scalar(value) {
                Some(s) if s.chars().count() > MAX_SLUG_CHARS => {
                    diags.push(
                        Diagnostic::error(
                            "value-too-long",
                            format!("`slug` is {} characters long; at most {MAX_SLUG_CHARS}", s.chars().count()),
                        )
                        .at(at.clone())
                        .help("the slug names the output files: choose a shorter one"),
                    );
                    ok = false;
                }
                Some(s) if is_slug(&s) => fm.slug = Some(s),
                _ => bad("lower-case letters, digits and hyphens"),
            },
            "chapters" => match list(value) {
                Some(v) => fm.chapters = Some(v),
                None => bad("a list of chapter file paths"),
            },
            "figure-numbers" => match value {
                Value::Bool(b) => fm.figure_numbers = Some(*b),
                _ => bad("true or false"),
            },
            "bibliography" => match list(value) {
                Some(v) if v.iter().all(|f| !f.is_empty()) => fm.bibliography = v,
                _ => bad("a file name, or a list of file names (.bib, .yaml)"),
            },
            "csl" => fm.csl = scalar(value).filter(|c| !c.is_empty()).or_else(|| { bad("a CSL style file, or the name of a bundled style such as `chicago-notes`"); None }),
            "reference-section-title" => fm.reference_section_title = scalar(value).or_else(|| { bad("text"); None }),
            "nocite" => match list(value) {
                Some(v) => {
                    fm.nocite = v
                        .iter()
                        .flat_map(|s| s.split(|c: char| c.is_whitespace() || c == ',' || c == ';'))
                        .map(|k| k.trim_start_matches('@'))
                        .filter(|k| !k.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                None => bad("citation keys such as `@marx1867, @luxemburg1913`, or `@*` for every entry"),
            },
            "hyphenation-exceptions" => match list(value) {
                Some(v) => fm.hyphenation_exceptions = v,
                None => bad("a list of words with hyphens at the allowed breaks, e.g. [ta-ble]"),
            },
            "pdf" => match value {
                Value::Mapping(m) => {
                    for (k, v) in m {
                        match k.as_str().unwrap_or("") {
                            // Checked with the other style keys.
                            "page" => fm.style.push(StyleSetting {
                                key: "papersize".into(),
                                value: scalar(v).unwrap_or_default(),
                                at: at.clone(),
                            }),
                            "standard" => match scalar(v).as_deref() {
                                Some("pdf-a-2b") => fm.pdf_standard = Some("pdf-a-2b".into()),
                                other => {
                                    diags.push(
                                        Diagnostic::error(
                                            source.type_code(),
                                            format!("`pdf.standard` must be `pdf-a-2b`, not `{}`", other.unwrap_or_default()),
                                        )
                                        .at(at.clone())
                                        .help("roneo writes one standard, PDF/A-2b (archival); leave `standard` out for a plain PDF"),
                                    );
                                    ok = false;
                                }
                            },
                            other => diags.push(
                                Diagnostic::warning("unknown-key", format!("unknown key `pdf.{other}` ignored"))
                                    .at(at.clone())
                                    .help("`pdf` takes `page` (a5, a6, half-letter, letter, a4) and `standard` (pdf-a-2b)"),
                            ),
                        }
                    }
                }
                _ => bad("a mapping such as `{ page: a5 }`"),
            },
            "bleed" => match scalar(value).as_deref().map(parse_mm) {
                Some(Some(mm)) if mm <= MAX_BLEED_MM => fm.bleed_mm = Some(mm),
                _ => bad(&format!("a length such as `3mm`, from 0 to {MAX_BLEED_MM}mm, not `{}`", shown(value))),
            },
            "creep" => match scalar(value).as_deref().map(parse_mm) {
                Some(Some(mm)) if mm <= MAX_CREEP_MM => fm.creep_mm = Some(mm),
                _ => bad(&format!("a length such as `0.1mm`, from 0 to {MAX_CREEP_MM}mm (about one sheet's thickness), not `{}`", shown(value))),
            },
            // A list (`front-matter: [cover, colophon]`) arrives as its items joined by commas.
            key if STYLE_KEYS.contains(&key) => match scalar(value)
                .or_else(|| matches!(value, Value::Sequence(_)).then(|| list(value)).flatten().map(|l| l.join(", ")))
            {
                Some(text) => fm.style.push(StyleSetting {
                    key: key.to_string(),
                    value: text,
                    at: at.clone(),
                }),
                None => bad("text, a number, true/false or a list"),
            },
            other => diags.push(
                Diagnostic::warning("unknown-key", format!("unknown front-matter key `{other}` ignored"))
                    .at(at)
                    .help("known keys: title, subtitle, author, lang, date, publisher, rights, identifier, description, subject, keywords, cover-image, cover-photo, logo, base-url, series, slug, chapters, figure-numbers, hyphenation-exceptions, bibliography, csl, reference-section-title, nocite, back-cover, call-to-action, price, pdf, bleed, creep, and the style keys (theme, mainfont, fontsize, papersize, margin, … see the README)"),
            ),
        }
    }
    ok.then_some(fm)
}

/// The longest value a key may have, in characters (a title, a publisher, a list of
/// subjects): metadata is typeset on title pages and running heads, and this keeps them sane.
pub const MAX_VALUE_CHARS: usize = 10_000;
/// The longest `description` (a few paragraphs of blurb) or list (of chapters, exceptions).
pub const MAX_LONG_VALUE_CHARS: usize = 100_000;

/// Characters of text in a value, its items' and entries' included.
fn text_length(value: &Value) -> usize {
    match value {
        Value::String(s) => s.chars().count(),
        Value::Sequence(items) => items.iter().map(text_length).sum(),
        Value::Mapping(m) => m.iter().map(|(k, v)| text_length(k) + text_length(v)).sum(),
        Value::Tagged(t) => text_length(&t.value),
        _ => 0,
    }
}

/// Every key [`parse`] interprets (aliases included).
const KEYS: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "authors",
    "lang",
    "language",
    "date",
    "publisher",
    "rights",
    "identifier",
    "isbn",
    "back-cover",
    "call-to-action",
    "price",
    "description",
    "abstract",
    "subject",
    "keywords",
    "cover-image",
    "series",
    "belongs-to-collection",
    "series-position",
    "group-position",
    "slug",
    "chapters",
    "figure-numbers",
    "hyphenation-exceptions",
    "base-url",
    "bibliography",
    "csl",
    "reference-section-title",
    "nocite",
    "pdf",
    "bleed",
    "creep",
];

/// Parses a chapter's front matter, where only `lang` means anything: every other key that
/// [`parse`] knows belongs to the whole manuscript, and is a warning at its line.
pub fn parse_chapter(
    yaml: &str,
    file: &Path,
    first_line: u32,
    diags: &mut Diagnostics,
) -> Option<FrontMatter> {
    let fm = parse(yaml, file, first_line, diags)?;
    for (key, line) in &fm.key_lines {
        if KEYS.contains(&key.as_str()) && !matches!(key.as_str(), "lang" | "language") {
            diags.push(
                Diagnostic::warning(
                    "chapter-key",
                    format!("`{key}` is ignored in a chapter: it applies to the whole manuscript"),
                )
                .at(Location::new(file, *line, 1))
                .help("set it in the manuscript's index.md; a chapter's front matter sets only `lang`"),
            );
        }
    }
    Some(fm)
}

/// `call-to-action: { text: Join us, url: https://… }`, or just the address.
fn call_to_action(value: &Value) -> Result<CallToAction, &'static str> {
    const EXPECTED: &str =
        "a web address, or a mapping such as `{ text: Join us, url: https://example.org/join }`";
    let (text, url) = match value {
        Value::Mapping(m) => {
            let get = |k: &str| m.get(Value::String(k.into())).and_then(scalar);
            if m.keys()
                .any(|k| !matches!(k.as_str(), Some("text" | "url")))
            {
                return Err(EXPECTED);
            }
            (get("text"), get("url").ok_or(EXPECTED)?)
        }
        _ => (None, scalar(value).ok_or(EXPECTED)?),
    };
    if !is_web_address(&url) {
        return Err(
            "a web address that begins with https:// (the QR code on the back cover encodes it)",
        );
    }
    Ok(CallToAction { text, url })
}

/// An absolute http(s) address with a host, as browsers parse it.
fn is_web_address(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
}

/// Nothing, or text with nothing to show.
fn is_unset(value: &Value) -> bool {
    value.is_null() || value.as_str().is_some_and(crate::text::is_blank)
}

/// A value as text; blank text is no value.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if crate::text::is_blank(s) => None,
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of text, or text with commas; blank items are left out (`author: [Ana, '']`).
fn list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::Sequence(items) => items.iter().filter(|v| !is_unset(v)).map(scalar).collect(),
        Value::String(s) if s.contains(',') => Some(
            s.split(',')
                .filter(|p| !crate::text::is_blank(p))
                .map(str::trim)
                .map(str::to_string)
                .collect(),
        ),
        v => scalar(v).map(|s| vec![s]),
    }
}

/// The longest slug: it names the output files (`slug.booklet.pdf`), which file systems
/// limit to 255 bytes with the folder's own limits on top.
pub const MAX_SLUG_CHARS: usize = 100;

/// The widest bleed a printer asks for is 5mm; beyond 20mm it is no longer a bleed.
const MAX_BLEED_MM: f32 = 20.0;

/// Creep is about one sheet's thickness (0.1mm for 80 g/m² paper); 1mm is card.
const MAX_CREEP_MM: f32 = 1.0;

/// A place in a series: a number (EPUB's `group-position`), such as `2` or `2.5`.
fn is_position(s: &str) -> bool {
    s.trim()
        .parse::<f64>()
        .is_ok_and(|n| n.is_finite() && n >= 0.0)
}

/// A value as written, for messages.
fn shown(value: &Value) -> String {
    scalar(value).unwrap_or_else(|| "…".into())
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `3mm`, `0.1 mm`, `3` (millimetres), `0.2cm`, `1pt`.
pub fn parse_mm(s: &str) -> Option<f32> {
    let s = s.trim();
    let (number, factor) = if let Some(n) = s.strip_suffix("mm") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("cm") {
        (n, 10.0)
    } else if let Some(n) = s.strip_suffix("pt") {
        (n, 25.4 / 72.0)
    } else if let Some(n) = s.strip_suffix("in") {
        (n, 25.4)
    } else {
        (s, 1.0)
    };
    number
        .trim()
        .parse::<f32>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let (yaml, line, body) = split(text).unwrap();
        assert_eq!(yaml, "title: A\n");
        assert_eq!(line, 2);
        assert_eq!(&text[body..], "# Body\n");
        assert!(split("# no front matter").is_none());
    }

    #[test]
    fn malformed_yaml_names_its_line() {
        let mut d = Diagnostics::default();
        assert!(parse(
            "title: A\nauthor: [x\nlang: en\n",
            Path::new("m.md"),
            2,
            &mut d
        )
        .is_none());
        let diag = d.iter().next().unwrap();
        assert_eq!(diag.code, "malformed-front-matter");
        assert!(diag.location.as_ref().unwrap().line >= 3, "{diag}");
    }

    #[test]
    fn unknown_key_is_a_warning_on_its_line() {
        let mut d = Diagnostics::default();
        let fm = parse("title: A\ncolour: red\n", Path::new("m.md"), 2, &mut d).unwrap();
        assert_eq!(fm.title.as_deref(), Some("A"));
        let diag = d.iter().next().unwrap();
        assert_eq!(
            (diag.code, diag.location.as_ref().unwrap().line),
            ("unknown-key", 3)
        );
        assert!(!d.has_errors());
    }

    #[test]
    fn a_chapter_setting_a_manuscript_key_is_warned_at_its_line() {
        let mut d = Diagnostics::default();
        let fm = parse_chapter("lang: es\ntitle: Uno\n", Path::new("c.md"), 2, &mut d).unwrap();
        assert_eq!(fm.lang.as_deref(), Some("es"));
        let found: Vec<_> = d
            .iter()
            .map(|d| (d.code, d.location.as_ref().unwrap().line))
            .collect();
        assert_eq!(found, [("chapter-key", 3)]);
    }

    #[test]
    fn lengths() {
        assert_eq!(parse_mm("3mm"), Some(3.0));
        assert_eq!(parse_mm("0.2cm"), Some(2.0));
        assert_eq!(parse_mm("x"), None);
    }
}
