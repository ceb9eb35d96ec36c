//! The build cache: a manuscript whose dependencies and outputs are unchanged since its last
//! build is skipped without being parsed.
//!
//! Keyed on content, not timestamps: a fresh clone or a `touch` does not rebuild, an edited
//! image does. What a manuscript depends on (its Markdown files, images, `roneo.toml`, and the
//! paths looked for and not found, such as covers) is only known after a build, so each entry
//! records it for the next run. The cache also remembers which files roneo wrote, so that the
//! outputs of a manuscript that is gone can be removed, and nothing else ever is.
//!
//! Reading every input and output on each run would make a no-op rebuild of a catalogue cost
//! as much as reading it all (hundreds of MB of books), so each file's content hash is kept
//! with the size, modification time and inode it was taken at, and read again only when one of
//! those differs, as git's index does. A file modified within the clock's resolution of its
//! hashing could keep all three, so a file modified less than [`RACY`] before it was hashed is
//! not remembered by them: it is hashed again on the next run (git calls these "racily clean").

use crate::manuscript::{Dependencies, Dependency};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

const CACHE_FILE: &str = ".roneo-cache.json";

/// The fingerprint of a path that does not exist.
const ABSENT: &str = "absent";

/// The fingerprint of a folder where a file was looked for.
const FOLDER: &str = "folder";

/// How recent a modification is too recent to trust a file's size and time for its content:
/// more than any file system's timestamp resolution (FAT's is 2 s).
const RACY: Duration = Duration::from_secs(3);

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
    /// The content hash of each file an entry names, with how the file was when it was hashed.
    /// Hashed, not ordered, in memory: thousands of paths compared component by component
    /// were a tenth of a catalogue's no-op run. Written in order, for a stable file.
    #[serde(default, serialize_with = "in_order")]
    files: HashMap<PathBuf, Known>,
    /// What this run found each file to be, looked up once however many manuscripts share it
    /// (`roneo.toml`, `fonts/`): its fingerprint, and its stat when that can be trusted.
    #[serde(skip)]
    seen: Mutex<HashMap<PathBuf, (String, Option<Stat>)>>,
    /// The folders this run looked in, and whether each was missing.
    #[serde(skip)]
    absent: Mutex<HashMap<PathBuf, bool>>,
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
    /// What the catalogue says of its web edition, once it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card: Option<crate::html::Card>,
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

/// A file's content hash and the stat it was taken at.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
struct Known {
    stat: Stat,
    hash: String,
}

/// What the file system says of a file without reading it: size, modification time (seconds
/// and nanoseconds since 1970) and inode (0 where there is none).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
struct Stat(u64, u64, u32, u64);

impl Stat {
    /// The stat of a file, when it is one and its modification time is known.
    fn of(metadata: &std::fs::Metadata) -> Option<(Stat, SystemTime)> {
        let modified = metadata.modified().ok()?;
        let since = modified.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Some((
            Stat(metadata.len(), since.as_secs(), since.subsec_nanos(), inode),
            modified,
        ))
    }
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
}

pub(super) fn hash_bytes(data: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(data))
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

/// A map written in the order of its keys.
fn in_order<S: serde::Serializer>(
    files: &HashMap<PathBuf, Known>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut sorted: Vec<(&PathBuf, &Known)> = files.iter().collect();
    sorted.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    serializer.collect_map(sorted)
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

    /// Writes the cache when anything in it changed, with what this run learnt of the files.
    pub fn save(&mut self, out_dir: &Path) -> Result<(), String> {
        self.learn();
        if !self.dirty {
            return Ok(());
        }
        let data = serde_json::to_vec(self).map_err(|e| e.to_string())?;
        super::write_atomically(&Cache::path(out_dir), &data)
    }

    /// Takes this run's look-ups into the table of known files, which keeps only the files that
    /// an entry still names (directly, or inside a tree it depends on).
    fn learn(&mut self) {
        let seen = std::mem::take(self.seen.get_mut().unwrap_or_else(|e| e.into_inner()));
        let mut files = std::mem::take(&mut self.files);
        let mut changed = false;
        for (path, (hash, stat)) in seen {
            changed |= match stat {
                Some(stat) => {
                    let known = Known { stat, hash };
                    files.insert(path, known.clone()).as_ref() != Some(&known)
                }
                None => files.remove(&path).is_some(),
            };
        }
        let mut named: std::collections::HashSet<&Path> = Default::default();
        let mut trees: Vec<&Path> = Vec::new();
        for entry in self.entries.values() {
            for input in &entry.inputs {
                match input.kind.as_str() {
                    "tree" => trees.push(&input.path),
                    _ => drop(named.insert(&input.path)),
                }
            }
            for output in &entry.outputs {
                named.insert(&output.path);
            }
        }
        trees.sort();
        trees.dedup();
        let before = files.len();
        files.retain(|path, _| {
            named.contains(path.as_path()) || trees.iter().any(|t| path.starts_with(t))
        });
        // A no-op run learns nothing and leaves the cache file alone.
        self.dirty |= changed || files.len() != before;
        self.files = files;
    }

    /// What `path` holds now: its content hash, [`ABSENT`] or [`FOLDER`]. The content is read
    /// only when the file's stat differs from the one its known hash was taken at.
    fn file(&self, path: &Path) -> String {
        let seen = || self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((fingerprint, _)) = seen().get(path) {
            return fingerprint.clone();
        }
        let (fingerprint, stat) = self.look(path);
        seen().insert(path.to_path_buf(), (fingerprint.clone(), stat));
        fingerprint
    }

    /// Whether `dir` was found missing this run: the files looked for in it (a cover for each
    /// manuscript in a `covers/` the project does not have) are not there either.
    fn is_absent_folder(&self, dir: &Path) -> bool {
        self.absent
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(dir)
            .copied()
            .unwrap_or(false)
    }

    /// After a file was not found: whether its folder is there, looked up once a folder.
    fn note_absence(&self, dir: &Path) {
        let mut absent = self.absent.lock().unwrap_or_else(|e| e.into_inner());
        if !absent.contains_key(dir) {
            let missing = !dir.as_os_str().is_empty() && std::fs::metadata(dir).is_err();
            absent.insert(dir.to_path_buf(), missing);
        }
    }

    /// [`Cache::file`] afresh: for a file this run may have written.
    fn file_now(&self, path: &Path) -> String {
        if let Some(dir) = path.parent() {
            self.absent
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(dir);
        }
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(path);
        self.file(path)
    }

    fn look(&self, path: &Path) -> (String, Option<Stat>) {
        // Taken before the stat: a file modified after it has a later time than this.
        let now = SystemTime::now();
        if path.parent().is_some_and(|dir| self.is_absent_folder(dir)) {
            return (ABSENT.to_string(), None);
        }
        let Ok(metadata) = std::fs::metadata(path) else {
            if let Some(dir) = path.parent() {
                self.note_absence(dir);
            }
            return (ABSENT.to_string(), None);
        };
        if metadata.is_dir() {
            return (FOLDER.to_string(), None);
        }
        let stat = Stat::of(&metadata);
        if let (Some((stat, _)), Some(known)) = (stat, self.files.get(path)) {
            if known.stat == stat {
                return (known.hash.clone(), Some(stat));
            }
        }
        let Ok(data) = std::fs::read(path) else {
            return (ABSENT.to_string(), None);
        };
        let trusted = stat
            .filter(|(_, modified)| now.duration_since(*modified).is_ok_and(|age| age >= RACY))
            .map(|(stat, _)| stat);
        (hash_bytes(&data), trusted)
    }

    /// What a dependency is now: a file's content hash, a folder's names, a tree's names and
    /// contents; [`ABSENT`] when there is nothing there.
    fn fingerprint(&self, dependency: &Dependency) -> String {
        match dependency {
            Dependency::File(path) => self.file(path),
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
                // Looked up once: every manuscript of a project depends on its `fonts/`.
                if self.file(dir) == ABSENT {
                    return ABSENT.to_string();
                }
                let mut lines = Vec::new();
                self.tree_lines(dir, Path::new(""), &mut lines);
                lines.sort();
                hash_bytes(lines.join("\n").as_bytes())
            }
        }
    }

    /// One line per entry below `dir`: its path and, for a file, its content hash.
    fn tree_lines(&self, dir: &Path, relative: &Path, lines: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = relative.join(entry.file_name());
            if path.is_dir() {
                lines.push(format!("{}/", name.display()));
                self.tree_lines(&path, &name, lines);
            } else {
                lines.push(format!("{} {}", name.display(), self.file(&path)));
            }
        }
    }

    fn input(&self, dependency: &Dependency) -> Input {
        let (kind, ending) = match dependency {
            Dependency::File(_) => ("file", ""),
            Dependency::Listing { ending, .. } => ("listing", ending.as_str()),
            Dependency::Tree(_) => ("tree", ""),
        };
        let dependency = match dependency {
            Dependency::File(path) => Dependency::File(absolute(path)),
            Dependency::Listing { dir, ending } => Dependency::Listing {
                dir: absolute(dir),
                ending: ending.clone(),
            },
            Dependency::Tree(dir) => Dependency::Tree(absolute(dir)),
        };
        Input {
            kind: kind.to_string(),
            path: dependency.path().to_path_buf(),
            ending: ending.to_string(),
            fingerprint: self.fingerprint(&dependency),
        }
    }

    fn is_unchanged(&self, input: &Input) -> bool {
        input
            .dependency()
            .is_some_and(|d| self.fingerprint(&d) == input.fingerprint)
    }

    /// Removes `path` if it still holds what roneo wrote there (`hash`); whether it did.
    /// The folders it leaves empty (a site's `images/`, the site itself) go with it.
    fn remove_if_ours(&self, path: &Path, hash: &str) -> bool {
        let removed = self.file_now(path) == hash && std::fs::remove_file(path).is_ok();
        if removed {
            // Only an empty folder can be removed; the output folder holds the cache.
            for folder in path.ancestors().skip(1).take(2) {
                if std::fs::remove_dir(folder).is_err() {
                    break;
                }
            }
        }
        removed
    }

    /// The key of a manuscript: its canonical path, so that two spellings of it are one.
    pub fn key(manuscript: &Path) -> String {
        Cache::key_of(manuscript, manuscript.canonicalize().ok().as_deref())
    }

    /// [`Cache::key`] of a manuscript whose canonical path (when it has one) is known.
    pub fn key_of(manuscript: &Path, canonical: Option<&Path>) -> String {
        match canonical {
            Some(path) => path.display().to_string(),
            None => absolute(manuscript).display().to_string(),
        }
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
        // Every output of each identity (the web edition has many files) as written.
        wanted.iter().all(|identity| {
            let mut of = entry
                .outputs
                .iter()
                .filter(|o| o.identity == *identity)
                .peekable();
            of.peek().is_some() && of.all(|o| o.inputs == inputs && self.file(&o.path) == o.hash)
        }) && entry.inputs.iter().all(|i| self.is_unchanged(i))
    }

    /// Records a successful build of `manuscript`: what it depended on and what it wrote
    /// (path, identity). Outputs written earlier for the manuscript keep their record when
    /// `owned` holds them (the files it may write now, in any format: its absolute paths);
    /// the others (its slug changed, a chapter page gone) are removed when they still hold what
    /// roneo wrote. Returns those removed.
    pub fn record(
        &mut self,
        manuscript: &Path,
        dependencies: &Dependencies,
        written: &[(PathBuf, String)],
        owned: &dyn Fn(&Path) -> bool,
        warned: bool,
        card: Option<crate::html::Card>,
    ) -> Vec<PathBuf> {
        let inputs: Vec<Input> = dependencies.iter().map(|d| self.input(d)).collect();
        let digest = digest(&inputs);
        let written: Vec<Written> = written
            .iter()
            .filter_map(|(path, identity)| {
                let path = absolute(path);
                let hash = self.file_now(&path);
                (hash != ABSENT && hash != FOLDER).then(|| Written {
                    path,
                    hash,
                    identity: identity.clone(),
                    inputs: digest.clone(),
                })
            })
            .collect();
        let key = Cache::key(manuscript);
        let earlier = self.entries.remove(&key).unwrap_or_default();
        let mut removed = Vec::new();
        let mut outputs = written;
        for old in earlier.outputs.iter() {
            if outputs.iter().any(|o| o.path == old.path) {
                continue;
            }
            if owned(&old.path) {
                outputs.push(old.clone());
            } else if !self.claimed(&old.path) && self.remove_if_ours(&old.path, &old.hash) {
                removed.push(old.path.clone());
            }
        }
        // A build without the web edition keeps the site, and so its card.
        let card = card.or_else(|| earlier.card.clone());
        let entry = Entry {
            inputs,
            outputs,
            warned,
            card,
        };
        self.dirty |= entry != earlier;
        self.entries.insert(key, entry);
        removed
    }

    /// The cards of the sites built into this folder, in the order of their manuscripts.
    pub fn cards(&self) -> impl Iterator<Item = &crate::html::Card> {
        self.entries.values().filter_map(|e| e.card.as_ref())
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
                if !self.claimed(&o.path) && self.remove_if_ours(&o.path, &o.hash) {
                    removed.push(o.path);
                }
            }
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    fn set_modified(path: &Path, when: SystemTime) {
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    /// A cache that has looked at `path` for a manuscript depending on it.
    fn naming(path: &Path) -> Cache {
        let mut cache = Cache::default();
        let mut dependencies = Dependencies::default();
        dependencies.file(path);
        cache.record(
            &path.with_extension("manuscript"),
            &dependencies,
            &[],
            &|_| false,
            false,
            None,
        );
        cache
    }

    /// A cache as the next run finds it.
    fn saved_and_loaded(mut cache: Cache) -> Cache {
        cache.learn();
        serde_json::from_slice(&serde_json::to_vec(&cache).unwrap()).unwrap()
    }

    #[test]
    fn a_file_whose_stat_is_unchanged_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "first").unwrap();
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        set_modified(&path, an_hour_ago);
        let cache = naming(&path);
        assert_eq!(cache.file(&path), hash_bytes(b"first"));
        let cache = saved_and_loaded(cache);
        assert!(cache.files.contains_key(&path), "{:?}", cache.files);

        // Rewritten in place with the same size and time: taken on trust, as git and make do.
        std::fs::write(&path, "FIRST").unwrap();
        set_modified(&path, an_hour_ago);
        assert_eq!(cache.file(&path), hash_bytes(b"first"), "not read");
        // Another size under the same time is read.
        std::fs::write(&path, "second").unwrap();
        set_modified(&path, an_hour_ago);
        assert_eq!(cache.file_now(&path), hash_bytes(b"second"));
    }

    /// Written in the second it was hashed, a file could change again within the clock's
    /// resolution keeping its size and time: its stat is not trusted, its content is read.
    #[test]
    fn a_file_modified_just_before_it_was_hashed_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "first").unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let cache = naming(&path);
        assert_eq!(cache.file(&path), hash_bytes(b"first"));
        let cache = saved_and_loaded(cache);
        assert!(cache.files.is_empty(), "{:?}", cache.files);
        std::fs::write(&path, "FIRST").unwrap();
        set_modified(&path, modified);
        assert_eq!(cache.file(&path), hash_bytes(b"FIRST"));
    }

    /// Replaced by another file of the same size and time (a rename over it), the file is read.
    #[cfg(unix)]
    #[test]
    fn a_file_replaced_by_another_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jpg");
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        std::fs::write(&path, "first").unwrap();
        set_modified(&path, an_hour_ago);
        let cache = saved_and_loaded(naming(&path));
        let other = dir.path().join("b.jpg");
        std::fs::write(&other, "FIRST").unwrap();
        set_modified(&other, an_hour_ago);
        std::fs::rename(&other, &path).unwrap();
        assert_eq!(cache.file(&path), hash_bytes(b"FIRST"));
    }

    #[test]
    fn known_files_are_forgotten_with_the_entries_that_named_them() {
        let dir = tempfile::tempdir().unwrap();
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        let (md, font, stray) = (
            dir.path().join("a.md"),
            dir.path().join("fonts/x.ttf"),
            dir.path().join("b.md"),
        );
        std::fs::create_dir(dir.path().join("fonts")).unwrap();
        for path in [&md, &font, &stray] {
            std::fs::write(path, "x").unwrap();
            set_modified(path, an_hour_ago);
        }
        let mut cache = Cache::default();
        let mut dependencies = Dependencies::default();
        dependencies.file(&md);
        dependencies.tree(dir.path().join("fonts"));
        cache.record(&md, &dependencies, &[], &|_| false, false, None);
        cache.file(&stray);
        let mut cache = saved_and_loaded(cache);
        let mut known: Vec<&PathBuf> = cache.files.keys().collect();
        known.sort();
        assert_eq!(known, [&md, &font]);
        std::fs::remove_file(&md).unwrap();
        cache.prune_missing();
        cache.learn();
        assert!(cache.files.is_empty() && cache.dirty);
    }
}
