//! `--shard K/N`: one of N stable parts of a catalogue, for N CI machines to build one each.
//!
//! A manuscript's part is a hash of its path within its project, so it is the same on every
//! machine and in every checkout, and adding or removing a manuscript moves no other.

use std::path::Path;
use std::str::FromStr;

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let parsed = s
            .split_once('/')
            .and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if 1 <= index && index <= count => Ok(Shard { index, count }),
            _ => Err(format!(
                "`{s}` is not a shard: write K/N with 1 ≤ K ≤ N, e.g. 2/4 for the second of four parts"
            )),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether the manuscript at `path` in the project at `root` is in this part.
    pub fn holds(&self, path: &Path, root: &Path) -> bool {
        part_of(path, root, self.count) == self.index
    }
}

/// The part (1-based, of `count`) that the manuscript at `path` in the project at `root` is in.
pub fn part_of(path: &Path, root: &Path, count: usize) -> usize {
    let hash = xxhash_rust::xxh3::xxh3_64(project_relative(path, root).as_bytes());
    (hash % count.max(1) as u64) as usize + 1
}

/// The manuscript's path within its project, spelt the same on every system and however the
/// path was given (`./manuscripts/a.md`, an absolute path, `manuscripts/b/index.md`).
fn project_relative(path: &Path, root: &Path) -> String {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let path = canonical(path);
    let path = if path.file_name().is_some_and(|n| n == "index.md") {
        path.parent().map(Path::to_path_buf).unwrap_or(path)
    } else {
        path
    };
    let root = canonical(root);
    let relative = path.strip_prefix(&root).unwrap_or(&path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_is_validated() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!("1/1".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", "-1/4", "", "1/4/2"] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("1 ≤ K ≤ N"), "{bad}: {e}");
        }
    }

    /// The parts of `manuscripts/b` among 1 to 8.
    const PINNED: [usize; 8] = [1, 1, 1, 3, 4, 1, 4, 3];

    #[test]
    fn the_part_is_the_paths_within_the_project_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("manuscripts/b")).unwrap();
        std::fs::write(dir.path().join("manuscripts/b/index.md"), "").unwrap();
        let root = dir.path();
        assert_eq!(
            project_relative(&root.join("manuscripts/b/index.md"), root),
            "manuscripts/b"
        );
        assert_eq!(
            project_relative(&root.join("./manuscripts/b"), root),
            "manuscripts/b"
        );
        // XXH3 is specified, so a path's part is the same on every machine and in every
        // release of roneo (a CI matrix over yesterday's checkout agrees with today's).
        let parts: Vec<usize> = (1..=8)
            .map(|n| part_of(&root.join("manuscripts/b"), root, n))
            .collect();
        assert_eq!(parts, PINNED);
    }
}
