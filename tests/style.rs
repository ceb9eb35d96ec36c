//! The style: project fonts, the style keys, themes, and the EPUB stylesheet made from them,
//! checked on the outputs (pdffonts and pdfplumber for the PDF, the EPUB's own files,
//! EPUBCheck and Ace).

mod common;

use common::{ace, ace_cli, copy_tree, epubcheck, epubcheck_jar, have, project, repo, roneo};
use common::{stderr, zip_entry};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The house font of the tests: Liberation Serif regular, italic and bold (no bold italic).
fn house_fonts(project: &Path) {
    copy_tree(&repo().join("tests/fixtures/fonts"), &project.join("fonts"));
}

const TEXT: &str = "Every press has a house style, and a pamphlet series is known by it: its \
typeface, its margins, the colour of its covers. The text of this page is long enough to be \
set in several justified lines, so that its size can be read back from the page.\n\n\
A second paragraph follows, with *an emphasis* and **a strong word**, set in the same face.\n";

fn manuscript(front: &str) -> String {
    format!("---\ntitle: House Style\nlang: en\n{front}---\n\n{TEXT}")
}

/// The (font name, size) of most characters on the fullest page of a PDF (the body text),
/// read by pdfplumber.
fn body_font(pdf: &Path) -> Option<(String, f64)> {
    let have_plumber = Command::new("python3")
        .args(["-c", "import pdfplumber"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_plumber {
        return common::missing("pdfplumber", "python3 -m pip install pdfplumber");
    }
    let script = r#"
import sys, collections, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    chars = max((p.chars for p in pdf.pages), key=len)
    counts = collections.Counter((c['fontname'], round(c['size'], 2)) for c in chars)
    (name, size), _ = counts.most_common(1)[0]
    print(name, size)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(pdf)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (name, size) = text.trim().rsplit_once(' ').unwrap();
    Some((name.to_string(), size.parse().unwrap()))
}

#[test]
fn a_font_in_the_projects_fonts_folder_sets_the_body_of_the_pdf_and_the_epub() {
    let dir = project(&[(
        "manuscripts/house.md",
        manuscript("mainfont: Liberation Serif\nfontsize: 10pt\n").as_bytes(),
    )]);
    house_fonts(dir.path());
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "epub"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The family has no bold italic: the warning names what stands in, at the key's line.
    let err = stderr(&out);
    assert!(
        err.contains("house.md:4")
            && err.contains("missing-font-style")
            && err.contains("Liberation Serif bold is used instead"),
        "{err}"
    );
    let pdf = dir.path().join("dist/house.pdf");
    if have("pdffonts") {
        let listing = Command::new("pdffonts").arg(&pdf).output().unwrap();
        let listing = String::from_utf8_lossy(&listing.stdout);
        let line = listing
            .lines()
            .find(|l| l.contains("LiberationSerif") && !l.contains("Italic") && !l.contains("Bold"))
            .unwrap_or_else(|| panic!("no Liberation Serif in\n{listing}"));
        // name type encoding emb sub uni object ID
        let columns: Vec<&str> = line.split_whitespace().collect();
        let n = columns.len();
        assert_eq!(&columns[n - 5..n - 2], ["yes", "yes", "yes"], "{line}");
        assert!(columns[0].contains('+'), "a subset has a tag: {line}");
    }
    // The body text is in the family at 10 pt.
    if let Some((name, size)) = body_font(&pdf) {
        assert!(name.ends_with("LiberationSerif"), "{name}");
        assert!((size - 10.0).abs() < 0.05, "{size}");
    }
    let epub = dir.path().join("dist/house.epub");
    let css = zip_entry(&epub, "EPUB/style.css");
    assert!(
        css.contains("body { font-family: \"Liberation Serif\""),
        "{css}"
    );
    for file in [
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-Bold.ttf",
    ] {
        assert!(css.contains(&format!("url(fonts/{file})")), "{css}");
        let opf = zip_entry(&epub, "EPUB/package.opf");
        assert!(opf.contains(&format!("href=\"fonts/{file}\"")), "{opf}");
    }
    assert!(!css.contains("LinLibertine"), "{css}");
}

#[test]
fn a_family_the_project_does_not_have_is_an_error_at_its_line_naming_those_it_has() {
    let dir = project(&[(
        "manuscripts/house.md",
        manuscript("mainfont: EB Garamond\n").as_bytes(),
    )]);
    house_fonts(dir.path());
    let out = roneo(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("house.md:4:1: error[unknown-font]"), "{err}");
    assert!(err.contains("`EB Garamond`"), "{err}");
    assert!(
        err.contains("Liberation Serif") && err.contains("Linux Libertine O"),
        "{err}"
    );
    assert!(
        !dir.path().join("dist").exists()
            || std::fs::read_dir(dir.path().join("dist"))
                .unwrap()
                .all(|e| e.unwrap().file_name().to_string_lossy().starts_with('.'))
    );
}

#[test]
fn roneo_toml_sets_the_style_and_the_front_matter_wins() {
    let dir = project(&[
        (
            "roneo.toml",
            b"[style]\nmainfont = \"Liberation Serif\"\nfontsize = \"12pt\"\n",
        ),
        (
            "manuscripts/house.md",
            manuscript("fontsize: 9pt\n").as_bytes(),
        ),
    ]);
    house_fonts(dir.path());
    let out = roneo(dir.path(), &["build", "--format", "pdf"]);
    assert!(out.status.success(), "{}", stderr(&out));
    if let Some((name, size)) = body_font(&dir.path().join("dist/house.pdf")) {
        assert!(name.ends_with("LiberationSerif"), "{name}");
        assert!((size - 9.0).abs() < 0.05, "{size}");
    }
}

#[test]
fn bad_style_values_are_errors_at_their_lines_and_nothing_is_written() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "fontsize: 0pt\n",
            "house.md:4:1: error[invalid-style]",
            "fontsize",
        ),
        (
            "theme: manifesto\n",
            "house.md:4:1: error[unknown-theme]",
            "classic, pamphlet, report",
        ),
        (
            "margin: 70mm\n",
            "house.md:4:1: error[page-too-small]",
            "margins",
        ),
        (
            "papersize: 0x200mm\n",
            "house.md:4:1: error[invalid-style]",
            "130x200mm",
        ),
        (
            "accent: red\n",
            "house.md:4:1: error[invalid-style]",
            "#b3001b",
        ),
        (
            "epub-css: missing.css\n",
            "house.md:4:1: error[missing-css]",
            "missing.css",
        ),
    ];
    for (front, location, hint) in cases {
        let dir = project(&[("manuscripts/house.md", manuscript(front).as_bytes())]);
        let out = roneo(dir.path(), &["build"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{front}: {err}");
        assert!(
            err.contains(location) && err.contains(hint),
            "{front}: {err}"
        );
        assert!(
            !dir.path().join("dist/house.pdf").exists()
                && !dir.path().join("dist/house.epub").exists()
        );
    }
}

#[test]
fn a_font_file_that_does_not_parse_is_an_error_naming_it() {
    let dir = project(&[
        (
            "manuscripts/house.md",
            manuscript("mainfont: Liberation Serif\n").as_bytes(),
        ),
        ("fonts/Broken-Regular.otf", b"not a font at all"),
    ]);
    house_fonts(dir.path());
    let out = roneo(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("error[bad-font]") && err.contains("Broken-Regular.otf"),
        "{err}"
    );
}

#[test]
fn unknown_style_keys_in_roneo_toml_and_themes_are_warnings_at_their_lines() {
    let dir = project(&[
        (
            "roneo.toml",
            b"[style]\ntheme = \"house\"\ncolour = \"red\"\n",
        ),
        (
            "themes/house.toml",
            b"heading-font = \"sans\"\nflourish = true\n",
        ),
        ("manuscripts/house.md", manuscript("").as_bytes()),
    ]);
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("roneo.toml:3:") && err.contains("`colour`"),
        "{err}"
    );
    assert!(
        err.contains("house.toml:2:") && err.contains("`flourish`"),
        "{err}"
    );
    // The project theme applied: sans headings in the ebook too.
    let css = zip_entry(&dir.path().join("dist/house.epub"), "EPUB/style.css");
    assert!(
        css.contains("h1, h2, h3, h4, h5, h6 { font-family: \"Linux Biolinum O\""),
        "{css}"
    );
}

#[test]
fn the_projects_epub_css_is_appended_and_embed_fonts_false_embeds_none() {
    let dir = project(&[
        (
            "manuscripts/house.md",
            manuscript("epub-css: house.css\nembed-fonts: false\n").as_bytes(),
        ),
        ("manuscripts/house.css", b"p { color: #222; }\n"),
    ]);
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = dir.path().join("dist/house.epub");
    let css = zip_entry(&epub, "EPUB/style.css");
    assert!(css.trim_end().ends_with("p { color: #222; }"), "{css}");
    assert!(!css.contains("@font-face"), "{css}");
    let archive = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    assert!(!archive
        .file_names()
        .any(|n| n.unwrap().starts_with("EPUB/fonts/")));
}

/// A copy of the repository's manuscripts in `theme`.
fn themed(theme: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("manuscripts"), &dir.path().join("manuscripts"));
    if repo().join("covers").is_dir() {
        copy_tree(&repo().join("covers"), &dir.path().join("covers"));
    }
    std::fs::write(
        dir.path().join("roneo.toml"),
        format!("[style]\ntheme = \"{theme}\"\n"),
    )
    .unwrap();
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "epub"],
    );
    assert!(out.status.success(), "{theme}: {}", stderr(&out));
    let dist = dir.path().join("dist");
    (dir, dist)
}

#[test]
fn every_built_in_theme_builds_every_shipped_manuscript_valid_and_looking_its_own() {
    let (_classic_dir, classic) = themed("classic");
    let jar = epubcheck_jar();
    let ace_cli = ace_cli();
    for theme in ["classic", "pamphlet", "report"] {
        let (_dir, dist) = themed(theme);
        for slug in ["chile-1973", "imprenta-cooperativa"] {
            let pdf = std::fs::read(dist.join(format!("{slug}.pdf"))).unwrap();
            let default_pdf = std::fs::read(classic.join(format!("{slug}.pdf"))).unwrap();
            assert_eq!(theme == "classic", pdf == default_pdf, "{theme} {slug}");
            let epub = dist.join(format!("{slug}.epub"));
            // `report` numbers sections, in both editions alike.
            let chapters = (1..=3)
                .filter_map(|n| {
                    let mut archive =
                        zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
                    let mut entry = archive.by_name(&format!("EPUB/ch{n:02}.xhtml")).ok()?;
                    let mut text = String::new();
                    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
                    Some(text)
                })
                .collect::<String>();
            let numbered = chapters.contains("<span class=\"section-number\">2</span>");
            assert_eq!(numbered, theme == "report", "{theme} {slug}");
            if theme == "report" && have("pdftotext") {
                let text = Command::new("pdftotext")
                    .arg(dist.join(format!("{slug}.pdf")))
                    .arg("-")
                    .output()
                    .unwrap();
                let text = String::from_utf8_lossy(&text.stdout).replace('\u{2002}', " ");
                let second = if slug == "chile-1973" {
                    "2 The counterrevolution"
                } else {
                    "2 El taller"
                };
                assert!(text.contains(second), "{slug}: {text}");
            }
            if let Some(jar) = &jar {
                let (fatal, errors, warnings, messages) = epubcheck(jar, &epub);
                assert_eq!(
                    (fatal, errors, warnings),
                    (0, 0, 0),
                    "{theme} {slug}: {messages:?}"
                );
            }
            if let Some(ace_cli) = &ace_cli {
                let violations = ace(ace_cli, &epub);
                assert!(violations.is_empty(), "{theme} {slug}: {violations:?}");
            }
        }
    }
}

#[test]
fn photographs_over_2000_px_are_scaled_down_in_the_epub_and_kept_whole_in_the_pdf() {
    let mut pixels = image::RgbImage::new(3000, 2000);
    for (x, y, p) in pixels.enumerate_pixels_mut() {
        *p = image::Rgb([(x / 12) as u8, (y / 8) as u8, ((x + y) / 20) as u8]);
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&pixels)
        .unwrap();
    let text =
        format!("---\ntitle: Photo\nlang: en\n---\n\n![A wide photograph.](photo.jpg)\n\n{TEXT}");
    let dir = project(&[
        ("manuscripts/photo.md", text.as_bytes()),
        ("manuscripts/photo.jpg", &jpeg),
    ]);
    let out = roneo(
        dir.path(),
        &["build", "--format", "pdf", "--format", "epub"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = dir.path().join("dist/photo.epub");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    let mut data = Vec::new();
    std::io::Read::read_to_end(
        &mut archive.by_name("EPUB/images/photo.jpg").unwrap(),
        &mut data,
    )
    .unwrap();
    let scaled = image::load_from_memory(&data).unwrap();
    assert_eq!((scaled.width(), scaled.height()), (2000, 1333));
    let chapter = zip_entry(&epub, "EPUB/ch01.xhtml");
    assert!(
        chapter.contains("width=\"2000\" height=\"1333\""),
        "{chapter}"
    );
    if have("pdfimages") {
        let list = Command::new("pdfimages")
            .arg("-list")
            .arg(dir.path().join("dist/photo.pdf"))
            .output()
            .unwrap();
        let list = String::from_utf8_lossy(&list.stdout);
        assert!(
            list.lines().any(|l| {
                let columns: Vec<&str> = l.split_whitespace().collect();
                columns.get(3..5) == Some(&["3000", "2000"][..])
            }),
            "{list}"
        );
    }
}
