//! Generated covers: the title as real text on the PDF's first page, a portrait EPUB cover
//! image at least 1600 px wide whose words OCR reads, long titles inside the trim, and
//! reproducible bytes.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

const TEXT_ONLY: &[u8] = b"---\ntitle: Notes on the Printing Cooperative\nsubtitle: A short history\nauthor: Ana Reyes\nlang: en\npublisher: Example Press\n---\n# One\n\nText only, no figure at all.\n";

fn build(dir: &Path, manuscript: &str, out: &Path) {
    let o = roneo(dir, &["build", manuscript, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn first_page_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The EPUB's cover image (the manifest item marked `cover-image`), decoded.
fn cover_image(epub: &Path) -> image::DynamicImage {
    let opf = zip_entry(epub, "EPUB/package.opf");
    let item = opf
        .lines()
        .find(|l| l.contains("properties=\"cover-image\""))
        .expect("a cover-image item");
    let href = item
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut entry = archive.by_name(&format!("EPUB/{href}")).unwrap();
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
    image::load_from_memory(&data).unwrap()
}

fn check(dir: &Path, manuscript: &str, slug: &str, title: &str) {
    let out = tempfile::tempdir().unwrap();
    build(dir, manuscript, out.path());
    let epub = out.path().join(format!("{slug}.epub"));
    let cover = cover_image(&epub);
    assert!(
        cover.width() >= 1600 && cover.height() > cover.width(),
        "{}x{}",
        cover.width(),
        cover.height()
    );
    if have("pdftotext") {
        let text = words(&first_page_text(&out.path().join(format!("{slug}.pdf"))));
        for word in words(title) {
            assert!(
                text.contains(&word),
                "{word} not on the PDF's first page: {text:?}"
            );
        }
    }
    if tool("tesseract").is_some()
        || missing::<()>("tesseract", "apt-get install tesseract-ocr").is_some()
    {
        let png = out.path().join("cover.png");
        cover.save(&png).unwrap();
        let o = Command::new("tesseract")
            .arg(&png)
            .arg("-")
            .output()
            .unwrap();
        let read = words(&String::from_utf8_lossy(&o.stdout));
        for word in words(title) {
            assert!(read.contains(&word), "OCR did not read {word}: {read:?}");
        }
    }
}

#[test]
fn the_seed_gets_a_titled_cover_with_its_photograph() {
    check(
        &repo(),
        "manuscripts/chile-1973",
        "chile-1973",
        "What Happened to the Chilean Revolution?",
    );
}

#[test]
fn a_text_only_manuscript_gets_a_titled_cover() {
    let p = project(&[("manuscripts/notes.md", TEXT_ONLY)]);
    check(
        p.path(),
        "manuscripts/notes.md",
        "notes",
        "Notes on the Printing Cooperative",
    );
}

#[test]
fn a_thirty_word_title_stays_inside_the_trim() {
    let title = "The long and winding history of how the small printing cooperatives of the southern towns learned to publish their own pamphlets books and newspapers for every new reader and writer";
    assert_eq!(title.split_whitespace().count(), 30);
    let text = format!("---\ntitle: {title}\nlang: en\nbleed: 3mm\n---\n# One\n\nText.\n");
    let p = project(&[("manuscripts/long.md", text.as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    build(p.path(), "manuscripts/long.md", out.path());
    if !have("pdftotext") {
        return;
    }
    let o = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1", "-bbox"])
        .arg(out.path().join("long.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&o.stdout);
    let bleed = 3.0 * 72.0 / 25.4;
    let (w, h) = (148.0 * 72.0 / 25.4, 210.0 * 72.0 / 25.4);
    let mut seen = 0;
    for line in html.lines().filter(|l| l.contains("<word")) {
        let attr = |name: &str| -> f32 {
            line.split(&format!("{name}=\""))
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let (x0, y0, x1, y1) = (attr("xMin"), attr("yMin"), attr("xMax"), attr("yMax"));
        assert!(
            x0 >= bleed && y0 >= bleed && x1 <= bleed + w && y1 <= bleed + h,
            "a word outside the trim: {line}"
        );
        seen += 1;
    }
    assert!(seen >= 30, "the title's words are on the cover: {seen}");
}

#[test]
fn two_builds_give_identical_covers() {
    let p = project(&[("manuscripts/notes.md", TEXT_ONLY)]);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(p.path(), "manuscripts/notes.md", a.path());
    build(p.path(), "manuscripts/notes.md", b.path());
    for file in ["notes.epub", "notes.pdf"] {
        assert_eq!(
            std::fs::read(a.path().join(file)).unwrap(),
            std::fs::read(b.path().join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn a_missing_logo_is_an_error_at_its_key() {
    let text = b"---\ntitle: T\nlang: en\nlogo: logo.svg\n---\n# One\n\nText.\n";
    let p = project(&[("manuscripts/t.md", text)]);
    let out = tempfile::tempdir().unwrap();
    let o = roneo(
        p.path(),
        &[
            "build",
            "manuscripts/t.md",
            "--out",
            out.path().to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("t.md:4:1: error[missing-logo]"),
        "{}",
        stderr(&o)
    );
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}

/// Each built-in theme designs its own cover: for the seed (a photograph) and for a text-only
/// manuscript, the three themes' cover images all differ.
#[test]
fn every_built_in_theme_gives_a_different_cover() {
    for (source, slug) in [("seed", "chile-1973"), ("text", "notes")] {
        let mut covers: Vec<(&str, Vec<u8>)> = Vec::new();
        for theme in ["classic", "pamphlet", "report"] {
            let config = format!("[style]\ntheme = \"{theme}\"\n");
            let p = project(&[
                ("roneo.toml", config.as_bytes()),
                ("manuscripts/notes.md", TEXT_ONLY),
            ]);
            if source == "seed" {
                std::fs::remove_file(p.path().join("manuscripts/notes.md")).unwrap();
                copy_tree(
                    &repo().join("manuscripts/chile-1973"),
                    &p.path().join("manuscripts/chile-1973"),
                );
            }
            let out = tempfile::tempdir().unwrap();
            build(p.path(), ".", out.path());
            let image = cover_image(&out.path().join(format!("{slug}.epub")));
            covers.push((theme, image.to_rgb8().into_raw()));
        }
        for (i, (a, pixels_a)) in covers.iter().enumerate() {
            for (b, pixels_b) in &covers[i + 1..] {
                assert_ne!(
                    pixels_a, pixels_b,
                    "{source}: {a} and {b} give the same cover"
                );
            }
        }
    }
}

/// The EPUB's cover JPEG as stored.
fn cover_bytes(epub: &Path) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(epub).unwrap()).unwrap();
    let mut entry = archive.by_name("EPUB/images/cover.jpg").unwrap();
    let mut data = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
    data
}

/// The raster is kept beside the outputs, known by what it is drawn from: a rebuild takes it
/// from there, and a changed drawing is drawn again.
#[test]
fn the_cover_raster_is_cached_between_builds() {
    let dir = project(&[("manuscripts/notes.md", TEXT_ONLY)]);
    let out = dir.path().join("dist");
    let o = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cached = out.join(".roneo-cover-notes");
    let entry = std::fs::read(&cached).expect("the raster is cached");
    let split = entry.iter().position(|&b| b == b'\n').unwrap() + 1;
    let (key, jpeg) = entry.split_at(split);
    assert_eq!(jpeg, cover_bytes(&out.join("notes.epub")));
    // Another picture under the same key: what a rebuild uses shows where it came from.
    let stand_in = std::fs::read(repo().join("manuscripts/chile-1973/images/junta.jpg")).unwrap();
    std::fs::write(&cached, [key, &stand_in[..]].concat()).unwrap();
    let o = roneo(dir.path(), &["build", "--format", "epub", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(cover_bytes(&out.join("notes.epub")), stand_in);
    // A new title is a new drawing.
    let retitled = String::from_utf8_lossy(TEXT_ONLY).replace("Notes on", "More notes on");
    std::fs::write(dir.path().join("manuscripts/notes.md"), retitled).unwrap();
    let o = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fresh = cover_bytes(&out.join("notes.epub"));
    assert_ne!(fresh, stand_in);
    assert!(std::fs::read(&cached).unwrap().ends_with(&fresh));
}
