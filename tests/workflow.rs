//! The CI-grade workflow: every diagnostic code with its location, JSON output, exit codes,
//! the build cache, `watch`, `new` and `roneo.toml`.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

fn jpg() -> Vec<u8> {
    std::fs::read(repo().join("tests/corpus/hard-cases/img/photo.jpg")).unwrap()
}

const HEAD: &str = "---\ntitle: T\nlang: en\n---\n";

fn md(body: &str) -> Vec<u8> {
    format!("{HEAD}{body}").into_bytes()
}

/// The JSON diagnostics `roneo check --message-format json` prints, and its exit code.
fn check_json(dir: &Path, extra: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let mut args = vec!["check", "--message-format", "json"];
    args.extend_from_slice(extra);
    let o = roneo(dir, &args);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    let summary = lines.last().expect("a summary line");
    assert_eq!(summary["type"], "summary");
    (o.status.code().unwrap(), lines[..lines.len() - 1].to_vec())
}

#[test]
fn every_diagnostic_code_names_file_line_and_column() {
    let dup = md("# A {#same}\n\n# B {#same}\n");
    // (code, severity, files, expected file, line, column)
    let cases: Vec<(&str, &str, Vec<(&str, Vec<u8>)>, &str, u64, u64)> = vec![
        (
            "missing-title",
            "error",
            vec![("manuscripts/a.md", b"---\nlang: en\n---\nText.\n".to_vec())],
            "manuscripts/a.md",
            1,
            1,
        ),
        (
            "missing-lang",
            "warning",
            vec![("manuscripts/a.md", b"---\ntitle: T\n---\nText.\n".to_vec())],
            "manuscripts/a.md",
            1,
            1,
        ),
        (
            "invalid-lang",
            "error",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: T\nlang: english\n---\nText.\n".to_vec(),
            )],
            "manuscripts/a.md",
            3,
            1,
        ),
        (
            "unknown-lang",
            "error",
            vec![("manuscripts/a.md", md("Say <span lang=\"qq\">hi</span>.\n"))],
            "manuscripts/a.md",
            5,
            5,
        ),
        (
            "malformed-front-matter",
            "error",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: T\nlang: [en\n---\nText.\n".to_vec(),
            )],
            "manuscripts/a.md",
            4,
            1,
        ),
        (
            "front-matter-type",
            "error",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: T\nlang: en\nfigure-numbers: maybe\n---\nText.\n".to_vec(),
            )],
            "manuscripts/a.md",
            4,
            1,
        ),
        (
            "unknown-key",
            "warning",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: T\nlang: en\ncolour: red\n---\nText.\n".to_vec(),
            )],
            "manuscripts/a.md",
            4,
            1,
        ),
        (
            "unknown-attribute",
            "warning",
            vec![("manuscripts/a.md", md("Text.\n\n# Heading {data-x=1}\n"))],
            "manuscripts/a.md",
            7,
            1,
        ),
        (
            "invalid-utf8",
            "error",
            vec![(
                "manuscripts/a.md",
                b"---\ntitle: T\nlang: en\n---\nab\xFF\n".to_vec(),
            )],
            "manuscripts/a.md",
            5,
            3,
        ),
        (
            "missing-chapter",
            "error",
            vec![
                (
                    "manuscripts/b/index.md",
                    b"---\ntitle: T\nlang: en\nchapters: [one.md, two.md]\n---\n".to_vec(),
                ),
                ("manuscripts/b/one.md", b"Text.\n".to_vec()),
            ],
            "manuscripts/b/index.md",
            4,
            1,
        ),
        (
            "empty-manuscript",
            "error",
            vec![("manuscripts/a.md", md("\n"))],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "missing-image",
            "error",
            vec![("manuscripts/a.md", md("Text.\n\n  ![Gone](gone.png)\n"))],
            "manuscripts/a.md",
            7,
            3,
        ),
        (
            "corrupt-image",
            "error",
            vec![
                ("manuscripts/a.md", md("![Bad](bad.png)\n")),
                (
                    "manuscripts/bad.png",
                    b"\x89PNG\r\n\x1a\ntruncated".to_vec(),
                ),
            ],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "unsupported-image",
            "error",
            vec![
                ("manuscripts/a.md", md("![Vector](v.svg)\n")),
                ("manuscripts/v.svg", b"<svg/>".to_vec()),
            ],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "asset-outside-project",
            "error",
            vec![("manuscripts/a.md", md("![Out](../../x.png)\n"))],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "remote-image",
            "error",
            vec![(
                "manuscripts/a.md",
                md("![Web](https://example.org/x.png)\n"),
            )],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "missing-alt",
            "error",
            vec![
                ("manuscripts/a.md", md("Text.\n\n![](sq.png)\n")),
                ("manuscripts/sq.png", png()),
            ],
            "manuscripts/a.md",
            7,
            1,
        ),
        (
            "broken-link",
            "error",
            vec![("manuscripts/a.md", md("See [there](#nowhere).\n"))],
            "manuscripts/a.md",
            5,
            5,
        ),
        (
            "unsupported-link",
            "error",
            vec![("manuscripts/a.md", md("See [file](notes.txt).\n"))],
            "manuscripts/a.md",
            5,
            5,
        ),
        (
            "invalid-id",
            "error",
            vec![("manuscripts/a.md", md("# Title {#9lives}\n"))],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "duplicate-id",
            "error",
            vec![("manuscripts/a.md", dup.clone())],
            "manuscripts/a.md",
            7,
            1,
        ),
        (
            "unused-footnote",
            "warning",
            vec![("manuscripts/a.md", md("Text.\n\n[^lonely]: Never cited.\n"))],
            "manuscripts/a.md",
            7,
            1,
        ),
        (
            "raw-html-altered",
            "warning",
            vec![(
                "manuscripts/a.md",
                md("Text.\n\n<div onclick=\"x()\">Hi</div>\n"),
            )],
            "manuscripts/a.md",
            7,
            1,
        ),
        (
            "bad-attributes",
            "warning",
            vec![
                ("manuscripts/a.md", md("![Sq](sq.png){alt=\"open}\n")),
                ("manuscripts/sq.png", png()),
            ],
            "manuscripts/a.md",
            5,
            1,
        ),
        (
            "missing-glyph",
            "warning",
            vec![("manuscripts/a.md", md("Kanji: 日本.\n"))],
            "manuscripts/a.md",
            5,
            8,
        ),
        (
            "invalid-config",
            "error",
            vec![
                ("roneo.toml", b"out = \"public\"\ncolour = 1\n".to_vec()),
                ("manuscripts/a.md", md("Text.\n")),
            ],
            "roneo.toml",
            2,
            1,
        ),
    ];
    for (code, severity, files, file, line, column) in cases {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(p, d)| (*p, d.as_slice())).collect();
        let p = project(&files);
        let (status, diagnostics) = check_json(p.path(), &[]);
        let d = diagnostics
            .iter()
            .find(|d| d["code"] == code)
            .unwrap_or_else(|| panic!("{code}: not reported; got {diagnostics:?}"));
        assert_eq!(d["severity"], severity, "{code}");
        assert_eq!(d["file"], file, "{code}");
        assert_eq!(d["line"].as_u64().unwrap_or(0), line, "{code}: line");
        assert_eq!(d["column"].as_u64().unwrap_or(0), column, "{code}: column");
        assert!(
            d["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{code}: message"
        );
        assert_eq!(
            status,
            if severity == "error" { 1 } else { 0 },
            "{code}: exit code"
        );
        if severity == "warning" {
            let (denied, _) = check_json(p.path(), &["--deny-warnings"]);
            assert_eq!(denied, 1, "{code}: --deny-warnings fails the run");
        }
    }
}

#[test]
fn human_diagnostics_read_like_a_compiler() {
    let p = project(&[("manuscripts/a.md", &md("Text.\n\n![Gone](images/a.jpg)\n"))]);
    let o = roneo(p.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.starts_with("manuscripts/a.md:7:1: error[missing-image]: image 'images/a.jpg' not found\n  = help: "), "{err}");
}

#[test]
fn a_clean_project_checks_with_exit_zero() {
    let o = roneo(&repo(), &["check", "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

fn mtime(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

#[test]
fn the_cache_skips_current_manuscripts_and_rebuilds_exactly_what_changed() {
    let p = project(&[
        (
            "manuscripts/one/index.md",
            &md("# One\n\n![Square](sq.png)\n"),
        ),
        ("manuscripts/one/sq.png", &png()),
        ("manuscripts/two.md", &md("# Two\n\nText.\n")),
    ]);
    let o = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (one, two) = (
        p.path().join("dist/one.epub"),
        p.path().join("dist/two.epub"),
    );
    let (t1, t2) = (mtime(&one), mtime(&two));
    std::thread::sleep(Duration::from_millis(20));

    let o = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("2 manuscript(s) up to date"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(
        (mtime(&one), mtime(&two)),
        (t1, t2),
        "a second build writes nothing"
    );

    // Touching without changing content is no change; a new image is.
    let sq = p.path().join("manuscripts/one/sq.png");
    std::fs::write(&sq, png()).unwrap();
    let o = roneo(p.path(), &["build", "--format", "epub"]);
    assert_eq!(
        (mtime(&one), mtime(&two)),
        (t1, t2),
        "same content, no rebuild: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    std::fs::write(&sq, jpg()).unwrap();
    let o = roneo(p.path(), &["build", "--format", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_ne!(
        mtime(&one),
        t1,
        "the manuscript whose image changed is rebuilt"
    );
    assert_eq!(mtime(&two), t2, "the other one is not");

    // A deleted output is rebuilt; --force rebuilds everything.
    std::fs::remove_file(&two).unwrap();
    assert!(roneo(p.path(), &["build", "--format", "epub"])
        .status
        .success());
    assert!(two.exists());
    let t1 = mtime(&one);
    std::thread::sleep(Duration::from_millis(20));
    assert!(roneo(p.path(), &["build", "--format", "epub", "--force"])
        .status
        .success());
    assert_ne!(mtime(&one), t1);
}

#[test]
fn roneo_toml_sets_project_defaults_that_front_matter_overrides() {
    let p = project(&[
        (
            "roneo.toml",
            b"out = \"public\"\nlang = \"es\"\npublisher = \"Editorial Colectiva\"\n",
        ),
        ("manuscripts/a.md", b"---\ntitle: A\n---\nTexto.\n"),
        (
            "manuscripts/b.md",
            b"---\ntitle: B\nlang: fr\npublisher: Autre\n---\nTexte.\n",
        ),
    ]);
    let o = roneo(p.path(), &["build", "--format", "epub", "--deny-warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a = zip_entry(&p.path().join("public/a.epub"), "EPUB/package.opf");
    assert!(
        a.contains("<dc:language>es</dc:language>")
            && a.contains("<dc:publisher>Editorial Colectiva</dc:publisher>")
    );
    let b = zip_entry(&p.path().join("public/b.epub"), "EPUB/package.opf");
    assert!(
        b.contains("<dc:language>fr</dc:language>")
            && b.contains("<dc:publisher>Autre</dc:publisher>")
    );
}

#[test]
fn new_scaffolds_a_manuscript_that_builds() {
    let p = project(&[]);
    let o = roneo(p.path(), &["new", "field-notes", "--title", "Field Notes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = p.path().join("manuscripts/field-notes");
    assert!(
        dir.join("index.md").is_file()
            && dir.join("01-introduction.md").is_file()
            && dir.join("images").is_dir()
    );
    let o = roneo(p.path(), &["build", "--format", "epub", "--deny-warnings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(p.path().join("dist/field-notes.epub").is_file());
    assert_eq!(
        roneo(p.path(), &["new", "field-notes"]).status.code(),
        Some(2),
        "refuses to overwrite"
    );
    assert_eq!(
        roneo(p.path(), &["new", "Not A Slug"]).status.code(),
        Some(2)
    );
}

#[test]
fn watch_rebuilds_once_per_change() {
    let p = project(&[("manuscripts/a.md", &md("# A\n\nFirst.\n"))]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_roneo"))
        .args(["watch", "--format", "epub"])
        .current_dir(p.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait_for = |needle: &str, rx: &std::sync::mpsc::Receiver<String>| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
                if line.contains(needle) {
                    return true;
                }
            }
        }
        false
    };
    assert!(wait_for("watching", &rx), "watch started");
    let epub = p.path().join("dist/a.epub");
    assert!(epub.is_file(), "initial build");
    std::fs::write(
        p.path().join("manuscripts/a.md"),
        md("# A\n\nSecond version.\n"),
    )
    .unwrap();
    assert!(wait_for("change detected", &rx), "the change was noticed");
    assert!(wait_for("wrote", &rx), "and rebuilt");
    // No further rebuild without a further change (its own output must not retrigger it).
    std::thread::sleep(Duration::from_millis(1500));
    let extra: Vec<String> = rx
        .try_iter()
        .filter(|l| l.contains("change detected"))
        .collect();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(extra.is_empty(), "one rebuild per change: {extra:?}");
    assert!(zip_entry(&epub, "EPUB/ch01.xhtml").contains("Second version."));
}

/// An image whose header is sound but whose data is cut short passes the sniffing at load;
/// only decoding finds it, and the build decodes beside the typesetting: the error must still
/// name the place, fail the run, and leave every last good output as it was.
#[test]
fn an_image_damaged_past_its_header_fails_the_build_and_writes_nothing() {
    let photo = jpg();
    let p = project(&[
        ("manuscripts/a.md", &md("![A photograph](photo.jpg)\n")),
        ("manuscripts/photo.jpg", &photo),
    ]);
    let o = roneo(p.path(), &["build"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let outputs: Vec<_> = ["dist/a.epub", "dist/a.pdf"]
        .iter()
        .map(|f| {
            let path = p.path().join(f);
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();

    std::fs::write(
        p.path().join("manuscripts/photo.jpg"),
        &photo[..photo.len() / 2],
    )
    .unwrap();
    let o = roneo(p.path(), &["build"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("manuscripts/a.md:5:1: error[corrupt-image]"),
        "{err}"
    );
    assert_eq!(
        err.matches("error[").count(),
        1,
        "one error, no echoes: {err}"
    );
    for (path, good) in &outputs {
        assert_eq!(&std::fs::read(path).unwrap(), good, "{}", path.display());
    }
}
