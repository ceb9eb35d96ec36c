//! Two manuscripts must not write the same file: their slugs are compared before anything is
//! built, per output folder.

use crate::diagnostic::{display_path, Diagnostic, Location};
use crate::manuscript::{self, front_matter};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a manuscript's slug comes from: its front matter's `slug:` line, or its name.
struct Origin {
    location: Location,
    /// For the help: "its front matter (…:5)" or "its folder name".
    described: String,
}

fn origin(path: &Path) -> Origin {
    let index_of_folder = path.file_name().is_some_and(|n| n == "index.md");
    let (index, folder) = if path.is_dir() {
        (path.join("index.md"), true)
    } else {
        (path.to_path_buf(), index_of_folder)
    };
    let text = std::fs::read_to_string(&index).unwrap_or_default();
    let slug_line = front_matter::split(&text).and_then(|(yaml, first_line, _)| {
        yaml.lines()
            .position(|line| line.starts_with("slug:"))
            .map(|i| first_line + i as u32)
    });
    match slug_line {
        Some(line) => Origin {
            described: format!("its front matter ({}:{line})", display_path(&index)),
            location: Location::new(index, line, 1),
        },
        None => Origin {
            described: if folder {
                "its folder name"
            } else {
                "its file name"
            }
            .into(),
            location: Location::file(index),
        },
    }
}

/// A `duplicate-slug` error for each manuscript whose slug an earlier one (in `manuscripts`'
/// order) already has in the same output folder.
pub fn collisions<'a>(
    manuscripts: impl IntoIterator<Item = (&'a Path, PathBuf)>,
) -> Vec<Diagnostic> {
    let mut first: BTreeMap<(PathBuf, String), &Path> = BTreeMap::new();
    let mut errors = Vec::new();
    for (path, out_dir) in manuscripts {
        let slug = manuscript::slug_of(path);
        let key = (out_dir.clone(), slug.clone());
        let Some(&earlier) = first.get(&key) else {
            first.insert(key, path);
            continue;
        };
        let (one, other) = (origin(earlier), origin(path));
        errors.push(
            Diagnostic::error(
                "duplicate-slug",
                format!(
                    "{} and {} would both be written as {}: both have the slug `{slug}`",
                    display_path(earlier),
                    display_path(path),
                    display_path(&out_dir.join(format!("{slug}.*"))),
                ),
            )
            .at(other.location)
            .help(format!(
                "the first's slug comes from {}, this one's from {}; give one of them \
                 another `slug:` in its front matter",
                one.described, other.described
            )),
        );
    }
    errors
}
