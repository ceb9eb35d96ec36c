//! Lean ebooks: the seed EPUB's fonts are cut down to what the book shows, and keep what
//! reading systems need to set it as the whole fonts would (cmap, GSUB/GPOS, small capitals).
//! (`embed-fonts: false` embedding none is checked in tests/style.rs.)

mod common;

use common::*;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An EPUB's entries: name, stored size, data.
type Entries = Vec<(String, u64, Vec<u8>)>;

/// The seed built as an EPUB in a temporary copy, and its entries.
fn seed() -> (tempfile::TempDir, PathBuf, Entries) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(
        &repo().join("manuscripts/chile-1973"),
        &dir.path().join("manuscripts/chile-1973"),
    );
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = dir.path().join("dist/chile-1973.epub");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    let entries = (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (
                entry.name().unwrap().to_string(),
                entry.compressed_size(),
                data,
            )
        })
        .collect();
    (dir, epub, entries)
}

/// The bundled font file an embedded one was cut from.
fn original(name: &str) -> Vec<u8> {
    fn find(dir: &Path, name: &str) -> Option<PathBuf> {
        std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
            let path = e.path();
            if path.is_dir() {
                find(&path, name)
            } else {
                (path.file_name()? == name).then_some(path)
            }
        })
    }
    let path = find(&repo().join("fonts"), name).unwrap_or_else(|| panic!("no font {name}"));
    std::fs::read(path).unwrap()
}

/// The characters of the book's text: every XHTML file's text outside tags, with the
/// entities roneo writes decoded.
fn text_characters(entries: &Entries) -> BTreeSet<char> {
    let mut shown = BTreeSet::new();
    for (name, _, data) in entries.iter().filter(|(n, ..)| n.ends_with(".xhtml")) {
        let xhtml = std::str::from_utf8(data).unwrap_or_else(|_| panic!("{name} is UTF-8"));
        let body = xhtml.split_once("<body").map_or(xhtml, |(_, b)| b);
        let mut in_tag = false;
        let mut text = String::new();
        for c in body.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        for (entity, c) in [
            ("&amp;", "&"),
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&quot;", "\""),
        ] {
            text = text.replace(entity, c);
        }
        shown.extend(text.chars().filter(|c| !c.is_whitespace()));
    }
    shown
}

fn fonts(entries: &Entries) -> Vec<(&str, &[u8])> {
    let fonts: Vec<(&str, &[u8])> = entries
        .iter()
        .filter_map(|(name, _, data)| Some((name.strip_prefix("EPUB/fonts/")?, &data[..])))
        .collect();
    assert!(!fonts.is_empty(), "the seed embeds its fonts");
    fonts
}

#[test]
fn the_seed_carries_its_photographs_and_at_most_100_kb_more() {
    let (_dir, epub, entries) = seed();
    let images: u64 = entries
        .iter()
        .filter(|(name, ..)| name.starts_with("EPUB/images/"))
        .map(|(_, stored, _)| stored)
        .sum();
    let total = std::fs::metadata(&epub).unwrap().len();
    let rest = total - images;
    assert!(
        rest <= 100 * 1024,
        "the EPUB is {total} bytes: {images} of images (the photographs and the cover) and {rest} of everything else"
    );
}

#[test]
fn every_embedded_font_covers_every_character_its_face_can_show() {
    let (_dir, _epub, entries) = seed();
    let shown = text_characters(&entries);
    assert!(shown.contains(&'A') && shown.contains(&'’'), "{shown:?}");
    for (name, subset) in fonts(&entries) {
        let full = original(name);
        let full = ttf_parser::Face::parse(&full, 0).unwrap();
        let cut = ttf_parser::Face::parse(subset, 0)
            .unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        let missing: Vec<char> = shown
            .iter()
            .copied()
            .filter(|&c| full.glyph_index(c).is_some() && cut.glyph_index(c).is_none())
            .collect();
        assert!(missing.is_empty(), "{name} lost {missing:?}");
        assert!(
            cut.number_of_glyphs() < full.number_of_glyphs() / 4,
            "{name} keeps {} of {} glyphs",
            cut.number_of_glyphs(),
            full.number_of_glyphs()
        );
    }
}

/// The features of a GSUB or GPOS table.
fn features(table: Option<ttf_parser::opentype_layout::LayoutTable>) -> BTreeSet<String> {
    table
        .map(|t| {
            t.features
                .into_iter()
                .map(|f| String::from_utf8_lossy(&f.tag.to_bytes()).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_layout_tables_are_kept_where_the_fonts_had_them() {
    let (_dir, _epub, entries) = seed();
    for (name, subset) in fonts(&entries) {
        let full = original(name);
        let full = ttf_parser::Face::parse(&full, 0).unwrap();
        let cut = ttf_parser::Face::parse(subset, 0).unwrap();
        for (table, had, has) in [
            ("GSUB", full.tables().gsub, cut.tables().gsub),
            ("GPOS", full.tables().gpos, cut.tables().gpos),
        ] {
            let (had, has) = (features(had), features(has));
            assert_eq!(
                had.is_empty(),
                has.is_empty(),
                "{name}: {table} {had:?} → {has:?}"
            );
            // What readers apply by default, where the font has it.
            for feature in ["liga", "kern"] {
                assert!(
                    !had.contains(feature) || has.contains(feature),
                    "{name}: {table} lost {feature} ({had:?} → {has:?})"
                );
            }
        }
    }
}

/// The glyphs `text` is set in, with or without small capitals.
fn shape(font: &[u8], text: &str, small_caps: bool) -> Vec<u32> {
    let face = rustybuzz::Face::from_slice(font, 0).unwrap();
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    let features: Vec<rustybuzz::Feature> = if small_caps {
        vec!["smcp".parse().unwrap()]
    } else {
        Vec::new()
    };
    let glyphs = rustybuzz::shape(&face, &features, buffer);
    glyphs.glyph_infos().iter().map(|g| g.glyph_id).collect()
}

/// The stylesheet sets the publisher in small capitals: the subset of the face it is set in
/// keeps them, as the whole font has them.
#[test]
fn small_capitals_survive_subsetting() {
    let (_dir, _epub, entries) = seed();
    let css = entries
        .iter()
        .find(|(name, ..)| name == "EPUB/style.css")
        .map(|(_, _, data)| String::from_utf8_lossy(data).into_owned())
        .unwrap();
    let rule = css
        .lines()
        .find(|l| l.starts_with(".publisher"))
        .expect("a rule for the publisher");
    assert!(rule.contains("font-variant: small-caps"), "{rule}");
    let title = entries
        .iter()
        .find(|(name, ..)| name == "EPUB/title.xhtml")
        .map(|(_, _, data)| String::from_utf8_lossy(data).into_owned())
        .unwrap();
    assert!(title.contains("Example Press"), "{title}");
    let regular = fonts(&entries)
        .into_iter()
        .find(|(name, _)| *name == "LinLibertine_R.otf")
        .expect("the regular face is embedded")
        .1;
    let full = original("LinLibertine_R.otf");
    for font in [&full[..], regular] {
        let plain = shape(font, "xampleress", false);
        let small = shape(font, "xampleress", true);
        assert!(plain.iter().all(|&g| g != 0), "every letter has a glyph");
        assert!(
            small.iter().zip(&plain).all(|(s, p)| s != p && *s != 0),
            "small capitals: {small:?}, lower case: {plain:?}"
        );
    }
}

/// The font files of a one-file manuscript's EPUB whose body is `body`.
fn embedded(body: &str) -> Vec<String> {
    let text = format!("---\ntitle: T\nlang: en\n---\n{body}");
    let dir = project(&[("manuscripts/a.md", text.as_bytes())]);
    let out = roneo(dir.path(), &["build", "--format", "epub"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let epub = dir.path().join("dist/a.epub");
    let archive = zip::ZipArchive::new(std::fs::File::open(&epub).unwrap()).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .filter(|n| n.starts_with("EPUB/fonts/"))
        .map(|n| n.trim_start_matches("EPUB/fonts/").to_string())
        .collect();
    names.sort();
    // The stylesheet declares exactly the faces carried.
    let css = zip_entry(&epub, "EPUB/style.css");
    assert_eq!(css.matches("@font-face").count(), names.len(), "{css}");
    names
}

#[test]
fn only_the_faces_the_text_is_set_in_are_embedded() {
    // Regular text, and italic (the colophon's title is italic in every book).
    assert_eq!(
        embedded("Plain text, *emphasis*.\n"),
        ["LinLibertine_R.otf", "LinLibertine_RI.otf"]
    );
    assert_eq!(
        embedded("Plain text and **strong** words.\n"),
        [
            "LinLibertine_R.otf",
            "LinLibertine_RB.otf",
            "LinLibertine_RI.otf"
        ]
    );
    assert_eq!(
        embedded("Text with ***strong emphasis*** once.\n"),
        [
            "LinLibertine_R.otf",
            "LinLibertine_RBI.otf",
            "LinLibertine_RI.otf"
        ]
    );
    // A table's header cells are bold in every reading system.
    assert_eq!(
        embedded("| Head |\n|---|\n| *cell* |\n"),
        [
            "LinLibertine_R.otf",
            "LinLibertine_RB.otf",
            "LinLibertine_RI.otf"
        ]
    );
    // Raw HTML may set anything: every face.
    assert_eq!(embedded("<div><b><i>Both.</i></b></div>\n").len(), 4);
}

/// The fonts are cut down while the print edition is typeset, before its page breaks are
/// known; the EPUB made with those parts is the one made without them, and parts cut for
/// fewer characters than the finished text shows are not used.
#[test]
fn fonts_cut_before_the_page_breaks_give_the_same_ebook() {
    use roneo::epub::{EpubOptions, PageBreak, Parts, PrintEdition};
    let path = repo().join("manuscripts/chile-1973");
    let root = roneo::manuscript::project_root(&path);
    let project = roneo::manuscript::Project::open(&root, &mut Default::default());
    let (loaded, _) = roneo::build::load(&path, &project);
    let (_, doc) = loaded.expect("the seed loads");
    let style = roneo::style::resolve(&doc.meta.style, &project.root, &mut Default::default())
        .expect("its style resolves")
        .style;
    let edition = |source: &str| EpubOptions {
        print: Some(PrintEdition {
            source: source.into(),
            breaks: vec![PageBreak {
                label: "7".into(),
                chapter: 0,
                block: 3,
                offset: 0,
            }],
        }),
        cover: None,
    };
    let write = |options: &EpubOptions, parts| roneo::epub::write(&doc, &style, options, parts);
    let options = edition("Chile 1973, print edition (A5, 12 pages)");
    let plain = write(&options, None).unwrap();
    let parts = Parts::make(&doc, &style, "0123456789", None).unwrap();
    assert!(write(&options, Some(parts)).unwrap() == plain);
    // `Ж` is in the body face but nowhere in the seed: parts cut without it are made again.
    let options = edition("Chile 1973, edición impresa (Ж)");
    let plain = write(&options, None).unwrap();
    let parts = Parts::make(&doc, &style, "0123456789", None).unwrap();
    assert!(write(&options, Some(parts)).unwrap() == plain);
}
