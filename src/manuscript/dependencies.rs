//! What a manuscript's build depended on, noted as the stages read: every file read, every
//! path looked for and not found, every folder listed. The build cache fingerprints them (as
//! ninja's depfiles and cargo's fingerprints do), so that a file that appears, disappears or
//! changes makes the manuscript stale.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One thing a build looked at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dependency {
    /// A file read, or looked for and not found (then its appearance matters).
    File(PathBuf),
    /// A folder whose entries were listed: the names ending in `ending` (every name when empty).
    Listing { dir: PathBuf, ending: String },
    /// A folder whose every file counts, at any depth (`fonts/`, `themes/`).
    Tree(PathBuf),
}

impl Dependency {
    pub fn path(&self) -> &Path {
        match self {
            Dependency::File(p) | Dependency::Tree(p) => p,
            Dependency::Listing { dir, .. } => dir,
        }
    }
}

/// The dependencies of one build, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dependencies {
    items: BTreeSet<Dependency>,
}

impl Dependencies {
    pub fn add(&mut self, dependency: Dependency) {
        self.items.insert(dependency);
    }

    /// A file read, or probed and absent.
    pub fn file(&mut self, path: impl Into<PathBuf>) {
        self.add(Dependency::File(path.into()));
    }

    pub fn listing(&mut self, dir: impl Into<PathBuf>, ending: &str) {
        self.add(Dependency::Listing {
            dir: dir.into(),
            ending: ending.to_string(),
        });
    }

    pub fn tree(&mut self, dir: impl Into<PathBuf>) {
        self.add(Dependency::Tree(dir.into()));
    }

    pub fn extend(&mut self, other: &Dependencies) {
        self.items.extend(other.items.iter().cloned());
    }

    pub fn iter(&self) -> impl Iterator<Item = &Dependency> {
        self.items.iter()
    }
}
