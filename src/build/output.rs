//! Atomic output: write beside the target, then rename over it.

use crate::diagnostic::os_error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `data` to `target` so that readers see either the old file or the new one, never a
/// partial file: a failed build leaves the last good output in place.
pub fn write_atomically(target: &Path, data: &[u8]) -> Result<(), String> {
    commit_together(&[(target.to_path_buf(), data)]).map_err(|(_, e)| e)
}

/// Writes several files as one: each to a temporary file beside its target, then all renamed
/// into place only when every one was written. When any step fails, every target is left as
/// it was (those already renamed are put back) and the failing target is returned with why.
pub fn commit_together(files: &[(PathBuf, &[u8])]) -> Result<(), (PathBuf, String)> {
    let mut temps: Vec<PathBuf> = Vec::new();
    let cleanup = |temps: &[PathBuf]| {
        for t in temps {
            let _ = std::fs::remove_file(t);
        }
    };
    for (target, data) in files {
        if target.is_dir() {
            cleanup(&temps);
            let why = format!(
                "cannot write {}: a folder is in the way; remove or rename it",
                target.display()
            );
            return Err((target.clone(), why));
        }
        match write_temp(target, data) {
            Ok(temp) => temps.push(temp),
            Err(e) => {
                cleanup(&temps);
                return Err((target.clone(), e));
            }
        }
    }
    // Every new file is complete: now swap them in, keeping a link to each old one until all
    // are in (each rename is atomic, so a reader never finds a target missing).
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    for ((target, _), temp) in files.iter().zip(&temps) {
        let mut backup = None;
        let result = (|| {
            if target.exists() {
                let old = sibling(target, "old");
                let _ = std::fs::remove_file(&old);
                std::fs::hard_link(target, &old)
                    .or_else(|_| std::fs::copy(target, &old).map(drop))?;
                backup = Some(old);
            }
            std::fs::rename(temp, target)
        })();
        if let Err(e) = result {
            if let Some(backup) = &backup {
                let _ = std::fs::remove_file(backup);
            }
            for (target, backup) in done.iter().rev() {
                match backup {
                    Some(backup) => {
                        let _ = std::fs::rename(backup, target);
                    }
                    None => {
                        let _ = std::fs::remove_file(target);
                    }
                }
            }
            cleanup(&temps);
            return Err((
                target.clone(),
                format!("cannot write {}: {}", target.display(), os_error(&e)),
            ));
        }
        done.push((target.clone(), backup));
    }
    for (_, backup) in done {
        if let Some(backup) = backup {
            let _ = std::fs::remove_file(backup);
        }
    }
    Ok(())
}

/// A hidden name beside `target`, unique to this process.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    target.with_file_name(format!(".{name}.{}.{what}", std::process::id()))
}

fn write_temp(target: &Path, data: &[u8]) -> Result<PathBuf, String> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create output folder {}: {}", dir.display(), os_error(&e)))?;
    let temp = sibling(target, "tmp");
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(data)?;
        file.sync_all()
    })();
    result.map(|()| temp.clone()).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {}", target.display(), os_error(&e))
    })
}
