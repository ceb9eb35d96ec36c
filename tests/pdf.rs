//! The PDF output, checked with the tools a printer or a reader would use: qpdf for structure,
//! poppler's pdffonts, pdftotext and pdfinfo for fonts, text and page size.
//!
//! A tool that is not installed skips its test with a notice, unless
//! `RONEO_REQUIRE_VALIDATORS=1`, which makes a missing tool a failure (for CI).

mod common;

use common::{have, repo, words};
use roneo::build::{self, BuildOptions, Format};
use roneo::document::{Block, Document, Inline};
use roneo::typeset::Item;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const CHILE: &str = "manuscripts/chile-1973";

fn run(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Builds a manuscript's PDF into its own folder and returns the file.
fn build_pdf(manuscript: &str, out: &str) -> PathBuf {
    build_pdf_at(&repo().join(manuscript), out)
}

fn build_pdf_at(manuscript: &Path, out: &str) -> PathBuf {
    let out_dir = std::env::temp_dir().join(format!("roneo-pdf-test-{}-{out}", std::process::id()));
    let options = BuildOptions {
        paths: vec![manuscript.to_path_buf()],
        out_dir: Some(out_dir.clone()),
        formats: vec![Format::Pdf],
        use_cache: false,
        booklet: Default::default(),
        jobs: build::default_jobs(),
        shard: None,
        deny_warnings: false,
    };
    let report = build::build(&options, &|_| {}).unwrap();
    assert!(
        !report.has_errors(),
        "{:?}",
        report.diagnostics().collect::<Vec<_>>()
    );
    report.manuscripts[0].outputs[0].path.clone()
}

/// The Chile pamphlet, built once for the tests that only read it.
fn chile() -> &'static Path {
    static PDF: OnceLock<PathBuf> = OnceLock::new();
    PDF.get_or_init(|| build_pdf(CHILE, "shared"))
}

fn chile_document() -> Document {
    document(CHILE)
}

fn document(manuscript: &str) -> Document {
    let path = repo().join(manuscript);
    let project = roneo::manuscript::Project::open(
        &roneo::manuscript::project_root(&path),
        &mut Default::default(),
    );
    let (loaded, diags) = build::load(&path, &project);
    assert!(!diags.has_errors());
    loaded.unwrap().1
}

#[test]
fn qpdf_finds_no_errors() {
    if !have("qpdf") {
        return;
    }
    let report = run("qpdf", &["--check", chile().to_str().unwrap()]);
    assert!(
        report.contains("No syntax or stream encoding errors"),
        "{report}"
    );
}

#[test]
fn every_font_is_embedded_as_a_subset() {
    if !have("pdffonts") {
        return;
    }
    let listing = run("pdffonts", &[chile().to_str().unwrap()]);
    let fonts: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!fonts.is_empty(), "{listing}");
    for font in fonts {
        // name type encoding emb sub uni object id: emb and sub are the 4th and 3rd from last.
        let columns: Vec<&str> = font.split_whitespace().collect();
        let n = columns.len();
        assert_eq!(columns[n - 5], "yes", "not embedded: {font}");
        assert_eq!(columns[n - 4], "yes", "not subset: {font}");
    }
}

/// Words that may stand between two words of a paragraph in the extracted text.
const MAX_INTERRUPTION: usize = 60;

#[test]
fn extracted_text_has_every_paragraph_in_order() {
    if !have("pdftotext") {
        return;
    }
    let text = run("pdftotext", &[chile().to_str().unwrap(), "-"]);
    let extracted = words(&text);
    let doc = chile_document();
    let mut at = 0;
    let mut paragraphs = 0;
    for chapter in &doc.chapters {
        for block in &chapter.blocks {
            let Block::Paragraph(inlines) = block else {
                continue;
            };
            paragraphs += 1;
            // Each word comes after the previous one; what may come between is page furniture
            // (running head, folio) or a figure's caption where a page breaks.
            for word in words(&Inline::plain_text(inlines)) {
                let found = extracted[at..]
                    .iter()
                    .take(MAX_INTERRUPTION)
                    .position(|w| *w == word)
                    .unwrap_or_else(|| {
                        panic!(
                            "{word:?} not found after {:?}",
                            &extracted[at.saturating_sub(12)..at]
                        )
                    });
                at += found + 1;
            }
        }
    }
    assert!(paragraphs > 5);
}

#[test]
fn two_builds_are_byte_identical() {
    let first = std::fs::read(build_pdf(CHILE, "first")).unwrap();
    let second = std::fs::read(build_pdf(CHILE, "second")).unwrap();
    assert!(first == second, "the two builds differ");
}

/// The shipped manuscripts are the newcomer's first look: every format of each builds
/// without a warning (a table's narrow column once broke "Composición" between letters).
#[test]
fn the_shipped_manuscripts_build_without_a_warning() {
    let out = tempfile::tempdir().unwrap();
    let run = common::roneo(
        &repo(),
        &["build", "--force", "--out", out.path().to_str().unwrap()],
    );
    let err = common::stderr(&run);
    assert!(run.status.success(), "{err}");
    assert!(!err.contains("warning["), "{err}");
}

#[test]
fn pages_are_a5() {
    if !have("pdfinfo") {
        return;
    }
    let info = run("pdfinfo", &[chile().to_str().unwrap()]);
    let size = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap_or_default();
    assert!(size.contains("419.528 x 595.276 pts"), "{info}");
}

/// Glyph positions are written in whole thousandths of an em, as pdfTeX writes them (see
/// `pdf::glyphs`): checked in the file krilla wrote, so a krilla that computes its numbers
/// differently shows here.
#[test]
fn glyph_positions_are_whole_thousandths_of_an_em() {
    if !have("qpdf") {
        return;
    }
    let out = std::env::temp_dir().join(format!("roneo-pdf-test-{}-qdf.pdf", std::process::id()));
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(chile())
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let pdf = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    let (mut numbers, mut whole) = (0, 0);
    for array in text.split("[<").skip(1) {
        let Some(end) = array.find("]TJ") else {
            continue;
        };
        for number in array[..end].split(['<', '>']).skip(1).step_by(2) {
            if number.is_empty() {
                continue;
            }
            let value: f64 = number.parse().unwrap_or_else(|_| panic!("{number:?}"));
            numbers += 1;
            whole += usize::from(value == value.round() && !number.contains('.'));
        }
    }
    assert!(numbers > 1000, "{numbers} positioning numbers");
    assert!(
        whole * 100 >= numbers * 97,
        "{whole} of {numbers} are whole"
    );
}

#[test]
fn every_heading_has_a_bookmark() {
    if !have("qpdf") {
        return;
    }
    let json = run(
        "qpdf",
        &["--json", "--json-key=outlines", chile().to_str().unwrap()],
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let titles: Vec<&str> = value["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    let doc = chile_document();
    let headings: Vec<String> = doc.toc.iter().map(|e| e.title.clone()).collect();
    assert!(!headings.is_empty());
    assert_eq!(titles, headings);
}

#[test]
fn page_starts_point_into_the_text_in_reading_order() {
    let doc = chile_document();
    let (layout, _) = roneo::typeset::typeset(&doc, &Default::default()).unwrap();
    let starts: Vec<_> = layout.pages.iter().filter_map(|p| p.start).collect();
    assert!(starts.len() >= 3);
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    // A page that starts inside a paragraph starts at a word: the char before is a space.
    for start in starts.iter().filter(|s| s.offset > 0) {
        let block = &doc.chapters[start.chapter].blocks[start.block];
        if let Block::Paragraph(inlines) = block {
            let text: Vec<char> = Inline::plain_text(inlines).chars().collect();
            assert!(start.offset < text.len());
            assert!(
                text[start.offset - 1].is_whitespace() || text[start.offset - 1] == '-',
                "{start:?} starts mid-word"
            );
        }
    }
}

#[test]
fn figures_carry_their_alt_text_in_the_structure_tree() {
    if !have("qpdf") {
        return;
    }
    let uncompressed = chile().with_extension("qdf.pdf");
    run(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            chile().to_str().unwrap(),
            uncompressed.to_str().unwrap(),
        ],
    );
    let bytes = String::from_utf8_lossy(&std::fs::read(&uncompressed).unwrap()).into_owned();
    assert!(bytes.contains("/StructTreeRoot"));
    let doc = chile_document();
    for chapter in &doc.chapters {
        for block in &chapter.blocks {
            if let Block::Figure(figure) = block {
                assert!(
                    bytes.contains(&format!("/Alt ({})", figure.alt)),
                    "{}",
                    figure.alt
                );
            }
        }
    }
}

#[test]
fn an_archival_a6_edition_is_pdf_a_2b() {
    // A copy of the pamphlet that asks for A6 and PDF/A-2b.
    let dir = std::env::temp_dir().join(format!("roneo-pdfa-{}", std::process::id()));
    let manuscript = dir.join("archival");
    std::fs::create_dir_all(manuscript.join("images")).unwrap();
    let source = repo().join(CHILE);
    for entry in std::fs::read_dir(source.join("images")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            manuscript.join("images").join(entry.file_name()),
        )
        .unwrap();
    }
    let index = std::fs::read_to_string(source.join("index.md"))
        .unwrap()
        .replacen(
            "\nlang:",
            "\npdf:\n  page: a6\n  standard: pdf-a-2b\nlang:",
            1,
        );
    std::fs::write(manuscript.join("index.md"), index).unwrap();
    let options = BuildOptions {
        paths: vec![manuscript],
        out_dir: Some(dir.join("out")),
        formats: vec![Format::Pdf],
        use_cache: false,
        booklet: Default::default(),
        jobs: build::default_jobs(),
        shard: None,
        deny_warnings: false,
    };
    let report = build::build(&options, &|_| {}).unwrap();
    assert!(
        !report.has_errors(),
        "{:?}",
        report.diagnostics().collect::<Vec<_>>()
    );
    let pdf = &report.manuscripts[0].outputs[0].path;
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"));
    assert!(text.contains("<pdfaid:conformance>B</pdfaid:conformance>"));
    if have("pdfinfo") {
        let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.contains("297.638 x 419.528 pts"), "{info}");
    }
}

/// How far down the text block a page's content reaches, as a share of the block: the lowest
/// baseline, image or rule of the page's tagged items (running heads and folios are not).
fn fill(page: &roneo::typeset::Page, g: &roneo::typeset::Geometry) -> f32 {
    let bottom = page
        .tagged
        .iter()
        .flat_map(|(range, _)| &page.items[range.clone()])
        .map(|item| match item {
            Item::Text(run) => run.y + g.leading - g.baseline_offset(),
            Item::Image(image) => image.y + image.height,
            Item::Line(line) => line.from.1.max(line.to.1),
            Item::Link(link) => link.y + link.height,
            Item::Rect(rect) => rect.y + rect.height,
            // The generated cover fills the page.
            Item::Cover(_) => page.height,
        })
        .fold(g.top, f32::max);
    (bottom - g.top) / (g.bottom() - g.top)
}

#[test]
fn body_pages_are_at_least_85_percent_full() {
    let g = roneo::typeset::Geometry::new(&Default::default());
    for manuscript in [CHILE, "tests/fixtures/long"] {
        let (layout, _) =
            roneo::typeset::typeset(&document(manuscript), &Default::default()).unwrap();
        // The body: from page 1 to the text's end (a colophon or back cover after it is no text).
        let body: Vec<&roneo::typeset::Page> = layout
            .pages
            .iter()
            .skip_while(|p| p.label != "1")
            .take_while(|p| p.start.is_some())
            .collect();
        assert!(body.len() > 3, "{manuscript} has body pages");
        // The last page ends the text; a page before a figure that floated there may be short.
        for pair in body.windows(2) {
            let (page, next) = (pair[0], pair[1]);
            let next_opens_with_figure = next
                .tagged
                .first()
                .is_some_and(|(range, _)| matches!(next.items[range.start], Item::Image(_)));
            let f = fill(page, &g);
            assert!(
                f >= 0.85 || next_opens_with_figure,
                "{manuscript}: page {} is only {:.0} % full",
                page.label,
                f * 100.0
            );
        }
    }
}

#[test]
fn the_contents_page_lists_every_heading_with_its_page_and_links_there() {
    if !have("pdftotext") || !have("qpdf") {
        return;
    }
    // The article as the text runs: copyfitted to 8 pages, it has no contents page.
    let copy = tempfile::tempdir().unwrap();
    let seed = copy.path().join("manuscripts/chile-1973");
    common::copy_tree(&repo().join(CHILE), &seed);
    let index = seed.join("index.md");
    let text = std::fs::read_to_string(&index).unwrap();
    std::fs::write(
        &index,
        text.replacen("lang: en\n", "lang: en\npages: natural\n", 1),
    )
    .unwrap();
    let pdf = build_pdf_at(&seed, "contents");
    let pdf = pdf.to_str().unwrap();
    let doc = document(seed.to_str().unwrap());
    let mut style = roneo::style::Style::default();
    style.copyfit.pages = roneo::style::PageCount::Natural;
    let (layout, _) = roneo::typeset::typeset(&doc, &style).unwrap();
    let first_body = layout.pages.iter().position(|p| p.label == "1").unwrap() + 1;
    let page_text = |n: usize| {
        let n = n.to_string();
        run("pdftotext", &["-f", &n, "-l", &n, "-layout", pdf, "-"])
    };
    let contents = (1..first_body)
        .find(|&n| page_text(n).trim_start().starts_with("Contents"))
        .expect("a contents page before the body");
    let text = page_text(contents);
    let mut expected = Vec::new();
    for entry in &doc.toc {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(&entry.title))
            .unwrap_or_else(|| panic!("{} is listed:\n{text}", entry.title));
        assert!(line.contains("....."), "dot leaders: {line}");
        let folio: usize = line.split_whitespace().last().unwrap().parse().unwrap();
        let physical = first_body + folio - 1;
        assert!(
            page_text(physical).contains(&entry.title),
            "{} is on page {folio}",
            entry.title
        );
        expected.push(physical);
    }
    // Each entry links to the page it names.
    let json = run("qpdf", &["--json", pdf]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let objects = &value["qpdf"][1];
    let object = |r: &str| &objects[format!("obj:{r}")]["value"];
    let pages: Vec<&str> = value["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["object"].as_str().unwrap())
        .collect();
    let annots = object(pages[contents - 1])["/Annots"]
        .as_array()
        .expect("the contents page has links");
    let mut targets: Vec<usize> = annots
        .iter()
        .map(|a| object(a.as_str().unwrap()))
        .filter(|a| a["/Subtype"] == "/Link")
        .map(|a| {
            let dest = match &a["/Dest"] {
                serde_json::Value::String(r) => object(r),
                d => d,
            };
            let page = dest[0].as_str().unwrap();
            pages.iter().position(|p| *p == page).unwrap() + 1
        })
        .collect();
    targets.sort();
    targets.dedup();
    let mut wanted = expected.clone();
    wanted.dedup();
    assert_eq!(targets, wanted);
}

#[test]
fn note_numbers_run_through_the_book_in_text_and_foot() {
    if !have("pdftotext") {
        return;
    }
    let pdf = build_pdf("manuscripts/imprenta-cooperativa", "notes");
    let text = run("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    // The second chapter's only note is the book's second: marker and note agree.
    assert!(text.contains("asociado.1 "), "{text}");
    assert!(text.contains("cuadernillos.2"), "{text}");
    assert!(text.contains("\n2 Un cuadernillo es un pliego"), "{text}");
}
