//! Orchestration: which manuscripts, which formats, where the files go.
//!
//! Each manuscript goes through the pipeline on its own; its diagnostics are collected and its
//! outputs are written atomically, so a failed build leaves the last good files in place.

mod output;

pub use output::write_atomically;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::document::{self, Document};
use crate::epub;
use crate::manuscript::{self, Manuscript};
use crate::{pdf, typeset};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Epub,
    Pdf,
}

impl Format {
    /// Every format quire can write.
    pub const ALL: &'static [Format] = &[Format::Epub, Format::Pdf];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
        }
    }
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Manuscript files or folders, or project roots; empty means the current directory.
    pub paths: Vec<PathBuf>,
    pub out_dir: PathBuf,
    /// Formats to write; empty means all.
    pub formats: Vec<Format>,
}

/// One file written.
#[derive(Debug, Clone)]
pub struct Output {
    pub path: PathBuf,
    pub format: Format,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// What happened to one manuscript.
#[derive(Debug, Clone)]
pub struct ManuscriptReport {
    pub path: PathBuf,
    pub diagnostics: Diagnostics,
    pub outputs: Vec<Output>,
}

/// What a whole run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub manuscripts: Vec<ManuscriptReport>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.manuscripts.iter().any(|m| m.diagnostics.has_errors())
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.manuscripts.iter().flat_map(|m| m.diagnostics.iter())
    }
}

/// The manuscripts named by `paths` (the current directory when empty).
pub fn manuscripts(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let cwd = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &cwd[..] } else { paths };
    let mut all = Vec::new();
    for path in paths {
        for found in manuscript::discover(path)? {
            if !all.contains(&found) {
                all.push(found);
            }
        }
    }
    if all.is_empty() {
        return Err("no manuscripts found (looked for .md files and folders with index.md under manuscripts/)".into());
    }
    Ok(all)
}

/// Loads a manuscript and builds its document tree.
pub fn load(path: &Path) -> (Option<(Manuscript, Document)>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let root = manuscript::project_root(path);
    let Some(m) = manuscript::load(path, &root, &mut diags) else {
        return (None, diags);
    };
    let doc = document::build_document(&m, &mut diags);
    (doc.map(|d| (m, d)), diags)
}

/// `quire check`: loads and validates every manuscript, writing nothing.
pub fn check(paths: &[PathBuf]) -> Result<Report, String> {
    let mut report = Report::default();
    for path in manuscripts(paths)? {
        let (_, diagnostics) = load(&path);
        report.manuscripts.push(ManuscriptReport {
            path,
            diagnostics,
            outputs: Vec::new(),
        });
    }
    Ok(report)
}

/// `quire build`.
pub fn build(options: &BuildOptions) -> Result<Report, String> {
    let formats: Vec<Format> = if options.formats.is_empty() {
        Format::ALL.to_vec()
    } else {
        options.formats.clone()
    };
    let mut report = Report::default();
    for path in manuscripts(&options.paths)? {
        report
            .manuscripts
            .push(build_one(&path, &formats, &options.out_dir));
    }
    Ok(report)
}

fn build_one(path: &Path, formats: &[Format], out_dir: &Path) -> ManuscriptReport {
    let start = Instant::now();
    let (loaded, mut diagnostics) = load(path);
    let mut outputs = Vec::new();
    if let (Some((m, doc)), false) = (loaded, diagnostics.has_errors()) {
        for &format in formats {
            let bytes = match format {
                Format::Epub => epub::write(&doc, &epub::EpubOptions::default()),
                Format::Pdf => match typeset::typeset(&doc) {
                    Ok((layout, warnings)) => {
                        diagnostics.extend(warnings);
                        pdf::write(&layout).map_err(|d| d.message)
                    }
                    Err(errors) => {
                        diagnostics.extend(errors);
                        continue;
                    }
                },
            };
            let target = out_dir.join(format!("{}.{}", m.slug, format.extension()));
            match bytes.and_then(|b| write_atomically(&target, &b).map(|()| b.len() as u64)) {
                Ok(bytes) => outputs.push(Output {
                    path: target,
                    format,
                    bytes,
                    elapsed: start.elapsed(),
                }),
                Err(e) => diagnostics.push(
                    Diagnostic::error("write-failed", e)
                        .at(crate::diagnostic::Location::file(&target)),
                ),
            }
        }
    }
    ManuscriptReport {
        path: path.to_path_buf(),
        diagnostics,
        outputs,
    }
}
