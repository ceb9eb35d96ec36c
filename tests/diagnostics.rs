//! Diagnostics that never mislead (issue 20): a failed build is never cached, each problem is
//! reported at the line and column of what caused it, and the input is read as CommonMark
//! reads it.

mod common;

use common::*;
use std::path::Path;

/// The books a build wrote into `dist/`.
fn books(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("dist"))
        .map(|dir| {
            dir.flatten()
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".epub") || n.ends_with(".pdf"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_build_failed_by_deny_warnings_writes_nothing_and_stays_failed() {
    // No `lang:`: a `missing-lang` warning.
    let p = project(&[("manuscripts/a.md", b"---\ntitle: T\n---\nHello.\n")]);
    for run in ["first", "second"] {
        let out = roneo(p.path(), &["build", "--deny-warnings"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{run} run: {err}");
        assert!(err.contains("warning[missing-lang]"), "{run} run: {err}");
        assert!(
            books(p.path()).is_empty(),
            "{run} run wrote {:?}",
            books(p.path())
        );
    }
    // Built without the flag, the book is cached; with it, the warning still fails the run.
    let out = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = roneo(p.path(), &["build", "--format", "epub", "--deny-warnings"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning[missing-lang]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn cr_only_and_crlf_line_endings_are_lines() {
    for (name, eol) in [("cr", "\r"), ("crlf", "\r\n")] {
        let text = "---\ntitle: T\nlang: en\n---\nHello.\n\n![](nope.png)\n".replace('\n', eol);
        let p = project(&[("manuscripts/a.md", text.as_bytes())]);
        let out = roneo(p.path(), &["build", "--format", "epub"]);
        let err = stderr(&out);
        assert!(!err.contains("missing-title"), "{name}: {err}");
        assert!(
            err.contains("manuscripts/a.md:7:1: error[missing-image]"),
            "{name}: {err}"
        );
        let text = "---\ntitle: T\nlang: en\n---\nHello.\n\nMore.\n".replace('\n', eol);
        let p = project(&[("manuscripts/a.md", text.as_bytes())]);
        let out = roneo(p.path(), &["build", "--format", "epub"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let chapter = zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml");
        assert!(
            chapter.contains("Hello.</p>") && chapter.contains(">More.</p>"),
            "{name}: {chapter}"
        );
    }
}

#[test]
fn footnote_labels_match_as_commonmark_link_labels() {
    let text = "---\ntitle: T\nlang: en\n---\nA[^Note] and B[^STRASSE].\n\n[^note]: One.\n[^straße]: Two.\n";
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &["build", "--format", "epub", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let chapter = zip_entry(&p.path().join("dist/a.epub"), "EPUB/ch01.xhtml");
    assert!(
        chapter.contains("One.") && chapter.contains("Two."),
        "{chapter}"
    );
}

#[test]
fn an_undefined_note_reference_is_an_error_at_its_place() {
    let text = "---\ntitle: T\nlang: en\n---\nHello.\n\nSee this[^zz], not \\[^yy].\n";
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("manuscripts/a.md:7:9: error[undefined-footnote]"),
        "{err}"
    );
    assert!(!err.contains("[^yy]"), "an escaped bracket is text: {err}");
    assert!(books(p.path()).is_empty());
}

/// Builds `text` as `manuscripts/a.md` with `args`; returns the messages, asserting that the
/// build failed and wrote no book.
fn refused(text: &str, args: &[&str]) -> String {
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(p.path(), &[&["build"], args].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{err}");
    assert!(
        books(p.path()).is_empty(),
        "{text}: wrote {:?}",
        books(p.path())
    );
    assert!(
        !err.contains("Validation(") && !err.contains("os error"),
        "{err}"
    );
    err
}

#[test]
fn a_character_no_font_has_in_the_title_is_reported_at_the_title() {
    for args in [&[][..], &["--format", "pdf"]] {
        let err = refused("---\nlang: en\ntitle: Mao 毛\n---\nHello.\n", args);
        assert!(
            err.contains("manuscripts/a.md:3:1: error[missing-glyph]"),
            "{args:?}: {err}"
        );
        assert!(err.contains("in the title"), "{err}");
        assert!(!err.contains("chapter 1"), "{err}");
    }
    let err = refused(
        "---\nlang: en\ntitle: Mao\nsubtitle: 毛\n---\nHello.\n",
        &["--format", "pdf"],
    );
    assert!(
        err.contains("manuscripts/a.md:4:1: error[missing-glyph]"),
        "{err}"
    );
}

#[test]
fn a_long_slug_is_refused_at_its_key_or_the_file_name() {
    let long = "a".repeat(101);
    let err = refused(
        &format!("---\ntitle: T\nlang: en\nslug: {long}\n---\nHello.\n"),
        &[],
    );
    assert!(
        err.contains("manuscripts/a.md:4:1: error[value-too-long]"),
        "{err}"
    );
    assert!(err.contains("at most 100"), "{err}");
    let name = format!("manuscripts/{}.md", "b".repeat(150));
    let p = project(&[(name.as_str(), b"---\ntitle: T\nlang: en\n---\nHello.\n")]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{name}:1:1: error[value-too-long]")),
        "{err}"
    );
    assert!(books(p.path()).is_empty());
    // 100 characters are fine.
    let ok = format!(
        "---\ntitle: T\nlang: en\nslug: {}\n---\nHello.\n",
        "a".repeat(100)
    );
    let p = project(&[("manuscripts/a.md", ok.as_bytes())]);
    assert!(roneo(p.path(), &["build", "--format", "epub"])
        .status
        .success());
}

#[test]
fn an_os_error_says_what_to_do() {
    let out_dir = "c".repeat(300);
    let err = refused(
        "---\ntitle: T\nlang: en\n---\nHello.\n",
        &["--format", "epub", "--out", &out_dir],
    );
    assert!(err.contains("error[write-failed]"), "{err}");
    assert!(err.contains("too long"), "{err}");
}

#[test]
fn print_lengths_out_of_range_are_errors_at_their_key_stating_the_range() {
    for (key, value, range) in [
        ("creep", "1e9mm", "from 0 to 1mm"),
        ("creep", "2mm", "from 0 to 1mm"),
        ("bleed", "900mm", "from 0 to 20mm"),
        ("bleed", "-3mm", "from 0 to 20mm"),
    ] {
        let text = format!("---\ntitle: T\nlang: en\n{key}: {value}\n---\nHello.\n");
        let err = refused(&text, &[]);
        assert!(
            err.contains("manuscripts/a.md:4:1: error[front-matter-type]"),
            "{key}: {err}"
        );
        assert!(err.contains(range) && err.contains(value), "{key}: {err}");
    }
    // roneo.toml's `[pdf]` keys, at their line there.
    let p = project(&[
        (
            "roneo.toml",
            b"lang = \"en\"\n[pdf]\nbleed = \"3mm\"\ncreep = \"5mm\"\n",
        ),
        ("manuscripts/a.md", b"---\ntitle: T\n---\nHello.\n"),
    ]);
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("roneo.toml:4:1: error[invalid-config]"),
        "{err}"
    );
    assert!(err.contains("from 0 to 1mm"), "{err}");
}

#[test]
fn a_choice_key_with_an_unknown_value_lists_the_choices() {
    let err = refused(
        "---\ntitle: T\nlang: en\npdf: { standard: pdf-x }\n---\nHello.\n",
        &[],
    );
    assert!(
        err.contains("manuscripts/a.md:4:1: error[") && err.contains("pdf-a-2b"),
        "{err}"
    );
    let err = refused(
        "---\ntitle: T\nlang: en\npdf: { page: a0 }\n---\nHello.\n",
        &["--format", "pdf"],
    );
    assert!(
        err.contains("manuscripts/a.md:4:1: error[invalid-style]") && err.contains("a5, a6, a4"),
        "{err}"
    );
}

#[test]
fn a_missing_image_is_missing_from_wherever_the_build_runs() {
    let text = "---\ntitle: T\nlang: en\n---\nHello.\n\n![A picture](images/nope.png)\n";
    let p = project(&[("manuscripts/a.md", text.as_bytes())]);
    let runs = [
        (p.path().join("manuscripts"), "a.md", "a.md"),
        (p.path().join("manuscripts"), "./a.md", "a.md"),
        (
            p.path().to_path_buf(),
            "manuscripts/a.md",
            "manuscripts/a.md",
        ),
        (p.path().parent().unwrap().to_path_buf(), "", ""),
    ];
    for (cwd, arg, shown) in runs {
        let arg = if arg.is_empty() {
            p.path().join("manuscripts/a.md").display().to_string()
        } else {
            arg.to_string()
        };
        let out = roneo(&cwd, &["build", "--format", "epub", &arg]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{arg}: {err}");
        assert!(
            err.contains(&format!("{shown}:7:1: error[missing-image]")),
            "{arg}: {err}"
        );
        assert!(!err.contains("asset-outside-project"), "{arg}: {err}");
    }
}

#[test]
fn every_length_and_number_key_out_of_range_is_refused_at_its_line() {
    // (key: value, what the message must say): each a value the layout cannot honour.
    let cases = [
        ("fontsize: 0pt", "between 4pt and 72pt"),
        ("fontsize: 1000pt", "between 4pt and 72pt"),
        ("linestretch: 100", "between 0.5 and 4"),
        ("toc-depth: 9", "from 1 to 6"),
        ("papersize: 10000x10000mm", "from 50 to 1000mm a side"),
        ("papersize: 20x30mm", "from 50 to 1000mm a side"),
        ("margin: -1mm", "a length"),
        ("margin: 300mm", "12 em across and 8 lines"),
        ("margin-top: 200mm", "12 em across and 8 lines"),
        ("margin-bottom: 200mm", "12 em across and 8 lines"),
        ("margin-inner: 140mm", "12 em across and 8 lines"),
        ("margin-outer: 140mm", "12 em across and 8 lines"),
        ("bleed: 21mm", "from 0 to 20mm"),
        ("creep: 1.5mm", "from 0 to 1mm"),
        ("series-position: second", "a number"),
        ("series: { name: S, position: second }", "a number"),
    ];
    for (setting, says) in cases {
        let text = format!("---\ntitle: T\nlang: en\n{setting}\n---\nHello.\n");
        let err = refused(&text, &[]);
        assert!(
            err.contains("manuscripts/a.md:4:1: error["),
            "{setting}: {err}"
        );
        assert!(err.contains(says), "{setting}: {err}");
    }
}

/// `manuscripts/a.md` with a title, a language, `extra` front-matter lines (from line 4) and
/// `body`.
fn md(extra: &str, body: &str) -> Vec<u8> {
    format!("---\ntitle: T\nlang: en\n{extra}---\n{body}").into_bytes()
}

/// One diagnostic code: the files that trigger it, the build's extra arguments, and where it
/// must be reported (`file:line:column: severity[code]`, or `file: severity[code]` for a
/// problem with a file as a whole).
struct Case {
    code: &'static str,
    files: Vec<(String, Vec<u8>)>,
    args: &'static [&'static str],
    at: String,
}

fn case(
    code: &'static str,
    files: &[(&str, Vec<u8>)],
    args: &'static [&'static str],
    at: &str,
) -> Case {
    Case {
        code,
        files: files
            .iter()
            .map(|(p, d)| (p.to_string(), d.clone()))
            .collect(),
        args,
        at: at.to_string(),
    }
}

const A: &str = "manuscripts/a.md";
const DENY: &[&str] = &["--deny-warnings"];

fn every_code() -> Vec<Case> {
    let png = png();
    let garbage = b"not an image at all".to_vec();
    let font =
        std::fs::read(repo().join("tests/fixtures/fonts/LiberationSerif-Regular.ttf")).unwrap();
    let words = "Word ".repeat(40);
    vec![
        case(
            "missing-title",
            &[(A, b"---\nlang: en\n---\nHello.\n".to_vec())],
            &[],
            "manuscripts/a.md:1:1: error",
        ),
        case(
            "missing-lang",
            &[(A, b"---\ntitle: T\n---\nHello.\n".to_vec())],
            DENY,
            "manuscripts/a.md:1:1: warning",
        ),
        case(
            "invalid-lang",
            &[(
                A,
                b"---\ntitle: T\nlang: english language\n---\nHello.\n".to_vec(),
            )],
            &[],
            "manuscripts/a.md:3:1: error",
        ),
        case(
            "unknown-lang",
            &[(A, b"---\ntitle: T\nlang: qx\n---\nHello.\n".to_vec())],
            &[],
            "manuscripts/a.md:3:1: error",
        ),
        case(
            "malformed-front-matter",
            &[(A, b"---\ntitle: T\nlang: en: x\n---\nHello.\n".to_vec())],
            &[],
            "manuscripts/a.md:3:",
        ),
        case(
            "front-matter-type",
            &[(A, md("figure-numbers: 3\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "unknown-key",
            &[(A, md("colour: red\n", "Hello.\n"))],
            DENY,
            "manuscripts/a.md:4:1: warning",
        ),
        case(
            "unknown-attribute",
            &[(A, md("", "Hello.\n\n# Head {lang=fr}\n"))],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "invalid-config",
            &[
                ("roneo.toml", b"lang = \"en\"\nbogus = 1\n".to_vec()),
                (A, md("", "Hello.\n")),
            ],
            &[],
            "roneo.toml:2:1: error",
        ),
        case(
            "invalid-utf8",
            &[(A, [&md("", "Hello.\n\nab")[..], b"\xff\n"].concat())],
            &[],
            "manuscripts/a.md:7:3: error",
        ),
        case(
            "missing-chapter",
            &[(
                "manuscripts/b/index.md",
                md("chapters: [nope.md]\n", "Hello.\n"),
            )],
            &[],
            "manuscripts/b/index.md:4:1: error",
        ),
        case(
            "empty-manuscript",
            &[(A, md("", "\n"))],
            &[],
            "manuscripts/a.md:5:1: error",
        ),
        case(
            "missing-image",
            &[(A, md("", "Hello.\n\n![A](nope.png)\n"))],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "corrupt-image",
            &[
                (A, md("", "Hello.\n\n![A](x.png)\n")),
                ("manuscripts/x.png", garbage.clone()),
            ],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "unsupported-image",
            &[
                (A, md("", "Hello.\n\n![A](x.tiff)\n")),
                ("manuscripts/x.tiff", garbage.clone()),
            ],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "missing-logo",
            &[(A, md("logo: nope.svg\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "invalid-isbn",
            &[(A, md("isbn: 978-0-00-000000-1\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "cover-text-too-long",
            &[(
                A,
                format!("---\ntitle: {words}\nlang: en\n---\nHello.\n").into_bytes(),
            )],
            DENY,
            "manuscripts/a.md:2:1: warning",
        ),
        case(
            "cover-too-small",
            &[
                (A, md("cover-image: c.png\n", "Hello.\n")),
                ("manuscripts/c.png", png.clone()),
            ],
            DENY,
            "manuscripts/a.md:4:1: warning",
        ),
        case(
            "cover-low-resolution",
            &[
                (A, md("cover-image: c.png\n", "Hello.\n")),
                ("manuscripts/c.png", png.clone()),
            ],
            DENY,
            "manuscripts/a.md:4:1: warning",
        ),
        case(
            "asset-outside-project",
            &[(A, md("", "Hello.\n\n![A](../../x.png)\n"))],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "remote-image",
            &[(A, md("", "Hello.\n\n![A](https://example.org/a.png)\n"))],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "missing-alt",
            &[
                (A, md("", "Hello.\n\n![](s.png)\n")),
                ("manuscripts/s.png", png.clone()),
            ],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "broken-link",
            &[(A, md("", "Hello, [there](#nowhere).\n"))],
            &[],
            "manuscripts/a.md:5:8: error",
        ),
        case(
            "unsupported-link",
            &[(A, md("", "Hello, [there](/articles/x).\n"))],
            &[],
            "manuscripts/a.md:5:8: error",
        ),
        case(
            "invalid-url",
            &[(A, md("", "Hello, [there](https://exa%20mple.org/).\n"))],
            &[],
            "manuscripts/a.md:5:8: error",
        ),
        case(
            "invalid-id",
            &[(A, md("", "# Head {#1-a b}\n"))],
            &[],
            "manuscripts/a.md:5:1: error",
        ),
        case(
            "duplicate-id",
            &[(A, md("", "# One {#x}\n\n# Two {#x}\n"))],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "undefined-footnote",
            &[(A, md("", "Hello.[^zz]\n"))],
            &[],
            "manuscripts/a.md:5:7: error",
        ),
        case(
            "unused-footnote",
            &[(A, md("", "Hello.\n\n[^a]: A note.\n"))],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "raw-html-altered",
            &[(A, md("", "Hello.\n\n<div onclick=\"x()\">Hi</div>\n"))],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "empty-heading",
            &[(A, md("", "Hello.\n\n#\n\nMore.\n"))],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "skipped-heading-level",
            &[(A, md("", "# One\n\n### Three\n"))],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "bad-attributes",
            &[
                (A, md("", "Hello.\n\n![A](s.png){not attributes\n")),
                ("manuscripts/s.png", png.clone()),
            ],
            DENY,
            "manuscripts/a.md:7:",
        ),
        case(
            "missing-glyph",
            &[(A, md("", "Hello.\n\nMao 毛.\n"))],
            &[],
            "manuscripts/a.md:7:5: warning",
        ),
        case(
            "invalid-style",
            &[(A, md("fontsize: 0pt\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "unknown-font",
            &[(A, md("mainfont: Nowhere Sans\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "bad-font",
            &[
                (A, md("mainfont: Broken\n", "Hello.\n")),
                ("fonts/Broken.ttf", garbage.clone()),
            ],
            &[],
            "fonts/Broken.ttf: error",
        ),
        case(
            "missing-font-style",
            &[
                (A, md("mainfont: Liberation Serif\n", "Hello *there*.\n")),
                ("fonts/LiberationSerif-Regular.ttf", font),
            ],
            DENY,
            "manuscripts/a.md:4:1: warning",
        ),
        case(
            "unknown-theme",
            &[(A, md("theme: nowhere\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "page-too-small",
            &[(A, md("margin: 300mm\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "missing-css",
            &[(A, md("epub-css: nope.css\n", "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "write-failed",
            &[(A, md("", "Hello.\n")), ("dist/a.epub/x", Vec::new())],
            &["--format", "epub"],
            "dist/a.epub: error",
        ),
        case(
            "duplicate-slug",
            &[
                (A, md("", "Hello.\n")),
                ("manuscripts/b.md", md("slug: a\n", "Hello.\n")),
            ],
            &[],
            "manuscripts/b.md:4:1: error",
        ),
        case(
            "unknown-citation",
            &[
                (A, md("bibliography: a.bib\n", "Hello [@marx].\n")),
                ("manuscripts/a.bib", b"@book{marx1867,\n  title = {Capital},\n  year = {1867}\n}\n".to_vec()),
            ],
            &[],
            "manuscripts/a.md:6:8: error",
        ),
        case(
            "invalid-bibliography",
            &[
                (A, md("bibliography: a.bib\n", "Hello [@marx].\n")),
                ("manuscripts/a.bib", b"@book{marx1867,\n  title = {Capital,\n".to_vec()),
            ],
            &[],
            "manuscripts/a.bib:",
        ),
        case(
            "duplicate-citation-key",
            &[
                (A, md("bibliography: a.bib\n", "Hello [@marx].\n")),
                ("manuscripts/a.bib", b"@book{marx,\n  title = {A},\n  year = {1867}\n}\n\n@book{marx,\n  title = {B},\n  year = {1868}\n}\n".to_vec()),
            ],
            &[],
            "manuscripts/a.bib:6:1: error",
        ),
        case(
            "incomplete-entry",
            &[
                (A, md("bibliography: a.bib\n", "Hello [@marx].\n")),
                ("manuscripts/a.bib", b"% notes\n@book{marx,\n  author = {Marx, Karl},\n  year = {1867}\n}\n".to_vec()),
            ],
            DENY,
            "manuscripts/a.bib:2:1: warning",
        ),
        case(
            "missing-bibliography",
            &[(A, md("bibliography: gone.bib\n", "Hello [@marx].\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "unknown-csl",
            &[
                (A, md("bibliography: a.bib\ncsl: no-such-style\n", "Hello [@marx].\n")),
                ("manuscripts/a.bib", b"@book{marx,\n  title = {A},\n  year = {1867}\n}\n".to_vec()),
            ],
            &[],
            "manuscripts/a.md:5:1: error",
        ),
        case(
            "too-deep",
            &[(A, md("", &format!("Hello.\n\n{}deep\n", "> ".repeat(250))))],
            &[],
            "manuscripts/a.md:7:",
        ),
        case(
            "long-word",
            &[(A, md("", &format!("Hello.\n\n{}\n", "x".repeat(400))))],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "word-too-long",
            &[(
                A,
                md("", &format!("Hello.\n\nab {}\n", "x".repeat((1 << 20) + 1))),
            )],
            &[],
            "manuscripts/a.md:7:4: error",
        ),
        case(
            "value-too-long",
            &[(A, md(&format!("slug: {}\n", "a".repeat(101)), "Hello.\n"))],
            &[],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "chapter-key",
            &[
                ("manuscripts/b/index.md", md("", "Hello.\n")),
                (
                    "manuscripts/b/01.md",
                    b"---\ntitle: Uno\n---\nTexto.\n".to_vec(),
                ),
            ],
            DENY,
            "manuscripts/b/01.md:2:1: warning",
        ),
        case(
            "unreadable-file",
            &[
                (
                    "manuscripts/b/index.md",
                    md("chapters: [part]\n", "Hello.\n"),
                ),
                ("manuscripts/b/part/one.md", b"Text.\n".to_vec()),
            ],
            &[],
            "manuscripts/b/index.md:4:1: error",
        ),
        case(
            "unreadable-image",
            &[
                (A, md("", "Hello.\n\n![A](pictures)\n")),
                ("manuscripts/pictures/s.png", png.clone()),
            ],
            &[],
            "manuscripts/a.md:7:1: error",
        ),
        case(
            "overfull-line",
            &[(
                A,
                md("", &format!("Hello.\n\n{}Some words.\n", "> ".repeat(8))),
            )],
            DENY,
            "manuscripts/a.md:7:1: warning",
        ),
        case(
            "pdf-failed",
            &[(
                A,
                md(
                    "pdf: { standard: pdf-a-2b }\n",
                    &format!(
                        "Hello, [there](https://example.org/{}).\n",
                        "a".repeat(40_000)
                    ),
                ),
            )],
            &["--format", "pdf"],
            "manuscripts/a.md:4:1: error",
        ),
        case(
            "invalid-date",
            &[(A, md("date: 2024-13-45\n", "Hello.\n"))],
            DENY,
            "manuscripts/a.md:4:1: warning",
        ),
    ]
}

#[test]
fn every_diagnostic_code_is_reported_at_its_place_and_writes_no_book() {
    let mut wrong = Vec::new();
    for case in every_code() {
        let files: Vec<(&str, &[u8])> = case
            .files
            .iter()
            .map(|(p, d)| (p.as_str(), d.as_slice()))
            .collect();
        let p = project(&files);
        let out = roneo(p.path(), &[&["build"], case.args].concat());
        let err = stderr(&out);
        let expected = format!("{}[{}]", case.at, case.code);
        let expected = if case.at.ends_with(':') {
            // The column is the construct's own (a nested quote's, an attribute's).
            case.at.clone()
        } else {
            expected
        };
        let found = err
            .lines()
            .any(|l| l.starts_with(&expected) && l.contains(&format!("[{}]", case.code)));
        let written = books(p.path());
        // Sentences for a person: no operating system's or Rust's own wording.
        let raw = ["os error", "entity not found", "Some(", "\\u{"]
            .iter()
            .any(|r| err.contains(r));
        if out.status.code() != Some(1) || !found || !written.is_empty() || raw {
            wrong.push(format!(
                "{}: want `{expected}`, exit {:?}, wrote {written:?}:\n{err}",
                case.code,
                out.status.code()
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_readme_lists_every_code_and_the_table_covers_them() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let tested: Vec<&str> = every_code().iter().map(|c| c.code).collect();
    // Codes this table cannot bring about in a small manuscript: a fault inside a library,
    // the copyfitter's verdict on a whole edition (tests/copyfit.rs), the cache (tested
    // below, as it leaves the books written).
    let untestable = [
        // A fault inside a library (tested below through a test hook).
        "cover-failed",
        "pages-not-reached",
        "cache-not-saved",
        // A bug in roneo (tests/faults.rs).
        "internal-error",
    ];
    let table: Vec<String> = readme
        .lines()
        .filter(|l| l.starts_with("| `") && l.matches('|').count() == 4)
        .filter(|l| l.contains("| error") || l.contains("| warning"))
        .flat_map(|l| {
            let first = l.split('|').nth(1).unwrap_or("");
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    for code in &table {
        assert!(
            tested.contains(&code.as_str()) || untestable.contains(&code.as_str()),
            "README code `{code}` has no case"
        );
    }
    for code in &tested {
        assert!(
            table.iter().any(|c| c == code),
            "`{code}` is not in the README's table"
        );
    }
}

#[test]
fn a_cache_that_cannot_be_saved_is_a_warning_at_its_file() {
    let text = md("", "Hello.\n");
    let p = project(&[(A, text.as_slice()), ("dist/.roneo-cache.json/x", b"")]);
    let out = roneo(p.path(), &["build", "--format", "epub"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("dist/.roneo-cache.json: warning[cache-not-saved]"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}

#[test]
fn an_invisible_character_is_named_by_its_code_point_not_rust_escapes() {
    let err = refused(
        "---\ntitle: T\nlang: en\n---\nHel\u{7}lo.\n",
        &["--format", "pdf"],
    );
    assert!(
        err.contains("manuscripts/a.md:5:1: error[missing-glyph]"),
        "{err}"
    );
    assert!(
        err.contains("invisible character U+0007") && !err.contains("\\u{"),
        "{err}"
    );
}

#[test]
fn a_broken_link_for_a_manuscript_or_chapter_is_unreadable_not_skipped() {
    // Root reads any file, so a link whose target is gone stands for a file that cannot be
    // read; before, the listing skipped it and the book was built without it.
    let p = project(&[
        ("manuscripts/b/index.md", &md("", "Hello.\n")),
        ("manuscripts/b/01.md", b"One.\n"),
    ]);
    std::os::unix::fs::symlink("../../drafts/02.md", p.path().join("manuscripts/b/02.md")).unwrap();
    std::os::unix::fs::symlink("../drafts/c.md", p.path().join("manuscripts/c.md")).unwrap();
    let out = roneo(p.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for (file, target) in [
        ("manuscripts/b/02.md", "../../drafts/02.md"),
        ("manuscripts/c.md", "../drafts/c.md"),
    ] {
        assert!(
            err.contains(&format!("{file}: error[unreadable-file]"))
                && err.contains(&format!(
                    "a symbolic link to '{target}', which does not exist"
                )),
            "{file}: {err}"
        );
    }
    assert!(err.contains("remove the link"), "what to do: {err}");
    assert!(!err.contains("os error"), "{err}");
    assert!(books(p.path()).is_empty(), "wrote {:?}", books(p.path()));
}

#[test]
fn a_cover_the_libraries_cannot_draw_is_cover_failed_at_the_manuscript() {
    if !cfg!(debug_assertions) {
        eprintln!("notice: RONEO_TEST_FAULT is honoured by debug builds only, skipping");
        return;
    }
    // Only a fault of the SVG library or the JPEG encoder fails a generated cover (roneo
    // escapes what it draws and bounds the page), so a test hook stands in for one.
    for (fault, args) in [
        ("cover", &[][..]),
        ("cover-raster", &["--format", "epub"][..]),
    ] {
        let text = md("", "Hello.\n");
        let p = project(&[(A, text.as_slice())]);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_roneo"))
            .args([&["build"][..], args].concat())
            .current_dir(p.path())
            .env_remove("SOURCE_DATE_EPOCH")
            .env("RONEO_TEST_FAULT", fault)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{fault}: {err}");
        assert!(
            err.lines()
                .any(|l| l.starts_with("manuscripts/a.md: error[cover-failed]: the cover")),
            "{fault}: {err}"
        );
        assert!(
            err.contains("/issues"),
            "{fault}: where to report it: {err}"
        );
        assert!(
            !err.contains("dist/"),
            "{fault}: not the output's path: {err}"
        );
        assert!(
            books(p.path()).is_empty(),
            "{fault}: wrote {:?}",
            books(p.path())
        );
    }
}

#[test]
fn a_control_character_in_the_title_is_left_off_the_cover_and_reported_at_its_key() {
    // YAML's `\x01` escape puts a character XML cannot hold into the title; the generated
    // cover's SVG took it as it stood and failed to parse (cover-failed, "report it as a bug").
    let text = "---\ntitle: \"A\\x01B\"\nlang: en\n---\nHello.\n";
    let p = project(&[(A, text.as_bytes())]);
    let out = roneo(p.path(), &["build", "--format", "epub"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("cover-failed"), "{err}");
    assert!(
        err.contains("manuscripts/a.md:2:1: warning[missing-glyph]")
            && err.contains("U+0001 in the title"),
        "{err}"
    );
    assert!(p.path().join("dist/a.epub").is_file());
}

#[test]
fn an_overfull_paragraph_is_reported_once_with_what_to_do() {
    // Eight quotes deep, the line has no room for a letter: every line of the paragraph is
    // overfull, but the paragraph is reported once (it was once a line, at the same place).
    let text = md("", &format!("Hello.\n\n{}Some words.\n", "> ".repeat(8)));
    let p = project(&[(A, text.as_slice())]);
    let out = roneo(p.path(), &["build", "--format", "pdf"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let overfull: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("[overfull-line]"))
        .collect();
    assert_eq!(overfull.len(), 1, "{err}");
    assert!(
        overfull[0].starts_with("manuscripts/a.md:7:1: warning[overfull-line]"),
        "{err}"
    );
    assert!(err.contains("nest fewer quotes or lists"), "{err}");
    assert!(!err.contains("in block"), "{err}");
}

#[test]
fn an_image_or_logo_that_is_a_folder_says_so() {
    for (extra, body, what) in [
        ("", "Hello.\n\n![A](pictures)\n", "image"),
        ("logo: pictures\n", "Hello.\n", "logo"),
    ] {
        let text = md(extra, body);
        let err = refused_with(
            &[(A, text.as_slice()), ("manuscripts/pictures/s.png", &png())],
            &["--format", "epub"],
        );
        assert!(err.contains("error[unreadable-image]"), "{what}: {err}");
        assert!(
            err.contains("it is a folder, not a file")
                && err.contains(&format!("name the {what} file itself")),
            "{what}: {err}"
        );
    }
}

/// Builds the project of `files` with `args`; returns the messages, asserting that the build
/// failed and wrote no book.
fn refused_with(files: &[(&str, &[u8])], args: &[&str]) -> String {
    let p = project(files);
    let out = roneo(p.path(), &[&["build"], args].concat());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(books(p.path()).is_empty(), "wrote {:?}", books(p.path()));
    err
}
