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
    // A frame, or a skippable frame (pzstd writes one first) followed by a frame.
    let magic = |at: usize| {
        head.get(at..at + 4)
            .map(|bytes| u32::from_le_bytes(bytes.try_into().expect("four bytes")))
    };
    match magic(0) {
        Some(ZSTD_MAGIC) => true,
        Some(value) if SKIPPABLE_MAGIC.contains(&value) => {
            let size = magic(4).map_or(usize::MAX, |size| size as usize);
            size.checked_add(8)
                .is_some_and(|next| magic(next) == Some(ZSTD_MAGIC))
        }
        _ => false,
    }
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
        Kind::Zstd => Box::new(ZstdFrames::new(reader)?),
        other => {
            return Err(io::Error::other(format!(
                "{} is not a compressed stream",
                other.name()
            )))
        }
    })
}

/// A zstd stream of one or more frames, as `zstd` and `pzstd` write them (`cat a.zst b.zst` is
/// one stream; pzstd puts a skippable frame first): frames are decoded one after another,
/// skippable frames passed over, and bytes after the last frame that are not a frame are an
/// error, as trailing data is for gzip, bzip2 and xz, so the scan says so.
struct ZstdFrames<R: Read> {
    frame: Option<ruzstd::decoding::StreamingDecoder<Pushback<R>, ruzstd::decoding::FrameDecoder>>,
}

/// zstd's frame magic, and the range of skippable-frame magics (little-endian).
const ZSTD_MAGIC: u32 = 0xFD2F_B528;
const SKIPPABLE_MAGIC: std::ops::RangeInclusive<u32> = 0x184D_2A50..=0x184D_2A5F;

impl<R: Read> ZstdFrames<R> {
    fn new(reader: R) -> io::Result<Self> {
        let mut frames = Self { frame: None };
        frames.next_frame(Pushback {
            pending: Vec::new(),
            inner: reader,
        })?;
        Ok(frames)
    }

    /// Starts the next frame of `reader`, passing over skippable ones; none at its end.
    fn next_frame(&mut self, mut reader: Pushback<R>) -> io::Result<()> {
        loop {
            let mut magic = [0u8; 4];
            let got = read_up_to(&mut reader, &mut magic)?;
            if got == 0 {
                return Ok(());
            }
            if got < 4 {
                return Err(invalid("trailing bytes after the zstd stream"));
            }
            let value = u32::from_le_bytes(magic);
            if SKIPPABLE_MAGIC.contains(&value) {
                let mut size = [0u8; 4];
                reader.read_exact(&mut size)?;
                let size = u64::from(u32::from_le_bytes(size));
                let skipped = io::copy(&mut (&mut reader).take(size), &mut io::sink())?;
                if skipped < size {
                    return Err(invalid("a skippable zstd frame is cut short"));
                }
                continue;
            }
            if value != ZSTD_MAGIC {
                return Err(invalid("trailing data after the zstd stream"));
            }
            reader.pending = magic.to_vec();
            let decoder = ruzstd::decoding::StreamingDecoder::new(reader)
                .map_err(|err| invalid(&err.to_string()))?;
            self.frame = Some(decoder);
            return Ok(());
        }
    }
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while let Some(frame) = &mut self.frame {
            let read = frame.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            let reader = self.frame.take().expect("a frame is open").into_inner();
            self.next_frame(reader)?;
        }
        Ok(0)
    }
}

/// A reader that gives back bytes it was handed first.
struct Pushback<R> {
    pending: Vec<u8>,
    inner: R,
}

impl<R: Read> Read for Pushback<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.pending.is_empty() {
            let count = self.pending.len().min(buf.len());
            buf[..count].copy_from_slice(&self.pending[..count]);
            self.pending.drain(..count);
            return Ok(count);
        }
        self.inner.read(buf)
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(filled)
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}
