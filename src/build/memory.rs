//! Transparent huge pages, for long books only.
//!
//! mimalloc asks the kernel for 2 MiB pages, and the kernel zeroes each one whole at its first
//! touch. A pamphlet's build touches a few MiB in all, spread over many such pages, so most of
//! that zeroing is for nothing: a third of the seed article's system time (its cold EPUB build
//! 26.6 → 24.6 ms without them). A long book fills them and gains from them (fewer TLB misses:
//! the 160,000-word novel's PDF is about 5 % slower without, in 25 % less memory), so they are
//! kept for a run with that much text.

use std::path::{Path, PathBuf};

/// Text from which huge pages pay (the 40,000-word novel, 250 KB, is as fast without them).
const LONG: u64 = 512 << 10;

/// Turns huge pages off for this process when the manuscripts about to be built are short.
pub fn choose<'a>(manuscripts: impl Iterator<Item = &'a Path>) {
    if !short(manuscripts) {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and touches no memory of ours. It holds
    // for the rest of the process (a `watch` session's later builds too), which costs those
    // no more than a few percent.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Whether `manuscripts` (each a Markdown file, or a folder whose Markdown files, in
/// subfolders too, are a book's chapters) hold less than [`LONG`] of text in all.
fn short<'a>(manuscripts: impl Iterator<Item = &'a Path>) -> bool {
    let mut text = 0u64;
    let mut paths: Vec<PathBuf> = manuscripts.map(Path::to_path_buf).collect();
    while let Some(path) = paths.pop() {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&path) {
                paths.extend(entries.flatten().map(|e| e.path()));
            }
        } else if path.extension().is_some_and(|e| e == "md") {
            text += meta.len();
            if text >= LONG {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pamphlet_is_short_and_a_book_in_chapters_is_long() {
        let dir = tempfile::tempdir().unwrap();
        let pamphlet = dir.path().join("pamphlet.md");
        std::fs::write(&pamphlet, "# A pamphlet\n\nShort.\n").unwrap();
        let book = dir.path().join("book");
        std::fs::create_dir_all(book.join("chapters")).unwrap();
        std::fs::write(book.join("index.md"), "---\ntitle: A book\n---\n").unwrap();
        // The images of a pamphlet are not its text.
        std::fs::write(book.join("photo.jpg"), vec![0u8; 2 * super::LONG as usize]).unwrap();
        assert!(super::short(
            [pamphlet.as_path(), book.as_path()].into_iter()
        ));
        for n in 0..3 {
            let chapter = "word ".repeat(super::LONG as usize / 15);
            std::fs::write(book.join(format!("chapters/{n}.md")), chapter).unwrap();
        }
        assert!(!super::short(
            [pamphlet.as_path(), book.as_path()].into_iter()
        ));
    }
}
