//! Compressed streams: gzip, bzip2, xz and zstd, each recognised by its magic bytes and read
//! as a stream (never whole in memory). Positions inside are offsets into the decompressed
//! bytes, with lines and columns counted there.

use std::io::{self, Read};

use super::sniff::Kind;

/// The most an xz block may ask for its dictionary: a header claiming gigabytes is refused
/// before anything is allocated.
const XZ_MEMORY_LIMIT_KIB: u32 = 256 * 1024;

pub fn is_gzip(head: &[u8]) -> bool {
    // Magic, then method 8 (deflate): the only one gzip defines.
    head.starts_with(&[0x1f, 0x8b, 0x08])
}

pub fn is_bzip2(head: &[u8]) -> bool {
    // `BZh`, the block size digit, then a block's or the end-of-stream's magic.
    head.len() >= 10
        && head.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&head[3])
        && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
            || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
}

pub fn is_xz(head: &[u8]) -> bool {
    head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00])
}

pub fn is_zstd(head: &[u8]) -> bool {
    head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
}

/// A reader of the decompressed bytes of `reader`, which holds a stream of `kind`.
pub fn decoder<'a>(kind: Kind, reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        // Multi-member: `cat a.gz b.gz` and pigz/bgzip output are one file.
        Kind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        Kind::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            reader,
            true,
            XZ_MEMORY_LIMIT_KIB,
        )),
        Kind::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(reader)
                .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err.to_string()))?,
        ),
        other => {
            return Err(io::Error::other(format!(
                "{} is not a compressed stream",
                other.name()
            )))
        }
    })
}
