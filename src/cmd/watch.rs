//! `roneo watch`: rebuild what changed, debounced, reporting errors without exiting.
//!
//! Every change triggers an ordinary cached build, so only the manuscripts whose inputs changed
//! are rebuilt; the cache decides, not the watcher.

use super::{Console, EXIT_USAGE};
use crate::build::BuildOptions;
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long the tree must be quiet before a rebuild: editors write files in several steps.
const DEBOUNCE: Duration = Duration::from_millis(200);

pub fn run(options: &BuildOptions, console: &Console) -> u8 {
    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("dist"));
    run_with(options, console, &out_dir, &|| {})
}

/// Builds, then rebuilds on every relevant change outside `out_dir`, calling `rebuilt` after
/// each build (the first too): `serve` tells its pages to reload.
pub fn run_with(
    options: &BuildOptions,
    console: &Console,
    out_dir: &Path,
    rebuilt: &dyn Fn(),
) -> u8 {
    let watched: Vec<PathBuf> = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let (tx, rx) = mpsc::channel();
    let mut watcher =
        match notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event {
                let _ = tx.send(event);
            }
        }) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: cannot watch files: {e}");
                return EXIT_USAGE;
            }
        };
    for path in &watched {
        if let Err(e) = watcher.watch(path, RecursiveMode::Recursive) {
            eprintln!("error: cannot watch {}: {e}", path.display());
            return EXIT_USAGE;
        }
    }
    let out_dir = std::path::absolute(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
    let options = BuildOptions {
        use_cache: true,
        ..options.clone()
    };
    super::build::run(&options, console, None);
    rebuilt();
    println!(
        "watching {} for changes (Ctrl-C to stop)",
        watched
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    loop {
        let Ok(first) = rx.recv() else {
            return super::EXIT_SUCCESS;
        };
        let mut relevant = is_relevant(&first, &out_dir);
        // Collect the burst of events that belongs to one save.
        while let Ok(event) = rx.recv_timeout(DEBOUNCE) {
            relevant |= is_relevant(&event, &out_dir);
        }
        if relevant {
            println!("change detected, rebuilding");
            super::build::run(&options, console, None);
            rebuilt();
        }
    }
}

/// Changes to outputs, temporary files and metadata-only events do not trigger a build.
fn is_relevant(event: &notify::Event, out_dir: &Path) -> bool {
    use notify::EventKind;
    matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) && !matches!(
        event.kind,
        EventKind::Modify(notify::event::ModifyKind::Metadata(_))
    ) && event.paths.iter().any(|p| {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let hidden = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') || n.ends_with('~'));
        !abs.starts_with(out_dir)
            && !hidden
            && !abs
                .components()
                .any(|c| c.as_os_str() == "target" || c.as_os_str() == ".git")
    })
}
