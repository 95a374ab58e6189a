//! Compressed streams: gzip, bzip2, xz and zstd, each recognised by its magic bytes and read
//! as a stream (never whole in memory). Positions inside are offsets into the decompressed
//! bytes, with lines and columns counted there. A gzip member's header can carry text of its
//! own (an original file name, a comment, an extra field): those are kept, bounded, for the
//! content layer to scan as metadata.

use std::cell::RefCell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use super::read_up_to;
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

/// A zlib stream: a header whose check bits add up (deflate, a window of at most 32 KiB, no
/// preset dictionary), and a start that inflates without error, so text that merely begins
/// with such two bytes (`x^`) is not taken for one.
pub fn is_zlib(head: &[u8]) -> bool {
    let [method, flags, ..] = *head else {
        return false;
    };
    if method & 0x0f != 8 || method >> 4 > 7 || flags & 0x20 != 0 {
        return false;
    }
    if (u16::from(method) << 8 | u16::from(flags)) % 31 != 0 {
        return false;
    }
    let mut inflater = flate2::Decompress::new(true);
    let mut out = vec![0u8; 4096];
    let mut input = head;
    loop {
        let before = (inflater.total_in(), inflater.total_out());
        match inflater.decompress(input, &mut out, flate2::FlushDecompress::None) {
            Err(_) => return false,
            Ok(flate2::Status::StreamEnd) => return true,
            Ok(_) => {}
        }
        let used = (inflater.total_in() - before.0) as usize;
        input = &input[used..];
        // All of the head inflated cleanly, into something.
        if input.is_empty() || (used == 0 && inflater.total_out() == before.1) {
            return inflater.total_out() > 0;
        }
    }
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

/// A reader of the decompressed bytes of `reader`, which holds a stream of `kind`; header text
/// a format carries goes to `fields`.
pub fn decoder<'a>(
    kind: Kind,
    reader: impl Read + 'a,
    fields: &HeaderFields,
) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        // Multi-member: `cat a.gz b.gz` and pigz/bgzip output are one file.
        Kind::Gzip => Box::new(GzipMembers::new(BufReader::new(reader), Rc::clone(fields))),
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(reader)),
        Kind::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
            reader,
            true,
            XZ_MEMORY_LIMIT_KIB,
        )),
        Kind::Zstd => Box::new(ZstdFrames::new(reader)?),
        Kind::Zlib => Box::new(ZlibStream {
            decoder: flate2::bufread::ZlibDecoder::new(BufReader::new(reader)),
            ended: false,
        }),
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
    frame: Option<zstd::stream::read::Decoder<'static, Pushback<BufReader<R>>>>,
}

/// zstd's frame magic, and the range of skippable-frame magics (little-endian).
const ZSTD_MAGIC: u32 = 0xFD2F_B528;
const SKIPPABLE_MAGIC: std::ops::RangeInclusive<u32> = 0x184D_2A50..=0x184D_2A5F;

impl<R: Read> ZstdFrames<R> {
    fn new(reader: R) -> io::Result<Self> {
        let mut frames = Self { frame: None };
        frames.next_frame(Pushback {
            pending: Vec::new(),
            inner: BufReader::new(reader),
        })?;
        Ok(frames)
    }

    /// Starts the next frame of `reader`, passing over skippable ones; none at its end.
    fn next_frame(&mut self, mut reader: Pushback<BufReader<R>>) -> io::Result<()> {
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
            // One frame at a time: libzstd takes exactly the frame's bytes from the buffer,
            // so what follows it is where the next frame (or trailing data) begins.
            let decoder = zstd::stream::read::Decoder::with_buffer(reader)?.single_frame();
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
            let reader = self.frame.take().expect("a frame is open").finish();
            self.next_frame(reader)?;
        }
        Ok(0)
    }
}

/// One zlib stream; bytes after its end are an error, as trailing data is for every format.
struct ZlibStream<R: BufRead> {
    decoder: flate2::bufread::ZlibDecoder<R>,
    ended: bool,
}

impl<R: BufRead> Read for ZlibStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.ended || buf.is_empty() {
            return Ok(0);
        }
        let read = self.decoder.read(buf)?;
        if read == 0 {
            self.ended = true;
            if !self.decoder.get_mut().fill_buf()?.is_empty() {
                return Err(invalid("trailing data after the zlib stream"));
            }
        }
        Ok(read)
    }
}

/// Text from compressed streams' headers, in the order met: (what it is, its bytes).
pub type HeaderFields = Rc<RefCell<FieldList>>;

/// Header fields kept for scanning, within `MAX_FIELD_BYTES` in all; past that, how many bytes
/// were not kept.
#[derive(Default)]
pub struct FieldList {
    pub fields: Vec<(&'static str, Vec<u8>)>,
    kept: usize,
    pub dropped: u64,
}

/// The most of all gzip header text of one stream kept for scanning (a name or comment of any
/// length is read through, not held).
const MAX_FIELD_BYTES: usize = 1 << 20;

impl FieldList {
    fn keep(&mut self, what: &'static str, bytes: Vec<u8>, beyond: u64) {
        let room = MAX_FIELD_BYTES - self.kept;
        let kept = bytes.len().min(room);
        self.dropped += (bytes.len() - kept) as u64 + beyond;
        if kept > 0 {
            self.kept += kept;
            let mut bytes = bytes;
            bytes.truncate(kept);
            self.fields.push((what, bytes));
        }
    }
}

/// A gzip stream of one or more members (`cat a.gz b.gz`, pigz, bgzip), each header parsed
/// here so its name, comment and extra field are kept (flate2's reader keeps only the first
/// member's, of any length), each member's CRC-32 and length checked, and bytes after the last
/// member an error.
struct GzipMembers<R: BufRead> {
    state: GzipState<R>,
    crc: flate2::Crc,
    fields: HeaderFields,
}

enum GzipState<R: BufRead> {
    /// Before a member (the first, or after a trailer).
    Between {
        reader: R,
        first: bool,
    },
    Member(flate2::bufread::DeflateDecoder<R>),
    Done,
}

impl<R: BufRead> GzipMembers<R> {
    fn new(reader: R, fields: HeaderFields) -> Self {
        Self {
            state: GzipState::Between {
                reader,
                first: true,
            },
            crc: flate2::Crc::new(),
            fields,
        }
    }

    /// Reads a member's header, keeping its text; false at the end of the stream.
    fn header(&mut self, reader: &mut R, first: bool) -> io::Result<bool> {
        if reader.fill_buf()?.is_empty() {
            return if first {
                Err(invalid("an empty gzip stream"))
            } else {
                Ok(false)
            };
        }
        let mut fixed = [0u8; 10];
        let got = read_up_to(reader, &mut fixed)?;
        if got < 10 || fixed[..3] != [0x1f, 0x8b, 0x08] {
            return Err(invalid("trailing data after the gzip stream"));
        }
        let flags = fixed[3];
        if flags & 0xe0 != 0 {
            return Err(invalid("a gzip header with reserved flags set"));
        }
        let mut fields = self.fields.borrow_mut();
        if flags & 0x04 != 0 {
            let mut length = [0u8; 2];
            reader.read_exact(&mut length)?;
            let mut extra = Vec::new();
            let length = u64::from(u16::from_le_bytes(length));
            reader.take(length).read_to_end(&mut extra)?;
            if (extra.len() as u64) < length {
                return Err(invalid("a gzip header is cut short"));
            }
            fields.keep("gzip extra field", extra, 0);
        }
        for (flag, what) in [(0x08, "gzip name"), (0x10, "gzip comment")] {
            if flags & flag != 0 {
                let (text, beyond) = read_to_nul(reader, MAX_FIELD_BYTES)?;
                fields.keep(what, text, beyond);
            }
        }
        if flags & 0x02 != 0 {
            let mut header_crc = [0u8; 2];
            reader.read_exact(&mut header_crc)?;
        }
        Ok(true)
    }

    /// Checks a finished member's trailer against what it inflated to.
    fn trailer(&mut self, reader: &mut R) -> io::Result<()> {
        let mut trailer = [0u8; 8];
        if read_up_to(reader, &mut trailer)? < 8 {
            return Err(invalid("a gzip member is cut short"));
        }
        let crc = u32::from_le_bytes(trailer[..4].try_into().expect("four bytes"));
        let size = u32::from_le_bytes(trailer[4..].try_into().expect("four bytes"));
        if crc != self.crc.sum() || size != self.crc.amount() {
            return Err(invalid("a gzip member's checksum does not match"));
        }
        Ok(())
    }
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            match std::mem::replace(&mut self.state, GzipState::Done) {
                GzipState::Done => return Ok(0),
                GzipState::Between { mut reader, first } => {
                    if self.header(&mut reader, first)? {
                        self.crc.reset();
                        self.state =
                            GzipState::Member(flate2::bufread::DeflateDecoder::new(reader));
                    }
                }
                GzipState::Member(mut decoder) => {
                    let read = decoder.read(buf)?;
                    if read > 0 {
                        self.crc.update(&buf[..read]);
                        self.state = GzipState::Member(decoder);
                        return Ok(read);
                    }
                    let mut reader = decoder.into_inner();
                    self.trailer(&mut reader)?;
                    self.state = GzipState::Between {
                        reader,
                        first: false,
                    };
                }
            }
        }
    }
}

/// Reads up to and past a NUL, keeping at most `keep` bytes before it; the bytes kept, and how
/// many more there were.
fn read_to_nul(reader: &mut impl BufRead, keep: usize) -> io::Result<(Vec<u8>, u64)> {
    let mut text = Vec::new();
    let mut beyond = 0u64;
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Err(invalid("a gzip header is cut short"));
        }
        let (part, done) = match memchr::memchr(0, available) {
            Some(at) => (&available[..at], at + 1),
            None => (available, 0),
        };
        let room = keep.saturating_sub(text.len()).min(part.len());
        text.extend_from_slice(&part[..room]);
        beyond += (part.len() - room) as u64;
        let consumed = if done > 0 { done } else { part.len() };
        reader.consume(consumed);
        if done > 0 {
            return Ok((text, beyond));
        }
    }
}

/// A reader that gives back bytes it was handed first.
struct Pushback<R> {
    pending: Vec<u8>,
    inner: R,
}

impl<R: BufRead> BufRead for Pushback<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pending.is_empty() {
            self.inner.fill_buf()
        } else {
            Ok(&self.pending)
        }
    }

    fn consume(&mut self, amount: usize) {
        if self.pending.is_empty() {
            self.inner.consume(amount);
        } else {
            self.pending.drain(..amount.min(self.pending.len()));
        }
    }
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

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}
