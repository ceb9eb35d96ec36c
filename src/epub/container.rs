//! The OCF container: a zip whose first entry is an uncompressed `mimetype`, with a fixed
//! timestamp on every entry so that the same inputs give byte-identical files.

use std::io::{Cursor, Write};
use zip::write::{PreparedZipFile, SimpleFileOptions};
use zip::{CompressionMethod, DateTime, ZipWriter};

/// Files of an EPUB package, written in the order they were added.
pub struct Container {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    stamp: DateTime,
}

impl Container {
    /// `modified` is the publication's modification time (Unix seconds), used as every entry's date.
    pub fn new(modified: i64) -> zip::result::ZipResult<Self> {
        let stamp = stamp(modified);
        let mut container = Container {
            zip: ZipWriter::new(Cursor::new(Vec::new())),
            stamp,
        };
        container.add("mimetype", b"application/epub+zip", Packing::Stored)?;
        container.add(
            "META-INF/container.xml",
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n<rootfiles>\n<rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n</container>\n",
            Packing::Deflated,
        )?;
        Ok(container)
    }

    /// Adds a file, packed as `packing` says.
    pub fn add(&mut self, path: &str, data: &[u8], packing: Packing) -> zip::result::ZipResult<()> {
        self.zip.start_file(path, options(self.stamp, packing))?;
        self.zip.write_all(data)?;
        Ok(())
    }

    /// Adds a file [`prepare`]d beforehand (compressed on another thread).
    pub fn add_prepared(&mut self, file: PreparedZipFile) -> zip::result::ZipResult<()> {
        self.zip.add_prepared_file(file)
    }

    pub fn finish(self) -> zip::result::ZipResult<Vec<u8>> {
        Ok(self.zip.finish()?.into_inner())
    }
}

/// Every entry's date: the publication's modification time (Unix seconds).
fn stamp(modified: i64) -> DateTime {
    let (y, mo, d, h, mi, s) = crate::date::civil(modified);
    // Zip dates start in 1980.
    DateTime::from_date_and_time(
        y.clamp(1980, 2107) as u16,
        mo as u8,
        d as u8,
        h as u8,
        mi as u8,
        s as u8,
    )
    .unwrap_or_default()
}

/// How an entry's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    /// As they are: the mimetype, and data compressed already (photographs).
    Stored,
    /// Deflated at zlib's default level.
    Deflated,
    /// Deflated at level 2, for cut-down fonts: as small within 2 % (the seed's three faces
    /// 63.6 KB against 62.5 KB) in half the time, and their deflating is the last thing a
    /// short book's EPUB waits for.
    DeflatedFast,
}

fn options(stamp: DateTime, packing: Packing) -> SimpleFileOptions {
    let (method, level) = match packing {
        Packing::Stored => (CompressionMethod::Stored, None),
        Packing::Deflated => (CompressionMethod::Deflated, None),
        Packing::DeflatedFast => (CompressionMethod::Deflated, Some(2)),
    };
    SimpleFileOptions::default()
        .compression_method(method)
        .compression_level(level)
        .last_modified_time(stamp)
        .unix_permissions(0o644)
}

/// A file compressed now, to be added to the container of a publication modified at
/// `modified` later: the same bytes as [`Container::add`] writes.
pub fn prepare(
    modified: i64,
    path: &str,
    data: &[u8],
    packing: Packing,
) -> zip::result::ZipResult<PreparedZipFile> {
    PreparedZipFile::from_data(path, options(stamp(modified), packing), data)
}
