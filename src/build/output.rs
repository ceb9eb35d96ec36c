//! Atomic output: write beside the target, then rename over it; and one build at a time in
//! an output folder.

use crate::diagnostic::os_error;
use std::fs::File;
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
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create output folder {}: {}",
            dir.display(),
            os_error(&e)
        )
    })?;
    let temp = sibling(target, "tmp");
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(data)?;
        // Test hook (debug builds only): the disk fills up while this target is written.
        #[cfg(debug_assertions)]
        if std::env::var_os("RONEO_TEST_WRITE_FAIL")
            .is_some_and(|name| target.file_name() == Some(name.as_os_str()))
        {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        file.sync_all()
    })();
    result.map(|()| temp.clone()).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("cannot write {}: {}", target.display(), os_error(&e))
    })
}

const LOCK_FILE: &str = ".roneo.lock";

/// A build's hold on an output folder: while it lives, no other `roneo build` writes there or
/// reads its cache. Dropping it removes the lock file (and the folder when it was made only for
/// it and stayed empty).
#[derive(Debug)]
pub struct OutputLock {
    file: File,
    path: PathBuf,
    made_folder: Option<PathBuf>,
}

/// Takes the output folder `dir` for this build, making it if needed; when another build has
/// it, says so on standard error and waits for it. Fails (with what to do) when the folder
/// cannot be made or written.
pub fn lock(dir: &Path) -> Result<OutputLock, String> {
    let cannot = |e: std::io::Error| {
        if dir.exists() && !dir.is_dir() {
            format!(
                "cannot write to the output folder {}: it is a file; remove or rename it, \
                 or choose another folder (`--out`, or `out` in roneo.toml)",
                dir.display()
            )
        } else {
            format!(
                "cannot write to the output folder {}: {}",
                dir.display(),
                os_error(&e)
            )
        }
    };
    let made_folder = (!dir.is_dir()).then(|| dir.to_path_buf());
    std::fs::create_dir_all(dir).map_err(cannot)?;
    let path = dir.join(LOCK_FILE);
    let mut told = false;
    loop {
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(cannot)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                if !told {
                    eprintln!(
                        "waiting for another roneo build to finish with {}…",
                        dir.display()
                    );
                    told = true;
                }
                file.lock().map_err(cannot)?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(cannot(e)),
        }
        // The build that held it may have removed the file as it finished: then the lock
        // taken is on a file no one else will open, and it is taken again on the path's.
        if same_file(&file, &path) {
            return Ok(OutputLock {
                file,
                path,
                made_folder,
            });
        }
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

/// Elsewhere an open file cannot be removed, so the lock file is never removed and stays the
/// same file.
#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still held (the lock goes with `file`, after this).
        if cfg!(unix) {
            let _ = std::fs::remove_file(&self.path);
            if let Some(dir) = &self.made_folder {
                let _ = std::fs::remove_dir(dir);
            }
        }
        let _ = self.file.unlock();
    }
}
