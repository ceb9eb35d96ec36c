//! The build cache: a manuscript whose inputs and outputs are unchanged since its last build
//! is skipped without being parsed.
//!
//! Keyed on content, not timestamps: a fresh clone or a `touch` does not rebuild, an edited
//! image does. The inputs of a manuscript (its Markdown files, its images, `roneo.toml`) are
//! only known after a build, so each entry records them for the next run.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

const CACHE_FILE: &str = ".roneo-cache.json";

/// What a cache key covers besides the files: this binary (its version, and a fingerprint of
/// its source, dependencies and fonts) and the formats asked for.
fn build_identity(formats: &str) -> String {
    format!(
        "roneo {} build {} formats {formats}",
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
pub struct Entry {
    identity: String,
    /// Every file the build read, with the hash of its content.
    inputs: Vec<(PathBuf, String)>,
    /// Every file the build wrote, with the hash of its content.
    outputs: Vec<(PathBuf, String)>,
}

/// Content hash of a file, `None` when it cannot be read. For a folder, the hash of its
/// Markdown file names: a chapter added to a manuscript folder must trigger a rebuild.
pub fn hash_file(path: &Path) -> Option<String> {
    if path.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .ok()?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .collect();
        names.sort();
        return Some(hash_bytes(names.join("\n").as_bytes()));
    }
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

    fn key(manuscript: &Path) -> String {
        std::path::absolute(manuscript)
            .unwrap_or_else(|_| manuscript.to_path_buf())
            .display()
            .to_string()
    }

    /// Whether `manuscript` was built for `formats` from exactly the files it would read now,
    /// and its outputs are still as written.
    pub fn is_current(&self, manuscript: &Path, formats: &str) -> bool {
        let Some(entry) = self.entries.get(&Cache::key(manuscript)) else {
            return false;
        };
        entry.identity == build_identity(formats)
            && !entry.outputs.is_empty()
            && entry
                .inputs
                .iter()
                .chain(&entry.outputs)
                .all(|(path, hash)| hash_file(path).as_deref() == Some(hash))
    }

    pub fn record(
        &mut self,
        manuscript: &Path,
        formats: &str,
        inputs: &[PathBuf],
        outputs: &[(PathBuf, String)],
    ) {
        let absolute = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let inputs = inputs
            .iter()
            .filter_map(|p| hash_file(p).map(|h| (absolute(p), h)))
            .collect();
        let outputs = outputs
            .iter()
            .map(|(p, h)| (absolute(p), h.clone()))
            .collect();
        let entry = Entry {
            identity: build_identity(formats),
            inputs,
            outputs,
        };
        self.dirty |= self
            .entries
            .insert(Cache::key(manuscript), entry.clone())
            .as_ref()
            != Some(&entry);
    }

    pub fn forget(&mut self, manuscript: &Path) {
        self.dirty |= self.entries.remove(&Cache::key(manuscript)).is_some();
    }
}
