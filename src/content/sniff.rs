//! What a piece of content is, from its first bytes (never from its name: a `training_args.bin`
//! is a zip, a `.pt` may be a pickle, a layer blob in an OCI image has no extension at all).
//!
//! The registry: each format's own file says what it recognises; this table says in which
//! order they are asked, most specific first.

use super::{
    archive, arrow, compress, gitpack, marshal, notebook, numpy, parquet, pickle, sevenzip, sqlite,
    tar, tfrecord, utf16,
};
use crate::finding::Encoding;

/// How many bytes of a stream are looked at before deciding: a tar header's magic sits at
/// 257..262, a `.pyc`'s first object at 16.
pub const HEAD_LEN: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    Zlib,
    Zip,
    SevenZip,
    GitPack,
    Tar,
    Pickle,
    Marshal,
    Numpy,
    Sqlite,
    TfRecord,
    Parquet,
    Arrow,
    Utf16Le,
    Utf16Be,
    Notebook,
    /// Anything else: scanned as it is (text, or binary with the encoded-token searches).
    Plain,
}

impl Kind {
    /// The layer's name, for warnings.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Gzip => "gzip",
            Kind::Bzip2 => "bzip2",
            Kind::Xz => "xz",
            Kind::Zstd => "zstd",
            Kind::Zlib => "zlib",
            Kind::Zip => "zip",
            Kind::SevenZip => "7z",
            Kind::GitPack => "git pack",
            Kind::Tar => "tar",
            Kind::Pickle => "pickle",
            Kind::Marshal => "marshal",
            Kind::Numpy => "numpy",
            Kind::Sqlite => "sqlite",
            Kind::TfRecord => "tfrecord",
            Kind::Parquet => "parquet",
            Kind::Arrow => "arrow",
            Kind::Utf16Le => "utf-16le",
            Kind::Utf16Be => "utf-16be",
            Kind::Notebook => "notebook",
            Kind::Plain => "plain",
        }
    }

    /// How a finding says this layer found it.
    pub fn found_as(self) -> Encoding {
        match self {
            Kind::Gzip => Encoding::Gzip,
            Kind::Bzip2 => Encoding::Bzip2,
            Kind::Xz => Encoding::Xz,
            Kind::Zstd => Encoding::Zstd,
            Kind::Zlib => Encoding::Zlib,
            Kind::Pickle => Encoding::Pickle,
            Kind::Marshal => Encoding::Marshal,
            Kind::Numpy => Encoding::Numpy,
            Kind::Sqlite => Encoding::Sqlite,
            Kind::TfRecord => Encoding::Protobuf,
            Kind::Parquet => Encoding::Parquet,
            Kind::Arrow => Encoding::Arrow,
            Kind::Utf16Le => Encoding::Utf16Le,
            Kind::Utf16Be => Encoding::Utf16Be,
            Kind::Zip
            | Kind::SevenZip
            | Kind::GitPack
            | Kind::Tar
            | Kind::Notebook
            | Kind::Plain => Encoding::Plain,
        }
    }

    /// Containers and compressed streams: what `--no-archives` turns off and
    /// `--max-archive-depth` counts.
    pub fn is_container(self) -> bool {
        !matches!(
            self,
            Kind::Pickle
                | Kind::Marshal
                | Kind::Numpy
                | Kind::Sqlite
                | Kind::TfRecord
                | Kind::Parquet
                | Kind::Arrow
                | Kind::Utf16Le
                | Kind::Utf16Be
                | Kind::Notebook
                | Kind::Plain
        )
    }
}

/// Whether content starting with these bytes is of a format.
type Recognise = fn(&[u8]) -> bool;

/// The registry, in the order formats are tried.
const REGISTRY: &[(Kind, Recognise)] = &[
    (Kind::Gzip, compress::is_gzip),
    (Kind::Bzip2, compress::is_bzip2),
    (Kind::Xz, compress::is_xz),
    (Kind::Zstd, compress::is_zstd),
    (Kind::Zip, archive::is_zip),
    (Kind::SevenZip, sevenzip::is_7z),
    (Kind::GitPack, gitpack::is_pack),
    (Kind::Tar, tar::is_tar),
    (Kind::Marshal, marshal::is_pyc),
    (Kind::Numpy, numpy::is_npy),
    (Kind::Sqlite, sqlite::is_sqlite),
    (Kind::TfRecord, tfrecord::is_tfrecord),
    (Kind::Parquet, parquet::is_parquet),
    (Kind::Arrow, arrow::is_arrow),
    // After every format with a magic of its own: two header bytes and a clean inflate of the
    // head are strong, but a magic is stronger.
    (Kind::Zlib, compress::is_zlib),
    (Kind::Pickle, pickle::is_pickle),
    (Kind::Utf16Le, utf16::is_utf16le),
    (Kind::Utf16Be, utf16::is_utf16be),
    (Kind::Notebook, notebook::is_notebook),
];

/// The kind of the content that starts with `head` (at most `HEAD_LEN` bytes; fewer when the
/// content is shorter).
pub fn sniff(head: &[u8]) -> Kind {
    REGISTRY
        .iter()
        .find(|(_, recognises)| recognises(head))
        .map_or(Kind::Plain, |(kind, _)| *kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_short_content_are_plain() {
        for head in [
            &b""[..],
            b"P",
            b"PK",
            b"hello world\n",
            b"(see below)\n",
            b"\x1f",
            b"BZh9 not bzip",
        ] {
            assert_eq!(sniff(head), Kind::Plain, "{head:?}");
        }
    }

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(sniff(b"\x1f\x8b\x08\x00rest"), Kind::Gzip);
        assert_eq!(sniff(b"BZh91AY&SY"), Kind::Bzip2);
        assert_eq!(sniff(b"\xfd7zXZ\x00\x00"), Kind::Xz);
        assert_eq!(sniff(b"\x28\xb5\x2f\xfd\x00"), Kind::Zstd);
        assert_eq!(sniff(b"PK\x03\x04\x14\x00"), Kind::Zip);
        assert_eq!(sniff(b"\x80\x04\x95\x10\x00"), Kind::Pickle);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut zlib, b"blob 12\0hello world\n").unwrap();
        assert_eq!(sniff(&zlib.finish().unwrap()), Kind::Zlib);
        // A zlib header on text that does not inflate is text.
        assert_eq!(
            sniff(b"x^2 + y^2 = r^2, so the circle's radius follows\n"),
            Kind::Plain
        );
    }
}
