//! Honest bookkeeping: the cache never serves a stale book, a manuscript's outputs are written
//! all or none, the outputs of a manuscript that is gone are removed, formats and paths are
//! sets.

mod common;

use common::*;
use std::path::Path;
use std::process::Output;

const HEAD: &str = "---\ntitle: T\nlang: en\n---\n";

fn md(body: &str) -> Vec<u8> {
    format!("{HEAD}{body}").into_bytes()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Builds and asserts success; returns standard output.
fn build(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    let o = roneo(dir, &all);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn up_to_date(out: &str) -> bool {
    out.contains("up to date") && !out.contains("wrote ")
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

#[test]
fn a_cover_that_appears_makes_the_manuscript_stale() {
    let p = project(&[("manuscripts/a.md", &md("Text.\n"))]);
    build(p.path(), &["--format", "epub"]);
    assert!(up_to_date(&build(p.path(), &["--format", "epub"])));
    let opf = || zip_entry(&p.path().join("dist/a.epub"), "EPUB/package.opf");
    // Without a cover file the cover is generated.
    assert!(
        opf().contains(
            "href=\"images/cover.jpg\" media-type=\"image/jpeg\" properties=\"cover-image\""
        ),
        "{}",
        opf()
    );

    std::fs::create_dir_all(p.path().join("covers")).unwrap();
    std::fs::write(p.path().join("covers/a.png"), png()).unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!up_to_date(&out), "a new cover rebuilds: {out}");
    assert!(
        opf().contains("href=\"images/a.png\" media-type=\"image/png\" properties=\"cover-image\""),
        "{}",
        opf()
    );

    // covers/a.jpg is looked for before covers/a.png: its appearance changes the cover.
    let before = read(p.path().join("dist/a.epub"));
    std::fs::copy(
        repo().join("tests/corpus/hard-cases/img/photo.jpg"),
        p.path().join("covers/a.jpg"),
    )
    .unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!up_to_date(&out), "{out}");
    assert_ne!(read(p.path().join("dist/a.epub")), before);
    assert!(opf().contains("media-type=\"image/jpeg\" properties=\"cover-image\""));
}

#[test]
fn a_project_file_that_appears_makes_every_manuscript_stale() {
    let p = project(&[
        ("manuscripts/a.md", &md("Text.\n")),
        ("manuscripts/b.md", &md("More text.\n")),
    ]);
    build(p.path(), &["--format", "epub"]);
    std::fs::write(
        p.path().join("roneo.toml"),
        "publisher = \"Ediciones Sur\"\n",
    )
    .unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!out.contains("up to date"), "{out}");
    for slug in ["a", "b"] {
        let opf = zip_entry(
            &p.path().join(format!("dist/{slug}.epub")),
            "EPUB/package.opf",
        );
        assert!(
            opf.contains("<dc:publisher>Ediciones Sur</dc:publisher>"),
            "{opf}"
        );
    }
    assert!(up_to_date(&build(p.path(), &["--format", "epub"])));
    // And one that disappears.
    std::fs::remove_file(p.path().join("roneo.toml")).unwrap();
    build(p.path(), &["--format", "epub"]);
    let opf = zip_entry(&p.path().join("dist/a.epub"), "EPUB/package.opf");
    assert!(!opf.contains("Ediciones Sur"));
}

/// Fonts and themes change what a book looks like: a file added to, changed in or removed
/// from `fonts/` or `themes/` rebuilds.
#[test]
fn fonts_and_themes_folders_are_dependencies() {
    let p = project(&[("manuscripts/a.md", &md("Text.\n"))]);
    build(p.path(), &["--format", "epub"]);
    let cases: [(&str, &[u8]); 4] = [
        ("fonts/Body-Regular.ttf", b"not really a font"),
        ("fonts/Body-Regular.ttf", b"another font"),
        ("themes/plain.css", b"p { margin: 0 }"),
        ("themes/plain/extra.css", b"h1 { color: black }"),
    ];
    for (file, data) in cases {
        let path = p.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        let out = build(p.path(), &["--format", "epub"]);
        assert!(!up_to_date(&out), "{file} rebuilds: {out}");
        assert!(
            up_to_date(&build(p.path(), &["--format", "epub"])),
            "{file}"
        );
    }
    std::fs::remove_file(p.path().join("fonts/Body-Regular.ttf")).unwrap();
    assert!(!up_to_date(&build(p.path(), &["--format", "epub"])));
}

#[test]
fn a_chapter_added_to_a_folder_manuscript_makes_it_stale() {
    let p = project(&[
        ("manuscripts/book/index.md", HEAD.as_bytes()),
        ("manuscripts/book/01-one.md", b"# One\n\nFirst.\n"),
    ]);
    build(p.path(), &["--format", "epub"]);
    std::fs::write(
        p.path().join("manuscripts/book/02-two.md"),
        "# Two\n\nSecond.\n",
    )
    .unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!up_to_date(&out), "{out}");
    assert!(zip_entry(&p.path().join("dist/book.epub"), "EPUB/ch02.xhtml").contains("Second."));
}

/// An image named by the manuscript that was missing is an error; once it is there the build
/// succeeds, and an image that is replaced rebuilds.
#[test]
fn an_image_that_changes_makes_the_manuscript_stale() {
    let p = project(&[
        ("manuscripts/a.md", &md("![A square](img/sq.png)\n")),
        ("manuscripts/img/sq.png", &png()),
    ]);
    build(p.path(), &["--format", "epub"]);
    std::fs::copy(
        repo().join("tests/corpus/hard-cases/img/photo.jpg"),
        p.path().join("manuscripts/img/sq.png"),
    )
    .unwrap();
    assert!(!up_to_date(&build(p.path(), &["--format", "epub"])));
}

#[test]
fn a_manuscript_whose_outputs_cannot_all_be_written_changes_none_of_them() {
    let p = project(&[("manuscripts/a.md", &md("First version.\n"))]);
    build(p.path(), &[]);
    let dist = p.path().join("dist");
    let epub = read(dist.join("a.epub"));
    let booklet = read(dist.join("a.booklet.pdf"));
    std::fs::remove_file(dist.join("a.pdf")).unwrap();
    std::fs::create_dir(dist.join("a.pdf")).unwrap();
    std::fs::write(p.path().join("manuscripts/a.md"), md("Second version.\n")).unwrap();

    let o = roneo(p.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[write-failed]"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("wrote"), "{}", stdout(&o));
    assert_eq!(
        read(dist.join("a.epub")),
        epub,
        "the EPUB is the last good one"
    );
    assert_eq!(read(dist.join("a.booklet.pdf")), booklet);
    let left: Vec<_> = std::fs::read_dir(&dist)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") || n.ends_with(".old"))
        .collect();
    assert!(left.is_empty(), "no temporary files left: {left:?}");

    // Once the folder is out of the way, the next build writes all three.
    std::fs::remove_dir(dist.join("a.pdf")).unwrap();
    let out = build(p.path(), &[]);
    assert_eq!(out.matches("wrote ").count(), 3, "{out}");
    assert_ne!(read(dist.join("a.epub")), epub);
}

#[test]
fn the_outputs_of_a_removed_manuscript_are_removed_and_nothing_else() {
    let p = project(&[
        ("manuscripts/a.md", &md("Kept.\n")),
        ("manuscripts/b.md", &md("Withdrawn.\n")),
    ]);
    build(p.path(), &[]);
    let dist = p.path().join("dist");
    std::fs::write(dist.join("notes.txt"), "the press's own file").unwrap();
    std::fs::write(dist.join("c.epub"), "an EPUB roneo did not write").unwrap();
    for f in ["b.epub", "b.pdf", "b.booklet.pdf"] {
        assert!(dist.join(f).is_file());
    }
    // Building one manuscript alone removes nothing: the other still exists.
    build(p.path(), &["manuscripts/a.md", "--format", "epub"]);
    assert!(dist.join("b.epub").is_file());

    std::fs::remove_file(p.path().join("manuscripts/b.md")).unwrap();
    let out = build(p.path(), &[]);
    for f in ["b.epub", "b.pdf", "b.booklet.pdf"] {
        assert!(!dist.join(f).exists(), "{f} removed");
        assert!(out.contains(&format!("removed dist/{f}")), "{out}");
    }
    for f in ["a.epub", "a.pdf", "a.booklet.pdf", "notes.txt", "c.epub"] {
        assert!(dist.join(f).is_file(), "{f} kept");
    }
    assert_eq!(read(dist.join("c.epub")), b"an EPUB roneo did not write");
}

#[test]
fn an_output_changed_by_hand_is_not_removed_with_its_manuscript() {
    let p = project(&[
        ("manuscripts/a.md", &md("Kept.\n")),
        ("manuscripts/b.md", &md("Withdrawn.\n")),
    ]);
    build(p.path(), &["--format", "epub"]);
    let dist = p.path().join("dist");
    std::fs::write(dist.join("b.epub"), "replaced by hand").unwrap();
    std::fs::remove_file(p.path().join("manuscripts/b.md")).unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!out.contains("removed"), "{out}");
    assert_eq!(read(dist.join("b.epub")), b"replaced by hand");
}

#[test]
fn a_new_slug_removes_the_outputs_of_the_old_one() {
    let p = project(&[("manuscripts/a.md", &md("Text.\n"))]);
    build(p.path(), &[]);
    let dist = p.path().join("dist");
    std::fs::write(
        p.path().join("manuscripts/a.md"),
        "---\ntitle: T\nlang: en\nslug: zeta\n---\nText.\n",
    )
    .unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(dist.join("zeta.epub").is_file());
    for f in ["a.epub", "a.pdf", "a.booklet.pdf"] {
        assert!(!dist.join(f).exists(), "{f} removed: {out}");
        assert!(out.contains(&format!("removed dist/{f}")), "{out}");
    }
}

#[test]
fn a_renamed_manuscript_that_keeps_its_slug_keeps_its_outputs() {
    let p = project(&[(
        "manuscripts/a.md",
        b"---\ntitle: T\nlang: en\nslug: same\n---\nText.\n",
    )]);
    build(p.path(), &["--format", "epub"]);
    std::fs::rename(
        p.path().join("manuscripts/a.md"),
        p.path().join("manuscripts/b.md"),
    )
    .unwrap();
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!out.contains("removed"), "{out}");
    assert!(p.path().join("dist/same.epub").is_file());
}

#[test]
fn formats_are_a_set() {
    let p = project(&[("manuscripts/a.md", &md("Text.\n"))]);
    let out = build(p.path(), &["--format", "epub", "--format", "epub"]);
    assert_eq!(out.matches("wrote ").count(), 1, "{out}");
    let out = build(p.path(), &["--format", "pdf", "--format", "epub"]);
    assert_eq!(out.matches("wrote ").count(), 2, "{out}");
    assert!(
        up_to_date(&build(p.path(), &["--format", "epub", "--format", "pdf"])),
        "order does not matter"
    );
    // Fewer formats than last time: what was built is current.
    assert!(up_to_date(&build(p.path(), &["--format", "epub"])));
    // A booklet's options are part of its key.
    build(p.path(), &["--format", "booklet"]);
    assert!(up_to_date(&build(p.path(), &["--format", "booklet"])));
    let out = build(p.path(), &["--format", "booklet", "--signature", "8"]);
    assert!(!up_to_date(&out), "{out}");
}

#[test]
fn an_edit_rebuilds_even_the_formats_not_asked_for_last_time() {
    let p = project(&[("manuscripts/a.md", &md("First.\n"))]);
    build(p.path(), &[]);
    std::fs::write(p.path().join("manuscripts/a.md"), md("Second.\n")).unwrap();
    build(p.path(), &["--format", "epub"]);
    // The PDF was made from the first version: it is not current.
    let out = build(p.path(), &["--format", "pdf"]);
    assert!(!up_to_date(&out), "{out}");
}

#[test]
fn paths_are_a_set() {
    let p = project(&[
        ("manuscripts/a.md", &md("Text.\n")),
        ("manuscripts/b/index.md", &md("Text.\n")),
    ]);
    let out = build(
        p.path(),
        &[
            ".",
            "manuscripts/a.md",
            "./manuscripts/b",
            "manuscripts/b/",
            "--format",
            "epub",
        ],
    );
    assert_eq!(out.matches("wrote ").count(), 2, "{out}");
}

#[test]
fn force_records_what_it_built_and_prunes() {
    let p = project(&[
        ("manuscripts/a.md", &md("Kept.\n")),
        ("manuscripts/b.md", &md("Withdrawn.\n")),
    ]);
    build(p.path(), &["--format", "epub"]);
    std::fs::remove_file(p.path().join("manuscripts/b.md")).unwrap();
    // --force rebuilds everything, and still keeps the books honest: b's EPUB goes.
    let out = build(p.path(), &["--format", "epub", "--force"]);
    assert!(out.contains("wrote dist/a.epub"), "{out}");
    assert!(out.contains("removed dist/b.epub"), "{out}");
    assert!(!p.path().join("dist/b.epub").exists());
    // What --force built is recorded: the next plain build has nothing to do.
    let out = build(p.path(), &["--format", "epub"]);
    assert!(up_to_date(&out), "{out}");
}

fn set_modified(path: &Path, when: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

/// The cache compares size, time and inode before content (issue 21): a touch changes only
/// the time, so nothing is rebuilt; an edit that keeps the old time but not the size is seen.
#[test]
fn a_touched_file_rebuilds_nothing_and_a_resized_one_under_its_old_time_rebuilds() {
    let p = project(&[("manuscripts/a.md", &md("First.\n"))]);
    let a = p.path().join("manuscripts/a.md");
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    set_modified(&a, an_hour_ago);
    build(p.path(), &["--format", "epub"]);
    set_modified(&a, std::time::SystemTime::now());
    let out = build(p.path(), &["--format", "epub"]);
    assert!(up_to_date(&out), "a touch rebuilds nothing: {out}");
    set_modified(&a, an_hour_ago);
    assert!(up_to_date(&build(p.path(), &["--format", "epub"])));

    std::fs::write(&a, md("Second, and longer.\n")).unwrap();
    set_modified(&a, an_hour_ago);
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!up_to_date(&out), "{out}");
    assert!(zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml").contains("Second"));
}

/// An edit that keeps size and time is still seen when the file was modified as recently as
/// it was hashed (git's "racily clean" entries): a clock's tick can hold both edits. The build
/// takes seconds here, so "recently" is a time ahead of the clock, which stays recent.
#[test]
fn an_edit_keeping_size_and_time_of_a_recent_file_rebuilds() {
    let p = project(&[("manuscripts/a.md", &md("First.\n"))]);
    let a = p.path().join("manuscripts/a.md");
    let recent = std::time::SystemTime::now() + std::time::Duration::from_secs(600);
    set_modified(&a, recent);
    build(p.path(), &["--format", "epub"]);
    std::fs::write(&a, md("Frist.\n")).unwrap();
    set_modified(&a, recent);
    let out = build(p.path(), &["--format", "epub"]);
    assert!(!up_to_date(&out), "{out}");
    assert!(zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml").contains("Frist"));
}

#[test]
fn a_no_op_rebuild_leaves_the_cache_file_alone() {
    use std::os::unix::fs::MetadataExt;
    // A photograph, so that the cover is drawn from it (and its raster cached).
    let photo = read(repo().join("manuscripts/chile-1973/images/allende.jpg"));
    let dir = project(&[
        ("manuscripts/a.md", &md("Text.\n")),
        (
            "manuscripts/b/index.md",
            &md("![A photograph.](photo.jpg)\n"),
        ),
        ("manuscripts/b/photo.jpg", &photo),
    ]);
    build(dir.path(), &[]);
    // Past the cache's racy window (3 s), so that the files' stats are learnt and trusted.
    std::thread::sleep(std::time::Duration::from_secs(4));
    build(dir.path(), &[]);
    let cache = dir.path().join("dist/.roneo-cache.json");
    // The file is replaced by a rename when it is written, so its inode says whether it was.
    let before = std::fs::metadata(&cache).unwrap().ino();
    assert!(up_to_date(&build(dir.path(), &[])));
    assert_eq!(std::fs::metadata(&cache).unwrap().ino(), before);
}
