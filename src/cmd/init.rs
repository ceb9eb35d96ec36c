//! `roneo init [DIR]`: a press's manuscript repository, ready to build locally and in CI: the
//! project file with every key it accepts, an example manuscript, `fonts/` and `covers/`, a
//! `.gitignore` for the output and a CI file.
//!
//! It never overwrites: a file that exists is kept and listed. Before writing anything it makes
//! sure every file can be written, and a failure half-way removes what it had written, so a bad
//! target leaves nothing behind.

use super::{EXIT_SUCCESS, EXIT_USAGE};
use crate::diagnostic::display_path;
use crate::manuscript::project::CONFIG_FILE;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Which CI file to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    /// `.github/workflows/build-books.yml`
    Github,
    /// `.gitlab-ci.yml`
    Gitlab,
    None,
}

/// Where the GitHub workflow goes; its own `paths:` filter names this file.
pub const GITHUB_WORKFLOW: &str = ".github/workflows/build-books.yml";
pub const GITLAB_CI: &str = ".gitlab-ci.yml";

/// The example manuscript's folder, under `manuscripts/`.
const EXAMPLE: &str = "first-pamphlet";

/// Manuscripts one CI job builds at most, when `init` chooses the number of parts itself.
const MANUSCRIPTS_PER_PART: usize = 40;

/// The most parts `init` chooses itself: each costs a runner and its setup.
const MOST_PARTS_CHOSEN: usize = 8;

/// `shards`: the GitHub workflow's number of parts (`--shards`); `None`: one part up to
/// [`MANUSCRIPTS_PER_PART`] manuscripts in the project, more above.
pub fn run(dir: &Path, ci: Ci, shards: Option<usize>) -> u8 {
    let example = match example_wanted(dir) {
        Ok(wanted) => wanted,
        Err(message) => {
            eprintln!("error: {message}");
            return EXIT_USAGE;
        }
    };
    if shards.is_some() && ci != Ci::Github {
        eprintln!("error: --shards sets the parts of the GitHub workflow; use it with --ci github");
        return EXIT_USAGE;
    }
    let parts = shards.unwrap_or_else(|| parts_for(manuscripts_in(dir)));
    let files = files(ci, example, parts);
    let (new, kept): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(path, _)| !dir.join(path).exists());
    if let Err(message) = writable(dir, &new) {
        eprintln!("error: {message}");
        return EXIT_USAGE;
    }
    if let Err(message) = write_all(dir, &new) {
        eprintln!("error: {message}");
        return EXIT_USAGE;
    }
    for (path, _) in &new {
        println!("created {}", display_path(&dir.join(path)));
    }
    for (path, _) in &kept {
        println!("kept    {} (it exists)", display_path(&dir.join(path)));
    }
    if !example {
        println!("manuscripts/ already holds manuscripts, so no example was added");
    }
    if ci == Ci::Github && parts > 1 && new.iter().any(|(p, _)| p == Path::new(GITHUB_WORKFLOW)) {
        println!(
            "the workflow builds the catalogue in {parts} parts at once (roneo build --shard K/{parts})"
        );
    }
    if new.is_empty() {
        println!("nothing to do: every file of a roneo project is already there");
    } else {
        let cd = match display_path(dir).as_str() {
            "" | "." => String::new(),
            shown => format!("cd {shown} && "),
        };
        println!("next: {cd}roneo build   (writes the books to dist/)");
    }
    EXIT_SUCCESS
}

/// How many manuscripts the project in `dir` has now.
fn manuscripts_in(dir: &Path) -> usize {
    if !dir.join("manuscripts").is_dir() {
        return 0;
    }
    crate::manuscript::discover(dir).map_or(0, |found| found.len())
}

/// The parts the workflow builds a catalogue of `manuscripts` in, when not told.
fn parts_for(manuscripts: usize) -> usize {
    manuscripts
        .div_ceil(MANUSCRIPTS_PER_PART)
        .clamp(1, MOST_PARTS_CHOSEN)
}

/// The GitHub workflow, building the catalogue in `parts` parts at once: above one, a matrix
/// job per part (`--shard K/N`), each uploading its books, and a job collecting them into the
/// one artifact the release takes.
fn github_workflow(parts: usize) -> String {
    let list: Vec<String> = (1..=parts).map(|k| k.to_string()).collect();
    let fills: [(&str, &str); 8] = if parts > 1 {
        [
            ("@PARTS_NOTE@", PARTS_NOTE),
            ("@MATRIX@", MATRIX),
            ("@SHARD@", " --shard \"$SHARD\""),
            (
                "@EMPTY_PART@",
                "          shopt -s nullglob # a part may hold no manuscript\n",
            ),
            ("@ARTIFACT@", "books-part-${{ matrix.part }}"),
            ("@IF_NO_FILES@", "warn"),
            ("@COLLECT@", COLLECT_JOB),
            ("@RELEASE_NEEDS@", "collect"),
        ]
    } else {
        [
            ("@PARTS_NOTE@", ""),
            (
                "@MATRIX@",
                "    # `roneo init --shards N` writes a matrix building a large catalogue in N parts.\n",
            ),
            ("@SHARD@", ""),
            ("@EMPTY_PART@", ""),
            ("@ARTIFACT@", "books"),
            ("@IF_NO_FILES@", "error"),
            ("@COLLECT@", ""),
            ("@RELEASE_NEEDS@", "books"),
        ]
    };
    fills
        .iter()
        .fold(
            include_str!("init/github-workflow.yml").to_string(),
            |text, (mark, fill)| text.replace(mark, fill),
        )
        .replace("@PARTS@", &parts.to_string())
        .replace("@PART_LIST@", &list.join(", "))
}

/// The sharded workflow's word on its parts, in its opening comment.
const PARTS_NOTE: &str = "#
# The catalogue is built in @PARTS@ parts at once (`roneo build --shard K/@PARTS@`: a manuscript's
# part is fixed by its path), each part's books uploaded as an artifact and collected into one,
# `books`, by the `collect` job. For more or fewer parts, change both counts in the `books` job.
";

/// The matrix of the `books` job, one job per part.
const MATRIX: &str = "    strategy:
      # Every part is built even when another fails: each book's problems are reported.
      fail-fast: false
      matrix:
        part: [@PART_LIST@]
    env:
      SHARD: ${{ matrix.part }}/@PARTS@
";

/// The job that gathers the parts' books into the one artifact `books`.
const COLLECT_JOB: &str = "
  collect:
    name: Collect the books of every part
    needs: books
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - uses: actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c # v8.0.1
        with:
          pattern: books-part-*
          merge-multiple: true
          path: books

      - uses: actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f # v7.0.0
        with:
          name: books
          path: books/
          if-no-files-found: error
";

/// Every file of a new project, as paths relative to its root; the GitHub workflow builds in
/// `parts` parts.
fn files(ci: Ci, example: bool, parts: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let fill = |template: &str| {
        template
            .replace("@ROVERSION@", env!("CARGO_PKG_VERSION"))
            .replace("@RUSTVERSION@", env!("CARGO_PKG_RUST_VERSION"))
            .into_bytes()
    };
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (CONFIG_FILE.into(), PROJECT_FILE.as_bytes().to_vec()),
        (
            ".gitignore".into(),
            b"# roneo's output folder\n/dist/\n".to_vec(),
        ),
        (
            "fonts/README.md".into(),
            include_bytes!("init/fonts-README.md").to_vec(),
        ),
        (
            "covers/README.md".into(),
            include_bytes!("init/covers-README.md").to_vec(),
        ),
    ];
    if example {
        let folder = Path::new("manuscripts").join(EXAMPLE);
        files.push((
            folder.join("index.md"),
            include_bytes!("init/example.md").to_vec(),
        ));
        files.push((folder.join("images/print-run.png"), chart_png()));
    }
    match ci {
        Ci::Github => files.push((GITHUB_WORKFLOW.into(), fill(&github_workflow(parts)))),
        Ci::Gitlab => files.push((GITLAB_CI.into(), fill(include_str!("init/gitlab-ci.yml")))),
        Ci::None => {}
    }
    files
}

/// The project file: every key `roneo.toml` accepts, commented out, with its default.
pub const PROJECT_FILE: &str = include_str!("init/roneo.toml");

/// The example goes into a project with no manuscripts of its own (its own earlier copy aside).
fn example_wanted(dir: &Path) -> Result<bool, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{} is a file, not a folder", dir.display()));
    }
    let Ok(entries) = std::fs::read_dir(dir.join("manuscripts")) else {
        return Ok(true);
    };
    Ok(entries
        .flatten()
        .all(|e| e.file_name() == EXAMPLE || e.file_name().to_string_lossy().starts_with('.')))
}

/// Checks, before anything is written, that every file can be: no folder on its way is a
/// file, and each folder it lands in (or the nearest one that exists) takes a new file.
fn writable(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), String> {
    let mut probed: Vec<PathBuf> = Vec::new();
    for (path, _) in files {
        let target = dir.join(path);
        let mut existing = target.parent().unwrap_or(dir).to_path_buf();
        while !existing.exists() {
            match existing.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => existing = parent.to_path_buf(),
                _ => {
                    existing = PathBuf::from(".");
                    break;
                }
            }
        }
        if !existing.is_dir() {
            return Err(format!(
                "cannot create {}: {} is a file, not a folder",
                target.display(),
                existing.display()
            ));
        }
        if probed.contains(&existing) {
            continue;
        }
        let probe = existing.join(format!(".roneo-init-{}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
            }
            Err(e) => {
                return Err(format!(
                    "cannot create {}: {} does not take new files ({})",
                    target.display(),
                    existing.display(),
                    reason(&e)
                ))
            }
        }
        probed.push(existing);
    }
    Ok(())
}

/// An OS error as a reader wants it, without its number.
fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::ReadOnlyFilesystem => "read-only file system".into(),
        std::io::ErrorKind::StorageFull => "no space left on the device".into(),
        _ => e.to_string(),
    }
}

/// Writes the files, none of which exists; on a failure, removes what it wrote.
fn write_all(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> Result<(), String> {
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut created_files: Vec<PathBuf> = Vec::new();
    let mut result = Ok(());
    'files: for (path, data) in files {
        let target = dir.join(path);
        // The folders to make, outermost first, so each can be removed again.
        let mut missing: Vec<PathBuf> = target
            .ancestors()
            .skip(1)
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        for folder in missing {
            if let Err(e) = std::fs::create_dir(&folder) {
                result = Err(format!(
                    "cannot create {}: {}",
                    folder.display(),
                    reason(&e)
                ));
                break 'files;
            }
            created_dirs.push(folder);
        }
        // `create_new`: a file that appeared since the check is still not overwritten.
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
            .and_then(|mut f| {
                created_files.push(target.clone());
                f.write_all(data)
            });
        if let Err(e) = written {
            result = Err(format!("cannot write {}: {}", target.display(), reason(&e)));
            break;
        }
    }
    if result.is_err() {
        for file in &created_files {
            let _ = std::fs::remove_file(file);
        }
        for folder in created_dirs.iter().rev() {
            let _ = std::fs::remove_dir(folder);
        }
    }
    result
}

/// The example's figure: a bar chart of six print runs (200 to 1,200 copies), drawn here so the
/// example needs no image from elsewhere, and free of any licence (CC0).
fn chart_png() -> Vec<u8> {
    const RUNS: [u32; 6] = [200, 350, 500, 700, 950, 1200];
    let (width, height, margin) = (720u32, 360u32, 30u32);
    let baseline = height - margin;
    let slot = (width - 2 * margin) / RUNS.len() as u32;
    let scale = (baseline - margin) as f32 / 1200.0;
    let image = image::GrayImage::from_fn(width, height, |x, y| {
        let shade =
            if (margin..width - margin).contains(&x) && (baseline..baseline + 3).contains(&y) {
                // The axis.
                40
            } else if (margin..width - margin).contains(&x) && y < baseline {
                let run = ((x - margin) / slot) as usize;
                let within = (x - margin) % slot;
                let top = baseline - (RUNS[run] as f32 * scale) as u32;
                // Bars a little narrower than their slot, darker as the runs grow.
                if within >= slot / 6 && within < slot - slot / 6 && y >= top {
                    (170 - 20 * run as u32) as u8
                } else if (baseline - y) % 60 == 0 {
                    // Faint gridlines every 60 pixels.
                    225
                } else {
                    255
                }
            } else {
                255
            };
        image::Luma([shade])
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG encodes into memory");
    png
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use crate::manuscript::project::ProjectConfig;

    /// The project file with every `# key = value` line switched on.
    fn uncommented() -> String {
        PROJECT_FILE
            .lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if rest.contains(" = ") => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The keys a table of `roneo.toml` accepts, as its parser's error message lists them.
    fn accepted_keys(table: Option<&str>) -> Vec<String> {
        let text = match table {
            Some(table) => format!("[{table}]\nno-such-key = 1\n"),
            None => "no-such-key = 1\n".to_string(),
        };
        let err = toml::from_str::<ProjectConfig>(&text)
            .unwrap_err()
            .to_string();
        let expected = err
            .split("expected")
            .nth(1)
            .unwrap_or_else(|| panic!("no list of keys in: {err}"));
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_project_file_lists_every_key_with_a_default_that_parses() {
        let text = uncommented();
        let config: ProjectConfig = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.out.as_deref(), Some(Path::new("dist")));
        assert_eq!(config.pdf.page.as_deref(), Some("a5"));
        let keys: Vec<String> = text
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_string()))
            .collect();
        for key in accepted_keys(None) {
            if key == "pdf" || key == "style" {
                assert!(text.contains(&format!("[{key}]")));
                continue;
            }
            assert!(keys.contains(&key), "roneo.toml template lacks `{key}`");
        }
        for key in crate::manuscript::STYLE_KEYS {
            assert!(
                keys.iter().any(|k| k == key),
                "roneo.toml template lacks [style] `{key}`"
            );
        }
        for key in accepted_keys(Some("pdf")) {
            assert!(
                keys.contains(&key),
                "roneo.toml template lacks [pdf] `{key}`"
            );
        }
        // As written (all commented out), it is the defaults.
        let tmp = std::env::temp_dir().join(format!("roneo-init-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).unwrap();
        std::fs::write(tmp.join(CONFIG_FILE), PROJECT_FILE).unwrap();
        let mut diags = Diagnostics::default();
        assert_eq!(
            ProjectConfig::load(&tmp, &mut diags),
            ProjectConfig::default()
        );
        assert!(diags.is_empty());
        std::fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn the_chart_is_a_png_with_six_bars() {
        let png = chart_png();
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        let row = image.height() - 40;
        let bars = (1..image.width())
            .filter(|&x| image.get_pixel(x, row)[0] < 200 && image.get_pixel(x - 1, row)[0] == 255)
            .count();
        assert_eq!(bars, 6);
        assert!(png.len() < 20_000, "{} bytes", png.len());
    }
}
