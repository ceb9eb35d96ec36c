//! Diagnostics that read like compiler output: `file:line:col: error[code]: message`.
//!
//! Every stage reports problems here instead of failing on the first one, so that `roneo check`
//! can list everything wrong with a manuscript in one run.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A place in a source file; line and column are 1-based, 0 when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    /// A location naming only the file.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location {
            file: file.into(),
            line: 0,
            column: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, documented identifier, e.g. `missing-image`.
    pub code: &'static str,
    pub location: Option<Location>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            location: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            code,
            location: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An operating system's error as a sentence that says what to do, for a person (not the
/// system's own wording, such as `File name too long (os error 36)`).
pub fn os_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "it does not exist; check the path".into(),
        K::PermissionDenied => "permission denied; check the file's and its folder's permissions".into(),
        K::InvalidFilename => "the name is too long or not allowed by the file system; choose a shorter name (a shorter `slug:` or output folder)".into(),
        K::StorageFull | K::QuotaExceeded => "the disk is full; free some space and build again".into(),
        K::ReadOnlyFilesystem => "the file system is read-only; choose another output folder with `--out`".into(),
        K::NotADirectory => "a part of the path is a file, not a folder; remove or rename it".into(),
        K::IsADirectory => "it is a folder, not a file".into(),
        K::AlreadyExists | K::DirectoryNotEmpty => "something is already there; remove or rename it".into(),
        K::Interrupted | K::TimedOut | K::WouldBlock | K::ResourceBusy => "the system was busy; try again".into(),
        _ => match e.raw_os_error() {
            // EILSEQ and friends: a name the file system cannot store.
            Some(84) => "the name has characters the file system cannot store; rename it".into(),
            _ => format!("the system reports: {}", e.kind()),
        },
    }
}

/// Paths are shown relative to the working directory when they lie below it, as compilers do.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let shown = shown.strip_prefix(".").unwrap_or(shown);
    shown.display().to_string()
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{}", display_path(&loc.file))?;
            if loc.line > 0 {
                write!(f, ":{}", loc.line)?;
                if loc.column > 0 {
                    write!(f, ":{}", loc.column)?;
                }
            }
            write!(f, ": ")?;
        }
        write!(
            f,
            "{}[{}]: {}",
            self.severity.as_str(),
            self.code,
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// The diagnostics collected while processing one manuscript.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.items.len() - self.errors()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

/// Maps byte offsets in a text to 1-based line and column (columns count characters).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line as u32 + 1, column as u32)
    }
}
