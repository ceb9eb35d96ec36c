//! Fonts: the faces roneo ships in `fonts/`, compiled into the binary so that a build needs no
//! system fonts (all open-licensed; their licences sit beside them), and the faces a project
//! keeps in its own `fonts/` folder, read at run time.

use crate::diagnostic::{Diagnostic, Location};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// One font face: a file, or one face of a collection (`.ttc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontFace {
    /// File name, also used inside packages (`LinLibertine_R.otf`).
    pub file: &'static str,
    pub family: &'static str,
    pub italic: bool,
    pub bold: bool,
    /// CSS weight (400 regular, 700 bold), from the font's own OS/2 table.
    pub weight: u16,
    /// The face's index in its file (0 but in collections).
    pub index: u32,
    pub media_type: &'static str,
    pub data: &'static [u8],
    /// Shipped with roneo (compiled in), not read from the project.
    pub bundled: bool,
    /// Read from the system's font folders (`system-fonts: true`): the last fallback.
    pub system: bool,
}

macro_rules! face {
    ($path:literal, $file:literal, $family:literal, $italic:expr, $bold:expr, $media:literal) => {
        FontFace {
            file: $file,
            family: $family,
            italic: $italic,
            bold: $bold,
            weight: if $bold { 700 } else { 400 },
            index: 0,
            media_type: $media,
            data: include_bytes!(concat!("../fonts/", $path, "/", $file)),
            bundled: true,
            system: false,
        }
    };
}

/// The body family (Linux Libertine O): regular, italic, bold, bold italic.
pub static BODY: [FontFace; 4] = [
    face!(
        "libertine",
        "LinLibertine_R.otf",
        "Linux Libertine O",
        false,
        false,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinLibertine_RI.otf",
        "Linux Libertine O",
        true,
        false,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinLibertine_RB.otf",
        "Linux Libertine O",
        false,
        true,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinLibertine_RBI.otf",
        "Linux Libertine O",
        true,
        true,
        "font/otf"
    ),
];

/// The sans family (Linux Biolinum O, Libertine's companion): regular, italic, bold. It has no
/// bold italic; its bold stands in.
pub static SANS: [FontFace; 3] = [
    face!(
        "libertine",
        "LinBiolinum_R.otf",
        "Linux Biolinum O",
        false,
        false,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinBiolinum_RI.otf",
        "Linux Biolinum O",
        true,
        false,
        "font/otf"
    ),
    face!(
        "libertine",
        "LinBiolinum_RB.otf",
        "Linux Biolinum O",
        false,
        true,
        "font/otf"
    ),
];

/// Monospace for code (DejaVu Sans Mono).
pub static MONO: FontFace = face!(
    "dejavu",
    "DejaVuSansMono.ttf",
    "DejaVu Sans Mono",
    false,
    false,
    "font/ttf"
);

/// Fallback with wide coverage for characters the body family lacks (Noto Serif).
pub static FALLBACK: FontFace = face!(
    "noto",
    "NotoSerif-Regular.ttf",
    "Noto Serif",
    false,
    false,
    "font/ttf"
);

/// Serif faces for the scripts the body family lacks, regular and bold, drawn to sit with
/// a book face: Arabic (Noto Naskh Arabic), Hebrew and Devanagari (Noto Serif). CJK faces are
/// too big to ship; a project puts one in its `fonts/`.
pub static SCRIPTS: [FontFace; 6] = [
    face!(
        "noto",
        "NotoNaskhArabic-Regular.ttf",
        "Noto Naskh Arabic",
        false,
        false,
        "font/ttf"
    ),
    face!(
        "noto",
        "NotoNaskhArabic-Bold.ttf",
        "Noto Naskh Arabic",
        false,
        true,
        "font/ttf"
    ),
    face!(
        "noto",
        "NotoSerifHebrew-Regular.ttf",
        "Noto Serif Hebrew",
        false,
        false,
        "font/ttf"
    ),
    face!(
        "noto",
        "NotoSerifHebrew-Bold.ttf",
        "Noto Serif Hebrew",
        false,
        true,
        "font/ttf"
    ),
    face!(
        "noto",
        "NotoSerifDevanagari-Regular.ttf",
        "Noto Serif Devanagari",
        false,
        false,
        "font/ttf"
    ),
    face!(
        "noto",
        "NotoSerifDevanagari-Bold.ttf",
        "Noto Serif Devanagari",
        false,
        true,
        "font/ttf"
    ),
];

/// Every shipped face.
pub fn bundled() -> impl Iterator<Item = &'static FontFace> {
    BODY.iter()
        .chain(SANS.iter())
        .chain(std::iter::once(&MONO))
        .chain(std::iter::once(&FALLBACK))
        .chain(SCRIPTS.iter())
}

/// The shipped face whose compiled-in bytes `data` is (the same memory, not a copy with the
/// same content): such bytes are part of this binary, which a cache's key already names.
pub fn compiled_in(data: &[u8]) -> Option<&'static FontFace> {
    bundled().find(|f| std::ptr::eq(f.data.as_ptr(), data.as_ptr()) && f.data.len() == data.len())
}

/// The body face for a style.
pub fn body(italic: bool, bold: bool) -> &'static FontFace {
    &BODY[usize::from(italic) + 2 * usize::from(bold)]
}

/// Whether a shipped font can print `c`: the body family (or the monospace face for code), then
/// the fallbacks. White space and invisible format characters need no glyph.
pub fn can_print(c: char, code: bool) -> bool {
    static FACES: OnceLock<Vec<rustybuzz::ttf_parser::Face<'static>>> = OnceLock::new();
    // Every shipped face has printable ASCII (tested in `typeset::shape`): most text needs no
    // lookup.
    if c.is_ascii_graphic()
        || c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}'
        )
    {
        return true;
    }
    let faces = FACES.get_or_init(|| {
        [BODY[0], MONO, FALLBACK]
            .iter()
            .chain(SCRIPTS.iter().step_by(2))
            .filter_map(|f| rustybuzz::ttf_parser::Face::parse(f.data, 0).ok())
            .collect()
    });
    let primary = usize::from(code);
    faces[primary].glyph_index(c).is_some() || faces[2..].iter().any(|f| f.glyph_index(c).is_some())
}

/// `face` cut down to the glyphs that `text` needs, as an OpenType file for an ebook: `cmap`,
/// metrics and the layout tables (GSUB, GPOS, GDEF) keep what shaping those characters can
/// reach (ligatures, kerning, small capitals), so a reading system sets the text as the whole
/// font would; with `small_caps`, the small capitals too (`smcp`). skera subsets every table
/// but CFF outlines; those are subset by `subsetter` in the same glyph order and put in their
/// place. The same face and text give the same bytes.
pub fn subset(
    face: &FontFace,
    text: &std::collections::BTreeSet<char>,
    small_caps: bool,
) -> Result<Vec<u8>, String> {
    use read_fonts::collections::IntSet;
    use read_fonts::types::{GlyphId, NameId, Tag};
    use read_fonts::{FontRef, TableProvider};
    use skera::{Plan, SubsetFlags, DEFAULT_DROP_TABLES, DEFAULT_LAYOUT_FEATURES};

    let font = FontRef::from_index(face.data, face.index).map_err(|e| e.to_string())?;
    let unicodes: IntSet<u32> = text.iter().map(|&c| u32::from(c)).collect();
    let drop: IntSet<Tag> = DEFAULT_DROP_TABLES.iter().copied().collect();
    let mut scripts = IntSet::<Tag>::empty();
    scripts.invert();
    // The shaper's defaults (ligatures, kerning, marks), and small capitals where the
    // stylesheet asks for them (else reading systems fake them from shrunken capitals).
    let mut features: IntSet<Tag> = DEFAULT_LAYOUT_FEATURES.iter().copied().collect();
    if small_caps {
        features.insert(Tag::new(b"smcp"));
    }
    // Family and style names, the copyright notice and the licence (the OFL asks for both).
    let names: IntSet<NameId> = (0..=6u16).chain([13, 14]).map(NameId::new).collect();
    let languages: IntSet<u16> = [0x0409].into_iter().collect();
    let plan = Plan::new(
        &IntSet::empty(),
        &unicodes,
        &font,
        SubsetFlags::SUBSET_FLAGS_DEFAULT,
        &drop,
        &scripts,
        &features,
        &names,
        &languages,
    );
    let subset = skera::subset_font(&font, &plan).map_err(|e| e.to_string())?;
    if font.cff().is_err() {
        return Ok(subset);
    }
    // New glyph ids follow the old ones' order: ask subsetter for them in that order.
    let mut order: Vec<(GlyphId, GlyphId)> = plan.old_to_new_glyph_mapping().collect();
    order.sort_by_key(|&(_, new)| new);
    let mut remapper = subsetter::GlyphRemapper::new();
    for (i, (old, _)) in order.iter().enumerate() {
        let old = u16::try_from(old.to_u32()).map_err(|_| "glyph id out of range")?;
        if usize::from(remapper.remap(old)) != i {
            return Err("glyph order differs between the subsetters".into());
        }
    }
    let outlines =
        subsetter::subset(face.data, face.index, &remapper).map_err(|e| format!("{e:?}"))?;
    let cff = sfnt_tables(&outlines)?
        .into_iter()
        .find(|(tag, _)| tag == b"CFF ")
        .ok_or("no CFF table in the subset outlines")?
        .1;
    let mut tables = sfnt_tables(&subset)?;
    tables.retain(|(tag, _)| tag != b"CFF ");
    tables.push((*b"CFF ", cff));
    Ok(sfnt(b"OTTO", tables))
}

/// The tables of an OpenType file, by tag.
fn sfnt_tables(data: &[u8]) -> Result<Vec<([u8; 4], Vec<u8>)>, String> {
    let malformed = || "malformed font".to_string();
    let u16_at = |at: usize| -> Result<usize, String> {
        let b = data.get(at..at + 2).ok_or_else(malformed)?;
        Ok(usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let u32_at = |at: usize| -> Result<usize, String> {
        let b = data.get(at..at + 4).ok_or_else(malformed)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    (0..u16_at(4)?)
        .map(|i| {
            let record = 12 + 16 * i;
            let tag: [u8; 4] = data
                .get(record..record + 4)
                .ok_or_else(malformed)?
                .try_into()
                .map_err(|_| malformed())?;
            let (offset, length) = (u32_at(record + 8)?, u32_at(record + 12)?);
            let table = data.get(offset..offset + length).ok_or_else(malformed)?;
            Ok((tag, table.to_vec()))
        })
        .collect()
}

/// An OpenType file of `tables`, in tag order, with its checksums.
fn sfnt(version: &[u8; 4], mut tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    fn checksum(data: &[u8]) -> u32 {
        data.chunks(4).fold(0u32, |sum, word| {
            let mut padded = [0u8; 4];
            padded[..word.len()].copy_from_slice(word);
            sum.wrapping_add(u32::from_be_bytes(padded))
        })
    }
    tables.sort_by_key(|(tag, _)| *tag);
    let count = tables.len() as u16;
    let power = 1u16 << (15 - count.max(1).leading_zeros());
    let mut out = Vec::new();
    out.extend_from_slice(version);
    for field in [
        count,
        power * 16,
        power.trailing_zeros() as u16,
        count * 16 - power * 16,
    ] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for (tag, data) in &mut tables {
        if tag == b"head" && data.len() >= 12 {
            // checkSumAdjustment is reckoned with itself zero.
            data[8..12].fill(0);
            head_at = Some(offset);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        offset += data.len().next_multiple_of(4);
    }
    for (_, data) in &tables {
        out.extend_from_slice(data);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The folder of a project that holds its own fonts.
pub const PROJECT_FONTS: &str = "fonts";

/// The faces in a project's `fonts/` folder (and its subfolders), with the files read. A file
/// that is not a font is an error at that file; a project without the folder has none.
///
/// A file is read and parsed once per process and kept for its lifetime (the typesetter and
/// the PDF writer borrow faces as `'static`): a `watch` session reads a font again only when
/// it changes.
pub fn project_faces(root: &Path) -> (Vec<FontFace>, Vec<PathBuf>, Vec<Diagnostic>) {
    let files = font_files(vec![root.join(PROJECT_FONTS)]);
    let mut faces = Vec::new();
    let mut problems = Vec::new();
    // Read side by side: roneo's own repository keeps its 5 MB of shipped fonts there.
    let loaded: Vec<Loaded> = files.par_iter().map(|path| load_file(path)).collect();
    for (path, found) in files.iter().zip(loaded) {
        match found {
            Ok(mut found) => faces.append(&mut found),
            Err(message) => problems.push(
                Diagnostic::error("bad-font", format!("{}: {message}", path.display()))
                    .at(Location::file(path))
                    .help("replace the file with a working OpenType or TrueType font, or remove it from fonts/"),
            ),
        }
    }
    (faces, files, problems)
}

/// The folders system fonts are read from (`system-fonts: true`): those of Debian and most
/// Linux systems, the user's own, macOS's; `RONEO_TEST_SYSTEM_FONT_DIRS` (a path list, for
/// tests) stands in for them all.
pub fn system_font_dirs() -> Vec<PathBuf> {
    if let Some(dirs) = std::env::var_os("RONEO_TEST_SYSTEM_FONT_DIRS") {
        return std::env::split_paths(&dirs).collect();
    }
    let mut dirs: Vec<PathBuf> = [
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        "/Library/Fonts",
        "/System/Library/Fonts",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
        dirs.push(home.join("Library/Fonts"));
    }
    dirs
}

/// The faces in the system's font folders, in the order of their paths, with the files read.
/// A file there that roneo cannot read is skipped: it is not the project's to fix.
pub fn system_faces() -> (Vec<FontFace>, Vec<PathBuf>) {
    let files = font_files(system_font_dirs());
    let mut faces = Vec::new();
    let mut read = Vec::new();
    for path in files {
        if let Ok(found) = load_file(&path) {
            faces.extend(found.into_iter().map(|f| FontFace { system: true, ..f }));
            read.push(path);
        }
    }
    (faces, read)
}

/// The font files in `dirs` and their subfolders, sorted.
fn font_files(mut dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if font_media_type(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The compiled-in bytes of a shipped font that the file at `path` is a copy of (roneo's own
/// repository keeps its shipped fonts in its `fonts/`; a press may copy one there): compared in
/// small pieces, so that a copy costs no second allocation of the whole file (and, in the
/// shaper, no second parse: faces with the same bytes are parsed once).
fn shipped_copy(path: &Path, len: u64) -> Option<&'static [u8]> {
    use std::io::Read;
    let shipped = BODY
        .iter()
        .chain(&SANS)
        .chain([&MONO, &FALLBACK])
        .chain(&SCRIPTS)
        .find(|f| f.data.len() as u64 == len)?;
    let mut file = std::fs::File::open(path).ok()?;
    let mut buffer = vec![0; 64 << 10];
    let mut offset = 0;
    while offset < shipped.data.len() {
        let n = file.read(&mut buffer).ok()?;
        if n == 0 || buffer[..n] != shipped.data[offset..(offset + n).min(shipped.data.len())] {
            return None;
        }
        offset += n;
    }
    (file.read(&mut buffer).ok()? == 0).then_some(shipped.data)
}

fn font_media_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "otf" => Some("font/otf"),
        "ttf" => Some("font/ttf"),
        "ttc" => Some("font/collection"),
        _ => None,
    }
}

type Loaded = Result<Vec<FontFace>, String>;

/// The faces of one font file, read and parsed once per process (per size and mtime).
fn load_file(path: &Path) -> Loaded {
    static LOADED: OnceLock<Mutex<HashMap<(PathBuf, u64, std::time::SystemTime), Loaded>>> =
        OnceLock::new();
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    let key = (
        path.to_path_buf(),
        meta.len(),
        meta.modified().unwrap_or(std::time::UNIX_EPOCH),
    );
    let cache = LOADED.get_or_init(Default::default);
    if let Some(found) = cache.lock().expect("font cache").get(&key) {
        return found.clone();
    }
    let found = parse_file(path, meta.len());
    cache.lock().expect("font cache").insert(key, found.clone());
    found
}

fn parse_file(path: &Path, len: u64) -> Loaded {
    use rustybuzz::ttf_parser::{fonts_in_collection, name_id, Face};
    let data: &'static [u8] = match shipped_copy(path, len) {
        Some(data) => data,
        None => {
            let data = std::fs::read(path).map_err(|e| format!("cannot be read ({})", e.kind()))?;
            Box::leak(data.into_boxed_slice())
        }
    };
    let media_type = font_media_type(path).unwrap_or("font/otf");
    let file: &'static str = Box::leak(
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .into_boxed_str(),
    );
    let count = fonts_in_collection(data).unwrap_or(1);
    let mut faces = Vec::new();
    for index in 0..count {
        let face =
            Face::parse(data, index).map_err(|e| format!("is not a font roneo can read ({e})"))?;
        let name = |id: u16| {
            face.names()
                .into_iter()
                .filter(|n| n.name_id == id && n.is_unicode())
                .find_map(|n| n.to_string())
        };
        let family = name(name_id::TYPOGRAPHIC_FAMILY)
            .or_else(|| name(name_id::FAMILY))
            .ok_or("has no family name")?;
        let weight = face.weight().to_number();
        faces.push(FontFace {
            file,
            family: Box::leak(family.into_boxed_str()),
            italic: face.is_italic() || face.is_oblique(),
            bold: weight >= 600,
            weight,
            index,
            media_type,
            data,
            bundled: false,
            system: false,
        });
    }
    Ok(faces)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_copy_of_a_shipped_font_shares_its_bytes_and_a_changed_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let shipped = super::SCRIPTS[0].data;
        let copy = dir.path().join("copy.ttf");
        std::fs::write(&copy, shipped).unwrap();
        let found = super::shipped_copy(&copy, shipped.len() as u64).expect("a copy");
        assert_eq!(found, shipped);
        let mut changed = shipped.to_vec();
        *changed.last_mut().unwrap() ^= 1;
        std::fs::write(&copy, &changed).unwrap();
        assert!(super::shipped_copy(&copy, shipped.len() as u64).is_none());
        // The faces read from the copy are the shipped faces, read from the project.
        std::fs::write(&copy, shipped).unwrap();
        let faces = super::parse_file(&copy, shipped.len() as u64).unwrap();
        assert!(faces[0].data == shipped && !faces[0].bundled);
    }

    #[test]
    fn coverage() {
        assert!(
            super::can_print('ñ', false)
                && super::can_print('Ж', false)
                && super::can_print('\u{202F}', false)
        );
        assert!(['ب', 'ש', 'क'].iter().all(|&c| super::can_print(c, false)));
        assert!(!super::can_print('日', false));
    }

    /// The shipped faces say of themselves what the table above says of them.
    #[test]
    fn bundled_faces_describe_themselves() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let (faces, _, problems) = super::project_faces(dir);
        assert!(problems.is_empty());
        for shipped in super::bundled() {
            let read = faces
                .iter()
                .find(|f| f.file == shipped.file)
                .expect("shipped face is in fonts/");
            assert_eq!(
                (read.family, read.italic, read.bold),
                (shipped.family, shipped.italic, shipped.bold),
                "{}",
                shipped.file
            );
        }
    }
}
