//! The build cache: a manuscript whose dependencies and outputs are unchanged since its last
//! build is skipped without being parsed.
//!
//! Keyed on content, not timestamps: a fresh clone or a `touch` does not rebuild, an edited
//! image does. What a manuscript depends on (its Markdown files, images, `roneo.toml`, and the
//! paths looked for and not found, such as covers) is only known after a build, so each entry
//! records it for the next run. The cache also remembers which files roneo wrote, so that the
//! outputs of a manuscript that is gone can be removed, and nothing else ever is.

use crate::manuscript::{Dependencies, Dependency};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

const CACHE_FILE: &str = ".roneo-cache.json";

/// The fingerprint of a path that does not exist.
const ABSENT: &str = "absent";

/// What an output's key covers besides the files: this binary (its version, and a
/// fingerprint of its source, dependencies and fonts), the format and its options.
pub fn build_identity(format_and_options: &str) -> String {
    format!(
        "roneo {} build {} {format_and_options}",
        env!("CARGO_PKG_VERSION"),
        env!("RONEO_BUILD_HASH")
    )
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Cache {
    entries: BTreeMap<String, Entry>,
    /// Whether anything changed since loading (an unchanged cache is not rewritten).
    #[serde(skip)]
    dirty: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Entry {
    /// Every dependency of the last successful build, with its fingerprint then; empty after a
    /// failed build, which makes nothing current.
    inputs: Vec<Input>,
    /// Every file roneo wrote for the manuscript and has not removed.
    outputs: Vec<Written>,
    /// Whether that build had warnings: under `--deny-warnings` it is not current.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    warned: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Input {
    /// `file`, `listing` or `tree` (see [`Dependency`]).
    kind: String,
    path: PathBuf,
    /// For a listing: the ending of the names that count.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    ending: String,
    fingerprint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Written {
    path: PathBuf,
    /// The hash of the content written: a file changed since is not roneo's to remove.
    hash: String,
    /// [`build_identity`] of the format it was written as.
    identity: String,
    /// A digest of the inputs it was built from: current only while they are the entry's.
    inputs: String,
}

impl Input {
    fn dependency(&self) -> Option<Dependency> {
        Some(match self.kind.as_str() {
            "file" => Dependency::File(self.path.clone()),
            "listing" => Dependency::Listing {
                dir: self.path.clone(),
                ending: self.ending.clone(),
            },
            "tree" => Dependency::Tree(self.path.clone()),
            _ => return None,
        })
    }

    fn new(dependency: &Dependency) -> Input {
        let (kind, ending) = match dependency {
            Dependency::File(_) => ("file", ""),
            Dependency::Listing { ending, .. } => ("listing", ending.as_str()),
            Dependency::Tree(_) => ("tree", ""),
        };
        Input {
            kind: kind.to_string(),
            path: absolute(dependency.path()),
            ending: ending.to_string(),
            fingerprint: fingerprint(dependency),
        }
    }

    fn is_unchanged(&self) -> bool {
        self.dependency()
            .is_some_and(|d| fingerprint(&d) == self.fingerprint)
    }
}

/// What a dependency is now: a file's content hash, a folder's names, a tree's names and
/// contents; [`ABSENT`] when there is nothing there.
fn fingerprint(dependency: &Dependency) -> String {
    match dependency {
        Dependency::File(path) if path.is_dir() => "folder".to_string(),
        Dependency::File(path) => hash_file(path).unwrap_or_else(|| ABSENT.to_string()),
        Dependency::Listing { dir, ending } => {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return ABSENT.to_string();
            };
            let mut names: Vec<String> = entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(ending.as_str()))
                .collect();
            names.sort();
            hash_bytes(names.join("\n").as_bytes())
        }
        Dependency::Tree(dir) => {
            if !dir.exists() {
                return ABSENT.to_string();
            }
            let mut lines = Vec::new();
            tree_lines(dir, Path::new(""), &mut lines);
            lines.sort();
            hash_bytes(lines.join("\n").as_bytes())
        }
    }
}

/// One line per entry below `dir`: its path and, for a file, its content hash.
fn tree_lines(dir: &Path, relative: &Path, lines: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = relative.join(entry.file_name());
        if path.is_dir() {
            lines.push(format!("{}/", name.display()));
            tree_lines(&path, &name, lines);
        } else {
            let hash = hash_file(&path).unwrap_or_else(|| ABSENT.to_string());
            lines.push(format!("{} {hash}", name.display()));
        }
    }
}

/// Content hash of a file, `None` when it cannot be read.
pub fn hash_file(path: &Path) -> Option<String> {
    let data = std::fs::read(path).ok()?;
    Some(hash_bytes(&data))
}

pub fn hash_bytes(data: &[u8]) -> String {
    // SipHash with fixed keys: stable for a given roneo binary, which the key includes.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new_with_keys(0x7175_6972_6521, 0x6361_6368_6521);
    h.write(data);
    format!("{:016x}{:08x}", h.finish(), data.len())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A digest of a list of inputs and their fingerprints.
fn digest(inputs: &[Input]) -> String {
    let text: Vec<String> = inputs
        .iter()
        .map(|i| {
            format!(
                "{} {} {} {}",
                i.kind,
                i.path.display(),
                i.ending,
                i.fingerprint
            )
        })
        .collect();
    hash_bytes(text.join("\n").as_bytes())
}

/// Removes `path` if it still holds what roneo wrote there (`hash`); whether it did.
fn remove_if_ours(path: &Path, hash: &str) -> bool {
    hash_file(path).as_deref() == Some(hash) && std::fs::remove_file(path).is_ok()
}

impl Cache {
    pub fn path(out_dir: &Path) -> PathBuf {
        out_dir.join(CACHE_FILE)
    }

    /// Reads the cache of an output folder; a missing or unreadable cache is empty.
    pub fn load(out_dir: &Path) -> Cache {
        std::fs::read(Cache::path(out_dir))
            .ok()
            .and_then(|data| serde_json::from_slice(&data).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, out_dir: &Path) -> Result<(), String> {
        if !self.dirty {
            return Ok(());
        }
        let data = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        super::write_atomically(&Cache::path(out_dir), &data)
    }

    /// The key of a manuscript: its canonical path, so that two spellings of it are one.
    pub fn key(manuscript: &Path) -> String {
        manuscript
            .canonicalize()
            .unwrap_or_else(|_| absolute(manuscript))
            .display()
            .to_string()
    }

    /// Whether `manuscript` has an output of each identity in `wanted`, built from exactly
    /// what it would depend on now and still as written.
    pub fn is_current(&self, manuscript: &Path, wanted: &[String]) -> bool {
        let Some(entry) = self.entries.get(&Cache::key(manuscript)) else {
            return false;
        };
        if entry.inputs.is_empty() {
            return false;
        }
        let inputs = digest(&entry.inputs);
        wanted.iter().all(|identity| {
            entry.outputs.iter().any(|o| {
                o.identity == *identity
                    && o.inputs == inputs
                    && hash_file(&o.path).as_deref() == Some(o.hash.as_str())
            })
        }) && entry.inputs.iter().all(Input::is_unchanged)
    }

    /// Records a successful build of `manuscript`: what it depended on and what it wrote
    /// (path, identity). Outputs written earlier for the manuscript keep their record when
    /// they are among `owned` (the files it may write now, in any format); the others (its
    /// slug changed) are removed when they still hold what roneo wrote. Returns those removed.
    pub fn record(
        &mut self,
        manuscript: &Path,
        dependencies: &Dependencies,
        written: &[(PathBuf, String)],
        owned: &[PathBuf],
        warned: bool,
    ) -> Vec<PathBuf> {
        let inputs: Vec<Input> = dependencies.iter().map(Input::new).collect();
        let digest = digest(&inputs);
        let written: Vec<Written> = written
            .iter()
            .filter_map(|(path, identity)| {
                Some(Written {
                    path: absolute(path),
                    hash: hash_file(path)?,
                    identity: identity.clone(),
                    inputs: digest.clone(),
                })
            })
            .collect();
        let owned: Vec<PathBuf> = owned.iter().map(|p| absolute(p)).collect();
        let key = Cache::key(manuscript);
        let earlier = self.entries.remove(&key).unwrap_or_default();
        let mut removed = Vec::new();
        let mut outputs = written;
        for old in earlier.outputs.iter() {
            if outputs.iter().any(|o| o.path == old.path) {
                continue;
            }
            if owned.contains(&old.path) {
                outputs.push(old.clone());
            } else if !self.claimed(&old.path) && remove_if_ours(&old.path, &old.hash) {
                removed.push(old.path.clone());
            }
        }
        let entry = Entry {
            inputs,
            outputs,
            warned,
        };
        self.dirty |= entry != earlier;
        self.entries.insert(key, entry);
        removed
    }

    /// Whether the last build of `manuscript` had warnings.
    pub fn warned(&self, manuscript: &Path) -> bool {
        self.entries
            .get(&Cache::key(manuscript))
            .is_some_and(|e| e.warned)
    }

    /// A failed build: nothing of the manuscript is current any more, but the files written
    /// earlier stay known (and removable should the manuscript go).
    pub fn failed(&mut self, manuscript: &Path) {
        if let Some(entry) = self.entries.get_mut(&Cache::key(manuscript)) {
            self.dirty |= !entry.inputs.is_empty();
            entry.inputs.clear();
        }
    }

    /// Whether another manuscript's entry holds `path` as its output (e.g. a renamed file
    /// that kept its slug).
    fn claimed(&self, path: &Path) -> bool {
        self.entries
            .values()
            .any(|e| e.outputs.iter().any(|o| o.path == path))
    }

    /// Forgets the manuscripts that no longer exist, removing the outputs roneo wrote for
    /// them that are still as written. Returns those removed.
    pub fn prune_missing(&mut self) -> Vec<PathBuf> {
        let gone: Vec<String> = self
            .entries
            .keys()
            .filter(|k| !Path::new(k).exists())
            .cloned()
            .collect();
        let mut removed = Vec::new();
        for key in gone {
            let entry = self.entries.remove(&key).unwrap_or_default();
            self.dirty = true;
            for o in entry.outputs {
                if !self.claimed(&o.path) && remove_if_ours(&o.path, &o.hash) {
                    removed.push(o.path);
                }
            }
        }
        removed
    }
}
