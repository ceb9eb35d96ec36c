//! The project model: chapter order, paths that name a folder manuscript through its
//! `index.md`, what `roneo new` refuses, what a chapter's front matter may set.

mod common;

use common::*;

const HEAD: &str = "---\ntitle: T\nlang: en\n---\n";

#[test]
fn chapters_without_a_list_come_in_natural_order() {
    let p = project(&[
        ("manuscripts/book/index.md", HEAD.as_bytes()),
        ("manuscripts/book/10-c.md", b"# Ten\n\nThird.\n"),
        ("manuscripts/book/2-b.md", b"# Two\n\nSecond.\n"),
        ("manuscripts/book/01-a.md", b"# One\n\nFirst.\n"),
    ]);
    let o = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = p.path().join("dist/book.epub");
    for (n, text) in [(1, "First."), (2, "Second."), (3, "Third.")] {
        let chapter = zip_entry(&epub, &format!("EPUB/ch0{n}.xhtml"));
        assert!(chapter.contains(text), "chapter {n}: {chapter}");
    }
}

#[test]
fn a_folder_manuscripts_index_md_names_the_folder() {
    let p = project(&[
        (
            "manuscripts/book/index.md",
            b"---\ntitle: T\nlang: en\nchapters: [one.md]\n---\n",
        ),
        ("manuscripts/book/one.md", b"# One\n\nThe chapter.\n"),
        ("covers/book.png", &png()),
    ]);
    let o = roneo(
        p.path(),
        &["build", "manuscripts/book/index.md", "--format", "epub"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = p.path().join("dist/book.epub");
    assert!(!p.path().join("dist/index.epub").exists());
    assert!(zip_entry(&epub, "EPUB/ch01.xhtml").contains("The chapter."));
    assert!(zip_entry(&epub, "EPUB/package.opf").contains("properties=\"cover-image\""));
    // From inside the folder too.
    let o = roneo(&p.path().join("manuscripts/book"), &["check", "index.md"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn new_refuses_a_bad_language_and_a_slug_already_taken() {
    let p = project(&[
        ("manuscripts/single.md", format!("{HEAD}Text.\n").as_bytes()),
        (
            "manuscripts/renamed.md",
            b"---\ntitle: T\nlang: en\nslug: chosen\n---\nText.\n",
        ),
    ]);
    let o = roneo(p.path(), &["new", "notes", "--lang", "english"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--lang 'english'"), "{}", stderr(&o));
    assert!(!p.path().join("manuscripts/notes").exists());

    for slug in ["single", "chosen"] {
        let o = roneo(p.path(), &["new", slug]);
        assert_eq!(o.status.code(), Some(2), "{slug}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("already has the slug '{slug}'")),
            "{}",
            stderr(&o)
        );
        assert!(!p.path().join("manuscripts").join(slug).exists());
    }
    let o = roneo(p.path(), &["new", "notes", "--lang", "es-CL"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_chapter_that_sets_a_manuscript_key_is_warned_at_its_line() {
    let p = project(&[
        ("manuscripts/book/index.md", HEAD.as_bytes()),
        (
            "manuscripts/book/01-a.md",
            b"---\nlang: es\ntitle: Uno\n---\n# Uno\n\nTexto.\n",
        ),
    ]);
    let o = roneo(p.path(), &["check"]);
    let err = stderr(&o);
    assert!(
        err.contains(
            "manuscripts/book/01-a.md:3:1: warning[chapter-key]: `title` is ignored in a chapter"
        ),
        "{err}"
    );
    assert_eq!(err.matches("warning[").count(), 1, "{err}");
}

/// The diagnostics `roneo check` prints for a project whose `roneo.toml` is `config`.
fn check_with_config(config: &str) -> (i32, String) {
    let p = project(&[
        ("roneo.toml", config.as_bytes()),
        ("manuscripts/a.md", format!("{HEAD}Text.\n").as_bytes()),
    ]);
    let o = roneo(p.path(), &["check"]);
    (o.status.code().unwrap(), stderr(&o))
}

#[test]
fn the_project_file_is_checked_like_front_matter_each_problem_at_its_line() {
    let (code, err) = check_with_config(
        "publisher = \"Ediciones Sur\"\nfigure-numbers = \"yes\"\n\n[pdf]\npage = \"a5\"\nbleed = \"3MM\"\n",
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("roneo.toml:2:1: error[invalid-config]: `figure-numbers` in roneo.toml must be true or false"),
        "{err}"
    );
    assert!(
        err.contains("roneo.toml:6:1: error[invalid-config]: `[pdf] bleed` in roneo.toml must be a length such as `3mm`"),
        "{err}"
    );

    let (code, err) = check_with_config("out = \"public\"\nlang = \"english\"\n");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("roneo.toml:2:1: error[invalid-lang]: 'english' is not a language tag"),
        "{err}"
    );
    assert!(!err.contains("manuscripts/a.md"), "{err}");

    let (code, err) = check_with_config("pdf = 3\n[extra]\nx = 1\n");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("roneo.toml:1:1: error[invalid-config]: `pdf` in roneo.toml must be a table"),
        "{err}"
    );
    assert!(
        err.contains("roneo.toml:2:1: error[invalid-config]: unknown key `extra` in roneo.toml"),
        "{err}"
    );
    assert!(!err.contains("struct"), "no internal names: {err}");

    let (code, err) = check_with_config("[pdf]\nbleed = \"3mm\"\ncreep = \"0.1mm\"\n");
    assert_eq!(code, 0, "{err}");
}
