//! Orchestration: which manuscripts, which formats, where the files go, what can be skipped.
//!
//! Each manuscript goes through the pipeline on its own, on one of a fixed number of workers
//! (see [`workers`]); each book is written before its worker takes the next. Its diagnostics are collected and its outputs are written atomically, so a failed build leaves
//! the last good files in place. A content-keyed cache (stat first) skips manuscripts that are current.

mod cache;
mod covers;
mod memory;
mod output;
mod shard;
mod slugs;
mod workers;

pub use cache::Cache;
pub use output::{commit_together, write_atomically};
pub use shard::Shard;
pub use workers::default_jobs;

use crate::cover::{self, Cover, CoverDesign};
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::document::{self, Document};
use crate::epub::{self, CoverImage, EpubOptions, PageBreak, PrintEdition};
use crate::manuscript::{self, Dependencies, Manuscript, Project};
use crate::style::{self, Style};
use crate::typeset::Layout;
use crate::{html, impose, pdf, typeset};
use covers::Covers;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Epub,
    /// The web edition: a folder `<slug>/` of HTML pages (made before the PDF, which frees the
    /// layout whose page breaks it marks).
    Html,
    /// The reading PDF, page by page.
    Pdf,
    /// The reading PDF imposed for saddle-stitch printing.
    Booklet,
    /// A perfect-bound book's cover: back, spine and front on one sheet, with bleed.
    Cover,
}

impl Format {
    /// Every format roneo writes as one file `<slug>.<extension>` (the web edition, a folder
    /// `<slug>/`, is apart).
    pub const ALL: &'static [Format] = &[Format::Epub, Format::Pdf, Format::Booklet, Format::Cover];
    /// What a build writes when no format is asked for: a pamphlet's editions (the cover of a
    /// bound book only on request).
    pub const DEFAULT: &'static [Format] = &[Format::Epub, Format::Pdf, Format::Booklet];

    /// Its name on the command line (`--format`) and in `roneo list`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Booklet => "booklet",
            Format::Cover => "cover",
        }
    }

    /// What follows the slug in the output's file name (the web edition: its folder's
    /// `index.html`).
    pub fn extension(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Booklet => "booklet.pdf",
            Format::Cover => "cover.pdf",
        }
    }
}

/// Settings for booklets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookletOptions {
    /// Pages per signature (a multiple of 4); `None`: one signature.
    pub signature: Option<usize>,
    /// Crop marks (and room for bleed).
    pub marks: bool,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Manuscript files or folders, or project roots; empty means the current directory.
    pub paths: Vec<PathBuf>,
    /// Output folder; `None`: the project's `out` from `roneo.toml`, else `dist`.
    pub out_dir: Option<PathBuf>,
    /// Formats to write, a set (repeats and order do not matter); empty means all.
    pub formats: Vec<Format>,
    /// Skip manuscripts whose outputs are current (`false`: `--force`, which rebuilds every
    /// manuscript and still records and prunes).
    pub use_cache: bool,
    pub booklet: BookletOptions,
    /// Threads in all (`--jobs`): manuscripts built at once, each written before the next.
    pub jobs: usize,
    /// Only this part of the manuscripts (`--shard K/N`).
    pub shard: Option<Shard>,
    /// `--deny-warnings`: a manuscript with a warning fails, so nothing of it is written or cached.
    pub deny_warnings: bool,
}

/// The note of a site's file that a rebuild found as it was, and left untouched.
pub const UNCHANGED: &str = "unchanged";

/// One file written.
#[derive(Debug, Clone)]
pub struct Output {
    pub path: PathBuf,
    pub format: Format,
    pub bytes: u64,
    /// Pages, for paged formats.
    pub pages: Option<usize>,
    /// What else a reader of the summary should know (e.g. blanks added to a booklet).
    pub note: Option<String>,
    /// What making it cost, for the verbose summary (how many times copyfitting set the pages).
    pub work: Option<String>,
}

/// What happened to one manuscript.
#[derive(Debug, Clone)]
pub struct ManuscriptReport {
    pub path: PathBuf,
    pub diagnostics: Diagnostics,
    pub outputs: Vec<Output>,
    /// Skipped because its outputs were current.
    pub cached: bool,
    pub elapsed: Duration,
}

/// What a whole run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Diagnostics about the projects themselves (e.g. `roneo.toml`).
    pub project_diagnostics: Diagnostics,
    pub manuscripts: Vec<ManuscriptReport>,
    /// Outputs roneo wrote earlier for manuscripts that are gone (or took another slug), and
    /// removed.
    pub removed: Vec<PathBuf>,
    /// The catalogue's files written (`DIR/index.html`, `DIR/feed.xml`).
    pub catalogue: Vec<PathBuf>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.project_diagnostics.has_errors()
            || self.manuscripts.iter().any(|m| m.diagnostics.has_errors())
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.project_diagnostics
            .iter()
            .chain(self.manuscripts.iter().flat_map(|m| m.diagnostics.iter()))
    }

    pub fn errors(&self) -> usize {
        self.diagnostics().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics().filter(|d| !d.is_error()).count()
    }
}

/// The manuscripts named by `paths` (the current directory when empty), each with its project.
pub fn manuscripts(
    paths: &[PathBuf],
    diags: &mut Diagnostics,
) -> Result<Vec<(PathBuf, Project)>, String> {
    let default = [default_path()];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut projects: BTreeMap<PathBuf, Project> = BTreeMap::new();
    let mut all: Vec<(PathBuf, Project)> = Vec::new();
    // Each manuscript once, however many of the paths name it and however spelt.
    let mut seen: HashSet<String> = HashSet::new();
    let mut roots = manuscript::ProjectRoots::default();
    for path in paths {
        for found in manuscript::discover(path)? {
            let canonical = found.canonicalize().ok();
            if !seen.insert(Cache::key_of(&found, canonical.as_deref())) {
                continue;
            }
            let root = manuscript::project_root_of(&found, canonical.as_deref(), &mut roots);
            let project = projects
                .entry(root.clone())
                .or_insert_with(|| Project::open(&root, diags))
                .clone();
            all.push((found, project));
        }
    }
    if all.is_empty() {
        return Err("no manuscripts found (looked for .md files and folders with index.md under manuscripts/)".into());
    }
    Ok(all)
}

/// The manuscripts of `shard` (all without one).
fn in_shard(found: Vec<(PathBuf, Project)>, shard: Option<Shard>) -> Vec<(PathBuf, Project)> {
    match shard {
        Some(shard) => found
            .into_iter()
            .filter(|(path, project)| shard.holds(path, &project.root))
            .collect(),
        None => found,
    }
}

/// Where a project's books go: `--out`, else the project's `out`, else `dist`.
fn out_dir(given: Option<&Path>, project: &Project) -> PathBuf {
    given
        .map(Path::to_path_buf)
        .or_else(|| project.out_dir())
        .unwrap_or_else(|| PathBuf::from("dist"))
}

/// A manuscript as `roneo list` shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub path: PathBuf,
    pub slug: String,
    /// The file each format is written to.
    pub outputs: Vec<(Format, PathBuf)>,
}

/// `roneo list`: the manuscripts (of `shard`), their slugs and outputs. Project errors (a bad `roneo.toml`, two manuscripts with
/// one slug) come back in the diagnostics.
pub fn list(
    paths: &[PathBuf],
    out: Option<&Path>,
    shard: Option<Shard>,
) -> Result<(Vec<Listed>, Diagnostics), String> {
    let mut diagnostics = Diagnostics::default();
    let found = manuscripts(paths, &mut diagnostics)?;
    for error in slugs::collisions(
        found
            .iter()
            .map(|(path, project)| (path.as_path(), out_dir(out, project))),
    ) {
        diagnostics.push(error);
    }
    let listed = in_shard(found, shard)
        .into_iter()
        .map(|(path, project)| {
            let slug = manuscript::slug_of(&path);
            let dir = out_dir(out, &project);
            Listed {
                outputs: Format::ALL
                    .iter()
                    .map(|&f| (f, dir.join(format!("{slug}.{}", f.extension()))))
                    .collect(),
                slug,
                path,
            }
        })
        .collect();
    Ok((listed, diagnostics))
}

/// Without a PATH: the current directory, or the project above it when run from inside one
/// (e.g. from `manuscripts/`), as `git` and `cargo` do.
fn default_path() -> PathBuf {
    let here = PathBuf::from(".");
    if here.join("index.md").is_file() || here.join("manuscripts").is_dir() {
        return here;
    }
    manuscript::project::enclosing_root(&here).unwrap_or(here)
}

/// Loads a manuscript and builds its document tree, its images decoded and checked, its
/// cover drawn (or the cover file checked).
pub fn load(path: &Path, project: &Project) -> (Option<(Manuscript, Document)>, Diagnostics) {
    let (loaded, mut diags) = parse(path, project);
    if let Some((_, doc)) = &loaded {
        document::verify_assets(doc, &mut diags);
        let resolved = style::resolve(&doc.meta.style, &project.root, &mut diags);
        if let (Some(resolved), false) = (resolved, diags.has_errors()) {
            covers::front_cover(doc, &resolved.style, &mut diags);
        }
    }
    (loaded, diags)
}

/// The cover the style asks for: its layout, accent colour, title family and capitals.
fn cover_design(style: &Style) -> CoverDesign {
    let layout = match style.cover {
        style::CoverStyle::Rules => cover::CoverLayout::Panel,
        style::CoverStyle::Band => cover::CoverLayout::Band,
    };
    let title = match style.headings.family {
        style::Family::Sans => &style.faces.sans,
        _ => &style.faces.main,
    };
    CoverDesign {
        trim: (style.page.width, style.page.height),
        ..CoverDesign::new(
            layout,
            style.accent,
            title,
            &style.faces.main,
            style.headings.upper,
        )
    }
}

/// [`load`] but for the images' decoding, which [`build_one`] runs beside the typesetting.
fn parse(path: &Path, project: &Project) -> (Option<(Manuscript, Document)>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let Some(m) = manuscript::load(path, project, &mut diags) else {
        return (None, diags);
    };
    let doc = document::build_document(&m, &mut diags);
    (doc.map(|d| (m, d)), diags)
}

/// `roneo check`: loads and validates every manuscript (of `shard`), writing nothing.
pub fn check(paths: &[PathBuf], shard: Option<Shard>, jobs: usize) -> Result<Report, String> {
    let mut report = Report::default();
    let found = manuscripts(paths, &mut report.project_diagnostics)?;
    for error in slugs::collisions(
        found
            .iter()
            .map(|(path, project)| (path.as_path(), out_dir(None, project))),
    ) {
        report.project_diagnostics.push(error);
    }
    let found = in_shard(found, shard);
    report.manuscripts = workers::run(
        &found,
        jobs,
        |(path, project)| {
            let start = Instant::now();
            let (_, diagnostics) = load(path, project);
            ManuscriptReport {
                path: path.clone(),
                diagnostics,
                outputs: Vec::new(),
                cached: false,
                elapsed: start.elapsed(),
            }
        },
        |(path, _), what| internal_error(path, what),
    );
    Ok(report)
}

/// `roneo build`. `done` is called as each manuscript finishes (from worker threads).
pub fn build(
    options: &BuildOptions,
    done: &(dyn Fn(&ManuscriptReport) + Sync),
) -> Result<Report, String> {
    let mut formats: Vec<Format> = if options.formats.is_empty() {
        Format::DEFAULT.to_vec()
    } else {
        options.formats.clone()
    };
    formats.sort();
    formats.dedup();
    let identities: Vec<String> = formats
        .iter()
        .map(|&f| identity(f, &options.booklet, &formats))
        .collect();
    let mut report = Report::default();
    let found = manuscripts(&options.paths, &mut report.project_diagnostics)?;
    if report.project_diagnostics.has_errors() {
        return Ok(report);
    }
    // One output folder per project (usually one project).
    let out_dir = |project: &Project| out_dir(options.out_dir.as_deref(), project);
    // Two books, one file: refused before anything is built, in the whole catalogue (the
    // shards' books end up side by side).
    let collisions = slugs::collisions(
        found
            .iter()
            .map(|(path, project)| (path.as_path(), out_dir(project))),
    );
    if !collisions.is_empty() {
        for error in collisions {
            report.project_diagnostics.push(error);
        }
        return Ok(report);
    }
    let found = in_shard(found, options.shard);
    // The cache is read even with `--force`: what a forced build writes is recorded, and the
    // outputs of manuscripts that are gone are pruned, as in any build.
    // Each output folder is this build's until it returns (taken in one order: no deadlock).
    let dirs: std::collections::BTreeSet<PathBuf> =
        found.iter().map(|(_, project)| out_dir(project)).collect();
    let mut locks = Vec::new();
    for dir in &dirs {
        match output::lock(dir) {
            Ok(lock) => locks.push(lock),
            Err(e) => report
                .project_diagnostics
                .push(Diagnostic::error("write-failed", e).at(Location::file(dir))),
        }
    }
    if report.project_diagnostics.has_errors() {
        return Ok(report);
    }
    let mut caches: BTreeMap<PathBuf, Cache> = BTreeMap::new();
    for dir in dirs {
        let cache = Cache::load(&dir);
        caches.insert(dir, cache);
    }
    // What is up to date is known from the cache alone, here, so that a no-op run over a
    // catalogue hands nothing to the workers (a round trip to a worker's pool per manuscript
    // cost more than the check itself).
    let mut results: Vec<Option<Built>> = found
        .iter()
        .map(|(path, project)| {
            let start = Instant::now();
            let current = options.use_cache
                && caches.get(&out_dir(project)).is_some_and(|c| {
                    c.is_current(path, &identities) && !(options.deny_warnings && c.warned(path))
                });
            current.then(|| {
                let report = ManuscriptReport {
                    path: path.clone(),
                    diagnostics: Diagnostics::default(),
                    outputs: Vec::new(),
                    cached: true,
                    elapsed: start.elapsed(),
                };
                done(&report);
                (report, None, None)
            })
        })
        .collect();
    let stale: Vec<&(PathBuf, Project)> = found
        .iter()
        .zip(&results)
        .filter(|(_, result)| result.is_none())
        .map(|(item, _)| item)
        .collect();
    memory::choose(stale.iter().map(|(path, _)| path.as_path()));
    let built = workers::run(
        &stale,
        options.jobs,
        |(path, project)| {
            let dir = out_dir(project);
            let result = build_one(path, project, &formats, options, &dir, Instant::now());
            done(&result.0);
            result
        },
        // Nothing was written for it; a failed build leaves nothing current in the cache.
        |(path, _), what| {
            let report = internal_error(path, what);
            done(&report);
            (report, Some(Dependencies::default()), None)
        },
    );
    let mut built = built.into_iter();
    for result in results.iter_mut().filter(|r| r.is_none()) {
        *result = built.next();
    }
    let results = results
        .into_iter()
        .map(|r| r.expect("each manuscript is current or was built"));
    for ((m, inputs, card), (_, project)) in results.into_iter().zip(&found) {
        let dir = out_dir(project);
        if let Some(cache) = caches.get_mut(&dir) {
            match inputs {
                Some(inputs) if !fails(&m.diagnostics, options.deny_warnings) => {
                    let written: Vec<(PathBuf, String)> = m
                        .outputs
                        .iter()
                        .map(|o| {
                            (
                                o.path.clone(),
                                identity(o.format, &options.booklet, &formats),
                            )
                        })
                        .collect();
                    let owned = owned_outputs(&dir, &m.outputs, formats.contains(&Format::Html));
                    let warned = m.diagnostics.warnings() > 0;
                    let removed = cache.record(&m.path, &inputs, &written, &owned, warned, card);
                    report.removed.extend(removed);
                }
                Some(_) => cache.failed(&m.path),
                None => {}
            }
        }
        report.manuscripts.push(m);
    }
    for cache in caches.values_mut() {
        report.removed.extend(cache.prune_missing());
    }
    if formats.contains(&Format::Html) {
        for (dir, cache) in &caches {
            catalogue(dir, cache, &mut report);
        }
    }
    for (dir, cache) in &mut caches {
        if let Err(e) = cache.save(dir) {
            report.project_diagnostics.push(
                Diagnostic::warning("cache-not-saved", e).at(Location::file(Cache::path(dir))),
            );
        }
    }
    drop(locks);
    Ok(report)
}

/// With several sites in `dir`, the catalogue `index.html` and the Atom feed `feed.xml`, from
/// the cards the sites left in the cache; each written only when it changed.
fn catalogue(dir: &Path, cache: &Cache, report: &mut Report) {
    let cards: Vec<html::Card> = cache
        .cards()
        .filter(|c| dir.join(&c.slug).join("index.html").is_file())
        .cloned()
        .collect();
    if cards.len() < 2 {
        // Down to one site: a catalogue written earlier would list sites that are gone.
        for name in ["index.html", "feed.xml"] {
            let path = dir.join(name);
            let ours = std::fs::read_to_string(&path)
                .is_ok_and(|text| text.contains(html::catalogue::MARK));
            if ours && std::fs::remove_file(&path).is_ok() {
                report.removed.push(path);
            }
        }
        return;
    }
    let files = [
        (dir.join("index.html"), html::catalogue::index(&cards)),
        (dir.join("feed.xml"), html::catalogue::feed(&cards)),
    ];
    for (path, text) in files {
        let earlier = std::fs::read(&path).ok();
        if earlier.as_deref() == Some(text.as_bytes()) {
            continue;
        }
        // A file of the publisher's own is never replaced.
        if earlier.is_some_and(|e| !String::from_utf8_lossy(&e).contains(html::catalogue::MARK)) {
            report.project_diagnostics.push(
                Diagnostic::error(
                    "write-failed",
                    format!(
                        "cannot write the catalogue {}: a file that roneo did not write is there",
                        path.display()
                    ),
                )
                .at(Location::file(&path))
                .help("move that file away, or build the sites into another folder (`--out`)"),
            );
            continue;
        }
        match write_atomically(&path, text.as_bytes()) {
            Ok(()) => report.catalogue.push(path),
            Err(e) => report
                .project_diagnostics
                .push(Diagnostic::error("write-failed", e).at(Location::file(&path))),
        }
    }
}

/// Whether a manuscript's build failed: an error, or a warning under `--deny-warnings`.
fn fails(diagnostics: &Diagnostics, deny_warnings: bool) -> bool {
    diagnostics.has_errors() || (deny_warnings && diagnostics.warnings() > 0)
}

/// A manuscript whose build panicked: a bug in roneo, reported as one, the other manuscripts
/// built as usual.
fn internal_error(path: &Path, what: String) -> ManuscriptReport {
    let mut diagnostics = Diagnostics::default();
    diagnostics.push(
        Diagnostic::error(
            "internal-error",
            format!("roneo failed on this manuscript (a bug in roneo, not in it): {what}"),
        )
        .at(Location::file(path))
        .help(format!(
            "nothing was written for it. Please report it at {}/issues with `roneo --version`, \
             the message above and the manuscript (or the smallest part of it that fails)",
            env!("CARGO_PKG_REPOSITORY")
        )),
    );
    ManuscriptReport {
        path: path.to_path_buf(),
        diagnostics,
        outputs: Vec::new(),
        cached: false,
        elapsed: Duration::ZERO,
    }
}

/// What files a manuscript whose build wrote `outputs` into `dir` may own now: its files of
/// every format and, when the web edition was not built this time, the site written earlier
/// (when it was, the earlier pages it did not write again are stale: a chapter gone).
fn owned_outputs(dir: &Path, outputs: &[Output], html_built: bool) -> impl Fn(&Path) -> bool {
    // The slug: a file's name up to its first dot, or the site folder's name.
    let slug = outputs.first().and_then(|o| {
        let relative = o.path.strip_prefix(dir).ok()?;
        let first = relative.components().next()?.as_os_str().to_str()?;
        Some(first.split('.').next()?.to_string())
    });
    // The cache's paths are absolute.
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let files: Vec<PathBuf> = match &slug {
        Some(slug) => Format::ALL
            .iter()
            .map(|f| dir.join(format!("{slug}.{}", f.extension())))
            .collect(),
        None => Vec::new(),
    };
    let site = slug.filter(|_| !html_built).map(|slug| dir.join(slug));
    move |path: &Path| {
        files.iter().any(|f| f == path) || site.as_ref().is_some_and(|s| path.starts_with(s))
    }
}

/// What an output's cache record covers besides its inputs: the format and its options (for
/// the web edition, which other editions it offers for download).
fn identity(format: Format, booklet: &BookletOptions, formats: &[Format]) -> String {
    let options = match format {
        Format::Booklet => format!(" signature {:?} marks {}", booklet.signature, booklet.marks),
        Format::Html => html::downloads("", formats)
            .iter()
            .map(|d| format!(" download {}", d.name))
            .collect(),
        _ => String::new(),
    };
    cache::build_identity(&format!("format {}{options}", format.extension()))
}

/// A manuscript's report and, when it was built, what it depended on and its site's card.
type Built = (ManuscriptReport, Option<Dependencies>, Option<html::Card>);

/// Builds one manuscript; returns its report and, when it was built, what it depended on.
fn build_one(
    path: &Path,
    project: &Project,
    formats: &[Format],
    options: &BuildOptions,
    out_dir: &Path,
    start: Instant,
) -> Built {
    let booklet = &options.booklet;
    // The project's fonts are read (once per process) while the manuscript is parsed: the
    // style is resolved from them next.
    let ((loaded, mut diagnostics), ()) = rayon::join(
        || parse(path, project),
        || drop(crate::fonts::project_faces(&project.root)),
    );
    let mut outputs = Vec::new();
    let mut inputs = None;
    let mut card = None;
    let resolved = match &loaded {
        Some((_, doc)) => style::resolve(&doc.meta.style, &project.root, &mut diagnostics),
        None => None,
    };
    if let (Some((m, doc)), Some(resolved), false) = (loaded, resolved, diagnostics.has_errors()) {
        let style = &resolved.style;
        // Drawn beside the typesetting, when a format first needs them.
        let covers = Covers::new(&doc, style);
        // A cover raster drawn now, cached only if the build succeeds, and the site's card.
        let mut made = Made::default();
        // Decoding the images (to find damaged ones) takes as long as typesetting a pamphlet,
        // so the two run side by side; nothing is written until both are done. The formats
        // are begun on this thread (the typesetting first: the longest job) and the other
        // threads take the images, then what the formats make beside the pages.
        let ((pending, produced), verified) = rayon::join(
            || {
                // Test hook (debug builds only): a bug in the middle of a manuscript's build.
                #[cfg(debug_assertions)]
                if std::env::var_os("RONEO_TEST_PANIC")
                    .is_some_and(|name| path.to_string_lossy().contains(&*name.to_string_lossy()))
                {
                    panic!("RONEO_TEST_PANIC names this manuscript");
                }
                let mut d = Diagnostics::default();
                let pending = produce(
                    &m, &doc, style, &covers, formats, booklet, out_dir, &mut made, &mut d,
                );
                (pending, d)
            },
            || {
                let mut d = Diagnostics::default();
                document::verify_assets(&doc, &mut d);
                d
            },
        );
        diagnostics.extend(covers.diagnostics());
        diagnostics.extend(verified);
        // Made from a damaged image, the outputs' own complaints would only echo it.
        if !diagnostics.has_errors() {
            diagnostics.extend(produced);
        }
        // Written only when every format succeeded, and together: should one file fail to
        // be written, none is, and all the last good files stay.
        if !fails(&diagnostics, options.deny_warnings) {
            // A site's pages, images and fonts that are as they were stay untouched (so are
            // their times, which browsers and copies to a server go by).
            let files: Vec<(PathBuf, &[u8])> = pending
                .iter()
                .filter(|(output, bytes)| {
                    output.format != Format::Html
                        || std::fs::read(&output.path).ok().as_deref() != Some(bytes.as_slice())
                })
                .map(|(output, bytes)| (output.path.clone(), bytes.as_slice()))
                .collect();
            match commit_together(&files) {
                Ok(()) => {
                    // The summary counts the site's files that changed.
                    let written: HashSet<&Path> = files.iter().map(|(p, _)| p.as_path()).collect();
                    let unchanged: Vec<bool> = pending
                        .iter()
                        .map(|(o, _)| !written.contains(o.path.as_path()))
                        .collect();
                    outputs.extend(pending.into_iter().zip(unchanged).map(
                        |((mut output, _), unchanged)| {
                            if unchanged {
                                output.note = Some(UNCHANGED.into());
                            }
                            output
                        },
                    ));
                    card = made.card;
                    if let Some((path, data)) = made.raster {
                        // Lost, it only costs the next build the time to draw it again.
                        if let Err(e) = write_atomically(&path, &data) {
                            diagnostics.push(
                                Diagnostic::warning("cache-not-saved", e).at(Location::file(path)),
                            );
                        }
                    }
                }
                Err((target, e)) => diagnostics.push(
                    Diagnostic::error("write-failed", e)
                        .at(Location::file(target))
                        .help(
                            "none of this manuscript's files was replaced: the last good ones \
                             are as they were. Free some room or make the folder writable, \
                             then build again",
                        ),
                ),
            }
        }
        let mut dependencies = doc.dependencies.clone();
        for file in resolved.files {
            dependencies.file(file);
        }
        inputs = Some(dependencies);
    }
    (
        ManuscriptReport {
            path: path.to_path_buf(),
            diagnostics,
            outputs,
            cached: false,
            elapsed: start.elapsed(),
        },
        inputs,
        card,
    )
}

/// Every format of one manuscript, in memory: written only if the whole build succeeds.
fn produce(
    m: &Manuscript,
    doc: &Document,
    style: &Style,
    covers: &Covers,
    formats: &[Format],
    booklet: &BookletOptions,
    out_dir: &Path,
    made: &mut Made,
    diagnostics: &mut Diagnostics,
) -> Vec<(Output, Vec<u8>)> {
    let raster = &mut made.raster;
    let mut print = PrintOutputs::default();
    let mut pending: Vec<(Output, Vec<u8>)> = Vec::new();
    debug_assert!(
        formats.is_sorted(),
        "the PDF frees the layout the EPUB and the web edition read"
    );
    // What the EPUB and the web edition share: the print page breaks and the cover's raster,
    // made once (`None` inside: the cover could not be made, which is reported).
    let mut screen: Option<Option<(Option<PrintEdition>, Option<CoverImage>)>> = None;
    // The EPUB's photographs and cut-down fonts, made with them.
    let mut ebook_parts: Option<epub::Parts> = None;
    let wants_epub = formats.contains(&Format::Epub);
    let mut screen_inputs = |print: &mut PrintOutputs,
                             raster: &mut Option<(PathBuf, Vec<u8>)>,
                             ebook_parts: &mut Option<epub::Parts>,
                             diagnostics: &mut Diagnostics| {
        screen
            .get_or_insert_with(|| {
                // The cover (drawn and rasterized) and the EPUB's slow parts are made while
                // the pages are typeset (for the page-list).
                let cached = out_dir.join(format!(".roneo-cover-{}", m.slug));
                let (edition, (parts, image)) = rayon::join(
                    || print.edition(doc, style, diagnostics),
                    || {
                        rayon::join(
                            || {
                                let print = edition_source(doc, style, "0123456789")
                                    + typeset::FOLIO_CHARACTERS;
                                // What a generated cover will say (it is drawn meanwhile).
                                let alt = doc.meta.cover.is_none().then(|| cover::alt_text(doc));
                                wants_epub
                                    .then(|| epub::Parts::make(doc, style, &print, alt.as_deref()))
                            },
                            || {
                                let cover = covers.front()?;
                                Some((cover_jpeg(cover, &cached, raster), cover.alt()))
                            },
                        )
                    },
                );
                // Parts that could not be made are made again by the EPUB, which reports why.
                *ebook_parts = parts.and_then(Result::ok);
                let cover = match image {
                    Some((Ok((jpeg, width, height)), alt)) => Some(CoverImage {
                        jpeg,
                        width,
                        height,
                        alt: alt.to_string(),
                    }),
                    Some((Err(e), _)) => {
                        diagnostics.push(cover::failed(
                            doc,
                            format!("the cover could not be made an image: {e}"),
                        ));
                        return None;
                    }
                    None => None,
                };
                Some((edition, cover))
            })
            .clone()
    };
    for &format in formats {
        let target = out_dir.join(format!("{}.{}", m.slug, format.extension()));
        let mut work = None;
        let (bytes, pages, note) = match format {
            Format::Epub => {
                let Some((edition, cover)) =
                    screen_inputs(&mut print, raster, &mut ebook_parts, diagnostics)
                else {
                    continue;
                };
                let options = EpubOptions {
                    print: edition,
                    cover,
                };
                (
                    epub::write(doc, style, &options, ebook_parts.take()),
                    None,
                    None,
                )
            }
            Format::Html => {
                let Some((edition, cover)) =
                    screen_inputs(&mut print, raster, &mut ebook_parts, diagnostics)
                else {
                    continue;
                };
                let options = html::SiteOptions {
                    print: edition,
                    cover,
                    downloads: html::downloads(&m.slug, formats),
                };
                let site = out_dir.join(&m.slug);
                match html::write(doc, style, &options) {
                    Ok((files, card)) => {
                        made.card = Some(card);
                        for (path, bytes) in files {
                            pending.push((
                                Output {
                                    path: site.join(path),
                                    format,
                                    bytes: bytes.len() as u64,
                                    pages: None,
                                    note: None,
                                    work: None,
                                },
                                bytes,
                            ));
                        }
                    }
                    Err(e) => diagnostics
                        .push(Diagnostic::error("write-failed", e).at(Location::file(&site))),
                }
                continue;
            }
            Format::Pdf => match print.pdf(doc, style, covers, diagnostics) {
                Some(pdf) => {
                    work = pdf.work.clone();
                    (Ok(pdf.bytes.clone()), Some(pdf.pages), pdf.fit.clone())
                }
                None => continue,
            },
            Format::Booklet => {
                let Some(PrintedPdf {
                    bytes,
                    right_to_left,
                    ..
                }) = print.pdf(doc, style, covers, diagnostics)
                else {
                    continue;
                };
                let options = impose::ImposeOptions {
                    signature: booklet.signature,
                    right_to_left: *right_to_left,
                    creep_mm: doc.meta.print.creep_mm.unwrap_or(0.0),
                    marks: booklet.marks,
                    back_cover: doc.meta.back_cover.is_some(),
                    bleed_mm: doc.meta.print.bleed_mm.unwrap_or(0.0),
                    title: doc.meta.title.clone(),
                    lang: doc.meta.lang.clone(),
                    modified: doc.meta.modified,
                };
                match impose::impose(bytes, &options) {
                    Ok((bytes, plan)) => {
                        let blanks = match (plan.blanks, plan.first_blank) {
                            (0, _) | (_, None) => "no blanks added".to_string(),
                            (1, Some(at)) => format!("1 blank page added as page {at}"),
                            (n, Some(at)) => {
                                format!("{n} blank pages added as pages {at}–{}", at + n - 1)
                            }
                        };
                        let note = format!(
                            "{} sheets from {} reading pages, {blanks}",
                            plan.sheets.len(),
                            plan.pages
                        );
                        (Ok(bytes), Some(plan.sheets.len() * 2), Some(note))
                    }
                    Err(e) => (Err(e), None, None),
                }
            }
            Format::Cover => {
                let Some(&PrintedPdf {
                    block,
                    right_to_left,
                    ..
                }) = print.pdf(doc, style, covers, diagnostics)
                else {
                    continue;
                };
                let Some((bytes, note)) = cover_spread(
                    doc,
                    style,
                    covers.both(),
                    (block, right_to_left),
                    diagnostics,
                ) else {
                    continue;
                };
                (Ok(bytes), Some(1), Some(note))
            }
        };
        match bytes {
            Ok(bytes) => pending.push((
                Output {
                    path: target,
                    format,
                    bytes: bytes.len() as u64,
                    pages,
                    note,
                    work,
                },
                bytes,
            )),
            Err(e) => {
                diagnostics.push(Diagnostic::error("write-failed", e).at(Location::file(&target)))
            }
        }
    }
    pending
}

/// What a manuscript's build makes besides its outputs, kept once they are written.
#[derive(Default)]
struct Made {
    /// A cover raster drawn now, for the output folder's cover cache.
    raster: Option<(PathBuf, Vec<u8>)>,
    /// What the catalogue says of the site.
    card: Option<html::Card>,
}

/// The cover's raster, from `cached` when that holds it for the same drawing, photograph,
/// logo, faces and roneo; else drawn, and put in `fresh` to be cached once the build
/// succeeds. Cached as the key's line, then the JPEG.
fn cover_jpeg(
    cover: &Cover,
    cached: &Path,
    fresh: &mut Option<(PathBuf, Vec<u8>)>,
) -> Result<(Vec<u8>, u32, u32), String> {
    let mut inputs = Vec::new();
    cover.raster_inputs(|data| {
        inputs.push(cache::hash_bytes(data));
    });
    let key = cache::build_identity(&format!("cover {}", inputs.join(" ")));
    let (width, height) = cover.raster_size();
    if let Ok(data) = std::fs::read(cached) {
        if let Some(jpeg) = data
            .strip_prefix(key.as_bytes())
            .and_then(|rest| rest.strip_prefix(b"\n"))
        {
            return Ok((jpeg.to_vec(), width, height));
        }
    }
    let (jpeg, width, height) = cover.jpeg()?;
    let mut entry = format!("{key}\n").into_bytes();
    entry.extend_from_slice(&jpeg);
    *fresh = Some((cached.to_path_buf(), entry));
    Ok((jpeg, width, height))
}

/// The print edition of one manuscript, typeset at most once and shared by the PDF, the
/// booklet and the EPUB's page-list.
#[derive(Default)]
struct PrintOutputs {
    /// The layout, or the errors that stopped it (kept: every print format reports them).
    layout: Option<Result<Layout, Diagnostics>>,
    pdf: Option<Option<PrintedPdf>>,
}

/// The reading PDF, with its page count and what copyfitting changed to reach it.
struct PrintedPdf {
    bytes: Vec<u8>,
    pages: usize,
    /// Pages of the book block: all but the covers.
    block: usize,
    fit: Option<String>,
    work: Option<String>,
    /// The layout was bound on the right (a right-to-left book).
    right_to_left: bool,
}

/// The cover spread of a bound book whose block has `block` pages (bound on the right when
/// `right_to_left`), and the summary's note.
fn cover_spread(
    doc: &Document,
    style: &Style,
    (cover, back_cover): (Option<&Cover>, Option<&Cover>),
    (block, right_to_left): (usize, bool),
    diagnostics: &mut Diagnostics,
) -> Option<(Vec<u8>, String)> {
    let leaves = block.div_ceil(2);
    let thickness = leaves as f32 * style.paper_thickness;
    let spine = cover::draw_spine(doc, &cover_design(style), thickness, diagnostics)?;
    let front = match cover {
        Some(cover) => pdf::spread::Front::Drawn(cover),
        // Without a generated cover there is a cover file.
        None => pdf::spread::Front::File(doc.meta.cover.and_then(|id| doc.assets.get(id))?),
    };
    let spread = pdf::spread::Spread {
        front,
        back: back_cover,
        spine: &spine,
        trim: (style.page.width, style.page.height),
        right_to_left,
    };
    match pdf::spread::write(&spread, &doc.meta) {
        Ok(bytes) => {
            let mm = thickness * 25.4 / 72.0;
            let text = if thickness >= cover::TEXT_SPINE {
                "with"
            } else {
                "without"
            };
            Some((
                bytes,
                format!("spine {mm:.1} mm for {leaves} leaves, {text} spine text"),
            ))
        }
        Err(d) => {
            diagnostics.push(d);
            None
        }
    }
}

impl PrintOutputs {
    /// Typesets once. Warnings are reported the first time; the errors that stop the layout are
    /// kept, for each print format to report in its own terms.
    fn layout(
        &mut self,
        doc: &Document,
        style: &Style,
        diagnostics: &mut Diagnostics,
    ) -> Result<&Layout, &Diagnostics> {
        self.layout
            .get_or_insert_with(|| match typeset::typeset(doc, style) {
                Ok((layout, warnings)) => {
                    diagnostics.extend(warnings);
                    Ok(layout)
                }
                Err(found) => {
                    let mut errors = Diagnostics::default();
                    for d in found.into_vec() {
                        if d.is_error() {
                            errors.push(d);
                        } else {
                            diagnostics.push(d);
                        }
                    }
                    Err(errors)
                }
            })
            .as_ref()
    }

    fn pdf(
        &mut self,
        doc: &Document,
        style: &Style,
        covers: &Covers,
        diagnostics: &mut Diagnostics,
    ) -> Option<&PrintedPdf> {
        if self.pdf.is_none() {
            // The covers are drawn while the pages are typeset.
            let ((cover, back_cover), stopped) = rayon::join(
                || covers.both(),
                || self.layout(doc, style, diagnostics).err().cloned(),
            );
            if let Some(errors) = stopped {
                diagnostics.extend(errors);
            }
            // The PDF is the layout's last user (formats are made in the order EPUB, PDF,
            // booklet), so it takes the layout and frees it page by page: the booklet is
            // imposed without the layout in memory.
            let written = match self.layout.take() {
                Some(Ok(layout)) => {
                    let pages = layout.pages.len();
                    let block = pages - layout.covers;
                    let fit = layout.fit.as_ref().and_then(typeset::Fit::summary);
                    let work = layout.fit.as_ref().map(typeset::Fit::work);
                    let right_to_left = layout.right_to_left;
                    match pdf::write(layout, cover, back_cover) {
                        Ok(bytes) => Some(PrintedPdf {
                            bytes,
                            pages,
                            block,
                            fit,
                            work,
                            right_to_left,
                        }),
                        Err(d) => {
                            diagnostics.push(d);
                            None
                        }
                    }
                }
                failed => {
                    self.layout = failed;
                    None
                }
            };
            self.pdf = Some(written);
        }
        self.pdf.as_ref().and_then(Option::as_ref)
    }

    /// Where the print pages begin, for the EPUB. The ebook does not need print, so when the
    /// print edition cannot be typeset its errors become warnings and the EPUB has no page-list.
    fn edition(
        &mut self,
        doc: &Document,
        style: &Style,
        diagnostics: &mut Diagnostics,
    ) -> Option<PrintEdition> {
        let layout = match self.layout(doc, style, diagnostics) {
            Ok(layout) => layout,
            Err(errors) => {
                for d in errors.iter() {
                    diagnostics.push(Diagnostic {
                        severity: crate::diagnostic::Severity::Warning,
                        message: format!(
                            "{} (the EPUB is built without print page numbers)",
                            d.message
                        ),
                        ..d.clone()
                    });
                }
                return None;
            }
        };
        let breaks = layout
            .pages
            .iter()
            .filter_map(|page| {
                let start = page.start?;
                Some(PageBreak {
                    label: page.label.clone(),
                    chapter: start.chapter,
                    block: start.block,
                    offset: start.offset,
                })
            })
            .collect();
        Some(PrintEdition {
            source: edition_source(doc, style, layout.pages.len()),
            breaks,
        })
    }
}

/// How the EPUB names the print edition its page numbers come from.
fn edition_source(doc: &Document, style: &Style, pages: impl std::fmt::Display) -> String {
    let size = style.page.name.to_uppercase();
    format!("{}, print edition ({size}, {pages} pages)", doc.meta.title)
}
