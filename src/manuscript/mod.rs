//! The first stage: find a manuscript's files, read them, split off the front matter.
//!
//! A manuscript is a single `.md` file, or a folder with an `index.md` whose front matter may
//! list `chapters:`; without that list the folder's other `.md` files are chapters in file-name
//! order. Nothing here interprets Markdown: that is the document stage's job.

pub mod assets;
pub mod dependencies;
pub mod front_matter;
pub mod isbn;
pub mod project;

pub use assets::{Asset, AssetError, AssetStore};
pub use dependencies::{Dependencies, Dependency};
pub use front_matter::{FrontMatter, StyleSetting, STYLE_KEYS};
pub use project::{Project, ProjectConfig};

use crate::diagnostic::{Diagnostic, Diagnostics, LineIndex, Location};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One Markdown source file of a manuscript.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Byte offset where the Markdown body starts (after any front matter).
    pub body_start: usize,
    /// A chapter's own `lang:`, when its front matter sets one.
    pub lang: Option<String>,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The location of a byte offset into [`SourceFile::body`].
    pub fn location(&self, body_offset: usize) -> Location {
        let (line, column) = self
            .lines
            .line_col(&self.text, self.body_start + body_offset);
        Location::new(&self.path, line, column)
    }
}

/// A manuscript's files, read and split, ready for the document stage.
#[derive(Debug, Clone)]
pub struct Manuscript {
    /// Project root: assets must stay inside it.
    pub root: PathBuf,
    /// The `.md` file or the manuscript folder.
    pub path: PathBuf,
    /// The file that holds the front matter (the manuscript file, or the folder's `index.md`).
    pub index_path: PathBuf,
    pub slug: String,
    pub front: FrontMatter,
    /// Chapters in reading order.
    pub chapters: Vec<SourceFile>,
    /// `SOURCE_DATE_EPOCH`, when set: the only time a build may use.
    pub source_date_epoch: Option<i64>,
    /// The files read and the folders listed to find them, the project's own included.
    pub dependencies: Dependencies,
}

/// Loads the manuscript at `path` (a `.md` file or a folder with `index.md`).
/// Problems go to `diags`; `None` when the manuscript cannot be used at all.
pub fn load(path: &Path, project: &Project, diags: &mut Diagnostics) -> Option<Manuscript> {
    let path = &folder_of_index(path);
    let (index_path, folder) = if path.is_dir() {
        (path.join("index.md"), Some(path.as_path()))
    } else {
        (path.to_path_buf(), None)
    };
    let mut dependencies = project.dependencies.clone();
    dependencies.file(&index_path);
    let index = read_source(&index_path, diags)?;
    let mut front = match front_matter::split(&index.text) {
        Some((yaml, line, _)) => front_matter::parse(yaml, &index_path, line, diags)?,
        None => FrontMatter::default(),
    };
    project.config.apply(&mut front, &project.root);
    let slug = front.slug.clone().unwrap_or_else(|| slug_from_name(path));
    if slug.chars().count() > front_matter::MAX_SLUG_CHARS {
        diags.push(
            Diagnostic::error(
                "value-too-long",
                format!(
                    "the slug `{slug}` made from the file name is {} characters long; at most {}",
                    slug.chars().count(),
                    front_matter::MAX_SLUG_CHARS
                ),
            )
            .at(Location::new(&index_path, 1, 1))
            .help("the slug names the output files: rename the file, or set a shorter `slug:` in the front matter"),
        );
        return None;
    }

    // Where the text should begin: the line after the front matter.
    let text_at = index.location(0);
    let mut chapters = Vec::new();
    if !index.body().trim().is_empty() || folder.is_none() {
        chapters.push(index);
    }
    if let Some(dir) = folder {
        let files = match &front.chapters {
            Some(list) => {
                let line = front.line_of("chapters");
                let mut files = Vec::new();
                for entry in list {
                    let file = dir.join(entry);
                    dependencies.file(&file);
                    if file.is_file() {
                        files.push(file);
                    } else if let Some(why) = not_a_file(&file) {
                        diags.push(
                            Diagnostic::error(
                                "unreadable-file",
                                format!("chapter '{entry}' cannot be read: {why}"),
                            )
                            .at(Location::new(&index_path, line, 1))
                            .help("list the chapter's Markdown files in `chapters:`; paths are relative to the manuscript folder"),
                        );
                    } else {
                        diags.push(
                            Diagnostic::error(
                                "missing-chapter",
                                format!("chapter file '{entry}' not found"),
                            )
                            .at(Location::new(&index_path, line, 1))
                            .help("paths in `chapters:` are relative to the manuscript folder"),
                        );
                    }
                }
                files
            }
            None => {
                dependencies.listing(dir, ".md");
                chapter_files(dir)
            }
        };
        for file in files {
            dependencies.file(&file);
            if let Some(mut source) = read_source(&file, diags) {
                if let Some((yaml, line, _)) = front_matter::split(&source.text) {
                    if let Some(fm) = front_matter::parse_chapter(yaml, &file, line, diags) {
                        source.lang = fm.lang;
                    }
                }
                chapters.push(source);
            }
        }
    }
    if chapters.iter().all(|c| c.body().trim().is_empty()) {
        diags.push(
            Diagnostic::error("empty-manuscript", "the manuscript has no text")
                .at(text_at)
                .help("write the text below the front matter, or list chapter files under `chapters:`"),
        );
        return None;
    }
    let source_date_epoch = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse().ok());
    Some(Manuscript {
        root: project.root.clone(),
        path: path.to_path_buf(),
        index_path,
        slug,
        front,
        chapters,
        source_date_epoch,
        dependencies,
    })
}

/// The slug a manuscript's file or folder name gives it.
fn slug_from_name(path: &Path) -> String {
    let stem = if path.is_dir() {
        path.file_name()
    } else {
        path.file_stem()
    };
    slugify(
        &stem
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// The slug of the manuscript at `path`: its front matter's `slug:`, else from its name. For
/// questions about a manuscript that is not being built (`roneo new`).
pub fn slug_of(path: &Path) -> String {
    let path = folder_of_index(path);
    let index = if path.is_dir() {
        path.join("index.md")
    } else {
        path.clone()
    };
    front_matter_slug(&index).unwrap_or_else(|| slug_from_name(&path))
}

/// The `slug:` in a manuscript's front matter. Every run needs the slugs of the whole catalogue
/// before it knows what is up to date, so only the front matter is read, and parsed only when
/// it can hold the key (a key is spelt out, or escaped in quotes with a backslash).
fn front_matter_slug(index: &Path) -> Option<String> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(std::fs::File::open(index).ok()?);
    let mut text = String::new();
    let mut lines = 0;
    loop {
        let start = text.len();
        if reader.read_line(&mut text).ok()? == 0 {
            break;
        }
        lines += 1;
        let line = text[start..].trim_end();
        if lines == 1 && line != "---" || lines > 1 && (line == "---" || line == "...") {
            break;
        }
    }
    let text = with_line_feeds(text);
    let (yaml, line, _) = front_matter::split(&text)?;
    if !yaml.contains("slug") && !yaml.contains('\\') {
        return None;
    }
    front_matter::parse(yaml, index, line, &mut Diagnostics::default())?.slug
}

/// A folder manuscript's `index.md` stands for the folder (its slug, cover and chapters).
fn folder_of_index(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if path.file_name().is_some_and(|n| n == "index.md") && path.is_file() => {
            if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir.to_path_buf()
            }
        }
        _ => path.to_path_buf(),
    }
}

/// The `.md` files of a manuscript folder other than `index.md`, in natural order: numbers
/// compare by value, so `2-b.md` comes before `10-c.md`.
fn chapter_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            // A broken link is listed, to be reported: the chapter must not silently vanish.
            (p.is_file() || dangling_link(p))
                && p.extension().is_some_and(|e| e == "md")
                && p.file_name().is_some_and(|n| n != "index.md")
        })
        .collect();
    files.sort_by(|a, b| natural_order(&a.to_string_lossy(), &b.to_string_lossy()));
    files
}

/// Compares names with their runs of digits taken as numbers (`01-a` < `2-b` < `10-c`); names
/// equal in value (`1` and `01`) fall back to plain order, so the order is total.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(s: &str) -> impl Iterator<Item = (bool, &str)> {
        let mut rest = s;
        std::iter::from_fn(move || {
            let first = rest.chars().next()?;
            let digits = first.is_ascii_digit();
            let end = rest
                .find(|c: char| c.is_ascii_digit() != digits)
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(end);
            rest = tail;
            Some((digits, run))
        })
    }
    let mut x = runs(a);
    let mut y = runs(b);
    loop {
        let order = match (x.next(), y.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some((true, m)), Some((true, n))) => {
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                m.len().cmp(&n.len()).then_with(|| m.cmp(n))
            }
            (Some((_, m)), Some((_, n))) => m.cmp(n),
        };
        if order.is_ne() {
            return order;
        }
    }
}

/// A symbolic link whose target does not exist (or loops): a file that was meant to be there.
fn dangling_link(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
        && path.metadata().is_err()
}

/// Why `path`, which exists (as a folder or a broken link), is not a file that can be read;
/// `None` when nothing is there.
fn not_a_file(path: &Path) -> Option<String> {
    if dangling_link(path) {
        let target = std::fs::read_link(path).unwrap_or_default();
        return Some(format!(
            "it is a symbolic link to '{}', which does not exist",
            target.display()
        ));
    }
    path.is_dir()
        .then(|| "it is a folder, not a file".to_string())
}

fn read_source(path: &Path, diags: &mut Diagnostics) -> Option<SourceFile> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let why = not_a_file(path).unwrap_or_else(|| crate::diagnostic::os_error(&e));
            let mut d =
                Diagnostic::error("unreadable-file", format!("cannot read the file: {why}"))
                    .at(Location::file(path));
            if dangling_link(path) {
                d = d.help("restore the file the link points to, or remove the link");
            }
            diags.push(d);
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let column = std::str::from_utf8(
                &valid[valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)..],
            )
            .map_or(1, |s| s.chars().count() as u32 + 1);
            diags.push(
                Diagnostic::error("invalid-utf8", "the file is not valid UTF-8 text")
                    .at(Location::new(path, line, column))
                    .help("save the file as UTF-8 (most editors offer this under 'Save with encoding')"),
            );
            return None;
        }
    };
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let text = with_line_feeds(text);
    let body_start = front_matter::split(&text).map_or(0, |(_, _, b)| b);
    let lines = LineIndex::new(&text);
    if let Some((start, chars)) = longest_word(&text).filter(|&(_, n)| n > MAX_WORD_CHARS) {
        let (line, column) = lines.line_col(&text, start);
        diags.push(
            Diagnostic::error(
                "word-too-long",
                format!(
                    "a word of {chars} characters without a space; roneo sets words of up to {MAX_WORD_CHARS}"
                ),
            )
            .at(Location::new(path, line, column))
            .help("this is rarely text meant for reading (encoded data, a pasted file): remove it, or put spaces in it"),
        );
        return None;
    }
    Some(SourceFile {
        path: path.to_path_buf(),
        text,
        body_start,
        lang: None,
        lines,
    })
}

/// `text` with CommonMark's other line endings, CR LF and a lone CR, made LF: every later
/// reader (front matter, Markdown, line numbers) then sees the lines a CommonMark reader does.
fn with_line_feeds(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The longest run of characters without white space a source may hold (1 Mi): one such word
/// sets some 500 pages; a longer one would cost the typesetter more memory than a build may.
pub const MAX_WORD_CHARS: usize = 1 << 20;

/// The byte offset and length in characters of the longest run of non-space characters.
fn longest_word(text: &str) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    let mut run: Option<(usize, usize)> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            run = None;
            continue;
        }
        let r = run.get_or_insert((i, 0));
        r.1 += 1;
        if best.is_none_or(|b| r.1 > b.1) {
            best = Some(*r);
        }
    }
    best
}

/// File or folder name to slug: lower case ASCII letters, digits and hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "book".to_string()
    } else {
        slug
    }
}

/// The manuscripts a command-line PATH names: a manuscript file, a manuscript folder, or a
/// project root whose `manuscripts/` folder holds them.
pub fn discover(path: &Path) -> Result<Vec<PathBuf>, String> {
    let path = &folder_of_index(path);
    if path.is_file() || dangling_link(path) {
        return if path.extension().is_some_and(|e| e == "md") {
            Ok(vec![path.to_path_buf()])
        } else {
            Err(format!(
                "{} is not a Markdown (.md) manuscript",
                path.display()
            ))
        };
    }
    if !path.is_dir() {
        return Err(format!("{} does not exist", path.display()));
    }
    if path.join("index.md").is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let dir = path.join("manuscripts");
    if !dir.is_dir() {
        return Err(format!(
            "{} is neither a manuscript (a .md file or a folder with index.md) nor a project (a folder with manuscripts/)",
            path.display()
        ));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| {
            format!(
                "cannot read {}: {}",
                dir.display(),
                crate::diagnostic::os_error(&e)
            )
        })?
        .flatten()
        .filter_map(|entry| {
            let p = entry.path();
            let markdown = p.extension().is_some_and(|e| e == "md");
            // The entry's own type spares a stat per file of a large catalogue.
            let kept = match entry.file_type() {
                Ok(t) if t.is_file() => markdown,
                Ok(t) if t.is_dir() => p.join("index.md").is_file(),
                // A link (or anything else) by what it points to; a broken link is listed,
                // to be reported: the book must not silently vanish.
                _ => {
                    ((p.is_file() || dangling_link(&p)) && markdown) || p.join("index.md").is_file()
                }
            };
            kept.then_some(p)
        })
        .collect();
    found.sort_by(|a, b| natural_order(&a.to_string_lossy(), &b.to_string_lossy()));
    Ok(found)
}

/// The project root for a manuscript: the nearest folder above it holding `manuscripts/`,
/// `roneo.toml` or `.git`; else the manuscript's own folder.
pub fn project_root(manuscript: &Path) -> PathBuf {
    let canonical = manuscript.canonicalize().ok();
    project_root_of(
        manuscript,
        canonical.as_deref(),
        &mut ProjectRoots::default(),
    )
}

/// What [`project_root`] found for each folder, so that the manuscripts of one catalogue look
/// above their folders once, not once each.
#[derive(Default)]
pub struct ProjectRoots(HashMap<PathBuf, Option<PathBuf>>);

/// [`project_root`] of a manuscript whose canonical path (when it has one) is known.
pub fn project_root_of(
    manuscript: &Path,
    canonical: Option<&Path>,
    roots: &mut ProjectRoots,
) -> PathBuf {
    let abs = canonical.unwrap_or(manuscript);
    let start = if abs.is_dir() {
        abs.to_path_buf()
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    marked_ancestor(&start, roots).unwrap_or(start)
}

/// The nearest of `dir` and the folders above it that holds `roneo.toml`, `.git` or
/// `manuscripts/`.
fn marked_ancestor(dir: &Path, roots: &mut ProjectRoots) -> Option<PathBuf> {
    if let Some(found) = roots.0.get(dir) {
        return found.clone();
    }
    let found = if dir.join("roneo.toml").is_file()
        || dir.join(".git").exists()
        || dir.join("manuscripts").is_dir()
    {
        Some(dir.to_path_buf())
    } else {
        dir.parent().and_then(|up| marked_ancestor(up, roots))
    };
    roots.0.insert(dir.to_path_buf(), found.clone());
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Chile 1973"), "chile-1973");
        assert_eq!(slugify("¿Qué?"), "qu");
        assert_eq!(slugify("---"), "book");
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        let mut names = vec![
            "10-c.md", "2-b.md", "01-a.md", "b.md", "a10.md", "a9.md", "1-x.md",
        ];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            names,
            ["01-a.md", "1-x.md", "2-b.md", "10-c.md", "a9.md", "a10.md", "b.md"]
        );
    }
}
