//! Images a manuscript names: resolved relative to the naming file, confined to the project
//! root, read once, checked by decoding, and given a stable output name.

use super::Dependencies;
use crate::diagnostic::Location;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// An image the manuscript uses.
#[derive(Debug, Clone)]
pub struct Asset {
    /// File the asset was read from.
    pub source: PathBuf,
    /// Unique file name for output packages, e.g. `allende.jpg`.
    pub name: String,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    pub data: Arc<Vec<u8>>,
    /// Where the manuscript first names it: the reference as written, and the place.
    pub first_use: (String, Location),
}

/// Why an image reference could not become an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetError {
    NotFound(PathBuf),
    OutsideProject(PathBuf),
    Unreadable(PathBuf, String),
    Corrupt(PathBuf, String),
    Unsupported(PathBuf),
    Remote,
}

impl AssetError {
    pub fn code(&self) -> &'static str {
        match self {
            AssetError::NotFound(_) => "missing-image",
            AssetError::OutsideProject(_) => "asset-outside-project",
            AssetError::Unreadable(..) => "unreadable-image",
            AssetError::Corrupt(..) => "corrupt-image",
            AssetError::Unsupported(_) => "unsupported-image",
            AssetError::Remote => "remote-image",
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            AssetError::NotFound(_) => "paths are relative to the Markdown file that names the image; check the spelling",
            AssetError::OutsideProject(_) => "copy the image into the project (e.g. an `images/` folder beside the manuscript)",
            AssetError::Unreadable(..) => "name the image file itself (not its folder), and check that it may be read",
            AssetError::Corrupt(..) => "re-export the image from its source as JPEG or PNG",
            AssetError::Unsupported(_) => "use a JPEG, PNG, GIF or WebP image",
            AssetError::Remote => "download the image into the project; books are built offline and must not depend on the network",
        }
    }
}

/// All assets of one manuscript, deduplicated by canonical path.
#[derive(Debug, Default)]
pub struct AssetStore {
    root: PathBuf,
    /// The root as an absolute but not canonical path, for judging files that do not exist.
    root_as_given: PathBuf,
    assets: Vec<Asset>,
    by_path: HashMap<PathBuf, usize>,
    /// The files read and the paths probed.
    dependencies: Dependencies,
}

impl AssetStore {
    /// `root` is the project root: no asset may be read from outside it.
    pub fn new(root: &Path) -> Self {
        let root_as_given =
            normalize(&std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()));
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        AssetStore {
            root,
            root_as_given,
            assets: Vec::new(),
            by_path: HashMap::new(),
            dependencies: Dependencies::default(),
        }
    }

    /// Notes a path looked for (found or not) outside [`AssetStore::resolve`].
    pub fn probed(&mut self, path: &Path) {
        self.dependencies.file(path);
    }

    pub fn dependencies(&self) -> &Dependencies {
        &self.dependencies
    }

    /// Resolves `href` as written in `from_file` (at `at`) and loads it once. The image is
    /// only sniffed here; [`verify`] decodes them all, in parallel.
    pub fn resolve(
        &mut self,
        from_file: &Path,
        href: &str,
        at: &Location,
    ) -> Result<usize, AssetError> {
        if href.contains("://") || href.starts_with("data:") || href.starts_with("//") {
            return Err(AssetError::Remote);
        }
        let href = percent_decode(href.split(['?', '#']).next().unwrap_or(href));
        // Absolute before normalising, so that leading `..` components are not lost.
        // A bare file name (`roneo build book.md`) has an empty parent: the current folder.
        let dir = from_file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let base = std::path::absolute(dir).unwrap_or_default();
        let joined = normalize(&base.join(&href));
        self.dependencies.file(&joined);
        let canonical = match joined.canonicalize() {
            Ok(p) => p,
            Err(_)
                if !joined.starts_with(&self.root) && !joined.starts_with(&self.root_as_given) =>
            {
                return Err(AssetError::OutsideProject(PathBuf::from(&href)))
            }
            Err(_) => return Err(AssetError::NotFound(PathBuf::from(&href))),
        };
        // Checked after canonicalising so that symbolic links cannot leave the project either.
        if !canonical.starts_with(&self.root) {
            return Err(AssetError::OutsideProject(PathBuf::from(&href)));
        }
        if let Some(&id) = self.by_path.get(&canonical) {
            return Ok(id);
        }
        // Through a symbolic link, the file it leads to changes the image too.
        self.dependencies.file(&canonical);
        let data = std::fs::read(&canonical).map_err(|e| {
            AssetError::Unreadable(PathBuf::from(&href), crate::diagnostic::os_error(&e))
        })?;
        let asset = self.check(&canonical, &href, data, at)?;
        let id = self.assets.len();
        self.assets.push(asset);
        self.by_path.insert(canonical, id);
        Ok(id)
    }

    fn check(
        &self,
        path: &Path,
        href: &str,
        data: Vec<u8>,
        at: &Location,
    ) -> Result<Asset, AssetError> {
        let format = image::guess_format(&data).map_err(|_| {
            if matches!(
                extension(path).as_str(),
                "jpg" | "jpeg" | "png" | "gif" | "webp"
            ) {
                AssetError::Corrupt(
                    PathBuf::from(href),
                    "the file is not an image of the kind its name says".into(),
                )
            } else {
                AssetError::Unsupported(PathBuf::from(href))
            }
        })?;
        let (media_type, ext) = match format {
            image::ImageFormat::Jpeg => ("image/jpeg", "jpg"),
            image::ImageFormat::Png => ("image/png", "png"),
            image::ImageFormat::Gif => ("image/gif", "gif"),
            image::ImageFormat::WebP => ("image/webp", "webp"),
            _ => return Err(AssetError::Unsupported(PathBuf::from(href))),
        };
        let (width, height) = image::ImageReader::with_format(std::io::Cursor::new(&data), format)
            .into_dimensions()
            .map_err(|e| AssetError::Corrupt(PathBuf::from(href), e.to_string()))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("image");
        let mut base: String = stem
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base = format!("img-{base}");
        }
        let mut name = format!("{base}.{ext}");
        let mut n = 2;
        while self.assets.iter().any(|a| a.name == name) {
            name = format!("{base}-{n}.{ext}");
            n += 1;
        }
        Ok(Asset {
            source: path.to_path_buf(),
            name,
            media_type,
            width,
            height,
            data: Arc::new(data),
            first_use: (href.to_string(), at.clone()),
        })
    }

    pub fn into_assets(self) -> Vec<Asset> {
        self.assets
    }
}

/// Decodes every image: the only reliable test for truncated or damaged files, and the
/// slowest part of loading a manuscript with photographs, so the build runs it beside the
/// typesetting. Returns the damaged ones with the place each is first used.
pub fn verify(assets: &[Asset]) -> Vec<(AssetError, String, Location)> {
    assets
        .par_iter()
        .filter_map(|a| {
            let why = decode(a).err()?;
            let (href, at) = a.first_use.clone();
            Some((AssetError::Corrupt(PathBuf::from(&href), why), href, at))
        })
        .collect()
}

fn decode(asset: &Asset) -> Result<(), String> {
    if asset.media_type == "image/jpeg" {
        // Strict: a photograph cut short is an error, not a grey lower half. Decoded to grey:
        // every component's data is still read (a fault anywhere in it is found), but the
        // colour is neither upsampled nor converted, which is a third of the time.
        let options = zune_core::options::DecoderOptions::default()
            .set_strict_mode(true)
            .jpeg_set_out_colorspace(zune_core::colorspace::ColorSpace::Luma);
        let cursor = zune_core::bytestream::ZCursor::new(asset.data.as_slice());
        return zune_jpeg::JpegDecoder::new_with_options(cursor, options)
            .decode()
            .map(drop)
            .map_err(|e| e.to_string());
    }
    let Some(format) = image::ImageFormat::from_mime_type(asset.media_type) else {
        return Ok(());
    };
    image::load_from_memory_with_format(&asset.data, format)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Removes `.` and `..` lexically, so containment can be judged even for missing files.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b.png"), "a b.png");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn refuses_remote_and_escaping_paths() {
        let dir = std::env::temp_dir().join("roneo-assets-test");
        std::fs::create_dir_all(dir.join("book")).unwrap();
        let mut store = AssetStore::new(&dir);
        let from = dir.join("book/index.md");
        let at = Location::file(&from);
        assert_eq!(
            store.resolve(&from, "https://x.org/a.png", &at),
            Err(AssetError::Remote)
        );
        assert!(matches!(
            store.resolve(&from, "../../../../etc/passwd", &at),
            Err(AssetError::OutsideProject(_))
        ));
        assert!(matches!(
            store.resolve(&from, "missing.png", &at),
            Err(AssetError::NotFound(_))
        ));
    }
}
