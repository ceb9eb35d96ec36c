//! Compresses the shipped ebook fonts once, at compile time. Deflating 1.7 MB of fonts is most of an
//! EPUB build's time; done here, every build just copies the compressed entries. Also
//! fingerprints what shapes the output, for the build cache.

use std::io::Write;
use std::path::PathBuf;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The shipped faces an EPUB may embed (the files of `fonts::BODY` and `fonts::SANS`).
const EPUB_FONTS: [&str; 7] = [
    "libertine/LinLibertine_R.otf",
    "libertine/LinLibertine_RI.otf",
    "libertine/LinLibertine_RB.otf",
    "libertine/LinLibertine_RBI.otf",
    "libertine/LinBiolinum_R.otf",
    "libertine/LinBiolinum_RI.otf",
    "libertine/LinBiolinum_RB.otf",
];

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("epub-fonts.zip");
    let mut zip = ZipWriter::new(std::fs::File::create(&out).unwrap());
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    for font in EPUB_FONTS {
        println!("cargo::rerun-if-changed=fonts/{font}");
        let data = std::fs::read(format!("fonts/{font}")).unwrap();
        let name = font.rsplit('/').next().unwrap();
        zip.start_file(format!("EPUB/fonts/{name}"), options)
            .unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap();

    // A fingerprint of everything that shapes the output: the shipped fonts, roneo's own source
    // (typesetting rules, templates) and the locked dependencies, so that build caches notice a
    // new font or a new roneo even when the version number stays the same.
    let mut inputs: Vec<PathBuf> = vec![PathBuf::from("Cargo.lock")];
    let mut dirs = vec![PathBuf::from("fonts"), PathBuf::from("src")];
    while let Some(dir) = dirs.pop() {
        println!("cargo::rerun-if-changed={}", dir.display());
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path)
            } else {
                inputs.push(path)
            }
        }
    }
    inputs.sort();
    let mut fingerprint: u64 = 0xcbf2_9ce4_8422_2325;
    for path in inputs {
        println!("cargo::rerun-if-changed={}", path.display());
        for byte in path
            .to_string_lossy()
            .bytes()
            .chain(std::fs::read(&path).unwrap())
        {
            fingerprint = (fingerprint ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3);
        }
    }
    println!("cargo::rustc-env=RONEO_BUILD_HASH={fingerprint:016x}");
    println!("cargo::rerun-if-changed=build.rs");
}
