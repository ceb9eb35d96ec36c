//! Fingerprints what shapes the output, for the build cache.

use std::path::PathBuf;

fn main() {
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
